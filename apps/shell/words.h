/*
 * The shell's command-line tokenizer (pure: also built on the host,
 * tests/host/shell).  A line splits into words at spaces and tabs;
 * 'single quotes' keep everything up to the next ' literally, "double
 * quotes" do the same but for \" and \\, and a backslash outside quotes
 * takes the next character literally.  A word any part of which was
 * quoted or escaped is marked quoted: `run` takes such a word as an
 * argument even when it holds '=' (run probe 'exit=3').
 */
#ifndef SHELL_WORDS_H
#define SHELL_WORDS_H

#include <stdint.h>

#define SHELL_LINE_MAX 256u    /* longest command line (the terminal's line) */
#define SHELL_WORDS_MAX 32u

struct shell_words {
	uint32_t count;
	const char *word[SHELL_WORDS_MAX];   /* into text, NUL-terminated */
	uint8_t quoted[SHELL_WORDS_MAX];     /* 1 when part of the word was quoted or escaped */
	char text[2 * SHELL_LINE_MAX];       /* the words, each followed by a NUL */
};

/*
 * Split line into w (caller-owned; the words point into it).  0, or -1
 * with *error set to a sentence (static text) for an unterminated quote, a
 * backslash at the end, more than SHELL_WORDS_MAX words or a line longer
 * than SHELL_LINE_MAX.
 */
int shell_split(const char *line, struct shell_words *w, const char **error);

#endif
