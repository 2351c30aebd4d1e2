/*
 * kfuzz: the guest system-call fuzzer (docs/testing.md "kfuzz").  One
 * program in three roles, chosen by its first argument:
 *
 *   (none) or seed=S ...   the top: run as init; starts the bystander and
 *                          the fuzzing processes, waits for all of them,
 *                          reports (kfuzz_top.c);
 *   child SEED DEPTH END [MASK]  a fuzzing process: several threads issue random
 *                          ring operations until END (ms since boot), then
 *                          the process ends with its operation count as
 *                          exit code (kfuzz_ops.c, kfuzz_child.c);
 *   bystander SEED END     real work beside the fuzzers: echo round trips
 *                          over its own endpoint and allocations up to its
 *                          frame quota, every one checked (kfuzz_bystander.c).
 *
 * Every random choice comes from a splitmix64 stream: the top's seed,
 * mixed with the child's index for each process it starts, mixed again
 * with the thread's index for each thread.  The sequences are therefore
 * reproducible from the seed; the interleaving of threads and processes
 * is the scheduler's.  The seed is printed first and on every failure.
 */
#ifndef TESTS_USER_KFUZZ_H
#define TESTS_USER_KFUZZ_H

#include <stdint.h>
#include <capos/cap.h>
#include <capos/ipc.h>
#include <capos/rt.h>

/* --- the random stream --- */

struct kf_rng {
	uint64_t s;
};

static inline uint64_t kf_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t kf_next(struct kf_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return kf_mix(r->s);
}

/* A value in [0, n) (n > 0). */
static inline uint64_t kf_below(struct kf_rng *r, uint64_t n)
{
	return kf_next(r) % n;
}

/* True with probability 1/n. */
static inline int kf_one_in(struct kf_rng *r, uint64_t n)
{
	return kf_below(r, n) == 0;
}

/* The seed of stream `index` derived from `seed`. */
static inline uint64_t kf_derive(uint64_t seed, uint64_t index)
{
	return kf_mix(seed ^ kf_mix(index + 0x51ed270b2a1c37e9ull));
}

/* --- shared by the roles --- */

#define KF_USER_IFACE 0x1f00u   /* interface id of the bystander's echo endpoint */

/* Decimal parse; fallback on anything but digits. */
uint64_t kf_number(const char *s, uint64_t fallback);
/* ms since boot */
static inline uint64_t kf_now_ms(void)
{
	return capos_time_ns() / 1000000ull;
}

int kf_child_main(uint64_t seed, uint32_t depth, uint64_t end_ms, uint32_t mask);
int kf_bystander_main(uint64_t seed, uint64_t end_ms);

#endif
