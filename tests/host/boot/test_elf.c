/*
 * Host tests for exo/lib/elf.c.  Each test builds a small, valid x86_64
 * executable image in memory (three segments R-X, R--, RW-, a symbol
 * table), breaks one thing, and checks the exact fault: every failure
 * path of elf_open, elf_check_load and elf_find_symtab, then symbol
 * lookup.  With a path argument it also checks a real kernel ELF file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capos/bootinfo.h>
#include <capos/error.h>
#include "check.h"
#include "lib/elf.h"

#define BASE 0xffffffff80200000ull
#define VMAX (0ull - 4096)
#define IMG_SIZE 0x5000
#define SYMTAB_OFF 0x4000
#define STRTAB_OFF 0x4100
#define SHDR_OFF 0x4200
#define NSYMS 7

static uint64_t storage[IMG_SIZE / 8 + 1];
static uint8_t *img = (uint8_t *)storage;

static struct elf64_ehdr *eh(void) { return (struct elf64_ehdr *)img; }
static struct elf64_phdr *ph(int i) { return (struct elf64_phdr *)(img + 64) + i; }
static struct elf64_shdr *sh(int i) { return (struct elf64_shdr *)(img + SHDR_OFF) + i; }
static struct elf64_sym *sym(int i) { return (struct elf64_sym *)(img + SYMTAB_OFF) + i; }

static const char strtab[] = "\0alpha\0beta\0gamma\0object\0extern\0inner";
enum { N_ALPHA = 1, N_BETA = 7, N_GAMMA = 12, N_OBJECT = 18, N_EXTERN = 25, N_INNER = 32 };

static void set_phdr(int i, uint32_t flags, uint64_t off, uint64_t filesz, uint64_t memsz)
{
	*ph(i) = (struct elf64_phdr){ .p_type = ELF_PT_LOAD, .p_flags = flags, .p_offset = off,
				      .p_vaddr = BASE + off, .p_paddr = BASE + off,
				      .p_filesz = filesz, .p_memsz = memsz, .p_align = 4096 };
}

static void set_sym(int i, uint32_t name, uint8_t type, uint16_t shndx, uint64_t value, uint64_t size)
{
	*sym(i) = (struct elf64_sym){ .st_name = name, .st_info = (uint8_t)(0x10 | type),
				      .st_shndx = shndx, .st_value = value, .st_size = size };
}

static void build_header(void)
{
	memcpy(eh()->e_ident, "\x7f" "ELF", 4);
	eh()->e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	eh()->e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
	eh()->e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
	eh()->e_type = ELF_ET_EXEC;
	eh()->e_machine = ELF_EM_X86_64;
	eh()->e_version = ELF_EV_CURRENT;
	eh()->e_entry = BASE + 0x1000;
	eh()->e_phoff = 64;
	eh()->e_shoff = SHDR_OFF;
	eh()->e_ehsize = 64;
	eh()->e_phentsize = sizeof(struct elf64_phdr);
	eh()->e_phnum = 3;
	eh()->e_shentsize = sizeof(struct elf64_shdr);
	eh()->e_shnum = 4;
	eh()->e_shstrndx = 0;
}

static void build_symbols(void)
{
	set_sym(0, 0, 0, 0, 0, 0);
	set_sym(1, N_ALPHA, ELF_STT_FUNC, 1, BASE + 0x1000, 0x40);
	set_sym(2, N_BETA, ELF_STT_FUNC, 1, BASE + 0x1040, 0x20);
	set_sym(3, N_GAMMA, ELF_STT_FUNC, 1, BASE + 0x1080, 0);
	set_sym(4, N_OBJECT, ELF_STT_OBJECT, 2, BASE + 0x2000, 0x100);
	set_sym(5, N_EXTERN, ELF_STT_FUNC, ELF_SHN_UNDEF, BASE + 0x10a0, 0x10);
	set_sym(6, N_INNER, ELF_STT_FUNC, 1, BASE + 0x1010, 0x8);
	memcpy(img + STRTAB_OFF, strtab, sizeof strtab);
	*sh(1) = (struct elf64_shdr){ .sh_type = 1, .sh_offset = 0x1000, .sh_size = 0x100 };
	*sh(2) = (struct elf64_shdr){ .sh_type = ELF_SHT_SYMTAB, .sh_offset = SYMTAB_OFF,
				      .sh_size = NSYMS * sizeof(struct elf64_sym), .sh_link = 3,
				      .sh_entsize = sizeof(struct elf64_sym) };
	*sh(3) = (struct elf64_shdr){ .sh_type = ELF_SHT_STRTAB, .sh_offset = STRTAB_OFF,
				      .sh_size = sizeof strtab };
}

/* The valid image every test starts from. */
static void build(void)
{
	memset(storage, 0, sizeof storage);
	build_header();
	set_phdr(0, ELF_PF_R | ELF_PF_X, 0x1000, 0x100, 0x100);
	set_phdr(1, ELF_PF_R, 0x2000, 0x100, 0x100);
	set_phdr(2, ELF_PF_R | ELF_PF_W, 0x3000, 0x10, 0x2000);
	build_symbols();
}

