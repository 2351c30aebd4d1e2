/*
 * A hostile parent building children by hand over ProcessFactory and
 * ProcessHandle (the mechanism under the libOS loader): mappings that
 * overlap, reach into the kernel half or are writable and executable;
 * entries outside the user half or outside anything mapped (the child
 * ends by page fault); a second start; building after start; grants of
 * stale, non-transferable and wrong handles, and of a child's own
 * unstarted handle; and every way a half-built child is abandoned (release
 * before start, kill before start, wait then release, a failure midway).
 * A hand-built one-page child that executes ud2 ends with reason fault,
 * code -6.  Under leakcheck every frame and heap object must come back.
 * As init under exit=debug the exit code is the verdict.
 */
#include <capos/cap.h>
#include "utest.h"

#define CODE_VA 0x400000ull
#define STACK_VA 0x800000ull
#define PAGE CAPOS_PAGE_SIZE
#define RX (CAPOS_PROT_READ | CAPOS_PROT_EXEC)
#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)

static struct capos_ring_client *rc;
static uint32_t factory;

static int create(uint32_t *h)
{
	struct capos_process_factory_create_in in = { .name = "built" };
	struct capos_process_factory_create_out out = { 0 };
	int err = capos_process_factory_create(rc, factory, &in, &out);

	*h = out.process;
	return err;
}

static int memory(uint32_t h, uint64_t pages, uint32_t *mo)
{
	struct capos_process_handle_memory_in in = { .pages = pages };
	struct capos_process_handle_memory_out out = { 0 };
	int err = capos_process_handle_memory(rc, h, &in, &out);

	*mo = out.memory;
	return err;
}

static int map(uint32_t h, uint32_t mo, uint64_t vaddr, uint64_t pages, uint32_t prot)
{
	struct capos_process_handle_map_in in = { .vaddr = vaddr, .first_page = 0, .pages = pages, .prot = prot };
	struct capos_xfer x = { mo, CAPOS_XFER_COPY };

	return capos_call_sync_xfer(rc, h, CAPOS_IFACE_PROCESS_HANDLE, CAPOS_PROCESS_HANDLE_MAP, &in, sizeof in, &x, 1,
				    NULL, 0, NULL);
}

static int grant(uint32_t h, uint32_t cap, uint32_t mode)
{
	struct capos_process_handle_grant_out out = { 0 };
	struct capos_xfer x = { cap, mode };

	return capos_call_sync_xfer(rc, h, CAPOS_IFACE_PROCESS_HANDLE, CAPOS_PROCESS_HANDLE_GRANT, NULL, 0, &x, 1, &out,
				    sizeof out, NULL);
}

static int start(uint32_t h, uint64_t entry, uint64_t stack)
{
	struct capos_process_handle_start_in in = { .entry = entry, .stack = stack };

	return capos_process_handle_start(rc, h, &in);
}

/* Fresh memory of pages pages mapped into the child at vaddr; its MemoryObject handle released. */
static int give(uint32_t h, uint64_t vaddr, uint64_t pages, uint32_t prot)
{
	uint32_t mo = 0;
	int err = memory(h, pages, &mo);

	if (!err)
		err = map(h, mo, vaddr, pages, prot);
	if (mo)
		capos_release(rc, mo);
	return err;
}

/*
 * A child of one code page holding code (n bytes, at CODE_VA) and one
 * stack page, not started.  The parent writes the code through its own
 * mapping of the child's memory.
 */
static int hand_built(const uint8_t *code, size_t n, uint32_t *h)
{
	uint32_t mo = 0;
	uint8_t *va = capos_pages_alloc(1);
	struct capos_memory_object_map_in in = { .vaddr = (uint64_t)(uintptr_t)va, .pages = 1, .prot = RW };
	struct capos_memory_object_unmap_in un = { .vaddr = in.vaddr, .pages = 1 };
	int err = va ? create(h) : -CAPOS_ENOMEM;

	if (!err)
		err = memory(*h, 1, &mo);
	if (!err)
		err = capos_pages_free(va, 1);
	if (!err)
		err = capos_memory_object_map(rc, mo, &in, &(struct capos_memory_object_map_out){ 0 });
	if (!err) {
		for (size_t i = 0; i < n; i++)
			va[i] = code[i];
		err = capos_memory_object_unmap(rc, mo, &un);
	}
	if (!err)
		err = map(*h, mo, CODE_VA, 1, RX);
	if (mo)
		capos_release(rc, mo);
	if (!err)
		err = give(*h, STACK_VA, 1, RW);
	return err;
}

