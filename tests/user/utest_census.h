/*
 * The census of a test process's own quotas: capability slots, threads,
 * frames and kernel memory (ProcessHandle.info on its own handle, bound
 * as "self=@self") and the
 * ring operations this thread can still have pending (probed: RECVs posted
 * on a fresh endpoint until one is refused, "endpoints").  A hostile case
 * that gives everything back leaves the census where it was.
 */
#ifndef TESTS_USER_UTEST_CENSUS_H
#define TESTS_USER_UTEST_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capos/rt.h>

struct census {
	uint32_t caps, threads, ring_ops;
	uint64_t frames, kmem;
};

/* ProcessHandle.info of this process, through "self": false when that fails. */
bool census_find_self(struct capos_process_handle_info_out *me);
/* Take the census, probing at most max_ring_ops ring operations. */
void census_take(struct census *c, uint32_t max_ring_ops);
/* A check named what: the census now equals *before. */
void census_same(const char *what, const struct census *before, uint32_t max_ring_ops);

struct census_case {
	const char *name;
	void (*run)(void);
};

/*
 * Run every case twice.  The first pass grows what stays grown (page
 * tables, the region array, the heap); in the second each case must leave
 * every quota where it found it ("after <name> every quota is back").
 */
void census_run_twice(const struct census_case *cases, size_t n);

#endif
