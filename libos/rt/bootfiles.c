/*
 * The boot package as files (capos/bootfiles.h).  "bootpkg" is a
 * read-only MemoryObject over the whole package; the first lookup maps it
 * once, read-only, at an address the kernel chose for anonymous pages a
 * moment before, and checks all of it with the parser the loader and the
 * kernel use (exo/lib/bootpkg.c).  The mapping and the view stay for the
 * life of the process, so entry data can be used in place.  The first
 * use may come from several threads at once: a mutex makes it happen
 * once, and the outcome (the view, or why there is none) is kept.
 */
#include <string.h>
#include <capos/bootfiles.h>
#include <capos/error.h>
#include <capos/prot.h>
#include <capos/rt.h>
#include "lib/bootpkg.h"
#include "rt_internal.h"

/* Tries at a fresh address when another thread takes the one just freed. */
static struct capos_mutex bootfiles_lock = CAPOS_MUTEX_INIT;
static struct bootpkg_view bootfiles_view;
static int bootfiles_state = 1;   /* 1: not tried yet; then 0 or the error, for good */
static const void *bootfiles_base;  /* the mapping, for rt_bootfiles_unmap */
static uint64_t bootfiles_pages;

/* Map pages of MemoryObject cap read-only wherever the kernel finds room: 0 with *base. */
static int map_readonly(uint32_t cap, uint64_t pages, const void **base)
{
	return capos_memory_map(cap, pages, CAPOS_PROT_READ, (void **)base);
}

/* The package's own size, from its header, when it fits the mapping. */
static int package_size(const void *base, uint64_t pages, uint64_t *size)
{
	const struct capos_bootpkg_header *h = base;
	uint64_t mapped = pages * CAPOS_PAGE_SIZE;

	if (h->total_size > mapped || h->total_size + CAPOS_PAGE_SIZE <= mapped)
		return -CAPOS_EFORMAT;
	*size = h->total_size;
	return 0;
}

static int bootfiles_open(void)
{
	struct capos_memory_object_info_out info = { 0 };
	const void *base = NULL;
	uint64_t size = 0;
	uint32_t iface = 0, cap = capos_cap_find("bootpkg", &iface);
	int err;

	if (!cap || iface != CAPOS_IFACE_MEMORY_OBJECT)
		return -CAPOS_ENOENT;
	err = capos_memory_object_info(capos_ring(), cap, &info);
	if (!err)
		err = map_readonly(cap, info.pages, &base);
	if (!err) {
		bootfiles_base = base;
		bootfiles_pages = info.pages;
	}
	if (!err)
		err = package_size(base, info.pages, &size);
	if (!err)
		err = bootpkg_open(&bootfiles_view, base, size, NULL) ? -CAPOS_EFORMAT : 0;
	return err;
}

/* The checked package: 0, or why there is none (the same answer every time). */
static int bootfiles(const struct bootpkg_view **view)
{
	int state = __atomic_load_n(&bootfiles_state, __ATOMIC_ACQUIRE);

	if (state == 1) {
		capos_mutex_lock(&bootfiles_lock);
		state = bootfiles_state;
		if (state == 1) {
			state = bootfiles_open();
			__atomic_store_n(&bootfiles_state, state, __ATOMIC_RELEASE);
		}
		capos_mutex_unlock(&bootfiles_lock);
	}
	*view = &bootfiles_view;
	return state;
}

int capos_bootfile_find(const char *name, const void **data, uint64_t *size, uint32_t *kind)
{
	const struct bootpkg_view *v;
	const struct capos_bootpkg_entry *e;
	int err = bootfiles(&v);

	if (err)
		return err;
	e = bootpkg_find(v, name);
	if (!e)
		return -CAPOS_ENOENT;
	*data = bootpkg_data(v, e);
	*size = e->size;
	*kind = e->kind;
	return 0;
}

int capos_bootfile_at(uint32_t index, char *name, uint64_t *size, uint32_t *kind)
{
	const struct bootpkg_view *v;
	int err = bootfiles(&v);

	if (err)
		return err;
	if (index >= v->count)
		return -CAPOS_ENOENT;
	memcpy(name, v->entries[index].name, CAPOS_BOOTPKG_NAME_MAX);
	*size = v->entries[index].size;
	*kind = v->entries[index].kind;
	return 0;
}

void rt_bootfiles_unmap(void)
{
	struct capos_memory_object_unmap_in in = { .vaddr = (uint64_t)(uintptr_t)bootfiles_base,
						   .pages = bootfiles_pages };

	if (!bootfiles_base)
		return;
	capos_memory_object_unmap(capos_ring(), capos_cap_find("bootpkg", NULL), &in);
	bootfiles_base = NULL;
	bootfiles_state = 1;
}
