/*
 * Host tests for apps/terminal/chain.c: the holder chain, reads, ^C waits
 * and type-ahead, with a fake world that records what goes to the UART,
 * which calls are answered with what, and which holders are cut.
 */
#include <string.h>
#include <capos/error.h>
#include <capos/terminal.h>
#include "check.h"
#include "chain.h"

#define ANSWERS_MAX 32

struct answer {
	uint64_t token;
	int32_t status;
	uint32_t len;
	uint8_t reply[260];
};

static struct world {
	char out[8192];
	uint32_t out_len;
	struct answer answers[ANSWERS_MAX];
	uint32_t answer_count;
	uint64_t abandoned[8];   /* tokens whose callers went away */
	uint32_t abandoned_count;
	bool cut[TERM_HOLDERS];
} w;

static struct term t;

static void fake_output(void *ctx, const char *s, uint32_t len)
{
	(void)ctx;
	memcpy(w.out + w.out_len, s, len);
	w.out_len += len;
	w.out[w.out_len] = '\0';
}

static void fake_answer(void *ctx, uint64_t token, int32_t status, const void *reply, uint32_t len)
{
	struct answer *a = &w.answers[w.answer_count++ % ANSWERS_MAX];

	(void)ctx;
	a->token = token;
	a->status = status;
	a->len = len;
	memcpy(a->reply, reply ? reply : "", len);
}

static int fake_caller_waits(void *ctx, uint64_t token)
{
	(void)ctx;
	for (uint32_t i = 0; i < w.abandoned_count; i++)
		if (w.abandoned[i] == token)
			return 0;
	return 1;
}

static void fake_cut(void *ctx, int h)
{
	(void)ctx;
	w.cut[h] = true;
}

static const struct term_env env = { NULL, fake_output, fake_answer, fake_caller_waits, fake_cut };

static void fresh(bool present)
{
	memset(&w, 0, sizeof w);
	term_init(&t, &env, present);
}

static void type(const char *s)
{
	term_input(&t, (const uint8_t *)s, (uint32_t)strlen(s));
}

static const struct answer *last_answer(void)
{
	return w.answer_count ? &w.answers[(w.answer_count - 1) % ANSWERS_MAX] : NULL;
}

/* The last answer was token's line: status 0, EVENT_LINE, the text. */
static int answered_line(uint64_t token, const char *text)
{
	const struct answer *a = last_answer();
	uint32_t n = (uint32_t)strlen(text);
	uint32_t event;

	if (!a || a->token != token || a->status != 0 || a->len != 4 + n)
		return 0;
	memcpy(&event, a->reply, 4);
	return event == CAPOS_TERMINAL_EVENT_LINE && memcmp(a->reply + 4, text, n) == 0;
}

static int answered_status(uint64_t token, int32_t status)
{
	const struct answer *a = last_answer();

	return a && a->token == token && a->status == status && a->len == 0;
}

static void test_read_checks_in_order(void)
{
	fresh(true);
	CHECK_EQ(term_read_line(&t, 0, 1, 10, 0x2, 300), -CAPOS_EINVAL);
	CHECK_EQ(term_read_line(&t, 0, 1, 0, 0, 300), -CAPOS_ERANGE);
	CHECK_EQ(term_read_line(&t, 0, 1, 257, 0, 300), -CAPOS_ERANGE);
	CHECK_EQ(term_read_line(&t, 0, 1, 10, 0, 13), -CAPOS_ERANGE);   /* 4 + 10 > 13 */
	CHECK_EQ(term_read_line(&t, 0, 1, 10, 0, 14), 0);
	CHECK_EQ(term_read_line(&t, 0, 2, 10, 0, 14), -CAPOS_EBUSY);    /* one reader at a time */
	CHECK_EQ(w.answer_count, 0);
	fresh(false);
	CHECK_EQ(term_read_line(&t, 0, 1, 10, 0, 14), -CAPOS_ENOTSUP);
	CHECK_EQ(term_write(&t, 0, "x", 1), -CAPOS_ENOTSUP);
	CHECK_EQ(term_set_echo(&t, 0, CAPOS_TERMINAL_ECHO_HIDDEN), 0);
	CHECK_EQ(term_set_echo(&t, 0, 7), -CAPOS_EINVAL);
}

static void test_line_echo_and_crlf(void)
{
	fresh(true);
	CHECK_EQ(term_write(&t, 0, "a\nb\n", 4), 0);
	CHECK_STR(w.out, "a\r\nb\r\n");
	w.out_len = 0;
	CHECK_EQ(term_read_line(&t, 0, 5, 5, 0, 300), 0);
	type("helo\x7flo!\r");
	CHECK(answered_line(5, "hello"));
	CHECK_STR(w.out, "helo\b \blo\a\r\n");   /* the bound: a bell for the 6th byte */
}

