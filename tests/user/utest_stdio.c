/*
 * libOS stdio over a terminal (libos/README.md): started by utest-terminal
 * (argument "interrupt") with the borrowed TerminalSession as "stdio", so
 * stdin, stdout, stderr and capos_printf — this program's check lines too
 * — all go to the session UART, where tests/qemu/terminal/interrupt.script
 * answers the prompts: a line for fgets, a line in two reads, ^C (EINTR),
 * and ^D (end of file).  Exits with the number of failures.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <capos/rt.h>
#include "utest.h"

int main(int argc, char **argv)
{
	char line[128];
	char *got;

	(void)argc; (void)argv;
	ut_init("utest-stdio");
	printf("stdio: name? ");  /* no newline: fgets flushes it first */
	got = fgets(line, sizeof line, stdin);
	ut_check(got && strcmp(line, "world\n") == 0, "fgets reads the typed line with its newline",
		 "got '%s'", got ? line : "(null)");
	printf("stdio: hello, %s", got ? line : "?\n");
	fflush(stdout);
	fprintf(stderr, "stdio: to stderr\n");
	capos_printf("stdio: capos_printf %d\n", 42);

	printf("stdio: split? ");
	fflush(stdout);
	{
		char a[4] = { 0 }, b[16] = { 0 };
		ssize_t n1 = read(STDIN_FILENO, a, 3), n2 = read(STDIN_FILENO, b, sizeof b - 1);

		ut_check(n1 == 3 && n2 == 4 && strcmp(a, "abc") == 0 && strcmp(b, "def\n") == 0,
			 "a line is handed out over several reads", "%zd '%s' %zd '%s'", n1, a, n2, b);
	}

	printf("stdio: interrupt? ");
	errno = 0;
	got = fgets(line, sizeof line, stdin);
	ut_check(!got && ferror(stdin) && errno == EINTR, "^C fails the read with EINTR", "got %s errno %d",
		 got ? "a line" : "NULL", errno);
	clearerr(stdin);

	printf("stdio: eof? ");
	got = fgets(line, sizeof line, stdin);
	ut_check(!got && feof(stdin), "^D is end of file", "got %s eof %d", got ? "a line" : "NULL", feof(stdin));
	ut_check(write(STDIN_FILENO, "x", 1) == -1 && errno == EBADF, "stdin is not for writing", "errno %d", errno);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
