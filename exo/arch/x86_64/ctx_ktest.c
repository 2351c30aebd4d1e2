/*
 * In-kernel tests of the context switch (switch.S, context.c).
 *
 * ctxswitch: two kernel contexts on guarded stacks ping-pong with
 * arch_context_switch many times.  Around every switch the switching code
 * loads rbx, rbp, r12-r15 and the user GS base (MSR_KERNEL_GS) with
 * values derived from a per-switch seed and checks them when it resumes,
 * so a register the switch fails to save, or a context resumed on the
 * wrong stack, shows.  Each context's entry also checks what
 * arch_context_init promised: the argument, a zero caller RBP, a 16-byte
 * aligned stack, and a return address in arch_context_start.
 *
 * ctxreturn: a context whose entry returns must end in a panic.
 */
#include <stdint.h>
#include "context.h"
#include "cpu.h"
#include "../../kern/clock.h"
#include "../../kern/ktest.h"
#include "../../kern/log.h"
#include "../../kern/panic.h"
#include "../../mm/mm.h"

#define PINGPONG_ROUNDS 100000ull
#define PINGPONG_STACK_PAGES 2
#define SEED_MAIN 0x6d61696e00000000ull
#define SEED_A    0x0a0a0a0a00000000ull
#define SEED_B    0x0b0b0b0b00000000ull
#define BAD_REGS  1u   /* a callee-saved register changed across a switch */
#define BAD_GS    2u   /* the user GS base changed across a switch */

void arch_context_start(void);

struct pingpong {
	struct arch_context main, a, b;
	struct kstack stack_a, stack_b;
	uint64_t a_rounds, b_rounds;  /* switches each context came back from */
	uint32_t bad;                 /* BAD_* seen by any context */
	uint32_t entries_ok;          /* contexts whose entry frame was as promised */
};

static struct pingpong pp;

/*
 * Load rbx, rbp, r12-r15 from seed, switch, and return the OR of what
 * each differs by afterwards (0: all intact).  The seed itself waits on
 * this context's stack across the switch.
 */
static __attribute__((noinline)) uint64_t switch_checking_regs(struct arch_context *from,
							      struct arch_context *to, uint64_t seed)
{
	uint64_t diff, d_from, d_to, d_seed;

	__asm__ volatile(
		"pushq %%rbp\n\t"
		"pushq %%rdx\n\t"
		"movq %%rdx, %%rbx\n\t"
		"movq %%rdx, %%rbp\n\t"
		"notq %%rbp\n\t"
		"leaq 1(%%rdx), %%r12\n\t"
		"leaq 2(%%rdx), %%r13\n\t"
		"leaq 3(%%rdx), %%r14\n\t"
		"leaq 4(%%rdx), %%r15\n\t"
		"call arch_context_switch\n\t"
		"popq %%rdx\n\t"
		"movq %%rdx, %%rax\n\t"
		"xorq %%rbx, %%rax\n\t"
		"movq %%rdx, %%rcx\n\t"
		"notq %%rcx\n\t"
		"xorq %%rbp, %%rcx\n\t"
		"orq %%rcx, %%rax\n\t"
		"leaq 1(%%rdx), %%rcx\n\t"
		"xorq %%r12, %%rcx\n\t"
		"orq %%rcx, %%rax\n\t"
		"leaq 2(%%rdx), %%rcx\n\t"
		"xorq %%r13, %%rcx\n\t"
		"orq %%rcx, %%rax\n\t"
		"leaq 3(%%rdx), %%rcx\n\t"
		"xorq %%r14, %%rcx\n\t"
		"orq %%rcx, %%rax\n\t"
		"leaq 4(%%rdx), %%rcx\n\t"
		"xorq %%r15, %%rcx\n\t"
		"orq %%rcx, %%rax\n\t"
		"popq %%rbp"
		: "=a"(diff), "=D"(d_from), "=S"(d_to), "=d"(d_seed)
		: "D"(from), "S"(to), "d"(seed)
		: "rbx", "rcx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory", "cc");
	return diff;
}

/* A canonical lower-half value for the user GS base, distinct per seed. */
static uint64_t gs_for(uint64_t seed)
{
	return (seed ^ (seed >> 29)) & 0x00007ffffffff000ull;
}

/* One checked switch: returns the BAD_* bits seen when this context resumes. */
static uint32_t switch_checked(struct arch_context *from, struct arch_context *to, uint64_t seed)
{
	uint32_t bad = 0;

	wrmsr(MSR_KERNEL_GS, gs_for(seed));
	if (switch_checking_regs(from, to, seed) != 0)
		bad |= BAD_REGS;
	if (rdmsr(MSR_KERNEL_GS) != gs_for(seed))
		bad |= BAD_GS;
	return bad;
}

