/*
 * Kernel bring-up, in dependency order:
 *   1. serial console and boot-info checks (nothing else is trusted yet);
 *   2. CPU tables, exception handlers, CPU features, FPU (arch_early_init);
 *   3. frames, the kernel's own page tables, heap; reclaim loader memory;
 *   4. move to a guarded kernel stack (kmain_late);
 *   5. ACPI, LAPIC timer, IOAPICs (arch_late_init), device interrupt vectors;
 *   6. banner, then a test from the command line, or init (the one
 *      process the kernel starts) and the scheduler's idle loop.
 */
#include <stdint.h>
#include <capos/bootinfo.h>
#include <capos/verdict.h>
#include "backtrace.h"
#include "boot.h"
#include "clock.h"
#include "ktest.h"
#include "log.h"
#include "panic.h"
#include "serial.h"
#include "verdict.h"
#include "../acpi/acpi.h"
#include "../dev/pci.h"
#include "../arch/x86_64/arch.h"
#include "../arch/x86_64/cpu.h"
#include "../dev/irq.h"
#include "../lib/cmdline.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/init.h"
#include "../proc/sched.h"

#ifndef CAPOS_VERSION
#define CAPOS_VERSION "unknown"
#endif

void kmain(uint64_t bootinfo_phys);
void stack_switch_call(uint64_t top, void (*fn)(void *), void *arg);

static char cmdline[CAPOS_CMDLINE_MAX];
static const struct capos_boot_info *boot_info;
static struct bootpkg_view package;
static int package_ok;

const struct capos_boot_info *boot_record(void) { return boot_info; }
const char *boot_cmdline(void) { return cmdline; }
const struct bootpkg_view *boot_package(void) { return package_ok ? &package : NULL; }

/* The record is the loader's promise; check it before believing any of it. */
static void check_boot_info(const struct capos_boot_info *bi)
{
	if (bi->magic != CAPOS_BOOTINFO_MAGIC || bi->version != CAPOS_BOOTINFO_VERSION ||
	    bi->size != sizeof *bi) {
		kprintf("capOS: boot-info record is not version %u (magic %llx, version %u, size %u);"
			" the loader and kernel do not match\n", CAPOS_BOOTINFO_VERSION,
			(unsigned long long)bi->magic, bi->version, bi->size);
		verdict_exit(CAPOS_VERDICT_FAIL);
	}
	if (bi->memmap_entry_size != sizeof(struct capos_mem_range) || bi->memmap_count == 0 ||
	    bi->kseg_count == 0 || bi->kseg_count > CAPOS_KSEG_MAX)
		panic("boot-info record has a malformed memory map or segment list");
}

static void apply_cmdline(void)
{
	char level[16];
	enum log_level parsed;

	verdict_init(cmdline);
	if (cmdline_get(cmdline, "loglevel", level, sizeof level) >= 0) {
		if (log_parse_level(level, &parsed) == 0)
			log_set_level(parsed);
		else
			kwarn("unknown loglevel '%s' (error, warn, info, debug)", level);
	}
}

/* The loader checked the package; check again, since it is now ours to trust. */
static void open_boot_package(void)
{
	struct bootpkg_fault fault;
	int err = bootpkg_open(&package, phys_to_virt(boot_info->bootpkg_phys),
			       boot_info->bootpkg_size, &fault);

	if (err) {
		kerror("boot package: rejected (entry %d: %s); starting without it", fault.entry, fault.what);
		return;
	}
	package_ok = 1;
	kinfo("boot package: %u entries, %llu KiB", package.count,
	      (unsigned long long)(package.size >> 10));
	for (uint32_t i = 0; i < package.count; i++)
		kdebug("  %-40s %8llu bytes", package.entries[i].name,
		       (unsigned long long)package.entries[i].size);
}

static void print_banner(void)
{
	struct frame_stats fs;
	char features[160];

	frame_get_stats(&fs);
	cpu_features_string(features, sizeof features);
	kinfo("capOS %s (exokernel, x86_64)", CAPOS_VERSION);
	kinfo("memory: %llu MiB total, %llu MiB free (%llu MiB reclaimed from the loader)",
	      (unsigned long long)(fs.total_pages >> 8), (unsigned long long)(fs.free_pages >> 8),
	      (unsigned long long)(fs.reclaimed_pages >> 8));
	kinfo("cpu: %s %s", boot_cpu.vendor, boot_cpu.brand);
	kinfo("cpu features: %s; fpu state: %s, %zu bytes", features, fpu_mechanism(), fpu_state_size());
	kinfo("timer: %u Hz tick, LAPIC %llu Hz, TSC %llu Hz, calibrated against %s",
	      timer_hz(), (unsigned long long)lapic_timer_hz(), (unsigned long long)tsc_hz(),
	      timer_calibration_source());
}

static void kmain_late(void *unused)
{
	char test[64];
	int err;

	(void)unused;
	err = acpi_init(boot_info->rsdp_phys);
	if (err)
		kwarn("acpi: no usable tables (error %d); power-off and SMP discovery unavailable", err);
	arch_late_init();
	irq_init();
	open_boot_package();
	print_banner();
	pci_init();
	if (cmdline_get(cmdline, "test", test, sizeof test) >= 0)
		ktest_run(test);
	sched_init();
	if (init_start(cmdline) == 0)
		kinfo("capOS: kernel ready; init is running");
	else
		kinfo("capOS: kernel ready; no init to run, idling (QEMU: Ctrl-A X quits)");
	sched_run_idle();
}

void kmain(uint64_t bootinfo_phys)
{
	struct kstack stack;

	clock_set_boot_tsc(rdtsc());
	serial_init();
	boot_info = phys_to_virt(bootinfo_phys);
	check_boot_info(boot_info);
	memcpy(cmdline, boot_info->cmdline, sizeof cmdline);
	cmdline[sizeof cmdline - 1] = '\0';
	apply_cmdline();
	kinfo("capOS %s starting; command line \"%s\"", CAPOS_VERSION, cmdline);

	arch_early_init();
	symbols_init(boot_info->kernel_file_phys, boot_info->kernel_file_size);
	frame_init(boot_info);
	vm_init(boot_info);
	heap_init();
	frame_reclaim_boot(boot_info);

	if (kstack_alloc(&stack, 8) != 0)
		panic("no memory for the boot kernel stack");
	stack_switch_call(stack.top, kmain_late, NULL);
}
