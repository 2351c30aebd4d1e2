/*
 * Host tests of the user program loader (exo/proc/uelf.c): a built-in
 * image (text, data + bss, TLS) and the corpus user-like.elf load with the
 * right contents, protections, stack and guard; files the ELF checks
 * refuse, bad PT_TLS headers, bad stack parameters, clashes with existing
 * mappings, quota and frame exhaustion at every allocation — each with a
 * precise fault and nothing left mapped or charged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <capos/error.h>
#include "check.h"
#include "fake_env.h"
#include "proc/aspace.h"
#include "proc/uaccess.h"
#include "proc/uelf.h"
#include "proc/uvm_testelf.h"

#define P CAPOS_PAGE_SIZE
#define RW (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define BIG 0x400u  /* room for a moved program header table */

static uint64_t image_words[BIG / 8];
static uint8_t *image = (uint8_t *)image_words;
static struct elf64_phdr *ph;
static struct quota *q;
static struct aspace *as;
static const struct uelf_params params = { .stack_pages = 4, .guard_pages = 2, .stack_top = 0 };

static void setup(uint64_t frames)
{
	const struct quota_limits lim = { .frames = frames, .kmem = 1 << 20 };

	fake_reset();
	ph = uvm_testelf_build(image);
	q = quota_create(&lim);
	CHECK_EQ(aspace_create(q, &as), 0);
}

static void teardown(void)
{
	aspace_destroy(as);
	CHECK_EQ(q->frames_used, 0);
	quota_put(q);
	CHECK_EQ(fake.frames_live, 0);
}

/* Load must fail with err at phdr index, leaving only the PML4. */
static void expect_refused(uint64_t size, int err, int index, const char *what)
{
	struct elf_fault fault = { 99, NULL };
	struct uelf_info info;
	uint32_t regions = aspace_region_count(as);
	uint64_t used = q->frames_used;

	CHECK_EQ(uelf_load_process(as, image, size, &params, &info, &fault), err);
	CHECK_EQ(fault.index, index);
	CHECK_STR(fault.what, what);
	CHECK_EQ(aspace_region_count(as), regions);
	CHECK_EQ(q->frames_used, used);
}

static void test_load_builtin(void)
{
	struct elf_fault fault = { 0, NULL };
	struct uelf_info info;
	struct vma r;
	uint8_t got[UVM_TESTELF_DATA_LEN];

	setup(64);
	CHECK_EQ(uelf_load_process(as, image, UVM_TESTELF_SIZE, &params, &info, &fault), 0);
	CHECK_EQ(info.entry, UVM_TESTELF_TEXT_VA);
	CHECK_EQ(info.segments, 2);
	CHECK_EQ(info.brk_start, 0x404000);
	CHECK_EQ(info.tls_image, UVM_TESTELF_DATA_VA);
	CHECK_EQ(info.tls_filesz, 16);
	CHECK_EQ(info.tls_memsz, 64);
	CHECK_EQ(info.tls_align, 16);
	CHECK_EQ(info.stack_top, CAPOS_USER_STACK_TOP);
	CHECK_EQ(info.stack_bottom, CAPOS_USER_STACK_TOP - 4 * P);
	CHECK_EQ(uaccess_copy_from(as, got, UVM_TESTELF_TEXT_VA, UVM_TESTELF_TEXT_LEN), 0);
	for (unsigned i = 0; i < UVM_TESTELF_TEXT_LEN; i++)
		CHECK_EQ(got[i], uvm_testelf_byte(UVM_TESTELF_TEXT_OFF + i));
	CHECK_EQ(uaccess_copy_from(as, got, UVM_TESTELF_DATA_VA, UVM_TESTELF_DATA_LEN), 0);
	CHECK_EQ(got[31], uvm_testelf_byte(UVM_TESTELF_DATA_OFF + 31));
	CHECK_EQ(uaccess_copy_from(as, got, UVM_TESTELF_DATA_VA + UVM_TESTELF_DATA_LEN, 8), 0);
	CHECK_EQ(got[0] | got[7], 0);                          /* bss */
	CHECK_EQ(uaccess_copy_from(as, got, 0x400000, 8), 0);  /* before the text, same page */
	CHECK_EQ(got[0], 0);
	CHECK_EQ(aspace_region_at(as, UVM_TESTELF_TEXT_VA, &r), 0);
	CHECK_EQ(r.kind, VMA_IMAGE);
	CHECK_EQ(r.prot, CAPOS_PROT_READ | CAPOS_PROT_EXEC);
	CHECK_EQ(aspace_region_at(as, 0x403fff, &r), 0);
	CHECK_EQ(r.prot, RW);
	CHECK_EQ(r.start, 0x401000);
	CHECK_EQ(r.pages, 3);
	CHECK_EQ(uaccess_check(as, UVM_TESTELF_TEXT_VA, 1, true), -CAPOS_EFAULT);
	CHECK_EQ(uaccess_check(as, 0x403ff0, 16, true), 0);
	CHECK_EQ(aspace_region_at(as, info.stack_bottom - 1, &r), 0);
	CHECK_EQ(r.kind, VMA_GUARD);
	CHECK_EQ(r.pages, 2);
	CHECK_EQ(uaccess_check(as, info.stack_top - 8, 8, true), 0);
	CHECK_EQ(q->frames_used, 1 + (3 + 1 + 3) + (3 + 4));  /* tables; text+data; tables+stack */
	teardown();
}

