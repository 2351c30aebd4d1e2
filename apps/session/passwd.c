/*
 * capos-passwd: make one line of sessiond's credential file
 * (docs/credentials.md) on the build host.
 *
 *   capos-passwd [-i ITERATIONS] USER PROFILE < password
 *
 * The password is the first line of standard input (without its line
 * ending; 1..128 bytes).  The salt comes from /dev/urandom, the key is
 * PBKDF2-HMAC-SHA256 through the same credential store sessiond uses, and
 * the line "USER PROFILE ITERATIONS SALT-HEX KEY-HEX" goes to standard
 * output.  Exit status: 0, 1 for a refused argument or password, 2 for
 * usage or I/O problems.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credstore.h"
#include "label.h"

static int urandom(void *ctx, void *buf, size_t len)
{
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(buf, 1, len, f) : 0;

	(void)ctx;
	if (f)
		fclose(f);
	return got == len ? 0 : -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: capos-passwd [-i ITERATIONS] USER PROFILE < password\n");
	return 2;
}

static void print_hex(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

/* The first line of stdin into pw: its length, or -1. */
static long read_password(char *pw, size_t size)
{
	size_t len;

	if (!fgets(pw, (int)size, stdin))
		return -1;
	len = strlen(pw);
	if (len && pw[len - 1] == '\n')
		pw[--len] = 0;
	else if (!feof(stdin))
		return -1;                /* longer than the buffer */
	if (len && pw[len - 1] == '\r')
		pw[--len] = 0;
	return (long)len;
}

int main(int argc, char **argv)
{
	static struct credstore_record records[1];
	struct credstore store;
	char pw[CREDSTORE_PASSWORD_MAX + 3];
	unsigned long iterations = CREDSTORE_ITERATIONS_DEFAULT;
	long len;
	int a = 1;

	if (argc >= 3 && strcmp(argv[1], "-i") == 0) {
		char *end;

		iterations = strtoul(argv[2], &end, 10);
		if (*end || !*argv[2])
			return usage();
		a = 3;
	}
	if (argc - a != 2)
		return usage();
	if (!session_label_ok(argv[a], strlen(argv[a])) || !session_label_ok(argv[a + 1], strlen(argv[a + 1]))) {
		fprintf(stderr, "capos-passwd: USER and PROFILE are 1..31 of a-z 0-9 _ -\n");
		return 1;
	}
	if (iterations < CREDSTORE_ITERATIONS_MIN || iterations > CREDSTORE_ITERATIONS_MAX) {
		fprintf(stderr, "capos-passwd: iterations from %u to %u\n", CREDSTORE_ITERATIONS_MIN,
			CREDSTORE_ITERATIONS_MAX);
		return 1;
	}
	len = read_password(pw, sizeof pw);
	if (len < 1 || len > CREDSTORE_PASSWORD_MAX) {
		fprintf(stderr, "capos-passwd: the password (first line of input) must be 1..128 bytes\n");
		return 1;
	}
	if (credstore_init(&store, records, 1, (uint32_t)iterations, urandom, NULL) ||
	    credstore_add(&store, argv[a], pw, (size_t)len, (uint32_t)iterations)) {
		fprintf(stderr, "capos-passwd: cannot make the record (/dev/urandom?)\n");
		return 2;
	}
	memset(pw, 0, sizeof pw);
	printf("%s %s %u ", records[0].user, argv[a + 1], records[0].iterations);
	print_hex(records[0].salt, sizeof records[0].salt);
	putchar(' ');
	print_hex(records[0].key, sizeof records[0].key);
	putchar('\n');
	return fflush(stdout) ? 2 : 0;
}
