/*
 * Traps: the one frame layout every interrupt, exception and SYSCALL
 * saves (a SYSCALL frame has vector VEC_SYSCALL, see asm_defs.h), the
 * vector map, and the interrupt handler table.
 *
 * isr.S pushes, below the CPU's interrupt frame, the error code (0 when
 * the vector has none), the vector number and all general registers, so
 * a struct trap_frame * is simply the stack pointer after the pushes.
 * Changing the layout means changing isr.S (offsets are asserted below).
 */
#ifndef EXO_ARCH_TRAP_H
#define EXO_ARCH_TRAP_H

#include <stdint.h>
#include <stdbool.h>
#include "asm_defs.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;     /* CPU error code, or 0 */
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(__builtin_offsetof(struct trap_frame, r11) == FRAME_R11, "syscall.S offset");
_Static_assert(__builtin_offsetof(struct trap_frame, rcx) == FRAME_RCX, "syscall.S offset");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == FRAME_VECTOR, "isr.S pushes 15 GPRs");
_Static_assert(__builtin_offsetof(struct trap_frame, error) == FRAME_ERROR, "asm_defs.h");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == FRAME_RIP, "isr.S: iret frame offset");
_Static_assert(__builtin_offsetof(struct trap_frame, cs) == FRAME_CS, "asm_defs.h");
_Static_assert(__builtin_offsetof(struct trap_frame, rflags) == FRAME_RFLAGS, "asm_defs.h");
_Static_assert(__builtin_offsetof(struct trap_frame, rsp) == FRAME_RSP, "asm_defs.h");
_Static_assert(__builtin_offsetof(struct trap_frame, ss) == FRAME_SS, "asm_defs.h");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "isr.S: frame size");

static inline bool trap_from_user(const struct trap_frame *f) { return (f->cs & 3) != 0; }

/* Exception vectors (Intel SDM vol. 3, table 6-1). */
enum {
	VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5,
	VEC_UD = 6, VEC_NM = 7, VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12,
	VEC_GP = 13, VEC_PF = 14, VEC_MF = 16, VEC_AC = 17, VEC_MC = 18, VEC_XM = 19,
	VEC_VE = 20, VEC_CP = 21, VEC_HV = 28, VEC_VC = 29, VEC_SX = 30,
};
#define VEC_EXCEPTIONS 32

/*
 * Interrupt vectors.  The 8259 PICs are remapped onto 0x20-0x2f and
 * masked (only their spurious IRQ 7/15 can still arrive); device
 * interrupts (IOAPIC, MSI) get 0x30-0xef; the LAPIC owns the top.
 */
#define VEC_PIC_BASE     0x20
#define VEC_IRQ_FIRST    0x30
#define VEC_IRQ_LAST     0xef
#define VEC_LAPIC_TIMER  0xf0
#define VEC_LAPIC_ERROR  0xfe
#define VEC_SPURIOUS     0xff
#define VEC_COUNT        256

/* An interrupt handler runs with interrupts off on the interrupted stack. */
typedef void (*trap_irq_fn)(struct trap_frame *f);

/*
 * Install the handler for an interrupt vector (>= 32).  Done during
 * bring-up, before the source can fire; a vector has at most one handler.
 */
void trap_set_irq_handler(unsigned vector, trap_irq_fn fn);

/* How many times a vector was taken (all CPUs). */
uint64_t trap_count(unsigned vector);

/* Entered from isr.S with interrupts off. */
void trap_dispatch(struct trap_frame *f);

/* trap_report.c: dump an exception (cause, registers, backtrace) and panic. */
__attribute__((noreturn)) void trap_report_fatal(const struct trap_frame *f);
const char *trap_exception_name(unsigned vector);

/* idt.c */
void idt_init(void);
void idt_load(void);

#endif
