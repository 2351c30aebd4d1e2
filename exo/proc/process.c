/*
 * Process life cycle (see process.h): creation with quota, address space,
 * capability table, ring and bootstrap page; program loading; capability
 * grants; killing; teardown by the last thread; exit notification.
 */
#include <stddef.h>
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/prot.h>
#include "process.h"
#include "aspace.h"
#include "sched.h"
#include "thread.h"
#include "userboot.h"
#include "../cap/kobj.h"
#include "../cap/ring.h"
#include "../dev/ioport.h"
#include "../kern/clock.h"
#include "../kern/log.h"
#include "../kern/panic.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../dev/pci.h"

static uint32_t next_pid = 1;
static uint32_t live_processes;

uint32_t process_count(void)
{
	return __atomic_load_n(&live_processes, __ATOMIC_RELAXED);
}

void process_activate(struct process *p)
{
	aspace_activate(p ? p->as : NULL);
	ioport_activate(p);
}

void process_ref(struct process *p)
{
	__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
}

void process_unref(struct process *p)
{
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		KASSERT(p->state == PROC_DEAD);
		kmem_free(p->struct_q, p);
	}
}

int process_ring_new(struct process *p, struct ring **out)
{
	uint64_t phys[16];
	uint64_t pages, flags;
	struct ring *r;
	int err = ring_create(p, &r);

	if (err)
		return err;
	pages = ring_size(r) / PAGE_SIZE;
	KASSERT(pages <= 16);
	for (uint64_t i = 0; i < pages; i++)
		phys[i] = r->phys + i * PAGE_SIZE;
	err = aspace_map_frames(p->as, 0, phys, pages, CAPOS_PROT_READ | CAPOS_PROT_WRITE, VMA_RING,
				&r->user_va);
	if (err) {
		ring_destroy(r);
		return err;
	}
	flags = spin_lock_irqsave(&p->lock);
	r->next_in_proc = p->rings;
	p->rings = r;
	spin_unlock_irqrestore(&p->lock, flags);
	*out = r;
	return 0;
}

void process_ring_drop(struct process *p, struct ring *r)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	struct ring **link = &p->rings;

	while (*link && *link != r)
		link = &(*link)->next_in_proc;
	if (*link)
		*link = r->next_in_proc;
	spin_unlock_irqrestore(&p->lock, flags);
	aspace_remove(p->as, r->user_va, ring_size(r) / PAGE_SIZE);
	ring_destroy(r);
}

static int map_bootstrap(struct process *p)
{
	int err = quota_charge_frames(p->q, 1);

	if (err)
		return err;
	if (frame_alloc(&p->bootstrap_phys) != 0) {
		quota_release_frames(p->q, 1);
		return -CAPOS_ENOMEM;
	}
	p->boot = phys_to_virt(p->bootstrap_phys);
	err = aspace_map_frames(p->as, 0, &p->bootstrap_phys, 1, CAPOS_PROT_READ, VMA_RING,
				&p->bootstrap_va);
	if (err)
		return err;
	p->boot->magic = CAPOS_BOOTSTRAP_MAGIC;
	p->boot->version = CAPOS_BOOTSTRAP_VERSION;
	p->boot->ring_addr = p->rings->user_va;  /* the main thread's, made just before */
	p->boot->ring_size = (uint32_t)ring_size(p->rings);
	p->boot->pid = p->pid;
	p->boot->tsc_hz = tsc_hz();
	clock_params(&p->boot->clock_tsc_base, &p->boot->clock_ns_mult);
	memcpy(p->boot->name, p->name, sizeof p->name);
	return 0;
}

static int alloc_tables(struct process *p, const struct quota_limits *limits)
{
	int err;

	p->cap_slots = kmem_zalloc(p->q, sizeof(struct cap_slot) * (limits->caps + 1), &err);
	if (!p->cap_slots)
		return err;
	return cap_table_init(&p->caps, p->cap_slots, limits->caps + 1);
}

