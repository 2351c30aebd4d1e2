/*
 * Threads of the runtime over "threads" (ThreadSpawner), "thread"
 * (ThreadControl) and "vm".  Each thread gets one mapping laid out as
 *
 *   [guard page, unmapped] [stack ...] [struct capos_thread | TLS block | TCB]
 *
 * so its stack grows down towards the guard and its record (which holds
 * the thread's ring client), TLS and TCB sit above the stack top.  While
 * the process's fault handler runs (capos/fault.h), the same layout sits
 * at the top of a growable stack slot instead (fault.c): the stack is
 * mapped as asked and grows on demand down to the slot's guard page.  The
 * kernel starts the thread at capos_rt_thread_entry (crt0.S) with the TCB
 * in %rdi, its own ring's address in %rsi and FS base already set.
 *
 * Ending.  A joined thread's mapping is freed by its joiner.  A detached
 * thread frees its own: life goes RUNNING -> DETACHED (capos_thread_detach)
 * or RUNNING -> ENDING (the thread, when fn returns) by compare-and-swap,
 * so exactly one side wins: a thread that finds itself DETACHED ends with
 * ThreadControl.exit_unmap, which unmaps the mapping after the thread's
 * last user instruction; a detach that finds the thread ENDING joins it
 * as a joiner would.
 */
#include <capos/prot.h>
#include <capos/rt.h>
#include "rt_internal.h"

enum thread_life { LIFE_RUNNING = 0, LIFE_DETACHED = 1, LIFE_ENDING = 2 };

struct capos_thread {
	struct capos_tcb *tcb;
	capos_thread_fn fn;
	void *arg;
	uint32_t handle;                           /* ThreadHandle */
	uint32_t id;
	uint32_t life;                             /* enum thread_life, atomic */
	uint8_t *base;                             /* the mapping, guard page first */
	uint64_t pages;                            /* including the guard */
	int32_t stack_slot;                        /* a growable stack's slot (fault.c), or -1 */
	struct capos_ring_client ring;             /* the thread's own ring client */
};

__attribute__((noreturn)) void capos_rt_thread_main(struct capos_tcb *tcb, uint64_t ring_addr);
extern char capos_rt_thread_entry[];

/* The mapping without its guard page (already unmapped). */
static void *thread_mapping(const struct capos_thread *t, uint64_t *pages)
{
	if (t->stack_slot >= 0)
		return rt_stack_mapping(t->stack_slot, pages);
	*pages = t->pages - 1;
	return t->base + CAPOS_PAGE_SIZE;
}

__attribute__((noreturn)) static void end_detached(struct capos_thread *t, int64_t code)
{
	struct capos_thread_control_exit_unmap_in in = { .exit_code = code };
	void *base = thread_mapping(t, &in.pages);

	in.vaddr = (uint64_t)(uintptr_t)base;
	if (t->stack_slot >= 0)
		rt_stack_release(t->stack_slot);  /* a new thread cannot map over it until it is unmapped */
	capos_thread_control_exit_unmap(capos_ring(), rt_cap(RT_CAP_THREAD), &in);
	capos_thread_exit(code);  /* the kernel refused the unmap: end anyway (the mapping stays) */
}

void capos_rt_thread_main(struct capos_tcb *tcb, uint64_t ring_addr)
{
	struct capos_thread *t = tcb->thread;
	uint32_t running = LIFE_RUNNING;
	int64_t code;

	if (capos_ring_attach(&t->ring, (void *)(uintptr_t)ring_addr) != 0)
		for (;;)
			__asm__ volatile("ud2");
	capos_ring_set_clock(&t->ring, rt_clock);
	tcb->ring = &t->ring;
	code = t->fn(t->arg);
	capos_libc_thread_end();
	if (!__atomic_compare_exchange_n(&t->life, &running, LIFE_ENDING, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		end_detached(t, code);
	capos_thread_exit(code);
}

uint32_t capos_thread_id(const struct capos_thread *t)
{
	return t->id;
}

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + CAPOS_PAGE_SIZE - 1) / CAPOS_PAGE_SIZE;
}

/* Map the thread's memory and lay out record, TLS and TCB; NULL on failure. */
static struct capos_thread *thread_memory(size_t stack_size)
{
	struct rt_tls_image img;
	uint64_t stack_pages, tls_bytes, pages;
	struct capos_thread *t;
	int32_t slot = -1;
	uint8_t *base;

