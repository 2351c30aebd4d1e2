/*
 * The TerminalSession test (docs/terminal.md): a client of the terminal
 * service (apps/terminal), started by init from
 * tests/manifests/boot/terminal*.yaml with the service's export as
 * "terminal", the session UART attached (ci/qemu_run.py --session-*).
 *
 * First, with nothing typed yet: hostile arguments, a second concurrent
 * read_line, a pending read cancelled through the ring.  Then it prints
 * "utest-terminal: type now", and the QEMU test types SCRIPT (below, kept
 * in step with tests/qemu/terminal/meson.build) all at once; each
 * read_line takes the bytes up to its own end of line, so the reads meet
 * the lines in order: edits, hidden echo (by flag and by set_echo), the
 * bound, ^C, lending (nested, ^C to the borrower, reclaim, release, a
 * child process holding the foreground until it exits), CR LF, ^D.  Last,
 * with the input used up, a borrower's pending read is ended by reclaim.
 *
 * With the argument "child" it is that child: it reads one line through
 * the "terminal" it was lent, checks it and exits.  With "absent" (no
 * COM2 attached) it checks that reads and writes are refused.
 *
 * With "interrupt" it tests wait_interrupt, driven by the session script
 * tests/qemu/terminal/interrupt.script (ci/qemu_run.py --session-script),
 * which answers each prompt the program writes on the terminal: hostile
 * calls; a lender waiting while its child is busy and not reading
 * (the child, argument "busy", only sleeps); nested waiters (the innermost
 * is told); a reading borrower (its read is cancelled and the lender is
 * told); reclaim, release and CANCEL ending a wait; a waiting child
 * killed (argument "waiter"); and last the libOS stdio child utest-stdio,
 * given the borrowed terminal as "stdio".
 *
 * Prints one line per check and exits with the number of failures.
 */
#include <string.h>
#include <capos/cap.h>
#include <capos/ipc.h>
#include <capos/terminal.h>
#include "utest.h"

/*
 * SCRIPT, as typed (\x15 ^U, \x7f Backspace, \x03 ^C, \x04 ^D):
 *   xyz\x15helo\x7flo world\r   hunter2\r   topsecret\r   abcdefgh\r
 *   never\x03   child line\r   nested\r   abc\x03   back home\r
 *   after release\r   from child\r   crlf\r\n   next\r   \x04
 */

#define rc capos_ring()
#define LINE_OFFSET 4u

static uint32_t root;

static int read_line(uint32_t cap, uint32_t max, uint32_t flags, char *line, uint32_t *event)
{
	struct capos_terminal_session_read_line_in in = { .max = max, .flags = flags };
	struct capos_terminal_session_read_line_out out;
	uint32_t len = 0;
	int err = capos_terminal_session_read_line(rc, cap, &in, &out, &len);

	line[0] = '\0';
	*event = 0;
	if (err)
		return err;
	if (len < LINE_OFFSET || len - LINE_OFFSET > max)
		return -CAPOS_ERANGE;
	*event = out.event;
	memcpy(line, out.line, len - LINE_OFFSET);
	line[len - LINE_OFFSET] = '\0';
	return 0;
}

static void say(uint32_t cap, const char *text)
{
	struct capos_terminal_session_write_in in;
	struct capos_terminal_session_write_out out;
	uint32_t n = (uint32_t)strlen(text);

	memcpy(in.data, text, n);
	capos_terminal_session_write(rc, cap, &in, n, &out);
}

/* Read one line and check it (the text is never printed when secret). */
static void expect_line(const char *what, uint32_t cap, uint32_t max, uint32_t flags, const char *want,
			int secret)
{
	char line[CAPOS_TERMINAL_LINE_MAX + 1];
	uint32_t event;
	int err = read_line(cap, max, flags, line, &event);

	ut_check(!err && event == CAPOS_TERMINAL_EVENT_LINE && strcmp(line, want) == 0, what,
		 "status %d %s, event %u, line '%s'", err, capos_strerror(err), event,
		 secret ? "(secret)" : line);
}

