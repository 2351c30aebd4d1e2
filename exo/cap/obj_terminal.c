/*
 * TerminalSession: line input and output on the session UART (COM2) for
 * whoever holds the session's foreground.  Model and errors:
 * docs/terminal.md; ABI constants: capos/terminal.h.
 *
 * Holders.  Every TerminalSession capability object is a struct
 * term_holder, and the live ones form one chain: the root (init's
 * "terminal"), then each holder lent from the one before (lend).  The
 * last link is the foreground: only it reads and sets the echo.  The links
 * above it are lenders, whose reads get -CAPOS_EBUSY.  A lender's reclaim,
 * or the release of a link's last handle, cuts everything below it from
 * the chain: those holders are revoked for good (-CAPOS_EREVOKED), and a
 * read one of them had pending completes with -CAPOS_EREVOKED.
 *
 * Interrupts.  A lender may wait for ^C (wait_interrupt), one wait per
 * holder.  A ^C typed while the chain holds a waiting lender goes to the
 * innermost one (the nearest above the foreground): through the line
 * discipline when the foreground is reading (the read is cancelled too),
 * or, when nobody reads, by the tick taking it out of the receive ring
 * together with the type-ahead before it.  A wait ends with
 * -CAPOS_ECANCELED when its holder's borrowers go (reclaim, release) and
 * with -CAPOS_EREVOKED when the holder itself is cut from the chain, so
 * a pending wait always belongs to a live holder that has lent.
 *
 * Input.  A kernel timer re-armed every 5 ms (so it fires on every 10 ms
 * tick) polls the UART into its receive ring and, while a read_line is
 * pending, feeds the ring's bytes to the line discipline, echoing what it
 * says, until an event ends the read: LINE and EOF complete it with
 * status 0, ^C with -CAPOS_ECANCELED.  Bytes typed while no read waits
 * stay in the ring (type-ahead) and are echoed when a read takes them,
 * under that read's echo; read_line feeds at once, so type-ahead that
 * already holds a line completes it without waiting for a tick.  A change
 * of foreground (lend, reclaim, release) drops the partly typed line and
 * makes the echo visible again, so nothing typed for one holder ends up in
 * another's line.
 *
 * Results.  A line (up to 260 bytes of result) does not fit a kop's
 * out[]: it is kept in the read operation itself (kop.out_ext) and copied
 * to the caller by its own cap_enter, like every async result.
 *
 * Locks.  sched_lock guards everything here — the chain, the pending
 * read, the line discipline, the echo mode, the UART and its ring; the
 * tick and the kop cancel hook already hold it.  Output is polled with
 * the lock held, in chunks of WRITE_CHUNK bytes (immediate under QEMU;
 * about 6 us a byte on a real UART at 115200 baud).  Calls never block
 * between their checks and their effects (one CPU, no preemption in
 * kernel mode), so what a decode saw still holds when the call acts.
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/terminal.h>
#include "iface_kernel.h"
#include "kcall.h"
#include "obj_terminal.h"
#include "../kern/clock.h"
#include "../kern/log.h"
#include "../kern/panic.h"
#include "../kern/session_uart.h"
#include "../lib/linedisc.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"
#include "../proc/sched.h"

#define POLL_NS 5000000ull       /* under one tick: the timer fires on every tick */
#define WRITE_CHUNK 64u          /* bytes sent per sched_lock hold */
#define LEND_DEPTH_MAX 16u       /* holders below the root */
#define KEY_INTR 0x03            /* ^C, as the line discipline knows it */
#define LINE_OFFSET __builtin_offsetof(struct capos_terminal_session_read_line_out, line)

_Static_assert(CAPOS_TERMINAL_LINE_MAX == LINEDISC_MAX, "a read_line bound is a line discipline bound");
_Static_assert(sizeof(((struct capos_terminal_session_read_line_out *)0)->line) == CAPOS_TERMINAL_LINE_MAX,
	       "read_line's result holds the longest line");

struct term_holder {
	struct kobj base;
	struct term_holder *lender;    /* [sched] the link above; NULL for the root and once revoked */
	struct term_holder *borrower;  /* [sched] the link below; NULL: this holder has not lent */
	bool live;                     /* [sched] in the chain; false once revoked (or before lend links it) */
	struct intr_op *wait;          /* [sched] this holder's pending wait_interrupt; only while live and lent */
};

