/*
 * Thread-local storage as capOS programs see it: x86_64 TLS variant II.
 * Each thread's TLS block (the program's PT_TLS template: initialised
 * bytes, then zeros) ends exactly at the thread pointer (FS base), where
 * the thread control block begins; %fs:0 holds the TCB's own address, so
 * code compiled for the local-exec model (static programs) finds its
 * variables at negative offsets from it.
 */
#ifndef CAPOS_TLS_H
#define CAPOS_TLS_H

#include <stdint.h>

struct capos_thread;
struct capos_ring_client;

/* The thread control block.  The first words follow the x86_64 TLS ABI and gcc's conventions. */
struct capos_tcb {
	struct capos_tcb *self;      /* %fs:0 */
	void *dtv;                   /* %fs:8, unused by static programs */
	uint64_t reserved[3];
	uint64_t stack_guard;        /* %fs:0x28, gcc's -fstack-protector canary */
	uint64_t pointer_guard;      /* %fs:0x30 */
	struct capos_thread *thread; /* the runtime's record (NULL for the main thread) */
	void *libc;                  /* free for the C library layer (newlib's per-thread state is TLS: libos/libc/reent.c) */
	struct capos_ring_client *ring; /* this thread's ring client (capos_ring) */
};
_Static_assert(__builtin_offsetof(struct capos_tcb, stack_guard) == 0x28, "capos_tcb layout");

#endif
