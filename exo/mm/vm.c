/*
 * The kernel address space.  vm_init builds fresh 4-level tables with the
 * pagetable core (tables are frames reached through the direct map):
 * the direct map of every RAM-like memory-map range, 2 MiB pages where
 * alignment allows and 4 KiB pages at the edges; the kernel segments from
 * the boot-info list with W^X (text RX, rodata R, data RW+NX); global
 * pages when the CPU has PGE; the top-level entries of the MMIO window and
 * the stack region.  There is no identity map.  It then loads CR3 and
 * flushes global TLB entries the loader may have left.
 *
 * vm_lock (irqsave) guards the kernel tables and the MMIO cursor once
 * vm_init has returned; vm_init itself runs alone on the boot CPU.
 * Tables are never freed, so vm_kernel_readable walks them without the
 * lock (it runs from fault handlers that may interrupt a lock holder).
 * TLB invalidation is local (invlpg); a shootdown comes with SMP.
 */
#include <capos/error.h>
#include "mm.h"
#include "memmap.h"
#include "../arch/x86_64/cpu.h"
#include "../kern/log.h"
#include "../kern/panic.h"
#include "../kern/spinlock.h"

#define VM_KERNEL_HALF 0xffff800000000000ull
#define VM_PHYS_LIMIT  (1ull << 52)

struct vm_direct_counts {
	uint64_t big, small;
};

static struct spinlock vm_lock = SPINLOCK_INIT;
static struct pt_space vm_kernel;                 /* guarded by vm_lock */
static uint64_t vm_mmio_next = VM_MMIO_BASE;      /* guarded by vm_lock */
static uint32_t vm_global;                        /* PT_GLOBAL when PGE exists; set by vm_init */
static const struct capos_mem_range *vm_memmap;   /* boot memory map, kept for vm_map_mmio checks */
static uint32_t vm_memmap_count;
static uint64_t vm_table_frames;                  /* guarded by vm_lock: frames in the kernel tables */

static int vm_alloc_table(void *ctx, uint64_t *phys)
{
	int err = frame_alloc(phys);

	(void)ctx;
	if (!err)
		vm_table_frames++;
	return err;
}

static void vm_free_table(void *ctx, uint64_t phys)
{
	(void)ctx;
	frame_free(phys);
	vm_table_frames--;
}

static uint64_t *vm_table_ptr(void *ctx, uint64_t phys)
{
	(void)ctx;
	return phys_to_virt(phys);
}

static void vm_invalidate(void *ctx, uint64_t va)
{
	(void)ctx;
	invlpg(va);
}

static const struct pt_ops vm_pt_ops = {
	.alloc_table = vm_alloc_table,
	.free_table = vm_free_table,
	.table_ptr = vm_table_ptr,
	.invalidate = vm_invalidate,
};

/* NX is required (W^X); PGE is optional. */
static void vm_check_cpu(void)
{
	uint32_t r[4];

	cpuid(0x80000000u, 0, r);
	if (r[0] < 0x80000001u)
		panic("vm: CPUID has no extended leaf 0x80000001; cannot check for NX");
	cpuid(0x80000001u, 0, r);
	if (!(r[3] & (1u << 20)))
		panic("vm: the CPU has no NX bit; capOS needs it for W^X");
	if (!(rdmsr(MSR_EFER) & EFER_NXE))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	cpuid(1, 0, r);
	vm_global = (r[3] & (1u << 13)) ? PT_GLOBAL : 0;
}

static void vm_must_map(uint64_t va, uint64_t phys, uint64_t size, uint32_t flags)
{
	int err = pt_map(&vm_kernel, va, phys, size, flags);

	if (err)
		panic("vm: cannot map %#llx -> %#llx (%llu KiB, flags %#x): error %d",
		      (unsigned long long)va, (unsigned long long)phys,
		      (unsigned long long)(size >> 10), flags, err);
}

/* Kernel-image frames are read-only in the direct map: no writable alias of text. */
static uint32_t vm_direct_flags(uint32_t type)
{
	uint32_t flags = PT_NX | vm_global;

	return type == CAPOS_MEM_KERNEL ? flags : flags | PT_WRITE;
}

