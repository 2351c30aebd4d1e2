/*
 * The user/kernel boundary seen from user mode (issue 3: "User entry and
 * exit go through SYSCALL/SYSRET with no kernel register leaking back";
 * "scheduling is preemptive on the LAPIC timer").  Runs as init and
 * prints one line per check, "utest-regs: <what>: ok"; exits with the
 * number of failures.
 *
 * The register ABI of cap_enter checked here (capos/ring.h, libos/rt/
 * syscall.c): rax = number in, result out; rdi = min_complete, rsi =
 * timeout_ns; SYSCALL overwrites rcx (return address) and r11 (RFLAGS),
 * and the runtime declares rdx, r8-r10 (and rdi, rsi) clobbered so the
 * kernel may scrub them: those must come back with the caller's value or
 * zero, never anything else.  rbx, rbp, rsp, r12-r15, xmm0-15 (the
 * runtime's cap_enter does not declare them clobbered), the segment
 * selectors and the FS/GS bases must come back unchanged, and RFLAGS
 * with the user's arithmetic, DF, AC and ID bits, IF set.
 *
 * Each probe is assembly that loads every general register, xmm0-15 and
 * RFLAGS from memory (rip-relative, so no register is spent on a
 * pointer), executes SYSCALL and stores everything back.  The spin loops
 * hold patterns in every general register (and DF set) for many timer
 * ticks and compare them on each iteration against memory, again without
 * a spare register, while a second thread with its own patterns competes
 * for the CPU.
 */
#include "utest.h"

#define R_RAX 0
#define R_RBX 1
#define R_RCX 2
#define R_RDX 3
#define R_RSI 4
#define R_RDI 5
#define R_RBP 6
#define R_RSP 7
#define R_R8  8
#define R_R11 11

#define FL_CF 0x1ull
#define FL_PF 0x4ull
#define FL_AF 0x10ull
#define FL_ZF 0x40ull
#define FL_SF 0x80ull
#define FL_TF 0x100ull
#define FL_IF 0x200ull
#define FL_DF 0x400ull
#define FL_OF 0x800ull
#define FL_AC 0x40000ull
#define FL_ID 0x200000ull
#define FL_USER_INIT 0x202ull
/* What the kernel lets user code keep (exo/arch/x86_64/user_frame.h); TF is not tried. */
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

static const char *const reg_name[16] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/* ------------------------------------------------------------ the probe */

/* Read and written by the assembly below (fixed names, rip-relative). */
uint64_t ur_in[16];                                  /* rsp ignored */
uint64_t ur_out[16];
uint64_t ur_flags_in, ur_flags_out, ur_rsp_in;
uint64_t ur_seg_in[6], ur_seg_out[6];                /* cs ss ds es fs gs */
uint8_t ur_xin[16][16] __attribute__((aligned(16)));
uint8_t ur_xout[16][16] __attribute__((aligned(16)));

void ur_probe(void);
extern const char ur_probe_after[];

#define SEGS(dst)                                                   \
	"xorl %eax, %eax\n\t"                                       \
	"movw %cs, %ax\n\tmovq %rax, " dst "+0(%rip)\n\t"           \
	"movw %ss, %ax\n\tmovq %rax, " dst "+8(%rip)\n\t"           \
	"movw %ds, %ax\n\tmovq %rax, " dst "+16(%rip)\n\t"          \
	"movw %es, %ax\n\tmovq %rax, " dst "+24(%rip)\n\t"          \
	"movw %fs, %ax\n\tmovq %rax, " dst "+32(%rip)\n\t"          \
	"movw %gs, %ax\n\tmovq %rax, " dst "+40(%rip)\n\t"

