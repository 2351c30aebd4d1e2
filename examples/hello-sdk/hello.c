/* An ordinary C program: built with the capOS SDK, it runs as capOS init. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(void)
{
	char *msg = malloc(64);
	strcpy(msg, "hello from a capOS SDK program");
	struct timespec t0, t1, nap = { 0, 20 * 1000 * 1000 };   /* 20 ms */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nanosleep(&nap, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	printf("%s: slept %ld ms, time() = %lld\n", msg, ms, (long long)time(NULL));
	free(msg);
	return ms >= 20 ? 0 : 1;
}
