/*
 * Interrupt and exception entry.  One 16-byte stub per vector (all 256):
 * it pushes a zero error code when the CPU does not push one, then the
 * vector number, and jumps to isr_common, which saves every general
 * register into a struct trap_frame (trap.h) and calls trap_dispatch.
 * idt.c finds stub n at isr_stubs + 16 * n.
 *
 * isr_common also:
 *   - swaps GS when the trap came from user mode (CS RPL 3), so %gs:0
 *     is always this CPU's struct arch_cpu inside the kernel;
 *   - clears RFLAGS.DF and RFLAGS.AC: the C ABI wants DF clear, and a
 *     handler must not run with SMAP's user-access window open (the
 *     interrupted context's flags come back with iretq);
 *   - links a frame record (trapped RIP, trapped RBP) so backtraces from
 *     inside a handler continue into the interrupted code.
 * The CPU aligns RSP to 16 before pushing its frame; 5 + 2 + 15 pushes
 * keep that, and the two-word link keeps it for the call.
 */
#define FRAME_VECTOR 0
#define FRAME_CS     24   /* from the vector slot: vector, error, rip, cs */
#define FRAME_RIP    (17 * 8)

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* Vectors that push an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
	.if !(vec == 8 || vec == 10 || vec == 11 || vec == 12 || vec == 13 || vec == 14 || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr
	.balign 16
	.globl isr_stubs_end
isr_stubs_end:

	.type isr_common, @function
isr_common:
	cld
	testb $3, FRAME_CS(%rsp)
	jz 1f
	swapgs
1:	pushq %rax
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
	pushfq
	andq $~(1 << 18), (%rsp)
	popfq
	movq %rsp, %rdi
	pushq FRAME_RIP(%rdi)
	pushq %rbp
	movq %rsp, %rbp
	call trap_dispatch
	addq $16, %rsp
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
	testb $3, FRAME_CS(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp
	iretq
	.size isr_common, . - isr_common

	.section .note.GNU-stack, "", @progbits
