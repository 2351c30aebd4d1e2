/*
 * Per-CPU architecture state: each CPU owns one struct arch_cpu holding
 * its GDT, its TSS and the stacks the TSS names.  The IDT is shared.  The
 * boot CPU's record is arch_cpus[0]; SMP bring-up (later) fills the next
 * slot for each application processor and calls gdt_init/idt_load there.
 *
 * %gs base points at the running CPU's record while in the kernel (user
 * GS lives in MSR_KERNEL_GS until swapgs on kernel entry), so this_cpu()
 * is one load.  A record is written only by its own CPU, except before
 * that CPU starts, so it needs no lock.  The swapgs rules: every entry
 * from user mode (isr.S for CS RPL 3, syscall_entry always) swaps on the
 * way in and back on the way out; NMI, #MC and #DF, which can also land
 * in the few kernel instructions that run on the user GS, compare the GS
 * base with the CPU pointer kept at the top of their IST stack instead.
 *
 * kstack_top is the running thread's kernel stack (arch_set_kernel_stack
 * writes it and TSS.rsp0 together): traps from user mode land there
 * through the TSS, SYSCALL through syscall_entry, which parks the user
 * RSP in user_rsp while it switches.  The record's first fields are read
 * from assembly at the offsets in asm_defs.h.
 *
 * GDT layout is fixed by SYSCALL/SYSRET (STAR): kernel CS, kernel SS =
 * CS + 8; SYSRET takes user SS = base + 8 and user CS = base + 16.
 */
#ifndef EXO_ARCH_PERCPU_H
#define EXO_ARCH_PERCPU_H

#include <stdint.h>
#include "asm_defs.h"
#include "../../mm/mm.h"

#define ARCH_MAX_CPUS 64

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
	uint16_t iomap_base;  /* offset of the I/O permission bitmap (iopb below) */
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

/* The I/O permission bitmap: one bit per port (set = closed), then a 0xff byte the CPU requires. */
#define ARCH_IOPB_BYTES 8192u

struct arch_cpu {
	struct arch_cpu *self;          /* %gs:0; must stay the first field */
	uint64_t kstack_top;            /* running thread's kernel stack top (TSS.rsp0 too) */
	uint64_t user_rsp;              /* scratch: user RSP during syscall_entry's stack switch */
	uint32_t index;                 /* 0 = boot CPU */
	uint32_t apic_id;
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	/*
	 * Directly after the TSS, inside its limit: the running process's
	 * ports (iopb.c).  All 0xff but the first iopb_used bytes, which hold
	 * the map whose version is iopb_version (0: none loaded).
	 */
	uint8_t iopb[ARCH_IOPB_BYTES + 1];
	uint32_t iopb_used;
	uint64_t iopb_version;
	/* Guarded IST stacks once arch_late_init ran; zero before (early static stacks). */
	struct kstack ist_stack[IST_USED];
};
_Static_assert(__builtin_offsetof(struct arch_cpu, self) == CPU_SELF, "this_cpu() reads %gs:0");
_Static_assert(__builtin_offsetof(struct arch_cpu, kstack_top) == CPU_KSTACK_TOP, "syscall.S offset");
_Static_assert(__builtin_offsetof(struct arch_cpu, user_rsp) == CPU_USER_RSP, "syscall.S offset");
_Static_assert(__builtin_offsetof(struct arch_cpu, iopb) ==
	       __builtin_offsetof(struct arch_cpu, tss) + sizeof(struct tss64), "the bitmap follows the TSS");

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
/* Point IST slot at the stack ending at top, marking its reserved top with c (asm_defs.h). */
void percpu_set_ist_stack(struct arch_cpu *c, unsigned slot, uint64_t top);

/* gdt.c: build and load this CPU's GDT and TSS; set TSS stack pointers. */
void gdt_init(struct arch_cpu *c);
void tss_set_ist(struct arch_cpu *c, unsigned slot, uint64_t top);
void tss_set_rsp0(struct arch_cpu *c, uint64_t top);

#endif
