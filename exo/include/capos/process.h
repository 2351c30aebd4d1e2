/*
 * Process ABI: how a process learns what it was given (the bootstrap page)
 * and how its end is reported (exit reasons in ProcessHandle.wait).
 *
 * The kernel maps one read-only bootstrap page into every new process at
 * the address in %rdi of the first thread.  It names the ring, every
 * capability granted at spawn with its name and interface, and the
 * argument string.  The libOS start-up code reads it once.
 */
#ifndef CAPOS_PROCESS_H
#define CAPOS_PROCESS_H

#include <stdint.h>

#define CAPOS_BOOTSTRAP_MAGIC 0x50414f42u  /* "BOAP" */
#define CAPOS_BOOTSTRAP_VERSION 2u
#define CAPOS_BOOTSTRAP_MAX_CAPS 32
#define CAPOS_CAP_NAME_MAX 24       /* bytes including the NUL */
#define CAPOS_ARGS_MAX 256          /* bytes including the NUL */
#define CAPOS_PROC_NAME_MAX 40

struct capos_bootstrap_cap {
	char name[CAPOS_CAP_NAME_MAX];  /* NUL-terminated */
	uint32_t handle;
	uint32_t iface;
};
_Static_assert(sizeof(struct capos_bootstrap_cap) == 32, "bootstrap cap layout");

struct capos_bootstrap {
	uint32_t magic;
	uint32_t version;
	uint64_t ring_addr;         /* struct capos_ring_header in this process */
	uint32_t ring_size;         /* bytes */
	uint32_t pid;
	uint32_t cap_count;
	uint32_t reserved;
	uint64_t tls_image;         /* PT_TLS template (0 when none) */
	uint64_t tls_filesz, tls_memsz, tls_align;
	uint64_t heap_start;        /* first page after the program image */
	uint64_t stack_top, stack_size;
	/*
	 * The kernel's monotonic clock, readable without a system call:
	 * ns = ((rdtsc() - clock_tsc_base) * clock_ns_mult) >> 32 (128-bit
	 * product) gives exactly what Timer.now answers.  tsc_hz is the
	 * calibrated TSC rate.  All zero when the TSC could not be calibrated.
	 */
	uint64_t tsc_hz;
	uint64_t clock_tsc_base;
	uint64_t clock_ns_mult;     /* ns per TSC tick, 32.32 fixed point */
	char name[CAPOS_PROC_NAME_MAX];
	char args[CAPOS_ARGS_MAX];  /* NUL-terminated, words separated by spaces */
	struct capos_bootstrap_cap caps[CAPOS_BOOTSTRAP_MAX_CAPS];
};
_Static_assert(sizeof(struct capos_bootstrap) <= 4096, "bootstrap fits one page");

/* Quotas a spawner may give a child (ProcessFactory.create; manifests): inclusive ranges. */
#define CAPOS_QUOTA_FRAMES_MIN   64ull
#define CAPOS_QUOTA_FRAMES_MAX   (1ull << 20)   /* 4 GiB */
#define CAPOS_QUOTA_CAPS_MIN     4u
#define CAPOS_QUOTA_CAPS_MAX     65535u
#define CAPOS_QUOTA_THREADS_MIN  1u
#define CAPOS_QUOTA_THREADS_MAX  1024u
#define CAPOS_QUOTA_RING_OPS_MIN 1u
#define CAPOS_QUOTA_RING_OPS_MAX 4096u
/*
 * Kernel memory, in KiB: the kernel-heap bytes a process causes (queued
 * call parameters, ring operations, capability objects, its threads and
 * tables; docs/resources.md).  Whole frames (rings, page tables, kernel
 * stacks) go to the frame quota instead.
 */
#define CAPOS_QUOTA_KMEM_MIN_KIB 64u
#define CAPOS_QUOTA_KMEM_MAX_KIB (1u << 20)     /* 1 GiB */

/* ProcessHandle.bind kinds: objects bound to the child */
#define CAPOS_BIND_VM      1u   /* VirtualMemory of the child's space */
#define CAPOS_BIND_THREADS 2u   /* ThreadSpawner for the child */
#define CAPOS_BIND_THREAD  3u   /* ThreadControl (exit) */
#define CAPOS_BIND_PARK    4u   /* ParkSpace over the child's memory */
#define CAPOS_BIND_SELF    5u   /* ProcessHandle of the child itself: its own info */

/* ProcessHandle.info state */
#define CAPOS_PROC_NEW   0u   /* created, not started */
#define CAPOS_PROC_LIVE  1u
#define CAPOS_PROC_DYING 2u
#define CAPOS_PROC_DEAD  3u   /* ended: exit_code and reason are valid */

/* ProcessHandle.wait reason */
#define CAPOS_EXIT_NORMAL 0u   /* exit_code from ThreadControl.exit of the last thread */
#define CAPOS_EXIT_KILLED 1u   /* ProcessHandle.kill */
#define CAPOS_EXIT_FAULT  2u   /* CPU exception; exit_code = -(vector) */

#endif