__asm__(
	"	.pushsection .text\n"
	"	.globl ur_probe\n"
	"	.type ur_probe, @function\n"
	"ur_probe:\n\t"
	"pushq %rbp\n\tpushq %rbx\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n\t"
	SEGS("ur_seg_in")
	"movdqa ur_xin+0(%rip), %xmm0\n\t"
	"movdqa ur_xin+16(%rip), %xmm1\n\t"
	"movdqa ur_xin+32(%rip), %xmm2\n\t"
	"movdqa ur_xin+48(%rip), %xmm3\n\t"
	"movdqa ur_xin+64(%rip), %xmm4\n\t"
	"movdqa ur_xin+80(%rip), %xmm5\n\t"
	"movdqa ur_xin+96(%rip), %xmm6\n\t"
	"movdqa ur_xin+112(%rip), %xmm7\n\t"
	"movdqa ur_xin+128(%rip), %xmm8\n\t"
	"movdqa ur_xin+144(%rip), %xmm9\n\t"
	"movdqa ur_xin+160(%rip), %xmm10\n\t"
	"movdqa ur_xin+176(%rip), %xmm11\n\t"
	"movdqa ur_xin+192(%rip), %xmm12\n\t"
	"movdqa ur_xin+208(%rip), %xmm13\n\t"
	"movdqa ur_xin+224(%rip), %xmm14\n\t"
	"movdqa ur_xin+240(%rip), %xmm15\n\t"
	"movq %rsp, ur_rsp_in(%rip)\n\t"
	"pushq ur_flags_in(%rip)\n\t"
	"popfq\n\t"
	"movq ur_in+0(%rip), %rax\n\t"
	"movq ur_in+8(%rip), %rbx\n\t"
	"movq ur_in+16(%rip), %rcx\n\t"
	"movq ur_in+24(%rip), %rdx\n\t"
	"movq ur_in+32(%rip), %rsi\n\t"
	"movq ur_in+40(%rip), %rdi\n\t"
	"movq ur_in+48(%rip), %rbp\n\t"
	"movq ur_in+64(%rip), %r8\n\t"
	"movq ur_in+72(%rip), %r9\n\t"
	"movq ur_in+80(%rip), %r10\n\t"
	"movq ur_in+88(%rip), %r11\n\t"
	"movq ur_in+96(%rip), %r12\n\t"
	"movq ur_in+104(%rip), %r13\n\t"
	"movq ur_in+112(%rip), %r14\n\t"
	"movq ur_in+120(%rip), %r15\n\t"
	"syscall\n"
	"	.globl ur_probe_after\n"
	"ur_probe_after:\n\t"
	"movq %rax, ur_out+0(%rip)\n\t"
	"movq %rbx, ur_out+8(%rip)\n\t"
	"movq %rcx, ur_out+16(%rip)\n\t"
	"movq %rdx, ur_out+24(%rip)\n\t"
	"movq %rsi, ur_out+32(%rip)\n\t"
	"movq %rdi, ur_out+40(%rip)\n\t"
	"movq %rbp, ur_out+48(%rip)\n\t"
	"movq %rsp, ur_out+56(%rip)\n\t"
	"movq %r8, ur_out+64(%rip)\n\t"
	"movq %r9, ur_out+72(%rip)\n\t"
	"movq %r10, ur_out+80(%rip)\n\t"
	"movq %r11, ur_out+88(%rip)\n\t"
	"movq %r12, ur_out+96(%rip)\n\t"
	"movq %r13, ur_out+104(%rip)\n\t"
	"movq %r14, ur_out+112(%rip)\n\t"
	"movq %r15, ur_out+120(%rip)\n\t"
	"pushfq\n\t"
	"popq ur_flags_out(%rip)\n\t"
	"cld\n\t"
	"pushq $0x202\n\t"
	"popfq\n\t"
	"movdqa %xmm0, ur_xout+0(%rip)\n\t"
	"movdqa %xmm1, ur_xout+16(%rip)\n\t"
	"movdqa %xmm2, ur_xout+32(%rip)\n\t"
	"movdqa %xmm3, ur_xout+48(%rip)\n\t"
	"movdqa %xmm4, ur_xout+64(%rip)\n\t"
	"movdqa %xmm5, ur_xout+80(%rip)\n\t"
	"movdqa %xmm6, ur_xout+96(%rip)\n\t"
	"movdqa %xmm7, ur_xout+112(%rip)\n\t"
	"movdqa %xmm8, ur_xout+128(%rip)\n\t"
	"movdqa %xmm9, ur_xout+144(%rip)\n\t"
	"movdqa %xmm10, ur_xout+160(%rip)\n\t"
	"movdqa %xmm11, ur_xout+176(%rip)\n\t"
	"movdqa %xmm12, ur_xout+192(%rip)\n\t"
	"movdqa %xmm13, ur_xout+208(%rip)\n\t"
	"movdqa %xmm14, ur_xout+224(%rip)\n\t"
	"movdqa %xmm15, ur_xout+240(%rip)\n\t"
	SEGS("ur_seg_out")
	"popq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n\t"
	"ret\n"
	"	.size ur_probe, . - ur_probe\n"
	"	.popsection\n");

/* ------------------------------------------------------------ the spin loops */

/*
 * struct ur_spin, at fixed offsets for the assembly: patterns for every
 * register, an iteration budget, a stop flag, a failure flag with the
 * registers seen at the failure, and how often this loop found that the
 * other one had run since its previous iteration.
 */
struct ur_spin {
	uint64_t pat[16];     /*   0 */
	uint64_t remaining;   /* 128: iterations left */
	uint64_t stop;        /* 136: set by someone else to end the loop */
	uint64_t failed;      /* 144 */
	uint64_t rsp_saved;   /* 152 */
	uint64_t seen[16];    /* 160: registers at a failure */
	uint64_t switches;    /* 288: times the other loop ran in between two iterations */
};
_Static_assert(__builtin_offsetof(struct ur_spin, remaining) == 128, "ur_spin layout");
_Static_assert(__builtin_offsetof(struct ur_spin, seen) == 160, "ur_spin layout");
_Static_assert(__builtin_offsetof(struct ur_spin, switches) == 288, "ur_spin layout");

struct ur_spin ur_spin_main, ur_spin_helper;
volatile uint64_t ur_last_runner;  /* 1 main, 2 helper */

