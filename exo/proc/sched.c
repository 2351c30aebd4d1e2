/*
 * Scheduler: round-robin run queue, idle thread, kernel timers, wait
 * queues, reaper (see sched.h for the locking rules).
 *
 * Lock order: process lock -> ring lock -> sched_lock -> kstack/vm/heap/
 * frame locks (sched.h's "leaf" means nothing above it is taken under it).  The switch itself (switch_to) runs with sched_lock held;
 * the thread that resumes is the one that releases it, so a thread always
 * resumes inside switch_to (or, the first time, in its entry function,
 * which calls sched_finish_first_switch).
 *
 * Idle work (sched_when_idle) runs on the idle thread once nothing is
 * runnable and every dead thread has been reaped: the end-of-run leak
 * check (init.c) needs exactly that moment.
 *
 * Invariants: current is never on the run queue; a READY thread is on the
 * run queue exactly once; a BLOCKED thread is on exactly one wait queue;
 * the idle thread is never queued and runs only when the queue is empty.
 */
#include <stddef.h>
#include <capos/error.h>
#include "sched.h"
#include "thread.h"
#include "process.h"
#include "../arch/x86_64/arch.h"
#include "../arch/x86_64/cpu.h"
#include "../kern/clock.h"
#include "../kern/log.h"
#include "../kern/panic.h"
#include "../kern/spinlock.h"

static struct spinlock sched_lock = SPINLOCK_INIT;
static struct thread idle_thread;
static struct thread *current = &idle_thread;  /* [sched] one CPU for now */
static struct thread *run_head, *run_tail;     /* [sched] */
static struct ktimer *timers;                  /* [sched] sorted by deadline */
static struct thread *zombies;                 /* [sched] dead, still on their stacks or handles */
static volatile bool need_resched;             /* set by the tick and by interrupt wake-ups */
static uint64_t switch_count;                  /* [sched] */
static bool (*idle_work)(void);                /* [sched] sched_when_idle */

uint64_t sched_lock_irqsave(void) { return spin_lock_irqsave(&sched_lock); }
void sched_unlock_irqrestore(uint64_t flags) { spin_unlock_irqrestore(&sched_lock, flags); }
struct thread *sched_current(void) { return current; }
uint64_t sched_switches(void) { return switch_count; }

void sched_init(void)
{
	idle_thread.tid = thread_alloc_tid();
	idle_thread.state = THREAD_RUNNING;
	idle_thread.refs = 1;
	current = &idle_thread;
	kinfo("sched: round robin, preempted at %u Hz", timer_hz());
}

static void run_enqueue(struct thread *t)
{
	t->run_next = NULL;
	if (run_tail)
		run_tail->run_next = t;
	else
		run_head = t;
	run_tail = t;
}

static void run_push_front(struct thread *t)
{
	t->run_next = run_head;
	run_head = t;
	if (!run_tail)
		run_tail = t;
}

static struct thread *run_dequeue(void)
{
	struct thread *t = run_head;

	if (!t)
		return NULL;
	run_head = t->run_next;
	if (!run_head)
		run_tail = NULL;
	t->run_next = NULL;
	return t;
}

void sched_make_ready_locked(struct thread *t)
{
	KASSERT(t->state == THREAD_NEW || t->state == THREAD_BLOCKED);
	t->state = THREAD_READY;
	run_enqueue(t);
}

void sched_make_ready(struct thread *t)
{
	uint64_t flags = sched_lock_irqsave();

	sched_make_ready_locked(t);
	sched_unlock_irqrestore(flags);
}

/* Free what dead threads no longer need, except the stack we stand on. */
static void reap_zombies_locked(void)
{
	struct thread **link = &zombies;

	while (*link) {
		struct thread *z = *link;

		if (z == current) {
			link = &z->zombie_next;
			continue;
		}
		*link = z->zombie_next;
		thread_free(z);
		thread_unref_locked(z);
	}
}