static struct elf_fault fault;

static int open_img(uint64_t size)
{
	struct elf_image im;

	fault = (struct elf_fault){ 99, NULL };
	return elf_open(&im, img, size, &fault);
}

static int load_img(void)
{
	struct elf_image im;
	int err;

	fault = (struct elf_fault){ 99, NULL };
	err = elf_open(&im, img, IMG_SIZE, &fault);
	return err ? err : elf_check_load(&im, BASE, VMAX, &fault);
}

static int symtab_img(struct elf_symtab *st)
{
	struct elf_image im;
	int err;

	fault = (struct elf_fault){ 99, NULL };
	err = elf_open(&im, img, IMG_SIZE, &fault);
	return err ? err : elf_find_symtab(&im, st, &fault);
}

#define EXPECT_OPEN(size, err, idx, text)                 \
	do {                                              \
		CHECK_EQ(open_img(size), -(err));         \
		CHECK_EQ(fault.index, idx);               \
		CHECK_STR(fault.what, text);              \
	} while (0)

#define EXPECT_LOAD(err, idx, text)                       \
	do {                                              \
		CHECK_EQ(load_img(), -(err));             \
		CHECK_EQ(fault.index, idx);               \
		CHECK_STR(fault.what, text);              \
	} while (0)

#define EXPECT_SYMTAB(err, idx, text)                     \
	do {                                              \
		struct elf_symtab st_;                    \
		CHECK_EQ(symtab_img(&st_), -(err));       \
		CHECK_EQ(fault.index, idx);               \
		CHECK_STR(fault.what, text);              \
	} while (0)

static void test_valid_image(void)
{
	struct elf_image im;
	struct elf_segment seg;
	uint64_t start, end;

	build();
	CHECK_EQ(elf_open(&im, img, IMG_SIZE, NULL), 0);
	CHECK_EQ(im.phnum, 3);
	CHECK_EQ(im.shnum, 4);
	CHECK(im.entry == BASE + 0x1000);
	CHECK_EQ(elf_check_load(&im, BASE, VMAX, NULL), 3);
	CHECK_EQ(elf_segment(&im, 2, &seg), 0);
	CHECK(seg.vaddr == BASE + 0x3000);
	CHECK_EQ(seg.filesz, 0x10);
	CHECK_EQ(seg.memsz, 0x2000);
	CHECK_EQ(seg.flags, ELF_PF_R | ELF_PF_W);
	CHECK_EQ(seg.index, 2);
	elf_segment_pages(&seg, &start, &end);
	CHECK(start == BASE + 0x3000 && end == BASE + 0x5000);
	CHECK_EQ(elf_segment(&im, 3, &seg), -CAPOS_ENOENT);
}

static void test_segment_skips_other_types(void)
{
	struct elf_image im;
	struct elf_segment seg;

	build();
	ph(1)->p_type = 0x6474e551; /* PT_GNU_STACK */
	CHECK_EQ(elf_open(&im, img, IMG_SIZE, NULL), 0);
	CHECK_EQ(elf_check_load(&im, BASE, VMAX, NULL), 2);
	CHECK_EQ(elf_segment(&im, 1, &seg), 0);
	CHECK_EQ(seg.index, 2);
}