void ur_spin_main_run(void);
void ur_spin_helper_run(void);

__asm__(
	".macro UR_SPIN fn, s, id\n"
	"	.globl \\fn\n"
	"	.type \\fn, @function\n"
	"\\fn:\n\t"
	"pushq %rbp\n\tpushq %rbx\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n\t"
	"movq %rsp, \\s+152(%rip)\n\t"
	"movq \\s+0(%rip), %rax\n\t"
	"movq \\s+8(%rip), %rbx\n\t"
	"movq \\s+16(%rip), %rcx\n\t"
	"movq \\s+24(%rip), %rdx\n\t"
	"movq \\s+32(%rip), %rsi\n\t"
	"movq \\s+40(%rip), %rdi\n\t"
	"movq \\s+48(%rip), %rbp\n\t"
	"movq \\s+64(%rip), %r8\n\t"
	"movq \\s+72(%rip), %r9\n\t"
	"movq \\s+80(%rip), %r10\n\t"
	"movq \\s+88(%rip), %r11\n\t"
	"movq \\s+96(%rip), %r12\n\t"
	"movq \\s+104(%rip), %r13\n\t"
	"movq \\s+112(%rip), %r14\n\t"
	"movq \\s+120(%rip), %r15\n\t"
	"std\n"
	"1:\n\t"
	"cmpq \\s+0(%rip), %rax\n\tjne 8f\n\t"
	"cmpq \\s+8(%rip), %rbx\n\tjne 8f\n\t"
	"cmpq \\s+16(%rip), %rcx\n\tjne 8f\n\t"
	"cmpq \\s+24(%rip), %rdx\n\tjne 8f\n\t"
	"cmpq \\s+32(%rip), %rsi\n\tjne 8f\n\t"
	"cmpq \\s+40(%rip), %rdi\n\tjne 8f\n\t"
	"cmpq \\s+48(%rip), %rbp\n\tjne 8f\n\t"
	"cmpq \\s+152(%rip), %rsp\n\tjne 8f\n\t"
	"cmpq \\s+64(%rip), %r8\n\tjne 8f\n\t"
	"cmpq \\s+72(%rip), %r9\n\tjne 8f\n\t"
	"cmpq \\s+80(%rip), %r10\n\tjne 8f\n\t"
	"cmpq \\s+88(%rip), %r11\n\tjne 8f\n\t"
	"cmpq \\s+96(%rip), %r12\n\tjne 8f\n\t"
	"cmpq \\s+104(%rip), %r13\n\tjne 8f\n\t"
	"cmpq \\s+112(%rip), %r14\n\tjne 8f\n\t"
	"cmpq \\s+120(%rip), %r15\n\tjne 8f\n\t"
	/* DF must survive every interrupt (the kernel clears it for itself). */
	"pushfq\n\ttestq $0x400, (%rsp)\n\tleaq 8(%rsp), %rsp\n\tjz 8f\n\t"
	"cmpq $\\id, ur_last_runner(%rip)\n\tje 2f\n\t"
	"incq \\s+288(%rip)\n\t"
	"movq $\\id, ur_last_runner(%rip)\n"
	"2:\n\t"
	"cmpq $0, \\s+136(%rip)\n\tjne 9f\n\t"
	"decq \\s+128(%rip)\n\tjnz 1b\n\t"
	"jmp 9f\n"
	"8:\n\t"
	"movq %rax, \\s+160(%rip)\n\t"
	"movq %rbx, \\s+168(%rip)\n\t"
	"movq %rcx, \\s+176(%rip)\n\t"
	"movq %rdx, \\s+184(%rip)\n\t"
	"movq %rsi, \\s+192(%rip)\n\t"
	"movq %rdi, \\s+200(%rip)\n\t"
	"movq %rbp, \\s+208(%rip)\n\t"
	"movq %rsp, \\s+216(%rip)\n\t"
	"movq %r8, \\s+224(%rip)\n\t"
	"movq %r9, \\s+232(%rip)\n\t"
	"movq %r10, \\s+240(%rip)\n\t"
	"movq %r11, \\s+248(%rip)\n\t"
	"movq %r12, \\s+256(%rip)\n\t"
	"movq %r13, \\s+264(%rip)\n\t"
	"movq %r14, \\s+272(%rip)\n\t"
	"movq %r15, \\s+280(%rip)\n\t"
	"movq $1, \\s+144(%rip)\n"
	"9:\n\t"
	"cld\n\t"
	"popq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n\t"
	"ret\n"
	"	.size \\fn, . - \\fn\n"
	".endm\n"
	"	.pushsection .text\n"
	"UR_SPIN ur_spin_main_run, ur_spin_main, 1\n"
	"UR_SPIN ur_spin_helper_run, ur_spin_helper, 2\n"
	"	.popsection\n");

/* ------------------------------------------------------------ a thread's first registers */

uint64_t ur_entry_regs[16], ur_entry_flags;
uint8_t ur_entry_xmm[16][16] __attribute__((aligned(16)));
uint32_t ur_entry_mxcsr;
uint16_t ur_entry_fcw;
uint64_t ur_entry_fsbase = 1, ur_entry_gsbase = 1, ur_have_fsgs;

