/*
 * TSC-based monotonic clock.  ns = ticks * mult >> 32 with
 * mult = 1e9 * 2^32 / hz, computed once; the 128-bit product keeps it exact
 * for centuries of uptime.  Assumes an invariant TSC, which QEMU and every
 * CPU capOS targets provide; the calibration code checks the CPUID bit.
 */
#include "clock.h"
#include "../arch/x86_64/cpu.h"

static uint64_t boot_tsc;
static uint64_t hz;
static uint64_t mult; /* ns per tick, 32.32 fixed point */

void clock_set_boot_tsc(uint64_t tsc)
{
	boot_tsc = tsc;
}

void tsc_set_hz(uint64_t tsc_hz_value)
{
	if (!tsc_hz_value)
		return;
	/* 1e9 << 32 is 4.3e18: fits in 64 bits, so no 128-bit division. */
	mult = (1000000000ull << 32) / tsc_hz_value;
	hz = tsc_hz_value;
}

uint64_t tsc_hz(void)
{
	return hz;
}

void clock_params(uint64_t *tsc_base, uint64_t *ns_mult)
{
	*tsc_base = hz ? boot_tsc : 0;
	*ns_mult = hz ? mult : 0;
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * mult) >> 32);
}

uint64_t clock_ns(void)
{
	if (!hz)
		return 0;
	return tsc_to_ns(rdtsc() - boot_tsc);
}
