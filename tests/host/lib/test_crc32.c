/* Host tests for exo/lib/crc32.c: known answers and incremental use. */
#include "check.h"
#include "lib/crc32.h"

static void test_known_answers(void)
{
	CHECK_EQ(crc32_update(0, "", 0), 0);
	CHECK_EQ(crc32_update(0, "123456789", 9), 0xcbf43926u);
	CHECK_EQ(crc32_update(0, "The quick brown fox jumps over the lazy dog", 43), 0x414fa339u);
}

static void test_incremental(void)
{
	uint32_t c = crc32_update(0, "12345", 5);

	CHECK_EQ(crc32_update(c, "6789", 4), 0xcbf43926u);
}

int main(void)
{
	RUN(test_known_answers);
	RUN(test_incremental);
	return check_done();
}
