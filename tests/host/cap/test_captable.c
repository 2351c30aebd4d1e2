/* Host tests for the capability table (exo/cap/captable.c). */
#include <stdlib.h>
#include "check.h"
#include <capos/cap.h>
#include <capos/error.h>
#include "cap/captable.h"

static struct cap_slot slots[8];
static int objs[8];

static struct cap_table fresh(uint32_t capacity)
{
	struct cap_table t;

	CHECK_EQ(cap_table_init(&t, slots, capacity), 0);
	return t;
}

static void test_init_limits(void)
{
	struct cap_table t;

	CHECK_EQ(cap_table_init(&t, slots, 1), -CAPOS_EINVAL);
	CHECK_EQ(cap_table_init(&t, NULL, 4), -CAPOS_EINVAL);
	CHECK_EQ(cap_table_init(&t, slots, CAPOS_CAP_MAX_SLOTS + 1), -CAPOS_EINVAL);
	t = fresh(8);
	CHECK_EQ(cap_table_free(&t), 7);
}

static void test_insert_lookup(void)
{
	struct cap_table t = fresh(8);
	struct cap_slot *s;
	int64_t h = cap_insert(&t, &objs[0], 3, 0x42, CAPOS_RIGHT_TRANSFER);

	CHECK(h > 0);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h, 3, &s), 0);
	CHECK(s->object == &objs[0]);
	CHECK_EQ(s->iface, 0x42);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h, 0, &s), 0);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h, 4, &s), -CAPOS_ETYPE);
}

static void test_invalid_handles(void)
{
	struct cap_table t = fresh(8);
	struct cap_slot *s;
	int64_t h = cap_insert(&t, &objs[0], 1, 0, 0);

	CHECK_EQ(cap_lookup(&t, 0, 0, &s), -CAPOS_EBADF);
	CHECK_EQ(cap_lookup(&t, capos_cap_make(7, 1), 0, &s), -CAPOS_EBADF);   /* free slot */
	CHECK_EQ(cap_lookup(&t, capos_cap_make(8, 1), 0, &s), -CAPOS_EBADF);   /* past capacity */
	CHECK_EQ(cap_lookup(&t, 0xffffffffu, 0, &s), -CAPOS_EBADF);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h + (1u << 16), 0, &s), -CAPOS_EBADF); /* wrong gen */
}

static void test_stale_after_release(void)
{
	struct cap_table t = fresh(4);
	struct cap_slot *s;
	void *obj;
	int64_t h1 = cap_insert(&t, &objs[1], 1, 0, 0);
	int64_t h2;

	CHECK_EQ(cap_remove(&t, (uint32_t)h1, &obj), 0);
	CHECK(obj == &objs[1]);
	CHECK_EQ(cap_remove(&t, (uint32_t)h1, &obj), -CAPOS_EBADF);
	h2 = cap_insert(&t, &objs[2], 1, 0, 0);
	CHECK_EQ(capos_cap_index((uint32_t)h2), capos_cap_index((uint32_t)h1)); /* slot reused */
	CHECK(h2 != h1);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h1, 0, &s), -CAPOS_EBADF);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h2, 0, &s), 0);
}

static void test_quota(void)
{
	struct cap_table t = fresh(4);

	CHECK(cap_insert(&t, &objs[0], 1, 0, 0) > 0);
	CHECK(cap_insert(&t, &objs[1], 1, 0, 0) > 0);
	CHECK(cap_insert(&t, &objs[2], 1, 0, 0) > 0);
	CHECK_EQ(cap_insert(&t, &objs[3], 1, 0, 0), -CAPOS_EQUOTA);
	CHECK_EQ(cap_table_free(&t), 0);
}

static void test_move_reserve_commit_abort(void)
{
	struct cap_table t = fresh(8);
	struct cap_slot *s;
	void *obj = NULL;
	int64_t h = cap_insert(&t, &objs[4], 2, 0, CAPOS_RIGHT_TRANSFER);

	CHECK_EQ(cap_commit_move(&t, (uint32_t)h, &obj), -CAPOS_EINVAL); /* not reserved */
	CHECK_EQ(cap_reserve(&t, (uint32_t)h), 0);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h, 0, &s), -CAPOS_EBUSY);
	CHECK_EQ(cap_reserve(&t, (uint32_t)h), -CAPOS_EBUSY);
	CHECK_EQ(cap_remove(&t, (uint32_t)h, &obj), -CAPOS_EBUSY);
	CHECK_EQ(cap_abort_move(&t, (uint32_t)h), 0);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h, 0, &s), 0);
	CHECK_EQ(cap_reserve(&t, (uint32_t)h), 0);
	CHECK_EQ(cap_commit_move(&t, (uint32_t)h, &obj), 0);
	CHECK(obj == &objs[4]);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h, 0, &s), -CAPOS_EBADF);
	CHECK_EQ(cap_abort_move(&t, (uint32_t)h), -CAPOS_EBADF);
}

/*
 * One slot reused past the old 16-bit wrap point: every handle it gives is
 * new (generations only grow, never 0), no earlier handle resolves again,
 * and the slot retires at CAP_GEN_LAST instead of wrapping; the next insert
 * takes another slot.
 */
