/*
 * Host tests of the network buffer queues (libos/dev/netq.c): capacities
 * must be powers of two, a queue fills to exactly its capacity and drains
 * in order, indices wrap at 2^32 without losing entries, a peer's
 * corrupted index reads as full and empty rather than yielding stale
 * entries, descriptor validation refuses every offset or length not a
 * whole slot of the region, and a producer thread and a consumer thread
 * pass 200,000 descriptors through a small queue in order.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include "check.h"
#include <capos/error.h>
#include <capos/netq.h>

static struct capos_netq_desc store[16];

static struct capos_netq_desc desc(uint32_t off, uint32_t len)
{
	struct capos_netq_desc d = {off, len};

	return d;
}

static void test_init(void)
{
	struct capos_netq q;

	CHECK_EQ(capos_netq_init(&q, store, 0), -CAPOS_EINVAL);
	CHECK_EQ(capos_netq_init(&q, store, 3), -CAPOS_EINVAL);
	CHECK_EQ(capos_netq_init(&q, store, 12), -CAPOS_EINVAL);
	CHECK_EQ(capos_netq_init(&q, NULL, 4), -CAPOS_EINVAL);
	CHECK_EQ(capos_netq_init(&q, store, 1), 0);
	CHECK_EQ(capos_netq_init(&q, store, 16), 0);
	CHECK(capos_netq_empty(&q));
	CHECK(!capos_netq_full(&q));
	CHECK_EQ(capos_netq_count(&q), 0);
}

static void test_fill_and_drain(void)
{
	struct capos_netq q;
	struct capos_netq_desc d;

	capos_netq_init(&q, store, 8);
	CHECK_EQ(capos_netq_pop(&q, &d), -CAPOS_EAGAIN);
	for (uint32_t i = 0; i < 8; i++)
		CHECK_EQ(capos_netq_push(&q, desc(i * 2048, i)), 0);
	CHECK(capos_netq_full(&q));
	CHECK_EQ(capos_netq_count(&q), 8);
	CHECK_EQ(capos_netq_push(&q, desc(0, 0)), -CAPOS_EAGAIN);
	for (uint32_t i = 0; i < 8; i++) {
		CHECK_EQ(capos_netq_pop(&q, &d), 0);
		CHECK_EQ(d.offset, i * 2048);
		CHECK_EQ(d.len, i);
	}
	CHECK(capos_netq_empty(&q));
	CHECK_EQ(capos_netq_pop(&q, &d), -CAPOS_EAGAIN);
}

static void test_wrap(void)
{
	struct capos_netq q;
	struct capos_netq_desc d;

	capos_netq_init(&q, store, 4);
	q.head = q.tail = UINT32_MAX - 2;     /* three pushes from wrapping */
	for (uint32_t round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < 4; i++)
			CHECK_EQ(capos_netq_push(&q, desc(round * 100 + i, 0)), 0);
		CHECK(capos_netq_full(&q));
		CHECK_EQ(capos_netq_count(&q), 4);
		for (uint32_t i = 0; i < 4; i++) {
			CHECK_EQ(capos_netq_pop(&q, &d), 0);
			CHECK_EQ(d.offset, round * 100 + i);
		}
		CHECK(capos_netq_empty(&q));
	}
	CHECK(q.tail < 16);                   /* it did wrap */
}

static void test_corrupt_index(void)
{
	struct capos_netq q;
	struct capos_netq_desc d = {77, 77};

	capos_netq_init(&q, store, 4);
	capos_netq_push(&q, desc(1, 1));
	q.tail = q.head + 100;                /* a producer scribbled */
	CHECK_EQ(capos_netq_pop(&q, &d), -CAPOS_EAGAIN);
	CHECK_EQ(d.offset, 77);               /* nothing handed out */
	CHECK(capos_netq_empty(&q));
	CHECK(capos_netq_full(&q));
	CHECK_EQ(capos_netq_count(&q), 0);
	capos_netq_init(&q, store, 4);
	q.head = q.tail - 7;                  /* a consumer scribbled: head "ahead" by wrap */
	CHECK_EQ(capos_netq_push(&q, desc(1, 1)), -CAPOS_EAGAIN);
}

static void test_desc_valid(void)
{
	const uint32_t region = 8 * 2048, slot = 2048;

	CHECK(capos_netq_desc_valid(desc(0, 0), region, slot));
	CHECK(capos_netq_desc_valid(desc(0, 2048), region, slot));
	CHECK(capos_netq_desc_valid(desc(7 * 2048, 1514), region, slot));
	CHECK(!capos_netq_desc_valid(desc(0, 2049), region, slot));          /* past the slot */
	CHECK(!capos_netq_desc_valid(desc(8 * 2048, 0), region, slot));      /* past the region */
	CHECK(!capos_netq_desc_valid(desc(100, 10), region, slot));          /* not on a slot */
	CHECK(!capos_netq_desc_valid(desc(UINT32_MAX - 2047, 1), region, slot));
	CHECK(!capos_netq_desc_valid(desc(0, UINT32_MAX), region, slot));
	CHECK(!capos_netq_desc_valid(desc(0, 0), region, 0));
	/* a region that is not a whole number of slots: the last partial slot is not one */
	CHECK(capos_netq_desc_valid(desc(2048, 10), 2048 + 2047 + 2048, slot));
	CHECK(!capos_netq_desc_valid(desc(4096, 10), 4096 + 2047, slot));
}

#define SPSC_COUNT 200000u
static struct capos_netq spsc;
static struct capos_netq_desc spsc_store[8];

static void *producer(void *arg)
{
	(void)arg;
	for (uint32_t i = 0; i < SPSC_COUNT;)
		if (capos_netq_push(&spsc, desc(i, ~i)) == 0)
			i++;
		else
			sched_yield();      /* two cores shared: let the consumer run */
	return NULL;
}

static void test_two_threads(void)
{
	pthread_t t;
	uint32_t bad = 0;
	struct capos_netq_desc d;

	capos_netq_init(&spsc, spsc_store, 8);
	pthread_create(&t, NULL, producer, NULL);
	for (uint32_t i = 0; i < SPSC_COUNT;)
		if (capos_netq_pop(&spsc, &d) == 0) {
			bad += d.offset != i || d.len != ~i;
			i++;
		} else {
			sched_yield();
		}
	pthread_join(t, NULL);
	CHECK_EQ(bad, 0);
	CHECK(capos_netq_empty(&spsc));
}

int main(void)
{
	RUN(test_init);
	RUN(test_fill_and_drain);
	RUN(test_wrap);
	RUN(test_corrupt_index);
	RUN(test_desc_valid);
	RUN(test_two_threads);
	return check_done();
}
