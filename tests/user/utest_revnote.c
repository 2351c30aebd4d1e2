/*
 * utest-revnote: revocation notices, the abort protocol (docs/ipc.md,
 * "Revocation notices").  Runs as init, the lender and revoker: it lends
 * revocable copies — of a page of memory it allocated, of null — to
 * children (this program in mode "child MODE", the copy granted as "lent")
 * and revokes them with a grace through Revoker.revoke_within, and checks
 * both ways: a holder that gives the copy back in time (the libOS's
 * capos_loan: flushed, unmapped, released; a capability released) ends the
 * revoke early with given_back 1; one that ignores the notice, or answers
 * after the deadline, has it taken (taken 1): its memory unmapped, so its
 * next touch faults, its handles -CAPOS_EREVOKED.  Hostile cases: a watch
 * on a capability that is not revocable, a second watch, a watch on a
 * revoked copy, a grace over 10 s, a second revoke_within, CANCEL and
 * Revoker.revoke during the grace, grace 0, a watch on a copy derived
 * from the one revoked, the holder dying with a
 * notice pending or with a watch pending, the revoker dying during the
 * grace.  One line per check, "utest-revnote: <what>: ok"; exit code =
 * failures.
 *
 * A page of this program's, granted to every child as "mailbox", says
 * when a child is ready (word 0: READY once it has mapped and watched);
 * in a lent page, the bytes from FLUSH_AT are what the borrower's flush
 * wrote before giving the page back.
 */
#include <stdio.h>
#include <string.h>
#include <capos/revnotice.h>
#include "utest_ipc.h"

#define rc capos_ring()

#define READY 0x52454459u        /* "REDY": mapped (or holding) and watching */
#define FLUSH_AT 64
#define FLUSHED "flushed before giving back"

static uint32_t mailbox_mem;
static volatile uint32_t *mailbox;

/* ------------------------------------------------------------ helpers */

static uint64_t ms_since(uint64_t t0)
{
	return (capos_time_ns() - t0) / UT_MS;
}

/* A page of memory mapped here, and its MemoryObject. */
static volatile uint32_t *page_alloc(uint32_t *mem)
{
	struct capos_frame_allocator_alloc_in in = { .pages = 1 };
	struct capos_frame_allocator_alloc_out out = { 0 };
	void *addr = NULL;
	int err = capos_frame_allocator_alloc(rc, ut_cap("frames"), &in, &out);

	if (!err)
		err = capos_memory_map(out.memory, 1, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr);
	ut_status("a page to lend", err, 0);
	*mem = out.memory;
	return addr;
}

static void page_free(uint32_t mem, volatile uint32_t *page)
{
	capos_pages_free((void *)page, 1);
	capos_release(rc, mem);
}

/* Wait (up to 5 s) until the child says it is ready: 1 when it did. */
static int wait_ready(void)
{
	for (int i = 0; i < 500 && mailbox[0] != READY; i++)
		capos_sleep_ns(10 * UT_MS);
	return mailbox[0] == READY;
}

/* A child in mode holding cap as "lent", with the mailbox (cleared) and capspace. */
static uint32_t spawn_child(const char *mode, uint32_t cap)
{
	char args[32];
	uint32_t grant[3] = { cap, mailbox_mem, ut_cap("capspace") };

	mailbox[0] = 0;
	capos_snprintf(args, sizeof args, "child %s", mode);
	return ipc_spawn("utest-revnote", args, "lent mailbox capspace", grant, 3);
}

/* Lend a revocable copy of cap to a child in mode: the child; *revoker gets the Revoker. */
static uint32_t lend(const char *mode, uint32_t cap, uint32_t *revoker)
{
	uint32_t copy = 0, proc;
	int err = capos_cap_derive(cap, CAPOS_RIGHT_ALL, &copy, revoker);

	if (err) {
		ut_status("CapSpace.derive of what is lent", err, 0);
		return 0;
	}
	proc = spawn_child(mode, copy);
	capos_release(rc, copy);  /* the child's is the only handle: its release is the copy's end */
	return proc;
}

