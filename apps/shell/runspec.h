/*
 * What `run BINARY [ARGS...] [NAME=CAP ...]` asks for (pure: also built on
 * the host, tests/host/shell).  shell_parse_run checks the words and
 * shell_run_text builds the loader's grant list and argument
 * string; shell_exit_text says how a program ended.
 *
 * Words: the first is the program; an unquoted word holding '=' grants the
 * shell's capability CAP to the child under NAME; every other word is an
 * argument.  The child always gets its own vm, thread, threads and park
 * (grant words NAME=@KIND) and the terminal as "stdio", so those names
 * cannot be granted; the terminal takes one transfer descriptor, which
 * leaves SHELL_RUN_GRANTS_MAX for CAPs.
 */
#ifndef SHELL_RUNSPEC_H
#define SHELL_RUNSPEC_H

#include <stddef.h>
#include <stdint.h>
#include <capos/process.h>
#include <capos/ring.h>
#include "words.h"

#define SHELL_RUN_GRANTS_MAX (CAPOS_XFER_MAX - 1u)
#define SHELL_RUN_BINARY_MAX 40u       /* a program name, NUL included (CAPOS_PROC_NAME_MAX) */
#define SHELL_RUN_TEXT_MAX 256u        /* its grant_names and args fields, NUL included */

/* The grant words every child gets, before "stdio" and the NAMEs. */
#define SHELL_RUN_OWN_GRANTS "vm=@vm thread=@thread threads=@threads park=@park stdio"

struct shell_grant {
	const char *name;   /* the child's name */
	const char *cap;    /* the shell's name */
};

struct shell_run {
	const char *binary;
	uint32_t argc;
	const char *argv[SHELL_WORDS_MAX];
	uint32_t grant_count;
	struct shell_grant grants[SHELL_RUN_GRANTS_MAX];
	char split[SHELL_LINE_MAX + SHELL_WORDS_MAX];   /* the grant words cut at '=' */
};

/*
 * Parse words[first..] (the program and what follows) into r.  0, or -1
 * with a sentence in err (err_size bytes), which starts with "run: ".
 * Whether the CAPs exist is the caller's business.
 */
int shell_parse_run(const struct shell_words *w, uint32_t first, struct shell_run *r, char *err,
		    size_t err_size);

/*
 * The spawn call's grant list (SHELL_RUN_OWN_GRANTS then each NAME) and
 * argument string (the arguments joined by spaces).  0, or -1 with a
 * sentence in err when either does not fit SHELL_RUN_TEXT_MAX.
 */
int shell_run_text(const struct shell_run *r, char grants[SHELL_RUN_TEXT_MAX], char args[SHELL_RUN_TEXT_MAX],
		   char *err, size_t err_size);

/*
 * How a program ended, for "[...]": "exit N", "killed", "fault: page fault
 * (#PF, vector 14)" — reason is ProcessHandle.wait's (CAPOS_EXIT_*), code
 * its exit_code (a fault's is minus the vector).
 */
void shell_exit_text(int64_t code, uint32_t reason, char *buf, size_t size);

#endif
