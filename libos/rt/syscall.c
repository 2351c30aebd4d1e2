/*
 * cap_enter, the one system call (capos/ring.h): rax = 0, rdi =
 * min_complete, rsi = timeout_ns; the result comes back in rax.  SYSCALL
 * itself overwrites rcx (return address) and r11 (flags); the other
 * caller-saved registers are declared clobbered as well, so the kernel is
 * free to scrub them on the way out.
 */
#include <capos/ring_client.h>

int64_t capos_cap_enter(uint32_t min_complete, uint64_t timeout_ns)
{
	register uint64_t rdi __asm__("rdi") = min_complete;
	register uint64_t rsi __asm__("rsi") = timeout_ns;
	uint64_t rax = CAPOS_SYS_CAP_ENTER;

	__asm__ volatile("syscall"
			 : "+a"(rax), "+r"(rdi), "+r"(rsi)
			 :
			 : "rcx", "r11", "rdx", "r8", "r9", "r10", "memory", "cc");
	return (int64_t)rax;
}
