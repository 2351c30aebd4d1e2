/*
 * The rules a trap frame must meet before it goes back to user mode, as
 * pure functions (no hardware access), so the kernel (user_entry.c,
 * context.c) and the host tests (tests/host/arch) use the same code.
 *
 *   - user_frame_ok: user code and stack selectors and a RIP in the lower
 *     canonical half; SYSRETQ or IRETQ with anything else faults in
 *     ring 0 (on the user GS) or lands in kernel mode.
 *   - user_rflags: the flags user code may own, with IF and the fixed
 *     bit 1 forced on and IOPL, NT, RF, VM, VIF and VIP forced off.
 *   - va_canonical: an address sign-extends from the top implemented bit
 *     (48, or 57 with 5-level paging), as WRMSR and WRFSBASE demand.
 */
#ifndef EXO_ARCH_USER_FRAME_H
#define EXO_ARCH_USER_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include "asm_defs.h"
#include "context.h"
#include "trap.h"

#define RFLAGS_BIT_CF   (1ull << 0)
#define RFLAGS_BIT_1    (1ull << 1)
#define RFLAGS_BIT_PF   (1ull << 2)
#define RFLAGS_BIT_AF   (1ull << 4)
#define RFLAGS_BIT_ZF   (1ull << 6)
#define RFLAGS_BIT_SF   (1ull << 7)
#define RFLAGS_BIT_TF   (1ull << 8)
#define RFLAGS_BIT_IF   (1ull << 9)
#define RFLAGS_BIT_DF   (1ull << 10)
#define RFLAGS_BIT_OF   (1ull << 11)
#define RFLAGS_BIT_IOPL (3ull << 12)
#define RFLAGS_BIT_NT   (1ull << 14)
#define RFLAGS_BIT_AC   (1ull << 18)
#define RFLAGS_BIT_ID   (1ull << 21)

/* Flags user code may hold (IF and bit 1 are forced on top). */
#define RFLAGS_USER_KEEP (RFLAGS_BIT_CF | RFLAGS_BIT_PF | RFLAGS_BIT_AF | RFLAGS_BIT_ZF | \
			  RFLAGS_BIT_SF | RFLAGS_BIT_TF | RFLAGS_BIT_DF | RFLAGS_BIT_OF | \
			  RFLAGS_BIT_AC | RFLAGS_BIT_ID)
_Static_assert(RFLAGS_USER_INIT == (RFLAGS_BIT_IF | RFLAGS_BIT_1), "RFLAGS_USER_INIT is IF and bit 1");
_Static_assert(ASM_USER_TOP == ARCH_USER_TOP, "asm_defs.h and context.h disagree on ARCH_USER_TOP");

static inline bool user_frame_ok(const struct trap_frame *f)
{
	return f->cs == SEL_UCODE && f->ss == SEL_UDATA && f->rip < ARCH_USER_TOP;
}

static inline uint64_t user_rflags(uint64_t rflags)
{
	return (rflags & RFLAGS_USER_KEEP) | RFLAGS_USER_INIT;
}

/* va_bits: implemented virtual-address bits (48 or 57). */
static inline bool va_canonical(uint64_t va, unsigned va_bits)
{
	unsigned shift = 64 - va_bits;

	return (uint64_t)((int64_t)(va << shift) >> shift) == va;
}

#endif
