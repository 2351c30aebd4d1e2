/*
 * The manifest's devices: what init obtains from its DeviceRoot and grants
 * to the one service naming it as `device:NAME` (docs/manifest.md).  Each
 * entry has a name and exactly one way of finding the device:
 *
 *   ioports: NAME                 a legacy port range of the platform (DeviceRoot.ioports)
 *   irq: LINE                     a legacy ISA line, 0..15 (DeviceRoot.irq)
 *   pci: "VVVV:DDDD"              a PCI function by vendor:device, any class (DeviceRoot.claim)
 *   class: 0xCCSSPP               a PCI function by class code, under class_mask (default 0xffffff)
 *
 * and, for pci and class, `instance` (default 0): the instance-th match in
 * bus order.  Never a bus address.  mf_get_devices checks the list;
 * mf_resolve_device (called by the graph check for each `device:` source)
 * finds the entry and holds each device to one grant, since a claim is
 * exclusive and init could not obtain it twice.
 */
#include <stdio.h>
#include <string.h>
#include "mfmodel.h"

static const char *const device_keys[] = { "name", "ioports", "irq", "pci", "class", "class_mask",
					   "instance", NULL };
static const char *const kind_keys[] = { "ioports", "irq", "pci", "class" };
#define KIND_COUNT 4