static void test_load_without_stack(void)
{
	struct uelf_info info;

	setup(64);
	ph[2].p_type = ELF_PT_NULL;                            /* no TLS */
	CHECK_EQ(uelf_load(as, image, UVM_TESTELF_SIZE, &info, NULL), 0);
	CHECK_EQ(info.stack_top, 0);
	CHECK_EQ(info.tls_memsz, 0);
	CHECK_EQ(aspace_region_count(as), 2);
	teardown();
}

static void *read_corpus(const char *name, uint64_t *size)
{
	char path[512];
	FILE *f;
	void *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", UVM_TEST_CORPUS, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = aligned_alloc(8, (size_t)(n + 7) & ~7ul);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	*size = (uint64_t)n;
	return buf;
}

static void test_corpus(void)
{
	static const struct { const char *name; int err; } files[] = {
		{ "user-like.elf", 0 },
		{ "wx-segment.elf", -CAPOS_EPERM },
		{ "kernel-like.elf", -CAPOS_ERANGE },
		{ "truncated.elf", -CAPOS_ETRUNC },
		{ "entry-in-rodata.elf", -CAPOS_ERANGE },   /* a kernel-half file */
	};

	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct elf_fault fault = { 0, NULL };
		struct uelf_info info;
		uint64_t size = 0;
		void *buf = read_corpus(files[i].name, &size);
		int err;

		CHECK(buf != NULL);
		if (!buf)
			continue;
		setup(256);
		err = uelf_load_process(as, buf, size, &params, &info, &fault);
		if (err != files[i].err)
			printf("#   %s: %d (%s)\n", files[i].name, err, fault.what ? fault.what : "-");
		CHECK_EQ(err, files[i].err);
		if (err == 0) {
			CHECK_EQ(info.entry, 0x400100);
			CHECK_EQ(info.segments, 3);
			CHECK_EQ(info.brk_start, 0x406000);
		} else {
			CHECK(fault.what != NULL);
			CHECK_EQ(aspace_region_count(as), 0);
			CHECK_EQ(q->frames_used, 1);
		}
		teardown();
		free(buf);
	}
}

static void test_bad_buffers_and_params(void)
{
	struct uelf_params p = params;
	struct elf_fault fault;
	struct uelf_info info;

	setup(64);
	CHECK_EQ(uelf_load_process(as, image + 8, UVM_TESTELF_SIZE - 8, &params, &info, &fault),
		 -CAPOS_EFORMAT);
	CHECK_EQ(uelf_load_process(as, image, 40, &params, &info, &fault), -CAPOS_ETRUNC);
	p.stack_pages = 0;
	CHECK_EQ(uelf_load_process(as, image, UVM_TESTELF_SIZE, &p, &info, &fault), -CAPOS_EINVAL);
	CHECK_STR(fault.what, "stack or guard size is 0");
	p = params;
	p.stack_top = 0x7fff00000010ull;
	CHECK_EQ(uelf_load_process(as, image, UVM_TESTELF_SIZE, &p, &info, &fault), -CAPOS_EINVAL);
	CHECK_STR(fault.what, "stack top is not page aligned");
	p.stack_top = 0x403000;                                /* stack would cover the data */
	CHECK_EQ(uelf_load_process(as, image, UVM_TESTELF_SIZE, &p, &info, &fault), -CAPOS_EEXIST);
	CHECK_EQ(fault.index, -1);
	CHECK_STR(fault.what, "stack overlaps a segment or an existing mapping");
	CHECK_EQ(aspace_region_count(as), 0);
	CHECK_EQ(q->frames_used, 1);
	teardown();
}

