/*
 * The interrupts-off watch: the longest stretch this CPU ran with
 * interrupts off, in TSC cycles, and where it began and ended.  Every
 * kernel spinlock is taken with interrupts off (spin_lock_irqsave, or a
 * plain spin_lock nested under one), so the longest stretch also bounds
 * the longest hold of any global lock: sched_lock, the frame, heap, vm
 * and log locks.  Always compiled in: a stretch costs two rdtsc.
 *
 * The hooks (irqwatch_begin/irqwatch_end) are called from irq_save,
 * irq_restore, irq_disable and irq_enable in cpu.h, from trap entry and
 * exit when the trap interrupted code running with interrupts on, from
 * the return to user mode, and before the idle loop's sti; hlt.  A
 * stretch that began and whose end was not seen (an IF set by iretq or
 * sysret) is overwritten by the next begin, never measured.
 */
#ifndef EXO_KERN_IRQWATCH_H
#define EXO_KERN_IRQWATCH_H

#include <stdint.h>

struct irqwatch_report {
	uint64_t max_cycles;   /* longest stretch seen since the last reset */
	uint64_t begin_site;   /* kernel address where it began */
	uint64_t begin_caller; /* the return address of the function that began it (frame pointers) */
	uint64_t end_site;     /* kernel address where it ended */
	uint64_t stretches;    /* stretches measured since the last reset */
};

void irqwatch_begin(void);     /* interrupts just went off; the site is the caller */
void irqwatch_begin_if_idle(void); /* as begin, unless a stretch is already open */
void irqwatch_end(void);       /* interrupts are about to go on; the site is the caller */

void irqwatch_read(struct irqwatch_report *out);
void irqwatch_reset(void);

/* Log the longest stretch, symbolized, with its length in microseconds. */
void irqwatch_log(const char *when);

#endif
