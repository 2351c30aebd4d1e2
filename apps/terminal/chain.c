/*
 * The terminal's holders, reads, ^C waits and input (model and
 * invariants: chain.h; behaviour: docs/terminal.md).  The same rules the
 * kernel's TerminalSession had, with reply tokens where it had kernel
 * operations: a read or wait is kept as its token and answered later.
 */
#include <string.h>
#include <capos/error.h>
#include <capos/terminal.h>
#include "chain.h"

#define KEY_INTR 0x03     /* ^C, as the line discipline knows it */
#define LINE_OFFSET __builtin_offsetof(struct term_line_result, line)

_Static_assert(CAPOS_TERMINAL_LINE_MAX == LINEDISC_MAX, "a read_line bound is a line discipline bound");
_Static_assert(TERM_HOLDERS > TERM_DEPTH_MAX, "the whole chain fits the holder table");

void term_init(struct term *t, const struct term_env *env, bool present)
{
	memset(t, 0, sizeof *t);
	t->env = env;
	t->present = present;
	for (uint32_t i = 0; i < TERM_HOLDERS; i++)
		t->h[i] = (struct term_holder){ .lender = TERM_NONE, .borrower = TERM_NONE };
	t->h[0].live = true;
	t->reader = TERM_NONE;
	linedisc_init(&t->ld, CAPOS_TERMINAL_LINE_MAX);
}

static bool valid(int h)
{
	return h >= 0 && h < (int)TERM_HOLDERS;
}

/* May h read or set the echo? */
static int check_foreground(const struct term *t, int h)
{
	if (!t->h[h].live)
		return -CAPOS_EREVOKED;
	return t->h[h].borrower != TERM_NONE ? -CAPOS_EBUSY : 0;
}

/* ---- abandoned calls ---- */

/* A read whose caller went away is forgotten (its token answered, which frees it). */
static void prune_read(struct term *t)
{
	if (t->reader == TERM_NONE || t->env->caller_waits(t->env->ctx, t->read_token))
		return;
	t->env->answer(t->env->ctx, t->read_token, -CAPOS_ECANCELED, NULL, 0);
	t->reader = TERM_NONE;
}

static void prune_wait(struct term *t, int h)
{
	if (!t->h[h].wait || t->env->caller_waits(t->env->ctx, t->h[h].wait))
		return;
	t->env->answer(t->env->ctx, t->h[h].wait, -CAPOS_ECANCELED, NULL, 0);
	t->h[h].wait = 0;
}

/* ---- interrupts ---- */

static void intr_finish(struct term *t, int h, int32_t status, uint32_t holders)
{
	uint64_t token = t->h[h].wait;

	t->h[h].wait = 0;
	t->env->answer(t->env->ctx, token, status, &holders, status == 0 ? sizeof holders : 0);
}

/* Does a live waiter remain?  Abandoned waits are dropped on the way. */
static bool intr_waiting(struct term *t)
{
	bool any = false;

	for (int h = 0; h != TERM_NONE; h = t->h[h].borrower) {
		prune_wait(t, h);
		any = any || t->h[h].wait;
	}
	return any;
}

/* ^C was typed: tell the innermost waiting lender, if any. */
static void intr_deliver(struct term *t)
{
	int waiter = TERM_NONE;
	uint32_t below = 0;  /* holders after waiter in the chain */

	for (int h = 0; h != TERM_NONE; h = t->h[h].borrower) {
		prune_wait(t, h);
		if (t->h[h].wait) {
			waiter = h;
			below = 0;
		} else if (waiter != TERM_NONE) {
			below++;
		}
	}
	if (waiter != TERM_NONE)
		intr_finish(t, waiter, 0, below);
}

/* ---- output and the receive ring ---- */

/* Bytes to the UART, each "\n" as "\r\n". */
static void put_crlf(struct term *t, const char *s, uint32_t len)
{
	uint32_t from = 0;

	for (uint32_t i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		if (i > from)
			t->env->output(t->env->ctx, s + from, i - from);
		t->env->output(t->env->ctx, "\r\n", 2);
		from = i + 1;
	}
	if (len > from)
		t->env->output(t->env->ctx, s + from, len - from);
}