int process_create(const char *name, const struct quota_limits *limits, struct process **out)
{
	struct process *p;
	struct quota *q;
	struct ring *ring;
	int err;

	if (limits->caps < 1 || limits->caps >= CAPOS_CAP_MAX_SLOTS || limits->threads < 1)
		return -CAPOS_EINVAL;
	q = quota_create(limits);
	if (!q)
		return -CAPOS_ENOMEM;
	p = kmem_zalloc(q, sizeof *p, &err);  /* the struct is the process's own cost too */
	if (!p) {
		quota_put(q);
		return err;
	}
	p->q = q;
	p->struct_q = q;
	p->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
	p->refs = 1;
	for (size_t i = 0; name[i] && i + 1 < sizeof p->name; i++)
		p->name[i] = name[i];
	err = alloc_tables(p, limits);
	if (!err)
		err = aspace_create(p->q, &p->as);
	if (!err)
		err = process_ring_new(p, &ring);
	if (err) {
		process_abandon(p);
		return err;
	}
	*out = p;
	return 0;
}

static void copy_args(struct capos_bootstrap *b, const char *args)
{
	size_t i = 0;

	for (; args && args[i] && i + 1 < sizeof b->args; i++)
		b->args[i] = args[i];
	b->args[i] = '\0';
}

int process_load_userboot(struct process *p, const char *args)
{
	const struct capos_userboot_header *ub;
	uint64_t stack_top;
	int err = map_bootstrap(p);

	if (!err)
		err = userboot_map(p->as, &ub);
	if (!err)
		err = aspace_map_stack(p->as, CAPOS_USER_STACK_TOP, PROCESS_STACK_PAGES, 1, &stack_top);
	if (err)
		return err;
	p->boot->tls_image = ub->tls_image;
	p->boot->tls_filesz = ub->tls_filesz;
	p->boot->tls_memsz = ub->tls_memsz;
	p->boot->tls_align = ub->tls_align;
	p->boot->heap_start = ub->heap_start;
	p->boot->stack_top = stack_top;
	p->boot->stack_size = PROCESS_STACK_PAGES * PAGE_SIZE;
	copy_args(p->boot, args);
	return process_make_main_thread(p, ub->entry, stack_top, p->bootstrap_va, p->rings->user_va, 0);
}

int process_make_main_thread(struct process *p, uint64_t entry, uint64_t stack, uint64_t arg0, uint64_t arg1,
			     uint64_t fs_base)
{
	struct thread *t;
	int err;

	if (p->main_thread || p->started)
		return -CAPOS_EBUSY;
	err = thread_create_user(p, entry, stack, arg0, arg1, fs_base, &t);
	if (err)
		return err;
	t->ring = p->rings;
	t->ring->owner = t;
	p->q->threads_used = 1;
	p->main_thread = t;
	p->threads = t;
	p->live_threads = 1;
	return 0;
}

int64_t process_cap_insert(struct process *p, struct kobj *obj, uint32_t rights)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	int64_t h = -CAPOS_EPEER;

	if (p->state == PROC_LIVE)
		h = cap_insert(&p->caps, obj, obj->iface, obj->iface, rights);
	spin_unlock_irqrestore(&p->lock, flags);
	if (h > 0)
		kobj_ref(obj);
	return h;
}

int process_cap_remove(struct process *p, uint32_t handle, void **obj)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	int err = cap_remove(&p->caps, handle, obj);

	spin_unlock_irqrestore(&p->lock, flags);
	if (!err)
		ioport_slot_dropped(p);  /* its last handle to a port range may have gone */
	return err;
}

bool process_holds_locked(struct process *p, const struct kobj *o)
{
	for (uint32_t i = 1; p->cap_slots && i < p->caps.capacity; i++) {
		const struct cap_slot *s = &p->cap_slots[i];
		int err;

		if (s->state == CAP_SLOT_FREE || s->iface != o->iface || !s->object)
			continue;
		if (kobj_resolve(s->object, &err) == o)
			return true;
	}
	return false;
}

int64_t process_grant(struct process *p, const char *name, struct kobj *obj, uint32_t rights)
{
	struct capos_bootstrap *b = p->boot;
	struct capos_bootstrap_cap *c;
	int64_t h;

	if (b->cap_count >= CAPOS_BOOTSTRAP_MAX_CAPS || strlen(name) >= CAPOS_CAP_NAME_MAX)
		return -CAPOS_ERANGE;
	h = process_cap_insert(p, obj, rights);
	if (h < 0)
		return h;
	c = &b->caps[b->cap_count++];
	memcpy(c->name, name, strlen(name) + 1);
	c->handle = (uint32_t)h;
	c->iface = obj->iface;
	return h;
}

