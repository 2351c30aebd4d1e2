/*
 * Per-thread FPU/SSE/AVX state and FS base under preemption (issue 3:
 * "per-thread FPU/SSE state is saved; scheduling is preemptive on the
 * LAPIC timer").  Runs as init; one line per check, "utest-fpu: <what>:
 * ok"; exits with the number of failures.
 *
 * Four threads spin at once, none of them ever entering the kernel while
 * it spins: the main thread (FS base set by the runtime at start-up with
 * ThreadControl.set_fs_base), two runtime threads (FS base from
 * ThreadSpawner.spawn's fs_base) and a bare thread that was spawned with
 * one fs_base and moved itself to another TLS area with
 * ThreadControl.set_fs_base.  Each loads xmm0-15, the upper halves of
 * ymm0-15 (with AVX), the x87 control word, one x87 stack value and MXCSR
 * with its own values (and its own GS base with FSGSBASE), then loops in
 * assembly, re-checking all of them and %fs:0 (and RDFSBASE/RDGSBASE) on
 * every iteration, until a fifth thread, which sleeps, says stop after
 * more than 200 ms.  Each loop counts its iterations and how often it
 * found that another loop had run since its previous iteration: on one
 * CPU that can only be the timer preempting it.  Meanwhile a fresh thread
 * is started and must see a clean FPU state, none of the spinners'.
 */
#include "utest.h"

#define SPINNERS 4
#define MIN_LOOP_NS (200 * UT_MS)

/* Layout shared with the assembly (offsets in the comments). */
struct uf_ctx {
	uint8_t expect[32][16];  /*    0: xmm0-15, then the upper halves of ymm0-15 */
	uint8_t seen[32][16];    /*  512 */
	uint64_t use_avx;        /* 1024 */
	uint64_t fcw;            /* 1032 */
	uint64_t mxcsr;          /* 1040 */
	uint64_t tcb;            /* 1048: expected %fs:0 */
	uint64_t fsbase;         /* 1056: expected RDFSBASE */
	uint64_t gsbase;         /* 1064: loaded with WRGSBASE, expected RDGSBASE */
	uint64_t use_fsgs;       /* 1072 */
	uint64_t id;             /* 1080: non-zero */
	uint64_t iterations;     /* 1088 */
	uint64_t switches;       /* 1096: another loop ran between two of our iterations */
	uint64_t fail;           /* 1104: 0, or which check failed (FAIL_*) */
	uint64_t fail_index;     /* 1112: qword of expect[] that differed */
	uint64_t scratch;        /* 1120 */
	uint64_t x87;            /* 1128: integer loaded into st0 */
	uint64_t x87_seen;       /* 1136 */
	uint64_t got;            /* 1144: value seen at the failure */
	uint64_t saved_gs;       /* 1152 */
	uint64_t fail_count;     /* 1160: failed checks, all iterations */
	/* C only */
	const char *how;
	uint64_t tsc0, tsc1, others0, others1;
} __attribute__((aligned(64)));
_Static_assert(__builtin_offsetof(struct uf_ctx, use_avx) == 1024, "uf_ctx layout");
_Static_assert(__builtin_offsetof(struct uf_ctx, saved_gs) == 1152, "uf_ctx layout");
_Static_assert(__builtin_offsetof(struct uf_ctx, fail_count) == 1160, "uf_ctx layout");

enum { FAIL_VEC = 1, FAIL_FCW = 3, FAIL_MXCSR, FAIL_X87, FAIL_FS0, FAIL_FSBASE, FAIL_GSBASE };
static const char *const fail_name[] = { "", "xmm/ymm", "", "FCW", "MXCSR", "x87 st0", "%fs:0", "FS base",
					 "GS base" };

volatile uint64_t uf_stop, uf_last_runner;
uint32_t uf_default_mxcsr = 0x1f80;
uint64_t uf_have_avx;

void uf_spin(struct uf_ctx *c);