static int rx_get(struct term *t)
{
	if (t->rx_tail == t->rx_head)
		return -1;
	return t->rx[t->rx_head++ % TERM_RX_RING];
}

/* Drop everything up to and including the first c; false (nothing dropped) when there is none. */
static bool rx_flush_through(struct term *t, uint8_t c)
{
	for (uint32_t i = t->rx_head; i != t->rx_tail; i++) {
		if (t->rx[i % TERM_RX_RING] == c) {
			t->rx_head = i + 1;
			return true;
		}
	}
	return false;
}

/* ---- reading ---- */

static void read_finish(struct term *t, int32_t status, uint32_t len)
{
	uint64_t token = t->read_token;

	t->reader = TERM_NONE;
	t->env->answer(t->env->ctx, token, status, &t->result, status == 0 ? len : 0);
	memset(&t->result, 0, sizeof t->result);  /* it may have been a password */
}

static void read_event(struct term *t, enum linedisc_event ev)
{
	switch (ev) {
	case LINEDISC_LINE:
		t->result.event = CAPOS_TERMINAL_EVENT_LINE;
		memcpy(t->result.line, t->ld.buf, t->ld.len);
		read_finish(t, 0, (uint32_t)LINE_OFFSET + t->ld.len);
		break;
	case LINEDISC_EOF:
		t->result.event = CAPOS_TERMINAL_EVENT_EOF;
		read_finish(t, 0, (uint32_t)LINE_OFFSET);
		break;
	case LINEDISC_CANCEL:
		read_finish(t, -CAPOS_ECANCELED, 0);
		intr_deliver(t);
		break;
	default:
		break;
	}
}

/* Give type-ahead to the pending read until the ring is empty or the read ends. */
static void feed(struct term *t)
{
	int c;

	prune_read(t);
	while (t->reader != TERM_NONE && (c = rx_get(t)) >= 0) {
		uint32_t n;
		enum linedisc_event ev = linedisc_input(&t->ld, (uint8_t)c, t->echo, &n);

		if (n)
			t->env->output(t->env->ctx, t->echo, n);
		if (ev != LINEDISC_NONE)
			read_event(t, ev);
	}
}

/*
 * Nobody reads but a lender waits for ^C: take the ^C (and the type-ahead
 * before it, which was meant for the interrupted program) out of the ring.
 */
static void intr_poll(struct term *t)
{
	prune_read(t);
	if (t->reader != TERM_NONE || !intr_waiting(t) || !rx_flush_through(t, KEY_INTR))
		return;
	t->env->output(t->env->ctx, "^C\r\n", 4);
	linedisc_discard(&t->ld);
	intr_deliver(t);
}

static void apply_echo(struct term *t)
{
	linedisc_set_hidden(&t->ld, t->echo_hidden || (t->reader != TERM_NONE && t->read_hidden));
}

void term_input(struct term *t, const uint8_t *bytes, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if (t->rx_tail - t->rx_head == TERM_RX_RING)
			t->rx_dropped++;
		else
			t->rx[t->rx_tail++ % TERM_RX_RING] = bytes[i];
	}
	feed(t);
	intr_poll(t);
}

/* ---- the chain ---- */

/* The foreground passed to another holder: forget the partial line and the echo mode. */
static void foreground_changed(struct term *t)
{
	linedisc_discard(&t->ld);
	t->echo_hidden = false;
	apply_echo(t);
}

/* Revoke every holder below h, which becomes the foreground. */
static void revoke_below(struct term *t, int h)
{
	int b = t->h[h].borrower;

	t->h[h].borrower = TERM_NONE;
	if (t->h[h].wait)
		intr_finish(t, h, -CAPOS_ECANCELED, 0);
	while (b != TERM_NONE) {
		int next = t->h[b].borrower;

		if (t->reader == b)
			read_finish(t, -CAPOS_EREVOKED, 0);
		if (t->h[b].wait)
			intr_finish(t, b, -CAPOS_EREVOKED, 0);
		t->h[b] = (struct term_holder){ .lender = TERM_NONE, .borrower = TERM_NONE };
		t->env->cut(t->env->ctx, b);
		b = next;
	}
	foreground_changed(t);
}

