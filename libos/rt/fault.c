/*
 * The process's fault handler (capos/fault.h) and the growable thread
 * stacks it serves.
 *
 * Stacks.  While the handler runs, each new thread's stack lives in a slot
 * of CAPOS_FAULT_STACK_MAX bytes in a window near the top of the user half:
 *
 *   [guard page] [room to grow, unmapped ...] [stack as asked | record, TLS, TCB]
 *
 * only the right-hand part mapped at creation.  A page fault between the
 * guard and the lowest mapped page maps everything from the faulting page
 * up, so a slot's mapping stays one range [low, end) that the thread's
 * joiner (or the thread, detached) unmaps whole.  The window lies far
 * above where the kernel places memory it picks itself (first fit from
 * CAPOS_USER_MAP_BASE up), so nothing else lands in the room or on the
 * guard unless the rest of the user half is taken; and growth maps at
 * fixed addresses, which the kernel refuses over anything already there.
 *
 * The handler thread serves the endpoint alone, one fault at a time; the
 * faulting thread waits meanwhile, so a slot's low mark changes only while
 * its own thread is stopped.
 */
#include <capos/fault.h>
#include <capos/ipc.h>
#include <capos/prot.h>
#include <capos/rt.h>
#include "rt_internal.h"

#define STACK_WINDOW 0x00007f0000000000ull
#define STACK_SLOTS 256u
#define SLOT_BYTES CAPOS_FAULT_STACK_MAX
#define FAULT_SERVICE_IFACE 0x1f00u   /* the client capability's own id: the kernel's message says CAPOS_IFACE_FAULT */

struct stack_slot {
	uint32_t used;   /* atomic: taken by a thread */
	uint64_t low;    /* atomic: lowest mapped address */
};

static struct stack_slot slots[STACK_SLOTS];
enum handler_state { HANDLER_NONE, HANDLER_STARTING, HANDLER_RUNNING };

static uint32_t running;          /* atomic enum handler_state: one start at a time, once */
static uint32_t endpoint;         /* its Endpoint (receive side) */
static capos_fault_hook_fn hook;
static void *hook_arg;
static struct capos_fault_stats stats;  /* relaxed atomics */
static struct capos_thread *handler_thread;
static uint8_t recv_buf[CAPOS_IPC_RECV_BUF(sizeof(struct capos_fault_msg))] __attribute__((aligned(16)));

static uint64_t slot_base(uint32_t i)
{
	return STACK_WINDOW + (uint64_t)i * SLOT_BYTES;
}