static void expect_read_status(const char *what, uint32_t cap, int want)
{
	char line[CAPOS_TERMINAL_LINE_MAX + 1];
	uint32_t event;

	ut_status(what, read_line(cap, 64, 0, line, &event), want);
}

/* A revoked holder is a revoked copy: the kernel refuses its info, which reads as REVOKED. */
static uint32_t state_of(uint32_t cap)
{
	struct capos_terminal_session_info_out info = { .state = 99 };
	int err = capos_terminal_session_info(rc, cap, &info);

	return err == -CAPOS_EREVOKED ? CAPOS_TERMINAL_STATE_REVOKED : info.state;
}

static int set_echo(uint32_t cap, uint32_t mode)
{
	struct capos_terminal_session_set_echo_in in = { .mode = mode };

	return capos_terminal_session_set_echo(rc, cap, &in);
}

static uint32_t lend(const char *what, uint32_t cap)
{
	uint32_t borrower = 0;

	ut_status(what, capos_terminal_lend(cap, &borrower), 0);
	return borrower;
}

/* ---- before any input ---- */

static void test_hostile_arguments(void)
{
	struct capos_terminal_session_read_line_in in = { .max = 10 };
	struct capos_terminal_session_read_line_out out;
	char line[CAPOS_TERMINAL_LINE_MAX + 1];
	uint32_t event;

	ut_status("read_line max 0", read_line(root, 0, 0, line, &event), -CAPOS_ERANGE);
	ut_status("read_line max 257", read_line(root, CAPOS_TERMINAL_LINE_MAX + 1, 0, line, &event),
		  -CAPOS_ERANGE);
	ut_status("read_line max 0xffffffff", read_line(root, 0xffffffffu, 0, line, &event), -CAPOS_ERANGE);
	ut_status("read_line unknown flag 0x2", read_line(root, 10, 0x2, line, &event), -CAPOS_EINVAL);
	ut_status("read_line unknown flag 0x80000000", read_line(root, 10, 0x80000000u, line, &event),
		  -CAPOS_EINVAL);
	ut_status("read_line with a result buffer shorter than 4 + max",
		  capos_call_sync(rc, root, CAPOS_IFACE_TERMINAL_SESSION, CAPOS_TERMINAL_SESSION_READ_LINE,
				  &in, sizeof in, &out, LINE_OFFSET + 9, NULL), -CAPOS_ERANGE);
	ut_status("set_echo mode 2", set_echo(root, 2), -CAPOS_EINVAL);
	ut_status("reclaim with nothing lent", capos_terminal_session_reclaim(rc, root), -CAPOS_ENOENT);
}

static void test_info_and_write(void)
{
	struct capos_terminal_session_info_out info = { .state = 99 };
	struct capos_terminal_session_write_in in;
	struct capos_terminal_session_write_out out = { .written = 99 };

	ut_status("info", capos_terminal_session_info(rc, root, &info), 0);
	ut_check(info.state == CAPOS_TERMINAL_STATE_FOREGROUND && info.present == 1 && info.reading == 0,
		 "the root holds the foreground of a present session UART", "state %u present %u reading %u",
		 info.state, info.present, info.reading);
	memcpy(in.data, "terminal: hello\n", 16);
	ut_status("write", capos_terminal_session_write(rc, root, &in, 16, &out), 0);
	ut_check(out.written == 16, "write reports every byte", "written %u", out.written);
	ut_status("write of nothing", capos_terminal_session_write(rc, root, &in, 0, &out), 0);
}

static void test_one_read_at_a_time(void)
{
	struct capos_terminal_session_read_line_in in = { .max = 64 };
	struct capos_terminal_session_read_line_out out;
	struct capos_terminal_session_info_out info = { 0 };
	uint32_t lent = 0;
	struct capos_completion c = { 0 };
	uint64_t ud = 0;

	ut_status("read_line async", capos_terminal_session_read_line_async(rc, root, &in, &out, &ud), 0);
	capos_terminal_session_info(rc, root, &info);
	ut_check(info.reading == 1, "info shows the read pending", "reading %u", info.reading);
	expect_read_status("a second concurrent read_line", root, -CAPOS_EBUSY);
	ut_status("lend while the holder's read is pending", capos_terminal_lend(root, &lent),
		  -CAPOS_EBUSY);
	ut_status("CANCEL the pending read", capos_cancel(rc, ud), 0);
	ut_status("the cancelled read completes",
		  capos_ring_wait(rc, ud, CAPOS_TIMEOUT_INFINITE, &c), 0);
	ut_status("the cancelled read's status", c.status, -CAPOS_ECANCELED);
}

