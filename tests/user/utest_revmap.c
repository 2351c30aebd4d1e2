/*
 * utest-revmap: revoking a MemoryObject copy takes its memory back from
 * every holder (docs/ipc.md, "Revocation": revocation reaches everything
 * in flight).  Runs as init, the lender: it lends revocable copies of a
 * page it allocated and mapped to children (this program in mode
 * "child MODE INDEX", the copy granted as "lent") that map it without
 * watching, and revokes with plain Revoker.revoke.  Checked: a holder's
 * next touch faults (code -14) and the lender's frames and mapping are
 * intact; a copy derived from the copy, mapped by another process, goes
 * too; a holder that unmapped first keeps everything else it has; a
 * holder that died first leaves nothing behind; one copy mapped twice
 * loses both mappings; a copy mapped into a hand-built child with
 * ProcessHandle.map is unmapped from the child.  MemoryObject.info's
 * mapping count of the lender's own handle says every other mapping is
 * gone the moment revoke returns.  One line per check,
 * "utest-revmap: <what>: ok"; exit code = failures.
 *
 * A page of this program's, granted to every child as "mailbox": word 0
 * is GO (the lender revoked: touch the page now), word 1 + INDEX is the
 * child's READY (it has mapped and written its mark).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "utest_ipc.h"

#define rc capos_ring()

#define READY 0x52454459u  /* "REDY" */
#define GO 0x21216f47u     /* "Go!!" */
#define MARK 0x600du       /* what a holder writes, at word 2 + INDEX of the lent page */
#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define RX (CAPOS_PROT_READ | CAPOS_PROT_EXEC)
#define PAGE CAPOS_PAGE_SIZE

static uint32_t mailbox_mem;
static volatile uint32_t *mailbox;

/* ------------------------------------------------------------ helpers */

/* A page of memory mapped here, and its MemoryObject. */
static volatile uint32_t *page_alloc(uint32_t *mem)
{
	struct capos_frame_allocator_alloc_in in = { .pages = 1 };
	struct capos_frame_allocator_alloc_out out = { 0 };
	void *addr = NULL;
	int err = capos_frame_allocator_alloc(rc, ut_cap("frames"), &in, &out);

	if (!err)
		err = capos_memory_map(out.memory, 1, RW, &addr);
	ut_status("a page to lend", err, 0);
	*mem = out.memory;
	return addr;
}

static void page_free(uint32_t mem, volatile uint32_t *page)
{
	capos_pages_free((void *)page, 1);
	capos_release(rc, mem);
}

/* Mapped pieces of the lender's object (its own mapping is one). */
static uint32_t mappings(uint32_t mem)
{
	struct capos_memory_object_info_out info = { 0 };

	return capos_memory_object_info(rc, mem, &info) ? 999 : info.mappings;
}

/* Wait (up to 5 s) until child index says it is ready: 1 when it did. */
static int wait_ready(uint32_t index)
{
	for (int i = 0; i < 500 && mailbox[1 + index] != READY; i++)
		capos_sleep_ns(10 * UT_MS);
	return mailbox[1 + index] == READY;
}

/* A child in mode with index, holding cap as "lent", with the mailbox. */
static uint32_t spawn_child(const char *mode, uint32_t index, uint32_t cap)
{
	char args[32];
	uint32_t grant[2] = { cap, mailbox_mem };

	mailbox[0] = 0;
	mailbox[1 + index] = 0;
	capos_snprintf(args, sizeof args, "child %s %u", mode, index);
	return ipc_spawn("utest-revmap", args, "lent mailbox", grant, 2);
}

/* A revocable copy of cap: the copy, *revoker its Revoker. */
static uint32_t derive(uint32_t cap, uint32_t *revoker)
{
	uint32_t copy = 0;

	ut_status("CapSpace.derive", capos_cap_derive(cap, CAPOS_RIGHT_ALL, &copy, revoker), 0);
	return copy;
}

