/*
 * Host tests for the ParkSpace wait list (exo/cap/parkq.c): FIFO order per
 * address, addresses sharing a bucket kept apart, removal from any
 * position, idempotent removal, draining, and a randomised run checked
 * against a simple model.
 */
#include "check.h"
#include <stdlib.h>
#include "cap/parkq.h"

#define NODES 64

static void test_empty(void)
{
	struct parkq q;

	parkq_init(&q);
	CHECK_EQ(parkq_count(&q), 0);
	CHECK(parkq_take(&q, 0x1000) == NULL);
	CHECK(parkq_take_any(&q) == NULL);
}

static void test_fifo_per_address(void)
{
	struct parkq q;
	struct parkq_node n[4] = { 0 };

	parkq_init(&q);
	parkq_add(&q, &n[0], 0x1000);
	parkq_add(&q, &n[1], 0x2000);
	parkq_add(&q, &n[2], 0x1000);
	parkq_add(&q, &n[3], 0x1000);
	CHECK_EQ(parkq_count(&q), 4);
	CHECK(parkq_take(&q, 0x1000) == &n[0]);
	CHECK(parkq_take(&q, 0x1000) == &n[2]);
	CHECK(!parkq_queued(&n[0]) && !parkq_queued(&n[2]));
	CHECK(parkq_take(&q, 0x3000) == NULL);
	CHECK(parkq_take(&q, 0x2000) == &n[1]);
	CHECK(parkq_take(&q, 0x2000) == NULL);
	CHECK(parkq_take(&q, 0x1000) == &n[3]);
	CHECK_EQ(parkq_count(&q), 0);
}

/* Many addresses, so several share a bucket: each take finds only its own. */
static void test_colliding_addresses(void)
{
	struct parkq q;
	struct parkq_node n[NODES] = { 0 };

	parkq_init(&q);
	for (int i = 0; i < NODES; i++)
		parkq_add(&q, &n[i], 0x10000 + (uint64_t)(i % 40) * 4);
	for (int i = 0; i < NODES; i++) {
		struct parkq_node *got = parkq_take(&q, 0x10000 + (uint64_t)(i % 40) * 4);

		CHECK(got == &n[i]);
	}
	CHECK_EQ(parkq_count(&q), 0);
}

static void test_remove_positions(void)
{
	struct parkq q;
	struct parkq_node n[3] = { 0 };

	parkq_init(&q);
	for (int i = 0; i < 3; i++)
		parkq_add(&q, &n[i], 0x4000);
	CHECK(parkq_remove(&q, &n[1]));      /* middle */
	CHECK(!parkq_remove(&q, &n[1]));     /* twice: no change */
	CHECK_EQ(parkq_count(&q), 2);
	CHECK(parkq_remove(&q, &n[2]));      /* tail */
	parkq_add(&q, &n[1], 0x4000);        /* re-queue after the head */
	CHECK(parkq_remove(&q, &n[0]));      /* head */
	CHECK(parkq_take(&q, 0x4000) == &n[1]);
	CHECK_EQ(parkq_count(&q), 0);
}

static void test_take_any_drains(void)
{
	struct parkq q;
	struct parkq_node n[NODES] = { 0 };
	int seen = 0;

	parkq_init(&q);
	for (int i = 0; i < NODES; i++)
		parkq_add(&q, &n[i], (uint64_t)i * 0x1004);
	while (parkq_take_any(&q))
		seen++;
	CHECK_EQ(seen, NODES);
	CHECK_EQ(parkq_count(&q), 0);
	for (int i = 0; i < NODES; i++)
		CHECK(!parkq_queued(&n[i]));
}

/* Random adds, removes and takes against a model: per address, queued nodes in arrival order. */
static void test_random_against_model(void)
{
	struct parkq q;
	struct parkq_node n[NODES] = { 0 };
	uint64_t order[NODES] = { 0 };   /* arrival stamp of each queued node */
	uint64_t stamp = 1;

	srand(7);
	parkq_init(&q);
	for (int step = 0; step < 20000; step++) {
		int i = rand() % NODES;
		uint64_t addr = 0x8000 + (uint64_t)(rand() % 6) * 4;

		switch (rand() % 3) {
		case 0:
			if (!parkq_queued(&n[i])) {
				parkq_add(&q, &n[i], addr);
				order[i] = stamp++;
			}
			break;
		case 1:
			CHECK_EQ(parkq_remove(&q, &n[i]), order[i] != 0);
			order[i] = 0;
			break;
		default: {
			int want = -1;
			struct parkq_node *got;

			for (int j = 0; j < NODES; j++)
				if (order[j] && n[j].addr == addr && (want < 0 || order[j] < order[want]))
					want = j;
			got = parkq_take(&q, addr);
			CHECK(got == (want < 0 ? NULL : &n[want]));
			if (want >= 0)
				order[want] = 0;
		}
		}
	}
	for (int j = 0, queued = 0; j < NODES; j++) {
		queued += order[j] != 0;
		if (j == NODES - 1)
			CHECK_EQ(parkq_count(&q), queued);
	}
}

int main(void)
{
	RUN(test_empty);
	RUN(test_fifo_per_address);
	RUN(test_colliding_addresses);
	RUN(test_remove_positions);
	RUN(test_take_any_drains);
	RUN(test_random_against_model);
	return check_done();
}