static void test_hidden_and_typeahead(void)
{
	fresh(true);
	type("secret\rnext\r");                       /* nobody reads: it waits in the ring */
	CHECK_EQ(w.out_len, 0);
	CHECK_EQ(term_read_line(&t, 0, 7, 64, CAPOS_TERMINAL_READ_HIDDEN, 300), 0);
	CHECK(answered_line(7, "secret"));            /* completed at once from type-ahead */
	CHECK_STR(w.out, "\r\n");                     /* nothing but the end of the line */
	CHECK_EQ(term_read_line(&t, 0, 8, 64, 0, 300), 0);
	CHECK(answered_line(8, "next"));
	CHECK_STR(w.out, "\r\nnext\r\n");
	CHECK_EQ(term_set_echo(&t, 0, CAPOS_TERMINAL_ECHO_HIDDEN), 0);
	CHECK_EQ(term_read_line(&t, 0, 9, 64, 0, 300), 0);
	type("pw\r");
	CHECK(answered_line(9, "pw"));
	CHECK(strstr(w.out, "pw") == NULL);
}

static void test_ctrl_c_and_eof(void)
{
	fresh(true);
	CHECK_EQ(term_read_line(&t, 0, 3, 64, 0, 300), 0);
	type("abc\x03");
	CHECK(answered_status(3, -CAPOS_ECANCELED));
	CHECK(strstr(w.out, "abc^C\r\n") != NULL);
	CHECK_EQ(term_read_line(&t, 0, 4, 64, 0, 300), 0);
	type("\x04");
	CHECK_EQ(last_answer()->status, 0);
	CHECK_EQ(last_answer()->len, 4);
	CHECK_EQ(*(const uint32_t *)last_answer()->reply, CAPOS_TERMINAL_EVENT_EOF);
}

static void test_lend_reclaim_release(void)
{
	struct term_info info;

	fresh(true);
	CHECK_EQ(term_lend_check(&t, 0), 0);
	term_lend_commit(&t, 0, 1);
	CHECK_EQ(term_read_line(&t, 0, 10, 64, 0, 300), -CAPOS_EBUSY);   /* a lender may not read */
	CHECK_EQ(term_set_echo(&t, 0, CAPOS_TERMINAL_ECHO_HIDDEN), -CAPOS_EBUSY);
	CHECK_EQ(term_info(&t, 0, &info), 0);
	CHECK_EQ(info.state, CAPOS_TERMINAL_STATE_LENT);
	CHECK_EQ(term_write(&t, 0, "w", 1), 0);                          /* but may write */
	CHECK_EQ(term_lend_check(&t, 1), 0);
	term_lend_commit(&t, 1, 2);
	CHECK_EQ(term_read_line(&t, 2, 11, 64, 0, 300), 0);
	CHECK_EQ(term_wait_interrupt(&t, 1, 12, 4), 0);
	CHECK_EQ(term_reclaim(&t, 0), 0);                                 /* cuts 1 and 2 */
	CHECK(w.cut[1] && w.cut[2] && !w.cut[0]);
	CHECK_EQ(w.answer_count, 2);
	CHECK(w.answers[0].token == 12 && w.answers[0].status == -CAPOS_EREVOKED);   /* 1's wait */
	CHECK(w.answers[1].token == 11 && w.answers[1].status == -CAPOS_EREVOKED);   /* 2's read */
	CHECK_EQ(term_reclaim(&t, 0), -CAPOS_ENOENT);
	CHECK_EQ(term_read_line(&t, 1, 13, 64, 0, 300), -CAPOS_EREVOKED);
	CHECK_EQ(term_info(&t, 1, &info), 0);
	CHECK_EQ(info.state, CAPOS_TERMINAL_STATE_REVOKED);

	/* Release: the borrower's last handle goes, the lender's wait ends with -CAPOS_ECANCELED. */
	memset(w.cut, 0, sizeof w.cut);
	CHECK_EQ(term_lend_check(&t, 0), 0);
	term_lend_commit(&t, 0, 3);
	CHECK_EQ(term_wait_interrupt(&t, 0, 14, 4), 0);
	term_released(&t, 3);
	CHECK(w.cut[3]);
	CHECK(answered_status(14, -CAPOS_ECANCELED));
	CHECK_EQ(term_read_line(&t, 0, 15, 64, 0, 300), 0);              /* the root reads again */
	term_released(&t, 0);                                            /* never for the root */
	CHECK_EQ(term_info(&t, 0, &info), 0);
	CHECK_EQ(info.reading, 1);
}

