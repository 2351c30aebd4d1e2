/*
 * Host tests of the loader's checks (libos/rt/loadplan.c): a built-in
 * image gives its entry, heap start and TLS; files the ELF reader refuses
 * (kernel half, over the stack, overlap, W+X, entry outside the text,
 * sizes) and bad PT_TLS headers come back with the code and the fault the
 * loader reports (it answers -CAPOS_EFORMAT for all of them).
 */
#include <capos/error.h>
#include "check.h"
#include "testelf.h"
#include "rt/loadplan.h"

static uint64_t image_words[0x400 / 8];
static uint8_t *image = (uint8_t *)image_words;
static struct elf64_phdr *ph;

static void expect_refused(int err, int index, const char *what)
{
	struct elf_fault fault = { 99, NULL };
	struct load_plan plan;

	CHECK_EQ(load_plan_check(image, UVM_TESTELF_SIZE, &plan, &fault), err);
	CHECK_EQ(fault.index, index);
	CHECK_STR(fault.what, what);
	ph = uvm_testelf_build(image);
}

static void test_builtin(void)
{
	struct elf_fault fault = { 0, NULL };
	struct load_plan plan;

	ph = uvm_testelf_build(image);
	CHECK_EQ(load_plan_check(image, UVM_TESTELF_SIZE, &plan, &fault), 0);
	CHECK_EQ(plan.entry, UVM_TESTELF_TEXT_VA);
	CHECK_EQ(plan.segments, 2);
	CHECK_EQ(plan.heap_start, 0x404000);
	CHECK_EQ(plan.tls_image, UVM_TESTELF_DATA_VA);
	CHECK_EQ(plan.tls_filesz, 16);
	CHECK_EQ(plan.tls_memsz, 64);
	CHECK_EQ(plan.tls_align, 16);
	CHECK_EQ(load_prot(ELF_PF_R | ELF_PF_X), CAPOS_PROT_READ | CAPOS_PROT_EXEC);
	CHECK_EQ(load_prot(ELF_PF_W), CAPOS_PROT_READ | CAPOS_PROT_WRITE);
}

static void test_hostile_segments(void)
{
	const char *outside = "segment lies outside the allowed address range";

	ph = uvm_testelf_build(image);
	ph[1].p_vaddr = CAPOS_USER_MAX + 0x1200;                 /* kernel half */
	expect_refused(-CAPOS_ERANGE, 1, outside);
	ph[1].p_vaddr = LOAD_WINDOW_END + 0x200;                 /* over the bootstrap page and stack */
	expect_refused(-CAPOS_ERANGE, 1, outside);
	ph[1].p_vaddr = 0x400200;                                /* shares the text's page */
	expect_refused(-CAPOS_EFORMAT, 1, "segment overlaps (shares a page with) an earlier segment");
	ph[0].p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;          /* W+X */
	expect_refused(-CAPOS_EPERM, 0, "segment is both writable and executable");
	((struct elf64_ehdr *)image)->e_entry = UVM_TESTELF_DATA_VA;
	expect_refused(-CAPOS_EFORMAT, -1, "entry point is not inside an executable segment");
	((struct elf64_ehdr *)image)->e_entry = 0x7000;          /* outside the image */
	expect_refused(-CAPOS_EFORMAT, -1, "entry point is not inside an executable segment");
	ph[0].p_filesz = ph[0].p_memsz + 1;
	expect_refused(-CAPOS_EFORMAT, 0, "segment file size exceeds its memory size");
}

static void test_bad_tls(void)
{
	ph = uvm_testelf_build(image);
	ph[2].p_filesz = 128;
	expect_refused(-CAPOS_EFORMAT, 2, "TLS file size exceeds its memory size");
	ph[2].p_memsz = LOAD_TLS_MAX + 1;
	expect_refused(-CAPOS_EFORMAT, 2, "TLS segment is empty or too large");
	ph[2].p_align = 24;
	expect_refused(-CAPOS_EFORMAT, 2, "TLS alignment is not a power of two up to the page size");
	ph[2].p_vaddr = 0x500000;
	expect_refused(-CAPOS_EFORMAT, 2, "TLS template lies outside the loadable segments");
}

static void test_bad_buffers(void)
{
	struct elf_fault fault = { 0, NULL };
	struct load_plan plan;

	ph = uvm_testelf_build(image);
	CHECK_EQ(load_plan_check(image, 10, &plan, &fault), -CAPOS_ETRUNC);
	CHECK_EQ(load_plan_check(image + 4, UVM_TESTELF_SIZE, &plan, &fault), -CAPOS_EINVAL);
	image[0] = 0;
	CHECK_EQ(load_plan_check(image, UVM_TESTELF_SIZE, &plan, &fault), -CAPOS_EFORMAT);
}

int main(void)
{
	RUN(test_builtin);
	RUN(test_hostile_segments);
	RUN(test_bad_tls);
	RUN(test_bad_buffers);
	return check_done();
}