struct intr_op {
	struct kop k;                  /* first: ring.c frees the whole op */
	struct term_holder *h;         /* [sched] the waiting lender (h->wait == this while pending) */
};

struct read_op {
	struct kop k;                  /* first: ring.c frees the whole op */
	struct term_holder *h;         /* [sched] the reader: the foreground when the read began */
	bool hidden;                   /* CAPOS_TERMINAL_READ_HIDDEN was given */
	struct capos_terminal_session_read_line_out result;  /* k.out_ext */
};

struct term_session {
	bool started;
	bool echo_hidden;              /* [sched] set_echo's mode, for the foreground only */
	struct read_op *read;          /* [sched] the one pending read_line */
	struct linedisc ld;            /* [sched] */
	struct ktimer poll;            /* [sched] armed for good when the UART exists */
	char echo[LINEDISC_ECHO_MAX];  /* [sched] what one input byte shows */
};

static struct term_session session;
static struct term_holder root = {
	.base = KOBJ_STATIC(CAPOS_IFACE_TERMINAL_SESSION),
	.live = true,
};

static struct term_holder *call_holder(const struct kcall *call)
{
	KASSERT(call->obj->iface == CAPOS_IFACE_TERMINAL_SESSION);
	return KOBJ_CONTAINER(call->obj, struct term_holder, base);
}

/* May h read or set the echo?  sched_lock held. */
static int check_foreground_locked(const struct term_holder *h)
{
	if (!h->live)
		return -CAPOS_EREVOKED;
	return h->borrower ? -CAPOS_EBUSY : 0;
}

/* ---- interrupts ---- */

/* End h's pending wait_interrupt with status (and the nested count when 0).  sched_lock held. */
static void intr_finish_locked(struct term_holder *h, int32_t status, uint32_t holders)
{
	struct intr_op *op = h->wait;
	struct capos_terminal_session_wait_interrupt_out result = { .holders = holders };

	h->wait = NULL;
	if (status == 0) {
		memcpy(op->k.out, &result, sizeof result);
		op->k.out_len = sizeof result;
	}
	kop_finish_locked(&op->k, status);
}

/* Does any live holder wait for ^C?  sched_lock held. */
static bool intr_waiting_locked(void)
{
	for (const struct term_holder *h = &root; h; h = h->borrower)
		if (h->wait)
			return true;
	return false;
}

/* ^C was typed: tell the innermost waiting lender, if any.  sched_lock held. */
static void intr_deliver_locked(void)
{
	struct term_holder *waiter = NULL;
	uint32_t below = 0;  /* holders after waiter in the chain */

	for (struct term_holder *h = &root; h; h = h->borrower) {
		if (h->wait) {
			waiter = h;
			below = 0;
		} else if (waiter) {
			below++;
		}
	}
	if (waiter)
		intr_finish_locked(waiter, 0, below);
}

/* k->cancel: CANCEL, or the waiter's ring destroyed.  sched_lock held. */
static void intr_cancel(struct kop *k)
{
	struct intr_op *op = (struct intr_op *)k;

	KASSERT(op->h->wait == op);
	op->h->wait = NULL;
}

/* ---- reading ---- */

/* End the pending read with status (and len result bytes when 0).  sched_lock held. */
static void read_finish_locked(int32_t status, uint32_t len)
{
	struct read_op *op = session.read;

	session.read = NULL;
	op->k.out_len = status == 0 ? len : 0;
	kop_finish_locked(&op->k, status);
}

static void read_event_locked(enum linedisc_event ev)
{
	struct capos_terminal_session_read_line_out *r = &session.read->result;

	switch (ev) {
	case LINEDISC_LINE:
		r->event = CAPOS_TERMINAL_EVENT_LINE;
		memcpy(r->line, session.ld.buf, session.ld.len);
		read_finish_locked(0, (uint32_t)LINE_OFFSET + session.ld.len);
		break;
	case LINEDISC_EOF:
		r->event = CAPOS_TERMINAL_EVENT_EOF;
		read_finish_locked(0, (uint32_t)LINE_OFFSET);
		break;
	case LINEDISC_CANCEL:
		read_finish_locked(-CAPOS_ECANCELED, 0);
		intr_deliver_locked();
		break;
	default:
		break;
	}
}

