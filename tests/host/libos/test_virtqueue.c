/*
 * Host tests of the split virtqueue (libos/dev/virtqueue.c), with this
 * test playing the device: the legacy layout's offsets and alignment;
 * chains posted, published and returned in and out of order; the free
 * list neither leaks nor hands a descriptor out twice over many rounds;
 * notification suppression is honoured; and hostile used entries — an id
 * out of range, an id never posted, one given back twice, a length past
 * the buffer, an index that jumps past the ring — are counted and never
 * acted on.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include <capos/error.h>
#include <capos/virtio.h>

static uint8_t mem[3 * 4096] __attribute__((aligned(4096)));
static struct capos_virtq q;

#define DEV 0x10000000ull

static struct capos_virtq_seg rx_seg(uint64_t addr, uint32_t len)
{
	return (struct capos_virtq_seg){ .addr = addr, .len = len, .device_writes = 1 };
}

/* The device side: what the driver made available, and giving chains back. */
static uint16_t dev_seen;

static int dev_take(uint16_t *head)
{
	if (dev_seen == q.avail[1])
		return 0;
	*head = q.avail[2 + (dev_seen++ & (q.size - 1))];
	return 1;
}

static void dev_give(uint32_t id, uint32_t len)
{
	volatile struct capos_vring_used_elem *ring = (volatile void *)(q.used + 2);
	uint16_t idx = q.used[1];

	ring[idx & (q.size - 1)].id = id;
	ring[idx & (q.size - 1)].len = len;
	q.used[1] = (uint16_t)(idx + 1);
}

static void setup(uint32_t size)
{
	memset(mem, 0, sizeof(mem));
	dev_seen = 0;
	CHECK_EQ(capos_virtq_init(&q, 0, size, mem, DEV), 0);
}

static void test_layout(void)
{
	struct capos_virtq_layout l;

	CHECK_EQ(capos_virtq_layout(0, &l), -CAPOS_EINVAL);
	CHECK_EQ(capos_virtq_layout(3, &l), -CAPOS_EINVAL);
	CHECK_EQ(capos_virtq_layout(512, &l), -CAPOS_EINVAL);
	CHECK_EQ(capos_virtq_layout(256, &l), 0);
	CHECK_EQ(l.avail_off, 4096);
	CHECK_EQ(l.used_off, 8192);           /* 4096 + 6 + 512 rounded up to a page */
	CHECK(l.bytes >= 8192 + 6 + 8 * 256 && l.bytes <= 3 * 4096);
	CHECK_EQ(capos_virtq_layout(8, &l), 0);
	CHECK_EQ(l.avail_off, 128);
	CHECK_EQ(l.used_off, 4096);
	CHECK_EQ(capos_virtq_init(&q, 0, 8, mem, DEV + 64), -CAPOS_EINVAL);   /* not page aligned */
	setup(256);
	CHECK_EQ(q.avail_addr, DEV + 4096);
	CHECK_EQ(q.used_addr, DEV + 8192);
}

static void test_chains(void)
{
	struct capos_virtq_seg two[2] = {
		{ .addr = 0x1000, .len = 12, .device_writes = 0 },
		{ .addr = 0x2000, .len = 1514, .device_writes = 0 },
	};
	struct capos_virtq_seg bad[2] = { rx_seg(0x1000, 12), { .addr = 0x2000, .len = 10 } };
	struct capos_virtq_done d;
	uint16_t head;

	setup(8);
	CHECK_EQ(capos_virtq_add(&q, two, 0, 1), -CAPOS_EINVAL);
	CHECK_EQ(capos_virtq_add(&q, bad, 2, 1), -CAPOS_EINVAL);     /* writable before readable */
	CHECK_EQ(capos_virtq_add(&q, two, 2, 42), 0);
	CHECK_EQ(capos_virtq_outstanding(&q), 1);
	CHECK(!dev_take(&head));                                     /* not published yet */
	CHECK_EQ(capos_virtq_publish(&q), 1);
	CHECK_EQ(capos_virtq_publish(&q), 0);                        /* nothing new */
	CHECK(dev_take(&head));
	CHECK_EQ(q.desc[head].flags, CAPOS_VRING_DESC_F_NEXT);
	CHECK_EQ(q.desc[head].len, 12);
	CHECK_EQ(q.desc[q.desc[head].next].addr, 0x2000);
	CHECK_EQ(q.desc[q.desc[head].next].flags, 0);
	CHECK_EQ(capos_virtq_get(&q, &d), 0);
	dev_give(head, 0);
	CHECK_EQ(capos_virtq_get(&q, &d), 1);
	CHECK_EQ(d.cookie, 42);
	CHECK_EQ(d.err, 0);
	CHECK_EQ(capos_virtq_outstanding(&q), 0);
}