#define LOADX(n, off) "movdqu " #off "(%rdi), %xmm" #n "\n\t"
#define LOADY(n, off) "vinsertf128 $1, " #off "(%rdi), %ymm" #n ", %ymm" #n "\n\t"
#define STOREX(n, off) "movdqu %xmm" #n ", " #off "(%rdi)\n\t"
#define STOREY(n, off) "vextractf128 $1, %ymm" #n ", " #off "(%rdi)\n\t"

/*
 * After a compare (flags set, value seen in rax): when it differed, count
 * it and, for the first failure, note which check, the value and the
 * iteration.  The loop goes on either way, so every thread still leaves
 * its loop only when told to.
 */
#define UF_FAIL(n)                                                              \
	"je 7f\n\t"                                                           \
	"incq 1160(%rdi)\n\t"                                                 \
	"cmpq $0, 1104(%rdi)\n\tjne 7f\n\t"                                  \
	"movq $" #n ", 1104(%rdi)\n\tmovq %rax, 1144(%rdi)\n\t"              \
	"movq 1088(%rdi), %rax\n\tmovq %rax, 1112(%rdi)\n"                   \
	"7:\n\t"

__asm__(
	"	.pushsection .text\n"
	"	.globl uf_spin\n"
	"	.type uf_spin, @function\n"
	"uf_spin:\n\t"
	"pushq %rbp\n\tmovq %rsp, %rbp\n\t"
	"fninit\n\t"
	"fldcw 1032(%rdi)\n\t"
	"ldmxcsr 1040(%rdi)\n\t"
	"fildq 1128(%rdi)\n\t"
	LOADX(0, 0) LOADX(1, 16) LOADX(2, 32) LOADX(3, 48) LOADX(4, 64) LOADX(5, 80) LOADX(6, 96)
	LOADX(7, 112) LOADX(8, 128) LOADX(9, 144) LOADX(10, 160) LOADX(11, 176) LOADX(12, 192)
	LOADX(13, 208) LOADX(14, 224) LOADX(15, 240)
	"cmpq $0, 1024(%rdi)\n\tje 1f\n\t"
	LOADY(0, 256) LOADY(1, 272) LOADY(2, 288) LOADY(3, 304) LOADY(4, 320) LOADY(5, 336)
	LOADY(6, 352) LOADY(7, 368) LOADY(8, 384) LOADY(9, 400) LOADY(10, 416) LOADY(11, 432)
	LOADY(12, 448) LOADY(13, 464) LOADY(14, 480) LOADY(15, 496)
	"1:\n\t"
	"cmpq $0, 1072(%rdi)\n\tje 2f\n\t"
	"rdgsbase %rax\n\tmovq %rax, 1152(%rdi)\n\t"
	"movq 1064(%rdi), %rax\n\twrgsbase %rax\n"
	"2:\n\t"
	STOREX(0, 512) STOREX(1, 528) STOREX(2, 544) STOREX(3, 560) STOREX(4, 576) STOREX(5, 592)
	STOREX(6, 608) STOREX(7, 624) STOREX(8, 640) STOREX(9, 656) STOREX(10, 672) STOREX(11, 688)
	STOREX(12, 704) STOREX(13, 720) STOREX(14, 736) STOREX(15, 752)
	"movl $32, %ecx\n\t"
	"cmpq $0, 1024(%rdi)\n\tje 3f\n\t"
	STOREY(0, 768) STOREY(1, 784) STOREY(2, 800) STOREY(3, 816) STOREY(4, 832) STOREY(5, 848)
	STOREY(6, 864) STOREY(7, 880) STOREY(8, 896) STOREY(9, 912) STOREY(10, 928) STOREY(11, 944)
	STOREY(12, 960) STOREY(13, 976) STOREY(14, 992) STOREY(15, 1008)
	"movl $64, %ecx\n"
	"3:\n\t"
	"xorl %edx, %edx\n"
	"4:\n\t"
	"movq 0(%rdi,%rdx,8), %rax\n\t"
	"cmpq 512(%rdi,%rdx,8), %rax\n\t"
	"jne 20f\n\t"
	"incq %rdx\n\tcmpq %rcx, %rdx\n\tjb 4b\n"
	"10:\n\t"
	"fnstcw 1120(%rdi)\n\tmovzwl 1120(%rdi), %eax\n\tcmpq 1032(%rdi), %rax\n\t" UF_FAIL(3)
	"stmxcsr 1120(%rdi)\n\tmovl 1120(%rdi), %eax\n\tcmpq 1040(%rdi), %rax\n\t" UF_FAIL(4)
	"fld %st(0)\n\tfistpq 1136(%rdi)\n\tmovq 1136(%rdi), %rax\n\tcmpq 1128(%rdi), %rax\n\t" UF_FAIL(5)
	"movq %fs:0, %rax\n\tcmpq 1048(%rdi), %rax\n\t" UF_FAIL(6)
	"cmpq $0, 1072(%rdi)\n\tje 5f\n\t"
	"rdfsbase %rax\n\tcmpq 1056(%rdi), %rax\n\t" UF_FAIL(7)
	"rdgsbase %rax\n\tcmpq 1064(%rdi), %rax\n\t" UF_FAIL(8)
	"5:\n\t"
	"incq 1088(%rdi)\n\t"
	"movq uf_last_runner(%rip), %rax\n\tcmpq 1080(%rdi), %rax\n\tje 6f\n\t"
	"incq 1096(%rdi)\n\tmovq 1080(%rdi), %rax\n\tmovq %rax, uf_last_runner(%rip)\n"
	"6:\n\t"
	"cmpq $0, uf_stop(%rip)\n\tje 2b\n\t"
	"jmp 30f\n"
	/* A vector register differs: note the first one, count, go on with the other checks. */
	"20:\n\t"
	"incq 1160(%rdi)\n\t"
	"cmpq $0, 1104(%rdi)\n\tjne 10b\n\t"
	"movq %rdx, 1112(%rdi)\n\tmovq 512(%rdi,%rdx,8), %rax\n\tmovq %rax, 1144(%rdi)\n\t"
	"movq $1, 1104(%rdi)\n\tjmp 10b\n"
	"30:\n\t"
	"cmpq $0, 1072(%rdi)\n\tje 31f\n\t"
	"movq 1152(%rdi), %rax\n\twrgsbase %rax\n"
	"31:\n\t"
	"cmpq $0, 1024(%rdi)\n\tje 32f\n\t"
	"vzeroupper\n"
	"32:\n\t"
	"fninit\n\t"
	"ldmxcsr uf_default_mxcsr(%rip)\n\t"
	"popq %rbp\n\t"
	"ret\n"
	"	.size uf_spin, . - uf_spin\n"
	"	.popsection\n");

