/* `run`'s words (apps/shell/runspec.c): program, arguments, grants, every refusal. */
#include "check.h"
#include "runspec.h"

static struct shell_words w;
static struct shell_run r;
static char err[200];

static int parse(const char *line)
{
	const char *e;

	err[0] = '\0';
	if (shell_split(line, &w, &e))
		return -2;
	return shell_parse_run(&w, 1, &r, err, sizeof err);
}

static void program_args_grants(void)
{
	char grants[SHELL_RUN_TEXT_MAX], args[SHELL_RUN_TEXT_MAX];

	CHECK_EQ(parse("run echo-client 3 echo=echo x log=audit"), 0);
	CHECK_STR(r.binary, "echo-client");
	CHECK_EQ(r.argc, 2);
	CHECK_STR(r.argv[0], "3");
	CHECK_STR(r.argv[1], "x");
	CHECK_EQ(r.grant_count, 2);
	CHECK_STR(r.grants[0].name, "echo");
	CHECK_STR(r.grants[0].cap, "echo");
	CHECK_STR(r.grants[1].name, "log");
	CHECK_STR(r.grants[1].cap, "audit");
	CHECK_EQ(shell_run_text(&r, grants, args, err, sizeof err), 0);
	CHECK_STR(grants, "vm=@vm thread=@thread threads=@threads park=@park stdio echo log");
	CHECK_STR(args, "3 x");
}

static void quoted_equals_is_an_argument(void)
{
	char grants[SHELL_RUN_TEXT_MAX], args[SHELL_RUN_TEXT_MAX];

	CHECK_EQ(parse("run probe 'exit=3' sleep\\=5"), 0);
	CHECK_EQ(r.argc, 2);
	CHECK_EQ(r.grant_count, 0);
	CHECK_EQ(shell_run_text(&r, grants, args, err, sizeof err), 0);
	CHECK_STR(grants, SHELL_RUN_OWN_GRANTS);
	CHECK_STR(args, "exit=3 sleep=5");
}

static void refusals(void)
{
	CHECK_EQ(parse("run"), -1);
	CHECK_STR(err, "run: which program? (run BINARY [ARGS...] [NAME=CAP ...])");
	CHECK_EQ(parse("run Echo"), -1);
	CHECK_STR(err, "run: 'Echo' is not a program name");
	CHECK_EQ(parse("run p =echo"), -1);
	CHECK(strstr(err, "run: '=echo' is not a grant: write NAME=CAP") == err);
	CHECK_EQ(parse("run p echo="), -1);
	CHECK(strstr(err, "run: 'echo=' is not a grant") == err);
	CHECK_EQ(parse("run p a=b=c"), -1);
	CHECK(strstr(err, "run: 'a=b=c' is not a grant") == err);
	CHECK_EQ(parse("run p Echo=echo"), -1);
	CHECK(strstr(err, "run: 'Echo=echo' is not a grant") == err);
	CHECK_EQ(parse("run p abcdefghijklmnopqrstuvwx=echo"), -1);   /* 24 characters: one too many */
	CHECK_EQ(parse("run p abcdefghijklmnopqrstuvw=echo"), 0);
	CHECK_EQ(parse("run p x=@vm"), -1);
	CHECK(strstr(err, "run: 'x=@vm': every program gets its own") == err);
	CHECK_EQ(parse("run p stdio=echo"), -1);
	CHECK_STR(err, "run: 'stdio=echo': the shell gives every program its own 'stdio'; choose another name");
	CHECK_EQ(parse("run p vm=echo"), -1);
	CHECK_EQ(parse("run p e=echo e=audit"), -1);
	CHECK_STR(err, "run: 'e' is granted twice");
	CHECK_EQ(parse("run p e=echo f=echo"), -1);
	CHECK_STR(err, "run: capability 'echo' is granted twice (a program gets each capability once)");
	CHECK_EQ(parse("run p 'a b'"), -1);
	CHECK_STR(err, "run: argument 'a b' holds a space, but programs split their arguments at spaces");
	CHECK_EQ(parse("run p ''"), -1);
	CHECK(strstr(err, "run: an empty argument") == err);
}

static void grant_limit(void)
{
	char line[400] = "run p";

	for (uint32_t i = 0; i < SHELL_RUN_GRANTS_MAX; i++)
		snprintf(line + strlen(line), sizeof line - strlen(line), " g%u=c%u", i, i);
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(r.grant_count, SHELL_RUN_GRANTS_MAX);
	strcat(line, " last=other");
	CHECK_EQ(parse(line), -1);
	CHECK(strstr(err, "run: at most ") == err);
}

static void text_limits(void)
{
	char line[300] = "run p", grants[SHELL_RUN_TEXT_MAX], args[SHELL_RUN_TEXT_MAX];
	static const char arg[] = "abcdefghi";

	/* 12 names of 15 characters: 55 + 12 * 16 = 247 bytes of grant list fit; 13: 263 do not */
	for (int i = 0; i < 13; i++)
		snprintf(line + strlen(line), sizeof line - strlen(line), " name-%010d=%c", i, 'a' + i);
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(shell_run_text(&r, grants, args, err, sizeof err), -1);
	CHECK_STR(err, "run: the grant names are too long together");
	line[strlen(line) - 18] = '\0';
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(shell_run_text(&r, grants, args, err, sizeof err), 0);
	CHECK_EQ(strlen(grants), 247);
	/* A command line cannot hold more argument text than fits: build one by hand. */
	memset(&r, 0, sizeof r);
	r.binary = "p";
	for (r.argc = 0; r.argc < 26; r.argc++)
		r.argv[r.argc] = arg;   /* 26 * 10 - 1 = 259 bytes */
	CHECK_EQ(shell_run_text(&r, grants, args, err, sizeof err), -1);
	CHECK_STR(err, "run: the arguments are too long together (at most 255 bytes)");
	r.argc = 25;                  /* 249 bytes */
	CHECK_EQ(shell_run_text(&r, grants, args, err, sizeof err), 0);
	CHECK_EQ(strlen(args), 249);
}

static void exit_text(void)
{
	char buf[80];

	shell_exit_text(0, CAPOS_EXIT_NORMAL, buf, sizeof buf);
	CHECK_STR(buf, "exit 0");
	shell_exit_text(-3, CAPOS_EXIT_NORMAL, buf, sizeof buf);
	CHECK_STR(buf, "exit -3");
	shell_exit_text(-1, CAPOS_EXIT_KILLED, buf, sizeof buf);
	CHECK_STR(buf, "killed");
	shell_exit_text(-14, CAPOS_EXIT_FAULT, buf, sizeof buf);
	CHECK_STR(buf, "fault: page fault (#PF, vector 14)");
	shell_exit_text(-6, CAPOS_EXIT_FAULT, buf, sizeof buf);
	CHECK_STR(buf, "fault: invalid opcode (#UD, vector 6)");
	shell_exit_text(-9, CAPOS_EXIT_FAULT, buf, sizeof buf);
	CHECK_STR(buf, "fault: code -9");
	shell_exit_text(5, 7, buf, sizeof buf);
	CHECK_STR(buf, "ended: reason 7, code 5");
}

int main(void)
{
	RUN(program_args_grants);
	RUN(quoted_equals_is_an_argument);
	RUN(refusals);
	RUN(grant_limit);
	RUN(text_limits);
	RUN(exit_text);
	return check_done();
}