static void expect_end(uint32_t h, uint32_t want_reason, int64_t want_code, const char *what)
{
	int64_t code = 1;
	uint32_t reason = 99;
	int err = capos_process_wait(h, &code, &reason);

	ut_check(!err && reason == want_reason && code == want_code, what, "status %d reason %u code %lld", err, reason,
		 (long long)code);
}

static void test_ud2_child(void)
{
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	uint32_t h = 0;

	ut_status("hand-build a one-page child", hand_built(ud2, sizeof ud2, &h), 0);
	ut_status("start it at its ud2", start(h, CODE_VA, STACK_VA + PAGE), 0);
	expect_end(h, CAPOS_EXIT_FAULT, -6, "the ud2 child ends by fault, code -6");
	capos_release(rc, h);
	ut_status("hand-build a child to start outside its image", hand_built(ud2, sizeof ud2, &h), 0);
	ut_status("start it at an unmapped user address", start(h, CODE_VA + 16 * PAGE, STACK_VA + PAGE), 0);
	expect_end(h, CAPOS_EXIT_FAULT, -14, "the child started outside its image ends by page fault, code -14");
	capos_release(rc, h);
}

static void test_bad_mappings(void)
{
	uint32_t h = 0, mo = 0, console = ut_cap("console");

	ut_status("create a child to map into", create(&h), 0);
	ut_status("memory for it", memory(h, 2, &mo), 0);
	ut_status("map two pages", map(h, mo, CODE_VA, 2, RX), 0);
	ut_status("map over them (overlap)", map(h, mo, CODE_VA + PAGE, 2, RX), -CAPOS_EEXIST);
	ut_status("map into the kernel half", map(h, mo, CAPOS_USER_MAX, 1, RX), -CAPOS_ERANGE);
	ut_status("map running into the kernel half", map(h, mo, CAPOS_USER_MAX - PAGE, 2, RX), -CAPOS_ERANGE);
	ut_status("map writable and executable", map(h, mo, STACK_VA, 1, CAPOS_PROT_ALL), -CAPOS_EPERM);
	ut_status("map past the object's pages", map(h, mo, STACK_VA, 3, RW), -CAPOS_ERANGE);
	ut_status("map at address 0", map(h, mo, 0, 1, RW), -CAPOS_EINVAL);
	ut_status("map a Console, not a MemoryObject", map(h, console, STACK_VA, 1, RW), -CAPOS_ETYPE);
	ut_status("map with no descriptor", capos_process_handle_map(rc, h,
		  &(struct capos_process_handle_map_in){ .vaddr = STACK_VA, .pages = 1, .prot = RW }), -CAPOS_EINVAL);
	ut_status("memory of 0 pages", memory(h, 0, &(uint32_t){ 0 }), -CAPOS_EINVAL);
	ut_status("start with the entry in the kernel half", start(h, CAPOS_USER_MAX + 0x1000, STACK_VA), -CAPOS_EFAULT);
	ut_status("start with a misaligned stack", start(h, CODE_VA, STACK_VA + 8), -CAPOS_EFAULT);
	capos_release(rc, mo);
	capos_release(rc, h);
}

static void test_bad_grants(void)
{
	struct capos_cap_space_derive_out d = { 0 };
	uint32_t h = 0, stale = 0, console = ut_cap("console");

	ut_status("create a child to grant to", create(&h), 0);
	ut_status("a MemoryObject to go stale", memory(h, 1, &stale), 0);
	capos_release(rc, stale);
	ut_status("grant a stale handle", grant(h, stale, CAPOS_XFER_COPY), -CAPOS_EBADF);
	ut_status("a copy of console without the transfer right", capos_cap_space_derive(rc, ut_cap("capspace"),
		  &(struct capos_cap_space_derive_in){ .cap = console, .rights = 0 }, &d), 0);
	ut_status("grant a non-transferable handle", grant(h, d.copy, CAPOS_XFER_COPY), -CAPOS_EPERM);
	ut_status("grant with an unknown mode", grant(h, console, 7), -CAPOS_EINVAL);
	ut_status("grant with no descriptor", capos_process_handle_grant(rc, h,
		  &(struct capos_process_handle_grant_out){ 0 }), -CAPOS_EINVAL);
	ut_status("bind an unknown kind", capos_process_handle_bind(rc, h, &(struct capos_process_handle_bind_in){ 9 },
		  &(struct capos_process_handle_bind_out){ 0 }), -CAPOS_EINVAL);
	ut_status("grant the child its own unstarted handle", grant(h, h, CAPOS_XFER_COPY), -CAPOS_EBUSY);
	ut_status("grant console", grant(h, console, CAPOS_XFER_COPY), 0);
	capos_release(rc, d.copy);
	capos_release(rc, d.revoker);
	capos_release(rc, h);  /* unstarted: the child and the copy it holds go */
}

