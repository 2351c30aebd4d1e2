/*
 * Compiled-manifest checker (see manifest.h): header, CRC, table bounds,
 * then every string offset, every export's interface id, every device's
 * fields, and every service/cap/export/device index: a capability taken
 * from a service names an earlier service and one of its exports; one
 * taken from a device names a device no other capability names.
 */
#include <stddef.h>
#include <capos/device.h>
#include <capos/error.h>
#include <capos/ring.h>
#include "manifest.h"
#include "crc32.h"

static int fail(const char **what, const char *why, int err)
{
	if (what)
		*what = why;
	return -err;
}

static int table_ok(uint32_t off, uint32_t count, uint32_t elem, uint32_t size)
{
	return off <= size && (uint64_t)count * elem <= size - off && off % 4 == 0;
}

static int str_ok(const struct manifest_view *v, uint32_t off)
{
	if (off >= v->hdr->strings_size)
		return 0;
	for (uint32_t i = off; i < v->hdr->strings_size; i++)
		if (v->strings[i] == '\0')
			return 1;
	return 0;
}

static int check_header(const struct capos_manifest_header *h, uint64_t size, const uint8_t *buf,
			const char **what)
{
	struct capos_manifest_header copy = *h;
	const char magic[8] = CAPOS_MANIFEST_MAGIC;
	uint32_t crc;

	for (int i = 0; i < 8; i++)
		if (h->magic[i] != magic[i])
			return fail(what, "bad magic (not a compiled capOS manifest)", CAPOS_EFORMAT);
	if (h->version != CAPOS_MANIFEST_VERSION)
		return fail(what, "unsupported manifest version", CAPOS_EFORMAT);
	if (h->total_size != size)
		return fail(what, "total_size differs from the file size", CAPOS_ETRUNC);
	if (h->reserved)
		return fail(what, "a reserved header field is not zero", CAPOS_EFORMAT);
	if (h->device_count > CAPOS_MANIFEST_MAX_DEVICES)
		return fail(what, "more devices than a manifest may have", CAPOS_EFORMAT);
	copy.crc32 = 0;
	crc = crc32_update(0, &copy, sizeof copy);
	crc = crc32_update(crc, buf + sizeof copy, size - sizeof copy);
	if (crc != h->crc32)
		return fail(what, "CRC32 mismatch", CAPOS_EFORMAT);
	if (!table_ok(h->services_off, h->service_count, sizeof(struct capos_manifest_service), h->total_size) ||
	    !table_ok(h->caps_off, h->cap_count, sizeof(struct capos_manifest_cap), h->total_size) ||
	    !table_ok(h->exports_off, h->export_count, sizeof(struct capos_manifest_export), h->total_size) ||
	    !table_ok(h->devices_off, h->device_count, sizeof(struct capos_manifest_device), h->total_size) ||
	    h->strings_off > h->total_size || h->strings_size != h->total_size - h->strings_off ||
	    h->strings_size == 0)
		return fail(what, "a table lies outside the file", CAPOS_ETRUNC);
	return 0;
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int manifest_export_find(const struct manifest_view *v, uint32_t service, const char *name)
{
	const struct capos_manifest_service *s = &v->services[service];

	for (uint32_t e = s->export_first; e < s->export_first + s->export_count; e++)
		if (str_eq(manifest_str(v, v->exports[e].name), name))
			return (int)e;
	return -1;
}

static int check_exports(const struct manifest_view *v, const struct capos_manifest_service *s,
			 const char **what)
{
	for (uint32_t e = s->export_first; e < s->export_first + s->export_count; e++) {
		if (!str_ok(v, v->exports[e].name))
			return fail(what, "an export name is out of bounds", CAPOS_EFORMAT);
		if (v->exports[e].iface < CAPOS_IFACE_USER_MIN)
			return fail(what, "an export's interface id is a kernel one", CAPOS_EFORMAT);
	}
	return 0;
}

/* Fields a device's kind does not use are zero (vendor/device CAPOS_PCI_ANY for CLASS). */
static int device_ok(const struct manifest_view *v, const struct capos_manifest_device *dev)
{
	uint32_t len = 0;

	if (!str_ok(v, dev->name) || !manifest_str(v, dev->name)[0])
		return 0;
	switch (dev->kind) {
	case CAPOS_DEVICE_IOPORTS:
		if (!str_ok(v, dev->ioports))
			return 0;
		while (manifest_str(v, dev->ioports)[len])
			len++;
		return len > 0 && len < CAPOS_IOPORTS_NAME_MAX && !dev->irq && !dev->vendor && !dev->device &&
		       !dev->class_code && !dev->class_mask && !dev->instance;
	case CAPOS_DEVICE_IRQ:
		return dev->irq <= 15 && !dev->ioports && !dev->vendor && !dev->device && !dev->class_code &&
		       !dev->class_mask && !dev->instance;
	case CAPOS_DEVICE_PCI:
		return dev->vendor != CAPOS_PCI_ANY && dev->device != CAPOS_PCI_ANY && !dev->ioports && !dev->irq &&
		       !dev->class_code && !dev->class_mask;
	case CAPOS_DEVICE_CLASS:
		return dev->vendor == CAPOS_PCI_ANY && dev->device == CAPOS_PCI_ANY && !dev->ioports && !dev->irq &&
		       dev->class_mask && dev->class_mask <= 0xffffffu && !(dev->class_code & ~dev->class_mask);
	}
	return 0;
}

static int check_devices(const struct manifest_view *v, const char **what)
{
	for (uint32_t i = 0; i < v->hdr->device_count; i++)
		if (!device_ok(v, &v->devices[i]))
			return fail(what, "a device's fields do not fit its kind", CAPOS_EFORMAT);
	return 0;
}

/* A device capability: names an existing device, by its name, that no earlier capability took. */
static int check_device_cap(const struct manifest_view *v, const struct capos_manifest_cap *cap,
			    uint64_t *taken, const char **what)
{
	if (cap->source_service >= v->hdr->device_count ||
	    !str_eq(manifest_str(v, cap->source_name), manifest_str(v, v->devices[cap->source_service].name)))
		return fail(what, "a capability names a device the manifest does not have", CAPOS_EFORMAT);
	if (*taken & (1ull << cap->source_service))
		return fail(what, "a device is granted twice", CAPOS_EFORMAT);
	*taken |= 1ull << cap->source_service;
	return 0;
}

/* The capabilities of services[i]; services before i are already checked. */
static int check_caps(const struct manifest_view *v, uint32_t i, uint64_t *taken, const char **what)
{
	const struct capos_manifest_service *s = &v->services[i];

	for (uint32_t c = s->cap_first; c < s->cap_first + s->cap_count; c++) {
		const struct capos_manifest_cap *cap = &v->caps[c];

		if (!str_ok(v, cap->name) || !str_ok(v, cap->source_name))
			return fail(what, "a capability name is out of bounds", CAPOS_EFORMAT);
		if (cap->source != CAPOS_CAP_FROM_KERNEL && cap->source != CAPOS_CAP_FROM_SERVICE &&
		    cap->source != CAPOS_CAP_FROM_DEVICE && cap->source != CAPOS_CAP_FROM_INIT)
			return fail(what, "unknown capability source", CAPOS_EFORMAT);
		if (cap->source == CAPOS_CAP_FROM_DEVICE) {
			int err = check_device_cap(v, cap, taken, what);

			if (err)
				return err;
			continue;
		}
		if (cap->source == CAPOS_CAP_FROM_KERNEL || cap->source == CAPOS_CAP_FROM_INIT)
			continue;
		/* Start order: a service imports only from services before it. */
		if (cap->source_service >= i)
			return fail(what, "a capability comes from a service that starts later", CAPOS_EFORMAT);
		if (manifest_export_find(v, cap->source_service, manifest_str(v, cap->source_name)) < 0)
			return fail(what, "a capability names an export its service does not have", CAPOS_EFORMAT);
	}
	return 0;
}

static int check_service(const struct manifest_view *v, uint32_t i, uint64_t *taken, const char **what)
{
	const struct capos_manifest_service *s = &v->services[i];
	int err;

	if (!str_ok(v, s->name) || !str_ok(v, s->binary) || !str_ok(v, s->args))
		return fail(what, "a service name, binary or args string is out of bounds", CAPOS_EFORMAT);
	if (s->restart > CAPOS_RESTART_ON_FAILURE)
		return fail(what, "unknown restart policy", CAPOS_EFORMAT);
	if (s->session > CAPOS_SESSION_KIND_ANONYMOUS || s->reserved)
		return fail(what, "unknown session kind", CAPOS_EFORMAT);
	if (s->cap_first > v->hdr->cap_count || s->cap_count > v->hdr->cap_count - s->cap_first ||
	    s->export_first > v->hdr->export_count || s->export_count > v->hdr->export_count - s->export_first)
		return fail(what, "a service's capability or export range is out of bounds", CAPOS_EFORMAT);
	err = check_exports(v, s, what);
	return err ? err : check_caps(v, i, taken, what);
}

int manifest_open(struct manifest_view *v, const void *buf, uint64_t size, const char **what)
{
	const struct capos_manifest_header *h = buf;
	uint64_t taken = 0;                    /* devices already granted; device_count <= 64 */
	int err;

	if (!buf || size < sizeof *h)
		return fail(what, "file is shorter than the header", CAPOS_ETRUNC);
	if ((uintptr_t)buf % 8)
		return fail(what, "buffer is not 8-byte aligned", CAPOS_EFORMAT);
	err = check_header(h, size, buf, what);
	if (err)
		return err;
	v->base = buf;
	v->size = (uint32_t)size;
	v->hdr = h;
	v->services = (const void *)(v->base + h->services_off);
	v->caps = (const void *)(v->base + h->caps_off);
	v->exports = (const void *)(v->base + h->exports_off);
	v->devices = (const void *)(v->base + h->devices_off);
	v->strings = (const char *)(v->base + h->strings_off);
	if (v->strings[h->strings_size - 1] != '\0')
		return fail(what, "the string table is not NUL-terminated", CAPOS_EFORMAT);
	err = check_devices(v, what);
	if (err)
		return err;
	for (uint32_t i = 0; i < h->service_count; i++) {
		err = check_service(v, i, &taken, what);
		if (err)
			return err;
	}
	return 0;
}
