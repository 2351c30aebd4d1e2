/* Host tests of the I/O permission bitmap (exo/dev/portmap.c). */
#include "check.h"
#include "dev/portmap.h"

static uint8_t bits[PORTMAP_BYTES];

static int all_closed_from(uint32_t byte)
{
	for (uint32_t i = byte; i < PORTMAP_BYTES; i++)
		if (bits[i] != 0xff)
			return 0;
	return 1;
}

static void test_init_closes_everything(void)
{
	bits[5] = 0;
	portmap_init(bits);
	CHECK(all_closed_from(0));
	CHECK(!portmap_is_open(bits, 0));
	CHECK(!portmap_is_open(bits, 0xffff));
}

static void test_open_exactly_the_range(void)
{
	uint32_t used;

	portmap_init(bits);
	used = portmap_open(bits, 0, 0x2f8, 8);
	CHECK_EQ(used, 0x2ff / 8 + 1);
	for (uint32_t p = 0x2f0; p < 0x308; p++)
		CHECK_EQ(portmap_is_open(bits, p), p >= 0x2f8 && p < 0x300);
	CHECK(all_closed_from(used));
}

static void test_unaligned_range_shares_bytes(void)
{
	uint32_t used;

	portmap_init(bits);
	used = portmap_open(bits, 0, 0x3e8 + 3, 2);  /* within one byte, bits 3 and 4 */
	CHECK_EQ(bits[0x3e8 / 8], 0xff & ~0x18);
	used = portmap_open(bits, used, 0x3e8 + 6, 4);  /* crosses into the next byte */
	CHECK_EQ(bits[0x3e8 / 8], 0xff & ~0xd8);
	CHECK_EQ(bits[0x3e8 / 8 + 1], 0xfc);
	CHECK_EQ(used, 0x3e8 / 8 + 2);
	used = portmap_close(bits, used, 0x3e8 + 6, 4);
	CHECK_EQ(used, 0x3e8 / 8 + 1);
	CHECK_EQ(bits[0x3e8 / 8], 0xff & ~0x18);
	used = portmap_close(bits, used, 0x3e8 + 3, 2);
	CHECK_EQ(used, 0);
	CHECK(all_closed_from(0));
}

static void test_prefix_shrinks_past_closed_bytes_only(void)
{
	uint32_t used;

	portmap_init(bits);
	used = portmap_open(bits, 0, 0x60, 1);
	used = portmap_open(bits, used, 0xc000, 0x20);
	CHECK_EQ(used, 0xc01f / 8 + 1);
	used = portmap_close(bits, used, 0xc000, 0x20);
	CHECK_EQ(used, 0x60 / 8 + 1);  /* back to the lower range's end */
	CHECK(portmap_is_open(bits, 0x60));
	used = portmap_close(bits, used, 0x60, 1);
	CHECK_EQ(used, 0);
}

static void test_prefix_grows_only(void)
{
	uint32_t used;

	portmap_init(bits);
	used = portmap_open(bits, 0, 0x1000, 8);
	CHECK_EQ(portmap_open(bits, used, 0x10, 8), used);  /* a lower range keeps the prefix */
}

static void test_last_port(void)
{
	uint32_t used;

	portmap_init(bits);
	used = portmap_open(bits, 0, 0xfff8, 8);
	CHECK_EQ(used, PORTMAP_BYTES);
	CHECK(portmap_is_open(bits, 0xffff));
	CHECK_EQ(portmap_close(bits, used, 0xfff8, 8), 0);
}

static void test_range_ok(void)
{
	CHECK(portmap_range_ok(0, 1));
	CHECK(portmap_range_ok(0xffff, 1));
	CHECK(portmap_range_ok(0, 0x10000));
	CHECK(!portmap_range_ok(0, 0));
	CHECK(!portmap_range_ok(0xffff, 2));
	CHECK(!portmap_range_ok(0x10000, 1));
	CHECK(!portmap_range_ok(0x2f8, 0xffffffffu));  /* no wrap-around */
	CHECK(!portmap_is_open(bits, 0x10000));
}

int main(void)
{
	RUN(test_init_closes_everything);
	RUN(test_open_exactly_the_range);
	RUN(test_unaligned_range_shares_bytes);
	RUN(test_prefix_shrinks_past_closed_bytes_only);
	RUN(test_prefix_grows_only);
	RUN(test_last_port);
	RUN(test_range_ok);
	return check_done();
}