static void test_open_size_and_alignment(void)
{
	struct elf_image im;

	build();
	EXPECT_OPEN(63, CAPOS_ETRUNC, -1, "file is shorter than the ELF header");
	CHECK_EQ(elf_open(&im, NULL, 64, &fault), -CAPOS_ETRUNC);
	CHECK_EQ(elf_open(&im, img + 1, IMG_SIZE - 1, &fault), -CAPOS_EINVAL);
	CHECK_STR(fault.what, "file buffer is not 8-byte aligned");
}

static void test_open_ident(void)
{
	build(); img[1] = 'e';
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "bad magic (not an ELF file)");
	build(); img[ELF_EI_CLASS] = 1;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ENOTSUP, -1, "not a 64-bit ELF file (ELFCLASS64 expected)");
	build(); img[ELF_EI_DATA] = 2;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ENOTSUP, -1, "not a little-endian ELF file");
	build(); img[ELF_EI_VERSION] = 0;
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "unknown ELF version (EV_CURRENT expected)");
	build(); eh()->e_version = 2;
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "unknown ELF version (EV_CURRENT expected)");
	build(); img[ELF_EI_OSABI] = 9;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ENOTSUP, -1, "unsupported OS ABI (System V or GNU expected)");
	build(); img[ELF_EI_OSABI] = ELF_OSABI_GNU;
	CHECK_EQ(open_img(IMG_SIZE), 0);
}

static void test_open_type(void)
{
	build(); eh()->e_machine = 3;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ENOTSUP, -1, "wrong machine (x86_64 expected)");
	build(); eh()->e_type = 3;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ENOTSUP, -1, "not a static executable (ET_EXEC expected)");
	build(); eh()->e_ehsize = 52;
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "bad ELF header size");
}

static void test_open_phdr_table(void)
{
	build(); eh()->e_phnum = 0;
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "no program headers");
	build(); eh()->e_phnum = ELF_PN_XNUM;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ENOTSUP, -1, "extended program header numbering is not supported");
	build(); eh()->e_phentsize = 32;
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "bad program header entry size");
	build(); eh()->e_phoff = 68;
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "program header table is misaligned");
	build(); eh()->e_phoff = IMG_SIZE - 8 * 17;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ETRUNC, -1, "program header table runs past the end of the file");
	build(); eh()->e_phoff = 0xfffffffffffffff8ull;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ETRUNC, -1, "program header table runs past the end of the file");
	build();
	EXPECT_OPEN(64 + 56 * 3 - 1, CAPOS_ETRUNC, -1, "program header table runs past the end of the file");
}

static void test_open_shdr_table(void)
{
	build(); eh()->e_shnum = 0;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ENOTSUP, -1, "extended section numbering is not supported");
	build(); eh()->e_shnum = 0; eh()->e_shoff = 0;
	CHECK_EQ(open_img(IMG_SIZE), 0);
	build(); eh()->e_shentsize = 40;
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "bad section header entry size");
	build(); eh()->e_shoff = SHDR_OFF + 4;
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "section header table is misaligned");
	build();
	EXPECT_OPEN(SHDR_OFF + 64 * 4 - 1, CAPOS_ETRUNC, -1, "section header table runs past the end of the file");
	build(); eh()->e_shoff = 0xffffffffffffff00ull;
	EXPECT_OPEN(IMG_SIZE, CAPOS_ETRUNC, -1, "section header table runs past the end of the file");
	build(); eh()->e_shstrndx = 4;
	EXPECT_OPEN(IMG_SIZE, CAPOS_EFORMAT, -1, "section name table index is out of range");
}

static void test_load_window_arg(void)
{
	struct elf_image im;

	build();
	CHECK_EQ(elf_open(&im, img, IMG_SIZE, NULL), 0);
	CHECK_EQ(elf_check_load(&im, BASE, BASE, &fault), -CAPOS_EINVAL);
	CHECK_STR(fault.what, "empty load window");
}

