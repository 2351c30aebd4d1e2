/*
 * The boot package as memory: "bootpkg", the capability init receives, is
 * a read-only MemoryObject over the frames the loader put the package in
 * (one contiguous, page-aligned run it keeps as CAPOS_MEM_BOOTPKG).  The
 * libOS maps it and reads it with the same checked parser the kernel uses
 * (exo/lib/bootpkg.c); the kernel looks up no names for anyone.
 *
 * The object is the kernel's: charged to nobody, built once when init is
 * granted it, and never freed — the static memobj keeps its own reference
 * and the capability object keeps one more, held by this file forever.
 * Its frames are never freed or scrubbed, and no mapping of it can be
 * writable (memobj.h).
 */
#include <capos/error.h>
#include <capos/prot.h>
#include "coreobj.h"
#include "memcap.h"
#include "../kern/boot.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/memobj.h"
#include "../proc/quota.h"

static struct memobj bootpkg_memobj;
static struct kobj *bootpkg_cap;

/* The bytes after the package in its last page are whatever the firmware
 * left there: clear them before anyone can map the page. */
static void clear_tail(uint64_t phys, uint64_t size, uint64_t pages)
{
	memset((uint8_t *)phys_to_virt(phys) + size, 0, pages * CAPOS_PAGE_SIZE - size);
}

/* The memobj over the package's frames: 0, -CAPOS_ENOENT (no checked package) or -CAPOS_ENOMEM. */
static int bootpkg_memobj_init(void)
{
	const struct bootpkg_view *v = boot_package();
	uint64_t phys = boot_record()->bootpkg_phys;
	uint64_t pages, *frames;
	int err;

	if (!v || phys % CAPOS_PAGE_SIZE)
		return -CAPOS_ENOENT;
	pages = (v->size + CAPOS_PAGE_SIZE - 1) / CAPOS_PAGE_SIZE;
	frames = kmem_zalloc(NULL, pages * sizeof *frames, &err);
	if (!frames)
		return err;
	for (uint64_t i = 0; i < pages; i++)
		frames[i] = phys + i * CAPOS_PAGE_SIZE;
	err = memobj_init_kernel(&bootpkg_memobj, frames, pages);
	if (err) {
		kmem_free(NULL, frames);
		return err;
	}
	clear_tail(phys, v->size, pages);
	return 0;
}

/* Called only from init_start, at boot (before leakcheck's census, then
 * for the grant): the first call makes the object, later ones return it. */
struct kobj *coreobj_bootpkg(void)
{
	int err;

	if (bootpkg_cap)
		return bootpkg_cap;
	if (memobj_pages(&bootpkg_memobj) == 0 && bootpkg_memobj_init())
		return NULL;
	memobj_ref(&bootpkg_memobj);  /* the capability object's; the static one is never dropped */
	bootpkg_cap = memcap_create(&bootpkg_memobj, &err);  /* on failure it drops that one again */
	return bootpkg_cap;
}
