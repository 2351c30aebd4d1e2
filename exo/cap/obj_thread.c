/*
 * ThreadSpawner, ThreadHandle and ThreadControl.
 *
 * ThreadSpawner (bound to a process) starts a thread in that process at a
 * user entry point with a user-provided stack and its own capability ring
 * (address in %rsi at entry, and in the result), and gives the caller a
 * ThreadHandle.  ThreadHandle.join completes through the ring with the
 * thread's exit code, once; detach gives up joining (so does releasing the
 * handle).  ThreadControl acts on the calling thread — the owner of the
 * ring the call came through: exit (taking effect on the way back to user
 * mode, after this call completes), FS base, id; and exit_process ends the
 * whole process with a code, every thread at its next return to user mode;
 * set_fault_handler names where the thread's CPU exceptions go
 * (exo/proc/fault.c), and threads it spawns start with the same handler.
 */
#include <stdbool.h>
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/prot.h>
#include "iface_kernel.h"
#include "endpoint.h"
#include "kcall.h"
#include "procobj.h"
#include "../arch/x86_64/context.h"
#include "../mm/mm.h"
#include "../proc/aspace.h"
#include "../proc/process.h"
#include "../proc/sched.h"
#include "../proc/thread.h"

struct bound_obj {
	struct kobj base;
	struct process *p;
};

struct thread_handle {
	struct kobj base;
	struct thread *t;
	bool joined, detached;   /* [sched] */
};

static void bound_destroy(struct kobj *o)
{
	struct bound_obj *b = KOBJ_CONTAINER(o, struct bound_obj, base);

	process_unref(b->p);
	kmem_free(o->payer, b);
}

static const struct kobj_ops bound_ops = { .destroy = bound_destroy };

static struct kobj *bound_create(uint32_t iface, struct process *p)
{
	int err;
	struct bound_obj *b = kmem_zalloc(process_quota(p), sizeof *b, &err);  /* p holds it: p pays */

	if (!b)
		return NULL;
	kobj_init(&b->base, iface, &bound_ops);
	b->base.payer = process_quota(p);
	process_ref(p);
	b->p = p;
	return &b->base;
}

struct kobj *thread_spawner_create(struct process *p)
{
	return bound_create(CAPOS_IFACE_THREAD_SPAWNER, p);
}

struct kobj *thread_control_create(struct process *p)
{
	return bound_create(CAPOS_IFACE_THREAD_CONTROL, p);
}

static struct process *bound_process(struct kcall *call)
{
	return KOBJ_CONTAINER(call->obj, struct bound_obj, base)->p;
}

static bool user_addr(uint64_t va)
{
	return va >= CAPOS_USER_MIN && va < CAPOS_USER_MAX;
}

/* --- ThreadHandle --- */

static void handle_destroy(struct kobj *o)
{
	struct thread_handle *h = KOBJ_CONTAINER(o, struct thread_handle, base);
	uint64_t flags = sched_lock_irqsave();

	thread_unref_locked(h->t);
	sched_unlock_irqrestore(flags);
	kmem_free(o->payer, h);
}

static const struct kobj_ops handle_ops = { .destroy = handle_destroy };

static struct kobj *handle_create(struct thread *t, int *err)
{
	struct thread_handle *h = kmem_zalloc(t->q, sizeof *h, err);  /* the thread's process asked for it */
	uint64_t flags;

	if (!h)
		return NULL;
	kobj_init(&h->base, CAPOS_IFACE_THREAD_HANDLE, &handle_ops);
	h->base.payer = t->q;
	flags = sched_lock_irqsave();
	thread_ref_locked(t);
	sched_unlock_irqrestore(flags);
	h->t = t;
	return &h->base;
}

static int spawn_checks(struct process *p, const struct capos_thread_spawner_spawn_in *in)
{
	if (process_dying(p))
		return -CAPOS_EPEER;
	if (!user_addr(in->entry) || !user_addr(in->stack_top - 1) || in->stack_top > CAPOS_USER_MAX)
		return -CAPOS_EFAULT;
	if (in->stack_top % 16)
		return -CAPOS_EINVAL;
	if (in->fs_base && !user_addr(in->fs_base))
		return -CAPOS_EFAULT;
	return 0;
}

/* A thread spawned by a thread of its own process starts with the spawner's fault handler. */
static void inherit_fault_handler(struct kcall *call, struct process *p, struct thread *t)
{
	struct thread *spawner = call->ring->owner;

	if (spawner && spawner->proc == p && spawner->fault_handler)
		thread_set_fault_handler(t, spawner->fault_handler);
}

