/*
 * Runtime internals shared by the files of libcapos_rt: the capabilities
 * the runtime itself uses (looked up once at start-up) and the hooks
 * start-up and threads call into each other with.
 */
#ifndef LIBOS_RT_INTERNAL_H
#define LIBOS_RT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <capos/rt.h>
#include "tls.h"

enum rt_cap {
	RT_CAP_CONSOLE,
	RT_CAP_THREAD,
	RT_CAP_THREADS,
	RT_CAP_VM,
	RT_CAP_TIMER,
	RT_CAP_PARK,
	RT_CAP_SPAWNER,
	RT_CAP_STDIO,      /* a TerminalSession; 0 when "stdio" is missing or something else */
	RT_CAP_COUNT
};

/* Handle of a runtime capability, 0 when the process was not given it. */
uint32_t rt_cap(enum rt_cap which);
/* Look the runtime capabilities up in the bootstrap page. */
void rt_caps_init(const struct capos_bootstrap *boot);

/* The calling thread's FS base through ThreadControl.set_fs_base. */
int rt_set_fs_base(uint64_t fs_base);

/* The monotonic clock every thread's ring client uses for finite waits (start.c). */
uint64_t rt_clock(void);

/*
 * Growable thread stacks (fault.c), while the fault handler runs: map the
 * top `pages` pages of a free stack slot (NULL: no handler, no slot, or
 * the map failed, capos_errno set), the slot's mapping now (it grows
 * down), and giving the slot back (its mapping gone or on its way).
 */
void *rt_stack_map(uint64_t pages, int32_t *slot);
void *rt_stack_mapping(int32_t slot, uint64_t *pages);
void rt_stack_release(int32_t slot);

#endif
