/*
 * Building a process: the mechanism under the libOS's loader.
 *
 * ProcessFactory.create makes an empty process — quotas, a capability
 * table, an address space holding only the kernel half, the main thread's
 * ring mapped — and hands back a ProcessHandle.  Through that handle, and
 * only until start, the builder gives the child memory (memory: zeroed
 * pages charged to the child's own frame quota, as a MemoryObject the
 * builder fills through its own mapping), lays it out (map: user half,
 * never writable and executable at once, no overlap — the checks every
 * mapping gets), fills its table (grant: one capability the builder holds,
 * copied or moved; bind: an object bound to the child) and starts its
 * main thread with the registers it chooses.  Parsing programs, the
 * bootstrap page, names of capabilities and the grant language are the
 * libOS's (libos/rt/spawn.c); the kernel never reads the child's memory.
 * After start the child's space and table are its own: the building
 * methods answer -CAPOS_EBUSY.  A child whose last handle goes before it
 * started is torn down with everything given to it.
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/process.h>
#include "coreobj.h"
#include "iface_kernel.h"
#include "kcall.h"
#include "memcap.h"
#include "procobj.h"
#include "revocable.h"
#include "ring.h"
#include <capos/prot.h>
#include "../lib/string.h"
#include "../proc/aspace.h"
#include "../proc/memobj.h"
#include "../proc/process.h"

static struct kobj factory_obj = KOBJ_STATIC(CAPOS_IFACE_PROCESS_FACTORY);

struct kobj *coreobj_process_factory(void)
{
	return &factory_obj;
}

/* ------------------------------------------------------------- create */

static bool quota_in_range(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v == 0 || (v >= lo && v <= hi);
}

/* The child's limits: each asked-for quota, or the default where 0; -CAPOS_ERANGE outside capos/process.h. */
static int create_limits(const struct capos_process_factory_create_in *in, struct quota_limits *l)
{
	if (!quota_in_range(in->quota_frames, CAPOS_QUOTA_FRAMES_MIN, CAPOS_QUOTA_FRAMES_MAX) ||
	    !quota_in_range(in->quota_caps, CAPOS_QUOTA_CAPS_MIN, CAPOS_QUOTA_CAPS_MAX) ||
	    !quota_in_range(in->quota_threads, CAPOS_QUOTA_THREADS_MIN, CAPOS_QUOTA_THREADS_MAX) ||
	    !quota_in_range(in->quota_ring_ops, CAPOS_QUOTA_RING_OPS_MIN, CAPOS_QUOTA_RING_OPS_MAX) ||
	    !quota_in_range(in->quota_kmem_kib, CAPOS_QUOTA_KMEM_MIN_KIB, CAPOS_QUOTA_KMEM_MAX_KIB))
		return -CAPOS_ERANGE;
	*l = (struct quota_limits){
		.frames = in->quota_frames ? in->quota_frames : PROCESS_DEFAULT_FRAMES,
		.kmem = (uint64_t)(in->quota_kmem_kib ? in->quota_kmem_kib : PROCESS_DEFAULT_KMEM_KIB) * 1024,
		.caps = in->quota_caps ? in->quota_caps : PROCESS_DEFAULT_CAPS,
		.threads = in->quota_threads ? in->quota_threads : PROCESS_DEFAULT_THREADS,
		.ring_ops = in->quota_ring_ops ? in->quota_ring_ops : PROCESS_DEFAULT_RING_OPS,
	};
	return 0;
}

/* A name of 1..39 printable characters, NUL-terminated in the field. */
static int check_name(const char *name, size_t size)
{
	size_t n = strnlen(name, size);

	if (n == 0 || n == size)
		return -CAPOS_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return -CAPOS_EINVAL;
	return 0;
}

