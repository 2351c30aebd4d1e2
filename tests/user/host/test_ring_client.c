/*
 * Host tests of the libOS ring client (libos/rt/ring_client.c, stash.c)
 * against the simulated kernel of fake_kernel.c: header checks, index
 * handling across the 32-bit wrap, synchronous calls with completions of
 * other operations arriving meanwhile (kept in the stash and handed out
 * later, oldest first), async calls with wait, watch and poll, a CQ too
 * small for the work (the kernel stops consuming; the client reaps and
 * goes on), a full stash (completions found in the CQ itself), dropped
 * DISCARD completions and exclusive submissions.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/error.h>
#include <capos/ring_client.h>
#include "check.h"
#include "fake_kernel.h"

static struct capos_ring_client rc;

static void setup(uint32_t sq, uint32_t cq, uint32_t start)
{
	fk_init(sq, cq, start);
	CHECK_EQ(capos_ring_init(&rc, fk.mem, fk.size), 0);
	CHECK_EQ(capos_ring_attach(&rc, fk.mem), 0);   /* the size from the header */
	fk.hdr->size = (uint32_t)fk.size - 1;
	CHECK_EQ(capos_ring_attach(&rc, fk.mem), -CAPOS_ERANGE);
	fk.hdr->size = (uint32_t)fk.size;
}

static int echo(const char *text, char *out, uint32_t cap, uint32_t *len)
{
	return capos_call_sync(&rc, 1, FK_IFACE_ECHO, 0, text, (uint32_t)strlen(text) + 1, out, cap, len);
}

static void test_init_checks(void)
{
	fk_init(8, 16, 0);
	fk.hdr->magic = 0;
	CHECK_EQ(capos_ring_init(&rc, fk.mem, fk.size), -CAPOS_EFORMAT);
	fk.hdr->magic = CAPOS_RING_MAGIC;
	fk.hdr->version = CAPOS_RING_VERSION + 1;
	CHECK_EQ(capos_ring_init(&rc, fk.mem, fk.size), -CAPOS_EFORMAT);
	fk.hdr->version = CAPOS_RING_VERSION;
	fk.hdr->sq_entries = 12;
	CHECK_EQ(capos_ring_init(&rc, fk.mem, fk.size), -CAPOS_EFORMAT);
	fk.hdr->sq_entries = 8;
	CHECK_EQ(capos_ring_init(&rc, fk.mem, fk.size - 1), -CAPOS_ERANGE);
	CHECK_EQ(capos_ring_init(&rc, fk.mem, 100), -CAPOS_ERANGE);
	CHECK_EQ(capos_ring_init(&rc, fk.mem, fk.size), 0);
}

static void test_raw_layer_wraps(void)
{
	setup(4, 8, UINT32_MAX - 2);
	for (int round = 0; round < 3; round++) {
		int n = 0;
		struct capos_sqe *s;

		while ((s = capos_ring_get_sqe(&rc)) != NULL)
			capos_sqe_nop(s, 100 + (uint64_t)n++);
		CHECK_EQ(n, 4);
		CHECK_EQ(capos_ring_sq_pending(&rc), 0);  /* not published: the kernel sees nothing */
		capos_ring_publish(&rc);
		CHECK_EQ(capos_ring_sq_pending(&rc), 4);
		CHECK_EQ(capos_cap_enter(0, 0), 4);
		CHECK_EQ(capos_ring_cq_ready(&rc), 4);
		for (int i = 0; i < 4; i++) {
			const struct capos_cqe *c = capos_ring_peek_cqe(&rc);

			CHECK(c != NULL);
			if (c)
				CHECK_EQ(c->user_data, 100 + (uint64_t)i);
			capos_ring_cqe_seen(&rc);
		}
		CHECK(capos_ring_peek_cqe(&rc) == NULL);
	}
	CHECK(rc.sq_tail < 100);  /* wrapped past 2^32 */
	CHECK_EQ(fk.corrupt, 0);
}

