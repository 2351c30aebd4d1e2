/*
 * The kernel command line: \capos\cmdline.txt on the ESP, optional.
 * Printable ASCII only; line breaks and tabs become spaces and trailing
 * blanks are dropped, so an editor's final newline does not matter.
 * `exit=debug` also tells the loader to report its own failures on QEMU's
 * isa-debug-exit port.
 */
#include "console.h"
#include "loader.h"
#include "../lib/cmdline.h"

#define BOOTCMD_PATH L"\\capos\\cmdline.txt"
#define BOOTCMD_NAME "\\capos\\cmdline.txt"

/*
 * Normalise in place: blanks become spaces, trailing spaces go.  Returns
 * the index of the first byte that is not printable ASCII, or -1; such
 * bytes become spaces too, so `exit=debug` is still seen for the report.
 */
static int bootcmd_normalise(char *s, UINTN len)
{
	int bad = -1;

	for (UINTN i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c <= 0x7e)
			continue;
		if (c != '\n' && c != '\r' && c != '\t' && bad < 0)
			bad = (int)i;
		s[i] = ' ';
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	s[len] = '\0';
	return bad;
}

static bool bootcmd_debug_exit(const char *cmdline)
{
	char value[8];

	if (cmdline_get(cmdline, "exit", value, sizeof value) != 5)
		return false;
	return value[0] == 'd' && value[1] == 'e' && value[2] == 'b' &&
	       value[3] == 'u' && value[4] == 'g';
}

EFI_STATUS bootcmd_read(struct loader *ld)
{
	UINTN len = 0;
	EFI_STATUS st;
	int bad;

	ld->cmdline[0] = '\0';
	st = file_read_small(ld, BOOTCMD_PATH, BOOTCMD_NAME, ld->cmdline,
			     CAPOS_CMDLINE_MAX - 1, &len);
	if (st == EFI_NOT_FOUND)
		return EFI_SUCCESS;
	if (EFI_ERROR(st))
		return st;
	bad = bootcmd_normalise(ld->cmdline, len);
	ld->debug_exit = bootcmd_debug_exit(ld->cmdline);
	if (bad >= 0) {
		con_error("%s: byte %d is not printable ASCII", BOOTCMD_NAME, bad);
		ld->cmdline[0] = '\0';
		return EFI_INVALID_PARAMETER;
	}
	return EFI_SUCCESS;
}
