/*
 * The smallest user test: one line on the console through the ring, then
 * exit 0 (ThreadControl.exit).  Needs only "console" and "thread"; as init
 * under exit=debug its exit code is the verdict.
 */
#include <capos/rt.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	capos_printf("utest-hello: hello from user mode\n");
	return 0;
}