static void test_slot_retires_never_wraps(void)
{
	static uint8_t seen[1u << 16];
	struct cap_table t = fresh(3);
	struct cap_slot *s;
	uint32_t first = 0, prev = 0;
	int64_t h;

	for (uint32_t i = 0; i < CAP_GEN_LAST; i++) {
		h = cap_insert(&t, &objs[i % 8], 1, 0, 0);
		CHECK(h > 0);
		CHECK_EQ(capos_cap_index((uint32_t)h), 1);
		CHECK(capos_cap_gen((uint32_t)h) != 0);
		CHECK(!seen[capos_cap_gen((uint32_t)h)]);
		seen[capos_cap_gen((uint32_t)h)] = 1;
		if (prev)
			CHECK(capos_cap_gen((uint32_t)h) > capos_cap_gen(prev));
		if (!first)
			first = (uint32_t)h;
		else
			CHECK_EQ(cap_lookup(&t, first, 0, &s), -CAPOS_EBADF);  /* the first handle stays stale */
		if (prev)
			CHECK_EQ(cap_lookup(&t, prev, 0, &s), -CAPOS_EBADF);
		prev = (uint32_t)h;
		CHECK_EQ(cap_remove(&t, (uint32_t)h, NULL), 0);
	}
	/* Slot 1 gave its 65535 generations and is retired: stale handles stay refused. */
	CHECK_EQ(capos_cap_gen(prev), CAP_GEN_LAST);
	CHECK_EQ(cap_table_free(&t), 1);
	CHECK_EQ(t.slots[1].state, CAP_SLOT_RETIRED);
	for (uint32_t gen = 0; gen <= 0xffff; gen++) {
		CHECK_EQ(cap_lookup(&t, capos_cap_make(1, gen), 0, &s), -CAPOS_EBADF);
		CHECK_EQ(cap_remove(&t, capos_cap_make(1, gen), NULL), -CAPOS_EBADF);
		CHECK_EQ(cap_reserve(&t, capos_cap_make(1, gen)), -CAPOS_EBADF);
	}
	h = cap_insert(&t, &objs[0], 1, 0, 0);
	CHECK_EQ(capos_cap_index((uint32_t)h), 2);
	CHECK_EQ(capos_cap_gen((uint32_t)h), 1);
	CHECK_EQ(cap_insert(&t, &objs[1], 1, 0, 0), -CAPOS_EQUOTA);
}

/* A move committed at the last generation retires the slot too; an aborted one does not free it. */
static void test_move_at_last_generation(void)
{
	struct cap_table t = fresh(2);
	struct cap_slot *s;
	void *obj = NULL;
	int64_t h = 0;

	for (uint32_t i = 0; i + 1 < CAP_GEN_LAST; i++) {
		h = cap_insert(&t, &objs[0], 1, 0, 0);
		CHECK_EQ(cap_remove(&t, (uint32_t)h, NULL), 0);
	}
	h = cap_insert(&t, &objs[3], 1, 0, 0);
	CHECK_EQ(capos_cap_gen((uint32_t)h), CAP_GEN_LAST);
	CHECK_EQ(cap_reserve(&t, (uint32_t)h), 0);
	CHECK_EQ(cap_abort_move(&t, (uint32_t)h), 0);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h, 0, &s), 0);
	CHECK_EQ(cap_reserve(&t, (uint32_t)h), 0);
	CHECK_EQ(cap_commit_move(&t, (uint32_t)h, &obj), 0);
	CHECK(obj == &objs[3]);
	CHECK_EQ(cap_lookup(&t, (uint32_t)h, 0, &s), -CAPOS_EBADF);
	CHECK_EQ(cap_lookup(&t, capos_cap_make(1, 1), 0, &s), -CAPOS_EBADF);
	CHECK_EQ(cap_table_free(&t), 0);
	CHECK_EQ(t.live, 0);
	CHECK_EQ(cap_insert(&t, &objs[0], 1, 0, 0), -CAPOS_EQUOTA);
}

/* Random insert/remove against a model: every live handle resolves, every dead one is refused. */
static void test_random_against_model(void)
{
	static struct cap_slot big[64];
	struct cap_table t;
	uint32_t handles[64] = { 0 };
	int live[64] = { 0 };
	struct cap_slot *s;

	CHECK_EQ(cap_table_init(&t, big, 64), 0);
	srand(7);
	for (int step = 0; step < 20000; step++) {
		int k = rand() % 64;
		if (live[k]) {
			CHECK_EQ(cap_remove(&t, handles[k], NULL), 0);
			live[k] = 0;
		} else {
			int64_t h = cap_insert(&t, &objs[k % 8], 1, (uint32_t)k, 0);
			if (h < 0) {
				CHECK_EQ(h, -CAPOS_EQUOTA);
				continue;
			}
			handles[k] = (uint32_t)h;
			live[k] = 1;
		}
		for (int j = 0; j < 64; j++)
			if (handles[j])
				CHECK_EQ(cap_lookup(&t, handles[j], 0, &s) == 0, live[j]);
	}
}

int main(void)
{
	RUN(test_init_limits);
	RUN(test_insert_lookup);
	RUN(test_invalid_handles);
	RUN(test_stale_after_release);
	RUN(test_quota);
	RUN(test_move_reserve_commit_abort);
	RUN(test_slot_retires_never_wraps);
	RUN(test_move_at_last_generation);
	RUN(test_random_against_model);
	return check_done();
}