static void test_call_sync(void)
{
	char out[32];
	uint32_t len = 0;

	setup(8, 16, 0);
	CHECK_EQ(echo("hello", out, sizeof out, &len), 0);
	CHECK_EQ(len, 6);
	CHECK_STR(out, "hello");
	CHECK_EQ(echo("truncated", out, 4, &len), 0);
	CHECK_EQ(len, 4);
	CHECK_EQ(capos_call_sync(&rc, 1, 999, 0, NULL, 0, NULL, 0, NULL), -CAPOS_ENOSYS);
	CHECK_EQ(capos_nop(&rc), 0);
	CHECK_EQ(rc.stash.count, 0);  /* nothing left behind */
}

static void test_async_and_stash(void)
{
	uint64_t ud[3];
	struct capos_completion c;

	setup(8, 16, 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_DEFER, 0, "abc", (uint32_t)i + 1, NULL, 0, &ud[i]), 0);
	CHECK(ud[0] != ud[1] && ud[1] != ud[2]);
	CHECK(!(ud[0] & CAPOS_UD_PRIVATE));
	CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), -CAPOS_ETIMEDOUT);
	/* Waiting for the last: the kernel completes the older ones first; they are kept. */
	CHECK_EQ(capos_ring_wait(&rc, ud[2], CAPOS_TIMEOUT_INFINITE, &c), 0);
	CHECK_EQ(c.user_data, ud[2]);
	CHECK_EQ(c.aux, 3);
	CHECK_EQ(rc.stash.count, 2);
	CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), 0);
	CHECK_EQ(c.user_data, ud[0]);
	CHECK_EQ(c.aux, 1);
	CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), 0);
	CHECK_EQ(c.user_data, ud[1]);
	CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), -CAPOS_ETIMEDOUT);
	CHECK_EQ(capos_ring_wait(&rc, 12345, 0, &c), -CAPOS_ETIMEDOUT);
}

/* A synchronous call that waits while other operations complete keeps theirs for later. */
static void test_sync_keeps_others(void)
{
	uint64_t a, b;
	struct capos_completion c;

	setup(8, 16, 0);
	CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_DEFER, 0, NULL, 0, NULL, 0, &a), 0);
	CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_DEFER, 0, NULL, 0, NULL, 0, &b), 0);
	CHECK_EQ(capos_call_sync(&rc, 1, FK_IFACE_DEFER, 0, NULL, 0, NULL, 0, NULL), 0);
	CHECK_EQ(rc.stash.count, 2);
	CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), 0);
	CHECK_EQ(c.user_data, a);
	CHECK_EQ(capos_ring_wait(&rc, b, 0, &c), 0);
	CHECK_EQ(rc.stash.count, 0);
}

static int fired[8];
static uint64_t fired_ud[8];

static void on_done(void *ctx, const struct capos_completion *c)
{
	int i = (int)(intptr_t)ctx;

	fired[i]++;
	fired_ud[i] = c->user_data;
}

static void test_watch_poll(void)
{
	uint64_t a, b, other;
	struct capos_completion c;

	setup(8, 16, 0);
	memset(fired, 0, sizeof fired);
	CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_DEFER, 0, NULL, 0, NULL, 0, &a), 0);
	CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_DEFER, 0, NULL, 0, NULL, 0, &other), 0);
	CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_DEFER, 0, NULL, 0, NULL, 0, &b), 0);
	CHECK_EQ(capos_ring_watch(&rc, a, on_done, (void *)0), 0);
	CHECK_EQ(capos_ring_watch(&rc, a, on_done, (void *)0), -CAPOS_EEXIST);
	CHECK_EQ(capos_ring_watch(&rc, b, on_done, (void *)1), 0);
	CHECK_EQ(capos_ring_watch(&rc, 0, on_done, NULL), -CAPOS_EINVAL);
	CHECK_EQ(capos_ring_poll(&rc, CAPOS_TIMEOUT_INFINITE), 1);  /* a completes first */
	CHECK_EQ(fired[0], 1);
	CHECK_EQ(fired_ud[0], a);
	CHECK_EQ(capos_ring_poll(&rc, CAPOS_TIMEOUT_INFINITE), 1);  /* other is not watched: b next */
	CHECK_EQ(fired[1], 1);
	CHECK_EQ(fired_ud[1], b);
	CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), 0);
	CHECK_EQ(c.user_data, other);
	CHECK_EQ(capos_ring_poll(&rc, 0), 0);
	CHECK_EQ(capos_ring_unwatch(&rc, a), -CAPOS_ENOENT);
}

