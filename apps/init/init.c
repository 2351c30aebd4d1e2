/*
 * The default init (until the manifest-driven init of issue 5): says that
 * userspace runs and with which capabilities, lists the boot package,
 * then idles in long Timer.sleep calls.  It must never exit: when init
 * ends, the kernel reports that the system has stopped.  The one
 * exception is the argument "check" (init.args=check on the kernel
 * command line), which ends init with 0 after the listing so a QEMU test
 * can judge the output by the verdict.
 */
#include <capos/bootpkg.h>
#include <capos/rt.h>

#define IDLE_NS (3600ull * 1000000000ull)

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case CAPOS_BOOTPKG_ELF:
		return "elf";
	case CAPOS_BOOTPKG_MANIFEST:
		return "manifest";
	case CAPOS_BOOTPKG_FILE:
		return "file";
	default:
		return "unknown";
	}
}

static void print_caps(const struct capos_bootstrap *b)
{
	capos_printf("init: capOS userspace running (pid %u, %u capabilities:", b->pid, b->cap_count);
	for (uint32_t i = 0; i < b->cap_count && i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
		capos_printf(" %s", b->caps[i].name);
	capos_printf(")\n");
}

static void list_boot_package(void)
{
	struct capos_boot_package_info_out info = { 0 };
	uint32_t cap = capos_cap_find("bootpkg", NULL);
	int err = cap ? capos_boot_package_info(capos_ring(), cap, &info) : -CAPOS_ENOENT;

	if (err) {
		capos_printf("init: boot package unavailable: %s\n", capos_strerror(err));
		return;
	}
	capos_printf("init: boot package: %u entries, %llu bytes\n", info.entries,
		     (unsigned long long)info.size);
	for (uint32_t i = 0; i < info.entries; i++) {
		struct capos_boot_package_stat_in in = { .index = i };
		struct capos_boot_package_stat_out st = { 0 };

		err = capos_boot_package_stat(capos_ring(), cap, &in, &st);
		if (err) {
			capos_printf("init:   #%u: %s\n", i, capos_strerror(err));
			continue;
		}
		capos_printf("init:   %-24.40s %8llu bytes  %s\n", st.name, (unsigned long long)st.size,
			     kind_name(st.kind));
	}
}

static int is_check(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "", *b = "check";

	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int main(int argc, char **argv)
{
	print_caps(capos_bootstrap());
	list_boot_package();
	if (is_check(argc, argv))
		return 0;
	capos_printf("init: idle\n");
	for (;;) {
		int err = capos_sleep_ns(IDLE_NS);

		if (err) {
			capos_printf("init: cannot sleep (%s); idling in the kernel\n", capos_strerror(err));
			for (;;)
				capos_cap_enter(1, CAPOS_TIMEOUT_INFINITE);
		}
	}
}