/* ---- the typed script ---- */

static void test_editing_echo_and_bounds(void)
{
	char line[CAPOS_TERMINAL_LINE_MAX + 1];
	uint32_t event = 0;

	say(root, "edit> ");
	expect_line("a line edited with ^U and Backspace arrives edited", root, 64, 0, "hello world", 0);
	say(root, "hidden> ");
	expect_line("a line read with hidden echo arrives intact", root, 64, CAPOS_TERMINAL_READ_HIDDEN,
		    "hunter2", 1);
	ut_status("set_echo hidden", set_echo(root, CAPOS_TERMINAL_ECHO_HIDDEN), 0);
	say(root, "echo-off> ");
	expect_line("a line read after set_echo hidden arrives intact", root, 64, 0, "topsecret", 1);
	ut_status("set_echo visible", set_echo(root, CAPOS_TERMINAL_ECHO_VISIBLE), 0);
	say(root, "bound> ");
	expect_line("a line longer than max is cut at max", root, 5, 0, "abcde", 0);
	say(root, "cancel> ");
	ut_status("^C cancels the pending read", read_line(root, 64, 0, line, &event), -CAPOS_ECANCELED);
}

/* Lend, lend again from the borrower, ^C to the last borrower, reclaim from the root. */
static void test_lend_and_reclaim(void)
{
	uint32_t tok = lend("lend", root), nested;

	ut_check(state_of(root) == CAPOS_TERMINAL_STATE_LENT && state_of(tok) == CAPOS_TERMINAL_STATE_FOREGROUND,
		 "after lend the borrower holds the foreground", "root %u borrower %u", state_of(root),
		 state_of(tok));
	expect_read_status("the lender's read while lent", root, -CAPOS_EBUSY);
	ut_status("the lender's set_echo while lent", set_echo(root, CAPOS_TERMINAL_ECHO_HIDDEN), -CAPOS_EBUSY);
	say(root, "child> ");  /* a lender may still write */
	expect_line("the borrower reads the next line", tok, 64, 0, "child line", 0);
	nested = lend("the borrower lends on", tok);
	expect_read_status("the first borrower's read while it has lent", tok, -CAPOS_EBUSY);
	expect_line("the second borrower reads the next line", nested, 64, 0, "nested", 0);
	expect_read_status("^C while lent cancels the borrower's read", nested, -CAPOS_ECANCELED);
	ut_status("reclaim by the last borrower, which lent nothing",
		  capos_terminal_session_reclaim(rc, nested), -CAPOS_ENOENT);
	ut_status("reclaim by the root", capos_terminal_session_reclaim(rc, root), 0);
	ut_check(state_of(tok) == CAPOS_TERMINAL_STATE_REVOKED && state_of(nested) == CAPOS_TERMINAL_STATE_REVOKED &&
		 state_of(root) == CAPOS_TERMINAL_STATE_FOREGROUND,
		 "reclaim revokes every borrower below and returns the foreground", "root %u tok %u nested %u",
		 state_of(root), state_of(tok), state_of(nested));
	expect_read_status("a revoked borrower's read", tok, -CAPOS_EREVOKED);
	ut_status("a revoked borrower's lend", capos_terminal_lend(nested, &(uint32_t){ 0 }),
		  -CAPOS_EREVOKED);
	ut_status("a revoked borrower's reclaim", capos_terminal_session_reclaim(rc, tok), -CAPOS_EREVOKED);
	ut_status("a revoked borrower's set_echo", set_echo(tok, CAPOS_TERMINAL_ECHO_VISIBLE), -CAPOS_EREVOKED);
	{
		struct capos_terminal_session_write_in in = { .data = "x" };
		struct capos_terminal_session_write_out out;

		ut_status("a revoked borrower's write", capos_terminal_session_write(rc, tok, &in, 1, &out),
			  -CAPOS_EREVOKED);
	}
	expect_line("the lender reads again after reclaim", root, 64, 0, "back home", 0);
	capos_release(rc, tok);
	capos_release(rc, nested);
}