	rt_tls_image(capos_bootstrap(), &img);
	stack_pages = pages_for(stack_size ? stack_size : CAPOS_THREAD_STACK_DEFAULT);
	tls_bytes = sizeof *t + rt_tls_area_size(&img);
	pages = 1 + stack_pages + pages_for(tls_bytes);
	base = rt_stack_map(pages - 1, &slot);
	if (base) {
		t = (struct capos_thread *)(base + stack_pages * CAPOS_PAGE_SIZE);
		t->stack_slot = slot;
	} else {
		base = capos_pages_alloc(pages);
		if (!base)
			return NULL;
		capos_pages_free(base, 1);  /* the guard page */
		t = (struct capos_thread *)(base + (1 + stack_pages) * CAPOS_PAGE_SIZE);
		t->base = base;
		t->pages = pages;
		t->stack_slot = -1;
	}
	t->tcb = rt_tls_setup(t + 1, (size_t)(tls_bytes - sizeof *t), &img);
	t->tcb->thread = t;
	return t;
}

/* Unmap the thread's memory (its record included) and give its stack slot back. */
static void thread_unmap(struct capos_thread *t)
{
	uint64_t pages;
	void *base = thread_mapping(t, &pages);
	int32_t slot = t->stack_slot;

	capos_pages_free(base, pages);
	if (slot >= 0)
		rt_stack_release(slot);
}

static void thread_free(struct capos_thread *t)
{
	capos_release(capos_ring(), t->handle);
	thread_unmap(t);
}

int capos_thread_create(struct capos_thread **out, capos_thread_fn fn, void *arg, size_t stack_size)
{
	struct capos_thread_spawner_spawn_in in;
	struct capos_thread_spawner_spawn_out res = { 0 };
	uint32_t cap = rt_cap(RT_CAP_THREADS);
	struct capos_thread *t;
	int err;

	if (!cap || !rt_cap(RT_CAP_THREAD) || !rt_cap(RT_CAP_VM))
		return -CAPOS_ENOENT;
	t = thread_memory(stack_size);
	if (!t)
		return capos_errno < 0 ? capos_errno : -CAPOS_ENOMEM;  /* the kernel's word (a quota, say) */
	t->fn = fn;
	t->arg = arg;
	in = (struct capos_thread_spawner_spawn_in){
		.entry = (uint64_t)(uintptr_t)capos_rt_thread_entry,
		.stack_top = (uint64_t)(uintptr_t)t,
		.arg = (uint64_t)(uintptr_t)t->tcb,
		.fs_base = (uint64_t)(uintptr_t)t->tcb,
	};
	err = capos_thread_spawner_spawn(capos_ring(), cap, &in, &res);
	if (err) {
		thread_unmap(t);
		return err;
	}
	t->handle = res.thread;
	t->id = res.thread_id;
	*out = t;
	return 0;
}

int capos_thread_join(struct capos_thread *t, int64_t *code)
{
	struct capos_thread_handle_join_out res = { 0 };
	int err = capos_thread_handle_join(capos_ring(), t->handle, &res);

	if (err)
		return err;
	if (code)
		*code = res.exit_code;
	thread_free(t);
	return 0;
}

int capos_thread_detach(struct capos_thread *t)
{
	uint32_t running = LIFE_RUNNING;
	uint32_t handle = t->handle;  /* once detached, t may vanish at any moment */

	if (__atomic_compare_exchange_n(&t->life, &running, LIFE_DETACHED, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		capos_release(capos_ring(), handle);  /* the thread frees its memory itself */
		return 0;
	}
	if (running == LIFE_DETACHED)
		return -CAPOS_EINVAL;
	return capos_thread_join(t, NULL);  /* it is ending already: finish the job now */
}

int capos_bare_thread_start(struct capos_bare_thread *b, uint64_t ring_addr)
{
	struct capos_thread_control_set_fs_base_in in = { .fs_base = (uint64_t)(uintptr_t)&b->tcb };
	uint32_t cap = rt_cap(RT_CAP_THREAD);
	int err = capos_ring_attach(&b->ring, (void *)(uintptr_t)ring_addr);

	if (err)
		return err;
	if (!cap)
		return -CAPOS_ENOENT;
	capos_ring_set_clock(&b->ring, rt_clock);
	b->tcb = (struct capos_tcb){ .self = &b->tcb, .ring = &b->ring };
	return capos_thread_control_set_fs_base(&b->ring, cap, &in);
}