void ur_entry(void);

static struct capos_bare_thread ur_bare;

__attribute__((noreturn, used)) void ur_entry_c(uint64_t arg, uint64_t ring)
{
	if (capos_bare_thread_start(&ur_bare, ring) != 0)
		__asm__ volatile("ud2");
	capos_thread_exit((int64_t)arg);
}

__asm__(
	"	.pushsection .text\n"
	"	.globl ur_entry\n"
	"	.type ur_entry, @function\n"
	"ur_entry:\n\t"
	"movq %rax, ur_entry_regs+0(%rip)\n\t"
	"movq %rbx, ur_entry_regs+8(%rip)\n\t"
	"movq %rcx, ur_entry_regs+16(%rip)\n\t"
	"movq %rdx, ur_entry_regs+24(%rip)\n\t"
	"movq %rsi, ur_entry_regs+32(%rip)\n\t"
	"movq %rdi, ur_entry_regs+40(%rip)\n\t"
	"movq %rbp, ur_entry_regs+48(%rip)\n\t"
	"movq %rsp, ur_entry_regs+56(%rip)\n\t"
	"movq %r8, ur_entry_regs+64(%rip)\n\t"
	"movq %r9, ur_entry_regs+72(%rip)\n\t"
	"movq %r10, ur_entry_regs+80(%rip)\n\t"
	"movq %r11, ur_entry_regs+88(%rip)\n\t"
	"movq %r12, ur_entry_regs+96(%rip)\n\t"
	"movq %r13, ur_entry_regs+104(%rip)\n\t"
	"movq %r14, ur_entry_regs+112(%rip)\n\t"
	"movq %r15, ur_entry_regs+120(%rip)\n\t"
	"pushfq\n\t"
	"popq ur_entry_flags(%rip)\n\t"
	"movdqa %xmm0, ur_entry_xmm+0(%rip)\n\t"
	"movdqa %xmm1, ur_entry_xmm+16(%rip)\n\t"
	"movdqa %xmm2, ur_entry_xmm+32(%rip)\n\t"
	"movdqa %xmm3, ur_entry_xmm+48(%rip)\n\t"
	"movdqa %xmm4, ur_entry_xmm+64(%rip)\n\t"
	"movdqa %xmm5, ur_entry_xmm+80(%rip)\n\t"
	"movdqa %xmm6, ur_entry_xmm+96(%rip)\n\t"
	"movdqa %xmm7, ur_entry_xmm+112(%rip)\n\t"
	"movdqa %xmm8, ur_entry_xmm+128(%rip)\n\t"
	"movdqa %xmm9, ur_entry_xmm+144(%rip)\n\t"
	"movdqa %xmm10, ur_entry_xmm+160(%rip)\n\t"
	"movdqa %xmm11, ur_entry_xmm+176(%rip)\n\t"
	"movdqa %xmm12, ur_entry_xmm+192(%rip)\n\t"
	"movdqa %xmm13, ur_entry_xmm+208(%rip)\n\t"
	"movdqa %xmm14, ur_entry_xmm+224(%rip)\n\t"
	"movdqa %xmm15, ur_entry_xmm+240(%rip)\n\t"
	"stmxcsr ur_entry_mxcsr(%rip)\n\t"
	"fnstcw ur_entry_fcw(%rip)\n\t"
	"cmpq $0, ur_have_fsgs(%rip)\n\tje 1f\n\t"
	"rdfsbase %rax\n\tmovq %rax, ur_entry_fsbase(%rip)\n\t"
	"rdgsbase %rax\n\tmovq %rax, ur_entry_gsbase(%rip)\n"
	"1:\n\t"
	"xorl %ebp, %ebp\n\t"
	"andq $-16, %rsp\n\t"
	"call ur_entry_c\n\t"
	"ud2\n"
	"	.size ur_entry, . - ur_entry\n"
	"	.popsection\n");

/* ------------------------------------------------------------ helpers */

#define rc capos_ring()  /* the calling thread's own ring client */
static int have_fsgsbase;
static unsigned kernel_values;   /* register values seen with the top 16 bits all ones */
static unsigned values_scanned;

static uint64_t pattern(unsigned i, uint64_t salt)
{
	/* Distinct per register and per salt; bit 63 clear, so never a kernel-half value. */
	return (0x0123456789abcdefull ^ (i * 0x1111111111111111ull) ^ salt) & 0x7fffffffffffff7full;
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static uint64_t rdfsbase(void)
{
	uint64_t v;

	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}

static uint64_t rdgsbase(void)
{
	uint64_t v;

	__asm__ volatile("rdgsbase %0" : "=r"(v));
	return v;
}

static void wrgsbase(uint64_t v)
{
	__asm__ volatile("wrgsbase %0" :: "r"(v) : "memory");
}

static void scan_kernel(const uint64_t *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		values_scanned++;
		if ((v[i] >> 48) == 0xffff) {
			kernel_values++;
			ut_note("kernel-half value 0x%llx in scanned word %u", (unsigned long long)v[i], i);
		}
	}
}

