/* Host tests for ring index arithmetic (exo/cap/ringidx.c, capos/ring.h). */
#include "check.h"
#include <capos/error.h>
#include <capos/ring.h>
#include "cap/ringidx.h"

static void test_init_sizes(void)
{
	struct ring_idx r;

	CHECK_EQ(ring_idx_init(&r, 0, 8), -CAPOS_EINVAL);
	CHECK_EQ(ring_idx_init(&r, 6, 8), -CAPOS_EINVAL);
	CHECK_EQ(ring_idx_init(&r, 8, CAPOS_RING_MAX_ENTRIES * 2), -CAPOS_EINVAL);
	CHECK_EQ(ring_idx_init(&r, 1, 1), 0);
	CHECK_EQ(ring_idx_init(&r, 16, 32), 0);
}

static void test_pending_and_corruption(void)
{
	struct ring_idx r;

	ring_idx_init(&r, 8, 8);
	CHECK_EQ(ring_idx_sq_pending(&r, 0), 0);
	CHECK_EQ(ring_idx_sq_pending(&r, 8), 8);
	CHECK_EQ(ring_idx_sq_pending(&r, 9), -CAPOS_EINVAL);          /* more than the queue holds */
	CHECK_EQ(ring_idx_sq_pending(&r, 0xffffffffu), -CAPOS_EINVAL); /* behind the head */
}

static void test_cq_space_reservation(void)
{
	struct ring_idx r;

	ring_idx_init(&r, 8, 4);
	CHECK_EQ(ring_idx_cq_space(&r, 0), 4);
	ring_idx_consume(&r);
	ring_idx_consume(&r);
	CHECK_EQ(ring_idx_cq_space(&r, 0), 2);         /* two reserved */
	ring_idx_post(&r);
	CHECK_EQ(ring_idx_cq_space(&r, 0), 2);         /* one posted, unreaped, one reserved */
	CHECK_EQ(ring_idx_cq_space(&r, 1), 3);         /* reaped */
	CHECK_EQ(ring_idx_cq_space(&r, 2), -CAPOS_EINVAL); /* head past tail */
	ring_idx_consume(&r);
	ring_idx_consume(&r);
	ring_idx_consume(&r);
	CHECK_EQ(ring_idx_cq_space(&r, 1), 0);         /* full: stop consuming */
}

static void test_wraparound(void)
{
	struct ring_idx r;
	uint32_t user_cq_head;

	ring_idx_init(&r, 4, 4);
	r.sq_head = r.cq_tail = 0xfffffffeu;
	user_cq_head = 0xfffffffeu;
	CHECK_EQ(ring_idx_sq_pending(&r, 2), 4);      /* tail wrapped past zero */
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(ring_idx_consume(&r), (uint32_t)(0xfffffffeu + i) & 3);
		CHECK_EQ(ring_idx_post(&r), (uint32_t)(0xfffffffeu + i) & 3);
	}
	CHECK_EQ(r.sq_head, 2);
	CHECK_EQ(ring_idx_cq_space(&r, user_cq_head), 0);
	CHECK_EQ(ring_idx_cq_space(&r, 2), 4);
	CHECK_EQ(capos_ring_slot(5, 4), 1);
	CHECK_EQ(capos_ring_used(0xffffffffu, 1), 2);
}

int main(void)
{
	RUN(test_init_sizes);
	RUN(test_pending_and_corruption);
	RUN(test_cq_space_reservation);
	RUN(test_wraparound);
	return check_done();
}
