/*
 * The x86_64 layer as the rest of the kernel sees it (exo/arch/x86_64/).
 *
 * Bring-up order (kmain): arch_early_init() before memory management
 * (GDT, TSS, IDT with exception handlers, CPU feature enables, FPU);
 * arch_late_init() once the heap and guarded stacks exist and acpi_init
 * has run (IST stacks, LAPIC, timer calibration, periodic tick).
 * arch_late_init returns with interrupts ENABLED so the tick runs (ktests
 * and the idle loop rely on it).
 *
 * Exceptions in kernel mode print a register dump with the decoded cause
 * and a symbolized backtrace, then panic.  User-mode exceptions go to the
 * process (proc_user_exception); the user boundary itself is context.h.
 */
#ifndef EXO_ARCH_ARCH_H
#define EXO_ARCH_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct cpu_features {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	bool nx, smep, smap, umip, fsgsbase, pge, pdpe1gb;
	bool fxsr, sse2, xsave, avx;
	bool rdrand, rdseed, invariant_tsc, x2apic, tsc_deadline;
	uint32_t phys_addr_bits, virt_addr_bits;
};

extern struct cpu_features boot_cpu;

void arch_early_init(void);
void arch_late_init(void);

/* "nx smep smap umip ..." into buf, for the banner. */
void cpu_features_string(char *buf, size_t size);

/* FPU/SSE/AVX state: an area of fpu_state_size() bytes, 64-byte aligned. */
size_t fpu_state_size(void);
void fpu_state_init(void *area);      /* the clean state a new thread starts with */
void fpu_save(void *area);
void fpu_restore(const void *area);
const char *fpu_mechanism(void);      /* "xsave" or "fxsave" */
uint64_t fpu_xcr0(void);              /* XSAVE components enabled; 0 with fxsave */

/* Periodic timer tick (LAPIC timer). */
uint64_t timer_ticks(void);
uint32_t timer_hz(void);
uint64_t lapic_timer_hz(void);        /* calibrated LAPIC timer input frequency */
const char *timer_calibration_source(void); /* "acpi-pm", "hpet" or "pit" */

#endif
