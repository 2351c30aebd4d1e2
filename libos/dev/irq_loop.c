/*
 * An interrupt served from an event loop.  Interrupt.wait is an async ring
 * operation, so a driver thread waits on its device beside timers, IPC and
 * anything else in one capos_ring_poll: the waiter submits the wait,
 * watches its user_data, and when it completes runs the driver's handler,
 * then acks (the kernel unmasks the source) and submits the next wait.
 *
 * The order matters: the handler first quiets the device's own condition
 * (for a level-triggered or shared line the source would fire again at
 * once otherwise), the ack comes after, and the new wait last — a firing
 * between ack and wait is remembered by the kernel and completes the new
 * wait at once, so none is lost.
 */
#include <capos/dev.h>
#include <capos/error.h>
#include <capos/rt.h>

static void on_wait(void *ctx, const struct capos_completion *c);

static int arm(struct capos_irq_waiter *w)
{
	int err = capos_interrupt_wait_async(capos_ring(), w->irq, &w->out, &w->user_data);

	if (!err)
		err = capos_ring_watch(capos_ring(), w->user_data, on_wait, w);
	w->armed = err == 0;
	return err;
}

static void on_wait(void *ctx, const struct capos_completion *c)
{
	struct capos_irq_waiter *w = ctx;
	int again;

	w->armed = 0;
	w->status = c->status;
	if (c->status != 0) {
		w->fn(w, 0);                       /* masked, revoked, cancelled: waiting ended */
		return;
	}
	w->fired += w->out.count;
	again = w->fn(w, w->out.count) == CAPOS_IRQ_AGAIN;
	if (!again)
		return;
	if ((w->status = capos_interrupt_ack(capos_ring(), w->irq)) || (w->status = arm(w)))
		w->fn(w, 0);
}

int capos_irq_waiter_start(struct capos_irq_waiter *w, uint32_t irq, capos_irq_fn fn, void *ctx)
{
	*w = (struct capos_irq_waiter){ .irq = irq, .fn = fn, .ctx = ctx };
	return arm(w);
}

/*
 * Unwatch, cancel, then collect the wait's completion here (cancelled, or
 * a firing that won the race), so that w->out is no longer written and no
 * completion is left behind for capos_ring_next_completion.
 */
int capos_irq_waiter_stop(struct capos_irq_waiter *w)
{
	struct capos_completion c;
	int err;

	if (!w->armed)
		return 0;
	capos_ring_unwatch(capos_ring(), w->user_data);
	capos_cancel(capos_ring(), w->user_data);
	err = capos_ring_wait(capos_ring(), w->user_data, CAPOS_TIMEOUT_INFINITE, &c);
	w->armed = 0;
	return err;
}