/* Machine state that belongs to the thread, not the kernel: address space, FPU, FS, kernel stack. */
static void switch_machine_state(struct thread *prev, struct thread *next)
{
	if (prev->proc) {
		fpu_save(prev->fpu);
		prev->fs_base = arch_get_fs_base();
	}
	if (next->proc) {
		process_activate(next->proc);
		arch_set_kernel_stack(next->kstack.top);
		fpu_restore(next->fpu);
		arch_set_fs_base(next->fs_base);
	} else if (prev->proc) {
		process_activate(NULL);
	}
}

/* Run next instead of current.  sched_lock held, interrupts off. */
static void switch_to(struct thread *next)
{
	struct thread *prev = current;

	if (prev == next) {
		next->state = THREAD_RUNNING;
		return;
	}
	switch_machine_state(prev, next);
	next->state = THREAD_RUNNING;
	current = next;
	switch_count++;
	arch_context_switch(&prev->ctx, &next->ctx);
	/* prev runs again here, later. */
	reap_zombies_locked();
}

static struct thread *pick_next(void)
{
	struct thread *t = run_dequeue();

	return t ? t : &idle_thread;
}

void sched_finish_first_switch(void)
{
	reap_zombies_locked();
	spin_unlock(&sched_lock);
}

void sched_yield(void)
{
	uint64_t flags = sched_lock_irqsave();

	need_resched = false;
	if (run_head) {
		if (current != &idle_thread) {
			current->state = THREAD_READY;
			run_enqueue(current);
		}
		switch_to(pick_next());
	}
	sched_unlock_irqrestore(flags);
}

void sched_yield_handoff(void)
{
	uint64_t flags = sched_lock_irqsave();

	need_resched = false;
	if (run_head && current != &idle_thread) {
		/* Second in line: the peer runs now, this thread as soon as the peer waits. */
		current->state = THREAD_READY;
		current->run_next = run_head->run_next;
		run_head->run_next = current;
		if (run_tail == run_head)
			run_tail = current;
		switch_to(pick_next());
	}
	sched_unlock_irqrestore(flags);
}

static void waitq_remove(struct waitq *wq, struct thread *t)
{
	struct thread **link = &wq->head;

	while (*link && *link != t)
		link = &(*link)->run_next;
	if (!*link)
		return;
	*link = t->run_next;
	if (wq->tail == t) {
		wq->tail = NULL;
		for (struct thread *p = wq->head; p; p = p->run_next)
			wq->tail = p;
	}
	t->run_next = NULL;
}

static void thread_timeout_fired(struct ktimer *k)
{
	struct thread *t = (struct thread *)((char *)k - offsetof(struct thread, timeout));

	sched_wake_thread_locked(t, WAKE_TIMEOUT);
}

enum wake_reason sched_wait(struct waitq *wq, uint64_t deadline_ns)
{
	struct thread *t = current;

	KASSERT(t != &idle_thread);
	if (t->proc && process_dying(t->proc))
		return WAKE_KILLED;
	t->state = THREAD_BLOCKED;
	t->waiting_on = wq;
	t->run_next = NULL;
	if (wq->tail)
		wq->tail->run_next = t;
	else
		wq->head = t;
	wq->tail = t;
	t->wake_reason = WAKE_SIGNALED;
	t->handoff = false;  /* blocking gives the CPU away anyway */
	if (deadline_ns != SCHED_NO_DEADLINE) {
		t->timeout.fire = thread_timeout_fired;
		ktimer_arm_locked(&t->timeout, deadline_ns);
	}
	switch_to(pick_next());
	return t->wake_reason;
}

/* Make a blocked thread runnable: last in the run queue, or first (IPC hand-off). */
static void wake_blocked(struct thread *t, enum wake_reason why, bool front)
{
	if (t->state != THREAD_BLOCKED)
		return;
	waitq_remove(t->waiting_on, t);
	t->waiting_on = NULL;
	ktimer_cancel_locked(&t->timeout);
	t->wake_reason = why;
	t->state = THREAD_READY;
	if (front)
		run_push_front(t);
	else
		run_enqueue(t);
}

void sched_wake_thread_locked(struct thread *t, enum wake_reason why)
{
	wake_blocked(t, why, false);
}

