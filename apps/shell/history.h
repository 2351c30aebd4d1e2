/*
 * The shell's command history (pure: also built on the host,
 * tests/host/shell): the last SHELL_HISTORY_MAX command lines, numbered
 * 1, 2, ... in the order they were entered; older lines fall out.  `!N`
 * recalls line N while it is still held.
 */
#ifndef SHELL_HISTORY_H
#define SHELL_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include "words.h"

#define SHELL_HISTORY_MAX 32u

struct shell_history {
	uint32_t next;                                      /* the number the next line gets (from 1) */
	char line[SHELL_HISTORY_MAX][SHELL_LINE_MAX + 1];   /* line n at [(n - 1) % MAX] */
};

void shell_history_init(struct shell_history *h);
/* Keep line (cut at SHELL_LINE_MAX); a line of only spaces is not kept. */
void shell_history_add(struct shell_history *h, const char *line);
/* The oldest number held (== next when empty). */
uint32_t shell_history_first(const struct shell_history *h);
/* Line n, or NULL when it was never entered or has fallen out. */
const char *shell_history_get(const struct shell_history *h, uint32_t n);

/*
 * A line that starts with '!' (after spaces) recalls a line: "!N" (nothing
 * else on the line).  Returns 0 with *out = line when it is no recall, 1
 * with *out = the recalled line, or -1 with a sentence in err.
 */
int shell_history_expand(const struct shell_history *h, const char *line, const char **out, char *err,
			 size_t err_size);

#endif
