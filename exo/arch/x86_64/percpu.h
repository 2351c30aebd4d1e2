/*
 * Per-CPU architecture state: each CPU owns one struct arch_cpu holding
 * its GDT, its TSS and the stacks the TSS names.  The IDT is shared.  The
 * boot CPU's record is arch_cpus[0]; SMP bring-up (later) fills the next
 * slot for each application processor and calls gdt_init/idt_load there.
 *
 * %gs base points at the running CPU's record while in the kernel (user
 * GS lives in MSR_KERNEL_GS until swapgs on kernel entry), so this_cpu()
 * is one load.  A record is written only by its own CPU, except before
 * that CPU starts, so it needs no lock.
 *
 * GDT layout is fixed by SYSCALL/SYSRET (STAR): kernel CS, kernel SS =
 * CS + 8; SYSRET takes user SS = base + 8 and user CS = base + 16.
 */
#ifndef EXO_ARCH_PERCPU_H
#define EXO_ARCH_PERCPU_H

#include <stdint.h>
#include "../../mm/mm.h"

#define ARCH_MAX_CPUS 64

/* GDT slots; the TSS descriptor is 16 bytes and takes two. */
#define GDT_NULL    0
#define GDT_KCODE   1
#define GDT_KDATA   2
#define GDT_UDATA   3
#define GDT_UCODE   4
#define GDT_TSS     5
#define GDT_ENTRIES 7

#define SEL_KCODE (GDT_KCODE << 3)
#define SEL_KDATA (GDT_KDATA << 3)
#define SEL_UDATA ((GDT_UDATA << 3) | 3)
#define SEL_UCODE ((GDT_UCODE << 3) | 3)
#define SEL_TSS   (GDT_TSS << 3)

/* MSR_STAR: SYSCALL loads CS = 0x08, SS = 0x10; SYSRET (64-bit) CS = 0x20|3, SS = 0x18|3. */
#define STAR_SYSRET_BASE ((uint64_t)(GDT_KDATA << 3))
#define STAR_VALUE ((STAR_SYSRET_BASE << 48) | ((uint64_t)SEL_KCODE << 32))
_Static_assert(STAR_SYSRET_BASE + 8 == (SEL_UDATA & ~3), "SYSRET user SS must be base + 8");
_Static_assert(STAR_SYSRET_BASE + 16 == (SEL_UCODE & ~3), "SYSRET user CS must be base + 16");

/* Interrupt stack table slots (1-based, as the IDT gate encodes them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
#define IST_USED         3
#define IST_STACK_PAGES  4   /* guarded stacks from arch_late_init on */

/* 64-bit TSS (Intel SDM vol. 3, 8.7): only stack pointers matter in long mode. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];      /* rsp[0]: kernel stack for traps from user mode */
	uint64_t reserved1;
	uint64_t ist[7];      /* ist[n - 1] is IST slot n */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;  /* = sizeof: no I/O permission bitmap */
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

struct arch_cpu {
	struct arch_cpu *self;          /* %gs:0; must stay the first field */
	uint32_t index;                 /* 0 = boot CPU */
	uint32_t apic_id;
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	/* Guarded IST stacks once arch_late_init ran; zero before (early static stacks). */
	struct kstack ist_stack[IST_USED];
};
_Static_assert(__builtin_offsetof(struct arch_cpu, self) == 0, "this_cpu() reads %gs:0");

extern struct arch_cpu arch_cpus[ARCH_MAX_CPUS];

static inline struct arch_cpu *this_cpu(void)
{
	struct arch_cpu *c;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* Boot CPU: point %gs at arch_cpus[0] and give it the early IST stacks. */
struct arch_cpu *percpu_init_boot(void);
/* Replace this CPU's IST stacks with guarded ones (needs kstack_alloc). */
void percpu_alloc_ist(struct arch_cpu *c);

/* gdt.c: build and load this CPU's GDT and TSS; set TSS stack pointers. */
void gdt_init(struct arch_cpu *c);
void tss_set_ist(struct arch_cpu *c, unsigned slot, uint64_t top);
void tss_set_rsp0(struct arch_cpu *c, uint64_t top);

#endif
