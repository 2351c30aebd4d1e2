/* Host tests of the interrupt vector set (exo/dev/vecalloc.c). */
#include "check.h"
#include "dev/vecalloc.h"

static void test_lowest_first_within_range(void)
{
	struct vecalloc va;

	vecalloc_init(&va, 0x30, 0xef);
	CHECK_EQ(vecalloc_free_count(&va), 192);
	CHECK_EQ(vecalloc_get(&va), 0x30);
	CHECK_EQ(vecalloc_get(&va), 0x31);
	CHECK(vecalloc_in_use(&va, 0x30));
	CHECK(!vecalloc_in_use(&va, 0x32));
	CHECK(vecalloc_put(&va, 0x30));
	CHECK_EQ(vecalloc_get(&va), 0x30);  /* a freed vector is reused first */
	CHECK_EQ(vecalloc_free_count(&va), 190);
}

static void test_exhaustion_and_return(void)
{
	struct vecalloc va;
	int last = -1;

	vecalloc_init(&va, 0x30, 0xef);
	for (int i = 0; i < 192; i++)
		last = vecalloc_get(&va);
	CHECK_EQ(last, 0xef);
	CHECK_EQ(vecalloc_get(&va), -1);
	CHECK_EQ(vecalloc_free_count(&va), 0);
	CHECK(vecalloc_put(&va, 0x80));
	CHECK_EQ(vecalloc_get(&va), 0x80);
	CHECK_EQ(vecalloc_get(&va), -1);
}

static void test_put_refuses_what_was_not_given(void)
{
	struct vecalloc va;

	vecalloc_init(&va, 0x30, 0xef);
	CHECK(!vecalloc_put(&va, 0x40));   /* never handed out */
	CHECK(!vecalloc_put(&va, 0x20));   /* outside the range */
	CHECK(!vecalloc_put(&va, 0xf0));
	CHECK_EQ(vecalloc_get(&va), 0x30);
	CHECK(vecalloc_put(&va, 0x30));
	CHECK(!vecalloc_put(&va, 0x30));   /* twice */
	CHECK_EQ(vecalloc_free_count(&va), 192);
}

static void test_range_up_to_255(void)
{
	struct vecalloc va;

	vecalloc_init(&va, 0xfe, 0xff);
	CHECK_EQ(vecalloc_get(&va), 0xfe);
	CHECK_EQ(vecalloc_get(&va), 0xff);
	CHECK_EQ(vecalloc_get(&va), -1);
}

int main(void)
{
	RUN(test_lowest_first_within_range);
	RUN(test_exhaustion_and_return);
	RUN(test_put_refuses_what_was_not_given);
	RUN(test_range_up_to_255);
	return check_done();
}