static void test_bad_tls(void)
{
	setup(64);
	ph[2].p_filesz = 128;
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EFORMAT, 2, "TLS file size exceeds its memory size");
	ph = uvm_testelf_build(image);
	ph[2].p_filesz = 0;
	ph[2].p_memsz = 0;
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EFORMAT, 2, "TLS segment is empty or too large");
	ph = uvm_testelf_build(image);
	ph[2].p_memsz = UELF_TLS_MAX + 1;
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EFORMAT, 2, "TLS segment is empty or too large");
	ph = uvm_testelf_build(image);
	ph[2].p_align = 24;
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EFORMAT, 2,
		       "TLS alignment is not a power of two up to the page size");
	ph = uvm_testelf_build(image);
	ph[2].p_align = 8192;
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EFORMAT, 2,
		       "TLS alignment is not a power of two up to the page size");
	ph = uvm_testelf_build(image);
	ph[2].p_vaddr = 0x500000;
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EFORMAT, 2, "TLS template lies outside the loadable segments");
	ph = uvm_testelf_build(image);
	ph[2].p_vaddr = UVM_TESTELF_DATA_VA + UVM_TESTELF_DATA_MEM - 8;   /* runs off the end */
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EFORMAT, 2, "TLS template lies outside the loadable segments");
	ph = uvm_testelf_build(image);
	ph[2].p_vaddr = UINT64_MAX - 4;
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EFORMAT, 2, "TLS template lies outside the loadable segments");
	/* A second PT_TLS: move the header table to make room for a fourth entry. */
	ph = uvm_testelf_build(image);
	memcpy(image + 0x300, ph, 3 * sizeof(*ph));
	ph = (struct elf64_phdr *)(image + 0x300);
	ph[3] = ph[2];
	((struct elf64_ehdr *)image)->e_phoff = 0x300;
	((struct elf64_ehdr *)image)->e_phnum = 4;
	expect_refused(BIG, -CAPOS_EFORMAT, 3, "more than one TLS segment (PT_TLS)");
	teardown();
}

static void test_clash_with_existing_mapping(void)
{
	setup(64);
	CHECK_EQ(aspace_map_anon(as, 0x402000, 1, RW, NULL), 0);
	/* The text maps, then the data clashes: the text must go again. */
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EEXIST, 1, "segment overlaps an existing mapping");
	CHECK_EQ(aspace_region_count(as), 1);
	teardown();
}

static void test_quota_exhaustion(void)
{
	setup(6);                                              /* PML4 + 3 tables + text, then short */
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EQUOTA, 1, "frame quota exhausted loading segment");
	teardown();
	setup(14);                                             /* segments fit, the stack does not */
	expect_refused(UVM_TESTELF_SIZE, -CAPOS_EQUOTA, -1, "frame quota exhausted mapping the stack");
	teardown();
}

/* Fail the n-th frame allocation for every n: success or a clean refusal. */
static void test_frame_failure_everywhere(void)
{
	int succeeded = 0;

	for (long n = 0; n < 40; n++) {
		struct elf_fault fault = { 0, NULL };
		struct uelf_info info;
		int err;

		setup(256);
		fake.frame_fail_after = n;
		err = uelf_load_process(as, image, UVM_TESTELF_SIZE, &params, &info, &fault);
		fake.frame_fail_after = -1;
		if (err == 0) {
			succeeded++;
		} else {
			CHECK_EQ(err, -CAPOS_ENOMEM);
			CHECK(fault.what != NULL);
			CHECK_EQ(aspace_region_count(as), 0);
			CHECK_EQ(q->frames_used, 1);
			CHECK_EQ(fake.frames_live, 1);
		}
		teardown();
	}
	CHECK(succeeded > 0);
}

int main(void)
{
	RUN(test_load_builtin);
	RUN(test_load_without_stack);
	RUN(test_corpus);
	RUN(test_bad_buffers_and_params);
	RUN(test_bad_tls);
	RUN(test_clash_with_existing_mapping);
	RUN(test_quota_exhaustion);
	RUN(test_frame_failure_everywhere);
	return check_done();
}
