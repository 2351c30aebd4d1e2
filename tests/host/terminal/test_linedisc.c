/* Host tests for apps/terminal/linedisc.c: editing keys, echo in both modes, bounds, escape sequences. */
#include <string.h>
#include "check.h"
#include "linedisc.h"

static struct linedisc ld;
static char echo_all[4096];
static uint32_t echo_total;
static enum linedisc_event last;

/* Feed a string; collect every echo; return how many LINE events came. */
static int feed(const char *s)
{
	char echo[LINEDISC_ECHO_MAX];
	int lines = 0;

	echo_total = 0;
	for (; *s; s++) {
		uint32_t n;

		last = linedisc_input(&ld, (uint8_t)*s, echo, &n);
		memcpy(echo_all + echo_total, echo, n);
		echo_total += n;
		lines += last == LINEDISC_LINE;
	}
	echo_all[echo_total] = '\0';
	return lines;
}

static int line_is(const char *want)
{
	return ld.len == strlen(want) && memcmp(ld.buf, want, ld.len) == 0;
}

static void test_plain_line_and_echo(void)
{
	linedisc_init(&ld, 64);
	CHECK_EQ(feed("ls -l\r"), 1);
	CHECK_EQ(last, LINEDISC_LINE);
	CHECK(line_is("ls -l"));
	CHECK_STR(echo_all, "ls -l\r\n");
	CHECK_EQ(feed("\npwd\n"), 1);   /* the LF of CR LF is not a second, empty line */
	CHECK(line_is("pwd"));
}

static void test_backspace_and_kill(void)
{
	linedisc_init(&ld, 64);
	feed("cax\x7ft");
	CHECK(line_is("cat"));
	CHECK_STR(echo_all, "cax\b \bt");
	feed("\x15");                    /* ^U */
	CHECK_EQ(ld.len, 0);
	CHECK_STR(echo_all, "\b \b\b \b\b \b");
	feed("\x08\x08");                /* ^H on an empty line: nothing to erase, no echo */
	CHECK_STR(echo_all, "");
	CHECK_EQ(feed("ok\n"), 1);
	CHECK(line_is("ok"));
}

static void test_hidden_echo(void)
{
	linedisc_init(&ld, 64);
	linedisc_set_hidden(&ld, true);
	CHECK_EQ(feed("s3cret\x7f!\r"), 1);
	CHECK(line_is("s3cre!"));
	CHECK_STR(echo_all, "\r\n");     /* never a character of it */
}

static void test_cancel_and_eof(void)
{
	linedisc_init(&ld, 64);
	feed("rm x\x03");
	CHECK_EQ(last, LINEDISC_CANCEL);
	CHECK_EQ(ld.len, 0);
	CHECK_STR(echo_all, "rm x^C\r\n");
	feed("\x04");
	CHECK_EQ(last, LINEDISC_EOF);
	feed("a\x04");                   /* ^D with text: a bell, the line goes on */
	CHECK_EQ(last, LINEDISC_NONE);
	CHECK_STR(echo_all, "a\a");
}

static void test_bound_and_bells(void)
{
	linedisc_init(&ld, 4);
	feed("abcdef");
	CHECK(line_is("abcd"));
	CHECK_STR(echo_all, "abcd\a\a");
	feed("\x01\xc3");                /* a control byte, a non-ASCII byte: bells */
	CHECK_STR(echo_all, "\a\a");
	linedisc_init(&ld, 0);           /* clamped to 1 */
	CHECK_EQ(ld.max, 1);
	linedisc_init(&ld, 100000);
	CHECK_EQ(ld.max, LINEDISC_MAX);
	feed("abc");
	linedisc_set_max(&ld, 2);
	CHECK(line_is("ab"));
}

static void test_escape_sequences_swallowed(void)
{
	linedisc_init(&ld, 64);
	CHECK_EQ(feed("a\x1b[Ab\x1b[1;5Dc\r"), 1);  /* arrow keys, with parameters */
	CHECK(line_is("abc"));
	CHECK_STR(echo_all, "abc\r\n");
}

static void test_kill_of_full_line_fits_echo(void)
{
	char echo[LINEDISC_ECHO_MAX];
	uint32_t n;

	linedisc_init(&ld, LINEDISC_MAX);
	for (uint32_t i = 0; i < LINEDISC_MAX; i++)
		linedisc_input(&ld, 'x', echo, &n);
	CHECK_EQ(linedisc_input(&ld, 0x15, echo, &n), LINEDISC_NONE);
	CHECK_EQ(n, 3 * LINEDISC_MAX);
	CHECK_EQ(ld.len, 0);
}

static void test_discard_keeps_cr_lf(void)
{
	linedisc_init(&ld, 64);
	CHECK_EQ(feed("one\r"), 1);
	linedisc_discard(&ld);            /* the LF of that CR still arrives after */
	CHECK_EQ(feed("\npart"), 0);
	CHECK(line_is("part"));
	linedisc_discard(&ld);
	CHECK_EQ(ld.len, 0);
	CHECK_STR(echo_all, "part");      /* discarding shows nothing */
	CHECK_EQ(feed("two\r"), 1);
	CHECK(line_is("two"));
}

int main(void)
{
	RUN(test_plain_line_and_echo);
	RUN(test_backspace_and_kill);
	RUN(test_hidden_echo);
	RUN(test_cancel_and_eof);
	RUN(test_bound_and_bells);
	RUN(test_escape_sequences_swallowed);
	RUN(test_kill_of_full_line_fits_echo);
	RUN(test_discard_keeps_cr_lf);
	return check_done();
}
