/*
 * The scheduler: one run queue of READY threads served round robin,
 * preempted by the LAPIC timer tick; an idle thread per CPU; kernel
 * timers (ktimer) fired from the tick; wait queues for blocking.
 *
 * Locking: sched_lock (irqsave) guards the run queue, every thread's state
 * and wait fields, every wait queue and the timer list.  Process and ring
 * locks may be held when taking it; under it only the allocator locks
 * (kstack, vm, heap, frame) may be taken.  One global lock is deliberate
 * while capOS runs on one CPU; SMP (wave 2) splits it per CPU.
 *
 * Blocking pattern (condition-variable style):
 *     flags = sched_lock_irqsave();
 *     while (!condition && !timed_out)
 *         reason = sched_wait(&wq, deadline);
 *     sched_unlock_irqrestore(flags);
 * sched_wait releases the lock while blocked and returns why it woke.
 */
#ifndef EXO_PROC_SCHED_H
#define EXO_PROC_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct thread;

/* A queue of threads blocked on something. */
struct waitq {
	struct thread *head, *tail;
};

/* A kernel timer: fire(t) runs from the tick with sched_lock held; it must not block. */
struct ktimer {
	uint64_t deadline_ns;
	void (*fire)(struct ktimer *t);
	struct ktimer *next;
	bool armed;
};

enum wake_reason { WAKE_SIGNALED = 0, WAKE_TIMEOUT = 1, WAKE_KILLED = 2 };

#define SCHED_NO_DEADLINE UINT64_MAX

void sched_init(void);
/* Enter the scheduler on the boot CPU: the caller becomes the idle thread. */
__attribute__((noreturn)) void sched_run_idle(void);

uint64_t sched_lock_irqsave(void);
void sched_unlock_irqrestore(uint64_t flags);

struct thread *sched_current(void);
/* Make a new or woken thread runnable (sched_lock held). */
void sched_make_ready_locked(struct thread *t);
void sched_make_ready(struct thread *t);
/* Give up the CPU, staying runnable. */
void sched_yield(void);

/*
 * Block the current thread on wq until sched_wake_* or deadline_ns (absolute
 * clock_ns, or SCHED_NO_DEADLINE).  Called and returns with sched_lock held
 * (flags as from sched_lock_irqsave).  A thread whose process is dying is
 * woken with WAKE_KILLED.
 */
enum wake_reason sched_wait(struct waitq *wq, uint64_t deadline_ns);

/* Wake one / all waiters (sched_lock held); returns how many woke. */
uint32_t sched_wake_one_locked(struct waitq *wq);
uint32_t sched_wake_all_locked(struct waitq *wq);
/*
 * Wake all waiters of wq at the FRONT of the run queue and note that the
 * current thread should give way (sched_take_handoff): direct IPC hand-off.
 */
uint32_t sched_wake_all_first_locked(struct waitq *wq);
/*
 * Wake all waiters of wq at the FRONT of the run queue and preempt the
 * interrupted thread at its next return to user mode: a device interrupt's
 * driver runs next, not a tick later.  Called from interrupt handlers.
 */
uint32_t sched_wake_all_preempt_locked(struct waitq *wq);
/* Whether a hand-off was requested since the current thread last blocked; clears it. */
bool sched_take_handoff(void);
/*
 * Give the CPU to the thread at the front of the run queue (the woken IPC
 * peer) and stay second in line, so this thread runs again as soon as the
 * peer blocks — not after everything else that is runnable.
 */
void sched_yield_handoff(void);
/* Wake a particular blocked thread with a reason (sched_lock held). */
void sched_wake_thread_locked(struct thread *t, enum wake_reason why);

/* Timers (sched_lock held). */
void ktimer_arm_locked(struct ktimer *t, uint64_t deadline_ns);
void ktimer_cancel_locked(struct ktimer *t);

/* A new thread's first code: release the lock its creator's switch held. */
void sched_finish_first_switch(void);

/* Switch away from a thread that has exited; it is freed once off its stack. */
__attribute__((noreturn)) void sched_exit_current(void);

/*
 * Have fn run on the idle thread each time the CPU is about to idle with
 * nothing runnable and every dead thread's stack freed, until fn returns
 * true.  fn runs with no lock held and interrupts off; it must not block.
 */
void sched_when_idle(bool (*fn)(void));

/* Counters for tests and the banner. */
uint64_t sched_switches(void);

#endif