int kcap_process_factory_create(struct kcall *call, const struct capos_process_factory_create_in *in,
				uint32_t in_len, struct capos_process_factory_create_out *out, uint32_t *out_len)
{
	struct quota_limits limits;
	struct process *child;
	struct kobj *handle;
	int64_t h;
	int err = check_name(in->name, sizeof in->name);

	(void)in_len;
	if (!err && (in->flags || call->xfer_count))
		err = -CAPOS_EINVAL;   /* no flag is defined, and nothing is passed */
	if (!err)
		err = create_limits(in, &limits);
	if (err)
		return err;
	err = process_create(in->name, &limits, &child);
	if (err)
		return err;
	handle = process_handle_create(child, process_quota(call->proc), &err);
	h = handle ? kcall_grant(call, handle, CAPOS_RIGHT_ALL) : err;
	if (handle)
		kobj_unref(handle);  /* the caller's slot holds it now; on failure this discards the child */
	else
		process_abandon(child);
	if (h < 0)
		return (int)h;
	out->process = (uint32_t)h;
	out->pid = child->pid;
	out->ring_addr = child->rings->user_va;
	out->ring_size = (uint32_t)ring_size(child->rings);
	*out_len = sizeof *out;
	return 0;
}

/* ------------------------------------------------------------ building */

/* The child of the called handle, if it can still be built: -CAPOS_EBUSY once started, -CAPOS_EPEER once ended. */
static int building(struct kcall *call, struct process **child)
{
	*child = process_handle_target(call->obj);
	if (process_started(*child))
		return -CAPOS_EBUSY;
	return process_dying(*child) ? -CAPOS_EPEER : 0;
}

/* The capability of the call's one transfer descriptor, resolved through copies. */
static int one_descriptor(struct kcall *call, struct kobj **obj)
{
	int err = 0;

	if (call->xfer_count != 1)
		return -CAPOS_EINVAL;
	*obj = kobj_resolve(call->xfer[0].obj, &err);
	return *obj ? 0 : err;
}

int kcap_process_handle_memory(struct kcall *call, const struct capos_process_handle_memory_in *in,
			       uint32_t in_len, struct capos_process_handle_memory_out *out, uint32_t *out_len)
{
	struct process *child;
	struct memobj *mo;
	struct kobj *obj;
	int64_t h;
	int err = building(call, &child);

	(void)in_len;
	if (!err && (in->pages == 0 || in->pages > MEMOBJ_MAX_PAGES))
		err = in->pages == 0 ? -CAPOS_EINVAL : -CAPOS_ERANGE;
	if (!err)
		err = memobj_create(process_quota(child), in->pages, &mo);  /* the child pays for its own image */
	if (err)
		return err;
	obj = memcap_create(mo, &err);
	if (!obj)
		return err;
	h = kcall_grant(call, obj, CAPOS_RIGHT_ALL);
	kobj_unref(obj);
	if (h < 0)
		return (int)h;
	out->memory = (uint32_t)h;
	*out_len = sizeof *out;
	return 0;
}

int kcap_process_handle_map(struct kcall *call, const struct capos_process_handle_map_in *in, uint32_t in_len,
			    struct capos_process_handle_map_out *out, uint32_t *out_len)
{
	struct process *child;
	struct memobj *mo;
	struct kobj *obj, *via;
	int err = building(call, &child);

	(void)in_len; (void)out;
	*out_len = 0;
	if (!err)
		err = one_descriptor(call, &obj);
	if (err)
		return err;
	mo = memcap_memobj(obj);
	if (!mo)
		return -CAPOS_ETYPE;
	err = in->vaddr ? memcap_check_map(mo, in->vaddr, in->first_page, in->pages, in->prot) : -CAPOS_EINVAL;
	if (err)
		return err;
	via = call->xfer[0].obj->kind == KOBJ_FORWARD ? call->xfer[0].obj : NULL;
	return revmap_map(via, process_quota(child), process_aspace(child), in->vaddr, mo, in->first_page,
			  in->pages, in->prot, NULL);  /* through a copy: revoking it unmaps it from the child */
}

