/*
 * The kernel's implementation of uvm_env.h: frames from the frame
 * allocator, objects from the heap, frames reached through the direct map,
 * CR3 for the current root, invlpg for this CPU's TLB.
 */
#include "uvm_env.h"
#include "../mm/mm.h"
#include "../arch/x86_64/cpu.h"
#include "../kern/spinlock.h"

int uvm_frame_alloc(uint64_t *phys)
{
	return frame_alloc(phys);
}

void uvm_frame_free(uint64_t phys)
{
	frame_free(phys);
}

void *uvm_phys_ptr(uint64_t phys)
{
	return phys_to_virt(phys);
}

void *uvm_zalloc(size_t size)
{
	return kzalloc(size);
}

void *uvm_alloc(size_t size)
{
	return kmalloc(size);
}

void uvm_free(void *p)
{
	kfree(p);
}

size_t uvm_alloc_size(const void *p)
{
	return kmalloc_block_size(p);
}

uint64_t uvm_kernel_root(void)
{
	return vm_kernel_root_phys();
}

uint64_t uvm_current_root(void)
{
	return read_cr3() & PTE_ADDR_MASK;
}

void uvm_load_root(uint64_t root)
{
	write_cr3(root);
}

void uvm_flush_page(uint64_t va)
{
	invlpg(va);
}

/*
 * The address-space lock is taken with interrupts on: no interrupt
 * handler touches an address space (completions are copied out by the
 * ring's own thread, faults from user mode arrive with no kernel lock
 * held), and filling or tearing down a 1 GiB region under it must not
 * keep interrupts off for the whole of it (issue 13: bounded latency).
 * It is a per-process lock, so its length is that process's own cost.
 */
uint64_t uvm_lock(struct spinlock *l)
{
	spin_lock(l);
	return 0;
}

void uvm_unlock(struct spinlock *l, uint64_t flags)
{
	(void)flags;
	spin_unlock(l);
}
