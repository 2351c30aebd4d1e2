/*
 * Host tests for the boot package: exo/lib/bootpkg.c (the checker shared
 * by loader and kernel) and manifests/tool/pkgwrite.c (the writer).  A
 * package is written with pkgwrite, then damaged one field at a time --
 * with the CRCs repaired where needed so the damage reaches the check
 * under test -- and every fault string of the checker must come out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <capos/error.h>
#include "check.h"
#include "lib/bootpkg.h"
#include "lib/crc32.h"
#include "pkgwrite.h"

static uint8_t *pkg;
static uint64_t pkg_size;
static struct bootpkg_fault fault;

static const char text_a[] = "hello, capOS";
static const char text_b[] = "second entry";

static struct capos_bootpkg_header *hdr(void) { return (struct capos_bootpkg_header *)pkg; }
static struct capos_bootpkg_entry *ent(int i) { return (struct capos_bootpkg_entry *)(pkg + 64) + i; }

/* Two entries: "alpha" (file) and "beta" (manifest). */
static void build(void)
{
	struct pkgwrite_item items[2] = {
		{ "alpha", CAPOS_BOOTPKG_FILE, text_a, sizeof text_a },
		{ "beta", CAPOS_BOOTPKG_MANIFEST, text_b, sizeof text_b },
	};

	free(pkg);
	pkg = NULL;
	CHECK_EQ(pkgwrite_build(items, 2, &pkg, &pkg_size, NULL), 0);
}

static void fix_header_crc(void)
{
	hdr()->header_crc32 = 0;
	hdr()->header_crc32 = crc32_update(0, hdr(), sizeof *hdr());
}

static void fix_table_crc(void)
{
	hdr()->table_crc32 = crc32_update(0, ent(0), hdr()->entry_count * sizeof *ent(0));
	fix_header_crc();
}

static int open_pkg(uint64_t size)
{
	struct bootpkg_view view;

	fault = (struct bootpkg_fault){ 99, NULL };
	return bootpkg_open(&view, pkg, size, &fault);
}

#define EXPECT(size, err, idx, text)                  \
	do {                                          \
		CHECK_EQ(open_pkg(size), -(err));     \
		CHECK_EQ(fault.entry, idx);           \
		CHECK_STR(fault.what, text);          \
	} while (0)

static void test_valid_package(void)
{
	struct bootpkg_view view;
	const struct capos_bootpkg_entry *e;

	build();
	CHECK_EQ(pkg_size, 2 * 4096 + sizeof text_b);
	CHECK_EQ(bootpkg_open(&view, pkg, pkg_size, NULL), 0);
	CHECK_EQ(view.count, 2);
	e = bootpkg_find(&view, "beta");
	CHECK(e != NULL);
	if (e) {
		CHECK_EQ(e->offset, 8192);
		CHECK_EQ(e->kind, CAPOS_BOOTPKG_MANIFEST);
		CHECK(memcmp(bootpkg_data(&view, e), text_b, sizeof text_b) == 0);
	}
	CHECK(bootpkg_find(&view, "alpha") == &view.entries[0]);
	CHECK(bootpkg_find(&view, "alph") == NULL);
	CHECK(bootpkg_find(&view, "alphabet") == NULL);
	CHECK(bootpkg_find(&view, "gamma") == NULL);
}

static void test_empty_package(void)
{
	struct bootpkg_view view;

	free(pkg);
	pkg = NULL;
	CHECK_EQ(pkgwrite_build(NULL, 0, &pkg, &pkg_size, NULL), 0);
	CHECK_EQ(pkg_size, 64);
	CHECK_EQ(bootpkg_open(&view, pkg, pkg_size, NULL), 0);
	CHECK_EQ(view.count, 0);
}

static void test_header_faults(void)
{
	struct bootpkg_view view;

	build();
	EXPECT(63, CAPOS_ETRUNC, -1, "file is shorter than the header");
	CHECK_EQ(bootpkg_open(&view, NULL, 64, &fault), -CAPOS_ETRUNC);
	build(); pkg[0] = 'X';
	EXPECT(pkg_size, CAPOS_EFORMAT, -1, "bad magic (not a capOS boot package)");
	build(); hdr()->version = 2;
	EXPECT(pkg_size, CAPOS_EFORMAT, -1, "unsupported boot package version");
	build(); hdr()->total_size++;
	EXPECT(pkg_size, CAPOS_EFORMAT, -1, "header CRC32 mismatch");
	build();
	EXPECT(pkg_size - 1, CAPOS_ETRUNC, -1, "total_size differs from the file size");
	build(); hdr()->entry_count = CAPOS_BOOTPKG_MAX_ENTRIES + 1; fix_header_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, -1, "too many entries");
	build(); hdr()->reserved[31] = 1; fix_header_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, -1, "reserved header bytes are not zero");
}

static void test_table_faults(void)
{
	build();
	hdr()->entry_count = 200;
	hdr()->total_size = 64 + 64 * 100;
	fix_header_crc();
	EXPECT(64 + 64 * 100, CAPOS_ETRUNC, -1, "entry table runs past the end of the file");
	build(); ent(1)->size++;
	EXPECT(pkg_size, CAPOS_EFORMAT, -1, "entry table CRC32 mismatch");
}