static void test_release_returns_foreground(void)
{
	uint32_t tok = lend("lend again", root);

	ut_status("release the borrower's only handle", capos_release(rc, tok), 0);
	ut_check(state_of(root) == CAPOS_TERMINAL_STATE_FOREGROUND, "releasing the borrower returns the foreground",
		 "root %u", state_of(root));
	expect_line("the lender reads after the release", root, 64, 0, "after release", 0);
}

static void test_child_holds_foreground(void)
{
	uint32_t tok = lend("lend for a child", root);
	uint32_t caps[3] = { ut_cap("console"), tok, 0 }, proc = 0;
	int64_t code = -1;
	uint32_t reason = 99;
	int err = capos_spawn("utest-terminal", "console terminal thread=@thread", "child", caps, 2, &proc, NULL);

	ut_status("spawn a child with the borrowed foreground", err, 0);
	capos_release(rc, tok);  /* the child's copy is now the only one */
	if (!err) {
		ut_status("wait for the child", capos_process_wait(proc, &code, &reason), 0);
		ut_check(code == 0, "the child read its line", "code %lld reason %u", (long long)code, reason);
		capos_release(rc, proc);
	}
	ut_check(state_of(root) == CAPOS_TERMINAL_STATE_FOREGROUND,
		 "the foreground comes back when the child has ended", "root %u", state_of(root));
}

static void test_crlf_and_eof(void)
{
	char line[CAPOS_TERMINAL_LINE_MAX + 1];
	uint32_t event = 0;
	int err;

	expect_line("CR LF ends one line", root, 64, 0, "crlf", 0);
	expect_line("... and the LF is no empty line", root, 64, 0, "next", 0);
	err = read_line(root, 64, 0, line, &event);
	ut_check(!err && event == CAPOS_TERMINAL_EVENT_EOF && line[0] == '\0', "^D on an empty line is EOF",
		 "status %d, event %u", err, event);
}

/* With no input left: a borrower's read is pending when the root reclaims. */
static void test_reclaim_ends_pending_read(void)
{
	struct capos_terminal_session_read_line_in in = { .max = 64 };
	struct capos_terminal_session_read_line_out out;
	struct capos_completion c = { 0 };
	uint32_t tok = lend("lend with no input left", root);
	uint64_t ud = 0;

	ut_status("the borrower's read_line async", capos_terminal_session_read_line_async(rc, tok, &in, &out, &ud), 0);
	capos_sleep_ns(30 * UT_MS);
	ut_status("reclaim while the borrower reads", capos_terminal_session_reclaim(rc, root), 0);
	ut_status("the borrower's pending read completes", capos_ring_wait(rc, ud, CAPOS_TIMEOUT_INFINITE, &c), 0);
	ut_status("... with -CAPOS_EREVOKED", c.status, -CAPOS_EREVOKED);
	capos_release(rc, tok);
}

/* ---- wait_interrupt (argument "interrupt", driven by interrupt.script) ---- */

static uint64_t wait_async(const char *what, uint32_t cap, struct capos_terminal_session_wait_interrupt_out *out)
{
	uint64_t ud = 0;

	ut_status(what, capos_terminal_session_wait_interrupt_async(rc, cap, out, &ud), 0);
	return ud;
}

/* The wait ud completes with status want (and, when 0, holders). */
static void expect_wait(const char *what, uint64_t ud, const struct capos_terminal_session_wait_interrupt_out *out,
			int want, uint32_t holders)
{
	struct capos_completion c = { .status = 99 };
	int err = capos_ring_wait(rc, ud, 10000 * UT_MS, &c);

	ut_check(!err && c.status == want && (want != 0 || out->holders == holders), what,
		 "wait %d, status %d %s, holders %u (want status %d, holders %u)", err, c.status,
		 capos_strerror(c.status), out->holders, want, holders);
}