static int map_fixed(uint64_t vaddr, uint64_t pages)
{
	struct capos_virtual_memory_map_in in = { .vaddr = vaddr, .pages = pages,
						  .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	struct capos_virtual_memory_map_out out = { 0 };
	uint32_t vm = rt_cap(RT_CAP_VM);
	int err;

	if (!vm)
		return -CAPOS_ENOENT;
	err = capos_virtual_memory_map(capos_ring(), vm, &in, &out);
	if (!err && out.vaddr != vaddr)
		err = -CAPOS_ENOMEM;
	return err;
}

/* ------------------------------------------------ stacks (threads.c) */

void *rt_stack_map(uint64_t pages, int32_t *slot)
{
	if (!capos_fault_running() || pages + 1 > SLOT_BYTES / CAPOS_PAGE_SIZE)
		return NULL;
	for (uint32_t i = 0; i < STACK_SLOTS; i++) {
		uint32_t free = 0;
		uint64_t low = slot_base(i + 1) - pages * CAPOS_PAGE_SIZE;
		int err;

		if (!__atomic_compare_exchange_n(&slots[i].used, &free, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		err = map_fixed(low, pages);
		if (err) {
			__atomic_store_n(&slots[i].used, 0, __ATOMIC_RELEASE);
			if (err == -CAPOS_EEXIST)
				continue;  /* a detached thread's stack on its way out */
			capos_errno = err;
			return NULL;
		}
		__atomic_store_n(&slots[i].low, low, __ATOMIC_RELEASE);
		*slot = (int32_t)i;
		return (void *)(uintptr_t)low;
	}
	return NULL;
}

void *rt_stack_mapping(int32_t slot, uint64_t *pages)
{
	uint64_t low = __atomic_load_n(&slots[slot].low, __ATOMIC_ACQUIRE);

	*pages = (slot_base((uint32_t)slot + 1) - low) / CAPOS_PAGE_SIZE;
	return (void *)(uintptr_t)low;
}

void rt_stack_release(int32_t slot)
{
	__atomic_store_n(&slots[slot].used, 0, __ATOMIC_RELEASE);
}

/* A page fault in the window: grow the stack (0), or a guard hit / not ours (an error). */
static int grow_stack(const struct capos_fault_msg *m)
{
	uint64_t addr = m->addr, page = addr & ~(uint64_t)(CAPOS_PAGE_SIZE - 1), low;
	uint32_t i;
	int err;

	if (m->vector != 14 || addr < STACK_WINDOW || addr >= slot_base(STACK_SLOTS))
		return -CAPOS_ENOENT;
	i = (uint32_t)((addr - STACK_WINDOW) / SLOT_BYTES);
	if (!__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE) || page == slot_base(i))
		return -CAPOS_EFAULT;  /* a freed slot, or the guard page: a stack overflow */
	low = __atomic_load_n(&slots[i].low, __ATOMIC_ACQUIRE);
	if (addr >= low)
		return (m->error & 1) ? -CAPOS_EFAULT : 0;  /* mapped already: a protection fault is real */
	err = map_fixed(page, (low - page) / CAPOS_PAGE_SIZE);
	if (err)
		return err;
	__atomic_store_n(&slots[i].low, page, __ATOMIC_RELEASE);
	__atomic_fetch_add(&stats.grown_pages, (low - page) / CAPOS_PAGE_SIZE, __ATOMIC_RELAXED);
	return 0;
}

/* ----------------------------------------------------------- handler */

static int decide(const struct capos_fault_msg *m)
{
	int err = grow_stack(m);
	capos_fault_hook_fn fn = __atomic_load_n(&hook, __ATOMIC_ACQUIRE);

	if (err == -CAPOS_ENOENT && fn)
		err = fn(m, hook_arg);
	return err;
}

/* One fault: an empty reply resumes the thread; a status ends its process. */
static void serve(const struct capos_ipc_request *req)
{
	struct capos_fault_msg m;

	if (req->iface != CAPOS_IFACE_FAULT || req->params_len != sizeof m) {
		capos_ipc_return_status(req->token, -CAPOS_EINVAL);  /* not the kernel's: a stray client */
		return;
	}
	__builtin_memcpy(&m, req->params, sizeof m);
	__atomic_fetch_add(&stats.faults, 1, __ATOMIC_RELAXED);
	if (decide(&m) == 0) {
		capos_ipc_return(req->token, NULL, 0, NULL, 0);
		return;
	}
	__atomic_fetch_add(&stats.refused, 1, __ATOMIC_RELAXED);
	capos_ipc_return_status(req->token, -CAPOS_EFAULT);
}

static int64_t handler_main(void *arg)
{
	struct capos_thread_control_set_fault_handler_in none = { .handler = CAPOS_CAP_NONE };
	struct capos_ipc_request req;

	(void)arg;
	/* No handler of its own: a fault here ends the process rather than waiting for itself. */
	capos_thread_control_set_fault_handler(capos_ring(), rt_cap(RT_CAP_THREAD), &none);
	for (;;) {
		int err = capos_ipc_recv(endpoint, recv_buf, sizeof recv_buf, &req);

		if (!err)
			serve(&req);
		else if (err == -CAPOS_EQUOTA)
			capos_sleep_ns(1000000);  /* no ring operation to wait with: try again shortly */
		else
			return err;  /* the endpoint is gone (capos_fault_start failed, or the process ends) */
	}
}

int capos_fault_start(void)
{
	struct capos_thread_control_set_fault_handler_in in = { 0 };
	uint32_t client = 0, none = HANDLER_NONE;
	int err;

	if (!__atomic_compare_exchange_n(&running, &none, HANDLER_STARTING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return -CAPOS_EBUSY;
	err = rt_cap(RT_CAP_THREAD) ? capos_endpoint_create(FAULT_SERVICE_IFACE, &endpoint, &client) : -CAPOS_ENOENT;
	if (err) {
		__atomic_store_n(&running, HANDLER_NONE, __ATOMIC_RELEASE);
		return err;
	}
	err = capos_thread_create(&handler_thread, handler_main, NULL, 0);
	if (!err) {
		in.handler = client;
		err = capos_thread_control_set_fault_handler(capos_ring(), rt_cap(RT_CAP_THREAD), &in);
	}
	capos_release(capos_ring(), client);  /* the kernel keeps what it needs */
	if (err) {
		capos_release(capos_ring(), endpoint);  /* a started handler thread's RECV ends with it */
		if (handler_thread)
			capos_thread_join(handler_thread, NULL);
		handler_thread = NULL;
		__atomic_store_n(&running, HANDLER_NONE, __ATOMIC_RELEASE);
		return err;
	}
	__atomic_store_n(&running, HANDLER_RUNNING, __ATOMIC_RELEASE);
	return 0;
}

bool capos_fault_running(void)
{
	return __atomic_load_n(&running, __ATOMIC_ACQUIRE) == HANDLER_RUNNING;
}

void capos_fault_set_hook(capos_fault_hook_fn fn, void *arg)
{
	__atomic_store_n(&hook_arg, arg, __ATOMIC_RELAXED);
	__atomic_store_n(&hook, fn, __ATOMIC_RELEASE);
}

void capos_fault_stats(struct capos_fault_stats *out)
{
	out->faults = __atomic_load_n(&stats.faults, __ATOMIC_RELAXED);
	out->grown_pages = __atomic_load_n(&stats.grown_pages, __ATOMIC_RELAXED);
	out->refused = __atomic_load_n(&stats.refused, __ATOMIC_RELAXED);
}