/* A whole number in decimal or 0x hex, at most max; -1 when s is not one. */
static int parse_number(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (!*s)
		return -1;
	for (; *s; s++) {
		int digit = *s >= '0' && *s <= '9' ? *s - '0'
			  : base == 16 && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			  : base == 16 && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;

		if (digit < 0)
			return -1;
		v = v * (uint64_t)base + (uint64_t)digit;
		if (v > max)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* One to four hex digits, not ffff (which reads back from an empty slot). */
static int parse_pci_id(const char *s, size_t len, uint16_t *out)
{
	uint32_t v = 0;

	if (len < 1 || len > 4)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (digit < 0)
			return -1;
		v = v * 16 + (uint32_t)digit;
	}
	if (v == 0xffff)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int get_pci(const struct mnode *n, struct mf_device *dev, struct mdiag *d)
{
	const char *s, *colon;

	if (mf_want_kind(n, MNODE_SCALAR, "pci", d))
		return -1;
	s = n->scalar;
	colon = strchr(s, ':');
	if (!colon || parse_pci_id(s, (size_t)(colon - s), &dev->vendor) ||
	    parse_pci_id(colon + 1, strlen(colon + 1), &dev->device))
		return mdiag_error(d, n->line, n->col,
				   "pci must be \"VENDOR:DEVICE\", each 1 to 4 hex digits and not ffff (e.g. \"1234:11e8\"), not '%s'",
				   s);
	dev->kind = CAPOS_DEVICE_PCI;
	return 0;
}

static int get_class_number(const struct mnode *n, const char *what, uint32_t *out, struct mdiag *d)
{
	if (mf_want_kind(n, MNODE_SCALAR, what, d))
		return -1;
	if (parse_number(n->scalar, 0xffffff, out))
		return mdiag_error(d, n->line, n->col,
				   "%s must be a 24-bit number (0x hex or decimal, at most 0xffffff), not '%s'", what,
				   n->scalar);
	return 0;
}

/* class: CODE with optional class_mask: MASK (nonzero, covering every bit of CODE). */
static int get_class(const struct mnode *entry, const struct mnode *n, struct mf_device *dev, struct mdiag *d)
{
	const struct mnode *m = mfyaml_get(entry, "class_mask");

	dev->class_mask = 0xffffff;
	if (get_class_number(n, "class", &dev->class_code, d) ||
	    (m && get_class_number(m, "class_mask", &dev->class_mask, d)))
		return -1;
	if (dev->class_mask == 0)
		return mdiag_error(d, m->line, m->col,
				   "class_mask 0 would match any function; name the class bits it compares");
	if (dev->class_code & ~dev->class_mask)
		return mdiag_error(d, n->line, n->col, "class 0x%06x has bits outside class_mask 0x%06x",
				   dev->class_code, dev->class_mask);
	dev->kind = CAPOS_DEVICE_CLASS;
	dev->vendor = dev->device = CAPOS_PCI_ANY;
	return 0;
}

/* Exactly one of ioports, irq, pci, class: the node of that key, or NULL with the error recorded. */
static const struct mnode *the_kind_key(const struct mnode *entry, const char *name, struct mdiag *d)
{
	const struct mnode *found = NULL;
	const char *found_key = NULL;

	for (size_t i = 0; i < entry->count; i++) {
		const char *k = entry->keys[i]->scalar;

		for (int j = 0; j < KIND_COUNT; j++) {
			if (strcmp(k, kind_keys[j]) != 0)
				continue;
			if (found) {
				mdiag_error(d, entry->keys[i]->line, entry->keys[i]->col,
					    "device '%s' gives both '%s' and '%s'; give exactly one of ioports, irq, pci, class",
					    name, found_key, k);
				return NULL;
			}
			found = entry->items[i];
			found_key = k;
		}
	}
	if (!found)
		mdiag_error(d, entry->line, entry->col,
			    "device '%s' says nothing to find it by; give one of ioports, irq, pci, class", name);
	return found;
}

/* class_mask only with class, instance only with pci or class. */
static int check_modifiers(const struct mnode *entry, const struct mf_device *dev, struct mdiag *d)
{
	const struct mnode *m = mfyaml_get(entry, "class_mask");
	const struct mnode *inst = mfyaml_get(entry, "instance");

	if (m && dev->kind != CAPOS_DEVICE_CLASS)
		return mdiag_error(d, m->line, m->col, "class_mask applies only to a device found by 'class'");
	if (inst && dev->kind != CAPOS_DEVICE_PCI && dev->kind != CAPOS_DEVICE_CLASS)
		return mdiag_error(d, inst->line, inst->col, "instance applies only to a device found by 'pci' or 'class'");
	return 0;
}

static int get_kind(const struct mnode *entry, const struct mnode *n, struct mf_device *dev, struct mdiag *d)
{
	uint64_t v;

	if (n == mfyaml_get(entry, "ioports")) {
		dev->kind = CAPOS_DEVICE_IOPORTS;
		return mf_get_name(n, "ioports", CAPOS_IOPORTS_NAME_MAX, dev->ioports, d);
	}
	if (n == mfyaml_get(entry, "irq")) {
		dev->kind = CAPOS_DEVICE_IRQ;
		if (mf_get_uint(n, "irq", 0, 15, &v, d))
			return -1;
		dev->irq = (uint32_t)v;
		return 0;
	}
	if (n == mfyaml_get(entry, "pci"))
		return get_pci(n, dev, d);
	return get_class(entry, n, dev, d);
}

static int get_device(const struct mnode *entry, struct mf_device *dev, struct mdiag *d)
{
	const struct mnode *n;
	uint64_t v;

	if (entry->kind != MNODE_MAP)
		return mdiag_error(d, entry->line, entry->col,
				   "a device must be a mapping {name, and one of ioports, irq, pci, class}");
	if (mf_check_keys(entry, device_keys, "a device", d))
		return -1;
	memset(dev, 0, sizeof *dev);
	dev->granted_to = -1;
	dev->line = entry->line;
	dev->col = entry->col;
	if (!(n = mfyaml_get(entry, "name")))
		return mdiag_error(d, entry->line, entry->col, "device has no 'name'");
	if (mf_get_name(n, "device name", MF_CAP_NAME_MAX, dev->name, d))
		return -1;
	if (!(n = the_kind_key(entry, dev->name, d)) || get_kind(entry, n, dev, d) ||
	    check_modifiers(entry, dev, d))
		return -1;
	if ((n = mfyaml_get(entry, "instance"))) {
		if (mf_get_uint(n, "instance", 0, 255, &v, d))
			return -1;
		dev->instance = (uint32_t)v;
	}
	return 0;
}

int mf_get_devices(const struct mnode *list, struct mf_manifest *m, struct mdiag *d)
{
	if (mf_want_kind(list, MNODE_SEQ, "devices", d))
		return -1;
	if (list->count > MF_MAX_DEVICES)
		return mdiag_error(d, list->line, list->col, "more than %d devices", MF_MAX_DEVICES);
	for (size_t i = 0; i < list->count; i++) {
		struct mf_device *dev = &m->devices[m->device_count];

		if (get_device(list->items[i], dev, d))
			return -1;
		for (int j = 0; j < m->device_count; j++)
			if (strcmp(m->devices[j].name, dev->name) == 0)
				return mdiag_error(d, dev->line, dev->col, "a device named '%s' is already defined at line %d",
						   dev->name, m->devices[j].line);
		m->device_count++;
	}
	return 0;
}

int mf_resolve_device(struct mf_manifest *m, int service, struct mf_cap *c, struct mdiag *d)
{
	struct mf_device *dev = NULL;

	for (int i = 0; i < m->device_count && !dev; i++)
		if (strcmp(m->devices[i].name, c->source_name) == 0) {
			dev = &m->devices[i];
			c->device_index = i;
		}
	if (!dev)
		return mdiag_error(d, c->line, c->col, "capability '%s' names device '%s', which is not defined%s",
				   c->name, c->source_name, m->device_count ? "" : " (the manifest has no 'devices')");
	if (dev->granted_to >= 0)
		return mdiag_error(d, c->line, c->col,
				   "device '%s' is already granted to service '%s' at line %d; a device goes to one service",
				   dev->name, m->services[dev->granted_to].name, dev->grant_line);
	dev->granted_to = service;
	dev->grant_line = c->line;
	return 0;
}