static void test_after_start(void)
{
	static const uint8_t spin[] = { 0xeb, 0xfe };  /* jmp . */
	uint32_t h = 0, mo = 0;

	ut_status("hand-build a spinning child", hand_built(spin, sizeof spin, &h), 0);
	ut_status("start it", start(h, CODE_VA, STACK_VA + PAGE), 0);
	ut_status("start it again", start(h, CODE_VA, STACK_VA + PAGE), -CAPOS_EBUSY);
	ut_status("memory after start", memory(h, 1, &mo), -CAPOS_EBUSY);
	ut_status("map after start", map(h, ut_cap("console"), STACK_VA, 1, RW), -CAPOS_EBUSY);
	ut_status("grant after start", grant(h, ut_cap("console"), CAPOS_XFER_COPY), -CAPOS_EBUSY);
	ut_status("bind after start", capos_process_handle_bind(rc, h,
		  &(struct capos_process_handle_bind_in){ CAPOS_BIND_VM }, &(struct capos_process_handle_bind_out){ 0 }),
		  -CAPOS_EBUSY);
	ut_status("kill the spinner", capos_process_handle_kill(rc, h), 0);
	expect_end(h, CAPOS_EXIT_KILLED, -1, "the spinner ends killed");
	capos_release(rc, h);
}

static void test_abandoned(void)
{
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	struct capos_process_handle_info_out info = { 0 };
	uint32_t h = 0, mo = 0;

	ut_status("release a half-built child", hand_built(ud2, sizeof ud2, &h), 0);
	ut_status("... (its handle)", capos_release(rc, h), 0);
	ut_status("kill a half-built child", hand_built(ud2, sizeof ud2, &h), 0);
	ut_status("... kill", capos_process_handle_kill(rc, h), 0);
	ut_status("... info after kill", capos_process_handle_info(rc, h, &info), 0);
	ut_check(info.state == CAPOS_PROC_DEAD || info.state == CAPOS_PROC_DYING, "... is ended", "state %u", info.state);
	expect_end(h, CAPOS_EXIT_KILLED, -1, "... wait says killed");
	ut_status("... building it now", memory(h, 1, &mo), -CAPOS_EPEER);
	ut_status("... start it now", start(h, CODE_VA, STACK_VA + PAGE), -CAPOS_EPEER);
	capos_release(rc, h);
	ut_status("a half-built child waited on", hand_built(ud2, sizeof ud2, &h), 0);
	{
		struct capos_process_handle_wait_out w = { 0 };
		struct capos_completion c = { 0 };
		uint64_t ud = 0;
		int err = capos_process_handle_wait_async(rc, h, &w, &ud);

		ut_status("... wait (pending)", err, 0);
		ut_status("... then kill", capos_process_handle_kill(rc, h), 0);
		err = capos_ring_wait(rc, ud, 5000 * UT_MS, &c);
		ut_status("... the wait completes", err ? err : c.status, 0);
		ut_check(w.reason == CAPOS_EXIT_KILLED, "... as killed", "reason %u", w.reason);
		capos_release(rc, h);
		ut_status("a half-built child waited on, then released", hand_built(ud2, sizeof ud2, &h), 0);
		ut_status("... wait (pending)", capos_process_handle_wait_async(rc, h, &w, &ud), 0);
		ut_status("... release", capos_release(rc, h), 0);
		err = capos_ring_wait(rc, ud, 5000 * UT_MS, &c);
		ut_check(!err && (c.status == 0 || c.status == -CAPOS_EBADF || c.status == -CAPOS_ECANCELED),
			 "... the wait ends", "status %d/%d", err, c.status);
	}
	ut_status("a child failing midway", create(&h), 0);
	ut_status("... memory", memory(h, 4, &mo), 0);
	ut_status("... first segment", map(h, mo, CODE_VA, 2, RX), 0);
	ut_status("... second segment refused", map(h, mo, CODE_VA + PAGE, 2, RW), -CAPOS_EEXIST);
	capos_release(rc, mo);
	ut_status("... released", capos_release(rc, h), 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_init("utest-build");
	rc = capos_ring();
	factory = ut_cap("spawner");
	for (int pass = 0; pass < 2; pass++) {
		test_ud2_child();
		test_bad_mappings();
		test_bad_grants();
		test_after_start();
		test_abandoned();
	}
	capos_printf("utest-build: %d failures\n", ut_failures());
	return ut_failures();
}