static void expect_still_waiting(const char *what, uint64_t ud)
{
	struct capos_completion c = { 0 };

	ut_status(what, capos_ring_wait(rc, ud, 50 * UT_MS, &c), -CAPOS_ETIMEDOUT);
}

static void test_interrupt_hostile(void)
{
	struct capos_terminal_session_wait_interrupt_out out = { 0 }, out2 = { 0 };
	uint32_t tok, nested;
	uint64_t ud;

	ut_status("wait_interrupt by a holder that has not lent", capos_terminal_session_wait_interrupt(rc, root, &out),
		  -CAPOS_EINVAL);
	tok = lend("lend for the hostile waits", root);
	ut_status("wait_interrupt by the foreground borrower", capos_terminal_session_wait_interrupt(rc, tok, &out),
		  -CAPOS_EINVAL);
	ut_status("wait_interrupt with no room for its result",
		  capos_call_sync(rc, root, CAPOS_IFACE_TERMINAL_SESSION, CAPOS_TERMINAL_SESSION_WAIT_INTERRUPT,
				  NULL, 0, &out, 0, NULL), -CAPOS_ERANGE);
	ud = wait_async("wait_interrupt by the lender", root, &out);
	ut_status("a second wait_interrupt on the same holder", capos_terminal_session_wait_interrupt(rc, root, &out2),
		  -CAPOS_EBUSY);
	ut_status("CANCEL the pending wait", capos_cancel(rc, ud), 0);
	expect_wait("the cancelled wait", ud, &out, -CAPOS_ECANCELED, 0);
	ud = wait_async("a wait after the cancelled one", root, &out);
	nested = lend("the borrower lends on", tok);
	ut_status("reclaim while the lender waits", capos_terminal_session_reclaim(rc, root), 0);
	expect_wait("reclaim ends the reclaiming holder's wait", ud, &out, -CAPOS_ECANCELED, 0);
	ut_status("wait_interrupt by a revoked holder", capos_terminal_session_wait_interrupt(rc, tok, &out),
		  -CAPOS_EREVOKED);
	capos_release(rc, tok);
	capos_release(rc, nested);
}

/* A child holds the foreground and does not read; ^C reaches the shell-like lender. */
static void test_interrupt_busy_child(void)
{
	struct capos_terminal_session_wait_interrupt_out out = { 0 };
	uint32_t tok = lend("lend to a busy child", root);
	uint32_t caps[3] = { ut_cap("console"), tok, ut_cap("timer") }, proc = 0;
	int64_t code = 0;
	uint32_t reason = 99;
	int err = capos_spawn("utest-terminal", "console terminal timer thread=@thread", "busy", caps, 3, &proc, NULL);

	ut_status("spawn a busy child with the borrowed foreground", err, 0);
	capos_release(rc, tok);
	if (err)
		return;
	say(root, "busy> ");  /* the script types a line for nobody, then ^C */
	out.holders = 99;
	ut_status("wait_interrupt while the child is busy", capos_terminal_session_wait_interrupt(rc, root, &out), 0);
	ut_check(out.holders == 1, "^C while the child does not read completes the lender's wait",
		 "holders %u", out.holders);
	ut_status("kill the child", capos_process_handle_kill(rc, proc), 0);
	ut_status("wait for the killed child", capos_process_wait(proc, &code, &reason), 0);
	capos_release(rc, proc);
	ut_check(state_of(root) == CAPOS_TERMINAL_STATE_FOREGROUND, "the foreground comes back from the killed child",
		 "root %u", state_of(root));
	say(root, "after> ");
	expect_line("the type-ahead before ^C was dropped with it", root, 64, 0, "after", 0);
}