/* Fill the probe's inputs: rax = nr, rdi, rsi as given, patterns everywhere else. */
static void probe_setup(uint64_t nr, uint64_t rdi, uint64_t rsi, uint64_t flags, uint64_t salt)
{
	for (unsigned i = 0; i < 16; i++)
		ur_in[i] = pattern(i, salt);
	ur_in[R_RAX] = nr;
	ur_in[R_RDI] = rdi;
	ur_in[R_RSI] = rsi;
	ur_in[R_RSP] = 0;
	for (unsigned i = 0; i < 16; i++)
		for (unsigned b = 0; b < 16; b++)
			ur_xin[i][b] = (uint8_t)(salt * 7 + i * 16 + b + 1);
	ur_flags_in = flags;
}

/*
 * Check the probe's outputs: one line each for the result, the preserved
 * registers, rcx/r11, the scratch registers, xmm and the selectors.
 */
static void probe_check(const char *what, int64_t want_rax)
{
	char line[160];
	uint64_t want_flags = (ur_flags_in & (FL_ARITH | FL_DF | FL_AC | FL_ID)) | FL_USER_INIT;
	static const unsigned kept[] = { R_RBX, R_RBP, 12, 13, 14, 15 };
	static const unsigned scratch[] = { R_RDX, R_RSI, R_RDI, R_R8, 9, 10 };
	int bad = -1, xbad = -1, sbad = -1;

	capos_snprintf(line, sizeof line, "%s: rax is %lld", what, (long long)want_rax);
	ut_check((int64_t)ur_out[R_RAX] == want_rax, line, "rax %lld (%#llx)", (long long)ur_out[R_RAX],
		 (unsigned long long)ur_out[R_RAX]);

	for (unsigned i = 0; i < sizeof kept / sizeof kept[0] && bad < 0; i++)
		if (ur_out[kept[i]] != ur_in[kept[i]])
			bad = (int)kept[i];
	if (bad < 0 && ur_out[R_RSP] != ur_rsp_in)
		bad = R_RSP;
	capos_snprintf(line, sizeof line, "%s: rbx rbp rsp r12-r15 preserved", what);
	ut_check(bad < 0, line, "%s %#llx, expected %#llx", bad >= 0 ? reg_name[bad] : "",
		 (unsigned long long)(bad >= 0 ? ur_out[bad] : 0),
		 (unsigned long long)(bad == R_RSP ? ur_rsp_in : bad >= 0 ? ur_in[bad] : 0));

	bad = -1;
	for (unsigned i = 0; i < sizeof scratch / sizeof scratch[0] && bad < 0; i++)
		if (ur_out[scratch[i]] != ur_in[scratch[i]] && ur_out[scratch[i]] != 0)
			bad = (int)scratch[i];
	capos_snprintf(line, sizeof line, "%s: rdx rsi rdi r8-r10 hold the caller's value or 0", what);
	ut_check(bad < 0, line, "%s %#llx, put in %#llx", bad >= 0 ? reg_name[bad] : "",
		 (unsigned long long)(bad >= 0 ? ur_out[bad] : 0),
		 (unsigned long long)(bad >= 0 ? ur_in[bad] : 0));

	capos_snprintf(line, sizeof line, "%s: rcx is the return address, r11 the flags", what);
	ut_check(ur_out[R_RCX] == (uint64_t)(uintptr_t)ur_probe_after && ur_out[R_R11] == ur_flags_out &&
		 ur_flags_out == want_flags, line, "rcx %#llx (want %#llx) r11 %#llx rflags %#llx (want %#llx)",
		 (unsigned long long)ur_out[R_RCX], (unsigned long long)(uintptr_t)ur_probe_after,
		 (unsigned long long)ur_out[R_R11], (unsigned long long)ur_flags_out,
		 (unsigned long long)want_flags);

	for (unsigned i = 0; i < 16 && xbad < 0; i++)
		for (unsigned b = 0; b < 16; b++)
			if (ur_xout[i][b] != ur_xin[i][b]) {
				xbad = (int)i;
				break;
			}
	for (unsigned i = 0; i < 6 && sbad < 0; i++)
		if (ur_seg_out[i] != ur_seg_in[i])
			sbad = (int)i;
	capos_snprintf(line, sizeof line, "%s: xmm0-15 and segment selectors preserved", what);
	ut_check(xbad < 0 && sbad < 0, line, "xmm%d differs; selector %d %#llx was %#llx", xbad, sbad,
		 (unsigned long long)(sbad >= 0 ? ur_seg_out[sbad] : 0),
		 (unsigned long long)(sbad >= 0 ? ur_seg_in[sbad] : 0));
	scan_kernel(ur_out + 1, 15);  /* rax: checked against the documented result above */
	scan_kernel((const uint64_t *)ur_xout, 32);
}

/* ------------------------------------------------------------ (a) plain system calls */

