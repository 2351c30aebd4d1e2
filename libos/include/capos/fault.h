/*
 * The process's fault handler in the libOS (kernel model: docs/architecture.md
 * "Faults"; the message: capos/faultmsg.h).
 *
 * capos_fault_start makes an endpoint (through "endpoints"), starts a
 * thread serving it and names it the calling thread's fault handler
 * (ThreadControl.set_fault_handler); threads the caller creates afterwards
 * start with the same handler.  The serving thread itself has none, so a
 * fault of its own ends the process.
 *
 * What the handler does with a fault:
 *   - a page fault below a thread's stack, inside the room reserved for
 *     it: maps the pages down to the fault and resumes (growable stacks:
 *     while the handler runs, capos_thread_create reserves
 *     CAPOS_FAULT_STACK_MAX bytes for each new thread's stack and maps
 *     only the stack_size it was asked for);
 *   - a fault on a stack's guard page (the bottom of the reservation):
 *     refused — a stack overflow;
 *   - anything else: the hook's answer, if one is set (0: resume), else
 *     refused.
 * A refused fault ends the process exactly as with no handler (reason
 * fault, code -vector, the kernel's serial line).
 */
#ifndef CAPOS_LIBOS_FAULT_H
#define CAPOS_LIBOS_FAULT_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/faultmsg.h>

/* The most one growable thread stack reaches (its guard page and thread record included). */
#define CAPOS_FAULT_STACK_MAX (8ull * 1024 * 1024)

/* 0: resume the thread (after repairing what faulted); anything else: the process ends. */
typedef int (*capos_fault_hook_fn)(const struct capos_fault_msg *m, void *arg);

/* Start the handler: -CAPOS_EBUSY when it runs already, -CAPOS_ENOENT without "endpoints". */
int capos_fault_start(void);
bool capos_fault_running(void);
/* Ask fn about faults the handler does not resolve itself (NULL: refuse them). */
void capos_fault_set_hook(capos_fault_hook_fn fn, void *arg);

struct capos_fault_stats {
	uint64_t faults;       /* messages received */
	uint64_t grown_pages;  /* stack pages mapped on demand */
	uint64_t refused;      /* faults answered "end the process" */
};
void capos_fault_stats(struct capos_fault_stats *out);

#endif
