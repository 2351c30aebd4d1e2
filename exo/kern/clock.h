/*
 * Monotonic time since boot from the TSC.  Until the timer code has
 * calibrated the TSC (tsc_set_hz), clock_ns() returns 0 and log lines show
 * time zero.  Conversion uses a 64.32 fixed-point multiplier, no division.
 */
#ifndef EXO_KERN_CLOCK_H
#define EXO_KERN_CLOCK_H
#include <stdint.h>

void clock_set_boot_tsc(uint64_t tsc);  /* TSC value that is time zero */
/* What user space needs to compute clock_ns itself (capos/process.h); zeros before calibration. */
void clock_params(uint64_t *tsc_base, uint64_t *ns_mult);
void tsc_set_hz(uint64_t hz);           /* set once calibrated */
uint64_t tsc_hz(void);                  /* 0 until calibrated */
uint64_t clock_ns(void);                /* nanoseconds since boot */
uint64_t tsc_to_ns(uint64_t ticks);

#endif