/* ------------------------------------------------------------ a fresh thread's FPU state */

uint8_t uf_fresh_xmm[32][16] __attribute__((aligned(16)));
uint32_t uf_fresh_mxcsr;
uint32_t uf_fresh_env[7];  /* FNSTENV: FCW, FSW, FTW, ... (32-bit format) */

void uf_fresh_entry(void);

static struct capos_bare_thread fresh_bare;

/* rdi (0) and rsi (the ring) are still the entry values here. */
__attribute__((noreturn, used)) void uf_fresh_c(uint64_t arg, uint64_t ring)
{
	(void)arg;
	if (capos_bare_thread_start(&fresh_bare, ring) != 0)
		__asm__ volatile("ud2");
	capos_thread_exit(0);
}

#define FRESHX(n) "movdqa %xmm" #n ", uf_fresh_xmm+16*" #n "(%rip)\n\t"
#define FRESHY(n) "vextractf128 $1, %ymm" #n ", uf_fresh_xmm+256+16*" #n "(%rip)\n\t"

__asm__(
	"	.pushsection .text\n"
	"	.globl uf_fresh_entry\n"
	"	.type uf_fresh_entry, @function\n"
	"uf_fresh_entry:\n\t"
	FRESHX(0) FRESHX(1) FRESHX(2) FRESHX(3) FRESHX(4) FRESHX(5) FRESHX(6) FRESHX(7)
	FRESHX(8) FRESHX(9) FRESHX(10) FRESHX(11) FRESHX(12) FRESHX(13) FRESHX(14) FRESHX(15)
	"cmpq $0, uf_have_avx(%rip)\n\tje 1f\n\t"
	FRESHY(0) FRESHY(1) FRESHY(2) FRESHY(3) FRESHY(4) FRESHY(5) FRESHY(6) FRESHY(7)
	FRESHY(8) FRESHY(9) FRESHY(10) FRESHY(11) FRESHY(12) FRESHY(13) FRESHY(14) FRESHY(15)
	"1:\n\t"
	"stmxcsr uf_fresh_mxcsr(%rip)\n\t"
	"fnstenv uf_fresh_env(%rip)\n\t"
	"xorl %ebp, %ebp\n\t"
	"andq $-16, %rsp\n\t"
	"call uf_fresh_c\n\t"
	"ud2\n"
	"	.size uf_fresh_entry, . - uf_fresh_entry\n"
	"	.popsection\n");

