/*
 * ktest fpu: fpu_save / fpu_restore really carry the user-visible FPU
 * state.  Known values go into xmm0-15, MXCSR and the x87 control word
 * (and ymm0-15 when AVX is enabled), get saved, clobbered, restored and
 * read back; then the clean image from fpu_state_init must restore to
 * zeroed vector registers and default control words.
 *
 * The kernel is built -mgeneral-regs-only, so the vector registers are
 * touched only by the inline assembly here; nothing else in the kernel
 * can disturb them between the steps.
 */
#include <stdint.h>
#include "arch.h"
#include "cpu.h"
#include "../../kern/ktest.h"
#include "../../kern/log.h"
#include "../../lib/string.h"

#define FPU_TEST_AREA 4096
#define VEC_REGS 16
#define TEST_MXCSR 0x7f80u   /* default masks, round toward zero */
#define TEST_FCW 0x027fu     /* default masks, 53-bit precision */

static uint8_t fpu_area[2][FPU_TEST_AREA] __attribute__((aligned(64)));
static uint8_t pattern[VEC_REGS][32], readback[VEC_REGS][32];

#define XMM_ALL(op, base) \
	op " 0(" base "), %%xmm0\n\t" op " 32(" base "), %%xmm1\n\t" op " 64(" base "), %%xmm2\n\t" \
	op " 96(" base "), %%xmm3\n\t" op " 128(" base "), %%xmm4\n\t" op " 160(" base "), %%xmm5\n\t" \
	op " 192(" base "), %%xmm6\n\t" op " 224(" base "), %%xmm7\n\t" op " 256(" base "), %%xmm8\n\t" \
	op " 288(" base "), %%xmm9\n\t" op " 320(" base "), %%xmm10\n\t" op " 352(" base "), %%xmm11\n\t" \
	op " 384(" base "), %%xmm12\n\t" op " 416(" base "), %%xmm13\n\t" op " 448(" base "), %%xmm14\n\t" \
	op " 480(" base "), %%xmm15\n\t"
#define XMM_STORE_ALL(op, base) \
	op " %%xmm0, 0(" base ")\n\t" op " %%xmm1, 32(" base ")\n\t" op " %%xmm2, 64(" base ")\n\t" \
	op " %%xmm3, 96(" base ")\n\t" op " %%xmm4, 128(" base ")\n\t" op " %%xmm5, 160(" base ")\n\t" \
	op " %%xmm6, 192(" base ")\n\t" op " %%xmm7, 224(" base ")\n\t" op " %%xmm8, 256(" base ")\n\t" \
	op " %%xmm9, 288(" base ")\n\t" op " %%xmm10, 320(" base ")\n\t" op " %%xmm11, 352(" base ")\n\t" \
	op " %%xmm12, 384(" base ")\n\t" op " %%xmm13, 416(" base ")\n\t" op " %%xmm14, 448(" base ")\n\t" \
	op " %%xmm15, 480(" base ")\n\t"

static void load_xmm(const uint8_t (*src)[32])
{
	__asm__ volatile(XMM_ALL("movdqu", "%0") :: "r"(src) : "memory");
}

static void store_xmm(uint8_t (*dst)[32])
{
	__asm__ volatile(XMM_STORE_ALL("movdqu", "%0") :: "r"(dst) : "memory");
}

/* The same with the full 256-bit ymm registers (AVX). */
#define YMM_LOAD(n) "vmovdqu " #n "*32(%0), %%ymm" #n "\n\t"
#define YMM_STORE(n) "vmovdqu %%ymm" #n ", " #n "*32(%0)\n\t"

static void load_ymm(const uint8_t (*src)[32])
{
	__asm__ volatile(YMM_LOAD(0) YMM_LOAD(1) YMM_LOAD(2) YMM_LOAD(3) YMM_LOAD(4) YMM_LOAD(5)
			 YMM_LOAD(6) YMM_LOAD(7) YMM_LOAD(8) YMM_LOAD(9) YMM_LOAD(10) YMM_LOAD(11)
			 YMM_LOAD(12) YMM_LOAD(13) YMM_LOAD(14) YMM_LOAD(15) :: "r"(src) : "memory");
}