static void test_watch_limit(void)
{
	setup(8, 16, 0);
	for (uint64_t i = 1; i <= CAPOS_RC_WATCH_MAX; i++)
		CHECK_EQ(capos_ring_watch(&rc, i, on_done, NULL), 0);
	CHECK_EQ(capos_ring_watch(&rc, 1000, on_done, NULL), -CAPOS_EQUOTA);
	CHECK_EQ(capos_ring_unwatch(&rc, 5), 0);
	CHECK_EQ(capos_ring_watch(&rc, 1000, on_done, NULL), 0);
}

/* More outstanding operations than the CQ holds: the kernel stops, the client reaps and goes on. */
static void test_small_cq(void)
{
	uint64_t ud[40];
	struct capos_completion c;
	int seen[40] = { 0 };

	setup(4, 8, 0);
	for (int i = 0; i < 40; i++) {
		CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_ECHO, 0, "p", 2, NULL, 0, &ud[i]), 0);
	}
	for (int i = 0; i < 40; i++) {
		CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), 0);
		for (int j = 0; j < 40; j++)
			if (c.user_data == ud[j])
				seen[j]++;
	}
	for (int i = 0; i < 40; i++)
		CHECK_EQ(seen[i], 1);
	CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), -CAPOS_ETIMEDOUT);
	CHECK_EQ(fk.corrupt, 0);
}

/* The kernel takes one SQE per enter and raw entries are queued first: submission waits for its own. */
static void test_slow_consumer(void)
{
	struct capos_completion c;
	char out[8];

	setup(8, 16, 0);
	fk.consume_limit = 1;
	for (int i = 0; i < 3; i++)
		capos_sqe_nop(capos_ring_get_sqe(&rc), 50 + (uint64_t)i);
	capos_ring_publish(&rc);
	CHECK_EQ(echo("ab", out, sizeof out, NULL), 0);
	CHECK_STR(out, "ab");
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), 0);
		CHECK_EQ(c.user_data, 50 + (uint64_t)i);
	}
}

/* A full stash: new submissions are refused; an awaited completion is taken from the CQ itself. */
static void test_stash_full(void)
{
	struct capos_completion c;
	uint64_t ud, u, w;
	char out[8];

	setup(8, 16, 0);
	for (int i = 0; i < CAPOS_RC_STASH; i++) {
		CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_ECHO, 0, "s", 2, NULL, 0, &ud), 0);
		CHECK_EQ(capos_ring_wait(&rc, 0, 0, &c), -CAPOS_ETIMEDOUT);  /* reaps into the stash */
	}
	CHECK_EQ(rc.stash.count, CAPOS_RC_STASH);
	CHECK_EQ(echo("y", out, sizeof out, NULL), -CAPOS_EBUSY);  /* refused before submitting */
	CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_ECHO, 0, "v", 2, NULL, 0, &ud), -CAPOS_EBUSY);
	CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), 0);     /* one slot free */
	CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_ECHO, 0, "u", 2, NULL, 0, &u), 0);
	CHECK_EQ(capos_call_async(&rc, 1, FK_IFACE_ECHO, 0, "w", 2, NULL, 0, &w), 0);
	CHECK_EQ(capos_ring_cq_ready(&rc), 2);
	CHECK_EQ(capos_ring_wait(&rc, w, 0, &c), 0);             /* u fills the stash; w is in the CQ */
	CHECK_EQ(c.user_data, w);
	CHECK_EQ(rc.stash.count, CAPOS_RC_STASH);
	CHECK_EQ(capos_ring_cq_ready(&rc), 0);
	CHECK_EQ(capos_ring_wait(&rc, u, 0, &c), 0);
	CHECK_EQ(c.user_data, u);
}