static void expect_end(const char *what, uint32_t proc, uint32_t want_reason, int64_t want_code)
{
	int64_t code;
	uint32_t reason;
	int err = ipc_wait(proc, &code, &reason);

	ut_check(!err && reason == want_reason && code == want_code, what, "error %d, reason %u, code %lld", err, reason,
		 (long long)code);
}

/* ------------------------------------------------------------ the children */

static volatile uint32_t *box;
static uint32_t my_index;

static volatile uint32_t *mailbox_map(void)
{
	void *addr = NULL;

	if (capos_memory_map(capos_cap_find("mailbox", NULL), 1, RW, &addr))
		return NULL;
	return addr;
}

/* Map the lent page (no watch) and write our mark through it: the mapping, or NULL. */
static volatile uint32_t *map_lent(void)
{
	void *addr = NULL;
	int err = capos_memory_map(capos_cap_find("lent", NULL), 1, RW, &addr);

	ut_status("map the lent page", err, 0);
	if (err)
		return NULL;
	((volatile uint32_t *)addr)[2 + my_index] = MARK;
	return addr;
}

static int wait_go(void)
{
	box[1 + my_index] = READY;
	for (int i = 0; i < 1000 && box[0] != GO; i++)
		capos_sleep_ns(10 * UT_MS);
	return box[0] == GO;
}

/* Touch the page after the revoke: faults (the parent checks the code). */
static void touch(volatile uint32_t *page)
{
	ut_note("touching the revoked page now");
	page[2 + my_index] = 1;
	ut_check(0, "the revoked page is unmapped", "the write went through");
}

static void child_map(void)
{
	volatile uint32_t *page = map_lent();

	if (page && wait_go())
		touch(page);
}

/* Map, unmap, then go on with our own memory after the revoke. */
static void child_unmap(void)
{
	volatile uint32_t *page = map_lent(), *own = capos_pages_alloc(1);
	struct capos_memory_object_unmap_in un = { .vaddr = (uint64_t)(uintptr_t)page, .pages = 1 };
	struct capos_memory_object_info_out info;
	uint32_t lent = capos_cap_find("lent", NULL);

	ut_check(own != NULL, "a page of our own", "none");
	ut_status("unmap the lent page before the revoke", capos_memory_object_unmap(rc, lent, &un), 0);
	if (!own || !wait_go())
		return;
	ut_status("after the revoke the lent handle is revoked", capos_memory_object_info(rc, lent, &info),
		  -CAPOS_EREVOKED);
	own[0] = 0x5a5a;
	ut_check(own[0] == 0x5a5a, "our own memory still works", "read back %x", own[0]);
	capos_pages_free((void *)own, 1);
}

static void child_twice(void)
{
	volatile uint32_t *first = map_lent(), *second = map_lent();

	if (!first || !second || !wait_go())
		return;
	ut_status("the first mapping is gone: nothing is mapped there any more", capos_pages_free((void *)first, 1),
		  -CAPOS_ENOENT);
	touch(second);
}

static int child_main(const char *mode, const char *index)
{
	ut_init("utest-revmap child");
	my_index = (uint32_t)strtoul(index, NULL, 10);
	box = mailbox_map();
	if (!box) {
		ut_check(0, "map the mailbox", "no mailbox");
		return ut_failures();
	}
	if (strcmp(mode, "map") == 0)
		child_map();
	else if (strcmp(mode, "unmap") == 0)
		child_unmap();
	else if (strcmp(mode, "twice") == 0)
		child_twice();
	else if (strcmp(mode, "mapdie") == 0)
		map_lent();
	else
		ut_check(0, "a known mode", "%s", mode);
	return ut_failures();
}

/* ------------------------------------------------------------ the lender */

