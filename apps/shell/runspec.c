/*
 * `run`'s words checked and turned into a spawn call's text (runspec.h),
 * and the words for how a program ended.  Every check happens before the
 * shell touches anything, so a refused command starts nothing.
 */
#include <stdio.h>
#include <string.h>
#include "runspec.h"

static const char *const own_names[] = { "vm", "thread", "threads", "park", "stdio" };

/* The kernel's name alphabet (obj_process.c): [a-z0-9_.-]. */
static int name_ok(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_' ||
		      s[n] == '-' || s[n] == '.'))
			return 0;
	return n > 0 && n < max;
}

static int is_own(const char *name)
{
	for (size_t i = 0; i < sizeof own_names / sizeof own_names[0]; i++)
		if (strcmp(own_names[i], name) == 0)
			return 1;
	return 0;
}

/* Check one NAME=CAP word (already cut in two) against r's earlier grants. */
static int check_grant(const struct shell_run *r, const char *word, const char *name, const char *cap,
		       char *err, size_t size)
{
	if (!name_ok(name, CAPOS_CAP_NAME_MAX) || strchr(cap, '=') ||
	    (cap[0] != '@' && !name_ok(cap, CAPOS_CAP_NAME_MAX))) {
		snprintf(err, size, "run: '%s' is not a grant: write NAME=CAP, both names of letters a-z, "
			 "digits, '_', '-' or '.' (at most %u characters)", word, CAPOS_CAP_NAME_MAX - 1u);
		return -1;
	}
	if (cap[0] == '@') {
		snprintf(err, size, "run: '%s': every program gets its own vm, thread, threads and park; "
			 "grant capabilities by the names caps shows", word);
		return -1;
	}
	if (is_own(name)) {
		snprintf(err, size, "run: '%s': the shell gives every program its own '%s'; choose another name",
			 word, name);
		return -1;
	}
	for (uint32_t i = 0; i < r->grant_count; i++) {
		if (strcmp(r->grants[i].name, name) == 0) {
			snprintf(err, size, "run: '%s' is granted twice", name);
			return -1;
		}
		if (strcmp(r->grants[i].cap, cap) == 0) {
			snprintf(err, size, "run: capability '%s' is granted twice (a program gets each capability once)",
				 cap);
			return -1;
		}
	}
	if (r->grant_count == SHELL_RUN_GRANTS_MAX) {
		snprintf(err, size, "run: at most %u grants (the terminal takes one more transfer)",
			 SHELL_RUN_GRANTS_MAX);
		return -1;
	}
	return 0;
}

static int check_arg(const char *word, char *err, size_t size)
{
	if (!word[0]) {
		snprintf(err, size, "run: an empty argument cannot be passed (programs split their arguments at spaces)");
		return -1;
	}
	if (strchr(word, ' ') || strchr(word, '\t')) {
		snprintf(err, size, "run: argument '%s' holds a space, but programs split their arguments at spaces",
			 word);
		return -1;
	}
	return 0;
}

int shell_parse_run(const struct shell_words *w, uint32_t first, struct shell_run *r, char *err,
		    size_t err_size)
{
	char *out = r->split;

	r->binary = NULL;
	r->argc = r->grant_count = 0;
	if (first >= w->count) {
		snprintf(err, err_size, "run: which program? (run BINARY [ARGS...] [NAME=CAP ...])");
		return -1;
	}
	r->binary = w->word[first];
	if (!name_ok(r->binary, SHELL_RUN_BINARY_MAX)) {
		snprintf(err, err_size, "run: '%s' is not a program name", r->binary);
		return -1;
	}
	for (uint32_t i = first + 1; i < w->count; i++) {
		const char *word = w->word[i], *eq = strchr(word, '=');

		if (w->quoted[i] || !eq) {
			if (check_arg(word, err, err_size))
				return -1;
			r->argv[r->argc++] = word;
			continue;
		}
		/* Cut NAME=CAP into two strings in r->split (never longer than the words). */
		memcpy(out, word, (size_t)(eq - word));
		out[eq - word] = '\0';
		if (check_grant(r, word, out, eq + 1, err, err_size))
			return -1;
		r->grants[r->grant_count++] = (struct shell_grant){ out, eq + 1 };
		out += eq - word + 1;
	}
	return 0;
}

/* Append " word" (no space when dst is empty); 0, or -1 when it would not fit. */
static int append_word(char *dst, size_t size, const char *word)
{
	size_t len = strlen(dst), n = strlen(word) + (len ? 1 : 0);

	if (len + n + 1 > size)
		return -1;
	snprintf(dst + len, size - len, "%s%s", len ? " " : "", word);
	return 0;
}

int shell_run_text(const struct shell_run *r, char grants[SHELL_RUN_TEXT_MAX], char args[SHELL_RUN_TEXT_MAX],
		   char *err, size_t err_size)
{
	snprintf(grants, SHELL_RUN_TEXT_MAX, "%s", SHELL_RUN_OWN_GRANTS);
	args[0] = '\0';
	for (uint32_t i = 0; i < r->grant_count; i++)
		if (append_word(grants, SHELL_RUN_TEXT_MAX, r->grants[i].name)) {
			snprintf(err, err_size, "run: the grant names are too long together");
			return -1;
		}
	for (uint32_t i = 0; i < r->argc; i++)
		if (append_word(args, SHELL_RUN_TEXT_MAX, r->argv[i])) {
			snprintf(err, err_size, "run: the arguments are too long together (at most %u bytes)",
				 SHELL_RUN_TEXT_MAX - 1u);
			return -1;
		}
	return 0;
}

static const char *const vector_names[] = {
	[0] = "divide error (#DE", [1] = "debug exception (#DB", [3] = "breakpoint (#BP",
	[4] = "overflow (#OF", [5] = "bound range exceeded (#BR", [6] = "invalid opcode (#UD",
	[7] = "device not available (#NM", [8] = "double fault (#DF", [10] = "invalid TSS (#TS",
	[11] = "segment not present (#NP", [12] = "stack-segment fault (#SS",
	[13] = "general protection fault (#GP", [14] = "page fault (#PF", [16] = "x87 floating-point error (#MF",
	[17] = "alignment check (#AC", [18] = "machine check (#MC", [19] = "SIMD floating-point error (#XM",
	[20] = "virtualization exception (#VE", [21] = "control protection fault (#CP",
};

void shell_exit_text(int64_t code, uint32_t reason, char *buf, size_t size)
{
	int64_t vector = -code;

	if (reason == CAPOS_EXIT_NORMAL)
		snprintf(buf, size, "exit %lld", (long long)code);
	else if (reason == CAPOS_EXIT_KILLED)
		snprintf(buf, size, "killed");
	else if (reason == CAPOS_EXIT_FAULT && vector >= 0 &&
		 vector < (int64_t)(sizeof vector_names / sizeof vector_names[0]) && vector_names[vector])
		snprintf(buf, size, "fault: %s, vector %lld)", vector_names[vector], (long long)vector);
	else if (reason == CAPOS_EXIT_FAULT)
		snprintf(buf, size, "fault: code %lld", (long long)code);
	else
		snprintf(buf, size, "ended: reason %u, code %lld", reason, (long long)code);
}
