/*
 * Host tests for exo/boot/memxlate.c, the loader's translation of the
 * UEFI memory map: every type mapping, sorting of an unsorted map, merging
 * of touching same-type ranges (and not of gaps or different types),
 * descriptors larger than the struct, and the refusals (bad descriptor
 * size, misaligned, wrapping or overlapping ranges, output too small).
 */
#include <stdint.h>
#include <string.h>
#include <capos/error.h>
#include "check.h"
#include "boot/memxlate.h"

#define PG 4096ull
#define STRIDE 48   /* firmware descriptors are often 48 bytes, not 40 */

static uint8_t map[64 * STRIDE];
static unsigned nmap;
static struct capos_mem_range out[64];

static void reset(void)
{
	memset(map, 0xcc, sizeof map);
	nmap = 0;
}

static void add(uint32_t type, uint64_t phys, uint64_t pages)
{
	struct memxlate_efi_desc d = { .type = type, .phys_start = phys, .pages = pages };

	memcpy(map + nmap++ * STRIDE, &d, sizeof d);
}

static int xlate(uint32_t cap)
{
	return memxlate_translate(map, nmap * STRIDE, STRIDE, out, cap);
}

static void test_types(void)
{
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_CONVENTIONAL), CAPOS_MEM_USABLE);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_LOADER_CODE), CAPOS_MEM_BOOT_RECLAIM);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_LOADER_DATA), CAPOS_MEM_BOOT_RECLAIM);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_BS_CODE), CAPOS_MEM_BOOT_RECLAIM);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_BS_DATA), CAPOS_MEM_BOOT_RECLAIM);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_RT_CODE), CAPOS_MEM_RESERVED);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_RT_DATA), CAPOS_MEM_RESERVED);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_RESERVED), CAPOS_MEM_RESERVED);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_PAL_CODE), CAPOS_MEM_RESERVED);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_UNACCEPTED), CAPOS_MEM_RESERVED);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_UNUSABLE), CAPOS_MEM_BAD);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_ACPI_RECLAIM), CAPOS_MEM_ACPI_RECLAIM);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_ACPI_NVS), CAPOS_MEM_ACPI_NVS);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_MMIO), CAPOS_MEM_MMIO);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_MMIO_PORT), CAPOS_MEM_MMIO);
	CHECK_EQ(memxlate_type(MEMXLATE_EFI_PERSISTENT), CAPOS_MEM_PERSISTENT);
	CHECK_EQ(memxlate_type(MEMXLATE_OS_BASE + CAPOS_MEM_KERNEL), CAPOS_MEM_KERNEL);
	CHECK_EQ(memxlate_type(MEMXLATE_OS_BASE + CAPOS_MEM_EARLY_PT), CAPOS_MEM_EARLY_PT);
	CHECK_EQ(memxlate_type(MEMXLATE_OS_BASE), CAPOS_MEM_RESERVED);
	CHECK_EQ(memxlate_type(MEMXLATE_OS_BASE + 99), CAPOS_MEM_RESERVED);
	CHECK_EQ(memxlate_type(0x70000000u), CAPOS_MEM_RESERVED);
}

static void test_sort_and_merge(void)
{
	reset();
	add(MEMXLATE_EFI_CONVENTIONAL, 0x100000, 16);
	add(MEMXLATE_EFI_BS_DATA, 0x0, 1);
	add(MEMXLATE_EFI_LOADER_CODE, 0x1000, 2);       /* touches BS data: merged */
	add(MEMXLATE_EFI_CONVENTIONAL, 0x110000, 16);   /* touches the first: merged */
	add(MEMXLATE_EFI_CONVENTIONAL, 0x200000, 1);    /* gap: separate */
	add(MEMXLATE_OS_BASE + CAPOS_MEM_KERNEL, 0x201000, 4);
	add(MEMXLATE_EFI_MMIO, 0xfec00000, 1);
	add(MEMXLATE_EFI_CONVENTIONAL, 0x3000, 0);      /* empty: dropped */
	CHECK_EQ(xlate(64), 5);
	CHECK(out[0].phys == 0 && out[0].pages == 3 && out[0].type == CAPOS_MEM_BOOT_RECLAIM);
	CHECK_EQ(out[0].efi_type, MEMXLATE_EFI_BS_DATA);
	CHECK(out[1].phys == 0x100000 && out[1].pages == 32 && out[1].type == CAPOS_MEM_USABLE);
	CHECK(out[2].phys == 0x200000 && out[2].pages == 1);
	CHECK(out[3].phys == 0x201000 && out[3].type == CAPOS_MEM_KERNEL);
	CHECK_EQ(out[3].efi_type, MEMXLATE_OS_BASE + CAPOS_MEM_KERNEL);
	CHECK(out[4].phys == 0xfec00000 && out[4].type == CAPOS_MEM_MMIO);
}

