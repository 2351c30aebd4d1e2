/*
 * The host implementation of exo/proc/uvm_env.h (fake_env.c): frames are
 * aligned malloc'd pages whose "physical address" is their host address,
 * the kernel PML4 is a page with recognisable kernel-half entries, the
 * current root is a variable, and the lock checks it is never taken
 * twice.  Counters and failure injection for the tests.
 */
#ifndef TESTS_HOST_UVM_FAKE_ENV_H
#define TESTS_HOST_UVM_FAKE_ENV_H

#include <stdbool.h>
#include <stdint.h>

struct fake_env {
	long frames_live;        /* frames allocated and not freed */
	long frames_allocated;   /* total allocations */
	long frame_fail_after;   /* allocations left before -CAPOS_ENOMEM; <0: never */
	long zalloc_fail_after;  /* same for uvm_zalloc */
	long flushes;            /* uvm_flush_page calls */
	uint64_t current_root;
	uint64_t kernel_root;
};

extern struct fake_env fake;

/* Reset counters and injection (keeps the kernel root). */
void fake_reset(void);
bool fake_frame_live(uint64_t phys);
/* The value fake_env puts in kernel PML4 entry i (256..511). */
uint64_t fake_kernel_entry(unsigned i);

#endif