/* root lends tok lends nested; root and tok wait: the innermost waiter is told first. */
static void test_interrupt_nested(void)
{
	struct capos_terminal_session_wait_interrupt_out outer = { 0 }, inner = { 0 };
	uint32_t tok = lend("lend for nested waits", root), nested = lend("lend on", tok);
	uint64_t ud_outer = wait_async("the outer lender waits", root, &outer);
	uint64_t ud_inner = wait_async("the inner lender waits", tok, &inner);
	struct capos_terminal_session_read_line_in in = { .max = 64 };
	struct capos_terminal_session_read_line_out line;
	uint64_t ud_read = 0;

	say(root, "nested> ");
	expect_wait("^C goes to the innermost waiting lender", ud_inner, &inner, 0, 1);
	expect_still_waiting("the outer lender still waits", ud_outer);
	ut_status("the last borrower reads", capos_terminal_session_read_line_async(rc, nested, &in, &line, &ud_read), 0);
	say(root, "reading> ");
	{
		struct capos_completion c = { .status = 99 };

		ut_status("the borrower's read ends", capos_ring_wait(rc, ud_read, 10000 * UT_MS, &c), 0);
		ut_status("... cancelled by ^C as before", c.status, -CAPOS_ECANCELED);
	}
	expect_wait("... and the outer lender is told, with two holders below it", ud_outer, &outer, 0, 2);
	ud_outer = wait_async("the outer lender waits again", root, &outer);
	ud_inner = wait_async("the inner lender waits again", tok, &inner);
	ut_status("release the last borrower", capos_release(rc, nested), 0);
	expect_wait("its lender's wait ends when its borrower is gone", ud_inner, &inner, -CAPOS_ECANCELED, 0);
	expect_still_waiting("the outer lender, still lent, still waits", ud_outer);
	ut_status("the middle holder, the foreground again, may not wait",
		  capos_terminal_session_wait_interrupt(rc, tok, &inner), -CAPOS_EINVAL);
	ut_status("reclaim by the outer lender", capos_terminal_session_reclaim(rc, root), 0);
	expect_wait("reclaim ends the outer wait", ud_outer, &outer, -CAPOS_ECANCELED, 0);
	capos_release(rc, tok);
}

/* A child lends its borrowed terminal, waits and is killed while it waits. */
static void test_interrupt_waiter_killed(void)
{
	struct capos_terminal_session_wait_interrupt_out out = { 0 };
	uint32_t tok = lend("lend to a waiting child", root);
	uint32_t caps[2] = { ut_cap("console"), tok }, proc = 0;
	int64_t code = 0;
	uint32_t reason = 99;
	int err = capos_spawn("utest-terminal", "console terminal thread=@thread", "waiter", caps, 2, &proc, NULL);
	uint64_t ud;

	ut_status("spawn a child that lends and waits", err, 0);
	for (int i = 0; !err && i < 500 && state_of(tok) != CAPOS_TERMINAL_STATE_LENT; i++)
		capos_sleep_ns(10 * UT_MS);
	capos_sleep_ns(50 * UT_MS);  /* its wait_interrupt follows its lend */
	if (!err) {
		ut_status("kill the waiting child", capos_process_handle_kill(rc, proc), 0);
		ut_status("wait for it", capos_process_wait(proc, &code, &reason), 0);
		capos_release(rc, proc);
	}
	ut_check(state_of(tok) == CAPOS_TERMINAL_STATE_FOREGROUND,
		 "the child's borrower went with it", "tok %u", state_of(tok));
	{
		uint32_t again = lend("the holder lends again", tok);

		ud = wait_async("the holder the dead child waited on can wait again", tok, &out);
		ut_status("CANCEL it", capos_cancel(rc, ud), 0);
		expect_wait("the wait is cancelled", ud, &out, -CAPOS_ECANCELED, 0);
		capos_release(rc, again);
	}
	capos_release(rc, tok);
	ut_check(state_of(root) == CAPOS_TERMINAL_STATE_FOREGROUND, "the root holds the foreground again", "root %u",
		 state_of(root));
}

