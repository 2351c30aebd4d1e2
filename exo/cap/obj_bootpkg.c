/*
 * BootPackage: read-only access to the boot package (the manifest and the
 * program binaries) by index or name, in chunks of at most 16 KiB.
 * Indices and ranges are checked against the package the kernel verified
 * at boot.
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "coreobj.h"
#include "iface_kernel.h"
#include "../kern/boot.h"
#include "../lib/string.h"

static struct kobj bootpkg_obj = KOBJ_STATIC(CAPOS_IFACE_BOOT_PACKAGE);

struct kobj *coreobj_bootpkg(void)
{
	return &bootpkg_obj;
}

static int entry_at(uint32_t index, const struct capos_bootpkg_entry **e)
{
	const struct bootpkg_view *v = boot_package();

	if (!v)
		return -CAPOS_ENOENT;
	if (index >= v->count)
		return -CAPOS_ERANGE;
	*e = &v->entries[index];
	return 0;
}

int kcap_boot_package_info(struct kcall *call, const struct capos_boot_package_info_in *in,
			   uint32_t in_len, struct capos_boot_package_info_out *out, uint32_t *out_len)
{
	const struct bootpkg_view *v = boot_package();

	(void)call; (void)in; (void)in_len;
	out->entries = v ? v->count : 0;
	out->size = v ? v->size : 0;
	*out_len = sizeof *out;
	return 0;
}

int kcap_boot_package_stat(struct kcall *call, const struct capos_boot_package_stat_in *in,
			   uint32_t in_len, struct capos_boot_package_stat_out *out, uint32_t *out_len)
{
	const struct capos_bootpkg_entry *e;
	int err = entry_at(in->index, &e);

	(void)call; (void)in_len;
	if (err)
		return err;
	memcpy(out->name, e->name, sizeof out->name);
	out->size = e->size;
	out->kind = e->kind;
	*out_len = sizeof *out;
	return 0;
}

int kcap_boot_package_find(struct kcall *call, const struct capos_boot_package_find_in *in,
			   uint32_t in_len, struct capos_boot_package_find_out *out, uint32_t *out_len)
{
	const struct bootpkg_view *v = boot_package();
	char name[sizeof in->name + 1];
	const struct capos_bootpkg_entry *e;

	(void)call; (void)in_len;
	memcpy(name, in->name, sizeof in->name);
	name[sizeof in->name] = '\0';
	e = v ? bootpkg_find(v, name) : NULL;
	if (!e)
		return -CAPOS_ENOENT;
	out->index = (uint32_t)(e - v->entries);
	out->size = e->size;
	out->kind = e->kind;
	*out_len = sizeof *out;
	return 0;
}

int kcap_boot_package_read(struct kcall *call, const struct capos_boot_package_read_in *in,
			   uint32_t in_len, struct capos_boot_package_read_out *out, uint32_t *out_len)
{
	const struct capos_bootpkg_entry *e;
	uint64_t n;
	int err = entry_at(in->index, &e);

	(void)call; (void)in_len;
	if (err)
		return err;
	if (in->length > sizeof out->data || in->length > *out_len)
		return -CAPOS_ERANGE;
	if (in->offset > e->size)
		return -CAPOS_ERANGE;
	n = e->size - in->offset < in->length ? e->size - in->offset : in->length;
	memcpy(out->data, (const uint8_t *)bootpkg_data(boot_package(), e) + in->offset, n);
	*out_len = (uint32_t)n;
	return 0;
}