static void vm_map_span(uint64_t start, uint64_t end, uint32_t flags, struct vm_direct_counts *n)
{
	if (end > VM_DIRECT_MAP_SIZE)
		panic("vm: RAM at %#llx lies beyond the %llu TiB direct map",
		      (unsigned long long)start, (unsigned long long)(VM_DIRECT_MAP_SIZE >> 40));
	while (start < end) {
		bool big = (start & (PT_SIZE_2M - 1)) == 0 && end - start >= PT_SIZE_2M;
		uint64_t size = big ? PT_SIZE_2M : PT_SIZE_4K;

		vm_must_map(CAPOS_HHDM_BASE + start, start, size, flags);
		if (big)
			n->big++;
		else
			n->small++;
		start += size;
	}
}

/* Map runs of adjacent ranges that share direct-map flags as one span, so
 * a 2 MiB page can straddle a boundary between two such ranges. */
static void vm_map_direct(const struct capos_mem_range *map, uint32_t count, struct vm_direct_counts *n)
{
	uint32_t i = 0;

	while (i < count) {
		uint64_t start = map[i].phys, end = start + map[i].pages * PAGE_SIZE;
		uint32_t flags = vm_direct_flags(map[i].type);

		if (!memmap_is_direct_mapped(map[i].type)) {
			i++;
			continue;
		}
		for (i++; i < count && map[i].phys == end && memmap_is_direct_mapped(map[i].type) &&
			  vm_direct_flags(map[i].type) == flags; i++)
			end += map[i].pages * PAGE_SIZE;
		vm_map_span(start, end, flags, n);
	}
}

static uint32_t vm_kseg_flags(const struct capos_kernel_segment *seg, unsigned index)
{
	bool w = seg->flags & CAPOS_KSEG_W, x = seg->flags & CAPOS_KSEG_X;

	if (w && x)
		panic("vm: kernel segment %u at %#llx is writable and executable", index,
		      (unsigned long long)seg->virt);
	if (!(seg->flags & CAPOS_KSEG_R) && !x)
		panic("vm: kernel segment %u at %#llx has no access rights", index,
		      (unsigned long long)seg->virt);
	return vm_global | (x ? 0 : PT_NX) | (w ? PT_WRITE : 0);
}

static void vm_map_kernel_segments(const struct capos_boot_info *bi)
{
	for (uint32_t i = 0; i < bi->kseg_count; i++) {
		const struct capos_kernel_segment *seg = &bi->kseg[i];
		uint32_t flags = vm_kseg_flags(seg, i);

		if ((seg->virt | seg->phys) & (PAGE_SIZE - 1) || seg->virt < CAPOS_KERNEL_BASE ||
		    seg->pages == 0 || seg->pages > (0 - seg->virt) / PAGE_SIZE)
			panic("vm: kernel segment %u (%#llx, %llu pages) is malformed", i,
			      (unsigned long long)seg->virt, (unsigned long long)seg->pages);
		for (uint64_t p = 0; p < seg->pages; p++)
			vm_must_map(seg->virt + p * PAGE_SIZE, seg->phys + p * PAGE_SIZE, PT_SIZE_4K, flags);
	}
}

static void vm_activate(uint64_t root)
{
	uint64_t cr4 = read_cr4();

	write_cr3(root);
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);  /* drops global entries too */
		write_cr4(cr4);
	}
}

void vm_init(const struct capos_boot_info *bi)
{
	struct vm_direct_counts n = { 0, 0 };

	KASSERT(vm_kernel.root == 0);
	vm_check_cpu();
	vm_memmap = phys_to_virt(bi->memmap_phys);
	vm_memmap_count = bi->memmap_count;
	if (pt_create(&vm_kernel, &vm_pt_ops) != 0)
		panic("vm: no frame for the kernel PML4");
	vm_map_direct(vm_memmap, vm_memmap_count, &n);
	vm_map_kernel_segments(bi);
	if (pt_ensure_top(&vm_kernel, VM_MMIO_BASE) != 0 || pt_ensure_top(&vm_kernel, VM_KSTACK_BASE) != 0)
		panic("vm: no frame for the MMIO or stack region tables");
	vm_activate(vm_kernel.root);
	kinfo("vm: kernel page tables at %#llx: direct map %llu x 2 MiB + %llu x 4 KiB, "
	      "%u kernel segments W^X, global pages %s, no identity map",
	      (unsigned long long)vm_kernel.root, (unsigned long long)n.big,
	      (unsigned long long)n.small, bi->kseg_count, vm_global ? "on" : "off");
}

uint64_t vm_kernel_table_frames(void)
{
	uint64_t flags = spin_lock_irqsave(&vm_lock);
	uint64_t n = vm_table_frames;

	spin_unlock_irqrestore(&vm_lock, flags);
	return n;
}