/* ------------------------------------------------------------ helpers */

#define rc capos_ring()  /* the calling thread's own ring client */
static int have_fsgsbase;
static struct uf_ctx ctx[SPINNERS];
static volatile uint32_t uf_started;
static int fresh_err = -1;
static int64_t fresh_code = -1;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void detect(void)
{
	uint32_t r[4], lo, hi;

	cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		have_fsgsbase = (int)(r[1] & 1);
	}
	cpuid(1, 0, r);
	if ((r[2] & (1u << 27)) && (r[2] & (1u << 28))) {  /* OSXSAVE and AVX */
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		uf_have_avx = (lo & 6) == 6;
	}
}

static int submit_self_fs(uint16_t method, uint64_t fs_base, uint64_t *out_fs)
{
	struct capos_thread_control_set_fs_base_in in = { .fs_base = fs_base };
	struct capos_thread_control_get_fs_base_out out = { 0 };
	uint32_t tc = capos_cap_find("thread", NULL);
	struct capos_sqe s;
	int err;

	if (method == CAPOS_THREAD_CONTROL_SET_FS_BASE)
		capos_sqe_call(&s, 0, tc, CAPOS_IFACE_THREAD_CONTROL, method, &in, sizeof in, NULL, 0);
	else
		capos_sqe_call(&s, 0, tc, CAPOS_IFACE_THREAD_CONTROL, method, NULL, 0, &out, sizeof out);
	err = capos_submit_self(capos_ring(), &s, NULL);
	if (out_fs)
		*out_fs = out.fs_base;
	return err;
}

/* Thread k's values: every one distinct per thread and per register. */
static void ctx_init(struct uf_ctx *c, unsigned k, const char *how)
{
	static const uint16_t fcw[SPINNERS] = { 0x007f, 0x027f, 0x0b7f, 0x0e7f };
	static const uint32_t mxcsr[SPINNERS] = { 0x3f80, 0x5f80, 0x7f80, 0x9f80 };

	for (unsigned r = 0; r < 32; r++)
		for (unsigned b = 0; b < 16; b++)
			c->expect[r][b] = (uint8_t)((k + 1) * 0x35 + r * 16 + b * 3 + (r >= 16 ? 0x80 : 0));
	c->use_avx = uf_have_avx;
	c->fcw = fcw[k];
	c->mxcsr = mxcsr[k];
	c->x87 = 1000003ull * (k + 1);
	c->use_fsgs = (uint64_t)have_fsgsbase;
	c->gsbase = 0x00006a0000000000ull + (k + 1) * 0x10000ull;
	c->id = k + 1;
	c->how = how;
}