static void test_holder_faults(volatile uint32_t *page, uint32_t mem)
{
	uint32_t rev = 0, copy = derive(mem, &rev), proc = spawn_child("map", 0, copy);

	capos_release(rc, copy);
	ut_check(wait_ready(0) && page[2] == MARK, "the holder wrote through its mapping of the copy", "mark %x",
		 page[2]);
	ut_check(mappings(mem) == 2, "... two mappings of the page", "%u", mappings(mem));
	ut_status("Revoker.revoke (the holder did not watch)", capos_revoker_revoke(rc, rev), 0);
	ut_check(mappings(mem) == 1, "... the holder's mapping is gone at once", "%u mappings", mappings(mem));
	capos_release(rc, rev);
	mailbox[0] = GO;
	expect_end("the holder faults touching the page (code -14)", proc, CAPOS_EXIT_FAULT, -14);
	page[3] = 0x1234;
	ut_check(page[2] == MARK && page[3] == 0x1234, "the lender's frames and mapping are intact", "%x %x", page[2],
		 page[3]);
}

static void test_derived(uint32_t mem)
{
	uint32_t rev = 0, rev2 = 0, copy = derive(mem, &rev), copy2 = derive(copy, &rev2);
	uint32_t a = spawn_child("map", 0, copy), b = spawn_child("map", 1, copy2);

	capos_release(rc, copy);
	capos_release(rc, copy2);
	ut_check(wait_ready(0) && wait_ready(1) && mappings(mem) == 3,
		 "the copy and a copy derived from it are mapped by two processes", "%u mappings", mappings(mem));
	ut_status("revoke the first copy", capos_revoker_revoke(rc, rev), 0);
	ut_check(mappings(mem) == 1, "... both mappings are gone", "%u mappings", mappings(mem));
	mailbox[0] = GO;
	expect_end("the holder of the copy faults (code -14)", a, CAPOS_EXIT_FAULT, -14);
	expect_end("the holder of the derived copy faults (code -14)", b, CAPOS_EXIT_FAULT, -14);
	capos_release(rc, rev);
	capos_release(rc, rev2);
}

static void test_unmapped_first(uint32_t mem)
{
	uint32_t rev = 0, copy = derive(mem, &rev), proc = spawn_child("unmap", 0, copy);

	capos_release(rc, copy);
	ut_check(wait_ready(0) && mappings(mem) == 1, "the holder mapped and unmapped", "%u mappings", mappings(mem));
	ut_status("revoke", capos_revoker_revoke(rc, rev), 0);
	mailbox[0] = GO;
	expect_end("the holder that unmapped first is untouched: it ends normally", proc, CAPOS_EXIT_NORMAL, 0);
	capos_release(rc, rev);
}

static void test_died_first(uint32_t mem)
{
	uint32_t rev = 0, copy = derive(mem, &rev), proc = spawn_child("mapdie", 0, copy);

	capos_release(rc, copy);
	expect_end("the holder mapped and ended", proc, CAPOS_EXIT_NORMAL, 0);
	ut_check(mappings(mem) == 1, "... its mapping went with it", "%u mappings", mappings(mem));
	ut_status("revoke after the holder died: nothing left to take", capos_revoker_revoke(rc, rev), 0);
	capos_release(rc, rev);
}

static void test_twice(uint32_t mem)
{
	uint32_t rev = 0, copy = derive(mem, &rev), proc = spawn_child("twice", 0, copy);

	capos_release(rc, copy);
	ut_check(wait_ready(0) && mappings(mem) == 3, "one holder mapped the copy at two addresses", "%u mappings",
		 mappings(mem));
	ut_status("revoke", capos_revoker_revoke(rc, rev), 0);
	ut_check(mappings(mem) == 1, "... both its mappings are gone", "%u mappings", mappings(mem));
	mailbox[0] = GO;
	expect_end("the holder faults touching the second (code -14)", proc, CAPOS_EXIT_FAULT, -14);
	capos_release(rc, rev);
}

/* ------------------------------------------------ ProcessHandle.map of a copy */

#define CODE_VA 0x400000ull
#define STACK_VA 0x800000ull
#define DATA_VA 0x600000ull