static uint32_t depth(const struct term *t, int h)
{
	uint32_t d = 0;

	for (; t->h[h].lender != TERM_NONE; h = t->h[h].lender)
		d++;
	return d;
}

void term_released(struct term *t, int h)
{
	if (valid(h) && t->h[h].live && t->h[h].lender != TERM_NONE)
		revoke_below(t, t->h[h].lender);
}

/* ---- methods ---- */

int term_write(struct term *t, int h, const void *data, uint32_t len)
{
	if (!t->h[h].live)
		return -CAPOS_EREVOKED;
	if (!t->present)
		return -CAPOS_ENOTSUP;
	put_crlf(t, data, len);
	return 0;
}

int term_read_line(struct term *t, int h, uint64_t token, uint32_t max, uint32_t flags, uint32_t result_cap)
{
	int err;

	if (flags & ~CAPOS_TERMINAL_READ_FLAGS)
		return -CAPOS_EINVAL;
	if (max < 1 || max > CAPOS_TERMINAL_LINE_MAX)
		return -CAPOS_ERANGE;
	if (result_cap < LINE_OFFSET + max)
		return -CAPOS_ERANGE;  /* the longest line allowed must fit the caller's buffer */
	err = check_foreground(t, h);
	if (err)
		return err;
	prune_read(t);
	if (t->reader != TERM_NONE)
		return -CAPOS_EBUSY;
	if (!t->present)
		return -CAPOS_ENOTSUP;
	t->reader = h;
	t->read_token = token;
	t->read_hidden = flags & CAPOS_TERMINAL_READ_HIDDEN;
	linedisc_set_max(&t->ld, max);
	apply_echo(t);
	feed(t);
	return 0;
}

int term_set_echo(struct term *t, int h, uint32_t mode)
{
	int err;

	if (mode != CAPOS_TERMINAL_ECHO_VISIBLE && mode != CAPOS_TERMINAL_ECHO_HIDDEN)
		return -CAPOS_EINVAL;
	err = check_foreground(t, h);
	if (err)
		return err;
	t->echo_hidden = mode == CAPOS_TERMINAL_ECHO_HIDDEN;
	apply_echo(t);
	return 0;
}

int term_lend_check(struct term *t, int h)
{
	int err = check_foreground(t, h);

	if (err)
		return err;
	prune_read(t);
	if (t->reader != TERM_NONE)
		return -CAPOS_EBUSY;  /* the foreground's own read is pending: cancel it first */
	return depth(t, h) >= TERM_DEPTH_MAX ? -CAPOS_ERANGE : 0;
}

void term_lend_commit(struct term *t, int h, int b)
{
	t->h[h].borrower = b;
	t->h[b] = (struct term_holder){ .live = true, .lender = h, .borrower = TERM_NONE };
	foreground_changed(t);
}

int term_reclaim(struct term *t, int h)
{
	if (!t->h[h].live)
		return -CAPOS_EREVOKED;
	if (t->h[h].borrower == TERM_NONE)
		return -CAPOS_ENOENT;
	revoke_below(t, h);
	return 0;
}

int term_info(struct term *t, int h, struct term_info *out)
{
	const struct term_holder *x = &t->h[h];

	prune_read(t);
	out->state = !x->live ? CAPOS_TERMINAL_STATE_REVOKED
		     : x->borrower != TERM_NONE ? CAPOS_TERMINAL_STATE_LENT : CAPOS_TERMINAL_STATE_FOREGROUND;
	out->reading = t->reader == h;
	out->present = t->present;
	out->rx_dropped = t->rx_dropped;
	return 0;
}

int term_wait_interrupt(struct term *t, int h, uint64_t token, uint32_t result_cap)
{
	if (!t->h[h].live)
		return -CAPOS_EREVOKED;
	if (t->h[h].borrower == TERM_NONE)
		return -CAPOS_EINVAL;  /* only a lender is interrupted; the foreground's read sees ^C itself */
	prune_wait(t, h);
	if (t->h[h].wait)
		return -CAPOS_EBUSY;
	if (result_cap < sizeof(uint32_t))
		return -CAPOS_ERANGE;  /* the completion could never be delivered */
	t->h[h].wait = token;
	intr_poll(t);  /* a ^C typed just before the wait began */
	return 0;
}
