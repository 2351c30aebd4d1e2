/* The shell's tokenizer (apps/shell/words.c): words, quotes, escapes, limits. */
#include "check.h"
#include "words.h"

static struct shell_words w;
static const char *error;

static void plain_words(void)
{
	CHECK_EQ(shell_split("  run  echo-client\t3 echo=echo ", &w, &error), 0);
	CHECK_EQ(w.count, 4);
	CHECK_STR(w.word[0], "run");
	CHECK_STR(w.word[1], "echo-client");
	CHECK_STR(w.word[2], "3");
	CHECK_STR(w.word[3], "echo=echo");
	for (int i = 0; i < 4; i++)
		CHECK_EQ(w.quoted[i], 0);
}

static void empty_line(void)
{
	CHECK_EQ(shell_split("", &w, &error), 0);
	CHECK_EQ(w.count, 0);
	CHECK_EQ(shell_split(" \t  ", &w, &error), 0);
	CHECK_EQ(w.count, 0);
}

static void quotes(void)
{
	CHECK_EQ(shell_split("say 'a b' \"c \\\"d\\\" \\\\e\" f'g h'i ''", &w, &error), 0);
	CHECK_EQ(w.count, 5);
	CHECK_STR(w.word[1], "a b");
	CHECK_STR(w.word[2], "c \"d\" \\e");
	CHECK_STR(w.word[3], "fg hi");
	CHECK_STR(w.word[4], "");
	CHECK_EQ(w.quoted[0], 0);
	CHECK_EQ(w.quoted[1], 1);
	CHECK_EQ(w.quoted[3], 1);
	CHECK_EQ(w.quoted[4], 1);
	/* single quotes keep backslashes; double quotes keep other escapes */
	CHECK_EQ(shell_split("'a\\b' \"a\\b\"", &w, &error), 0);
	CHECK_STR(w.word[0], "a\\b");
	CHECK_STR(w.word[1], "a\\b");
}

static void escapes(void)
{
	CHECK_EQ(shell_split("a\\ b exit\\=3 \\'", &w, &error), 0);
	CHECK_EQ(w.count, 3);
	CHECK_STR(w.word[0], "a b");
	CHECK_STR(w.word[1], "exit=3");
	CHECK_EQ(w.quoted[1], 1);
	CHECK_STR(w.word[2], "'");
}

static void errors(void)
{
	char line[400];

	CHECK_EQ(shell_split("echo 'abc", &w, &error), -1);
	CHECK_STR(error, "unterminated quote (')");
	CHECK_EQ(shell_split("echo \"abc\\\"", &w, &error), -1);
	CHECK_STR(error, "unterminated quote (\")");
	CHECK_EQ(shell_split("echo abc\\", &w, &error), -1);
	CHECK_STR(error, "a backslash ends the line (it quotes the next character)");
	memset(line, 0, sizeof line);
	for (int i = 0; i < 33; i++)
		memcpy(line + 2 * i, "a ", 2);
	CHECK_EQ(shell_split(line, &w, &error), -1);
	CHECK_STR(error, "too many words on one line");
	line[64] = '\0';   /* 32 words exactly */
	CHECK_EQ(shell_split(line, &w, &error), 0);
	CHECK_EQ(w.count, 32);
	memset(line, 'x', 257);
	line[257] = '\0';
	CHECK_EQ(shell_split(line, &w, &error), -1);
	CHECK_STR(error, "the line is too long");
	line[256] = '\0';
	CHECK_EQ(shell_split(line, &w, &error), 0);
	CHECK_EQ(strlen(w.word[0]), 256);
}

int main(void)
{
	RUN(plain_words);
	RUN(empty_line);
	RUN(quotes);
	RUN(escapes);
	RUN(errors);
	return check_done();
}