static void test_entry_name_faults(void)
{
	build(); memset(ent(1)->name, 0, sizeof ent(1)->name); fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 1, "entry name is empty, unterminated or not printable");
	build(); memset(ent(0)->name, 'a', sizeof ent(0)->name); fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 0, "entry name is empty, unterminated or not printable");
	build(); ent(0)->name[2] = ' '; fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 0, "entry name is empty, unterminated or not printable");
	build(); ent(0)->name[2] = (char)0x80; fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 0, "entry name is empty, unterminated or not printable");
	build(); ent(0)->name[30] = 'x'; fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 0, "entry name is empty, unterminated or not printable");
	build(); strcpy(ent(1)->name, "alpha"); fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 1, "duplicate entry name");
}

static void test_entry_layout_faults(void)
{
	build(); ent(1)->kind = 0; fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 1, "unknown entry kind");
	build(); ent(1)->kind = 4; fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 1, "unknown entry kind");
	build(); ent(1)->offset += 8; fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 1, "entry offset is not 4 KiB aligned");
	build(); ent(1)->offset = 4096; fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 1, "entry overlaps the table or an earlier entry");
	build(); ent(0)->offset = 0; fix_table_crc();
	EXPECT(pkg_size, CAPOS_EFORMAT, 0, "entry overlaps the table or an earlier entry");
	build(); ent(1)->size++; fix_table_crc();
	EXPECT(pkg_size, CAPOS_ETRUNC, 1, "entry data runs past the end of the file");
	build(); ent(1)->offset = 0xfffffffffffff000ull; fix_table_crc();
	EXPECT(pkg_size, CAPOS_ETRUNC, 1, "entry data runs past the end of the file");
	build(); ent(1)->size = 0xffffffffffffffffull; fix_table_crc();
	EXPECT(pkg_size, CAPOS_ETRUNC, 1, "entry data runs past the end of the file");
	build(); pkg[8192 + 3] ^= 1;
	EXPECT(pkg_size, CAPOS_EFORMAT, 1, "entry data CRC32 mismatch");
	build(); pkg[4096] ^= 0x20;
	EXPECT(pkg_size, CAPOS_EFORMAT, 0, "entry data CRC32 mismatch");
}

static void test_writer_faults(void)
{
	struct pkgwrite_fault wf;
	struct pkgwrite_item items[2] = {
		{ "same", CAPOS_BOOTPKG_FILE, text_a, 1 },
		{ "same", CAPOS_BOOTPKG_FILE, text_b, 1 },
	};
	uint8_t *out = NULL;
	uint64_t size;

	CHECK_EQ(pkgwrite_build(items, 2, &out, &size, &wf), -CAPOS_EEXIST);
	CHECK_EQ(wf.item, 1);
	CHECK_STR(wf.what, "duplicate entry name");
	items[1].name = "0123456789012345678901234567890123456789";
	CHECK_EQ(pkgwrite_check(items, 2, &wf), -CAPOS_ERANGE);
	CHECK_STR(wf.what, "entry name is too long (at most 39 bytes)");
	items[1].name = "";
	CHECK_EQ(pkgwrite_check(items, 2, &wf), -CAPOS_EINVAL);
	CHECK_STR(wf.what, "entry name is empty");
	items[1].name = "two words";
	CHECK_EQ(pkgwrite_check(items, 2, &wf), -CAPOS_EINVAL);
	CHECK_STR(wf.what, "entry name has spaces or non-printable characters");
	items[1].name = "ok";
	items[1].kind = 9;
	CHECK_EQ(pkgwrite_check(items, 2, &wf), -CAPOS_EINVAL);
	CHECK_STR(wf.what, "unknown entry kind");
	items[1].kind = CAPOS_BOOTPKG_ELF;
	items[1].data = NULL;
	CHECK_EQ(pkgwrite_check(items, 2, &wf), -CAPOS_EINVAL);
	CHECK_STR(wf.what, "entry has a size but no data");
	CHECK_EQ(pkgwrite_check(items, CAPOS_BOOTPKG_MAX_ENTRIES + 1, &wf), -CAPOS_ERANGE);
	CHECK(out == NULL);
}

static void test_writer_longest_name(void)
{
	struct bootpkg_view view;
	struct pkgwrite_item item = { "012345678901234567890123456789012345678",
				      CAPOS_BOOTPKG_ELF, NULL, 0 };
	uint8_t *out = NULL;
	uint64_t size = 0;

	CHECK_EQ(pkgwrite_build(&item, 1, &out, &size, NULL), 0);
	CHECK_EQ(size, 4096);
	CHECK_EQ(bootpkg_open(&view, out, size, NULL), 0);
	CHECK(bootpkg_find(&view, item.name) != NULL);
	free(out);
}

int main(void)
{
	RUN(test_valid_package);
	RUN(test_empty_package);
	RUN(test_header_faults);
	RUN(test_table_faults);
	RUN(test_entry_name_faults);
	RUN(test_entry_layout_faults);
	RUN(test_writer_faults);
	RUN(test_writer_longest_name);
	free(pkg);
	return check_done();
}
