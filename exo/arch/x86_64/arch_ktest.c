/*
 * In-kernel tests of the x86_64 layer (test=<name> on the command line).
 * Each logs a distinctive "ktest <name>:" line.  The fault tests end the
 * run through the exception report and panic (verdict panic); the others
 * return 0 for pass.
 */
#include <stdint.h>
#include <capos/error.h>
#include "arch.h"
#include "cpu.h"
#include "lapic.h"
#include "timer.h"
#include "trap.h"
#include "../../kern/clock.h"
#include "../../kern/ktest.h"
#include "../../kern/log.h"
#include "../../lib/string.h"
#include "../../mm/mm.h"

#define TIMER_TEST_TICKS 20
#define TIMER_TEST_MIN_NS 100000000ull    /* 100 ms */
#define TIMER_TEST_MAX_NS 2000000000ull   /* 2 s */
#define TIMER_TEST_GIVE_UP_NS 5000000000ull

/* The LAPIC timer must be counting, or hlt below could sleep forever. */
static int ktest_lapic_timer_running(void)
{
	uint32_t first = lapic_timer_current();

	for (int i = 0; i < 1000000; i++)
		if (lapic_timer_current() != first)
			return 1;
	return 0;
}

/* The tick advances at about timer_hz() and agrees with the TSC clock. */
KTEST(timer)
{
	uint64_t start_ticks, t0, elapsed, n;

	KTEST_CHECK(read_rflags() & RFLAGS_IF, "interrupts are off after arch_late_init");
	KTEST_CHECK(ktest_lapic_timer_running(), "the LAPIC timer is not counting");
	start_ticks = timer_ticks();
	t0 = clock_ns();
	while (timer_ticks() - start_ticks < TIMER_TEST_TICKS && clock_ns() - t0 < TIMER_TEST_GIVE_UP_NS)
		cpu_halt();
	elapsed = clock_ns() - t0;
	n = timer_ticks() - start_ticks;
	kinfo("ktest timer: %llu ticks in %llu us at %u Hz (LAPIC %llu Hz, TSC %llu Hz, source %s)",
	      (unsigned long long)n, (unsigned long long)(elapsed / 1000), timer_hz(),
	      (unsigned long long)lapic_timer_hz(), (unsigned long long)tsc_hz(), timer_calibration_source());
	KTEST_CHECK(n >= TIMER_TEST_TICKS, "only %llu ticks in %llu ns", (unsigned long long)n,
		    (unsigned long long)elapsed);
	KTEST_CHECK(elapsed >= TIMER_TEST_MIN_NS && elapsed <= TIMER_TEST_MAX_NS,
		    "%d ticks took %llu ns, outside 100 ms..2 s", TIMER_TEST_TICKS, (unsigned long long)elapsed);
	return 0;
}

/* Every available reference gives about the same TSC rate as the one in use. */
KTEST(calibration)
{
	static const char *const sources[] = { "acpi-pm", "hpet", "pit" };
	uint64_t ref = tsc_hz();
	int agreeing = 0;

	for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
		struct timer_calibration c;
		uint64_t flags = irq_save(), diff;
		int err = timer_calibrate(sources[i], &c);

		timer_start_periodic();
		irq_restore(flags);
		if (err) {
			kinfo("ktest calibration: %s unavailable (error %d)", sources[i], err);
			continue;
		}
		diff = c.tsc_hz > ref ? c.tsc_hz - ref : ref - c.tsc_hz;
		kinfo("ktest calibration: %s: TSC %llu Hz, LAPIC %llu Hz, %llu.%llu%% from the boot value",
		      sources[i], (unsigned long long)c.tsc_hz, (unsigned long long)c.lapic_hz,
		      (unsigned long long)(diff * 100 / ref), (unsigned long long)(diff * 1000 / ref % 10));
		KTEST_CHECK(diff * 5 <= ref, "%s disagrees with the boot calibration by more than 20%%", sources[i]);
		agreeing++;
	}
	KTEST_CHECK(agreeing >= 2, "only %d reference clocks usable", agreeing);
	return 0;
}

