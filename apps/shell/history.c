/*
 * The history ring (history.h): line n lives in slot (n - 1) % MAX, so
 * the newest MAX numbers are held and a number never changes meaning.
 */
#include <stdio.h>
#include <string.h>
#include "history.h"

void shell_history_init(struct shell_history *h)
{
	memset(h, 0, sizeof *h);
	h->next = 1;
}

void shell_history_add(struct shell_history *h, const char *line)
{
	if (line[strspn(line, " \t")] == '\0')
		return;
	snprintf(h->line[(h->next - 1) % SHELL_HISTORY_MAX], SHELL_LINE_MAX + 1, "%s", line);
	h->next++;
}

uint32_t shell_history_first(const struct shell_history *h)
{
	return h->next > SHELL_HISTORY_MAX ? h->next - SHELL_HISTORY_MAX : 1;
}

const char *shell_history_get(const struct shell_history *h, uint32_t n)
{
	if (n < shell_history_first(h) || n >= h->next)
		return NULL;
	return h->line[(n - 1) % SHELL_HISTORY_MAX];
}

int shell_history_expand(const struct shell_history *h, const char *line, const char **out, char *err,
			 size_t err_size)
{
	const char *p = line + strspn(line, " \t"), *digits = p + 1;
	uint32_t n = 0;
	size_t len;

	*out = line;
	if (*p != '!')
		return 0;
	len = strspn(digits, "0123456789");
	if (len == 0 || len > 9 || digits[len + strspn(digits + len, " \t")] != '\0') {
		snprintf(err, err_size, "%s: write !N to repeat command N of history", p);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		n = n * 10 + (uint32_t)(digits[i] - '0');
	*out = shell_history_get(h, n);
	if (!*out) {
		snprintf(err, err_size, "!%u: no such command in history (it holds %u to %u)", n,
			 shell_history_first(h), h->next - 1);
		if (h->next == 1)
			snprintf(err, err_size, "!%u: the history is empty", n);
		return -1;
	}
	return 1;
}
