/*
 * The child of utest-libc: one way of ending per argument, so the parent
 * can check the exit code it sees through ProcessHandle.wait and the QEMU
 * test can check what reached the console (atexit order, the stdio flush
 * at exit, output that _exit must drop).
 *
 *   return3   main returns 3
 *   exit5     exit(5) from a nested function
 *   atexit    two atexit handlers (they run in reverse order), then return 0;
 *             a destructor prints after them (start-up registered
 *             __libc_fini_array with atexit before main)
 *   flush     printf without a newline, then exit(0): exit flushes it
 *   _exit     printf without a newline, then _exit(9): nothing is flushed
 *   threads   a second thread blocks in a 10 s sleep; exit(7) must end the
 *             whole process long before it wakes
 *   abort     abort(): SIGABRT ends the process with 128 + 6
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <capos/rt.h>

#define NAME "utest-libc-child"

static const char *mode = "";

__attribute__((destructor)) static void destructor(void)
{
	if (strcmp(mode, "atexit") == 0)
		printf(NAME ": destructor ran\n");
}

static void handler1(void)
{
	printf(NAME ": atexit handler 1 ran\n");
}

static void handler2(void)
{
	printf(NAME ": atexit handler 2 ran\n");
}

__attribute__((noinline)) static void exit_deep(int code)
{
	exit(code);
}

__attribute__((noinline)) static int exit_nested(int code)
{
	exit_deep(code);
	return 0;  /* not reached */
}

static int64_t sleeper(void *arg)
{
	(void)arg;
	capos_sleep_ns(10ull * 1000000000ull);
	printf(NAME ": the sleeper woke up (it should not have)\n");
	return 0;
}

int main(int argc, char **argv)
{
	mode = argc > 1 ? argv[1] : "";
	if (strcmp(mode, "return3") == 0)
		return 3;
	if (strcmp(mode, "exit5") == 0)
		return 50 + exit_nested(5);
	if (strcmp(mode, "atexit") == 0) {
		atexit(handler1);
		atexit(handler2);
		return 0;
	}
	if (strcmp(mode, "flush") == 0) {
		printf(NAME ": %s", "unflushed tail");
		exit(0);
	}
	if (strcmp(mode, "_exit") == 0) {
		printf(NAME ": this text must not appear");
		_exit(9);
	}
	if (strcmp(mode, "threads") == 0) {
		struct capos_thread *t;

		if (capos_thread_create(&t, sleeper, NULL, 0) != 0)
			return 100;
		usleep(20000);  /* the sleeper is now blocked in Timer.sleep */
		exit(7);
	}
	if (strcmp(mode, "abort") == 0)
		abort();
	fprintf(stderr, NAME ": unknown mode '%s'\n", mode);
	return 99;
}
