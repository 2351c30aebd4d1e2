/*
 * Host tests for the return-to-user rules (exo/arch/x86_64/user_frame.h):
 * which trap frames may go back to user mode (selectors, RIP up to the
 * canonical boundary), how RFLAGS is cut down (IOPL, NT, RF, VM, VIF, VIP
 * stripped, IF and bit 1 forced, arithmetic flags, TF, DF, AC and ID
 * kept), and the canonical-address test for 48- and 57-bit addressing.
 */
#include <stdint.h>
#include "check.h"
#include "arch/x86_64/user_frame.h"

static struct trap_frame user_frame(uint64_t rip)
{
	struct trap_frame f = { .rip = rip, .cs = SEL_UCODE, .ss = SEL_UDATA, .rsp = 0x7ffffff000ull };

	return f;
}

static void test_frame_selectors(void)
{
	struct trap_frame f = user_frame(0x401000);

	CHECK(user_frame_ok(&f));
	f.cs = SEL_KCODE;
	CHECK(!user_frame_ok(&f));
	f = user_frame(0x401000);
	f.ss = SEL_KDATA;
	CHECK(!user_frame_ok(&f));
	f = user_frame(0x401000);
	f.cs = SEL_UCODE & ~3ull;  /* right descriptor, RPL 0 */
	CHECK(!user_frame_ok(&f));
	f = user_frame(0x401000);
	f.ss = 0;
	CHECK(!user_frame_ok(&f));
}

static void test_frame_rip(void)
{
	struct trap_frame f = user_frame(0);

	CHECK(user_frame_ok(&f));
	f.rip = ARCH_USER_TOP - 1;
	CHECK(user_frame_ok(&f));
	f.rip = ARCH_USER_TOP;            /* first non-canonical: SYSRET would #GP in ring 0 */
	CHECK(!user_frame_ok(&f));
	f.rip = 0x8000000000000000ull;
	CHECK(!user_frame_ok(&f));
	f.rip = 0xffff800000000000ull;    /* canonical but kernel half */
	CHECK(!user_frame_ok(&f));
	f.rip = UINT64_MAX;
	CHECK(!user_frame_ok(&f));
}

static void test_rflags(void)
{
	CHECK_EQ(user_rflags(0), RFLAGS_USER_INIT);
	CHECK_EQ(user_rflags(RFLAGS_USER_INIT), 0x202);
	CHECK_EQ(user_rflags(RFLAGS_BIT_IOPL), 0x202);          /* IOPL 3 never reaches user mode */
	CHECK_EQ(user_rflags(RFLAGS_BIT_NT), 0x202);
	CHECK_EQ(user_rflags(1ull << 16), 0x202);                /* RF */
	CHECK_EQ(user_rflags(1ull << 17), 0x202);                /* VM */
	CHECK_EQ(user_rflags((1ull << 19) | (1ull << 20)), 0x202);  /* VIF, VIP */
	CHECK_EQ(user_rflags(~0ull << 22), 0x202);               /* reserved high bits */
	CHECK_EQ(user_rflags(RFLAGS_BIT_CF | RFLAGS_BIT_ZF | RFLAGS_BIT_SF | RFLAGS_BIT_OF),
		 0x202 | RFLAGS_BIT_CF | RFLAGS_BIT_ZF | RFLAGS_BIT_SF | RFLAGS_BIT_OF);
	CHECK_EQ(user_rflags(RFLAGS_BIT_TF | RFLAGS_BIT_DF | RFLAGS_BIT_AC | RFLAGS_BIT_ID),
		 0x202 | RFLAGS_BIT_TF | RFLAGS_BIT_DF | RFLAGS_BIT_AC | RFLAGS_BIT_ID);
	CHECK_EQ(user_rflags(UINT64_MAX), 0x202 | RFLAGS_USER_KEEP);
}

static void test_canonical(void)
{
	CHECK(va_canonical(0, 48));
	CHECK(va_canonical(0x00007fffffffffffull, 48));
	CHECK(!va_canonical(0x0000800000000000ull, 48));
	CHECK(!va_canonical(0xffff7fffffffffffull, 48));
	CHECK(va_canonical(0xffff800000000000ull, 48));
	CHECK(va_canonical(UINT64_MAX, 48));
	CHECK(va_canonical(0x00ffffffffffffffull, 57));
	CHECK(!va_canonical(0x0100000000000000ull, 57));
	CHECK(va_canonical(0xff00000000000000ull, 57));
	CHECK(va_canonical(0x0000800000000000ull, 57));
}

int main(void)
{
	RUN(test_frame_selectors);
	RUN(test_frame_rip);
	RUN(test_rflags);
	RUN(test_canonical);
	return check_done();
}
