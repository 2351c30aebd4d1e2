/*
 * ELF64 checker and reader (see elf.h).  elf_open() checks the file header
 * and the bounds of both header tables; elf_check_load() checks the
 * loadable segments against a virtual window; elf_find_symtab() and
 * elf_symbolize() serve backtraces.  Each check runs before the data it
 * guards is used, and every sum of two file-supplied numbers is checked
 * for overflow first.
 */
#include <capos/error.h>
#include "elf.h"

static int fail(struct elf_fault *fault, int index, const char *what, int err)
{
	if (fault) {
		fault->index = index;
		fault->what = what;
	}
	return -err;
}

/* Does [off, off + len) lie inside [0, size)?  No overflow possible. */
static bool range_inside(uint64_t off, uint64_t len, uint64_t size)
{
	return len <= size && off <= size - len;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int check_ident(const struct elf64_ehdr *eh, struct elf_fault *fault)
{
	const uint8_t *id = eh->e_ident;

	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return fail(fault, -1, "bad magic (not an ELF file)", CAPOS_EFORMAT);
	if (id[ELF_EI_CLASS] != ELF_CLASS64)
		return fail(fault, -1, "not a 64-bit ELF file (ELFCLASS64 expected)", CAPOS_ENOTSUP);
	if (id[ELF_EI_DATA] != ELF_DATA2LSB)
		return fail(fault, -1, "not a little-endian ELF file", CAPOS_ENOTSUP);
	if (id[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT)
		return fail(fault, -1, "unknown ELF version (EV_CURRENT expected)", CAPOS_EFORMAT);
	if (id[ELF_EI_OSABI] != ELF_OSABI_SYSV && id[ELF_EI_OSABI] != ELF_OSABI_GNU)
		return fail(fault, -1, "unsupported OS ABI (System V or GNU expected)", CAPOS_ENOTSUP);
	return 0;
}

static int check_type(const struct elf64_ehdr *eh, struct elf_fault *fault)
{
	if (eh->e_machine != ELF_EM_X86_64)
		return fail(fault, -1, "wrong machine (x86_64 expected)", CAPOS_ENOTSUP);
	if (eh->e_type != ELF_ET_EXEC)
		return fail(fault, -1, "not a static executable (ET_EXEC expected)", CAPOS_ENOTSUP);
	if (eh->e_ehsize != sizeof(struct elf64_ehdr))
		return fail(fault, -1, "bad ELF header size", CAPOS_EFORMAT);
	return 0;
}

static int check_phdr_table(const struct elf64_ehdr *eh, uint64_t size, struct elf_fault *fault)
{
	if (eh->e_phnum == 0)
		return fail(fault, -1, "no program headers", CAPOS_EFORMAT);
	if (eh->e_phnum == ELF_PN_XNUM)
		return fail(fault, -1, "extended program header numbering is not supported", CAPOS_ENOTSUP);
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return fail(fault, -1, "bad program header entry size", CAPOS_EFORMAT);
	if (eh->e_phoff % 8)
		return fail(fault, -1, "program header table is misaligned", CAPOS_EFORMAT);
	if (!range_inside(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), size))
		return fail(fault, -1, "program header table runs past the end of the file", CAPOS_ETRUNC);
	return 0;
}

static int check_shdr_table(const struct elf64_ehdr *eh, uint64_t size, struct elf_fault *fault)
{
	if (eh->e_shnum == 0) {
		if (eh->e_shoff != 0)
			return fail(fault, -1, "extended section numbering is not supported", CAPOS_ENOTSUP);
		return 0;
	}
	if (eh->e_shentsize != sizeof(struct elf64_shdr))
		return fail(fault, -1, "bad section header entry size", CAPOS_EFORMAT);
	if (eh->e_shoff % 8)
		return fail(fault, -1, "section header table is misaligned", CAPOS_EFORMAT);
	if (!range_inside(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(struct elf64_shdr), size))
		return fail(fault, -1, "section header table runs past the end of the file", CAPOS_ETRUNC);
	if (eh->e_shstrndx >= eh->e_shnum && eh->e_shstrndx != ELF_SHN_UNDEF)
		return fail(fault, -1, "section name table index is out of range", CAPOS_EFORMAT);
	return 0;
}

int elf_open(struct elf_image *img, const void *buf, uint64_t size,
	     struct elf_fault *fault)
{
	const struct elf64_ehdr *eh = buf;
	int err;

	if (!buf || size < sizeof *eh)
		return fail(fault, -1, "file is shorter than the ELF header", CAPOS_ETRUNC);
	if ((uintptr_t)buf % 8)
		return fail(fault, -1, "file buffer is not 8-byte aligned", CAPOS_EINVAL);
	err = check_ident(eh, fault);
	if (!err)
		err = check_type(eh, fault);
	if (!err)
		err = check_phdr_table(eh, size, fault);
	if (!err)
		err = check_shdr_table(eh, size, fault);
	if (err)
		return err;
	img->base = buf;
	img->size = size;
	img->ehdr = eh;
	img->phdr = (const struct elf64_phdr *)(img->base + eh->e_phoff);
	img->phnum = eh->e_phnum;
	img->shdr = eh->e_shnum ? (const struct elf64_shdr *)(img->base + eh->e_shoff) : NULL;
	img->shnum = eh->e_shnum;
	img->entry = eh->e_entry;
	return 0;
}

/* Sizes, file range, flags and alignment of one PT_LOAD header. */
static int check_segment_shape(const struct elf_image *img, int i, struct elf_fault *fault)
{
	const struct elf64_phdr *ph = &img->phdr[i];

	if (ph->p_memsz == 0)
		return fail(fault, i, "loadable segment is empty (memsz 0)", CAPOS_EFORMAT);
	if (ph->p_filesz > ph->p_memsz)
		return fail(fault, i, "segment file size exceeds its memory size", CAPOS_EFORMAT);
	if (!range_inside(ph->p_offset, ph->p_filesz, img->size))
		return fail(fault, i, "segment data runs past the end of the file", CAPOS_ETRUNC);
	if (ph->p_flags & ~(ELF_PF_R | ELF_PF_W | ELF_PF_X))
		return fail(fault, i, "segment has unknown permission flags", CAPOS_EFORMAT);
	if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
		return fail(fault, i, "segment is both writable and executable", CAPOS_EPERM);
	if (ph->p_align > 1 && !is_pow2(ph->p_align))
		return fail(fault, i, "segment alignment is not a power of two", CAPOS_EFORMAT);
	if (ph->p_align > 1 && (ph->p_vaddr - ph->p_offset) % ph->p_align)
		return fail(fault, i, "segment address and file offset disagree modulo its alignment", CAPOS_EFORMAT);
	if ((ph->p_vaddr - ph->p_offset) % ELF_PAGE_SIZE)
		return fail(fault, i, "segment address and file offset disagree modulo the page size", CAPOS_EFORMAT);
	return 0;
}

/* The page-rounded virtual range lies inside [vmin, vmax). */
static int check_segment_window(const struct elf64_phdr *ph, int i, uint64_t vmin,
				uint64_t vmax, struct elf_fault *fault)
{
	uint64_t start = ph->p_vaddr & ~(uint64_t)(ELF_PAGE_SIZE - 1);
	uint64_t end;

	if (ph->p_memsz > UINT64_MAX - ph->p_vaddr ||
	    ph->p_vaddr + ph->p_memsz > UINT64_MAX - (ELF_PAGE_SIZE - 1))
		return fail(fault, i, "segment wraps around the end of the address space", CAPOS_ERANGE);
	end = (ph->p_vaddr + ph->p_memsz + ELF_PAGE_SIZE - 1) & ~(uint64_t)(ELF_PAGE_SIZE - 1);
	if (start < vmin || end > vmax)
		return fail(fault, i, "segment lies outside the allowed address range", CAPOS_ERANGE);
	return 0;
}

/* No earlier PT_LOAD segment shares a page with segment i. */
static int check_segment_overlap(const struct elf_image *img, int i, struct elf_fault *fault)
{
	struct elf_segment a = { 0 }, b = { 0 };
	uint64_t a0, a1, b0, b1;

	a.vaddr = img->phdr[i].p_vaddr;
	a.memsz = img->phdr[i].p_memsz;
	elf_segment_pages(&a, &a0, &a1);
	for (int j = 0; j < i; j++) {
		if (img->phdr[j].p_type != ELF_PT_LOAD)
			continue;
		b.vaddr = img->phdr[j].p_vaddr;
		b.memsz = img->phdr[j].p_memsz;
		elf_segment_pages(&b, &b0, &b1);
		if (a0 < b1 && b0 < a1)
			return fail(fault, i, "segment overlaps (shares a page with) an earlier segment", CAPOS_EFORMAT);
	}
	return 0;
}

static int check_entry(const struct elf_image *img, struct elf_fault *fault)
{
	for (int i = 0; i < img->phnum; i++) {
		const struct elf64_phdr *ph = &img->phdr[i];

		if (ph->p_type != ELF_PT_LOAD || !(ph->p_flags & ELF_PF_X))
			continue;
		if (img->entry >= ph->p_vaddr && img->entry - ph->p_vaddr < ph->p_memsz)
			return 0;
	}
	return fail(fault, -1, "entry point is not inside an executable segment", CAPOS_EFORMAT);
}

int elf_check_load(const struct elf_image *img, uint64_t vmin, uint64_t vmax,
		   struct elf_fault *fault)
{
	int count = 0, err;

	if (vmin >= vmax)
		return fail(fault, -1, "empty load window", CAPOS_EINVAL);
	for (int i = 0; i < img->phnum; i++) {
		const struct elf64_phdr *ph = &img->phdr[i];

		if (ph->p_type == ELF_PT_INTERP || ph->p_type == ELF_PT_DYNAMIC)
			return fail(fault, i, "program needs dynamic linking (PT_INTERP or PT_DYNAMIC)", CAPOS_ENOTSUP);
		if (ph->p_type != ELF_PT_LOAD)
			continue;
		err = check_segment_shape(img, i, fault);
		if (!err)
			err = check_segment_window(ph, i, vmin, vmax, fault);
		if (!err)
			err = check_segment_overlap(img, i, fault);
		if (err)
			return err;
		count++;
	}
	if (count == 0)
		return fail(fault, -1, "no loadable (PT_LOAD) segment", CAPOS_EFORMAT);
	err = check_entry(img, fault);
	return err ? err : count;
}

int elf_segment(const struct elf_image *img, unsigned n, struct elf_segment *seg)
{
	for (int i = 0; i < img->phnum; i++) {
		const struct elf64_phdr *ph = &img->phdr[i];

		if (ph->p_type != ELF_PT_LOAD)
			continue;
		if (n--)
			continue;
		seg->vaddr = ph->p_vaddr;
		seg->memsz = ph->p_memsz;
		seg->offset = ph->p_offset;
		seg->filesz = ph->p_filesz;
		seg->flags = ph->p_flags;
		seg->index = i;
		return 0;
	}
	return -CAPOS_ENOENT;
}

void elf_segment_pages(const struct elf_segment *seg, uint64_t *start, uint64_t *end)
{
	uint64_t mask = ELF_PAGE_SIZE - 1;

	*start = seg->vaddr & ~mask;
	*end = (seg->vaddr + seg->memsz + mask) & ~mask;
}

/* A section's bytes lie in the file (SHT_NOBITS has none to read). */
static int check_section_data(const struct elf_image *img, int i, struct elf_fault *fault)
{
	const struct elf64_shdr *sh = &img->shdr[i];

	if (sh->sh_type == ELF_SHT_NOBITS)
		return fail(fault, i, "section has no file data (SHT_NOBITS)", CAPOS_EFORMAT);
	if (!range_inside(sh->sh_offset, sh->sh_size, img->size))
		return fail(fault, i, "section data runs past the end of the file", CAPOS_ETRUNC);
	return 0;
}

static int check_strtab(const struct elf_image *img, uint32_t link, struct elf_fault *fault)
{
	const struct elf64_shdr *sh;
	int err;

	if (link == ELF_SHN_UNDEF || link >= img->shnum)
		return fail(fault, (int)link, "symbol table links to no string table", CAPOS_EFORMAT);
	sh = &img->shdr[link];
	if (sh->sh_type != ELF_SHT_STRTAB)
		return fail(fault, (int)link, "symbol table link is not a string table", CAPOS_EFORMAT);
	err = check_section_data(img, (int)link, fault);
	if (err)
		return err;
	if (sh->sh_size == 0 || img->base[sh->sh_offset + sh->sh_size - 1] != '\0')
		return fail(fault, (int)link, "string table is empty or not NUL-terminated", CAPOS_EFORMAT);
	return 0;
}

static int check_symtab(const struct elf_image *img, int i, struct elf_fault *fault)
{
	const struct elf64_shdr *sh = &img->shdr[i];
	int err;

	if (sh->sh_entsize != sizeof(struct elf64_sym))
		return fail(fault, i, "bad symbol table entry size", CAPOS_EFORMAT);
	if (sh->sh_size % sizeof(struct elf64_sym))
		return fail(fault, i, "symbol table size is not a whole number of entries", CAPOS_EFORMAT);
	if (sh->sh_offset % 8)
		return fail(fault, i, "symbol table is misaligned", CAPOS_EFORMAT);
	err = check_section_data(img, i, fault);
	if (err)
		return err;
	return check_strtab(img, sh->sh_link, fault);
}

int elf_find_symtab(const struct elf_image *img, struct elf_symtab *st,
		    struct elf_fault *fault)
{
	for (int i = 0; i < img->shnum; i++) {
		const struct elf64_shdr *sh = &img->shdr[i];
		const struct elf64_shdr *str;
		int err;

		if (sh->sh_type != ELF_SHT_SYMTAB)
			continue;
		err = check_symtab(img, i, fault);
		if (err)
			return err;
		str = &img->shdr[sh->sh_link];
		st->sym = (const struct elf64_sym *)(img->base + sh->sh_offset);
		st->count = sh->sh_size / sizeof(struct elf64_sym);
		st->str = (const char *)(img->base + str->sh_offset);
		st->str_size = str->sh_size;
		return 0;
	}
	return fail(fault, -1, "no symbol table (file is stripped)", CAPOS_ENOENT);
}

static bool is_function(const struct elf64_sym *s)
{
	return ELF_ST_TYPE(s->st_info) == ELF_STT_FUNC && s->st_shndx != ELF_SHN_UNDEF;
}

/*
 * Prefer the innermost sized symbol containing addr; failing that, the
 * nearest preceding function start if that function's size is unknown.
 */
const char *elf_symbolize(const struct elf_symtab *st, uint64_t addr, uint64_t *offset)
{
	const struct elf64_sym *inside = NULL, *before = NULL;

	if (!st || !st->sym)
		return NULL;
	for (uint64_t i = 0; i < st->count; i++) {
		const struct elf64_sym *s = &st->sym[i];

		if (!is_function(s) || s->st_value > addr || s->st_name >= st->str_size)
			continue;
		if (addr - s->st_value < s->st_size && (!inside || s->st_value > inside->st_value))
			inside = s;
		if (!before || s->st_value > before->st_value ||
		    (s->st_value == before->st_value && s->st_size > before->st_size))
			before = s;
	}
	if (!inside && before && before->st_size == 0)
		inside = before;
	if (!inside)
		return NULL;
	if (offset)
		*offset = addr - inside->st_value;
	return st->str + inside->st_name;
}