static void test_load_segment_shape(void)
{
	build(); ph(1)->p_type = ELF_PT_INTERP;
	EXPECT_LOAD(CAPOS_ENOTSUP, 1, "program needs dynamic linking (PT_INTERP or PT_DYNAMIC)");
	build(); ph(2)->p_type = ELF_PT_DYNAMIC;
	EXPECT_LOAD(CAPOS_ENOTSUP, 2, "program needs dynamic linking (PT_INTERP or PT_DYNAMIC)");
	build(); ph(1)->p_memsz = 0; ph(1)->p_filesz = 0;
	EXPECT_LOAD(CAPOS_EFORMAT, 1, "loadable segment is empty (memsz 0)");
	build(); ph(2)->p_filesz = 0x2001;
	EXPECT_LOAD(CAPOS_EFORMAT, 2, "segment file size exceeds its memory size");
	build(); ph(2)->p_offset = 0x4000; ph(2)->p_filesz = 0x1001;
	EXPECT_LOAD(CAPOS_ETRUNC, 2, "segment data runs past the end of the file");
	build(); ph(0)->p_offset = 0xfffffffffffff000ull; ph(0)->p_vaddr = BASE;
	EXPECT_LOAD(CAPOS_ETRUNC, 0, "segment data runs past the end of the file");
	build(); ph(1)->p_flags |= 0x10;
	EXPECT_LOAD(CAPOS_EFORMAT, 1, "segment has unknown permission flags");
	build(); ph(2)->p_flags |= ELF_PF_X;
	EXPECT_LOAD(CAPOS_EPERM, 2, "segment is both writable and executable");
}

static void test_load_segment_alignment(void)
{
	build(); ph(1)->p_align = 0x3000;
	EXPECT_LOAD(CAPOS_EFORMAT, 1, "segment alignment is not a power of two");
	build(); ph(1)->p_align = 0x2000; ph(1)->p_offset = 0x1000;
	EXPECT_LOAD(CAPOS_EFORMAT, 1, "segment address and file offset disagree modulo its alignment");
	build(); ph(1)->p_vaddr += 0x10;
	EXPECT_LOAD(CAPOS_EFORMAT, 1, "segment address and file offset disagree modulo its alignment");
	build(); ph(1)->p_align = 0; ph(1)->p_vaddr += 0x10;
	EXPECT_LOAD(CAPOS_EFORMAT, 1, "segment address and file offset disagree modulo the page size");
	build(); ph(1)->p_align = 1; ph(1)->p_vaddr += 0x800;
	EXPECT_LOAD(CAPOS_EFORMAT, 1, "segment address and file offset disagree modulo the page size");
	build(); ph(1)->p_align = 16; ph(1)->p_vaddr += 0x10; ph(1)->p_offset += 0x10;
	CHECK_EQ(load_img(), 3);
}

static void test_load_segment_window(void)
{
	build(); ph(2)->p_memsz = 0xffffffffffff0000ull;
	EXPECT_LOAD(CAPOS_ERANGE, 2, "segment wraps around the end of the address space");
	build(); ph(2)->p_vaddr = 0xfffffffffffff000ull; ph(2)->p_offset = 0x3000; ph(2)->p_memsz = 0xff0;
	EXPECT_LOAD(CAPOS_ERANGE, 2, "segment wraps around the end of the address space");
	build(); ph(2)->p_vaddr = 0xffffffffffffe000ull; ph(2)->p_memsz = 0x1000;
	CHECK_EQ(load_img(), 3);
	build(); ph(1)->p_vaddr = BASE - 0x1000; ph(1)->p_offset = 0x2000;
	EXPECT_LOAD(CAPOS_ERANGE, 1, "segment lies outside the allowed address range");
	build(); ph(1)->p_vaddr = 0x2000;
	EXPECT_LOAD(CAPOS_ERANGE, 1, "segment lies outside the allowed address range");
}

static void test_load_window_top(void)
{
	struct elf_image im;

	build();
	CHECK_EQ(elf_open(&im, img, IMG_SIZE, NULL), 0);
	CHECK_EQ(elf_check_load(&im, BASE + 0x1000, BASE + 0x5000, &fault), 3);
	CHECK_EQ(elf_check_load(&im, BASE + 0x1000, BASE + 0x4fff, &fault), -CAPOS_ERANGE);
	CHECK_EQ(fault.index, 2);
	CHECK_STR(fault.what, "segment lies outside the allowed address range");
	CHECK_EQ(elf_check_load(&im, BASE + 0x1001, VMAX, &fault), -CAPOS_ERANGE);
	CHECK_EQ(fault.index, 0);
}