void process_start(struct process *p)
{
	p->started = true;
	__atomic_fetch_add(&live_processes, 1, __ATOMIC_RELAXED);
	kinfo("process %u (%s) started", p->pid, p->name);
	sched_make_ready(p->main_thread);
}

int process_add_thread(struct process *p, struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	int err = 0;

	if (p->state != PROC_LIVE)
		err = -CAPOS_EPEER;
	else if (p->q->threads_used >= p->q->threads_max)
		err = -CAPOS_EQUOTA;
	if (!err) {
		p->q->threads_used++;
		p->live_threads++;
		t->proc_next = p->threads;
		p->threads = t;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return err;
}

/* Take t off p's thread list (p->lock held). */
static void unlink_thread_locked(struct process *p, struct thread *t)
{
	struct thread **link = &p->threads;

	while (*link && *link != t)
		link = &(*link)->proc_next;
	if (*link)
		*link = t->proc_next;
	t->proc_next = NULL;
}

void process_remove_new_thread(struct process *p, struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);

	KASSERT(t->state == THREAD_NEW);
	unlink_thread_locked(p, t);
	p->q->threads_used--;
	p->live_threads--;
	spin_unlock_irqrestore(&p->lock, flags);
}

int process_ring_op_charge(struct process *p)
{
	uint32_t used = __atomic_load_n(&p->q->ring_ops_used, __ATOMIC_RELAXED);

	do {
		if (used >= p->q->ring_ops_max)
			return -CAPOS_EQUOTA;
	} while (!__atomic_compare_exchange_n(&p->q->ring_ops_used, &used, used + 1, 1,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return 0;
}

void process_ring_op_done(struct process *p)
{
	__atomic_fetch_sub(&p->q->ring_ops_used, 1, __ATOMIC_RELAXED);
}

/* Wake every blocked thread of p so it notices it must leave.  sched_lock held. */
static void wake_threads_locked(struct process *p)
{
	for (struct thread *t = p->threads; t; t = t->proc_next)
		if (t->state == THREAD_BLOCKED)
			sched_wake_thread_locked(t, WAKE_KILLED);
}

void process_kill(struct process *p, uint32_t reason, int64_t code)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	uint64_t sflags;

	if (p->state == PROC_LIVE) {
		p->state = PROC_DYING;
		p->exit_reason = reason;
		p->exit_code = code;
	}
	if (p->state == PROC_DYING) {
		sflags = sched_lock_irqsave();
		wake_threads_locked(p);
		sched_unlock_irqrestore(sflags);
	}
	spin_unlock_irqrestore(&p->lock, flags);
}

static void release_caps(struct process *p)
{
	for (uint32_t i = 1; i < p->caps.capacity; i++) {
		struct cap_slot *s = &p->cap_slots[i];

		if (s->state != CAP_SLOT_FREE && s->object)
			kobj_unref(s->object);
		s->object = NULL;
	}
}

static void complete_exit_waiters(struct process *p)
{
	struct capos_process_handle_wait_out result = { .exit_code = p->exit_code, .reason = p->exit_reason };
	uint64_t flags = sched_lock_irqsave();

	while (p->exit_waiters) {
		struct kop *k = p->exit_waiters;

		p->exit_waiters = k->next_waiter;
		memcpy(k->out, &result, sizeof result);
		k->out_len = sizeof result;
		kop_finish_locked(k, 0);
	}
	sched_unlock_irqrestore(flags);
}

/*
 * Free everything but the struct.  Runs on p's last thread, or on the
 * spawner's thread for a child that never started (process_abandon): only
 * in the first case is p's space the active one, to be left for the
 * kernel's — switching away from the spawner's would return it to user
 * mode without its memory (and its ports).
 */
static void teardown(struct process *p)
{
	if (p->as && aspace_is_active(p->as))
		process_activate(NULL);
	ioport_process_exit(p);  /* before the ranges themselves may go with the capabilities */
	release_caps(p);
	while (p->rings) {
		struct ring *r = p->rings;

		p->rings = r->next_in_proc;
		ring_destroy(r);  /* the address space goes next: no need to unmap */
	}
	pci_process_exit(p);  /* devices it drove stop reaching memory (and its space) first */
	if (p->as)
		aspace_destroy(p->as);
	p->as = NULL;
	if (p->bootstrap_phys) {
		frame_free(p->bootstrap_phys);
		quota_release_frames(p->q, 1);
	}
	p->bootstrap_phys = 0;
	kmem_free(p->q, p->cap_slots);
	p->cap_slots = NULL;
	if (p->q)
		quota_put(p->q);
	p->q = NULL;
}

void process_thread_exited(struct process *p, struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool last;

	/* The reaper frees t later: it must not stay reachable from p. */
	unlink_thread_locked(p, t);
	p->live_threads--;
	p->q->threads_used--;
	last = p->live_threads == 0;
	if (last) {
		if (p->state == PROC_LIVE) {
			p->exit_reason = CAPOS_EXIT_NORMAL;
			p->exit_code = t->exit_code;
		}
		p->state = PROC_DEAD;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	if (!last) {
		if (t->ring)
			process_ring_drop(p, t->ring);  /* its pending operations end with it */
		t->ring = NULL;
		return;
	}
	kinfo("process %u (%s) exited: %s, code %lld", p->pid, p->name,
	      p->exit_reason == CAPOS_EXIT_NORMAL ? "normal" :
	      p->exit_reason == CAPOS_EXIT_KILLED ? "killed" : "fault", (long long)p->exit_code);
	teardown(p);
	if (p->started)
		__atomic_fetch_sub(&live_processes, 1, __ATOMIC_RELAXED);
	complete_exit_waiters(p);
	if (p->on_exit)
		p->on_exit(p);
	process_unref(p);
}

static void cancel_exit_wait(struct kop *k)
{
	struct process *p = k->ctx;
	struct kop **link = &p->exit_waiters;

	while (*link && *link != k)
		link = &(*link)->next_waiter;
	if (*link)
		*link = k->next_waiter;
	k->next_waiter = NULL;
}

void process_wait_exit(struct process *p, struct kop *k)
{
	uint64_t flags = sched_lock_irqsave();

	if (p->state == PROC_DEAD) {
		struct capos_process_handle_wait_out result = { .exit_code = p->exit_code,
								 .reason = p->exit_reason };

		memcpy(k->out, &result, sizeof result);
		k->out_len = sizeof result;
		kop_finish_locked(k, 0);
	} else {
		k->ctx = p;
		k->cancel = cancel_exit_wait;
		k->next_waiter = p->exit_waiters;
		p->exit_waiters = k;
	}
	sched_unlock_irqrestore(flags);
}

void process_abandon(struct process *p)
{
	p->state = PROC_DEAD;
	if (p->main_thread) {
		uint64_t flags = sched_lock_irqsave();

		thread_unref_locked(p->main_thread);
		sched_unlock_irqrestore(flags);
	}
	teardown(p);
	process_unref(p);
}

/* The caller holds a reference (a ProcessHandle's), so p outlives the abandon. */
void process_discard_unstarted(struct process *p, uint32_t reason, int64_t code)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool discard = !p->started && p->state == PROC_LIVE;

	if (discard) {
		p->exit_reason = reason;
		p->exit_code = code;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	if (!discard)
		return;
	kinfo("process %u (%s) ended before it started", p->pid, p->name);
	process_abandon(p);
	complete_exit_waiters(p);
}

void process_describe(struct process *p, struct capos_process_handle_info_out *out)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);

	memset(out, 0, sizeof *out);
	out->pid = p->pid;
	if (p->state == PROC_DEAD) {
		out->state = CAPOS_PROC_DEAD;
		out->exit_code = p->exit_code;
		out->reason = p->exit_reason;
	} else {
		out->state = p->state == PROC_DYING ? CAPOS_PROC_DYING : p->started ? CAPOS_PROC_LIVE : CAPOS_PROC_NEW;
		out->threads = p->live_threads;
		out->caps = p->caps.live;
		out->frames = quota_frames_used(p->q);
		out->kmem = quota_kmem_used(p->q);
	}
	memcpy(out->name, p->name, sizeof out->name < sizeof p->name ? sizeof out->name : sizeof p->name);
	out->name[sizeof out->name - 1] = '\0';
	spin_unlock_irqrestore(&p->lock, flags);
}
