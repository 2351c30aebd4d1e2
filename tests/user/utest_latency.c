/*
 * utest-latency: the long kernel paths stay bounded (issue 13, point 6).
 * Runs as init under leakcheck; the kernel's interrupts-off watch
 * (exo/kern/irqwatch.h) logs the longest stretch when init exits and
 * again when every process has ended, and the QEMU test checks it against
 * the bound.  This program drives the paths that used to be long:
 *   - one 4096-byte Console.write (the most one call can carry);
 *   - a 192 MiB MemoryObject, mapped and touched page by page, and as
 *     many derived capabilities as the quota allows, all left for process
 *     teardown to reclaim (exit without releasing anything).
 */
#include <stdint.h>
#include <string.h>
#include "utest.h"

#define rc capos_ring()

#define FIXED_VA 0x0000300000000000ull
#define BIG_PAGES 49152u      /* 192 MiB of init's 256 MiB quota */
#define DERIVED 2000u        /* tried; the capability quota stops it first */
#define DERIVED_MIN 100u
#define PAGE 4096u

static struct capos_console_write_in line_buf;

static void long_console_write(void)
{
	struct capos_console_write_out out = { 0 };

	/* 64 lines of 63 characters and a newline: 4096 bytes in one call. */
	for (unsigned i = 0; i < sizeof line_buf.data; i++)
		line_buf.data[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i / 64) % 26);
	ut_status("Console.write of 4096 bytes", capos_console_write(rc, ut_cap("console"), &line_buf,
		  sizeof line_buf.data, &out), 0);
	ut_check(out.written == sizeof line_buf.data, "Console.write wrote every byte", "wrote %u", out.written);
}

static void big_mapping(void)
{
	struct capos_frame_allocator_alloc_in in = { .pages = BIG_PAGES };
	struct capos_frame_allocator_alloc_out out = { 0 };
	struct capos_memory_object_map_in map = { .vaddr = FIXED_VA, .first_page = 0, .pages = BIG_PAGES,
						  .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	volatile uint8_t *p = (volatile uint8_t *)FIXED_VA;
	unsigned sum = 0;

	ut_status("FrameAllocator.alloc 192 MiB", capos_frame_allocator_alloc(rc, ut_cap("frames"), &in, &out), 0);
	ut_status("MemoryObject.map all of it",
		  capos_memory_object_map(rc, out.memory, &map, &(struct capos_memory_object_map_out){ 0 }), 0);
	for (uint64_t i = 0; i < BIG_PAGES; i++) {
		sum += p[i * PAGE];
		p[i * PAGE] = 1;
	}
	ut_check(sum == 0, "the 192 MiB came zeroed and every page is touched", "sum %u", sum);
}

static void many_capabilities(void)
{
	struct capos_cap_space_derive_in in = { .cap = ut_cap("null"), .rights = 0 };
	struct capos_cap_space_derive_out out;
	unsigned made = 0;

	for (unsigned i = 0; i < DERIVED; i++) {
		if (capos_cap_space_derive(rc, ut_cap("capspace"), &in, &out) == 0)
			made++;
	}
	ut_check(made >= DERIVED_MIN, "derived capabilities up to the quota", "made %u", made);
	ut_note("%u derived capabilities held", made);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_init("utest-latency");
	long_console_write();
	big_mapping();
	many_capabilities();
	ut_note("%d failures; exiting with everything held", ut_failures());
	return ut_failures() ? 1 : 0;
}
