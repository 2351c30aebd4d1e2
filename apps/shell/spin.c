/*
 * spin: runs until it is killed (a test program for the shell's ^C,
 * tests/qemu/shell).  It says so once, then computes forever without
 * entering the kernel, so only ProcessHandle.kill (or the timer taking
 * the CPU away) stops it.
 */
#include <capos/rt.h>

int main(int argc, char **argv)
{
	volatile uint64_t n = 0;

	(void)argc;
	(void)argv;
	capos_printf("spin: spinning until killed\n");
	for (;;)
		n++;
}
