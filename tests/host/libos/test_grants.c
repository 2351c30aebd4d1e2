/*
 * Host tests of the loader's grant language (libos/rt/grants.c): plain
 * names take the passed capabilities in order, binds take none, and the
 * word @session is gone with the kernel's sessions; every refusal
 * ProcessSpawner.spawn made when the kernel parsed the list has the same
 * code here.
 */
#include <capos/error.h>
#include "check.h"
#include "rt/grants.h"

static struct grant_plan plan;

static void test_plain_and_bound(void)
{
	CHECK_EQ(grants_parse("console thread=@thread  vm=@vm timer", 2, &plan), 0);
	CHECK_EQ(plan.count, 4);
	CHECK_STR(plan.g[0].name, "console");
	CHECK_EQ(plan.g[0].bind, 0);
	CHECK_EQ(plan.g[0].xfer, 0);
	CHECK_STR(plan.g[1].name, "thread");
	CHECK_EQ(plan.g[1].bind, CAPOS_BIND_THREAD);
	CHECK_EQ(plan.g[2].bind, CAPOS_BIND_VM);
	CHECK_STR(plan.g[3].name, "timer");
	CHECK_EQ(plan.g[3].xfer, 1);
	CHECK_EQ(grants_parse("t=@threads p=@park me=@self", 0, &plan), 0);
	CHECK_EQ(plan.g[0].bind, CAPOS_BIND_THREADS);
	CHECK_EQ(plan.g[1].bind, CAPOS_BIND_PARK);
	CHECK_EQ(plan.g[2].bind, CAPOS_BIND_SELF);
}

static void test_empty(void)
{
	CHECK_EQ(grants_parse("", 0, &plan), 0);
	CHECK_EQ(plan.count, 0);
	CHECK_EQ(grants_parse(NULL, 0, &plan), 0);
	CHECK_EQ(grants_parse("   ", 0, &plan), 0);
	CHECK_EQ(grants_parse("", 1, &plan), -CAPOS_EINVAL);
}

/* The kernel keeps no sessions: @session is no word any more, only a malformed name. */
static void test_no_session_word(void)
{
	CHECK_EQ(grants_parse("a @session b", 3, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("a @session b", 2, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("@session", 1, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("@session", 0, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("a b", 2, &plan), 0);
	CHECK_EQ(plan.g[0].xfer, 0);
	CHECK_EQ(plan.g[1].xfer, 1);
}

static void test_malformed(void)
{
	CHECK_EQ(grants_parse("Console", 1, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("a=vm", 1, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("a=@", 0, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("a=@vmx", 0, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("a=@vm=", 0, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("a=@VM", 0, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("=@vm", 0, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("a!b", 1, &plan), -CAPOS_EINVAL);
	/* 24 name characters: longer than CAPOS_CAP_NAME_MAX allows */
	CHECK_EQ(grants_parse("abcdefghijklmnopqrstuvwx", 1, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("abcdefghijklmnopqrstuvw", 1, &plan), 0);
}

static void test_refusals(void)
{
	char text[GRANTS_TEXT_MAX + 8];
	size_t n = 0;

	CHECK_EQ(grants_parse("a b a", 3, &plan), -CAPOS_EEXIST);
	CHECK_EQ(grants_parse("vm=@vm vm", 1, &plan), -CAPOS_EEXIST);
	CHECK_EQ(grants_parse("ab a", 2, &plan), 0);            /* a prefix is another name */
	CHECK_EQ(grants_parse("a b", 1, &plan), -CAPOS_EINVAL);
	CHECK_EQ(grants_parse("a b", 3, &plan), -CAPOS_EINVAL);
	for (int i = 0; i <= GRANTS_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "n%d=@vm ", i);
	CHECK_EQ(grants_parse(text, 0, &plan), -CAPOS_ERANGE);  /* 33 names */
	memset(text, 'a', GRANTS_TEXT_MAX);
	for (int i = 10; i < GRANTS_TEXT_MAX; i += 11)
		text[i] = ' ';
	text[GRANTS_TEXT_MAX] = '\0';
	CHECK_EQ(grants_parse(text, 23, &plan), -CAPOS_ERANGE);  /* 256 bytes of text */
}

int main(void)
{
	RUN(test_plain_and_bound);
	RUN(test_empty);
	RUN(test_no_session_word);
	RUN(test_malformed);
	RUN(test_refusals);
	return check_done();
}