static void store_ymm(uint8_t (*dst)[32])
{
	__asm__ volatile(YMM_STORE(0) YMM_STORE(1) YMM_STORE(2) YMM_STORE(3) YMM_STORE(4) YMM_STORE(5)
			 YMM_STORE(6) YMM_STORE(7) YMM_STORE(8) YMM_STORE(9) YMM_STORE(10) YMM_STORE(11)
			 YMM_STORE(12) YMM_STORE(13) YMM_STORE(14) YMM_STORE(15) :: "r"(dst) : "memory");
}

static void set_controls(uint32_t mxcsr, uint16_t fcw)
{
	__asm__ volatile("ldmxcsr %0\n\tfldcw %1" :: "m"(mxcsr), "m"(fcw));
}

static void get_controls(uint32_t *mxcsr, uint16_t *fcw)
{
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(*mxcsr), "=m"(*fcw));
}

static void fill_pattern(uint8_t seed)
{
	for (int r = 0; r < VEC_REGS; r++)
		for (int b = 0; b < 32; b++)
			pattern[r][b] = (uint8_t)(seed + r * 32 + b);
}

/* Load pattern(seed) and test controls, save, clobber, restore, read back. */
static int fpu_round_trip(bool avx, uint32_t *mxcsr, uint16_t *fcw)
{
	fill_pattern(0x11);
	avx ? load_ymm(pattern) : load_xmm(pattern);
	set_controls(TEST_MXCSR, TEST_FCW);
	fpu_save(fpu_area[0]);
	fill_pattern(0xa5);
	avx ? load_ymm(pattern) : load_xmm(pattern);
	set_controls(0x1f80, 0x037f);
	fpu_restore(fpu_area[0]);
	memset(readback, 0, sizeof readback);
	avx ? store_ymm(readback) : store_xmm(readback);
	get_controls(mxcsr, fcw);
	fill_pattern(0x11);
	for (int r = 0; r < VEC_REGS; r++)
		if (memcmp(readback[r], pattern[r], avx ? 32 : 16) != 0)
			return r + 1;
	return 0;
}

static int fpu_clean_state_ok(uint32_t *mxcsr, uint16_t *fcw)
{
	static const uint8_t zero[32];

	fpu_state_init(fpu_area[1]);
	fpu_restore(fpu_area[1]);
	memset(readback, 0xee, sizeof readback);
	store_xmm(readback);
	get_controls(mxcsr, fcw);
	for (int r = 0; r < VEC_REGS; r++)
		if (memcmp(readback[r], zero, 16) != 0)
			return 0;
	return 1;
}

KTEST(fpu)
{
	bool avx = (fpu_xcr0() & XCR0_AVX) != 0;
	uint32_t mxcsr;
	uint16_t fcw;
	int bad;

	KTEST_CHECK(fpu_state_size() <= FPU_TEST_AREA, "state area of %zu bytes", fpu_state_size());
	bad = fpu_round_trip(false, &mxcsr, &fcw);
	KTEST_CHECK(bad == 0, "xmm%d differs after save/clobber/restore", bad - 1);
	KTEST_CHECK(mxcsr == TEST_MXCSR && fcw == TEST_FCW, "controls came back as MXCSR 0x%x FCW 0x%x",
		    mxcsr, fcw);
	if (avx) {
		bad = fpu_round_trip(true, &mxcsr, &fcw);
		KTEST_CHECK(bad == 0, "ymm%d differs after save/clobber/restore", bad - 1);
	}
	KTEST_CHECK(fpu_clean_state_ok(&mxcsr, &fcw), "the clean image left non-zero xmm registers");
	KTEST_CHECK(mxcsr == 0x1f80 && fcw == 0x037f, "clean image gave MXCSR 0x%x FCW 0x%x", mxcsr, fcw);
	kinfo("ktest fpu: %s state of %zu bytes round-trips xmm0-15%s, MXCSR and FCW; clean image ok",
	      fpu_mechanism(), fpu_state_size(), avx ? ", ymm0-15" : "");
	return 0;
}