static void test_syscall_plain(void)
{
	const uint64_t all_flags = FL_ARITH | FL_DF | FL_AC | FL_ID | FL_USER_INIT;

	probe_setup(CAPOS_SYS_CAP_ENTER, 0, pattern(4, 1), FL_USER_INIT, 1);
	ur_probe();
	probe_check("cap_enter(0, pattern) with flags clear", 0);

	probe_setup(CAPOS_SYS_CAP_ENTER, 0, pattern(4, 2), all_flags, 2);
	ur_probe();
	probe_check("cap_enter(0, pattern) with CF PF AF ZF SF OF DF AC ID set", 0);

	probe_setup(1, pattern(5, 3), pattern(4, 3), FL_USER_INIT | FL_CF, 3);
	ur_probe();
	probe_check("syscall number 1", -CAPOS_ENOSYS);

	probe_setup(pattern(0, 4), pattern(5, 4), pattern(4, 4), all_flags, 4);
	ur_probe();
	probe_check("syscall number 0x(pattern)", -CAPOS_ENOSYS);

	probe_setup(0xffffffff80000000ull, pattern(5, 5), pattern(4, 5), FL_USER_INIT, 5);
	ur_probe();
	probe_check("syscall number in the kernel half", -CAPOS_ENOSYS);

	probe_setup(CAPOS_SYS_CAP_ENTER, 1ull << 32, pattern(4, 6), FL_USER_INIT | FL_ZF, 6);
	ur_probe();
	probe_check("cap_enter min_complete above 32 bits", -CAPOS_EINVAL);
}

/* ------------------------------------------------------------ (b) a NOP through the ring */

static void test_syscall_nop(void)
{
	const uint64_t ud = 0x52454753ull;  /* "REGS", not a value the client hands out */
	const struct capos_cqe *cqe;
	struct capos_sqe *sqe;
	uint64_t got_ud = 0;
	int32_t status = -1;

	capos_ring_lock(rc);
	sqe = capos_ring_get_sqe(rc);
	if (sqe) {
		capos_sqe_nop(sqe, ud);
		capos_ring_publish(rc);
	}
	capos_ring_unlock(rc);
	/* Nothing may enter the kernel in between (a printf would consume the NOP). */
	probe_setup(CAPOS_SYS_CAP_ENTER, 1, 1000 * UT_MS, FL_USER_INIT | FL_SF | FL_DF, 7);
	ur_probe();
	/* Reap before printing: the printf's own call would move the CQE into the client's stash. */
	capos_ring_lock(rc);
	cqe = capos_ring_peek_cqe(rc);
	if (cqe) {
		got_ud = cqe->user_data;
		status = cqe->status;
		capos_ring_cqe_seen(rc);
	}
	capos_ring_unlock(rc);
	ut_check(sqe != NULL, "ring NOP submitted", "no free SQE");
	probe_check("ring NOP then cap_enter(1, 1 s)", 1);
	ut_check(cqe && got_ud == ud && status == 0, "ring NOP completion", "cqe %s user_data %#llx status %d",
		 cqe ? "present" : "missing", (unsigned long long)got_ud, status);
}

/* ------------------------------------------------------------ a thread's entry registers */

static void test_thread_entry(void)
{
	uint64_t *stack = capos_pages_alloc(4);
	uint64_t top = (uint64_t)(uintptr_t)stack + 4 * CAPOS_PAGE_SIZE;
	const uint64_t arg = 0x1234abcd5678ull;
	struct capos_thread_spawner_spawn_in in = { .entry = (uint64_t)(uintptr_t)ur_entry, .stack_top = top,
						    .arg = arg, .fs_base = 0 };
	struct capos_thread_spawner_spawn_out out = { 0 };
	struct capos_thread_handle_join_out j = { 0 };
	int bad = -1, xbad = -1, err;

	ur_have_fsgs = (uint64_t)have_fsgsbase;
	if (have_fsgsbase)
		wrgsbase(0x00005eed0000d000ull);  /* the new thread must not inherit it */
	err = capos_thread_spawner_spawn(rc, ut_cap("threads"), &in, &out);
	ut_status("bare thread spawned", err, 0);
	if (err) {
		if (have_fsgsbase)
			wrgsbase(0);
		return;
	}
	ut_status("bare thread joined", capos_thread_handle_join(rc, out.thread, &j), 0);
	if (have_fsgsbase) {
		uint64_t mine = rdgsbase();

		wrgsbase(0);
		ut_check(ur_entry_fsbase == 0 && ur_entry_gsbase == 0 && mine == 0x00005eed0000d000ull,
			 "new thread enters with FS base as spawned (0) and GS base 0, not its creator's",
			 "fs %#llx gs %#llx; creator's gs now %#llx", (unsigned long long)ur_entry_fsbase,
			 (unsigned long long)ur_entry_gsbase, (unsigned long long)mine);
	}
	capos_release(rc, out.thread);
	for (unsigned i = 0; i < 16 && bad < 0; i++) {
		uint64_t want = i == R_RDI ? arg : i == R_RSI ? out.ring : i == R_RSP ? top : 0;

		if (ur_entry_regs[i] != want)
			bad = (int)i;
	}
	ut_check(bad < 0 && j.exit_code == (int64_t)arg,
		 "new thread enters with rdi = arg, rsi = its ring, rsp = stack top, every other register 0",
		 "%s = %#llx (exit %lld)",
		 bad >= 0 ? reg_name[bad] : "-", (unsigned long long)(bad >= 0 ? ur_entry_regs[bad] : 0),
		 (long long)j.exit_code);
	ut_check(ur_entry_flags == FL_USER_INIT, "new thread enters with RFLAGS 0x202", "rflags %#llx",
		 (unsigned long long)ur_entry_flags);
	for (unsigned i = 0; i < 16 && xbad < 0; i++)
		for (unsigned b = 0; b < 16; b++)
			if (ur_entry_xmm[i][b])
				xbad = (int)i;
	ut_check(xbad < 0 && ur_entry_mxcsr == 0x1f80 && ur_entry_fcw == 0x037f,
		 "new thread enters with xmm0-15 zero, MXCSR 0x1f80, FCW 0x37f (no FPU state of another thread)",
		 "xmm%d not zero, MXCSR %#x FCW %#x", xbad, ur_entry_mxcsr, ur_entry_fcw);
	scan_kernel(ur_entry_regs, 16);
	scan_kernel((const uint64_t *)ur_entry_xmm, 32);
	capos_pages_free(stack, 4);
}

