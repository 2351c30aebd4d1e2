/*
 * The interrupts-off watch (see irqwatch.h).  One record: capOS runs on
 * one CPU (SMP: one record per CPU, in struct arch_cpu).  The record is
 * written only with interrupts off, by the CPU that owns it, so it needs
 * no lock; begin and end are one branch and one rdtsc each.
 */
#include <stdint.h>
#include "irqwatch.h"
#include "backtrace.h"
#include "clock.h"
#include "log.h"
#include "../arch/x86_64/cpu.h"

/* The kernel keeps frame pointers (-fno-omit-frame-pointer), so one level
 * up the chain is safe; the caller names which uvm_lock or lock_log. */
#pragma GCC diagnostic ignored "-Wframe-address"

static struct {
	uint64_t start;        /* TSC at the open stretch's begin, 0 when none is open */
	uint64_t start_site;
	uint64_t start_caller;
	struct irqwatch_report worst;
} watch;

__attribute__((noinline)) void irqwatch_begin(void)
{
	watch.start = rdtsc();
	watch.start_site = (uint64_t)(uintptr_t)__builtin_return_address(0);
	watch.start_caller = (uint64_t)(uintptr_t)__builtin_return_address(1);
}

__attribute__((noinline)) void irqwatch_begin_if_idle(void)
{
	if (watch.start)
		return;
	watch.start = rdtsc();
	watch.start_site = (uint64_t)(uintptr_t)__builtin_return_address(0);
	watch.start_caller = (uint64_t)(uintptr_t)__builtin_return_address(1);
}

__attribute__((noinline)) void irqwatch_end(void)
{
	uint64_t d;

	if (!watch.start)
		return;
	d = rdtsc() - watch.start;
	watch.start = 0;
	watch.worst.stretches++;
	if (d <= watch.worst.max_cycles)
		return;
	watch.worst.max_cycles = d;
	watch.worst.begin_site = watch.start_site;
	watch.worst.begin_caller = watch.start_caller;
	watch.worst.end_site = (uint64_t)(uintptr_t)__builtin_return_address(0);
}

void irqwatch_read(struct irqwatch_report *out)
{
	uint64_t flags = irq_save();

	*out = watch.worst;
	irq_restore(flags);
}

void irqwatch_reset(void)
{
	uint64_t flags = irq_save();

	watch.worst = (struct irqwatch_report){ 0 };
	irq_restore(flags);
}

static const char *site_name(uint64_t addr, uint64_t *off)
{
	const char *name = symbols_lookup(addr, off);

	if (!name) {
		*off = addr;
		return "?";
	}
	return name;
}

void irqwatch_log(const char *when)
{
	struct irqwatch_report r;
	uint64_t boff, coff, eoff;
	const char *bname, *cname, *ename;

	irqwatch_read(&r);
	bname = site_name(r.begin_site, &boff);
	cname = site_name(r.begin_caller, &coff);
	ename = site_name(r.end_site, &eoff);
	kinfo("latency (%s): longest interrupts-off stretch %llu cycles (%llu us) of %llu, from %s+0x%llx (called from %s+0x%llx) to %s+0x%llx",
	      when, (unsigned long long)r.max_cycles,
	      (unsigned long long)(tsc_to_ns(r.max_cycles) / 1000u), (unsigned long long)r.stretches,
	      bname, (unsigned long long)boff, cname, (unsigned long long)coff, ename, (unsigned long long)eoff);
}
