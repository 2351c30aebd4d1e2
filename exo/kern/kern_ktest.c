/*
 * In-kernel tests of the core itself: the boot record as the kernel sees
 * it, the boot package, the log ring, and the panic path.
 */
#include <stdint.h>
#include <capos/bootinfo.h>
#include "boot.h"
#include "ktest.h"
#include "log.h"
#include "panic.h"
#include "../lib/cmdline.h"
#include "../lib/string.h"

/* The kernel booted: boot record, command line, package and log are sane. */
KTEST(boot)
{
	const struct capos_boot_info *bi = boot_record();
	const struct bootpkg_view *pkg = boot_package();
	char tail[512];
	size_t n;

	KTEST_CHECK(bi->magic == CAPOS_BOOTINFO_MAGIC, "boot record magic");
	KTEST_CHECK(cmdline_has(boot_cmdline(), "test"), "command line lost: \"%s\"", boot_cmdline());
	KTEST_CHECK(bi->kseg_count >= 3, "kernel has %u segments, expected text, rodata, data", bi->kseg_count);
	KTEST_CHECK(pkg != NULL, "boot package missing or rejected");
	KTEST_CHECK(bootpkg_find(pkg, "capos-version") != NULL, "boot package lacks capos-version");
	n = log_ring_copy(tail, sizeof tail - 1);
	tail[n] = '\0';
	KTEST_CHECK(n > 0, "log ring is empty");
	kinfo("ktest boot: %u memory ranges, %u kernel segments, package %u entries, firmware \"%s\" rev 0x%x",
	      bi->memmap_count, bi->kseg_count, pkg->count, bi->fw_vendor, bi->fw_revision);
	return 0;
}

static __attribute__((noinline)) void ktest_panic_trigger(void)
{
	panic("deliberate panic from ktest");
}

/* A kernel panic prints its message and a symbolized backtrace. */
KTEST(panic)
{
	ktest_panic_trigger();
	return -1;
}