/* Give type-ahead to the pending read until the ring is empty or the read ends.  sched_lock held. */
static void feed_locked(void)
{
	int c;

	while (session.read && (c = session_uart_getc()) >= 0) {
		uint32_t n;
		enum linedisc_event ev = linedisc_input(&session.ld, (uint8_t)c, session.echo, &n);

		session_uart_write(session.echo, n, false);
		if (ev != LINEDISC_NONE)
			read_event_locked(ev);
	}
}

/*
 * Nobody reads but a lender waits for ^C: take the ^C (and the type-ahead
 * before it, which was meant for the interrupted program) out of the ring.
 * sched_lock held.
 */
static void intr_poll_locked(void)
{
	if (session.read || !intr_waiting_locked() || !session_uart_flush_through(KEY_INTR))
		return;
	session_uart_write("^C\r\n", 4, false);
	linedisc_discard(&session.ld);
	intr_deliver_locked();
}

static void poll_fired(struct ktimer *t)
{
	session_uart_poll();
	feed_locked();
	intr_poll_locked();
	ktimer_arm_locked(t, clock_ns() + POLL_NS);
}

/* k->cancel: CANCEL or ring_destroy; only the pending read is ever on a ring's pending list.  sched_lock held. */
static void read_cancel(struct kop *k)
{
	KASSERT(session.read == (struct read_op *)k);
	session.read = NULL;
}

static void apply_echo_locked(void)
{
	linedisc_set_hidden(&session.ld, session.echo_hidden || (session.read && session.read->hidden));
}

/* ---- the chain of holders ---- */

/* The foreground passed to another holder: forget the partial line and the echo mode.  sched_lock held. */
static void foreground_changed_locked(void)
{
	linedisc_discard(&session.ld);
	session.echo_hidden = false;
	apply_echo_locked();
}

/*
 * Revoke every holder below h, which becomes the foreground: their reads
 * and waits end with -CAPOS_EREVOKED, h's own wait with -CAPOS_ECANCELED.
 * sched_lock held.
 */
static void revoke_below_locked(struct term_holder *h)
{
	struct term_holder *b = h->borrower;

	h->borrower = NULL;
	if (h->wait)
		intr_finish_locked(h, -CAPOS_ECANCELED, 0);
	while (b) {
		struct term_holder *next = b->borrower;

		if (session.read && session.read->h == b)
			read_finish_locked(-CAPOS_EREVOKED, 0);
		if (b->wait)
			intr_finish_locked(b, -CAPOS_EREVOKED, 0);
		b->live = false;
		b->lender = NULL;
		b->borrower = NULL;
		b = next;
	}
	foreground_changed_locked();
}

static uint32_t depth_locked(const struct term_holder *h)
{
	uint32_t d = 0;

	for (; h->lender; h = h->lender)
		d++;
	return d;
}

/* The last handle of a lent holder is gone: the foreground goes back to its lender. */
static void holder_destroy(struct kobj *o)
{
	struct term_holder *h = KOBJ_CONTAINER(o, struct term_holder, base);
	uint64_t flags = sched_lock_irqsave();

	if (h->live) {
		KASSERT(h->lender);  /* the root is static and never destroyed */
		revoke_below_locked(h->lender);
	}
	sched_unlock_irqrestore(flags);
	kfree(h);
}

static const struct kobj_ops holder_ops = { .destroy = holder_destroy };

static void session_start(void)
{
	uint64_t flags;

	session.started = true;
	linedisc_init(&session.ld, CAPOS_TERMINAL_LINE_MAX);
	if (!session_uart_init()) {
		kinfo("terminal: no session UART on COM2; TerminalSession reads and writes are refused");
		return;
	}
	session.poll.fire = poll_fired;
	flags = sched_lock_irqsave();
	ktimer_arm_locked(&session.poll, clock_ns() + POLL_NS);
	sched_unlock_irqrestore(flags);
	kinfo("terminal: session UART on COM2, polled every tick");
}

struct kobj *terminal_root(void)
{
	if (!session.started)
		session_start();
	return &root.base;
}

/* ---- methods ---- */

