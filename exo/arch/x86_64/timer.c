/*
 * The periodic tick and its calibration.
 *
 * At bring-up the TSC and the LAPIC timer (divide by 16) are measured
 * against the best reference available: the ACPI PM timer when the FADT
 * names one, else the HPET, else PIT channel 2.  Each measurement spans
 * 50 ms of the reference; every wait is bounded in reads, and a reference
 * that stops counting is abandoned, so calibration cannot hang.  The
 * results must be plausible (TSC 50 MHz-20 GHz, LAPIC 1 MHz-10 GHz) or
 * the next reference is tried.  The TSC rate goes to clock.c
 * (tsc_set_hz); the LAPIC rate sets the periodic count for TIMER_HZ.
 *
 * Each tick also calls sched_tick() (kernel timers, preemption request);
 * a tick that interrupted user mode then reschedules on its way back
 * (trap_dispatch -> arch_user_return).
 *
 * Ticks are counted by the boot CPU's LAPIC timer only (SMP will give each
 * CPU its own tick but keep one global count).  ticks is a relaxed
 * atomic; the calibration statics are written before the tick starts and
 * read-only afterwards.
 */
#include <stdint.h>
#include <capos/error.h>
#include "arch.h"
#include "arch_setup.h"
#include "context.h"
#include "cpu.h"
#include "lapic.h"
#include "refclock.h"
#include "timer.h"
#include "trap.h"
#include "../../kern/clock.h"
#include "../../kern/log.h"
#include "../../kern/panic.h"
#include "../../lib/string.h"

#define TIMER_HZ 100u
#define CALIB_WINDOW_DIVISOR 20u         /* 1/20 s = 50 ms */
#define CALIB_MAX_READS 20000000u
#define CALIB_STALL_READS 1000000u
#define TSC_HZ_MIN 50000000ull
#define TSC_HZ_MAX 20000000000ull
#define LAPIC_HZ_MIN 1000000ull
#define LAPIC_HZ_MAX 10000000000ull

static uint64_t ticks;
static struct timer_calibration active;
static uint32_t pm_port;
static bool pm_32bit;
static uint64_t hpet_phys;

static int timer_open_source(const char *source, struct refclock *rc)
{
	if (strcmp(source, "acpi-pm") == 0)
		return refclock_acpi_pm(rc, pm_port, pm_32bit);
	if (strcmp(source, "hpet") == 0)
		return refclock_hpet(rc, hpet_phys);
	if (strcmp(source, "pit") == 0)
		return refclock_pit(rc);
	return -CAPOS_ENOENT;
}

/* Wait until the reference has advanced by target ticks; bounded in reads and stalls. */
static int timer_wait_ref(const struct refclock *rc, uint64_t target, uint64_t *elapsed)
{
	uint64_t prev = rc->read(rc), now, delta;
	uint32_t stalls = 0;

	*elapsed = 0;
	for (uint32_t reads = 0; reads < CALIB_MAX_READS; reads++) {
		now = rc->read(rc);
		delta = (now - prev) & rc->mask;
		if (delta == 0) {
			if (++stalls > CALIB_STALL_READS)
				return -CAPOS_EIO;
			continue;
		}
		stalls = 0;
		prev = now;
		*elapsed += delta;
		if (*elapsed >= target)
			return 0;
	}
	return -CAPOS_ETIMEDOUT;
}

static int timer_measure(const struct refclock *rc, struct timer_calibration *out)
{
	uint64_t tsc0, tsc1, elapsed;
	uint32_t lapic0, lapic1;
	int err;

	lapic_timer_oneshot_masked(UINT32_MAX);
	tsc0 = rdtsc();
	lapic0 = lapic_timer_current();
	err = timer_wait_ref(rc, rc->hz / CALIB_WINDOW_DIVISOR, &elapsed);
	lapic1 = lapic_timer_current();
	tsc1 = rdtsc();
	lapic_timer_stop();
	if (err)
		return err;
	if (lapic1 == 0 || lapic1 >= lapic0)
		return -CAPOS_EIO;  /* the LAPIC timer ran out or did not count */
	out->source = rc->name;
	out->ref_ticks = elapsed;
	out->tsc_hz = mul_div_u64(tsc1 - tsc0, rc->hz, elapsed);
	out->lapic_hz = mul_div_u64((uint64_t)(lapic0 - lapic1) * LAPIC_TIMER_DIVIDE, rc->hz, elapsed);
	return 0;
}

int timer_calibrate(const char *source, struct timer_calibration *out)
{
	struct refclock rc;
	int err;

	KASSERT(!(read_rflags() & RFLAGS_IF) && lapic_ready());
	err = timer_open_source(source, &rc);
	if (!err)
		err = timer_measure(&rc, out);
	if (err)
		return err;
	if (out->tsc_hz < TSC_HZ_MIN || out->tsc_hz > TSC_HZ_MAX ||
	    out->lapic_hz < LAPIC_HZ_MIN || out->lapic_hz > LAPIC_HZ_MAX) {
		kwarn("timer: %s gave implausible rates (TSC %llu Hz, LAPIC %llu Hz)", source,
		      (unsigned long long)out->tsc_hz, (unsigned long long)out->lapic_hz);
		return -CAPOS_EIO;
	}
	return 0;
}

/* Every tick: count it, let the scheduler fire timers and ask for preemption, EOI. */
static void timer_tick(struct trap_frame *f)
{
	(void)f;
	__atomic_fetch_add(&ticks, 1, __ATOMIC_RELAXED);
	sched_tick();
	lapic_eoi();
}

void timer_start_periodic(void)
{
	uint64_t count = active.lapic_hz / LAPIC_TIMER_DIVIDE / TIMER_HZ;

	KASSERT(count > 0 && count <= UINT32_MAX);
	lapic_timer_periodic(VEC_LAPIC_TIMER, (uint32_t)count);
}

void timer_init(uint32_t pm_timer_port, bool pm_timer_32bit, uint64_t hpet)
{
	static const char *const sources[] = { "acpi-pm", "hpet", "pit" };
	int err = -CAPOS_ENOENT;

	pm_port = pm_timer_port;
	pm_32bit = pm_timer_32bit;
	hpet_phys = hpet;
	for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
		err = timer_calibrate(sources[i], &active);
		if (err == 0)
			break;
		if (err != -CAPOS_ENOENT)
			kwarn("timer: calibration against %s failed (error %d)", sources[i], err);
	}
	if (err)
		panic("timer: no reference clock could calibrate the TSC and LAPIC timer");
	if (!boot_cpu.invariant_tsc)
		kwarn("timer: the TSC is not invariant (CPUID); clock_ns assumes it is");
	tsc_set_hz(active.tsc_hz);
	trap_set_irq_handler(VEC_LAPIC_TIMER, timer_tick);
	timer_start_periodic();
	kinfo("timer: calibrated against %s over %llu ticks: TSC %llu Hz, LAPIC timer %llu Hz; tick %u Hz",
	      active.source, (unsigned long long)active.ref_ticks, (unsigned long long)active.tsc_hz,
	      (unsigned long long)active.lapic_hz, TIMER_HZ);
}

uint64_t timer_ticks(void)
{
	return __atomic_load_n(&ticks, __ATOMIC_RELAXED);
}

uint32_t timer_hz(void)
{
	return TIMER_HZ;
}

uint64_t lapic_timer_hz(void)
{
	return active.lapic_hz;
}

const char *timer_calibration_source(void)
{
	return active.source ? active.source : "none";
}
