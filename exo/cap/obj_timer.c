/*
 * Timer: monotonic time since boot, and sleeps that complete through the
 * ring (a kop holding a kernel timer), so one thread can sleep and wait on
 * other operations at once.  Resolution is the scheduler tick.
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "coreobj.h"
#include "iface_kernel.h"
#include "kcall.h"
#include "../kern/clock.h"
#include "../proc/sched.h"

struct sleep_op {
	struct kop k;          /* first: kfree(k) frees the whole op */
	struct ktimer timer;
};

static struct kobj timer_obj = KOBJ_STATIC(CAPOS_IFACE_TIMER);

struct kobj *coreobj_timer(void)
{
	return &timer_obj;
}

int kcap_timer_now(struct kcall *call, const struct capos_timer_now_in *in, uint32_t in_len,
		   struct capos_timer_now_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len;
	out->ns = clock_ns();
	*out_len = sizeof *out;
	return 0;
}

static void sleep_fired(struct ktimer *t)
{
	struct sleep_op *op = (struct sleep_op *)((char *)t - __builtin_offsetof(struct sleep_op, timer));

	kop_finish_locked(&op->k, 0);
}

static void sleep_cancel(struct kop *k)
{
	ktimer_cancel_locked(&((struct sleep_op *)k)->timer);
}

int kcap_timer_sleep(struct kcall *call, const struct capos_timer_sleep_in *in, uint32_t in_len,
		     struct capos_timer_sleep_out *out, uint32_t *out_len)
{
	uint64_t now = clock_ns();
	uint64_t deadline = now + in->ns < now ? SCHED_NO_DEADLINE - 1 : now + in->ns;
	struct sleep_op *op;
	uint64_t flags;

	(void)in_len; (void)out;
	*out_len = 0;
	if (in->ns == 0)
		return 0;
	op = (struct sleep_op *)kcall_defer(call, sizeof *op);
	if (!op)
		return -CAPOS_EQUOTA;
	op->k.cancel = sleep_cancel;
	op->timer.fire = sleep_fired;
	flags = sched_lock_irqsave();
	ktimer_arm_locked(&op->timer, deadline);
	sched_unlock_irqrestore(flags);
	return KCALL_PENDING;
}