int kcap_thread_spawner_spawn(struct kcall *call, const struct capos_thread_spawner_spawn_in *in,
			      uint32_t in_len, struct capos_thread_spawner_spawn_out *out, uint32_t *out_len)
{
	struct process *p = bound_process(call);
	struct kobj *handle;
	struct ring *ring;
	struct thread *t;
	int64_t h;
	int err = spawn_checks(p, in);

	(void)in_len;
	if (err)
		return err;
	err = process_ring_new(p, &ring);
	if (err)
		return err;
	err = thread_create_user(p, in->entry, in->stack_top, in->arg, ring->user_va, in->fs_base, &t);
	if (err) {
		process_ring_drop(p, ring);
		return err;
	}
	t->ring = ring;
	ring->owner = t;
	err = process_add_thread(p, t);
	if (err) {
		uint64_t flags;

		process_ring_drop(p, ring);
		flags = sched_lock_irqsave();
		thread_unref_locked(t);
		sched_unlock_irqrestore(flags);
		return err;
	}
	handle = handle_create(t, &err);
	h = handle ? kcall_grant(call, handle, CAPOS_RIGHT_ALL) : err;
	if (handle)
		kobj_unref(handle);   /* the caller's slot holds it now, or it is freed */
	if (h < 0) {
		uint64_t flags;

		process_remove_new_thread(p, t);
		process_ring_drop(p, ring);
		flags = sched_lock_irqsave();
		thread_unref_locked(t);
		sched_unlock_irqrestore(flags);
		return (int)h;
	}
	out->thread = (uint32_t)h;
	out->thread_id = t->tid;
	out->ring = ring->user_va;
	*out_len = sizeof *out;
	inherit_fault_handler(call, p, t);
	sched_make_ready(t);
	return 0;
}

static void join_cancel(struct kop *k)
{
	struct thread *t = k->ctx;
	struct kop **link = &t->join_kops;

	while (*link && *link != k)
		link = &(*link)->next_waiter;
	if (*link)
		*link = k->next_waiter;
	k->next_waiter = NULL;
}

int kcap_thread_handle_join(struct kcall *call, const struct capos_thread_handle_join_in *in,
			    uint32_t in_len, struct capos_thread_handle_join_out *out, uint32_t *out_len)
{
	struct thread_handle *h = KOBJ_CONTAINER(call->obj, struct thread_handle, base);
	struct kop *k;
	uint64_t flags;

	(void)in; (void)in_len; (void)out; (void)out_len;
	/*
	 * No "cannot join itself" check: whichever thread of the process enters
	 * the kernel performs every queued SQE, so the current thread is not
	 * necessarily the submitter (an exiting thread used to fail its joiner's
	 * legitimate join with -CAPOS_EINVAL).  A real self-join just completes
	 * when the thread ends, like any other.
	 */
	if (h->joined || h->detached)
		return -CAPOS_EINVAL;             /* join once; never after detach */
	k = kcall_defer(call, sizeof *k);
	if (!k)
		return -CAPOS_EQUOTA;
	flags = sched_lock_irqsave();
	h->joined = true;
	k->ctx = h->t;
	k->cancel = join_cancel;
	k->next_waiter = h->t->join_kops;
	h->t->join_kops = k;
	if (h->t->exited)
		thread_complete_joins_locked(h->t);
	sched_unlock_irqrestore(flags);
	return KCALL_PENDING;
}

int kcap_thread_handle_detach(struct kcall *call, const struct capos_thread_handle_detach_in *in,
			      uint32_t in_len, struct capos_thread_handle_detach_out *out, uint32_t *out_len)
{
	struct thread_handle *h = KOBJ_CONTAINER(call->obj, struct thread_handle, base);

	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	if (h->joined || h->detached)
		return -CAPOS_EINVAL;
	h->detached = true;
	return 0;
}

/* --- ThreadControl: always the calling thread, which must belong to the bound process --- */

static struct thread *controlled_thread(struct kcall *call)
{
	struct thread *t = call->ring->owner;

	return t && t->proc == bound_process(call) ? t : NULL;
}

int kcap_thread_control_exit_process(struct kcall *call,
				     const struct capos_thread_control_exit_process_in *in, uint32_t in_len,
				     struct capos_thread_control_exit_process_out *out, uint32_t *out_len)
{
	(void)in_len; (void)out;
	*out_len = 0;
	if (!controlled_thread(call))
		return -CAPOS_EPERM;
	process_kill(bound_process(call), CAPOS_EXIT_NORMAL, in->exit_code);
	return 0;
}

