/*
 * A well-behaved worker: counts rounds, printing progress and sleeping
 * between them, then exits 0.  The hostile test runs it beside the
 * faulting children to show that other processes carry on; utest-caps
 * kills a long-running one.  Arguments: [rounds [sleep_ms]] (default 10
 * rounds of 20 ms).  Needs console, timer and thread.
 */
#include <capos/rt.h>

static uint64_t number(const char *s, uint64_t fallback)
{
	uint64_t v = 0;

	if (!s || !*s)
		return fallback;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return fallback;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

int main(int argc, char **argv)
{
	uint64_t rounds = number(argc > 1 ? argv[1] : NULL, 10);
	uint64_t sleep_ms = number(argc > 2 ? argv[2] : NULL, 20);
	uint64_t sum = 0;

	for (uint64_t i = 1; i <= rounds; i++) {
		int err = capos_sleep_ns(sleep_ms * 1000000ull);

		if (err) {
			capos_printf("utest-worker: sleep failed: %s\n", capos_strerror(err));
			return 1;
		}
		sum += i;
		capos_printf("utest-worker: round %llu/%llu\n", (unsigned long long)i, (unsigned long long)rounds);
	}
	capos_printf("utest-worker: done, sum %llu\n", (unsigned long long)sum);
	return sum == rounds * (rounds + 1) / 2 ? 0 : 1;
}
