/* The shell's history ring (apps/shell/history.c): numbering, wrap, !N. */
#include "check.h"
#include "history.h"

static struct shell_history h;
static char err[120];

static void numbering(void)
{
	shell_history_init(&h);
	CHECK_EQ(shell_history_first(&h), 1);
	CHECK(shell_history_get(&h, 1) == NULL);
	shell_history_add(&h, "help");
	shell_history_add(&h, "   ");
	shell_history_add(&h, "ps");
	CHECK_EQ(h.next, 3);
	CHECK_STR(shell_history_get(&h, 1), "help");
	CHECK_STR(shell_history_get(&h, 2), "ps");
	CHECK(shell_history_get(&h, 0) == NULL);
	CHECK(shell_history_get(&h, 3) == NULL);
}

static void wraps_after_32(void)
{
	char line[16];

	shell_history_init(&h);
	for (int i = 1; i <= 40; i++) {
		snprintf(line, sizeof line, "cmd %d", i);
		shell_history_add(&h, line);
	}
	CHECK_EQ(shell_history_first(&h), 9);
	CHECK(shell_history_get(&h, 8) == NULL);
	CHECK_STR(shell_history_get(&h, 9), "cmd 9");
	CHECK_STR(shell_history_get(&h, 40), "cmd 40");
	CHECK(shell_history_get(&h, 41) == NULL);
}

static void expand(void)
{
	const char *out;

	shell_history_init(&h);
	CHECK_EQ(shell_history_expand(&h, "!1", &out, err, sizeof err), -1);
	CHECK_STR(err, "!1: the history is empty");
	shell_history_add(&h, "whoami");
	shell_history_add(&h, "run echo-client echo=echo");
	CHECK_EQ(shell_history_expand(&h, "ps", &out, err, sizeof err), 0);
	CHECK_STR(out, "ps");
	CHECK_EQ(shell_history_expand(&h, " !2 ", &out, err, sizeof err), 1);
	CHECK_STR(out, "run echo-client echo=echo");
	CHECK_EQ(shell_history_expand(&h, "!3", &out, err, sizeof err), -1);
	CHECK_STR(err, "!3: no such command in history (it holds 1 to 2)");
	CHECK_EQ(shell_history_expand(&h, "!x", &out, err, sizeof err), -1);
	CHECK_STR(err, "!x: write !N to repeat command N of history");
	CHECK_EQ(shell_history_expand(&h, "!2 more", &out, err, sizeof err), -1);
	CHECK_EQ(shell_history_expand(&h, "!", &out, err, sizeof err), -1);
	CHECK_EQ(shell_history_expand(&h, "!99999999999", &out, err, sizeof err), -1);
}

int main(void)
{
	RUN(numbering);
	RUN(wraps_after_32);
	RUN(expand);
	return check_done();
}
