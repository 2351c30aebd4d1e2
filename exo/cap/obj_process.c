/*
 * ProcessHandle: a holder's hold on one process — wait (completes through
 * the ring with the exit code and reason), kill, and, while the process
 * is being built, the building methods of obj_procbuild.c.  The objects
 * the builder binds to a child (@vm, @threads, @thread, @park) are made
 * here.  Processes are built by the libOS over ProcessFactory
 * (libos/rt/spawn.c); the kernel's only loader left is the one for init
 * (exo/proc/init.c).
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/process.h>
#include "coreobj.h"
#include "iface_kernel.h"
#include "kcall.h"
#include "procobj.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/process.h"

struct process_handle {
	struct kobj base;
	struct process *p;
};

/* The last handle of a process still being built takes it with it: nobody could start it. */
static void handle_destroy(struct kobj *o)
{
	struct process_handle *ph = KOBJ_CONTAINER(o, struct process_handle, base);

	process_discard_unstarted(ph->p, CAPOS_EXIT_KILLED, -1);
	process_unref(ph->p);
	kmem_free(o->payer, ph);
}

static const struct kobj_ops handle_ops = { .destroy = handle_destroy };

struct process *process_handle_target(struct kobj *o)
{
	return o->ops == &handle_ops ? KOBJ_CONTAINER(o, struct process_handle, base)->p : NULL;
}

struct kobj *process_handle_create(struct process *p, struct quota *payer, int *err)
{
	struct process_handle *ph = kmem_zalloc(payer, sizeof *ph, err);

	if (!ph)
		return NULL;
	kobj_init(&ph->base, CAPOS_IFACE_PROCESS_HANDLE, &handle_ops);
	ph->base.payer = payer;
	process_ref(p);
	ph->p = p;
	return &ph->base;
}

static struct process *handle_process(struct kcall *call)
{
	return KOBJ_CONTAINER(call->obj, struct process_handle, base)->p;
}

int kcap_process_handle_wait(struct kcall *call, const struct capos_process_handle_wait_in *in,
			     uint32_t in_len, struct capos_process_handle_wait_out *out, uint32_t *out_len)
{
	struct kop *k = kcall_defer(call, sizeof *k);

	(void)in; (void)in_len; (void)out; (void)out_len;
	if (!k)
		return -CAPOS_EQUOTA;
	process_wait_exit(handle_process(call), k);
	return KCALL_PENDING;
}

int kcap_process_handle_kill(struct kcall *call, const struct capos_process_handle_kill_in *in,
			     uint32_t in_len, struct capos_process_handle_kill_out *out, uint32_t *out_len)
{
	(void)in; (void)in_len; (void)out;
	*out_len = 0;
	process_discard_unstarted(handle_process(call), CAPOS_EXIT_KILLED, -1);
	process_kill(handle_process(call), CAPOS_EXIT_KILLED, -1);
	return 0;
}

static const struct {
	const char *kind;
	struct kobj *(*create)(struct process *p);
} child_kinds[] = {
	{ "vm", vmcap_create },
	{ "threads", thread_spawner_create },
	{ "thread", thread_control_create },
	{ "park", parkspace_create },
	{ "self", process_handle_self },
};

struct kobj *procobj_for_child(const char *kind, struct process *child)
{
	for (size_t i = 0; i < sizeof child_kinds / sizeof child_kinds[0]; i++)
		if (strcmp(child_kinds[i].kind, kind) == 0)
			return child_kinds[i].create(child);
	return NULL;
}