static void test_load_overlap_and_entry(void)
{
	build(); ph(1)->p_vaddr = BASE + 0x1000;
	EXPECT_LOAD(CAPOS_EFORMAT, 1, "segment overlaps (shares a page with) an earlier segment");
	build(); ph(1)->p_vaddr = BASE + 0x1000 + 0x800; ph(1)->p_offset = 0x2800; ph(1)->p_filesz = 0x10; ph(1)->p_memsz = 0x10;
	ph(1)->p_align = 1;
	EXPECT_LOAD(CAPOS_EFORMAT, 1, "segment overlaps (shares a page with) an earlier segment");
	build(); ph(2)->p_vaddr = BASE + 0x2000; ph(2)->p_offset = 0x2000; ph(2)->p_filesz = 0;
	EXPECT_LOAD(CAPOS_EFORMAT, 2, "segment overlaps (shares a page with) an earlier segment");
	build(); ph(0)->p_type = 0; ph(1)->p_type = 0; ph(2)->p_type = 0;
	EXPECT_LOAD(CAPOS_EFORMAT, -1, "no loadable (PT_LOAD) segment");
	build(); eh()->e_entry = BASE + 0x2000;
	EXPECT_LOAD(CAPOS_EFORMAT, -1, "entry point is not inside an executable segment");
	build(); eh()->e_entry = BASE + 0x1100;
	EXPECT_LOAD(CAPOS_EFORMAT, -1, "entry point is not inside an executable segment");
	build(); eh()->e_entry = BASE + 0x10ff;
	CHECK_EQ(load_img(), 3);
}

static void test_symtab_found(void)
{
	struct elf_symtab st;

	build();
	CHECK_EQ(symtab_img(&st), 0);
	CHECK_EQ(st.count, NSYMS);
	CHECK_EQ(st.str_size, sizeof strtab);
	CHECK_STR(st.str + N_GAMMA, "gamma");
}

static void test_symtab_faults(void)
{
	build(); sh(2)->sh_type = 1;
	EXPECT_SYMTAB(CAPOS_ENOENT, -1, "no symbol table (file is stripped)");
	build(); sh(2)->sh_entsize = 16;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 2, "bad symbol table entry size");
	build(); sh(2)->sh_size -= 1;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 2, "symbol table size is not a whole number of entries");
	build(); sh(2)->sh_offset += 4;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 2, "symbol table is misaligned");
	build(); sh(2)->sh_offset = IMG_SIZE - 24;
	EXPECT_SYMTAB(CAPOS_ETRUNC, 2, "section data runs past the end of the file");
	build(); sh(2)->sh_link = 0;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 0, "symbol table links to no string table");
	build(); sh(2)->sh_link = 9;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 9, "symbol table links to no string table");
	build(); sh(2)->sh_link = 1;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 1, "symbol table link is not a string table");
	build(); sh(3)->sh_type = ELF_SHT_NOBITS; sh(2)->sh_link = 3; sh(3)->sh_type = ELF_SHT_STRTAB;
	sh(3)->sh_size = 0;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 3, "string table is empty or not NUL-terminated");
	build(); sh(3)->sh_size -= 1;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 3, "string table is empty or not NUL-terminated");
	build(); sh(3)->sh_offset = 0xffffffffffffff00ull;
	EXPECT_SYMTAB(CAPOS_ETRUNC, 3, "section data runs past the end of the file");
	build(); sh(2)->sh_type = ELF_SHT_NOBITS; sh(1)->sh_type = ELF_SHT_SYMTAB;
	sh(1)->sh_offset = SYMTAB_OFF; sh(1)->sh_size = 24; sh(1)->sh_entsize = 24; sh(1)->sh_link = 2;
	sh(2)->sh_offset = STRTAB_OFF;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 2, "symbol table link is not a string table");
}

