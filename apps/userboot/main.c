/*
 * userboot: the first user program.  The kernel starts it as process 1
 * from an image prepared at build time (capos/userboot.h), named by the
 * command line's "init=" word, with init's capabilities and arguments.
 * userboot finds the program of that name in the boot package ("bootpkg",
 * through the libOS's checked reader) and becomes it in place
 * (capos_exec_image): same pid, capabilities and ring.  The kernel itself
 * never parses a program or looks a name up.  When the program is missing
 * or refused, userboot says why and ends, and the kernel reports init's
 * failure as for any init.
 */
#include <capos/bootfiles.h>
#include <capos/rt.h>

int main(int argc, char **argv)
{
	const struct capos_bootstrap *boot = capos_bootstrap();
	const void *image;
	uint64_t size;
	uint32_t kind;
	int err = capos_bootfile_find(boot->name, &image, &size, &kind);

	(void)argc;
	(void)argv;  /* the arguments are init's: passed on whole from the bootstrap page */

	if (err) {
		capos_printf("userboot: no program '%s' in the boot package (%s)\n", boot->name, capos_strerror(err));
		return 1;
	}
	if (kind != CAPOS_BOOTPKG_ELF) {
		capos_printf("userboot: '%s' in the boot package is not a program\n", boot->name);
		return 1;
	}
	err = capos_exec_image(boot->name, image, size, boot->args);
	capos_printf("userboot: cannot start '%s': %s\n", boot->name, capos_strerror(err));
	return 1;
}
