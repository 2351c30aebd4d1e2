/*
 * A CPU exception in user mode: the thread's fault handler decides, or
 * the process ends — never the kernel.
 *
 * With a fault handler (ThreadControl.set_fault_handler, obj_thread.c)
 * the kernel blocks the thread and CALLs the handler's endpoint on its
 * behalf with a struct capos_fault_msg (capos/faultmsg.h): a kop registered
 * on the thread's own ring and charged to its process like any CALL,
 * queued or handed to a waiting RECV by ipc_call_kernel.  The thread waits
 * on its ring; an empty RETURN resumes it where it faulted.  Everything
 * else — no handler, a handler revoked or gone, no quota for the message,
 * a refusal, the same fault CAPOS_FAULT_REPEAT_MAX times in a row — ends
 * the process as before: say what happened (the serial log is the user's
 * view), mark the process killed by a fault with code -(vector), leave
 * through thread_exit.  Nothing here recurses: a handler thread that
 * faults is one more thread taking this path (with its own handler, or
 * none), and a thread blocked here cannot fault again.  A process killed
 * meanwhile wakes the thread (WAKE_KILLED) and it leaves; its ring's end
 * withdraws the message (ring_destroy).  Other processes notice nothing.
 */
#include <capos/error.h>
#include <capos/faultmsg.h>
#include <capos/process.h>
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "../arch/x86_64/context.h"
#include "../arch/x86_64/cpu.h"
#include "../arch/x86_64/user_frame.h"
#include "../cap/endpoint.h"
#include "../cap/kobj.h"
#include "../cap/ring.h"
#include "../kern/log.h"
#include "../mm/mm.h"

enum fault_outcome { FAULT_RESUME, FAULT_DIE, FAULT_LEAVE };

static void describe(const struct process *p, const struct trap_frame *f, uint64_t addr)
{
	const char *name = trap_exception_name((unsigned)f->vector);

	if (f->vector == VEC_PF)
		kwarn("process %u (%s): %s at rip 0x%llx, address 0x%llx (%s, %s%s)", p->pid, p->name,
		      name, (unsigned long long)f->rip, (unsigned long long)addr,
		      (f->error & 1) ? "protection" : "not present", (f->error & 2) ? "write" : "read",
		      (f->error & 16) ? ", instruction fetch" : "");
	else
		kwarn("process %u (%s): %s at rip 0x%llx (error 0x%llx)", p->pid, p->name, name,
		      (unsigned long long)f->rip, (unsigned long long)f->error);
}

static void fill_msg(const struct thread *t, const struct trap_frame *f, uint64_t addr,
		     struct capos_fault_msg *m)
{
	*m = (struct capos_fault_msg){
		.vector = (uint32_t)f->vector, .thread_id = t->tid, .error = f->error, .addr = addr,
		.rip = f->rip, .rsp = f->rsp, .rflags = f->rflags,
		.rax = f->rax, .rbx = f->rbx, .rcx = f->rcx, .rdx = f->rdx,
		.rsi = f->rsi, .rdi = f->rdi, .rbp = f->rbp,
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
		.r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
	};
}

/*
 * The storm bound: a handler that resumes the thread without repairing
 * anything sees the same fault again; after CAPOS_FAULT_REPEAT_MAX of them
 * the kernel stops asking.  Any other fault starts the count again.
 */
static bool storm(struct thread *t, const struct trap_frame *f, uint64_t addr)
{
	if (t->fault_repeats && t->fault_rip == f->rip && t->fault_addr == addr && t->fault_vector == f->vector)
		return ++t->fault_repeats > CAPOS_FAULT_REPEAT_MAX;
	t->fault_rip = f->rip;
	t->fault_addr = addr;
	t->fault_vector = (uint32_t)f->vector;
	t->fault_repeats = 1;
	return false;
}

/* The message as a kernel-made CALL on t's ring, charged to t's process; NULL with *err. */
static struct ep_call *message_new(struct thread *t, const struct trap_frame *f, uint64_t addr, int *err)
{
	struct quota *q = process_quota(t->proc);
	struct capos_fault_msg *m = kmem_alloc(q, sizeof *m, err);
	struct ep_call *call;

	if (!m)
		return NULL;
	call = (struct ep_call *)kop_register_kernel(t->ring, sizeof *call);
	if (!call) {
		kmem_free(q, m);
		*err = -CAPOS_EQUOTA;
		return NULL;
	}
	fill_msg(t, f, addr, m);
	call->caller = t->proc;
	call->params = (uint8_t *)m;
	call->params_q = q;
	call->params_len = sizeof *m;
	return call;
}

/* Block until the handler answers (the kop's status) or the process is dying (FAULT_LEAVE). */
static enum fault_outcome await_answer(struct thread *t, struct ep_call *call)
{
	uint64_t flags = sched_lock_irqsave();
	int32_t status;
	bool done;

	while (!call->k.done && !process_dying(t->proc))
		sched_wait(&t->ring->waiters, SCHED_NO_DEADLINE);
	done = call->k.done;
	sched_unlock_irqrestore(flags);
	if (!done)
		return FAULT_LEAVE;  /* the kop stays on the ring: ring_destroy withdraws it */
	status = call->k.status;
	kop_reclaim(t->ring, &call->k);
	if (process_dying(t->proc))
		return FAULT_LEAVE;
	return status == 0 ? FAULT_RESUME : FAULT_DIE;
}

/* Ask t's handler, interrupts on meanwhile; returns with them off. */
static enum fault_outcome ask_handler(struct thread *t, const struct trap_frame *f, uint64_t addr)
{
	struct kobj *via = t->fault_handler;
	struct ep_core *core;
	struct ep_call *call;
	struct kobj *o;
	enum fault_outcome out;
	int err;

	if (!via || !t->ring || !user_frame_ok(f) || storm(t, f, addr))
		return FAULT_DIE;
	o = kobj_resolve(via, &err);
	core = o ? ep_client_core(o) : NULL;  /* checked at registration; a revoked copy resolves to NULL */
	if (!core)
		return FAULT_DIE;
	irq_enable();
	call = message_new(t, f, addr, &err);
	if (!call) {
		irq_disable();
		return FAULT_DIE;
	}
	if (via->kind == KOBJ_FORWARD)
		revocable_track(&call->k, via);  /* a revoke while it is queued or in service ends it */
	ipc_call_kernel(core, call, ep_client_badge(o), CAPOS_IFACE_FAULT, CAPOS_FAULT_EXCEPTION);
	out = await_answer(t, call);
	irq_disable();
	return out;
}

void proc_user_exception(struct trap_frame *f)
{
	struct thread *t = sched_current();
	struct process *p = t->proc;
	uint64_t addr = f->vector == VEC_PF ? read_cr2() : 0;  /* before anything can fault again */

	switch (ask_handler(t, f, addr)) {
	case FAULT_RESUME:
		return;
	case FAULT_DIE:
		describe(p, f, addr);
		process_kill(p, CAPOS_EXIT_FAULT, -(int64_t)f->vector);
		break;
	case FAULT_LEAVE:
		break;
	}
	irq_enable();
	thread_exit(-(int64_t)f->vector);
}
