/*
 * Devices for the services: at each start of a service init obtains every
 * device its manifest entry names (`device:NAME`) from its DeviceRoot
 * ("devices") and grants it like any other capability:
 *
 *   ioports   DeviceRoot.ioports(name)          an IoPortRange
 *   irq       DeviceRoot.irq(line)              an Interrupt
 *   pci       DeviceRoot.claim(vendor, device, any class, instance)
 *   class     DeviceRoot.claim(any, any, class_code, class_mask, instance)
 *
 * init keeps none of them: once the spawn has copied a device to the
 * child, init releases its own handle, so the child holds the only one
 * and its death ends the claim (bus mastering off, interrupts masked,
 * docs/devices.md).  The next start of the service claims again.
 *
 * A device init cannot obtain (absent: -CAPOS_ENOENT; claimed by a process
 * that still lives: -CAPOS_EBUSY; or any other refusal) is reported with
 * what the manifest asked for, and the service is not started: the start
 * counts as a failure, so under `restart: on-failure` init tries again
 * after the backoff.  A driver never runs without the device it was
 * written for.
 */
#include <string.h>
#include <capos/device.h>
#include "init.h"

/* "pci 1234:11e8 #0" and the like, for reports. */
static void describe(const struct manifest_view *v, const struct capos_manifest_device *dev, char *buf,
		     size_t size)
{
	switch (dev->kind) {
	case CAPOS_DEVICE_IOPORTS:
		capos_snprintf(buf, size, "ioports %s", manifest_str(v, dev->ioports));
		break;
	case CAPOS_DEVICE_IRQ:
		capos_snprintf(buf, size, "irq %u", dev->irq);
		break;
	case CAPOS_DEVICE_PCI:
		capos_snprintf(buf, size, "pci %04x:%04x #%u", dev->vendor, dev->device, dev->instance);
		break;
	default:
		capos_snprintf(buf, size, "class 0x%06x/0x%06x #%u", dev->class_code, dev->class_mask,
			       dev->instance);
		break;
	}
}

/* Ask the DeviceRoot for dev: 0 with *handle, or a negative code. */
static int ask(uint32_t root, const struct manifest_view *v, const struct capos_manifest_device *dev,
	       uint32_t *handle)
{
	int err;

	if (dev->kind == CAPOS_DEVICE_IOPORTS) {
		struct capos_device_root_ioports_in in = { 0 };
		struct capos_device_root_ioports_out out = { 0 };

		strncpy(in.name, manifest_str(v, dev->ioports), sizeof in.name - 1);
		err = capos_device_root_ioports(capos_ring(), root, &in, &out);
		*handle = out.range;
	} else if (dev->kind == CAPOS_DEVICE_IRQ) {
		struct capos_device_root_irq_in in = { .line = dev->irq };
		struct capos_device_root_irq_out out = { 0 };

		err = capos_device_root_irq(capos_ring(), root, &in, &out);
		*handle = out.interrupt;
	} else {
		struct capos_device_root_claim_in in = {
			.vendor = dev->vendor, .device = dev->device, .class_code = dev->class_code,
			.class_mask = dev->class_mask, .instance = dev->instance,
		};
		struct capos_device_root_claim_out out = { 0 };

		err = capos_device_root_claim(capos_ring(), root, &in, &out);
		*handle = out.function;
	}
	return err;
}

int devices_obtain(const struct init_state *st, const struct svc *s, uint32_t device, uint32_t *handle)
{
	const struct manifest_view *v = &st->view;
	const struct capos_manifest_device *dev = &v->devices[device];
	uint32_t root = capos_cap_find("devices", NULL);
	char what[64];
	int err;

	*handle = 0;
	err = root ? ask(root, v, dev, handle) : -CAPOS_ENOENT;
	if (!err && !*handle)
		err = -CAPOS_EFORMAT;             /* a success without a handle: nothing to grant */
	if (err) {
		describe(v, dev, what, sizeof what);
		report_note("%s: device '%s' (%s) cannot be had: %s%s", s->name, manifest_str(v, dev->name), what,
			    capos_strerror(err), err == -CAPOS_EBUSY ? " (claimed by a process that still runs)" : "");
	}
	return err;
}

int devices_check(const struct init_state *st)
{
	const struct manifest_view *v = &st->view;

	for (uint32_t c = 0; c < v->hdr->cap_count; c++)
		if (v->caps[c].source == CAPOS_CAP_FROM_DEVICE && !capos_cap_find("devices", NULL)) {
			report_manifest_error("the manifest grants devices, but init holds no 'devices' (DeviceRoot)");
			return -CAPOS_ENOENT;
		}
	return 0;
}