/* int3 in the kernel is reported and execution continues after it. */
KTEST(breakpoint)
{
	uint64_t before = trap_count(VEC_BP);

	__asm__ volatile("int3" ::: "memory");
	KTEST_CHECK(trap_count(VEC_BP) == before + 1, "int3 was not counted");
	kinfo("ktest breakpoint: int3 reported and resumed (%llu so far)",
	      (unsigned long long)trap_count(VEC_BP));
	return 0;
}

/* An NMI is reported (on its own IST stack, without the log lock) and execution resumes. */
KTEST(nmi)
{
	uint64_t before = trap_count(VEC_NMI);
	uint64_t t0 = clock_ns();

	lapic_send_nmi_self();
	while (trap_count(VEC_NMI) == before && clock_ns() - t0 < 1000000000ull)
		cpu_relax();
	KTEST_CHECK(trap_count(VEC_NMI) == before + 1, "the self-NMI did not arrive within 1 s");
	kinfo("ktest nmi: NMI reported and resumed (%llu so far)", (unsigned long long)trap_count(VEC_NMI));
	return 0;
}

/* A kernel address that is surely unmapped, checked rather than assumed. */
static uint64_t ktest_unmapped_address(void)
{
	static const uint64_t candidates[] = {
		CAPOS_KERNEL_BASE - 0x10000, 0xffffc00000000000ull, 0xfffffe8000000000ull,
	};

	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
		if (!vm_kernel_readable(candidates[i]))
			return candidates[i];
	return 0;
}

/* Unoptimised so it keeps a frame: at -O2 gcc gives a leaf none, and the fault's backtrace would skip its caller. */
static __attribute__((noinline, optimize("O0"))) void ktest_fault_store(volatile uint64_t *p)
{
	*p = 0x6b6b6b6b6b6b6b6bull;
}

static __attribute__((noinline)) void ktest_fault_trigger(uint64_t va)
{
	ktest_fault_store((volatile uint64_t *)va);
	__asm__ volatile("" ::: "memory");  /* keep the call a call, not a tail jump */
}

/* A kernel write to an unmapped page: a #PF dump with CR2 and a backtrace, then panic. */
KTEST(pagefault)
{
	uint64_t va = ktest_unmapped_address();

	KTEST_CHECK(va != 0, "found no unmapped kernel address to fault on");
	kinfo("ktest pagefault: writing to unmapped 0x%016llx from ktest_fault_trigger",
	      (unsigned long long)va);
	ktest_fault_trigger(va);
	kerror("ktest pagefault: the write did not fault");
	return -1;
}

static __attribute__((noinline)) uint64_t ktest_gp_trigger(void)
{
	return *(volatile uint64_t *)0x8000000000000000ull;  /* non-canonical */
}

/* A non-canonical access: #GP with error code 0. */
KTEST(gpfault)
{
	uint64_t v;

	kinfo("ktest gpfault: reading non-canonical 0x8000000000000000 from ktest_gp_trigger");
	v = ktest_gp_trigger();
	kerror("ktest gpfault: the read returned 0x%llx instead of faulting", (unsigned long long)v);
	return -1;
}

static __attribute__((noinline)) void ktest_selector_trigger(void)
{
	/* Selector 0x1230: index 582, far past the GDT limit. */
	__asm__ volatile("movw $0x1230, %%ax\n\tmovw %%ax, %%ds" ::: "rax", "memory");
}

/* Loading a bad segment selector: #GP whose error code names the selector. */
KTEST(gpselector)
{
	kinfo("ktest gpselector: loading selector 0x1230 into DS from ktest_selector_trigger");
	ktest_selector_trigger();
	kerror("ktest gpselector: the load did not fault");
	return -1;
}

static __attribute__((noinline)) uint64_t ktest_recurse(uint64_t depth)
{
	volatile uint8_t frame[480];

	frame[0] = (uint8_t)depth;
	frame[sizeof frame - 1] = (uint8_t)depth;
	if (depth == 0)
		return frame[0];
	return ktest_recurse(depth - 1) + frame[sizeof frame - 1];
}

/* Unbounded recursion runs into the stack's guard page: #DF on its own stack, with a dump. */
KTEST(stackoverflow)
{
	uint64_t r;

	kinfo("ktest stackoverflow: recursing until the kernel stack's guard page");
	r = ktest_recurse(1ull << 40);
	kerror("ktest stackoverflow: recursion returned %llu without overflowing", (unsigned long long)r);
	return -1;
}
