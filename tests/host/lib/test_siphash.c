/* Host tests for exo/lib/siphash.c: the reference vectors (key 00..0f, message 00..n-1). */
#include "check.h"
#include "lib/siphash.h"

static const struct siphash_key ref_key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

static uint64_t hash_prefix(size_t n)
{
	uint8_t msg[64];

	for (size_t i = 0; i < n; i++)
		msg[i] = (uint8_t)i;
	return siphash24(&ref_key, msg, n);
}

static void test_reference_vectors(void)
{
	CHECK_EQ(hash_prefix(0), 0x726fdb47dd0e0e31ull);
	CHECK_EQ(hash_prefix(8), 0x93f5f5799a932462ull);
	CHECK_EQ(hash_prefix(15), 0xa129ca6149be45e5ull);
}

static void test_u64_matches_bytes(void)
{
	CHECK_EQ(siphash24_u64(&ref_key, 0x0706050403020100ull), hash_prefix(8));
}

static void test_key_separates(void)
{
	struct siphash_key other = { 1, 2 };

	CHECK(siphash24_u64(&ref_key, 42) != siphash24_u64(&other, 42));
	CHECK(siphash24_u64(&ref_key, 42) != siphash24_u64(&ref_key, 43));
}

int main(void)
{
	RUN(test_reference_vectors);
	RUN(test_u64_matches_bytes);
	RUN(test_key_separates);
	return check_done();
}
