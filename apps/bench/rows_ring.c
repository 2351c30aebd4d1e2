/*
 * Rows that stay inside one process and the kernel: NOPs through the ring
 * at batch sizes 1, 16 and 256; cap_enter with nothing to do; CALL on
 * NullCap (kernel dispatch) at batch 1 and 16; Timer.now as a capability
 * call; and the clock read from the bootstrap page (no kernel entry).
 * Each sample is a run of whole batches (at least 64 operations) divided
 * by the number of operations; the ring is used raw (one submission and
 * one wait per batch: cap_enter(n) consumes the batch and waits for its n
 * completions), under the client lock, by the only thread of the process.
 */
#include "bench.h"

#define OPS_PER_SAMPLE 64u

typedef void (*fill_fn)(struct capos_sqe *s, uint64_t ud, void *ctx);

static void fill_nop(struct capos_sqe *s, uint64_t ud, void *ctx)
{
	(void)ctx;
	capos_sqe_nop(s, ud);
}

static void fill_null_call(struct capos_sqe *s, uint64_t ud, void *ctx)
{
	capos_sqe_call(s, ud, *(uint32_t *)ctx, CAPOS_IFACE_NULL, CAPOS_NULL_NOP, NULL, 0, NULL, 0);
}

struct timer_ctx {
	uint32_t cap;
	struct capos_timer_now_out out;
};

static void fill_timer_now(struct capos_sqe *s, uint64_t ud, void *ctx)
{
	struct timer_ctx *t = ctx;

	capos_sqe_call(s, ud, t->cap, CAPOS_IFACE_TIMER, CAPOS_TIMER_NOW, NULL, 0, &t->out, sizeof t->out);
}

/* Submit one batch of n entries, wait for all n completions and reap them: 0 or a negative code. */
static int one_batch(struct capos_ring_client *rc, uint32_t n, fill_fn fill, void *ctx)
{
	int err = 0;

	for (uint32_t i = 0; i < n; i++)
		fill(capos_ring_get_sqe(rc), i + 1, ctx);
	capos_ring_publish(rc);
	if (capos_cap_enter(n, CAPOS_TIMEOUT_INFINITE) != (int64_t)n)
		err = -CAPOS_EIO;
	for (uint32_t i = 0; i < n; i++) {
		const struct capos_cqe *c = capos_ring_peek_cqe(rc);

		if (!c)
			return -CAPOS_EIO;
		if (c->status < 0)
			err = c->status;
		capos_ring_cqe_seen(rc);
	}
	return err;
}

static int batched(struct bench_samples *s, uint32_t iters, uint32_t batch, fill_fn fill, void *ctx)
{
	struct capos_ring_client *rc = capos_ring();
	uint32_t rounds = batch >= OPS_PER_SAMPLE ? 1 : OPS_PER_SAMPLE / batch;
	int err = 0;

	capos_ring_lock(rc);
	for (uint32_t i = 0; i < iters && !err; i++) {
		uint64_t t0 = bench_tsc();

		for (uint32_t r = 0; r < rounds && !err; r++)
			err = one_batch(rc, batch, fill, ctx);
		s->tsc[s->count++] = (bench_tsc() - t0) / (rounds * batch);
	}
	capos_ring_unlock(rc);
	return err;
}

int bench_ring_nop_b1(struct bench_samples *s, uint32_t iters)
{
	return batched(s, iters, 1, fill_nop, NULL);
}

int bench_ring_nop_b16(struct bench_samples *s, uint32_t iters)
{
	return batched(s, iters, 16, fill_nop, NULL);
}

int bench_ring_nop_b256(struct bench_samples *s, uint32_t iters)
{
	return batched(s, iters, 256, fill_nop, NULL);
}

int bench_null_call_b1(struct bench_samples *s, uint32_t iters)
{
	uint32_t cap = capos_cap_find("null", NULL);

	return cap ? batched(s, iters, 1, fill_null_call, &cap) : -CAPOS_ENOENT;
}

int bench_null_call_b16(struct bench_samples *s, uint32_t iters)
{
	uint32_t cap = capos_cap_find("null", NULL);

	return cap ? batched(s, iters, 16, fill_null_call, &cap) : -CAPOS_ENOENT;
}

int bench_timer_now(struct bench_samples *s, uint32_t iters)
{
	struct timer_ctx t = { .cap = capos_cap_find("timer", NULL) };

	return t.cap ? batched(s, iters, 1, fill_timer_now, &t) : -CAPOS_ENOENT;
}

int bench_cap_enter_empty(struct bench_samples *s, uint32_t iters)
{
	int64_t r = 0;

	for (uint32_t i = 0; i < iters && r == 0; i++) {
		uint64_t t0 = bench_tsc();

		for (uint32_t k = 0; k < OPS_PER_SAMPLE && r == 0; k++)
			r = capos_cap_enter(0, 0);
		s->tsc[s->count++] = (bench_tsc() - t0) / OPS_PER_SAMPLE;
	}
	return r < 0 ? (int)r : 0;
}

int bench_clock_now(struct bench_samples *s, uint32_t iters)
{
	volatile uint64_t sink = 0;

	for (uint32_t i = 0; i < iters; i++) {
		uint64_t t0 = bench_tsc();

		for (uint32_t k = 0; k < OPS_PER_SAMPLE; k++)
			sink += capos_time_ns();
		s->tsc[s->count++] = (bench_tsc() - t0) / OPS_PER_SAMPLE;
	}
	return sink ? 0 : -CAPOS_EIO;
}