/* A completion of a DISCARD submission never reaches the stash. */
static void test_discard(void)
{
	struct capos_sqe s;
	struct capos_completion c;

	setup(8, 16, 0);
	capos_sqe_nop(&s, 0);
	CHECK_EQ(capos_submit_self_noreturn(&rc, &s), 0);
	CHECK_EQ(capos_nop(&rc), 0);
	CHECK_EQ(rc.stash.count, 0);
	CHECK_EQ(capos_ring_next_completion(&rc, 0, &c), -CAPOS_ETIMEDOUT);
}

static void test_submit_self(void)
{
	struct capos_sqe s;
	struct capos_completion c;

	setup(8, 16, 0);
	fk.current_thread = 7;
	capos_sqe_call(&s, 0, 1, FK_IFACE_SELF, 0, NULL, 0, NULL, 0);
	CHECK_EQ(capos_submit_self(&rc, &s, &c), 0);
	CHECK_EQ(fk.self_thread, 7);
	CHECK_EQ(fk.self_count, 1);
	CHECK(c.user_data & CAPOS_UD_PRIVATE);
}

/* A call the kernel answers at once costs exactly one kernel entry: submission and wait in one. */
static void test_one_entry_per_call(void)
{
	char out[4] = { 0 };
	uint32_t len = 0, before;

	setup(8, 16, 0);
	before = fk.enters;
	CHECK_EQ(capos_call_sync(&rc, 1, FK_IFACE_ECHO, 0, "abc", 4, out, sizeof out, &len), 0);
	CHECK_EQ(fk.enters - before, 1);
	CHECK_EQ(len, 4);
	CHECK_STR(out, "abc");
}

/* A ring the kernel refused stays refused; the client reports it. */
static void test_refused_ring(void)
{
	setup(8, 16, 0);
	fk.hdr->sq_tail = 1000;  /* corrupt, as a hostile program would */
	CHECK_EQ(capos_cap_enter(0, 0), -CAPOS_EINVAL);
	rc.sq_tail = 1000;
	CHECK_EQ(capos_nop(&rc), -CAPOS_EINVAL);
}

static void test_stash_pure(void)
{
	struct capos_stash s;
	struct capos_completion c = { 0 };

	capos_stash_init(&s);
	for (uint64_t i = 1; i <= CAPOS_RC_STASH; i++) {
		c.user_data = i;
		CHECK_EQ(capos_stash_put(&s, &c), 0);
	}
	c.user_data = 9999;
	CHECK_EQ(capos_stash_put(&s, &c), -CAPOS_EQUOTA);
	CHECK_EQ(capos_stash_take(&s, 10, &c), 0);
	CHECK_EQ(c.user_data, 10);
	CHECK_EQ(capos_stash_take(&s, 10, &c), -CAPOS_ENOENT);
	CHECK_EQ(s.count, CAPOS_RC_STASH - 1);
	CHECK_EQ(s.items[9].user_data, 11);  /* order kept */
}

int main(void)
{
	RUN(test_init_checks);
	RUN(test_raw_layer_wraps);
	RUN(test_call_sync);
	RUN(test_async_and_stash);
	RUN(test_sync_keeps_others);
	RUN(test_watch_poll);
	RUN(test_watch_limit);
	RUN(test_small_cq);
	RUN(test_slow_consumer);
	RUN(test_stash_full);
	RUN(test_discard);
	RUN(test_submit_self);
	RUN(test_one_entry_per_call);
	RUN(test_refused_ring);
	RUN(test_stash_pure);
	fk_free();
	return check_done();
}