/* inc dword [DATA_VA]; jmp back: counts in the lent page until it faults. */
static const uint8_t counter_code[] = { 0xff, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00, 0xeb, 0xf7 };

static int build_map(uint32_t h, uint32_t mo, uint64_t vaddr, uint32_t prot)
{
	struct capos_process_handle_map_in in = { .vaddr = vaddr, .first_page = 0, .pages = 1, .prot = prot };
	struct capos_xfer x = { mo, CAPOS_XFER_COPY };

	return capos_call_sync_xfer(rc, h, CAPOS_IFACE_PROCESS_HANDLE, CAPOS_PROCESS_HANDLE_MAP, &in, sizeof in, &x, 1,
				    NULL, 0, NULL);
}

/* A page of the child's own memory, mapped into it at vaddr; when code, filled with it through a mapping here. */
static int build_page(uint32_t h, uint64_t vaddr, uint32_t prot, const uint8_t *code, size_t n)
{
	struct capos_process_handle_memory_in in = { .pages = 1 };
	struct capos_process_handle_memory_out out = { 0 };
	volatile uint8_t *va = NULL;
	int err = capos_process_handle_memory(rc, h, &in, &out);

	if (!err && code)
		err = capos_memory_map(out.memory, 1, RW, (void **)&va);
	if (!err && code) {
		for (size_t i = 0; i < n; i++)
			va[i] = code[i];
		err = capos_pages_free((void *)va, 1);
	}
	if (!err)
		err = build_map(h, out.memory, vaddr, prot);
	if (out.memory)
		capos_release(rc, out.memory);
	return err;
}

static void test_process_handle_map(volatile uint32_t *page, uint32_t mem)
{
	struct capos_process_factory_create_in cin = { .name = "counter" };
	struct capos_process_factory_create_out cout = { 0 };
	struct capos_process_handle_start_in sin = { .entry = CODE_VA, .stack = STACK_VA + PAGE };
	uint32_t rev = 0, copy = derive(mem, &rev), before;
	int err = capos_process_factory_create(rc, ut_cap("spawner"), &cin, &cout);

	if (!err)
		err = build_page(cout.process, CODE_VA, RX, counter_code, sizeof counter_code);
	if (!err)
		err = build_page(cout.process, STACK_VA, RW, NULL, 0);
	if (!err)
		err = build_map(cout.process, copy, DATA_VA, RW);
	capos_release(rc, copy);
	page[0] = 0;
	if (!err)
		err = capos_process_handle_start(rc, cout.process, &sin);
	ut_status("a hand-built child counting in the copy mapped with ProcessHandle.map", err, 0);
	for (int i = 0; i < 500 && page[0] < 1000; i++)
		capos_sleep_ns(10 * UT_MS);
	ut_check(page[0] >= 1000 && mappings(mem) == 2, "... it counts in our page", "count %u, %u mappings",
		 page[0], mappings(mem));
	ut_status("revoke", capos_revoker_revoke(rc, rev), 0);
	ut_check(mappings(mem) == 1, "... the child's mapping is gone", "%u mappings", mappings(mem));
	capos_release(rc, rev);
	expect_end("the child faults at its next count (code -14)", cout.process, CAPOS_EXIT_FAULT, -14);
	before = page[0];
	capos_sleep_ns(20 * UT_MS);
	ut_check(page[0] == before, "... and counts no more", "%u then %u", before, page[0]);
}

int main(int argc, char **argv)
{
	volatile uint32_t *page;
	uint32_t mem;

	if (argc > 3 && strcmp(argv[1], "child") == 0)
		return child_main(argv[2], argv[3]);
	ut_init("utest-revmap");
	mailbox = page_alloc(&mailbox_mem);
	page = page_alloc(&mem);
	test_holder_faults(page, mem);
	test_derived(mem);
	test_unmapped_first(mem);
	test_died_first(mem);
	test_twice(mem);
	test_process_handle_map(page, mem);
	page_free(mem, page);
	page_free(mailbox_mem, mailbox);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
