/*
 * Kernel entry from the UEFI loader.  On arrival: long mode, interrupts
 * off, the loader's page tables (identity + direct map + kernel), %rdi =
 * physical address of struct capos_boot_info.  We take our own boot stack
 * in .bss, clear the frame-pointer chain (backtraces stop at rbp = 0) and
 * call kmain, which never returns.
 */
	.section .text.entry, "ax"
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	call kmain
1:	cli
	hlt
	jmp 1b
	.size _start, . - _start

	.section .bss
	.balign 4096
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits

/*
 * void stack_switch_call(uint64_t top, void (*fn)(void *), void *arg)
 * Continue on a new stack: fn(arg) must not return.  The frame chain is
 * cut so backtraces end at the switch.
 */
	.text
	.globl stack_switch_call
	.type stack_switch_call, @function
stack_switch_call:
	movq %rdi, %rsp
	xorl %ebp, %ebp
	movq %rsi, %rax
	movq %rdx, %rdi
	call *%rax
2:	cli
	hlt
	jmp 2b
	.size stack_switch_call, . - stack_switch_call

	.section .note.GNU-stack, "", @progbits
