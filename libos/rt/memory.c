/*
 * Anonymous memory over the "vm" capability (VirtualMemory): whole pages
 * where the kernel chooses, and the heap break — a range growing upwards
 * from the bootstrap page's heap_start, mapped at fixed addresses one
 * page run at a time and unmapped when it shrinks.  newlib's sbrk hook
 * (libos/libc/sbrk.c) is capos_sbrk.
 */
#include <capos/prot.h>
#include <capos/rt.h>
#include "rt_internal.h"

static struct capos_mutex heap_lock = CAPOS_MUTEX_INIT;
static uint64_t heap_brk;     /* current break; 0 until first use */
static uint64_t heap_mapped;  /* end of the mapped pages */

static uint64_t page_up(uint64_t v)
{
	return (v + CAPOS_PAGE_SIZE - 1) & ~(CAPOS_PAGE_SIZE - 1);
}

static int vm_map(uint64_t vaddr, uint64_t pages, uint64_t *out_vaddr)
{
	struct capos_virtual_memory_map_in in = { .vaddr = vaddr, .pages = pages,
						  .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	struct capos_virtual_memory_map_out out = { 0 };
	uint32_t cap = rt_cap(RT_CAP_VM);
	int err;

	if (!cap)
		return -CAPOS_ENOENT;
	err = capos_virtual_memory_map(capos_ring(), cap, &in, &out);
	if (!err)
		*out_vaddr = out.vaddr;
	return err;
}

static int vm_unmap(uint64_t vaddr, uint64_t pages)
{
	struct capos_virtual_memory_unmap_in in = { .vaddr = vaddr, .pages = pages };
	uint32_t cap = rt_cap(RT_CAP_VM);

	if (!cap)
		return -CAPOS_ENOENT;
	return capos_virtual_memory_unmap(capos_ring(), cap, &in);
}

void *capos_pages_alloc(uint64_t pages)
{
	uint64_t va = 0;
	int err = pages ? vm_map(0, pages, &va) : -CAPOS_EINVAL;

	if (err) {
		capos_errno = err;
		return NULL;
	}
	return (void *)(uintptr_t)va;
}

int capos_pages_free(void *addr, uint64_t pages)
{
	return vm_unmap((uint64_t)(uintptr_t)addr, pages);
}

int capos_memory_map(uint32_t mo, uint64_t pages, uint32_t prot, void **out)
{
	struct capos_memory_object_map_in in = { .vaddr = 0, .first_page = 0, .pages = pages, .prot = prot };
	struct capos_memory_object_map_out res = { 0 };
	int err = capos_memory_object_map(capos_ring(), mo, &in, &res);

	if (!err)
		*out = (void *)(uintptr_t)res.vaddr;
	return err;
}

/* Map or unmap so that [heap_start, page_up(new_brk)) is exactly what is mapped.  Lock held. */
static int heap_resize(uint64_t new_brk)
{
	uint64_t want = page_up(new_brk), va;
	int err = 0;

	if (want > heap_mapped) {
		err = vm_map(heap_mapped, (want - heap_mapped) / CAPOS_PAGE_SIZE, &va);
		if (!err && va != heap_mapped)
			err = -CAPOS_ENOMEM;
	} else if (want < heap_mapped) {
		err = vm_unmap(want, (heap_mapped - want) / CAPOS_PAGE_SIZE);
	}
	if (!err)
		heap_mapped = want;
	return err;
}

void *capos_sbrk(intptr_t increment, int *errp)
{
	uint64_t old;
	int err = 0;

	capos_mutex_lock(&heap_lock);
	if (!heap_brk)
		heap_brk = heap_mapped = page_up(capos_bootstrap()->heap_start);
	old = heap_brk;
	if (increment < 0 && (uint64_t)-increment > old - page_up(capos_bootstrap()->heap_start))
		err = -CAPOS_EINVAL;
	else if (increment > 0 && (uint64_t)increment > CAPOS_USER_MAX - old)
		err = -CAPOS_ENOMEM;
	if (!err)
		err = heap_resize(old + (uint64_t)increment);
	if (!err)
		heap_brk = old + (uint64_t)increment;
	capos_mutex_unlock(&heap_lock);
	if (errp)
		*errp = err;
	return err ? (void *)-1 : (void *)(uintptr_t)old;
}
