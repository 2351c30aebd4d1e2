/*
 * Timer calibration results and the calls arch_ktest.c uses to
 * cross-check the sources.  Internal to exo/arch/x86_64.
 */
#ifndef EXO_ARCH_TIMER_H
#define EXO_ARCH_TIMER_H

#include <stdint.h>

struct timer_calibration {
	const char *source;     /* refclock name */
	uint64_t tsc_hz;
	uint64_t lapic_hz;      /* LAPIC timer input clock (before the divider) */
	uint64_t ref_ticks;     /* length of the measurement in reference ticks */
};

/*
 * Measure the TSC and LAPIC timer against the named reference ("acpi-pm",
 * "hpet", "pit").  Interrupts must be off; the LAPIC timer is left
 * stopped (timer_start_periodic restarts the tick).  Returns 0, or
 * -CAPOS_ENOENT (source absent), -CAPOS_EIO (source does not count or
 * gave implausible numbers), -CAPOS_ETIMEDOUT (the bounded wait ran out).
 */
int timer_calibrate(const char *source, struct timer_calibration *out);
void timer_start_periodic(void);

#endif