static uint64_t others_iterations(const struct uf_ctx *self)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < SPINNERS; i++)
		if (&ctx[i] != self)
			sum += *(volatile uint64_t *)&ctx[i].iterations;
	return sum;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/*
 * Spin with c on the calling thread, whose FS base (and %fs:0) is tcb.
 * Nothing here enters the kernel: the loop is timed with the TSC, and the
 * FS base the kernel holds is asked for only on the main thread, after
 * the others are gone.  (Ring calls from threads that finish at different
 * times while others still spin can deadlock the runtime's ring client:
 * sleep_for_completion reads its clock, Timer.now through the same ring,
 * while counted in rc->waiters, and a capos_submit_self in take_gate
 * waits for waiters == 0 with the gate closed.)
 */
static void run_spinner(struct uf_ctx *c, uint64_t tcb)
{
	c->tcb = tcb;
	c->fsbase = tcb;
	__atomic_add_fetch(&uf_started, 1, __ATOMIC_SEQ_CST);
	c->others0 = others_iterations(c);
	c->tsc0 = rdtsc();
	uf_spin(c);
	c->tsc1 = rdtsc();
	c->others1 = others_iterations(c);
}

static int64_t runtime_spinner(void *arg)
{
	struct uf_ctx *c = arg;

	run_spinner(c, (uint64_t)(uintptr_t)capos_tcb_self());
	return c->fail ? 1 : 0;
}

/* A TLS area for a bare thread, laid out as the runtime does (capos/tls.h): the TCB's address. */
static uint64_t make_tls(void)
{
	const struct capos_bootstrap *b = capos_bootstrap();
	uint64_t align = b->tls_align > 64 ? b->tls_align : 64;
	uint64_t block = b->tls_memsz;
	uint8_t *area = capos_pages_alloc(4);
	uint64_t tp;
	struct capos_tcb *tcb;

	if (!area)
		return 0;
	if (b->tls_align > 1)
		block = (block + b->tls_align - 1) & ~(b->tls_align - 1);
	tp = ((uint64_t)(uintptr_t)area + 2 * CAPOS_PAGE_SIZE + block + align - 1) & ~(align - 1);
	for (uint64_t i = 0; i < b->tls_filesz && i < block; i++)
		((uint8_t *)(uintptr_t)(tp - block))[i] = ((const uint8_t *)(uintptr_t)b->tls_image)[i];
	tcb = (struct capos_tcb *)(uintptr_t)tp;
	tcb->self = tcb;
	return tp;
}

static uint64_t bare_tls_second;
static int bare_set_err = -1;

static struct capos_ring_client bare_spinner_ring;

__attribute__((force_align_arg_pointer, noreturn)) static void bare_spinner(uint64_t arg, uint64_t ring)
{
	struct uf_ctx *c = (struct uf_ctx *)(uintptr_t)arg;

	/* Its own ring (%rsi at entry), named in both of its TLS areas' TCBs for capos_ring(). */
	if (capos_ring_attach(&bare_spinner_ring, (void *)(uintptr_t)ring) != 0)
		__asm__ volatile("ud2");
	((struct capos_tcb *)(uintptr_t)capos_tcb_self())->ring = &bare_spinner_ring;
	((struct capos_tcb *)(uintptr_t)bare_tls_second)->ring = &bare_spinner_ring;
	/* Spawned with one TLS area; move to the second with ThreadControl.set_fs_base. */
	bare_set_err = submit_self_fs(CAPOS_THREAD_CONTROL_SET_FS_BASE, bare_tls_second, NULL);
	run_spinner(c, bare_tls_second);
	capos_thread_exit(c->fail ? 1 : 0);
}

static int bare_spawn(uint64_t entry, uint64_t arg, uint64_t fs_base, uint32_t *handle)
{
	uint8_t *stack = capos_pages_alloc(16);
	struct capos_thread_spawner_spawn_in in = { .entry = entry, .arg = arg, .fs_base = fs_base,
						    .stack_top = (uint64_t)(uintptr_t)stack + 16 * CAPOS_PAGE_SIZE };
	struct capos_thread_spawner_spawn_out out = { 0 };
	int err;

	if (!stack)
		return -CAPOS_ENOMEM;
	err = capos_thread_spawner_spawn(rc, capos_cap_find("threads", NULL), &in, &out);
	*handle = out.thread;
	return err;
}

