/*
 * FPU, SSE and AVX state for user threads.
 *
 * The kernel is compiled with -mgeneral-regs-only, so it never touches
 * x87/SSE/AVX registers itself: whatever a user thread left there stays
 * intact across interrupts and system calls, and only a thread switch
 * needs fpu_save / fpu_restore.  The state area is XSAVE's standard
 * (non-compacted) format when the CPU has XSAVE, else the 512-byte
 * FXSAVE image; both start with the same legacy region.
 *
 * Enabled components (XCR0): x87 and SSE always, AVX when present.  Wider
 * state (AVX-512, AMX) stays off until something needs it: it would grow
 * every thread's save area by kilobytes.
 *
 * Layout facts (Intel SDM vol. 1, 10.5.1 and 13.4): FCW at byte 0, MXCSR
 * at byte 24, the XSAVE header (XSTATE_BV) at byte 512.
 */
#include <stddef.h>
#include <stdint.h>
#include "arch.h"
#include "arch_setup.h"
#include "cpu.h"
#include "../../kern/log.h"
#include "../../kern/panic.h"
#include "../../lib/string.h"

#define FXSAVE_SIZE        512u
#define FPU_FCW_OFFSET     0
#define FPU_MXCSR_OFFSET   24
#define XSAVE_HEADER_OFFSET 512
#define FPU_DEFAULT_FCW    0x037fu   /* all exceptions masked, 64-bit precision, round to nearest */
#define FPU_DEFAULT_MXCSR  0x1f80u   /* all exceptions masked, round to nearest */

/* Set once by fpu_init on the boot CPU; read-only afterwards. */
static bool use_xsave;
static uint64_t xcr0_enabled;
static size_t state_size = FXSAVE_SIZE;

static void fpu_enable_xsave(void)
{
	uint32_t r[4];
	uint64_t supported;

	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid(0xd, 0, r);
	supported = ((uint64_t)r[3] << 32) | r[0];
	xcr0_enabled = XCR0_X87 | XCR0_SSE;
	if (boot_cpu.avx && (supported & XCR0_AVX))
		xcr0_enabled |= XCR0_AVX;
	xsetbv(0, xcr0_enabled);
	cpuid(0xd, 0, r);  /* EBX: area size for the components now enabled */
	state_size = r[1];
	use_xsave = true;
}

void fpu_init(void)
{
	if (!boot_cpu.fxsr || !boot_cpu.sse2)
		panic("fpu: CPU lacks FXSR or SSE2, which every x86_64 CPU has");
	write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	if (boot_cpu.xsave)
		fpu_enable_xsave();
	KASSERT(state_size >= FXSAVE_SIZE);
	/* Leave this CPU's own registers in the clean state a thread would get. */
	__asm__ volatile("fninit\n\tldmxcsr %0" :: "m"((uint32_t){ FPU_DEFAULT_MXCSR }));
	kinfo("fpu: %s, XCR0 0x%llx, %zu-byte state area", fpu_mechanism(),
	      (unsigned long long)xcr0_enabled, state_size);
}

size_t fpu_state_size(void)
{
	return state_size;
}

const char *fpu_mechanism(void)
{
	return use_xsave ? "xsave" : "fxsave";
}

void fpu_state_init(void *area)
{
	uint8_t *p = area;
	uint16_t fcw = FPU_DEFAULT_FCW;
	uint32_t mxcsr = FPU_DEFAULT_MXCSR;
	uint64_t xstate_bv = XCR0_X87 | XCR0_SSE;

	KASSERT(((uintptr_t)area & 63) == 0);
	memset(p, 0, state_size);
	memcpy(p + FPU_FCW_OFFSET, &fcw, sizeof fcw);
	memcpy(p + FPU_MXCSR_OFFSET, &mxcsr, sizeof mxcsr);
	/* XSTATE_BV: x87 and SSE come from the image; AVX starts in its init state (zero). */
	if (use_xsave)
		memcpy(p + XSAVE_HEADER_OFFSET, &xstate_bv, sizeof xstate_bv);
}

void fpu_save(void *area)
{
	KASSERT(((uintptr_t)area & 63) == 0);
	if (use_xsave)
		__asm__ volatile("xsave64 (%0)" :: "r"(area), "a"((uint32_t)xcr0_enabled),
				 "d"((uint32_t)(xcr0_enabled >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" :: "r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	KASSERT(((uintptr_t)area & 63) == 0);
	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)" :: "r"(area), "a"((uint32_t)xcr0_enabled),
				 "d"((uint32_t)(xcr0_enabled >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" :: "r"(area) : "memory");
}

uint64_t fpu_xcr0(void)
{
	return use_xsave ? xcr0_enabled : 0;
}
