/*
 * Thread life cycle: creation with a guarded kernel stack and an FPU area,
 * first entry to user mode, exit (waking joiners and telling the process),
 * and freeing by the scheduler's reaper.
 */
#include <stddef.h>
#include <capos/error.h>
#include "thread.h"
#include "process.h"
#include "sched.h"
#include "../arch/x86_64/arch.h"
#include "../kern/log.h"
#include "../kern/panic.h"
#include "../lib/string.h"
#include "../cap/kobj.h"
#include "../cap/ring.h"

#define THREAD_KSTACK_PAGES 8
#define FPU_ALIGN 64

static uint32_t next_tid = 1;  /* [sched] */

uint32_t thread_alloc_tid(void)
{
	return __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
}

static int alloc_fpu(struct thread *t)
{
	size_t size = fpu_state_size();
	uintptr_t p;
	int err;

	t->fpu_alloc = kmem_alloc(t->q, size + FPU_ALIGN, &err);
	if (!t->fpu_alloc)
		return err;
	p = ((uintptr_t)t->fpu_alloc + FPU_ALIGN - 1) & ~(uintptr_t)(FPU_ALIGN - 1);
	t->fpu = (void *)p;
	fpu_state_init(t->fpu);
	return 0;
}

/* The kernel stack: whole frames, charged to the frame quota. */
static int alloc_kstack(struct thread *t)
{
	int err = quota_charge_frames(t->q, THREAD_KSTACK_PAGES);

	if (err)
		return err;
	if (kstack_alloc(&t->kstack, THREAD_KSTACK_PAGES) != 0) {
		quota_release_frames(t->q, THREAD_KSTACK_PAGES);
		return -CAPOS_ENOMEM;
	}
	return 0;
}

int thread_create_user(struct process *p, uint64_t entry, uint64_t stack, uint64_t arg0,
		       uint64_t arg1, uint64_t fs_base, struct thread **out)
{
	int err;
	struct thread *t = kmem_zalloc(process_quota(p), sizeof *t, &err);

	if (!t)
		return err;
	t->q = process_quota(p);  /* kept alive by t's own charge */
	err = alloc_kstack(t);
	if (!err)
		err = alloc_fpu(t);
	if (err) {
		thread_free(t);
		kmem_free(t->q, t);
		return err;
	}
	t->tid = thread_alloc_tid();
	t->proc = p;
	t->state = THREAD_NEW;
	t->refs = 1;  /* the scheduler's, dropped by the reaper */
	t->user_entry = entry;
	t->user_stack = stack;
	t->user_arg0 = arg0;
	t->user_arg1 = arg1;
	t->fs_base = fs_base;
	arch_context_init(&t->ctx, t->kstack.top, thread_user_start, t);
	*out = t;
	return 0;
}

void thread_user_start(void *arg)
{
	struct thread *t = arg;

	sched_finish_first_switch();
	arch_enter_user(t->user_entry, t->user_stack, t->user_arg0, t->user_arg1);
}

void thread_exit(int64_t code)
{
	struct thread *t = sched_current();
	uint64_t flags;

	irq_disable();
	flags = sched_lock_irqsave();
	t->exit_code = code;
	t->exited = true;
	sched_wake_all_locked(&t->joiners);
	thread_complete_joins_locked(t);
	sched_unlock_irqrestore(flags);
	/* The last thread tears its process down here (capability table,
	 * address space, frames): interrupts on for that, even on the
	 * return-to-user path that called us with them off (issue 13:
	 * bounded latency).  We are on this thread's own kernel stack. */
	irq_enable();
	thread_set_fault_handler(t, NULL);
	if (t->proc)
		process_thread_exited(t->proc, t);
	sched_lock_irqsave();
	sched_exit_current();
}

void thread_set_fault_handler(struct thread *t, struct kobj *o)
{
	struct kobj *old = t->fault_handler;

	t->fault_handler = o ? kobj_ref(o) : NULL;
	t->fault_repeats = 0;
	if (old)
		kobj_unref(old);
}

void thread_complete_joins_locked(struct thread *t)
{
	while (t->join_kops) {
		struct kop *k = t->join_kops;

		t->join_kops = k->next_waiter;
		k->next_waiter = NULL;
		memcpy(k->out, &t->exit_code, sizeof t->exit_code);
		k->out_len = sizeof t->exit_code;
		kop_finish_locked(k, 0);
	}
}

void thread_free(struct thread *t)
{
	if (t->kstack.top) {
		kstack_free(&t->kstack);
		t->kstack.top = 0;
		if (t->q)
			quota_release_frames(t->q, THREAD_KSTACK_PAGES);
	}
	if (t->fpu_alloc) {
		kmem_free(t->q, t->fpu_alloc);
		t->fpu_alloc = NULL;
		t->fpu = NULL;
	}
}

void thread_unref_locked(struct thread *t)
{
	KASSERT(t->refs > 0);
	if (--t->refs == 0) {
		KASSERT(t->state == THREAD_DEAD || t->state == THREAD_NEW);
		thread_free(t);
		kmem_free(t->q, t);
	}
}