static void test_lend_depth_and_busy(void)
{
	fresh(true);
	CHECK_EQ(term_read_line(&t, 0, 1, 64, 0, 300), 0);
	CHECK_EQ(term_lend_check(&t, 0), -CAPOS_EBUSY);                 /* its own read pends */
	w.abandoned[w.abandoned_count++] = 1;                            /* ... until cancelled */
	CHECK_EQ(term_lend_check(&t, 0), 0);
	CHECK(answered_status(1, -CAPOS_ECANCELED));
	for (int h = 0; h < (int)TERM_DEPTH_MAX; h++) {
		CHECK_EQ(term_lend_check(&t, h), 0);
		term_lend_commit(&t, h, h + 1);
	}
	CHECK_EQ(term_lend_check(&t, (int)TERM_DEPTH_MAX), -CAPOS_ERANGE);
	CHECK_EQ(term_lend_check(&t, 3), -CAPOS_EBUSY);                  /* a lender lends nothing */
}

static void test_interrupt_waits(void)
{
	const struct answer *a;

	fresh(true);
	CHECK_EQ(term_wait_interrupt(&t, 0, 1, 4), -CAPOS_EINVAL);        /* not lent */
	term_lend_commit(&t, 0, 1);
	CHECK_EQ(term_wait_interrupt(&t, 0, 2, 3), -CAPOS_ERANGE);
	CHECK_EQ(term_wait_interrupt(&t, 0, 2, 4), 0);
	CHECK_EQ(term_wait_interrupt(&t, 0, 3, 4), -CAPOS_EBUSY);
	type("for nobody\x03kept\r");                                     /* nobody reads */
	a = last_answer();
	CHECK(a && a->token == 2 && a->status == 0 && *(const uint32_t *)a->reply == 1);
	CHECK_STR(w.out, "^C\r\n");
	CHECK_EQ(term_read_line(&t, 1, 4, 64, 0, 300), 0);                /* the type-ahead after ^C stays */
	CHECK(answered_line(4, "kept"));

	/* Nested: the innermost waiter is told, with its holder count. */
	term_lend_commit(&t, 1, 2);
	CHECK_EQ(term_wait_interrupt(&t, 0, 5, 4), 0);
	CHECK_EQ(term_wait_interrupt(&t, 1, 6, 4), 0);
	CHECK_EQ(term_read_line(&t, 2, 7, 64, 0, 300), 0);
	type("x\x03");
	CHECK_EQ(w.answers[(w.answer_count - 2) % ANSWERS_MAX].status, -CAPOS_ECANCELED);  /* the read */
	a = last_answer();
	CHECK(a->token == 6 && a->status == 0 && *(const uint32_t *)a->reply == 1);
	type("\x03");
	a = last_answer();
	CHECK(a->token == 5 && a->status == 0 && *(const uint32_t *)a->reply == 2);

	/* An abandoned wait is skipped and may be made again. */
	CHECK_EQ(term_wait_interrupt(&t, 1, 8, 4), 0);
	w.abandoned[w.abandoned_count++] = 8;
	CHECK_EQ(term_wait_interrupt(&t, 1, 9, 4), 0);
	CHECK(answered_status(8, -CAPOS_ECANCELED));
}

static void test_abandoned_read_leaves_typeahead(void)
{
	fresh(true);
	CHECK_EQ(term_read_line(&t, 0, 1, 64, 0, 300), 0);
	w.abandoned[w.abandoned_count++] = 1;
	type("later\r");
	CHECK(answered_status(1, -CAPOS_ECANCELED));
	CHECK_EQ(w.out_len, 0);                         /* nothing echoed for a reader that left */
	CHECK_EQ(term_read_line(&t, 0, 2, 64, 0, 300), 0);
	CHECK(answered_line(2, "later"));
}

static void test_ring_overflow_counted(void)
{
	static uint8_t lots[TERM_RX_RING + 10];
	struct term_info info;

	fresh(true);
	memset(lots, 'a', sizeof lots);
	term_input(&t, lots, sizeof lots);
	term_info(&t, 0, &info);
	CHECK_EQ(info.rx_dropped, 10);
	CHECK_EQ(info.present, 1);
}

int main(void)
{
	RUN(test_read_checks_in_order);
	RUN(test_line_echo_and_crlf);
	RUN(test_hidden_and_typeahead);
	RUN(test_ctrl_c_and_eof);
	RUN(test_lend_reclaim_release);
	RUN(test_lend_depth_and_busy);
	RUN(test_interrupt_waits);
	RUN(test_abandoned_read_leaves_typeahead);
	RUN(test_ring_overflow_counted);
	return check_done();
}
