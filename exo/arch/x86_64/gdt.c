/*
 * Global descriptor table and task-state segment, one pair per CPU.
 *
 * Long mode ignores segment bases and limits except for FS/GS (set by
 * MSR) and the TSS, so the code and data descriptors only carry the
 * type, privilege level and the L bit.  The TSS holds the stacks the CPU
 * switches to: rsp[0] for traps from user mode (set per thread by the
 * scheduler later) and the IST stacks for faults that must not trust the
 * current stack (#DF, NMI, #MC).  The TSS's limit also covers the I/O
 * permission bitmap that follows it (iopb.c).
 */
#include <stdint.h>
#include "percpu.h"
#include "../../kern/panic.h"

/* Flat descriptors: access byte, flags nibble (G, L/DB), limit 0xfffff. */
#define DESC_KCODE 0x00af9a000000ffffull  /* P, DPL0, code exec/read, L=1 */
#define DESC_KDATA 0x00cf92000000ffffull  /* P, DPL0, data read/write */
#define DESC_UDATA 0x00cff2000000ffffull  /* P, DPL3, data read/write */
#define DESC_UCODE 0x00affa000000ffffull  /* P, DPL3, code exec/read, L=1 */
#define TSS_TYPE_AVAILABLE 0x89ull        /* P, DPL0, 64-bit TSS (available) */

struct gdt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void gdt_set_tss(struct arch_cpu *c)
{
	uint64_t base = (uint64_t)(uintptr_t)&c->tss;
	uint64_t limit = sizeof c->tss + sizeof c->iopb - 1;  /* the bitmap and its closing 0xff byte */

	c->gdt[GDT_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (TSS_TYPE_AVAILABLE << 40) |
			  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	c->gdt[GDT_TSS + 1] = base >> 32;
}

/*
 * Load the table, reload every segment register, then the task register.
 * DS, ES, FS and GS hold the null selector (long mode ignores them), so
 * SYSRET, which leaves DS and ES alone, shows user code no kernel selector.
 */
static void gdt_load(struct arch_cpu *c)
{
	struct gdt_pointer gp = { sizeof c->gdt - 1, (uint64_t)(uintptr_t)c->gdt };

	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%fs\n\t"
		"movl %%eax, %%gs\n\t"
		"ltr %w3"
		:: "m"(gp), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"((uint16_t)SEL_TSS)
		: "rax", "memory");
}

void gdt_init(struct arch_cpu *c)
{
	c->gdt[GDT_NULL] = 0;
	c->gdt[GDT_KCODE] = DESC_KCODE;
	c->gdt[GDT_KDATA] = DESC_KDATA;
	c->gdt[GDT_UDATA] = DESC_UDATA;
	c->gdt[GDT_UCODE] = DESC_UCODE;
	c->tss.iomap_base = sizeof c->tss;  /* the bitmap right after: every port closed until a process opens some */
	for (uint32_t i = 0; i < sizeof c->iopb; i++)
		c->iopb[i] = 0xff;
	c->iopb_used = 0;
	c->iopb_version = 0;
	gdt_set_tss(c);
	gdt_load(c);
}

/*
 * The TSS is packed, so these 8-byte fields are only 4-byte aligned; the
 * store is not atomic against an NMI that uses the same slot.  Callers
 * change a slot only for a stack that is not in use.
 */
void tss_set_ist(struct arch_cpu *c, unsigned slot, uint64_t top)
{
	KASSERT(slot >= 1 && slot <= 7 && (top & 15) == 0);
	c->tss.ist[slot - 1] = top;
}

void tss_set_rsp0(struct arch_cpu *c, uint64_t top)
{
	KASSERT((top & 15) == 0);
	c->tss.rsp[0] = top;
}