/* The libOS stdio child: fgets and printf over the terminal it is given as "stdio". */
static void test_stdio_child(void)
{
	uint32_t tok = lend("lend to the stdio child", root);
	uint32_t caps[2] = { ut_cap("console"), tok }, proc = 0;
	int64_t code = -1;
	uint32_t reason = 99;
	int err = capos_spawn("utest-stdio", "console stdio thread=@thread vm=@vm park=@park", "", caps, 2, &proc,
			      NULL);

	ut_status("spawn utest-stdio with the terminal as stdio", err, 0);
	capos_release(rc, tok);
	if (err)
		return;
	ut_status("wait for utest-stdio", capos_process_wait(proc, &code, &reason), 0);
	ut_check(code == 0, "utest-stdio passed its checks", "code %lld reason %u", (long long)code, reason);
	capos_release(rc, proc);
}

static int run_interrupt(void)
{
	root = ut_cap("terminal");
	test_interrupt_hostile();
	test_interrupt_busy_child();
	test_interrupt_nested();
	test_interrupt_waiter_killed();
	test_stdio_child();
	say(root, "done\n");
	ut_note("%d failures", ut_failures());
	return ut_failures();
}

/* Hold the borrowed foreground and never read, until killed. */
static __attribute__((noreturn)) int run_busy(void)
{
	for (;;)
		capos_sleep_ns(1000 * UT_MS);
}

/* Lend the borrowed terminal on and wait for ^C, until killed. */
static int run_waiter(void)
{
	struct capos_terminal_session_wait_interrupt_out out;
	uint32_t lent;

	if (capos_terminal_lend(ut_cap("terminal"), &lent))
		return 1;
	capos_terminal_session_wait_interrupt(rc, ut_cap("terminal"), &out);
	return 2;  /* never: no ^C is typed while it waits */
}

static int run_child(void)
{
	uint32_t cap = ut_cap("terminal");
	char line[CAPOS_TERMINAL_LINE_MAX + 1];
	uint32_t event = 0;
	int err = read_line(cap, 64, 0, line, &event);

	ut_check(!err && strcmp(line, "from child") == 0, "the child reads through its borrowed foreground",
		 "status %d, line '%s'", err, line);
	return ut_failures();
}

/* Booted with no COM2: the session exists, its UART does not. */
static int run_absent(void)
{
	struct capos_terminal_session_info_out info = { .present = 99 };
	struct capos_terminal_session_write_in in = { .data = "x" };
	struct capos_terminal_session_write_out out;
	char line[CAPOS_TERMINAL_LINE_MAX + 1];
	uint32_t event, tok;

	root = ut_cap("terminal");
	ut_status("info", capos_terminal_session_info(rc, root, &info), 0);
	ut_check(info.present == 0, "info says the session UART is missing", "present %u", info.present);
	ut_status("read_line without a session UART", read_line(root, 64, 0, line, &event), -CAPOS_ENOTSUP);
	ut_status("read_line max 0 is still a range error", read_line(root, 0, 0, line, &event), -CAPOS_ERANGE);
	ut_status("write without a session UART", capos_terminal_session_write(rc, root, &in, 1, &out),
		  -CAPOS_ENOTSUP);
	tok = lend("lend without a session UART", root);
	ut_status("reclaim without a session UART", capos_terminal_session_reclaim(rc, root), 0);
	capos_release(rc, tok);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		ut_init("utest-terminal child");
		return run_child();
	}
	if (argc > 1 && strcmp(argv[1], "busy") == 0)
		return run_busy();
	if (argc > 1 && strcmp(argv[1], "waiter") == 0)
		return run_waiter();
	ut_init("utest-terminal");
	if (argc > 1 && strcmp(argv[1], "absent") == 0)
		return run_absent();
	if (argc > 1 && strcmp(argv[1], "interrupt") == 0)
		return run_interrupt();
	ut_init("utest-terminal");
	root = ut_cap("terminal");
	test_hostile_arguments();
	test_info_and_write();
	test_one_read_at_a_time();
	ut_note("type now");
	test_editing_echo_and_bounds();
	test_lend_and_reclaim();
	test_release_returns_foreground();
	test_child_holds_foreground();
	test_crlf_and_eof();
	test_reclaim_ends_pending_read();
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