int kcap_terminal_session_write(struct kcall *call, const struct capos_terminal_session_write_in *in,
				uint32_t in_len, struct capos_terminal_session_write_out *out, uint32_t *out_len)
{
	struct term_holder *h = call_holder(call);
	uint64_t flags = sched_lock_irqsave();
	bool live = h->live;

	sched_unlock_irqrestore(flags);
	*out_len = 0;
	if (!live)
		return -CAPOS_EREVOKED;
	if (!session_uart_present())
		return -CAPOS_ENOTSUP;
	for (uint32_t done = 0; done < in_len; done += WRITE_CHUNK) {
		uint32_t n = in_len - done < WRITE_CHUNK ? in_len - done : WRITE_CHUNK;

		flags = sched_lock_irqsave();
		session_uart_write((const char *)in->data + done, n, true);
		sched_unlock_irqrestore(flags);
	}
	out->written = in_len;
	*out_len = sizeof *out;
	return 0;
}

/* Everything read_line checks before it waits; no side effects.  sched_lock held. */
static int decode_read_line_locked(const struct kcall *call, const struct term_holder *h,
				   const struct capos_terminal_session_read_line_in *in)
{
	int err;

	if (in->flags & ~CAPOS_TERMINAL_READ_FLAGS)
		return -CAPOS_EINVAL;
	if (in->max < 1 || in->max > CAPOS_TERMINAL_LINE_MAX)
		return -CAPOS_ERANGE;
	if (call->sqe->result_len < LINE_OFFSET + in->max)
		return -CAPOS_ERANGE;  /* the longest line allowed must fit the caller's buffer */
	err = check_foreground_locked(h);
	if (err)
		return err;
	if (session.read)
		return -CAPOS_EBUSY;
	return session_uart_present() ? 0 : -CAPOS_ENOTSUP;
}

static void read_start_locked(struct read_op *op, struct term_holder *h,
			      const struct capos_terminal_session_read_line_in *in)
{
	KASSERT(!session.read);
	op->h = h;
	op->hidden = in->flags & CAPOS_TERMINAL_READ_HIDDEN;
	op->k.ctx = &session;
	op->k.cancel = read_cancel;
	op->k.out_ext = &op->result;
	session.read = op;
	linedisc_set_max(&session.ld, in->max);
	apply_echo_locked();
	feed_locked();
}

int kcap_terminal_session_read_line(struct kcall *call, const struct capos_terminal_session_read_line_in *in,
				    uint32_t in_len, struct capos_terminal_session_read_line_out *out,
				    uint32_t *out_len)
{
	struct term_holder *h = call_holder(call);
	uint64_t flags = sched_lock_irqsave();
	int err = decode_read_line_locked(call, h, in);
	struct read_op *op;

	sched_unlock_irqrestore(flags);
	(void)in_len; (void)out;
	*out_len = 0;
	if (err)
		return err;
	op = (struct read_op *)kcall_defer(call, sizeof *op);
	if (!op)
		return -CAPOS_EQUOTA;
	flags = sched_lock_irqsave();
	read_start_locked(op, h, in);
	sched_unlock_irqrestore(flags);
	return KCALL_PENDING;
}

int kcap_terminal_session_set_echo(struct kcall *call, const struct capos_terminal_session_set_echo_in *in,
				   uint32_t in_len, struct capos_terminal_session_set_echo_out *out,
				   uint32_t *out_len)
{
	struct term_holder *h = call_holder(call);
	uint64_t flags;
	int err;

	(void)in_len; (void)out;
	*out_len = 0;
	if (in->mode != CAPOS_TERMINAL_ECHO_VISIBLE && in->mode != CAPOS_TERMINAL_ECHO_HIDDEN)
		return -CAPOS_EINVAL;
	flags = sched_lock_irqsave();
	err = check_foreground_locked(h);
	if (!err) {
		session.echo_hidden = in->mode == CAPOS_TERMINAL_ECHO_HIDDEN;
		apply_echo_locked();
	}
	sched_unlock_irqrestore(flags);
	return err;
}

/* Everything lend checks; no side effects.  sched_lock held. */
static int decode_lend_locked(const struct term_holder *h)
{
	int err = check_foreground_locked(h);

	if (err)
		return err;
	if (session.read)
		return -CAPOS_EBUSY;  /* the foreground's own read is pending: cancel it first */
	return depth_locked(h) >= LEND_DEPTH_MAX ? -CAPOS_ERANGE : 0;
}