/*
 * A handle to a process not yet started never goes into a child's table:
 * the child (or another child in its table) would then hold the handle
 * whose last release discards it, and neither could ever go.  -CAPOS_EBUSY.
 */
static int no_unstarted_handle(struct kobj *obj)
{
	int err = 0;
	struct kobj *target = kobj_resolve(obj, &err);
	struct process *held = target ? process_handle_target(target) : NULL;

	if (!target)
		return err;
	return held && !process_started(held) ? -CAPOS_EBUSY : 0;
}

int kcap_process_handle_grant(struct kcall *call, const struct capos_process_handle_grant_in *in,
			      uint32_t in_len, struct capos_process_handle_grant_out *out, uint32_t *out_len)
{
	struct process *child;
	int64_t h;
	int err = building(call, &child);

	(void)in; (void)in_len;
	if (!err && call->xfer_count != 1)
		err = -CAPOS_EINVAL;
	if (!err)
		err = no_unstarted_handle(call->xfer[0].obj);
	if (err)
		return err;
	/* The descriptor's own object, not its target: a revocable copy stays revocable in the child. */
	h = process_cap_insert(child, call->xfer[0].obj, call->xfer[0].rights);
	if (h < 0)
		return (int)h;
	out->handle = (uint32_t)h;
	out->iface = call->xfer[0].obj->iface;
	*out_len = sizeof *out;
	return 0;
}

int kcap_process_handle_bind(struct kcall *call, const struct capos_process_handle_bind_in *in, uint32_t in_len,
			     struct capos_process_handle_bind_out *out, uint32_t *out_len)
{
	static const char *const kinds[] = {
		[CAPOS_BIND_VM] = "vm", [CAPOS_BIND_THREADS] = "threads",
		[CAPOS_BIND_THREAD] = "thread", [CAPOS_BIND_PARK] = "park",
		[CAPOS_BIND_SELF] = "self",
	};
	struct process *child;
	struct kobj *obj;
	int64_t h;
	int err = building(call, &child);

	(void)in_len;
	if (!err && (in->kind == 0 || in->kind >= sizeof kinds / sizeof kinds[0]))
		err = -CAPOS_EINVAL;
	if (err)
		return err;
	obj = procobj_for_child(kinds[in->kind], child);
	if (!obj)
		return -CAPOS_ENOMEM;
	h = process_cap_insert(child, obj, CAPOS_RIGHT_ALL);
	out->iface = obj->iface;
	kobj_unref(obj);
	if (h < 0)
		return (int)h;
	out->handle = (uint32_t)h;
	*out_len = sizeof *out;
	return 0;
}

static bool user_addr(uint64_t va)
{
	return va >= CAPOS_USER_MIN && va < CAPOS_USER_MAX;
}

int kcap_process_handle_start(struct kcall *call, const struct capos_process_handle_start_in *in,
			      uint32_t in_len, struct capos_process_handle_start_out *out, uint32_t *out_len)
{
	struct process *child;
	int err = building(call, &child);

	(void)in_len; (void)out;
	*out_len = 0;
	if (err)
		return err;
	if (!user_addr(in->entry) || !user_addr(in->stack - 1) || in->stack > CAPOS_USER_MAX || in->stack % 16)
		return -CAPOS_EFAULT;
	if (in->fs_base && !user_addr(in->fs_base))
		return -CAPOS_EFAULT;
	err = process_make_main_thread(child, in->entry, in->stack, in->arg0, in->arg1, in->fs_base);
	if (err)
		return err;
	process_start(child);
	return 0;
}

struct kobj *process_handle_self(struct process *p)
{
	int err;

	return process_handle_create(p, process_quota(p), &err);
}

int kcap_process_handle_info(struct kcall *call, const struct capos_process_handle_info_in *in,
			     uint32_t in_len, struct capos_process_handle_info_out *out, uint32_t *out_len)
{
	struct process *p = process_handle_target(call->obj);

	(void)in; (void)in_len;
	process_describe(p, out);
	*out_len = sizeof *out;
	return 0;
}
