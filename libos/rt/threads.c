/*
 * Threads of the runtime over "threads" (ThreadSpawner), "thread"
 * (ThreadControl) and "vm".  Each thread gets one mapping laid out as
 *
 *   [guard page, unmapped] [stack ...] [struct capos_thread | TLS block | TCB]
 *
 * so its stack grows down towards the guard and its record, TLS and TCB
 * sit above the stack top.  The kernel starts the thread at
 * capos_rt_thread_entry (crt0.S) with the TCB in %rdi and FS base already
 * set.  Joining frees the mapping; a detached thread is joined privately
 * (an async ThreadHandle.join only the runtime sees) and its mapping is
 * reclaimed by the next create, join or detach after it has ended.
 */
#include <capos/prot.h>
#include <capos/rt.h>
#include "rt_internal.h"

struct capos_thread {
	struct capos_tcb *tcb;
	capos_thread_fn fn;
	void *arg;
	uint32_t handle;                           /* ThreadHandle */
	uint32_t id;
	uint8_t *base;                             /* the mapping, guard page first */
	uint64_t pages;                            /* including the guard */
	uint64_t join_ud;                          /* detached: the private join */
	struct capos_thread_handle_join_out join_out;
	struct capos_thread *next;                 /* detached list */
};

static struct capos_mutex detached_lock = CAPOS_MUTEX_INIT;
static struct capos_thread *detached;

__attribute__((noreturn)) void capos_rt_thread_main(struct capos_tcb *tcb);
extern char capos_rt_thread_entry[];

void capos_rt_thread_main(struct capos_tcb *tcb)
{
	struct capos_thread *t = tcb->thread;
	int64_t code = t->fn(t->arg);

	capos_libc_thread_end();
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
	uint8_t *base;

	rt_tls_image(capos_bootstrap(), &img);
	stack_pages = pages_for(stack_size ? stack_size : CAPOS_THREAD_STACK_DEFAULT);
	tls_bytes = sizeof *t + rt_tls_area_size(&img);
	pages = 1 + stack_pages + pages_for(tls_bytes);
	base = capos_pages_alloc(pages);
	if (!base)
		return NULL;
	capos_pages_free(base, 1);  /* the guard page */
	t = (struct capos_thread *)(base + (1 + stack_pages) * CAPOS_PAGE_SIZE);
	*t = (struct capos_thread){ .base = base, .pages = pages };
	t->tcb = rt_tls_setup(t + 1, (size_t)(tls_bytes - sizeof *t), &img);
	t->tcb->thread = t;
	return t;
}

static void thread_free(struct capos_thread *t)
{
	capos_release(capos_ring(), t->handle);
	capos_pages_free(t->base + CAPOS_PAGE_SIZE, t->pages - 1);
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
	rt_threads_reap();
	capos_ring_set_shared(capos_ring());
	t = thread_memory(stack_size);
	if (!t)
		return -CAPOS_ENOMEM;
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
		capos_pages_free(t->base + CAPOS_PAGE_SIZE, t->pages - 1);
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
	rt_threads_reap();
	return 0;
}

int capos_thread_detach(struct capos_thread *t)
{
	struct capos_sqe s;
	int err;

	capos_sqe_call(&s, 0, t->handle, CAPOS_IFACE_THREAD_HANDLE, CAPOS_THREAD_HANDLE_JOIN, NULL, 0,
		       &t->join_out, sizeof t->join_out);
	err = capos_submit_async(capos_ring(), &s, 1, &t->join_ud);
	if (err)
		return err;
	capos_mutex_lock(&detached_lock);
	t->next = detached;
	detached = t;
	capos_mutex_unlock(&detached_lock);
	rt_threads_reap();
	return 0;
}

void rt_threads_reap(void)
{
	struct capos_thread **p, *done = NULL;
	struct capos_completion c;

	capos_mutex_lock(&detached_lock);
	for (p = &detached; *p;) {
		struct capos_thread *t = *p;

		if (capos_ring_wait(capos_ring(), t->join_ud, 0, &c) != 0) {
			p = &t->next;
			continue;
		}
		*p = t->next;
		t->next = done;
		done = t;
	}
	capos_mutex_unlock(&detached_lock);
	while (done) {
		struct capos_thread *t = done;

		done = t->next;
		thread_free(t);
	}
}