static int bare_join(uint32_t h, int64_t *code)
{
	struct capos_thread_handle_join_out j = { 0 };
	int err = capos_thread_handle_join(rc, h, &j);

	*code = j.exit_code;
	capos_release(rc, h);
	return err;
}

/* Waits until every spinner runs, starts a fresh thread in the middle, then stops them all. */
static int64_t stopper(void *arg)
{
	uint32_t h = 0;

	(void)arg;
	while (uf_started < SPINNERS)
		capos_sleep_ns(20 * UT_MS);
	capos_sleep_ns(100 * UT_MS);
	fresh_err = bare_spawn((uint64_t)(uintptr_t)uf_fresh_entry, 0, 0, &h);
	if (!fresh_err)
		fresh_err = bare_join(h, &fresh_code);
	capos_sleep_ns(MIN_LOOP_NS);
	uf_stop = 1;
	return 0;
}

/* ------------------------------------------------------------ checks */

static uint64_t tsc_per_ms;

static void report(unsigned k)
{
	struct uf_ctx *c = &ctx[k];
	char what[200];
	uint64_t ms = tsc_per_ms ? (c->tsc1 - c->tsc0) / tsc_per_ms : 0;

	ut_note("thread %u (%s): %llu iterations in %llu ms, saw another thread run %llu times", k + 1, c->how,
		(unsigned long long)c->iterations, (unsigned long long)ms, (unsigned long long)c->switches);
	capos_snprintf(what, sizeof what, "thread %u: xmm0-15%s, FCW %#llx, MXCSR %#llx, x87 st0, %%fs:0%s intact on every iteration",
		       k + 1, c->use_avx ? ", ymm0-15 upper halves" : "", (unsigned long long)c->fcw,
		       (unsigned long long)c->mxcsr, c->use_fsgs ? ", FS and GS base" : "");
	ut_check(c->fail == 0 && c->iterations > 0, what,
		 "%llu failed checks; first: %s, %s %llu, saw %#llx", (unsigned long long)c->fail_count,
		 fail_name[c->fail < 9 ? c->fail : 0], c->fail == FAIL_VEC ? "qword" : "iteration",
		 (unsigned long long)c->fail_index, (unsigned long long)c->got);
	capos_snprintf(what, sizeof what, "thread %u: looped at least 200 ms without entering the kernel", k + 1);
	ut_check(ms >= MIN_LOOP_NS / UT_MS, what, "%llu ms", (unsigned long long)ms);
	capos_snprintf(what, sizeof what, "thread %u: preempted by the timer (other threads ran during its loop)", k + 1);
	ut_check(c->switches >= 3 && c->others1 > c->others0, what, "saw others %llu times, their iterations %llu -> %llu",
		 (unsigned long long)c->switches, (unsigned long long)c->others0, (unsigned long long)c->others1);
}

/* The TSC rate against Timer.now, to time the loops without entering the kernel. */
static void calibrate_tsc(void)
{
	uint64_t t0 = capos_time_ns(), c0 = rdtsc(), t1, c1;

	capos_sleep_ns(50 * UT_MS);
	t1 = capos_time_ns();
	c1 = rdtsc();
	tsc_per_ms = t1 > t0 ? (c1 - c0) * UT_MS / (t1 - t0) : 0;
	ut_check(tsc_per_ms > 0, "TSC calibrated against Timer.now", "TSC %llu -> %llu over %llu ns",
		 (unsigned long long)c0, (unsigned long long)c1, (unsigned long long)(t1 - t0));
}

static void check_main_fs(void)
{
	uint64_t kernel_fs = 0;
	int err = submit_self_fs(CAPOS_THREAD_CONTROL_GET_FS_BASE, 0, &kernel_fs);

	ut_check(err == 0 && kernel_fs == ctx[0].tcb, "ThreadControl.get_fs_base on the main thread afterwards is its TCB",
		 "err %d, fs base %#llx, expected %#llx", err, (unsigned long long)kernel_fs,
		 (unsigned long long)ctx[0].tcb);
}