/* In an entry function: the frame arch_context_start called us with is as promised. */
#define ENTRY_FRAME_OK(arg)                                                                   \
	({                                                                                    \
		const uint64_t *rec = __builtin_frame_address(0);                             \
		uint64_t start = (uint64_t)(uintptr_t)arch_context_start;                     \
		(arg) == &pp && rec[0] == 0 && ((uintptr_t)rec & 15) == 0 && rec[1] > start &&  \
			rec[1] < start + 64;                                                  \
	})

static void pingpong_a(void *arg)
{
	if (ENTRY_FRAME_OK(arg))
		pp.entries_ok++;
	for (uint64_t i = 0; i < PINGPONG_ROUNDS; i++) {
		pp.bad |= switch_checked(&pp.a, &pp.b, SEED_A + i);
		pp.a_rounds++;
	}
	switch_checked(&pp.a, &pp.main, SEED_A);
	panic("ktest ctxswitch: context A resumed after the test ended");
}

static void pingpong_b(void *arg)
{
	if (ENTRY_FRAME_OK(arg))
		pp.entries_ok++;
	for (;;) {
		pp.bad |= switch_checked(&pp.b, &pp.a, SEED_B + pp.b_rounds);
		pp.b_rounds++;
	}
}

static int pingpong_setup(void)
{
	pp = (struct pingpong){ 0 };
	if (kstack_alloc(&pp.stack_a, PINGPONG_STACK_PAGES) != 0)
		return -1;
	if (kstack_alloc(&pp.stack_b, PINGPONG_STACK_PAGES) != 0) {
		kstack_free(&pp.stack_a);
		return -1;
	}
	arch_context_init(&pp.a, pp.stack_a.top, pingpong_a, &pp);
	arch_context_init(&pp.b, pp.stack_b.top, pingpong_b, &pp);
	return 0;
}

/* Ping-pong PINGPONG_ROUNDS times between A and B, checking registers on every switch. */
KTEST(ctxswitch)
{
	uint64_t switches = 2 * PINGPONG_ROUNDS + 2, saved_gs = rdmsr(MSR_KERNEL_GS), flags, t0, ns;
	uint32_t main_bad;

	KTEST_CHECK(pingpong_setup() == 0, "no memory for two kernel stacks");
	flags = irq_save();
	t0 = clock_ns();
	main_bad = switch_checked(&pp.main, &pp.a, SEED_MAIN);
	ns = clock_ns() - t0;
	wrmsr(MSR_KERNEL_GS, saved_gs);
	irq_restore(flags);
	kstack_free(&pp.stack_a);
	kstack_free(&pp.stack_b);
	KTEST_CHECK(pp.entries_ok == 2, "%u of 2 entries saw the promised frame (arg, rbp 0, alignment)",
		    pp.entries_ok);
	KTEST_CHECK(pp.a_rounds == PINGPONG_ROUNDS && pp.b_rounds == PINGPONG_ROUNDS - 1,
		    "A came back %llu times, B %llu times", (unsigned long long)pp.a_rounds,
		    (unsigned long long)pp.b_rounds);
	KTEST_CHECK(!((pp.bad | main_bad) & BAD_REGS), "a callee-saved register changed across a switch");
	KTEST_CHECK(!((pp.bad | main_bad) & BAD_GS), "the user GS base changed across a switch");
	kinfo("ktest ctxswitch: %llu switches between two kernel contexts on guarded stacks; callee-saved"
	      " registers and user GS base intact, entries saw rbp 0 and an aligned stack (%llu ns per switch)",
	      (unsigned long long)switches, (unsigned long long)(ns / switches));
	return 0;
}

static void returning_entry(void *arg)
{
	(void)arg;
	kinfo("ktest ctxreturn: entry running, now returning");
}

/* An entry function that returns: arch_context_start must panic. */
KTEST(ctxreturn)
{
	static struct arch_context main_ctx, ctx;
	struct kstack stack;

	KTEST_CHECK(kstack_alloc(&stack, PINGPONG_STACK_PAGES) == 0, "no memory for a kernel stack");
	arch_context_init(&ctx, stack.top, returning_entry, NULL);
	irq_disable();
	arch_context_switch(&main_ctx, &ctx);
	kerror("ktest ctxreturn: the returning context came back to the test");
	return -1;
}