uint64_t vm_kernel_root_phys(void)
{
	return vm_kernel.root;
}

int vm_kernel_walk(uint64_t va, struct pt_mapping *out)
{
	uint64_t flags;
	int err;

	KASSERT(vm_kernel.root != 0);
	flags = spin_lock_irqsave(&vm_lock);
	err = pt_walk(&vm_kernel, va, out);
	spin_unlock_irqrestore(&vm_lock, flags);
	return err;
}

bool vm_kernel_readable(uint64_t va)
{
	struct pt_space current;
	struct pt_mapping m;

	if (va < VM_KERNEL_HALF)
		return false;
	pt_attach(&current, &vm_pt_ops, read_cr3());
	return pt_walk(&current, va, &m) == 0;
}

/* Is any page of [base, end) RAM the kernel or the allocator owns? */
static bool vm_range_is_ram(uint64_t base, uint64_t end)
{
	for (uint32_t i = 0; i < vm_memmap_count; i++) {
		const struct capos_mem_range *r = &vm_memmap[i];

		if (memmap_is_counted_ram(r->type) && r->phys < end &&
		    base < r->phys + r->pages * PAGE_SIZE)
			return true;
	}
	return false;
}

/* Map pages frames from phys at va, or nothing at all.  Holds vm_lock. */
static int vm_map_run_locked(uint64_t va, uint64_t phys, uint64_t pages, uint32_t flags)
{
	for (uint64_t i = 0; i < pages; i++) {
		int err = pt_map(&vm_kernel, va + i * PAGE_SIZE, phys + i * PAGE_SIZE, PT_SIZE_4K, flags);

		if (err) {
			while (i-- > 0)
				pt_unmap(&vm_kernel, va + i * PAGE_SIZE, NULL);
			return err;
		}
	}
	return 0;
}

void *vm_map_mmio(uint64_t phys, uint64_t size)
{
	uint64_t base = phys & ~(PAGE_SIZE - 1), end, pages, va, flags;
	int err = -CAPOS_ENOMEM;

	KASSERT(vm_kernel.root != 0);
	if (size == 0 || phys >= VM_PHYS_LIMIT || size > VM_MMIO_SIZE || VM_PHYS_LIMIT - phys < size)
		return NULL;
	end = (phys + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	pages = (end - base) / PAGE_SIZE;
	if (vm_range_is_ram(base, end)) {
		kerror("vm_map_mmio: %#llx+%#llx is RAM, not device memory",
		       (unsigned long long)phys, (unsigned long long)size);
		return NULL;
	}
	flags = spin_lock_irqsave(&vm_lock);
	va = vm_mmio_next;
	if (pages < (VM_MMIO_BASE + VM_MMIO_SIZE - va) / PAGE_SIZE)
		err = vm_map_run_locked(va, base, pages, PT_WRITE | PT_NX | PT_NOCACHE | vm_global);
	if (err == 0)
		vm_mmio_next = va + (pages + 1) * PAGE_SIZE;  /* one unmapped page after each */
	spin_unlock_irqrestore(&vm_lock, flags);
	return err ? NULL : (void *)(uintptr_t)(va + (phys - base));
}

int vm_kernel_map_page(uint64_t va, uint64_t phys, uint32_t flags)
{
	uint64_t irq;
	int err;

	KASSERT(vm_kernel.root != 0);
	if (va < VM_KERNEL_HALF || (flags & PT_USER))
		return -CAPOS_EINVAL;
	irq = spin_lock_irqsave(&vm_lock);
	err = pt_map(&vm_kernel, va, phys, PT_SIZE_4K, flags | vm_global);
	spin_unlock_irqrestore(&vm_lock, irq);
	return err;
}

int vm_kernel_unmap_page(uint64_t va, uint64_t *phys)
{
	struct pt_mapping old;
	uint64_t irq;
	int ret;

	KASSERT(vm_kernel.root != 0);
	if (va < VM_KERNEL_HALF)
		return -CAPOS_EINVAL;
	irq = spin_lock_irqsave(&vm_lock);
	ret = pt_walk(&vm_kernel, va, &old);
	if (ret == 0 && old.size != PT_SIZE_4K)
		ret = -CAPOS_EINVAL;  /* part of a large page (the direct map) */
	else
		ret = pt_unmap(&vm_kernel, va, &old);
	spin_unlock_irqrestore(&vm_lock, irq);
	if (ret == 1 && phys)
		*phys = old.phys;
	return ret;
}
