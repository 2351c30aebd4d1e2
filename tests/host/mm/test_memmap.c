/*
 * Host tests of the memory-map helpers (exo/mm/memmap.c): type names,
 * the classification the allocator and vm_init rely on, the well-formed
 * check (sorted, aligned, disjoint, non-empty), and the page counters.
 */
#include <capos/error.h>
#include "check.h"
#include "mm/memmap.h"

#define MiB (1ull << 20)

static const struct capos_mem_range qemu_like[] = {
	{ 0x0, 0xa0, CAPOS_MEM_USABLE, 7 },
	{ 0x100000, 0x700, CAPOS_MEM_USABLE, 7 },
	{ 0x800000, 0x8, CAPOS_MEM_ACPI_NVS, 10 },
	{ 0x808000, 0x10, CAPOS_MEM_USABLE, 7 },
	{ 0x900000, 0x100, CAPOS_MEM_EARLY_PT, 2 },
	{ 0xa00000, 0x200, CAPOS_MEM_KERNEL, 2 },
	{ 0xc00000, 0x40, CAPOS_MEM_BOOTINFO, 2 },
	{ 0xc40000, 0x1c000, CAPOS_MEM_USABLE, 7 },
	{ 0x1cc40000, 0x300, CAPOS_MEM_BOOT_RECLAIM, 4 },
	{ 0x1cf40000, 0x10, CAPOS_MEM_ACPI_RECLAIM, 9 },
	{ 0xb0000000, 0x10000, CAPOS_MEM_MMIO, 11 },
	{ 0xffc00000, 0x400, CAPOS_MEM_RESERVED, 0 },
};
#define QEMU_COUNT ((uint32_t)(sizeof qemu_like / sizeof qemu_like[0]))

static void test_names(void)
{
	CHECK_STR(memmap_type_name(CAPOS_MEM_USABLE), "USABLE");
	CHECK_STR(memmap_type_name(CAPOS_MEM_EARLY_PT), "EARLY_PT");
	CHECK_STR(memmap_type_name(CAPOS_MEM_PERSISTENT), "PERSISTENT");
	CHECK_STR(memmap_type_name(0), "?");
	CHECK_STR(memmap_type_name(99), "?");
}

static void test_classes(void)
{
	CHECK(memmap_is_free(CAPOS_MEM_USABLE));
	CHECK(!memmap_is_free(CAPOS_MEM_BOOT_RECLAIM));
	CHECK(memmap_is_reclaimable(CAPOS_MEM_BOOT_RECLAIM));
	CHECK(memmap_is_reclaimable(CAPOS_MEM_EARLY_PT));
	CHECK(!memmap_is_reclaimable(CAPOS_MEM_ACPI_RECLAIM));
	CHECK(memmap_is_counted_ram(CAPOS_MEM_KERNEL_FILE));
	CHECK(!memmap_is_counted_ram(CAPOS_MEM_ACPI_NVS));
	for (uint32_t t = 0; t < 20; t++) {
		if (memmap_is_free(t) || memmap_is_reclaimable(t))
			CHECK(memmap_is_counted_ram(t));
		if (memmap_is_counted_ram(t))
			CHECK(memmap_is_direct_mapped(t));
	}
	CHECK(memmap_is_direct_mapped(CAPOS_MEM_ACPI_RECLAIM));
	CHECK(memmap_is_direct_mapped(CAPOS_MEM_RESERVED));
	CHECK(!memmap_is_direct_mapped(CAPOS_MEM_MMIO));
	CHECK(!memmap_is_direct_mapped(CAPOS_MEM_BAD));
	CHECK(!memmap_is_direct_mapped(CAPOS_MEM_PERSISTENT));
}

static void test_check_good(void)
{
	uint32_t bad = 77;

	CHECK_EQ(memmap_check(qemu_like, QEMU_COUNT, &bad), 0);
	CHECK_EQ(bad, 77);
	CHECK_EQ(memmap_check(qemu_like, 0, NULL), 0);
}

static void test_check_bad(void)
{
	struct capos_mem_range m[3];
	uint32_t bad = 0;

	memcpy(m, qemu_like, sizeof m);
	m[2].phys = 0x100000;  /* overlaps entry 1 */
	CHECK_EQ(memmap_check(m, 3, &bad), -CAPOS_EFORMAT);
	CHECK_EQ(bad, 2);
	memcpy(m, qemu_like, sizeof m);
	m[0].phys = 0x200000;  /* unsorted */
	CHECK_EQ(memmap_check(m, 3, &bad), -CAPOS_EFORMAT);
	CHECK_EQ(bad, 1);
	memcpy(m, qemu_like, sizeof m);
	m[1].phys = 0x100800;  /* misaligned */
	CHECK_EQ(memmap_check(m, 3, &bad), -CAPOS_EFORMAT);
	CHECK_EQ(bad, 1);
	memcpy(m, qemu_like, sizeof m);
	m[1].pages = 0;
	CHECK_EQ(memmap_check(m, 3, &bad), -CAPOS_EFORMAT);
	CHECK_EQ(bad, 1);
	memcpy(m, qemu_like, sizeof m);
	m[2].pages = UINT64_MAX / 2;  /* runs past 2^52 */
	CHECK_EQ(memmap_check(m, 3, &bad), -CAPOS_EFORMAT);
	CHECK_EQ(bad, 2);
	memcpy(m, qemu_like, sizeof m);
	m[2].phys = 1ull << 52;
	CHECK_EQ(memmap_check(m, 3, NULL), -CAPOS_EFORMAT);
}

static void test_counts(void)
{
	CHECK_EQ(memmap_count_pages(qemu_like, QEMU_COUNT, memmap_is_free), 0xa0 + 0x700 + 0x10 + 0x1c000);
	CHECK_EQ(memmap_count_pages(qemu_like, QEMU_COUNT, memmap_is_reclaimable), 0x100 + 0x300);
	CHECK_EQ(memmap_end_frame(qemu_like, QEMU_COUNT, memmap_is_free), (0xc40000 >> 12) + 0x1c000);
	CHECK_EQ(memmap_end_frame(qemu_like, QEMU_COUNT, memmap_is_reclaimable), (0x1cc40000 >> 12) + 0x300);
	CHECK_EQ(memmap_end_frame(qemu_like, QEMU_COUNT, memmap_is_direct_mapped), (0xffc00000 >> 12) + 0x400);
	CHECK_EQ(memmap_end_frame(qemu_like, 0, memmap_is_free), 0);
	CHECK(memmap_count_pages(qemu_like, QEMU_COUNT, memmap_is_counted_ram) * 4096 > 400 * MiB);
}

int main(void)
{
	RUN(test_names);
	RUN(test_classes);
	RUN(test_check_good);
	RUN(test_check_bad);
	RUN(test_counts);
	return check_done();
}
