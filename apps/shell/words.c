/*
 * Splitting a command line into words (words.h): one pass over the line,
 * copying each word's characters (quotes and escapes removed) into the
 * caller's buffer.
 */
#include <string.h>
#include "words.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Copy one word starting at *p into out; moves *p past it.  0 or -1 with *error. */
static int one_word(const char **p, char *out, uint8_t *quoted, const char **error)
{
	const char *s = *p;

	*quoted = 0;
	while (*s && !is_space(*s)) {
		if (*s == '\'') {
			const char *end = strchr(s + 1, '\'');

			if (!end) {
				*error = "unterminated quote (')";
				return -1;
			}
			memcpy(out, s + 1, (size_t)(end - s - 1));
			out += end - s - 1;
			s = end + 1;
			*quoted = 1;
		} else if (*s == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				*out++ = *s;
			}
			if (!*s) {
				*error = "unterminated quote (\")";
				return -1;
			}
			s++;
			*quoted = 1;
		} else if (*s == '\\') {
			if (!s[1]) {
				*error = "a backslash ends the line (it quotes the next character)";
				return -1;
			}
			*out++ = s[1];
			s += 2;
			*quoted = 1;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
	*p = s;
	return 0;
}

int shell_split(const char *line, struct shell_words *w, const char **error)
{
	char *out = w->text;

	w->count = 0;
	if (strlen(line) > SHELL_LINE_MAX) {
		*error = "the line is too long";
		return -1;
	}
	for (;;) {
		while (is_space(*line))
			line++;
		if (!*line)
			return 0;
		if (w->count == SHELL_WORDS_MAX) {
			*error = "too many words on one line";
			return -1;
		}
		/* Each word is at most as long as its source text: the buffer holds the whole line. */
		if (one_word(&line, out, &w->quoted[w->count], error))
			return -1;
		w->word[w->count++] = out;
		out += strlen(out) + 1;
	}
}