static void test_refusals(void)
{
	reset();
	add(MEMXLATE_EFI_CONVENTIONAL, 0x1000, 1);
	CHECK_EQ(memxlate_translate(map, 40, 32, out, 64), -CAPOS_EINVAL);
	CHECK_EQ(xlate(0), -CAPOS_ENOMEM);
	reset();
	add(MEMXLATE_EFI_CONVENTIONAL, 0x1800, 1);
	CHECK_EQ(xlate(64), -CAPOS_EFORMAT);
	reset();
	add(MEMXLATE_EFI_CONVENTIONAL, 0xfffffffffffff000ull, 2);
	CHECK_EQ(xlate(64), -CAPOS_EFORMAT);
	reset();
	add(MEMXLATE_EFI_CONVENTIONAL, 0x10000, 4);
	add(MEMXLATE_EFI_BS_DATA, 0x12000, 4);
	CHECK_EQ(xlate(64), -CAPOS_EFORMAT);
	reset();
	add(MEMXLATE_EFI_BS_DATA, 0x12000, 4);
	add(MEMXLATE_EFI_CONVENTIONAL, 0x10000, 4);
	CHECK_EQ(xlate(64), -CAPOS_EFORMAT);
}

static void test_sums(void)
{
	reset();
	add(MEMXLATE_EFI_CONVENTIONAL, 0x0, 10);
	add(MEMXLATE_EFI_BS_CODE, 0x10000, 5);
	add(MEMXLATE_EFI_RT_DATA, 0x20000, 7);
	add(MEMXLATE_OS_BASE + CAPOS_MEM_BOOTPKG, 0x40000, 3);
	add(MEMXLATE_EFI_MMIO, 0xfe000000, 16);
	add(MEMXLATE_EFI_RESERVED, 0x100000000ull, 16);
	CHECK_EQ(memxlate_free_pages(map, nmap * STRIDE, STRIDE), 15);
	CHECK_EQ(memxlate_pages_of(map, nmap * STRIDE, STRIDE, CAPOS_MEM_USABLE), 10);
	CHECK_EQ(memxlate_pages_of(map, nmap * STRIDE, STRIDE, CAPOS_MEM_BOOTPKG), 3);
	CHECK_EQ(memxlate_pages_of(map, nmap * STRIDE, STRIDE, CAPOS_MEM_RESERVED), 23);
	CHECK(memxlate_ram_top(map, nmap * STRIDE, STRIDE) == 0x43000);
	add(MEMXLATE_EFI_CONVENTIONAL, 0x140000000ull, 1);
	CHECK(memxlate_ram_top(map, nmap * STRIDE, STRIDE) == 0x140001000ull);
	CHECK_EQ(memxlate_free_pages(map, nmap * STRIDE, 8), 0);
	CHECK_EQ(memxlate_ram_top(map, nmap * STRIDE, 8), 0);
	CHECK(memxlate_is_ram(MEMXLATE_EFI_ACPI_NVS));
	CHECK(!memxlate_is_ram(MEMXLATE_EFI_MMIO_PORT));
}

int main(void)
{
	RUN(test_types);
	RUN(test_sort_and_merge);
	RUN(test_refusals);
	RUN(test_sums);
	return check_done();
}