static void check_fresh(void)
{
	int bad = -1;

	ut_status("a fresh thread started and joined while the spinners ran", fresh_err, 0);
	for (unsigned r = 0; r < (uf_have_avx ? 32u : 16u) && bad < 0; r++)
		for (unsigned b = 0; b < 16; b++)
			if (uf_fresh_xmm[r][b])
				bad = (int)r;
	ut_check(fresh_err == 0 && bad < 0 && uf_fresh_mxcsr == 0x1f80 && (uf_fresh_env[0] & 0xffff) == 0x037f &&
		 (uf_fresh_env[1] & 0xffff) == 0 && (uf_fresh_env[2] & 0xffff) == 0xffff,
		 "the fresh thread starts with a clean FPU state (xmm/ymm zero, MXCSR 0x1f80, FCW 0x37f, x87 empty)",
		 "%s%d not zero, MXCSR %#x FCW %#x FSW %#x FTW %#x", bad >= 16 ? "ymm-upper" : "xmm",
		 bad >= 16 ? bad - 16 : bad, uf_fresh_mxcsr, uf_fresh_env[0] & 0xffff, uf_fresh_env[1] & 0xffff,
		 uf_fresh_env[2] & 0xffff);
}

int main(int argc, char **argv)
{
	static const char *const how[SPINNERS] = { "main; FS base set by ThreadControl.set_fs_base at start-up",
		"runtime thread; FS base from ThreadSpawner.spawn", "runtime thread; FS base from ThreadSpawner.spawn",
		"bare thread; FS base moved with ThreadControl.set_fs_base" };
	struct capos_thread *t[2] = { 0 }, *stop = NULL;
	uint64_t first_tls;
	uint32_t bare = 0;
	int64_t code;
	int err;

	(void)argc;
	(void)argv;
	ut_init("utest-fpu");
	detect();
	ut_note("AVX %s, FSGSBASE %s", uf_have_avx ? "in use (ymm upper halves checked)" : "absent",
		have_fsgsbase ? "available" : "absent");
	for (unsigned k = 0; k < SPINNERS; k++)
		ctx_init(&ctx[k], k, how[k]);
	calibrate_tsc();

	first_tls = make_tls();
	bare_tls_second = make_tls();
	ut_check(first_tls && bare_tls_second, "TLS areas for the bare thread", "no memory");
	err = capos_thread_create(&stop, stopper, NULL, 0);
	ut_status("stopper thread started", err, 0);
	for (unsigned k = 1; k <= 2; k++) {
		err = capos_thread_create(&t[k - 1], runtime_spinner, &ctx[k], 0);
		ut_status(k == 1 ? "spinner thread 2 started" : "spinner thread 3 started", err, 0);
	}
	err = bare_spawn((uint64_t)(uintptr_t)bare_spinner, (uint64_t)(uintptr_t)&ctx[3], first_tls, &bare);
	ut_status("spinner thread 4 (bare, own TLS area) started", err, 0);
	if (err || !stop || !t[0] || !t[1])
		uf_started = SPINNERS;  /* let the stopper end the loops anyway */
	if (!stop)
		uf_stop = 1;            /* nobody would end them: the checks fail instead of hanging */

	run_spinner(&ctx[0], (uint64_t)(uintptr_t)capos_tcb_self());

	for (unsigned k = 0; k < 2; k++)
		if (t[k])
			ut_status(k ? "spinner thread 3 joined" : "spinner thread 2 joined", capos_thread_join(t[k], &code), 0);
	if (bare) {
		ut_status("spinner thread 4 joined", bare_join(bare, &code), 0);
		ut_status("bare thread: ThreadControl.set_fs_base to its second TLS area", bare_set_err, 0);
	}
	if (stop)
		capos_thread_join(stop, &code);
	for (unsigned k = 0; k < SPINNERS; k++)
		report(k);
	check_main_fs();
	check_fresh();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
