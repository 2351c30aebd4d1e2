/*
 * Bring-up steps of the x86_64 layer, in the order arch.c calls them.
 * Internal to exo/arch/x86_64; the rest of the kernel sees arch.h.
 */
#ifndef EXO_ARCH_SETUP_H
#define EXO_ARCH_SETUP_H

#include <stdbool.h>
#include <stdint.h>

/* cpufeat.c: fill boot_cpu from CPUID, then turn on NX, WP, PGE, SMEP, SMAP, UMIP, FSGSBASE. */
void cpufeat_init(void);
/* fpu.c: x87/SSE (and AVX through XSAVE) usable, state size known. */
void fpu_init(void);
/* timer.c: calibrate the TSC and the LAPIC timer, start the periodic tick. */
void timer_init(uint32_t pm_timer_port, bool pm_timer_32bit, uint64_t hpet_phys);

#endif