int kcap_thread_control_exit(struct kcall *call, const struct capos_thread_control_exit_in *in,
			     uint32_t in_len, struct capos_thread_control_exit_out *out, uint32_t *out_len)
{
	struct thread *t = controlled_thread(call);

	(void)in_len; (void)out;
	*out_len = 0;
	if (!t)
		return -CAPOS_EPERM;
	t->exit_code = in->exit_code;
	t->exit_requested = true;
	return 0;
}

/* Unmap the range like VirtualMemory.unmap would (anonymous memory only), then leave as exit does. */
int kcap_thread_control_exit_unmap(struct kcall *call, const struct capos_thread_control_exit_unmap_in *in,
				   uint32_t in_len, struct capos_thread_control_exit_unmap_out *out,
				   uint32_t *out_len)
{
	struct thread *t = controlled_thread(call);
	int err;

	(void)in_len; (void)out;
	*out_len = 0;
	if (!t)
		return -CAPOS_EPERM;
	if (in->vaddr % CAPOS_PAGE_SIZE || !in->pages || in->pages > (CAPOS_USER_MAX - CAPOS_USER_MIN) / CAPOS_PAGE_SIZE)
		return -CAPOS_EINVAL;
	err = aspace_unmap(process_aspace(t->proc), in->vaddr, in->pages);
	if (err)
		return err;
	t->exit_code = in->exit_code;
	t->exit_requested = true;
	return 0;
}

int kcap_thread_control_set_fs_base(struct kcall *call, const struct capos_thread_control_set_fs_base_in *in,
				    uint32_t in_len, struct capos_thread_control_set_fs_base_out *out,
				    uint32_t *out_len)
{
	struct thread *t = controlled_thread(call);

	(void)in_len; (void)out;
	*out_len = 0;
	if (!t)
		return -CAPOS_EPERM;
	if (in->fs_base && !user_addr(in->fs_base))
		return -CAPOS_EFAULT;
	t->fs_base = in->fs_base;
	arch_set_fs_base(in->fs_base);
	return 0;
}

int kcap_thread_control_get_fs_base(struct kcall *call, const struct capos_thread_control_get_fs_base_in *in,
				    uint32_t in_len, struct capos_thread_control_get_fs_base_out *out,
				    uint32_t *out_len)
{
	struct thread *t = controlled_thread(call);

	(void)in; (void)in_len;
	if (!t)
		return -CAPOS_EPERM;
	out->fs_base = arch_get_fs_base();
	*out_len = sizeof *out;
	return 0;
}

int kcap_thread_control_self(struct kcall *call, const struct capos_thread_control_self_in *in,
			     uint32_t in_len, struct capos_thread_control_self_out *out, uint32_t *out_len)
{
	struct thread *t = controlled_thread(call);

	(void)in; (void)in_len;
	if (!t)
		return -CAPOS_EPERM;
	out->thread_id = t->tid;
	*out_len = sizeof *out;
	return 0;
}

/*
 * The calling thread's fault handler: a client capability of an Endpoint
 * (or a revocable copy of one: the copy is what the kernel keeps, so
 * revoking it ends the handler), held with TRANSFER — the kernel keeps it
 * beyond the handle, as a transfer would.  Handle 0 removes the handler.
 */
int kcap_thread_control_set_fault_handler(struct kcall *call,
					  const struct capos_thread_control_set_fault_handler_in *in,
					  uint32_t in_len, struct capos_thread_control_set_fault_handler_out *out,
					  uint32_t *out_len)
{
	struct thread *t = controlled_thread(call);
	struct cap_slot *slot;
	struct ep_core *core;
	struct kobj *o;
	int err;

	(void)in_len; (void)out;
	*out_len = 0;
	if (!t)
		return -CAPOS_EPERM;
	if (in->handler == CAPOS_CAP_NONE) {
		thread_set_fault_handler(t, NULL);
		return 0;
	}
	err = cap_lookup(process_caps(call->proc), in->handler, 0, &slot);
	if (err)
		return err;
	if (!(slot->rights & CAPOS_RIGHT_TRANSFER))
		return -CAPOS_EPERM;
	o = kobj_resolve(slot->object, &err);
	if (!o)
		return err;
	core = ep_client_core(o);
	if (!core)
		return -CAPOS_ETYPE;
	if (__atomic_load_n(&core->closed, __ATOMIC_RELAXED))
		return -CAPOS_EPEER;  /* no server can ever answer */
	thread_set_fault_handler(t, slot->object);
	return 0;
}