uint32_t sched_wake_all_first_locked(struct waitq *wq)
{
	uint32_t n = 0;

	while (wq->head) {
		wake_blocked(wq->head, WAKE_SIGNALED, true);
		n++;
	}
	if (n && current != &idle_thread)
		current->handoff = true;
	return n;
}

uint32_t sched_wake_all_preempt_locked(struct waitq *wq)
{
	uint32_t n = 0;

	while (wq->head) {
		wake_blocked(wq->head, WAKE_SIGNALED, true);
		n++;
	}
	if (n)
		need_resched = true;
	return n;
}

bool sched_take_handoff(void)
{
	struct thread *t = current;  /* the kernel is not preempted: current stays this thread */
	bool h = t->handoff;

	t->handoff = false;
	return h;
}

uint32_t sched_wake_one_locked(struct waitq *wq)
{
	if (!wq->head)
		return 0;
	sched_wake_thread_locked(wq->head, WAKE_SIGNALED);
	return 1;
}

uint32_t sched_wake_all_locked(struct waitq *wq)
{
	uint32_t n = 0;

	while (wq->head) {
		sched_wake_thread_locked(wq->head, WAKE_SIGNALED);
		n++;
	}
	return n;
}

void ktimer_arm_locked(struct ktimer *t, uint64_t deadline_ns)
{
	struct ktimer **link = &timers;

	if (t->armed)
		ktimer_cancel_locked(t);
	t->deadline_ns = deadline_ns;
	while (*link && (*link)->deadline_ns <= deadline_ns)
		link = &(*link)->next;
	t->next = *link;
	*link = t;
	t->armed = true;
}

void ktimer_cancel_locked(struct ktimer *t)
{
	struct ktimer **link = &timers;

	if (!t->armed)
		return;
	while (*link && *link != t)
		link = &(*link)->next;
	if (*link)
		*link = t->next;
	t->next = NULL;
	t->armed = false;
}

static void fire_expired_locked(uint64_t now)
{
	while (timers && timers->deadline_ns <= now) {
		struct ktimer *t = timers;

		timers = t->next;
		t->next = NULL;
		t->armed = false;
		t->fire(t);
	}
}

void sched_tick(void)
{
	uint64_t now = clock_ns();
	uint64_t flags;

	flags = sched_lock_irqsave();
	fire_expired_locked(now);
	if (run_head)
		need_resched = true;
	sched_unlock_irqrestore(flags);
}

void sched_return_to_user(struct trap_frame *f)
{
	struct thread *t = current;

	(void)f;
	if (t->exit_requested)
		thread_exit(t->exit_code);
	if (t->proc && process_dying(t->proc))
		thread_exit(-1);
	if (need_resched)
		sched_yield();
	if (t->proc && process_dying(t->proc))
		thread_exit(-1);
}

void sched_exit_current(void)
{
	struct thread *t = current;

	KASSERT(t != &idle_thread);
	t->state = THREAD_DEAD;
	t->zombie_next = zombies;
	zombies = t;
	switch_to(pick_next());
	panic("sched: a dead thread was scheduled again");
}

void sched_when_idle(bool (*fn)(void))
{
	uint64_t flags = sched_lock_irqsave();

	idle_work = fn;
	sched_unlock_irqrestore(flags);
}

/* Run the idle work (no lock held, interrupts off); forget it once it says it is done. */
static void run_idle_work(bool (*work)(void))
{
	if (!work || !work())
		return;
	spin_lock(&sched_lock);
	if (idle_work == work)
		idle_work = NULL;
	spin_unlock(&sched_lock);
}

void sched_run_idle(void)
{
	bool (*work)(void);

	kinfo("sched: idle loop entered");
	for (;;) {
		irq_disable();
		spin_lock(&sched_lock);
		reap_zombies_locked();
		if (run_head) {
			switch_to(pick_next());
			spin_unlock(&sched_lock);
			continue;
		}
		work = idle_work;  /* every zombie is reaped: the idle thread is current */
		spin_unlock(&sched_lock);
		run_idle_work(work);
		/* sti; hlt is atomic: an interrupt between the check and hlt still wakes us. */
		irqwatch_end();
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}