static void test_symtab_nobits_strtab(void)
{
	/* A string table marked SHT_NOBITS is not SHT_STRTAB: caught by type. */
	build(); sh(3)->sh_type = ELF_SHT_NOBITS;
	EXPECT_SYMTAB(CAPOS_EFORMAT, 3, "symbol table link is not a string table");
	/* A symbol table marked NOBITS is not found as SHT_SYMTAB at all. */
	build(); sh(2)->sh_type = ELF_SHT_NOBITS;
	EXPECT_SYMTAB(CAPOS_ENOENT, -1, "no symbol table (file is stripped)");
}

static void test_symbolize(void)
{
	struct elf_symtab st;
	uint64_t off = 12345;

	build();
	CHECK_EQ(symtab_img(&st), 0);
	CHECK_STR(elf_symbolize(&st, BASE + 0x1000, &off), "alpha");
	CHECK_EQ(off, 0);
	CHECK_STR(elf_symbolize(&st, BASE + 0x103f, &off), "alpha");
	CHECK_EQ(off, 0x3f);
	CHECK_STR(elf_symbolize(&st, BASE + 0x1012, &off), "inner");
	CHECK_EQ(off, 2);
	CHECK_STR(elf_symbolize(&st, BASE + 0x1050, &off), "beta");
	CHECK_EQ(off, 0x10);
	/* gamma has size 0: it covers what follows it. */
	CHECK_STR(elf_symbolize(&st, BASE + 0x10a4, &off), "gamma");
	CHECK_EQ(off, 0x24);
	CHECK(elf_symbolize(&st, BASE + 0xfff, &off) == NULL);
	CHECK(elf_symbolize(&st, 0, NULL) == NULL);
	CHECK(elf_symbolize(NULL, BASE + 0x1000, &off) == NULL);
}

static void test_symbolize_gaps(void)
{
	struct elf_symtab st;
	uint64_t off;

	build();
	set_sym(3, N_GAMMA, ELF_STT_FUNC, 1, BASE + 0x1080, 0x10);
	CHECK_EQ(symtab_img(&st), 0);
	/* Past the end of the last sized function: nothing. */
	CHECK(elf_symbolize(&st, BASE + 0x1090, &off) == NULL);
	CHECK(elf_symbolize(&st, BASE + 0x1060, &off) == NULL);
	/* A name offset outside the string table is ignored, not followed. */
	sym(1)->st_name = 0x7fffffff;
	CHECK(elf_symbolize(&st, BASE + 0x1000, &off) == NULL);
}

static void *read_file(const char *path, uint64_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)len);
		if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		*size = (uint64_t)len;
	}
	fclose(f);
	return buf;
}

static const char *kernel_path;

/* The linked kernel: loadable in the loader's window, symbols work. */
static void test_real_kernel(void)
{
	struct elf_image im;
	struct elf_symtab st;
	uint64_t size = 0, off = 1;
	void *buf = read_file(kernel_path, &size);
	int n;

	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_EQ(elf_open(&im, buf, size, &fault), 0);
	n = elf_check_load(&im, CAPOS_KERNEL_BASE, VMAX, &fault);
	CHECK(n >= 1 && n <= CAPOS_KSEG_MAX);
	if (n < 0)
		printf("#   kernel: %s (index %d)\n", fault.what, fault.index);
	CHECK_EQ(elf_find_symtab(&im, &st, &fault), 0);
	CHECK_STR(elf_symbolize(&st, im.entry, &off), "_start");
	CHECK_EQ(off, 0);
	free(buf);
}

int main(int argc, char **argv)
{
	RUN(test_valid_image);
	RUN(test_segment_skips_other_types);
	RUN(test_open_size_and_alignment);
	RUN(test_open_ident);
	RUN(test_open_type);
	RUN(test_open_phdr_table);
	RUN(test_open_shdr_table);
	RUN(test_load_window_arg);
	RUN(test_load_segment_shape);
	RUN(test_load_segment_alignment);
	RUN(test_load_segment_window);
	RUN(test_load_window_top);
	RUN(test_load_overlap_and_entry);
	RUN(test_symtab_found);
	RUN(test_symtab_faults);
	RUN(test_symtab_nobits_strtab);
	RUN(test_symbolize);
	RUN(test_symbolize_gaps);
	if (argc > 1) {
		kernel_path = argv[1];
		RUN(test_real_kernel);
	}
	return check_done();
}