/* Many rounds out of order: every descriptor comes back exactly once. */
static void test_rounds(void)
{
	struct capos_virtq_done d;
	uint16_t heads[8];
	uint32_t got = 0, bad = 0;

	setup(8);
	for (uint32_t round = 0; round < 5000; round++) {
		uint32_t n = 0;

		while (capos_virtq_add(&q, (struct capos_virtq_seg[]){ rx_seg(0x1000 * round, 100) }, 1,
				       round * 8 + n) == 0)
			n++;
		CHECK_EQ(n, 8);
		capos_virtq_publish(&q);
		for (uint32_t i = 0; i < n; i++)
			dev_take(&heads[i]);
		for (uint32_t i = n; i-- > 0;)                       /* last first */
			dev_give(heads[i], i * 10);
		for (uint32_t i = 0; i < n; i++) {
			if (capos_virtq_get(&q, &d) != 1 || d.err || d.cookie / 8 != round)
				bad++;
			got++;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(got, 5000 * 8);
	CHECK_EQ(q.num_free, 8);
	CHECK_EQ(q.errors.bad_id + q.errors.bad_len + q.errors.bad_index, 0);
}

static void test_notify_and_suppress(void)
{
	setup(8);
	capos_virtq_add(&q, (struct capos_virtq_seg[]){ rx_seg(0x1000, 100) }, 1, 0);
	q.used[0] = CAPOS_VRING_USED_F_NO_NOTIFY;
	CHECK_EQ(capos_virtq_publish(&q), 0);
	capos_virtq_suppress(&q, 1);
	CHECK_EQ(q.avail[0], CAPOS_VRING_AVAIL_F_NO_INTERRUPT);
	capos_virtq_suppress(&q, 0);
	CHECK_EQ(q.avail[0], 0);
}

static void test_hostile_ids(void)
{
	struct capos_virtq_done d;
	uint16_t head;

	setup(8);
	capos_virtq_add(&q, (struct capos_virtq_seg[]){ rx_seg(0x1000, 100) }, 1, 7);
	capos_virtq_publish(&q);
	dev_take(&head);
	dev_give(8, 10);                      /* out of range */
	dev_give(0xffffffffu, 10);
	dev_give((head + 1) & 7, 10);         /* never posted */
	CHECK_EQ(capos_virtq_get(&q, &d), 0); /* all three skipped */
	CHECK_EQ(q.errors.bad_id, 3);
	dev_give(head, 100);
	dev_give(head, 100);                  /* the same chain twice */
	CHECK_EQ(capos_virtq_get(&q, &d), 1);
	CHECK_EQ(d.cookie, 7);
	CHECK_EQ(d.len, 100);
	CHECK_EQ(capos_virtq_get(&q, &d), 0);
	CHECK_EQ(q.errors.bad_id, 4);
	CHECK_EQ(q.num_free, 8);              /* freed once, not twice */
	CHECK(!q.dead);
}

static void test_hostile_len(void)
{
	struct capos_virtq_done d;
	struct capos_virtq_seg tx = { .addr = 0x1000, .len = 60, .device_writes = 0 };
	uint16_t head;

	setup(8);
	capos_virtq_add(&q, (struct capos_virtq_seg[]){ rx_seg(0x1000, 100) }, 1, 1);
	capos_virtq_add(&q, &tx, 1, 2);
	capos_virtq_publish(&q);
	dev_take(&head);
	dev_give(head, 101);                  /* one past the buffer */
	CHECK_EQ(capos_virtq_get(&q, &d), 1);
	CHECK_EQ(d.cookie, 1);
	CHECK_EQ(d.err, -CAPOS_ERANGE);
	CHECK_EQ(d.len, 0);
	dev_take(&head);
	dev_give(head, 1);                    /* the device "wrote" into a read-only buffer */
	CHECK_EQ(capos_virtq_get(&q, &d), 1);
	CHECK_EQ(d.err, -CAPOS_ERANGE);
	CHECK_EQ(q.errors.bad_len, 2);
	CHECK_EQ(q.num_free, 8);              /* both buffers came back */
}

static void test_hostile_index(void)
{
	struct capos_virtq_done d;

	setup(8);
	capos_virtq_add(&q, (struct capos_virtq_seg[]){ rx_seg(0x1000, 100) }, 1, 1);
	capos_virtq_publish(&q);
	q.used[1] = 9;                        /* nine used entries in a ring of eight */
	CHECK_EQ(capos_virtq_get(&q, &d), -CAPOS_EIO);
	CHECK(q.dead);
	CHECK_EQ(q.errors.bad_index, 1);
	q.used[1] = 0;                        /* too late to take it back */
	CHECK_EQ(capos_virtq_get(&q, &d), -CAPOS_EIO);
	CHECK_EQ(capos_virtq_add(&q, (struct capos_virtq_seg[]){ rx_seg(0x1000, 100) }, 1, 1), -CAPOS_EIO);
	CHECK_EQ(capos_virtq_publish(&q), 0);
	/* an index going backwards is a jump of nearly 2^16 */
	setup(8);
	q.used[1] = 0xffff;
	CHECK_EQ(capos_virtq_get(&q, &d), -CAPOS_EIO);
	/* exactly the ring's size is possible (every entry used) */
	setup(8);
	for (uint32_t i = 0; i < 8; i++)
		capos_virtq_add(&q, (struct capos_virtq_seg[]){ rx_seg(0x1000, 100) }, 1, i);
	capos_virtq_publish(&q);
	for (uint16_t i = 0, h; i < 8; i++) {
		dev_take(&h);
		dev_give(h, 0);
	}
	for (uint32_t i = 0; i < 8; i++)
		CHECK_EQ(capos_virtq_get(&q, &d), 1);
	CHECK(!q.dead);
}

/* The used index wraps at 2^16 without a false alarm. */
static void test_index_wrap(void)
{
	struct capos_virtq_done d;
	uint16_t h;

	setup(4);
	for (uint32_t i = 0; i < 70000; i++) {
		capos_virtq_add(&q, (struct capos_virtq_seg[]){ rx_seg(0x1000, 100) }, 1, i);
		capos_virtq_publish(&q);
		dev_take(&h);
		dev_give(h, 50);
		if (capos_virtq_get(&q, &d) != 1 || d.cookie != i)
			break;
	}
	CHECK(!q.dead);
	CHECK_EQ(q.last_used, (uint16_t)70000);
}

int main(void)
{
	RUN(test_layout);
	RUN(test_chains);
	RUN(test_rounds);
	RUN(test_notify_and_suppress);
	RUN(test_hostile_ids);
	RUN(test_hostile_len);
	RUN(test_hostile_index);
	RUN(test_index_wrap);
	return check_done();
}
