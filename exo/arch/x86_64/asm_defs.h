/*
 * Numbers shared by the assembly files (isr.S, switch.S, syscall.S) and
 * the C code of the x86_64 layer: GDT slots and selectors, the byte
 * offsets of struct trap_frame, struct arch_cpu and struct arch_context,
 * the reserved top of each IST stack, and the user-mode constants of the
 * return path, plus (for assembly only) the register save/restore macros
 * the entry paths share.  C sees only #defines; the C header that owns
 * each structure asserts every offset with offsetof, so the assembly and
 * the structures cannot drift apart.
 */
#ifndef EXO_ARCH_ASM_DEFS_H
#define EXO_ARCH_ASM_DEFS_H

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

/* struct trap_frame (trap.h): 15 general registers, vector, error, then the CPU's frame. */
#define FRAME_R11    (4 * 8)
#define FRAME_RCX    (12 * 8)
#define FRAME_VECTOR (15 * 8)
#define FRAME_ERROR  (16 * 8)
#define FRAME_RIP    (17 * 8)
#define FRAME_CS     (18 * 8)
#define FRAME_RFLAGS (19 * 8)
#define FRAME_RSP    (20 * 8)
#define FRAME_SS     (21 * 8)
#define FRAME_SIZE   (22 * 8)

/* trap_frame.vector of a frame saved by the SYSCALL path (not a CPU vector). */
#define VEC_SYSCALL 0x100

/* struct arch_cpu (percpu.h), reached through %gs. */
#define CPU_SELF       0    /* the record's own address */
#define CPU_KSTACK_TOP 8    /* kernel stack of the running thread (= TSS.rsp0) */
#define CPU_USER_RSP   16   /* user RSP, saved by syscall_entry before the stack switch */

/* struct arch_context (context.h). */
#define CTX_RSP         0
#define CTX_USER_GSBASE 8

/*
 * Each IST stack keeps its top 16 bytes for itself: the word at the
 * address the TSS names holds the owning CPU's struct arch_cpu *, so an
 * NMI, #MC or #DF can tell whether GS is already the kernel's (isr.S).
 */
#define IST_TOP_RESERVED 16

/* First non-canonical lower-half address (= ARCH_USER_TOP in context.h). */
#define ASM_USER_TOP 0x0000800000000000

/* RFLAGS a thread enters user mode with: IF and the always-one bit 1. */
#define RFLAGS_USER_INIT 0x202

#ifdef __ASSEMBLER__
/*
 * Save / restore the general registers in struct trap_frame order (r15
 * ends up lowest), below the vector and error words.
 */
.macro SAVE_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro RESTORE_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

/* RFLAGS.AC off: no handler runs with SMAP's user-access window open. */
.macro CLEAR_AC
	pushfq
	andq $~(1 << 18), (%rsp)
	popfq
.endm

/*
 * With %rsp at a complete trap frame: call fn(frame) under a frame record
 * (trapped RIP, trapped RBP), so backtraces from fn continue into the
 * interrupted code and stop at a user RIP.  The frame is 16-byte aligned
 * and the record is two words, so the call keeps the SysV alignment.
 */
.macro CALL_WITH_FRAME fn
	movq %rsp, %rdi
	pushq FRAME_RIP(%rdi)
	pushq %rbp
	movq %rsp, %rbp
	call \fn
	addq $16, %rsp
.endm
#endif

#endif