/* ------------------------------------------------------------ (c) preemption in user mode */

static int64_t helper_main(void *arg)
{
	(void)arg;
	ur_spin_helper_run();
	return ur_spin_helper.failed ? 1 : 0;
}

static void spin_setup(struct ur_spin *s, uint64_t salt, uint64_t iterations)
{
	for (unsigned i = 0; i < 16; i++)
		s->pat[i] = pattern(i, salt);
	s->remaining = iterations;
	s->stop = 0;
	s->failed = 0;
	s->switches = 0;
}

static uint64_t helper_done(void)
{
	return (1ull << 62) - *(volatile uint64_t *)&ur_spin_helper.remaining;
}

static void spin_failure_note(const char *who, const struct ur_spin *s)
{
	int shown = 0;

	for (unsigned i = 0; i < 16; i++)
		if (i == R_RSP ? s->seen[i] != s->rsp_saved : s->seen[i] != s->pat[i]) {
			ut_note("%s loop: %s = %#llx, expected %#llx", who, reg_name[i],
				(unsigned long long)s->seen[i],
				(unsigned long long)(i == R_RSP ? s->rsp_saved : s->pat[i]));
			shown++;
		}
	if (!shown)
		ut_note("%s loop: every register matched: RFLAGS.DF was lost", who);
}

/* cap_enter(1, 30 ms) with nothing pending: the thread sleeps in the kernel and the helper runs meanwhile. */
static void test_blocking_probe(const char *what, uint64_t salt)
{
	uint64_t t0 = capos_time_ns(), h0 = helper_done(), t1, h1;
	char line[160];

	probe_setup(CAPOS_SYS_CAP_ENTER, 1, 30 * UT_MS, FL_USER_INIT | FL_OF | FL_PF | FL_ID, salt);
	ur_probe();
	t1 = capos_time_ns();
	h1 = helper_done();
	probe_check(what, 0);
	capos_snprintf(line, sizeof line, "%s: slept 30 ms while the other thread ran", what);
	ut_check(t1 - t0 >= 30 * UT_MS && h1 > h0, line, "%llu ns, helper %llu -> %llu iterations",
		 (unsigned long long)(t1 - t0), (unsigned long long)h0, (unsigned long long)h1);
}

static void test_gs_kernel_half(void)
{
	const uint64_t kgs = 0xffff80000badf000ull, ugs = 0x00007ead0000c000ull;
	uint64_t saved = rdgsbase(), got_k, got_u;

	wrgsbase(ugs);
	test_blocking_probe("blocking cap_enter with a user GS base", 21);
	got_u = rdgsbase();
	wrgsbase(kgs);
	probe_setup(CAPOS_SYS_CAP_ENTER, 1, 20 * UT_MS, FL_USER_INIT, 22);
	ur_probe();
	got_k = rdgsbase();
	wrgsbase(saved);
	ut_check(got_u == ugs, "GS base set by WRGSBASE survives a blocking cap_enter", "%#llx",
		 (unsigned long long)got_u);
	ut_check(got_k == kgs && ur_out[R_RAX] == 0,
		 "GS base in the kernel half survives a blocking cap_enter (the kernel does not trust it)",
		 "gs base %#llx rax %lld", (unsigned long long)got_k, (long long)ur_out[R_RAX]);
}

