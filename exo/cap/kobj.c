/*
 * The dead list: how an object graph of any size is torn down in the
 * kernel stack of one destroy (the invariant is written in kobj.h).
 *
 * kobj_unref dropping the last reference calls kobj_dead, which pushes the
 * object on the list.  If no drain is running, this call becomes the
 * drain: it pops and destroys objects until the list is empty, including
 * the ones those destroys drop meanwhile (they are pushed, not destroyed
 * where they are dropped).  The work is linear in the objects freed and
 * the stack depth is constant.
 *
 * One list for the machine: capOS runs one kernel call at a time on one
 * CPU and a destroy never sleeps, so a drain is never interrupted by
 * another thread's kernel work.  An interrupt handler that drops a last
 * reference while a drain runs only pushes; the drain it interrupted
 * destroys that object too.  The list changes with interrupts off.
 * (SMP: one list and one draining flag per CPU.)
 */
#include <stdbool.h>
#include "kobj.h"
#include "../arch/x86_64/cpu.h"

static struct kobj *dead_head;  /* [irq off] newest first */
static bool draining;           /* [irq off] a drain runs on this CPU */

void kobj_dead(struct kobj *o)
{
	uint64_t flags = irq_save();

	o->dead_next = dead_head;
	dead_head = o;
	if (draining) {
		irq_restore(flags);
		return;
	}
	draining = true;
	while ((o = dead_head) != NULL) {
		dead_head = o->dead_next;
		o->dead_next = NULL;
		irq_restore(flags);
		o->ops->destroy(o);
		flags = irq_save();
	}
	draining = false;
	irq_restore(flags);
}
