/*
 * VirtualMemory: anonymous memory in the address space of ONE process,
 * the one the object was made for (vmcap_create) — whoever holds the
 * capability.  map(vaddr, pages, prot) maps zeroed frames (vaddr 0: the
 * kernel picks a free range) and returns the address; unmap and protect
 * change any user-visible mapping of that space except guard pages and
 * the ring.  Frames are charged to the bound process's quota.  The object
 * keeps the process struct alive (process_ref) and answers -CAPOS_EPEER
 * once the process is dying or dead.
 *
 * Errors (each method decodes and checks everything first; a failed call
 * changes nothing):
 *   -CAPOS_EINVAL  vaddr not page aligned, pages 0, unknown prot bits or
 *                  no READ
 *   -CAPOS_EPERM   WRITE|EXEC; unmap/protect of a guard or ring region
 *   -CAPOS_ERANGE  the range overflows or leaves the user window
 *   -CAPOS_EEXIST  map at a fixed address overlapping a region
 *   -CAPOS_ENOENT  unmap/protect of a range with a hole in it
 *   -CAPOS_EQUOTA  the bound process's frame quota or region limit
 *   -CAPOS_ENOMEM  no frame, no heap, or (vaddr 0) no free range
 *   -CAPOS_EPEER   the bound process is dying or dead
 *
 * Lifetime of the space: a handler runs to completion without being
 * preempted (the kernel preempts only on the way back to user mode) and
 * the bound process's address space is freed only by its own last
 * thread, so a space found alive at the start of a call stays alive
 * until its end on one CPU.  SMP will need the space pinned per call.
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"
#include "procobj.h"
#include "../kern/panic.h"
#include "../mm/mm.h"
#include "../proc/aspace.h"
#include "../proc/process.h"
#include "../proc/vma.h"

struct vmcap {
	struct kobj base;
	struct process *p;  /* one process reference */
};

static void vmcap_destroy(struct kobj *o)
{
	struct vmcap *vm = KOBJ_CONTAINER(o, struct vmcap, base);

	process_unref(vm->p);
	kmem_free(o->payer, vm);
}

static const struct kobj_ops vmcap_ops = { .destroy = vmcap_destroy };

struct kobj *vmcap_create(struct process *p)
{
	int err;
	struct vmcap *vm = kmem_zalloc(process_quota(p), sizeof *vm, &err);  /* p holds it: p pays */

	if (!vm)
		return NULL;
	kobj_init(&vm->base, CAPOS_IFACE_VIRTUAL_MEMORY, &vmcap_ops);
	vm->base.payer = process_quota(p);
	process_ref(p);
	vm->p = p;
	return &vm->base;
}

/* The bound process's address space, or -CAPOS_EPEER once it is going. */
static int bound_space(const struct kcall *call, struct aspace **as)
{
	struct process *p;

	KASSERT(call->obj->iface == CAPOS_IFACE_VIRTUAL_MEMORY);
	p = KOBJ_CONTAINER(call->obj, struct vmcap, base)->p;
	if (process_dying(p) || !process_aspace(p))
		return -CAPOS_EPEER;
	*as = process_aspace(p);
	return 0;
}

/* A map request: vaddr 0 (any address) or a fixed page-aligned range. */
static int check_map_range(uint64_t vaddr, uint64_t pages)
{
	return vma_check_range(vaddr ? vaddr : CAPOS_USER_MIN, pages);
}

int kcap_virtual_memory_map(struct kcall *call, const struct capos_virtual_memory_map_in *in,
			    uint32_t in_len, struct capos_virtual_memory_map_out *out, uint32_t *out_len)
{
	struct aspace *as;
	uint64_t va;
	int err = check_map_range(in->vaddr, in->pages);

	(void)in_len;
	*out_len = 0;
	if (!err)
		err = vma_check_prot(in->prot);
	if (!err)
		err = bound_space(call, &as);
	if (!err)
		err = aspace_map_anon(as, in->vaddr, in->pages, in->prot, &va);
	if (err)
		return err;
	out->vaddr = va;
	*out_len = sizeof *out;
	return 0;
}

int kcap_virtual_memory_unmap(struct kcall *call, const struct capos_virtual_memory_unmap_in *in,
			      uint32_t in_len, struct capos_virtual_memory_unmap_out *out, uint32_t *out_len)
{
	struct aspace *as;
	int err = vma_check_range(in->vaddr, in->pages);

	(void)in_len; (void)out;
	*out_len = 0;
	if (!err)
		err = bound_space(call, &as);
	if (err)
		return err;
	return aspace_unmap(as, in->vaddr, in->pages);
}

int kcap_virtual_memory_protect(struct kcall *call, const struct capos_virtual_memory_protect_in *in,
				uint32_t in_len, struct capos_virtual_memory_protect_out *out,
				uint32_t *out_len)
{
	struct aspace *as;
	int err = vma_check_range(in->vaddr, in->pages);

	(void)in_len; (void)out;
	*out_len = 0;
	if (!err)
		err = vma_check_prot(in->prot);
	if (!err)
		err = bound_space(call, &as);
	if (err)
		return err;
	return aspace_protect(as, in->vaddr, in->pages, in->prot);
}