static void test_preemption(void)
{
	struct capos_thread *t = NULL;
	uint64_t calib = 200000, n, t0, t1, h0, h1, fs_before = 0, fs_after = 0, gs_before = 0, gs_after = 0;
	int64_t code = -1;
	int err;

	spin_setup(&ur_spin_helper, 0x5151515151ull, 1ull << 62);
	err = capos_thread_create(&t, helper_main, NULL, 0);
	ut_status("helper thread with its own register patterns started", err, 0);
	if (err)
		return;
	while (helper_done() == 0)  /* single CPU: the helper only runs when we are preempted */
		;
	ut_check(1, "main thread preempted in a user-mode loop (the helper got to run)", "-");

	test_blocking_probe("blocking cap_enter(1, 30 ms)", 11);
	if (have_fsgsbase)
		test_gs_kernel_half();

	/* Calibrate, then spin for about 200 ms of wall time. */
	spin_setup(&ur_spin_main, 0xa5a5a5a5a5ull, calib);
	t0 = capos_time_ns();
	ur_spin_main_run();
	t1 = capos_time_ns();
	n = (t1 > t0) ? calib * (200 * UT_MS) / (t1 - t0) : calib * 50;
	if (n < calib)
		n = calib;
	if (have_fsgsbase) {
		fs_before = rdfsbase();
		gs_before = rdgsbase();
	}
	spin_setup(&ur_spin_main, 0x3c3c3c3c3cull, n);
	h0 = helper_done();
	t0 = capos_time_ns();
	ur_spin_main_run();
	t1 = capos_time_ns();
	h1 = helper_done();
	if (have_fsgsbase) {
		fs_after = rdfsbase();
		gs_after = rdgsbase();
	}
	*(volatile uint64_t *)&ur_spin_helper.stop = 1;
	err = capos_thread_join(t, &code);

	ut_note("spin: %llu iterations in %llu ms; helper ran %llu iterations meanwhile; "
		"the main loop saw the helper run %llu times",
		(unsigned long long)n, (unsigned long long)((t1 - t0) / UT_MS), (unsigned long long)(h1 - h0),
		(unsigned long long)ur_spin_main.switches);
	ut_check(!ur_spin_main.failed, "every register (and DF) intact on every iteration of a 200 ms user loop",
		 "mismatch");
	if (ur_spin_main.failed)
		spin_failure_note("main", &ur_spin_main);
	ut_check(t1 - t0 > 50 * UT_MS, "the loop lasted more than 50 ms (several timer ticks)", "%llu ns",
		 (unsigned long long)(t1 - t0));
	ut_check(h1 > h0 && ur_spin_main.switches >= 3,
		 "the timer preempted the loop repeatedly (the helper ran in between)",
		 "helper %llu -> %llu, seen %llu times", (unsigned long long)h0, (unsigned long long)h1,
		 (unsigned long long)ur_spin_main.switches);
	ut_status("helper thread joined", err, 0);
	ut_check(code == 0 && !ur_spin_helper.failed && ur_spin_helper.switches >= 3,
		 "helper's registers intact on every iteration while it was preempted", "code %lld, seen main %llu times",
		 (long long)code, (unsigned long long)ur_spin_helper.switches);
	if (ur_spin_helper.failed)
		spin_failure_note("helper", &ur_spin_helper);
	scan_kernel(ur_spin_main.seen, 16);
	scan_kernel(ur_spin_helper.seen, 16);
	if (have_fsgsbase) {
		ut_check(fs_before == (uint64_t)(uintptr_t)capos_tcb_self() && fs_after == fs_before &&
			 gs_after == gs_before, "FS and GS base unchanged across preemption",
			 "fs %#llx -> %#llx (tcb %p), gs %#llx -> %#llx", (unsigned long long)fs_before,
			 (unsigned long long)fs_after, (void *)capos_tcb_self(), (unsigned long long)gs_before,
			 (unsigned long long)gs_after);
		scan_kernel(&fs_after, 1);
		scan_kernel(&gs_after, 1);
	}
}

/* ------------------------------------------------------------ (d) */

static void test_no_kernel_values(void)
{
	struct capos_thread_control_get_fs_base_out fs = { 0 };

	if (!have_fsgsbase) {
		ut_status("ThreadControl.get_fs_base", capos_thread_control_get_fs_base(rc, ut_cap("thread"), &fs), 0);
		ut_check(fs.fs_base == (uint64_t)(uintptr_t)capos_tcb_self(), "FS base is still the TCB", "%#llx",
			 (unsigned long long)fs.fs_base);
	}
	ut_check(kernel_values == 0 && values_scanned > 0,
		 "no kernel-half value in any register after a system call, interrupt or thread entry",
		 "%u of %u values", kernel_values, values_scanned);
	ut_note("%u register values scanned", values_scanned);
}

int main(int argc, char **argv)
{
	uint32_t r[4];

	(void)argc;
	(void)argv;
	ut_init("utest-regs");
	cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		have_fsgsbase = (int)(r[1] & 1);
	}
	ut_note("FSGSBASE %s", have_fsgsbase ? "available: FS/GS bases read directly" : "absent");
	test_syscall_plain();
	test_syscall_nop();
	test_thread_entry();
	test_preemption();
	test_no_kernel_values();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
