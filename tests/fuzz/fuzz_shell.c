/*
 * libFuzzer target for the shell's command line (apps/shell/words.c) and
 * `run`'s words (apps/shell/runspec.c).  The input is cut into lines at
 * newlines and NULs; each line is split into words and, as `run` would
 * (or as if it followed `run`, when it does not start with it), turned
 * into a spawn call's grant list and arguments.
 *
 * Split words: at most SHELL_WORDS_MAX, each NUL-terminated inside the
 * caller's buffer, in order without overlap, no longer than the line in
 * all; an unquoted word is not empty and holds no space; a line without
 * quotes or backslashes splits exactly at its spaces and tabs.  A refusal
 * says why, and a line longer than SHELL_LINE_MAX is always refused.
 *
 * A parsed run: the words are the program, arguments and grants, nothing
 * lost; the program and every grant's two names are of the kernel's
 * alphabet and length, no grant takes a name the shell gives itself or
 * an @KIND, no name or capability is granted twice, no argument is empty
 * or holds a space; the texts built from it fit and say the same.  Every
 * refusal is a "run: " sentence.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runspec.h"
#include "words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ERR_SIZE 200   /* cmd_run's buffer */
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_-."

static const char *const own_names[] = { "vm", "thread", "threads", "park", "stdio" };

static int name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n < max && strspn(s, NAME_CHARS) == n;
}

/* Without quotes and backslashes, the words are the runs of other characters. */
static void check_plain(const char *line, const struct shell_words *w)
{
	char copy[SHELL_LINE_MAX + 1];
	uint32_t n = 0;

	if (strpbrk(line, "'\"\\"))
		return;
	strcpy(copy, line);
	for (char *t = strtok(copy, " \t"); t; t = strtok(NULL, " \t"), n++)
		if (n >= w->count || strcmp(t, w->word[n]) || w->quoted[n])
			abort();
	if (n != w->count)
		abort();
}

static void check_words(const char *line, const struct shell_words *w)
{
	const char *end = w->text + sizeof w->text, *next = w->text;
	size_t chars = 0;

	if (w->count > SHELL_WORDS_MAX)
		abort();
	for (uint32_t i = 0; i < w->count; i++) {
		const char *s = w->word[i];
		const char *nul;

		if (s < next || s >= end || !(nul = memchr(s, 0, (size_t)(end - s))))
			abort();
		if (w->quoted[i] > 1 || (!w->quoted[i] && (s == nul || strpbrk(s, " \t"))))
			abort();
		chars += (size_t)(nul - s);
		next = nul + 1;
	}
	if (chars > strlen(line))
		abort();
	check_plain(line, w);
}

static int is_own(const char *name)
{
	for (size_t i = 0; i < sizeof own_names / sizeof own_names[0]; i++)
		if (!strcmp(own_names[i], name))
			return 1;
	return 0;
}

static void check_grants(const struct shell_run *r)
{
	if (r->grant_count > SHELL_RUN_GRANTS_MAX)
		abort();
	for (uint32_t i = 0; i < r->grant_count; i++) {
		const struct shell_grant *g = &r->grants[i];

		if (g->name < r->split || g->name >= r->split + sizeof r->split ||
		    !memchr(g->name, 0, (size_t)(r->split + sizeof r->split - g->name)))
			abort();
		if (!name_ok(g->name, CAPOS_CAP_NAME_MAX) || !name_ok(g->cap, CAPOS_CAP_NAME_MAX) ||
		    is_own(g->name))
			abort();
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(g->name, r->grants[j].name) || !strcmp(g->cap, r->grants[j].cap))
				abort();
	}
}

/* The texts: the own grants then the names; the arguments joined by spaces. */
static void check_texts(const struct shell_run *r)
{
	char grants[SHELL_RUN_TEXT_MAX], args[SHELL_RUN_TEXT_MAX], err[ERR_SIZE];
	char want[2 * SHELL_RUN_TEXT_MAX + SHELL_LINE_MAX] = SHELL_RUN_OWN_GRANTS;

	if (shell_run_text(r, grants, args, err, sizeof err)) {
		if (strncmp(err, "run: ", 5))
			abort();
		return;
	}
	if (!memchr(grants, 0, sizeof grants) || !memchr(args, 0, sizeof args))
		abort();
	for (uint32_t i = 0; i < r->grant_count; i++)
		strcat(strcat(want, " "), r->grants[i].name);
	if (strcmp(want, grants))
		abort();
	want[0] = 0;
	for (uint32_t i = 0; i < r->argc; i++)
		strcat(strcat(want, i ? " " : ""), r->argv[i]);
	if (strcmp(want, args))
		abort();
}

static void check_run(const struct shell_words *w)
{
	static struct shell_run r;
	char err[ERR_SIZE];
	uint32_t first = w->count && !strcmp(w->word[0], "run");

	if (shell_parse_run(w, first, &r, err, sizeof err)) {
		if (strncmp(err, "run: ", 5) || !memchr(err, 0, sizeof err))
			abort();
		return;
	}
	if (r.binary != w->word[first] || !name_ok(r.binary, SHELL_RUN_BINARY_MAX) ||
	    r.argc + r.grant_count != w->count - first - 1)
		abort();
	for (uint32_t i = 0; i < r.argc; i++)
		if (!r.argv[i][0] || strpbrk(r.argv[i], " \t"))
			abort();
	check_grants(&r);
	check_texts(&r);
}

static void check_line(const char *line)
{
	static struct shell_words w;
	const char *error = NULL;

	if (shell_split(line, &w, &error)) {
		if (!error || !error[0])
			abort();
		return;
	}
	if (strlen(line) > SHELL_LINE_MAX)
		abort();
	check_words(line, &w);
	check_run(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (size_t i = 0; i < size; i++)
		if (buf[i] == '\n')
			buf[i] = 0;
	for (char *p = buf; p < buf + size; p += strlen(p) + 1)
		check_line(p);
	free(buf);
	return 0;
}
