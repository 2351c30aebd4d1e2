/*
 * Reference clocks of known frequency, used only to calibrate the TSC and
 * the LAPIC timer: the ACPI PM timer, the HPET main counter and PIT
 * channel 2.  Each reads as a free-running up-counter of `mask + 1`
 * values; callers take differences modulo the mask and must read it at
 * least once per wrap (the PIT wraps every 55 ms, the 24-bit PM timer
 * every 4.7 s).
 */
#ifndef EXO_ARCH_REFCLOCK_H
#define EXO_ARCH_REFCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct refclock {
	const char *name;      /* "acpi-pm", "hpet", "pit" */
	uint64_t hz;
	uint64_t mask;         /* counter width */
	uint64_t (*read)(const struct refclock *rc);
	uint16_t port;         /* acpi-pm */
	volatile uint64_t *hpet;  /* hpet: mapped register block */
};

/* Each returns 0 with *rc ready, or a negative CAPOS_E* code when the clock is unusable. */
int refclock_acpi_pm(struct refclock *rc, uint32_t port, bool is_32bit);
int refclock_hpet(struct refclock *rc, uint64_t phys);
int refclock_pit(struct refclock *rc);

#endif