static void expect_counts(const char *what, int err, uint32_t given, uint32_t taken, uint32_t want_given,
			  uint32_t want_taken)
{
	ut_check(!err && given == want_given && taken == want_taken, what, "status %d %s, given_back %u taken %u", err,
		 capos_strerror(err), given, taken);
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

static volatile uint32_t *mailbox_map(void)
{
	void *addr = NULL;

	if (capos_memory_map(capos_cap_find("mailbox", NULL), 1, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr))
		return NULL;
	return addr;
}

static void write_flushed(void *ctx, void *addr, uint64_t bytes)
{
	(void)ctx;
	if (bytes > FLUSH_AT + sizeof FLUSHED)
		memcpy((char *)addr + FLUSH_AT, FLUSHED, sizeof FLUSHED);
}

/* Borrow the lent page through capos_loan and let it give itself back when told. */
static void child_give(volatile uint32_t *box)
{
	struct capos_loan loan;
	uint32_t lent = capos_cap_find("lent", NULL);
	uint64_t t0;

	ut_status("capos_loan_map of the lent page", capos_loan_map(&loan, lent, 1, write_flushed, NULL), 0);
	((volatile uint32_t *)loan.addr)[1] = 0x600d;
	box[0] = READY;
	t0 = capos_time_ns();
	while (loan.state != CAPOS_LOAN_RETURNED && ms_since(t0) < 5000)
		capos_ring_poll(rc, 100 * UT_MS);
	ut_check(loan.state == CAPOS_LOAN_RETURNED && loan.notice_status == 0 && loan.deadline_ns > capos_time_ns(),
		 "told before the deadline, the loan gave itself back", "state %u notice %d deadline %llu now %llu",
		 loan.state, loan.notice_status, (unsigned long long)loan.deadline_ns,
		 (unsigned long long)capos_time_ns());
}

/* Map the lent page and watch it; wait for the notice: its deadline (0 when none came). */
static uint64_t map_watch_wait(volatile uint32_t *box, volatile uint32_t **lent_page)
{
	struct capos_cap_space_watch_revoke_out notice = { 0 };
	struct capos_completion c = { 0 };
	uint32_t lent = capos_cap_find("lent", NULL);
	void *addr = NULL;
	uint64_t ud = 0;
	int err = capos_memory_map(lent, 1, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr);

	if (!err)
		err = capos_revoke_watch(lent, &notice, &ud);
	ut_status("map and watch the lent page", err, 0);
	*lent_page = addr;
	box[0] = READY;
	err = err ? err : capos_ring_wait(rc, ud, 5000 * UT_MS, &c);
	ut_check(!err && c.status == 0 && notice.deadline_ns > capos_time_ns(), "the notice came, with a deadline ahead",
		 "wait %d status %d deadline %llu", err, c.status, (unsigned long long)notice.deadline_ns);
	return err || c.status ? 0 : notice.deadline_ns;
}

/* Ignore the notice: the page is taken at the deadline, and touching it then faults (the parent checks). */
static void child_ignore(volatile uint32_t *box)
{
	volatile uint32_t *page;
	uint64_t deadline = map_watch_wait(box, &page);
	struct capos_memory_object_info_out info;

	if (deadline > capos_time_ns())
		capos_sleep_ns(deadline - capos_time_ns() + 200 * UT_MS);
	ut_status("after the deadline the lent handle is revoked",
		  capos_memory_object_info(rc, capos_cap_find("lent", NULL), &info), -CAPOS_EREVOKED);
	ut_note("touching the taken page now");
	page[1] = 1;  /* faults: the kernel unmapped it */
	ut_check(0, "the taken page is unmapped", "the write went through");
}

/* Answer late: try to give the page back after the deadline; it is already taken. */
static void child_late(volatile uint32_t *box)
{
	volatile uint32_t *page;
	uint64_t deadline = map_watch_wait(box, &page);
	uint32_t lent = capos_cap_find("lent", NULL);
	struct capos_memory_object_unmap_in un = { .vaddr = (uint64_t)(uintptr_t)page, .pages = 1 };

	if (deadline > capos_time_ns())
		capos_sleep_ns(deadline - capos_time_ns() + 200 * UT_MS);
	ut_status("unmapping after the deadline: the copy was taken", capos_memory_object_unmap(rc, lent, &un),
		  -CAPOS_EREVOKED);
	ut_status("VirtualMemory.unmap of the range: nothing is mapped there any more",
		  capos_pages_free((void *)page, 1), -CAPOS_ENOENT);
	ut_status("releasing the taken handle", capos_release(rc, lent), 0);
}

/* A capability: watch the lent null copy; on the notice release it (give) or exit holding it (die). */
static void child_cap(volatile uint32_t *box, int die)
{
	struct capos_cap_space_watch_revoke_out notice = { 0 };
	struct capos_completion c = { 0 };
	uint32_t lent = capos_cap_find("lent", NULL);
	uint64_t ud = 0;
	int err = capos_revoke_watch(lent, &notice, &ud);

	ut_status("watch the lent null", err, 0);
	box[0] = READY;
	err = err ? err : capos_ring_wait(rc, ud, 5000 * UT_MS, &c);
	ut_check(!err && c.status == 0, "the notice for the lent null came", "wait %d status %d", err, c.status);
	if (die) {
		ut_note("ending with the notice pending and the copy held");
		return;
	}
	ut_status("Null.nop through the copy still works in the grace", capos_null_nop(rc, lent), 0);
	ut_status("give the null back", capos_release(rc, lent), 0);
}

/* Watch the lent null, then end before anyone revokes. */
static void child_watch_die(volatile uint32_t *box)
{
	struct capos_cap_space_watch_revoke_out notice;
	uint64_t ud = 0;

	ut_status("watch the lent null, then end", capos_revoke_watch(capos_cap_find("lent", NULL), &notice, &ud), 0);
	box[0] = READY;
}

/* Revoke the lent copy (granted as its Revoker) with a 5 s grace, and end at once. */
static void child_revoker(volatile uint32_t *box)
{
	struct capos_revoker_revoke_within_in in = { .grace_ns = 5000 * UT_MS };
	static struct capos_revoker_revoke_within_out out;
	uint64_t ud = 0;

	ut_status("Revoker.revoke_within posted",
		  capos_revoker_revoke_within_async(rc, capos_cap_find("lent", NULL), &in, &out, &ud), 0);
	box[0] = READY;
}

static int child_main(const char *mode)
{
	volatile uint32_t *box = mailbox_map();

	ut_init("utest-revnote child");
	if (!box) {
		ut_check(0, "map the mailbox", "no mailbox");
		return ut_failures();
	}
	if (strcmp(mode, "give") == 0)
		child_give(box);
	else if (strcmp(mode, "ignore") == 0)
		child_ignore(box);
	else if (strcmp(mode, "late") == 0)
		child_late(box);
	else if (strcmp(mode, "capgive") == 0 || strcmp(mode, "capdie") == 0)
		child_cap(box, mode[3] == 'd');
	else if (strcmp(mode, "watchdie") == 0)
		child_watch_die(box);
	else if (strcmp(mode, "revoker") == 0)
		child_revoker(box);
	else
		ut_check(0, "a known mode", "%s", mode);
	return ut_failures();
}

/* ------------------------------------------------------------ both ways */

static void test_memory_given_back(void)
{
	uint32_t mem, rev = 0, given = 9, taken = 9;
	volatile uint32_t *page = page_alloc(&mem);
	uint32_t proc = lend("give", mem, &rev);
	uint64_t t0;
	int err;

	ut_check(wait_ready(), "the borrower mapped and watched the page", "not ready after 5 s");
	t0 = capos_time_ns();
	err = capos_revoke_within(rev, 2000 * UT_MS, &given, &taken);
	expect_counts("memory: revoke_within(2 s): the borrower gave it back: given_back 1, taken 0", err, given, taken,
		      1, 0);
	ut_check(ms_since(t0) < 1500, "... before the deadline", "%llu ms", (unsigned long long)ms_since(t0));
	ut_check(memcmp((const void *)((const char *)page + FLUSH_AT), FLUSHED, sizeof FLUSHED) == 0 && page[1] == 0x600d,
		 "... its writes and its flush are in the page", "word 1 %#x", page[1]);
	expect_end("the borrower ended normally", proc, CAPOS_EXIT_NORMAL, 0);
	capos_release(rc, rev);
	page_free(mem, page);
}

static void test_memory_taken(void)
{
	uint32_t mem, rev = 0, given = 9, taken = 9;
	volatile uint32_t *page = page_alloc(&mem);
	uint32_t proc = lend("ignore", mem, &rev);
	uint64_t t0;
	int err;

	ut_check(wait_ready(), "the ignoring borrower mapped and watched the page", "not ready after 5 s");
	t0 = capos_time_ns();
	err = capos_revoke_within(rev, 300 * UT_MS, &given, &taken);
	expect_counts("memory: revoke_within(300 ms) ignored: taken 1, given_back 0", err, given, taken, 0, 1);
	ut_check(ms_since(t0) >= 290, "... at the deadline", "%llu ms", (unsigned long long)ms_since(t0));
	expect_end("the borrower that kept the page faults touching it (code -14)", proc, CAPOS_EXIT_FAULT, -14);
	page[2] = 7;
	ut_check(page[2] == 7, "the lender's own mapping is untouched", "read %u", page[2]);
	capos_release(rc, rev);
	page_free(mem, page);
}

static void test_memory_late(void)
{
	uint32_t mem, rev = 0, given = 9, taken = 9;
	volatile uint32_t *page = page_alloc(&mem);
	uint32_t proc = lend("late", mem, &rev);
	int err;

	ut_check(wait_ready(), "the late borrower mapped and watched the page", "not ready after 5 s");
	err = capos_revoke_within(rev, 300 * UT_MS, &given, &taken);
	expect_counts("memory: answered after the deadline: taken 1", err, given, taken, 0, 1);
	expect_end("the late borrower ended normally", proc, CAPOS_EXIT_NORMAL, 0);
	capos_release(rc, rev);
	page_free(mem, page);
}

static void test_cap_given_back(void)
{
	uint32_t rev = 0, given = 9, taken = 9;
	uint32_t proc = lend("capgive", ut_cap("null"), &rev);
	uint64_t t0;
	int err;

	ut_check(wait_ready(), "the holder of the null copy watches", "not ready after 5 s");
	t0 = capos_time_ns();
	err = capos_revoke_within(rev, 3000 * UT_MS, &given, &taken);
	expect_counts("capability: released in the grace: given_back 1, taken 0", err, given, taken, 1, 0);
	ut_check(ms_since(t0) < 2500, "... before the deadline", "%llu ms", (unsigned long long)ms_since(t0));
	expect_end("the holder ended normally", proc, CAPOS_EXIT_NORMAL, 0);
	capos_release(rc, rev);
}

/* ------------------------------------------------------------ hostile */

static void test_watch_refusals(void)
{
	struct capos_cap_space_watch_revoke_out n1, n2;
	struct capos_completion c = { 0 };
	uint32_t copy = 0, rev = 0, given = 9, taken = 9;
	uint64_t ud = 0, ud2 = 0;
	int err;

	ut_status("watch on null, which is not revocable: -CAPOS_EINVAL", capos_revoke_watch(ut_cap("null"), &n1, &ud),
		  -CAPOS_EINVAL);
	ut_status("watch on a stale handle: -CAPOS_EBADF", capos_revoke_watch(0x7fff0001u, &n1, &ud), -CAPOS_EBADF);
	capos_cap_derive(ut_cap("null"), CAPOS_RIGHT_ALL, &copy, &rev);
	ut_status("a first watch", capos_revoke_watch(copy, &n1, &ud), 0);
	ut_status("a second watch of the same copy: -CAPOS_EBUSY", capos_revoke_watch(copy, &n2, &ud2), -CAPOS_EBUSY);
	ut_status("revoke_within over 10 s: -CAPOS_ERANGE", capos_revoke_within(rev, 10001 * UT_MS, &given, &taken),
		  -CAPOS_ERANGE);
	err = capos_revoke_within(rev, 0, &given, &taken);
	expect_counts("revoke_within(0): at once, the watcher that still holds it counts as taken", err, given, taken, 0,
		      1);
	err = capos_ring_wait(rc, ud, 1000 * UT_MS, &c);
	ut_status("... its watch ends with -CAPOS_EREVOKED (no grace, no notice)", err ? err : c.status, -CAPOS_EREVOKED);
	ut_status("watch on the revoked copy: -CAPOS_EREVOKED", capos_revoke_watch(copy, &n2, &ud2), -CAPOS_EREVOKED);
	err = capos_revoke_within(rev, 1000 * UT_MS, &given, &taken);
	expect_counts("revoke_within of a revoked copy: done at once, nobody counted", err, given, taken, 0, 0);
	capos_release(rc, copy);
	capos_release(rc, rev);
}

/* Post a revoke_within without waiting: its user_data. */
static uint64_t revoke_async(uint32_t rev, uint64_t grace_ns, struct capos_revoker_revoke_within_out *out)
{
	struct capos_revoker_revoke_within_in in = { .grace_ns = grace_ns };
	uint64_t ud = 0;

	ut_status("Revoker.revoke_within posted", capos_revoker_revoke_within_async(rc, rev, &in, out, &ud), 0);
	return ud;
}

static void test_grace_interrupted(void)
{
	struct capos_revoker_revoke_within_out out = { 9, 9 };
	struct capos_cap_space_watch_revoke_out notice = { 0 };
	struct capos_completion c = { 0 }, w = { 0 };
	uint32_t copy = 0, rev = 0, given = 9, taken = 9;
	uint64_t ud, wud = 0, t0 = capos_time_ns();
	int err;

	capos_cap_derive(ut_cap("null"), CAPOS_RIGHT_ALL, &copy, &rev);
	capos_revoke_watch(copy, &notice, &wud);
	ud = revoke_async(rev, 5000 * UT_MS, &out);
	err = capos_ring_wait(rc, wud, 1000 * UT_MS, &w);
	ut_check(!err && w.status == 0 && notice.deadline_ns > t0 + 4000 * UT_MS, "our own watch is told the deadline",
		 "wait %d status %d", err, w.status);
	ut_status("Null.nop through the copy in the grace", capos_null_nop(rc, copy), 0);
	ut_status("a second revoke_within during the grace: -CAPOS_EBUSY",
		  capos_revoke_within(rev, 1000 * UT_MS, &given, &taken), -CAPOS_EBUSY);
	notice.deadline_ns = 0;
	err = capos_revoke_watch(copy, &notice, &wud);
	ut_check(err == 1 && notice.deadline_ns > t0 + 4000 * UT_MS, "a watch during the grace answers at once, with the deadline",
		 "status %d deadline %llu", err, (unsigned long long)notice.deadline_ns);
	ut_status("Revoker.revoke during the grace takes it now", capos_cap_revoke(rev), 0);
	err = capos_ring_wait(rc, ud, 1000 * UT_MS, &c);
	ut_check(!err && c.status == 0 && out.given_back == 0 && out.taken == 1 && ms_since(t0) < 3000,
		 "... and the revoke_within completes at once: taken 1", "wait %d status %d given %u taken %u", err,
		 c.status, out.given_back, out.taken);
	ut_status("the copy is revoked", capos_null_nop(rc, copy), -CAPOS_EREVOKED);
	capos_release(rc, copy);
	capos_release(rc, rev);

	capos_cap_derive(ut_cap("null"), CAPOS_RIGHT_ALL, &copy, &rev);
	t0 = capos_time_ns();
	ud = revoke_async(rev, 5000 * UT_MS, &out);
	ut_status("CANCEL of a revoke_within in its grace", capos_cancel(rc, ud), 0);
	err = capos_ring_wait(rc, ud, 1000 * UT_MS, &c);
	ut_status("... completes with -CAPOS_ECANCELED", err ? err : c.status, -CAPOS_ECANCELED);
	ut_check(capos_null_nop(rc, copy) == -CAPOS_EREVOKED && ms_since(t0) < 3000,
		 "... and the revocation proceeds at once", "nop %d", capos_null_nop(rc, copy));
	capos_release(rc, copy);
	capos_release(rc, rev);
}

/* A watch on a copy derived from the copy being revoked is told too; releasing both gives it back. */
static void test_descendant(void)
{
	struct capos_cap_space_watch_revoke_out notice = { 0 };
	struct capos_revoker_revoke_within_out out = { 9, 9 };
	struct capos_completion c = { 0 }, w = { 0 };
	uint32_t a = 0, ra = 0, b = 0, rb = 0;
	uint64_t ud, wud = 0, t0 = capos_time_ns();
	int err;

	capos_cap_derive(ut_cap("null"), CAPOS_RIGHT_ALL, &a, &ra);
	capos_cap_derive(a, CAPOS_RIGHT_ALL, &b, &rb);
	ut_status("watch a copy of the copy", capos_revoke_watch(b, &notice, &wud), 0);
	ud = revoke_async(ra, 3000 * UT_MS, &out);
	err = capos_ring_wait(rc, wud, 1000 * UT_MS, &w);
	ut_status("revoke_within of the first copy tells the watcher of a copy derived from it", err ? err : w.status, 0);
	capos_release(rc, b);
	capos_release(rc, a);
	capos_release(rc, rb);
	err = capos_ring_wait(rc, ud, 5000 * UT_MS, &c);
	ut_check(!err && c.status == 0 && out.given_back == 1 && out.taken == 0 && ms_since(t0) < 2000,
		 "... releasing both gives it back: the revoke ends early, given_back 1",
		 "wait %d status %d given %u taken %u after %llu ms", err, c.status, out.given_back, out.taken,
		 (unsigned long long)ms_since(t0));
	capos_release(rc, ra);
}

static void test_holder_dies(void)
{
	uint32_t rev = 0, given = 9, taken = 9, proc;
	uint64_t t0;
	int err;

	proc = lend("capdie", ut_cap("null"), &rev);
	ut_check(wait_ready(), "the holder that will die watches", "not ready after 5 s");
	t0 = capos_time_ns();
	err = capos_revoke_within(rev, 3000 * UT_MS, &given, &taken);
	expect_counts("the holder died with the notice and the copy: it holds nothing: given_back 1", err, given, taken,
		      1, 0);
	ut_check(ms_since(t0) < 2500, "... and the revoke ends with the copy, early", "%llu ms",
		 (unsigned long long)ms_since(t0));
	expect_end("the dying holder ended", proc, CAPOS_EXIT_NORMAL, 0);
	capos_release(rc, rev);

	proc = lend("watchdie", ut_cap("null"), &rev);
	expect_end("a holder ended with its watch pending", proc, CAPOS_EXIT_NORMAL, 0);
	err = capos_revoke_within(rev, 1000 * UT_MS, &given, &taken);
	expect_counts("... its watch went with it: nobody to tell", err, given, taken, 0, 0);
	capos_release(rc, rev);
}

static void test_revoker_dies(void)
{
	struct capos_cap_space_watch_revoke_out notice = { 0 };
	struct capos_completion w = { 0 };
	uint32_t copy = 0, rev = 0, proc;
	uint64_t wud = 0, t0 = capos_time_ns();
	int err;

	capos_cap_derive(ut_cap("null"), CAPOS_RIGHT_ALL, &copy, &rev);
	ut_status("watch our copy, whose Revoker a child gets", capos_revoke_watch(copy, &notice, &wud), 0);
	proc = spawn_child("revoker", rev);
	capos_release(rc, rev);
	err = capos_ring_wait(rc, wud, 5000 * UT_MS, &w);
	ut_status("the revoker's 5 s grace begins: we are told", err ? err : w.status, 0);
	expect_end("the revoker ended during the grace", proc, CAPOS_EXIT_NORMAL, 0);
	ut_check(capos_null_nop(rc, copy) == -CAPOS_EREVOKED && ms_since(t0) < 4000,
		 "the revocation proceeded when the revoker ended, before the deadline", "%llu ms",
		 (unsigned long long)ms_since(t0));
	capos_release(rc, copy);
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "child") == 0)
		return child_main(argv[2]);
	ut_init("utest-revnote");
	mailbox = page_alloc(&mailbox_mem);
	test_memory_given_back();
	test_memory_taken();
	test_memory_late();
	test_cap_given_back();
	test_watch_refusals();
	test_grace_interrupted();
	test_descendant();
	test_holder_dies();
	test_revoker_dies();
	page_free(mailbox_mem, mailbox);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