/* The borrower carries the caller's rights: a holder that may not travel lends none that may. */
static uint32_t caller_rights(const struct kcall *call)
{
	struct cap_slot *slot;

	return cap_lookup(process_caps(call->proc), call->handle, 0, &slot) == 0 ? slot->rights : 0;
}

int kcap_terminal_session_lend(struct kcall *call, const struct capos_terminal_session_lend_in *in,
			       uint32_t in_len, struct capos_terminal_session_lend_out *out, uint32_t *out_len)
{
	struct term_holder *h = call_holder(call);
	uint64_t flags = sched_lock_irqsave();
	int err = decode_lend_locked(h);
	struct term_holder *b;
	int64_t handle;

	sched_unlock_irqrestore(flags);
	(void)in; (void)in_len;
	*out_len = 0;
	if (err)
		return err;
	b = kzalloc(sizeof *b);
	if (!b)
		return -CAPOS_ENOMEM;
	kobj_init(&b->base, CAPOS_IFACE_TERMINAL_SESSION, &holder_ops);
	handle = kcall_grant(call, &b->base, caller_rights(call));
	kobj_unref(&b->base);  /* the slot holds its own reference; on failure this frees b, never linked */
	if (handle < 0)
		return (int)handle;
	flags = sched_lock_irqsave();
	h->borrower = b;
	b->lender = h;
	b->live = true;
	foreground_changed_locked();
	sched_unlock_irqrestore(flags);
	out->borrower = (uint32_t)handle;
	*out_len = sizeof *out;
	return 0;
}

int kcap_terminal_session_reclaim(struct kcall *call, const struct capos_terminal_session_reclaim_in *in,
				  uint32_t in_len, struct capos_terminal_session_reclaim_out *out,
				  uint32_t *out_len)
{
	struct term_holder *h = call_holder(call);
	uint64_t flags = sched_lock_irqsave();
	int err = !h->live ? -CAPOS_EREVOKED : !h->borrower ? -CAPOS_ENOENT : 0;

	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	if (!err)
		revoke_below_locked(h);
	sched_unlock_irqrestore(flags);
	return err;
}

int kcap_terminal_session_info(struct kcall *call, const struct capos_terminal_session_info_in *in,
			       uint32_t in_len, struct capos_terminal_session_info_out *out, uint32_t *out_len)
{
	struct term_holder *h = call_holder(call);
	uint64_t flags = sched_lock_irqsave();

	(void)in; (void)in_len;
	out->state = !h->live ? CAPOS_TERMINAL_STATE_REVOKED
		     : h->borrower ? CAPOS_TERMINAL_STATE_LENT : CAPOS_TERMINAL_STATE_FOREGROUND;
	out->reading = session.read && session.read->h == h;
	out->present = session_uart_present();
	out->rx_dropped = session_uart_dropped();
	sched_unlock_irqrestore(flags);
	*out_len = sizeof *out;
	return 0;
}

/* Everything wait_interrupt checks; no side effects.  sched_lock held. */
static int decode_wait_interrupt_locked(const struct kcall *call, const struct term_holder *h)
{
	if (!h->live)
		return -CAPOS_EREVOKED;
	if (!h->borrower)
		return -CAPOS_EINVAL;  /* only a lender is interrupted; the foreground's read sees ^C itself */
	if (h->wait)
		return -CAPOS_EBUSY;
	if (call->sqe->result_len < sizeof(struct capos_terminal_session_wait_interrupt_out))
		return -CAPOS_ERANGE;  /* the completion could never be delivered */
	return 0;
}

int kcap_terminal_session_wait_interrupt(struct kcall *call,
					 const struct capos_terminal_session_wait_interrupt_in *in, uint32_t in_len,
					 struct capos_terminal_session_wait_interrupt_out *out, uint32_t *out_len)
{
	struct term_holder *h = call_holder(call);
	uint64_t flags = sched_lock_irqsave();
	int err = decode_wait_interrupt_locked(call, h);
	struct intr_op *op;

	sched_unlock_irqrestore(flags);
	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	if (err)
		return err;
	op = (struct intr_op *)kcall_defer(call, sizeof *op);
	if (!op)
		return -CAPOS_EQUOTA;
	flags = sched_lock_irqsave();
	op->h = h;
	op->k.ctx = h;
	op->k.cancel = intr_cancel;
	h->wait = op;
	sched_unlock_irqrestore(flags);
	return KCALL_PENDING;
}
