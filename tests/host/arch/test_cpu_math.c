/*
 * Host tests for mul_div_u64 (exo/arch/x86_64/cpu.h), the 128-bit
 * multiply-divide the timer calibration uses instead of libgcc: exact
 * results where the product overflows 64 bits, and saturation when the
 * quotient would not fit or the divisor is zero.
 */
#include <stdint.h>
#include "check.h"
#include "arch/x86_64/cpu.h"

static void test_small(void)
{
	CHECK_EQ(mul_div_u64(10, 20, 5), 40);
	CHECK_EQ(mul_div_u64(0, 123, 7), 0);
	CHECK_EQ(mul_div_u64(7, 1, 2), 3);  /* truncates */
}

static void test_wide_product(void)
{
	/* 1.3e13 TSC ticks times the PM timer rate (4.7e19) overflows 64 bits; the quotient fits. */
	uint64_t tsc_delta = 13000000000000ull, pm_hz = 3579545, elapsed = 178977;

	CHECK((unsigned __int128)tsc_delta * pm_hz > UINT64_MAX);

	CHECK(mul_div_u64(tsc_delta, pm_hz, elapsed) ==
	      (uint64_t)((unsigned __int128)tsc_delta * pm_hz / elapsed));
	CHECK(mul_div_u64(UINT64_MAX, UINT64_MAX, UINT64_MAX) == UINT64_MAX);
	CHECK(mul_div_u64(1ull << 63, 4, 8) == 1ull << 62);
}

static void test_saturation(void)
{
	CHECK(mul_div_u64(UINT64_MAX, 2, 1) == UINT64_MAX);
	CHECK(mul_div_u64(5, 5, 0) == UINT64_MAX);
}

int main(void)
{
	RUN(test_small);
	RUN(test_wide_product);
	RUN(test_saturation);
	return check_done();
}
