/*
 * Trap dispatch: every vector lands in trap_dispatch (from isr.S).
 *
 *   - exceptions (0-31) in user mode go to the process
 *     (proc_user_exception), int3 included; NMI, #DF and #MC are never
 *     the process's business.  In kernel mode an int3 is logged and
 *     resumed, an NMI is reported and resumed, anything else is a kernel
 *     bug and goes to trap_report_fatal.
 *   - interrupts (32-255): the handler installed for the vector, or a
 *     warning (once per vector) and an EOI so the LAPIC is not wedged.
 *   - a trap from user mode returns through arch_user_return (reschedule,
 *     finish a dying thread, vet the frame), interrupts still off, except
 *     for the IST vectors: their frame is on a per-CPU IST stack, which a
 *     thread must never be switched away on.
 *
 * The handler table is written during bring-up only, before each source
 * is enabled; handlers read it with interrupts off, so no lock is needed.
 * Per-vector counters are relaxed atomics, shared by all CPUs.
 */
#include <stdbool.h>
#include <stdint.h>
#include "context.h"
#include "cpu.h"
#include "trap.h"
#include "lapic.h"
#include "../../kern/backtrace.h"
#include "../../kern/irqwatch.h"
#include "../../kern/log.h"
#include "../../kern/panic.h"
#include "../../kern/serial.h"
#include "../../lib/fmt.h"

static trap_irq_fn irq_handlers[VEC_COUNT];
static uint64_t vector_counts[VEC_COUNT];
static uint8_t unhandled_warned[VEC_COUNT];

void trap_set_irq_handler(unsigned vector, trap_irq_fn fn)
{
	KASSERT(vector >= VEC_EXCEPTIONS && vector < VEC_COUNT && fn != NULL);
	KASSERT(irq_handlers[vector] == NULL || irq_handlers[vector] == fn);
	__atomic_store_n(&irq_handlers[vector], fn, __ATOMIC_RELEASE);
}

uint64_t trap_count(unsigned vector)
{
	KASSERT(vector < VEC_COUNT);
	return __atomic_load_n(&vector_counts[vector], __ATOMIC_RELAXED);
}

/*
 * int3 in the kernel: a deliberate marker; RIP already points past it.
 * The report goes through the log (and its lock), so int3 must not be
 * planted inside the log or serial code.
 */
static void trap_breakpoint(const struct trap_frame *f)
{
	uint64_t off = 0;
	const char *name = symbols_lookup(f->rip - 1, &off);

	kinfo("breakpoint (int3) at RIP 0x%016llx %s+0x%llx; resuming",
	      (unsigned long long)f->rip, name ? name : "?", (unsigned long long)(off + 1));
}

/*
 * An NMI can interrupt this CPU while it holds the log lock, so the report
 * bypasses the log and goes straight to the (lock-free) serial port.
 */
static void trap_nmi(const struct trap_frame *f)
{
	char line[96];
	int n = ksnprintf(line, sizeof line, "NMI at RIP 0x%016llx (count %llu); resuming\n",
			  (unsigned long long)f->rip, (unsigned long long)trap_count(VEC_NMI));

	serial_write(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
}

static void trap_unhandled_irq(const struct trap_frame *f)
{
	if (!unhandled_warned[f->vector]) {
		unhandled_warned[f->vector] = 1;
		kwarn("trap: interrupt on vector 0x%llx with no handler (further ones are silent)",
		      (unsigned long long)f->vector);
	}
	if (f->vector >= VEC_IRQ_FIRST && lapic_ready())
		lapic_eoi();
}

/* NMI, #DF and #MC run on IST stacks (idt.c). */
static bool trap_on_ist(uint64_t vector)
{
	return vector == VEC_NMI || vector == VEC_DF || vector == VEC_MC;
}

static void trap_interrupt(struct trap_frame *f)
{
	trap_irq_fn fn = __atomic_load_n(&irq_handlers[f->vector], __ATOMIC_ACQUIRE);

	if (fn)
		fn(f);
	else
		trap_unhandled_irq(f);
}

static void trap_exception(struct trap_frame *f)
{
	if (f->vector == VEC_NMI)
		trap_nmi(f);
	else if (trap_from_user(f) && !trap_on_ist(f->vector))
		proc_user_exception(f);
	else if (f->vector == VEC_BP && !trap_from_user(f))
		trap_breakpoint(f);
	else
		trap_report_fatal(f);
}

void trap_dispatch(struct trap_frame *f)
{
	/* The gate turned interrupts off; the stretch is timed if they were on. */
	bool timed = (f->rflags & RFLAGS_IF) != 0;

	if (timed)
		irqwatch_begin();
	KASSERT(f->vector < VEC_COUNT);
	__atomic_fetch_add(&vector_counts[f->vector], 1, __ATOMIC_RELAXED);
	if (f->vector >= VEC_EXCEPTIONS)
		trap_interrupt(f);
	else
		trap_exception(f);
	if (trap_from_user(f) && !trap_on_ist(f->vector))
		arch_user_return(f);
	else if (timed)
		irqwatch_end();  /* iretq turns them back on */
}
