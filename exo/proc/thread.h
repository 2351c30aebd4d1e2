/*
 * Threads: the unit the scheduler runs.  A thread belongs to one process
 * (or to none: the idle thread) and owns a guarded kernel stack, its saved
 * kernel context and its FPU/SSE state (saved and restored on every
 * switch between threads of user processes).
 *
 * Fields marked [sched] are guarded by sched_lock; [proc] by the owning
 * process's lock; [own] are touched only by the thread itself or before it
 * first runs.  A thread is freed by the scheduler's reaper after it has
 * exited and switched off its stack, and once no ThreadHandle refers to it
 * (refs).
 */
#ifndef EXO_PROC_THREAD_H
#define EXO_PROC_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include "sched.h"
#include "../arch/x86_64/context.h"
#include "../mm/mm.h"

struct process;
struct kobj;

enum thread_state { THREAD_NEW, THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct thread {
	uint32_t tid;                  /* [own] unique, never reused while the kernel runs */
	struct process *proc;          /* [own] NULL for idle */
	struct quota *q;               /* [own] pays for the struct, stack and FPU area; NULL for idle */
	struct arch_context ctx;       /* [sched] saved when not running */
	struct kstack kstack;          /* [own] */
	void *fpu;                     /* [own] fpu_state_size() bytes, 64-byte aligned */
	void *fpu_alloc;               /* [own] what kfree takes */
	uint64_t fs_base;              /* [own] user FS base, restored on switch */
	struct ring *ring;             /* [own] its capability ring (user threads); the process frees it */

	enum thread_state state;       /* [sched] */
	struct thread *run_next;       /* [sched] run queue or wait queue link */
	struct waitq *waiting_on;      /* [sched] */
	struct ktimer timeout;         /* [sched] deadline of the current wait */
	enum wake_reason wake_reason;  /* [sched] */

	/* Start-up for user threads. */
	uint64_t user_entry, user_stack, user_arg0, user_arg1;

	/* Exit and join (ThreadHandle). */
	int64_t exit_code;             /* [sched] valid once exited */
	bool exited;                   /* [sched] */
	struct waitq joiners;          /* [sched] */
	struct kop *join_kops;         /* [sched] ThreadHandle.join operations */
	bool exit_requested;           /* [own] ThreadControl.exit: leave at the next return to user */
	bool handoff;                  /* [own] a woken IPC peer should run before this thread goes on (set
	                                  and cleared only by the thread itself) */
	/* Faults (fault.c): where this thread's CPU exceptions go, and the repeat count that bounds a storm. */
	struct kobj *fault_handler;    /* [own] an Endpoint client capability's object (a reference), or NULL */
	uint64_t fault_rip, fault_addr;/* [own] the last fault sent to the handler */
	uint32_t fault_vector;         /* [own] */
	uint32_t fault_repeats;        /* [own] consecutive faults equal to the last one */
	uint32_t refs;                 /* [sched] scheduler's own + one per ThreadHandle */
	struct thread *proc_next;      /* [proc] the process's thread list */
	struct thread *zombie_next;    /* [sched] reaper list */
};

/*
 * Create a thread of process p (which the caller has charged for it) that
 * will enter user mode at entry with stack, rdi = arg0, rsi = arg1.  It is
 * not runnable until sched_make_ready().  Returns -CAPOS_ENOMEM.
 */
int thread_create_user(struct process *p, uint64_t entry, uint64_t stack, uint64_t arg0,
		       uint64_t arg1, uint64_t fs_base, struct thread **out);

/* Drop one reference (sched_lock held); the reaper frees the thread at zero. */
void thread_unref_locked(struct thread *t);

/* The thread body of user threads: set up, then arch_enter_user. */
__attribute__((noreturn)) void thread_user_start(void *arg);

/* End the current thread with code: wakes joiners, leaves the process if last. */
__attribute__((noreturn)) void thread_exit(int64_t code);

/* Take a reference for a ThreadHandle (sched_lock held). */
static inline void thread_ref_locked(struct thread *t) { t->refs++; }

/* Complete every ThreadHandle.join of an exited thread (sched_lock held). */
void thread_complete_joins_locked(struct thread *t);

/* Free a dead thread's stack and FPU area (reaper, not on that stack). */
void thread_free(struct thread *t);

uint32_t thread_alloc_tid(void);

/*
 * Give t the fault handler o (taking a reference; NULL: none), dropping the
 * one it had.  t is the current thread, or one not yet running.  No lock held.
 */
void thread_set_fault_handler(struct thread *t, struct kobj *o);

#endif
