/*
 * DeviceRoot: init's "devices", the one capability from which PCI
 * functions are handed out (this file), and legacy port ranges and IRQ
 * lines (ioport.c, interrupt.c).  docs/devices.md, "PCI functions".
 *
 * list(after_index) returns the functions enumerated at boot with an
 * index above after_index (CAPOS_PCI_LIST_START: from the first), at most
 * CAPOS_PCI_LIST_BATCH per call, and says whether more remain.
 *
 * claim(vendor, device, class_code, class_mask, instance) names a function
 * by what it is, never by where it sits: the instance-th function (in list
 * order) whose vendor and device match (CAPOS_PCI_ANY matches any) and
 * whose class code equals class_code under class_mask.  The claim is
 * exclusive while its PciFunction lives: claiming that function again is
 * -CAPOS_EBUSY (other instances are not tried instead).  Bridges (class
 * 0x06: host, ISA/LPC, PCI-to-PCI and other bridges) stay the kernel's:
 * their device-specific registers are the chipset's (memory map, ECAM
 * base, ACPI ports, interrupt routing) and their bus-master bit carries
 * other devices' DMA — -CAPOS_EPERM.  -CAPOS_ENOENT: fewer matches than
 * instance + 1; -CAPOS_EINVAL: class bits above the 24-bit class code;
 * -CAPOS_EQUOTA: no capability slot.
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include "devroot.h"
#include "iface_kernel.h"
#include "kcall.h"
#include "kobj.h"
#include "pcifn.h"
#include "../lib/string.h"

static struct kobj devroot_obj = KOBJ_STATIC(CAPOS_IFACE_DEVICE_ROOT);

struct kobj *coreobj_devices(void)
{
	return &devroot_obj;
}

int kcap_device_root_list(struct kcall *call, const struct capos_device_root_list_in *in, uint32_t in_len,
			  struct capos_device_root_list_out *out, uint32_t *out_len)
{
	uint32_t first = in->after_index == CAPOS_PCI_LIST_START ? 0 : in->after_index + 1;
	uint32_t count = 0;

	(void)call; (void)in_len;
	if (in->after_index != CAPOS_PCI_LIST_START && first > pci_count())
		first = pci_count();
	while (count < CAPOS_PCI_LIST_BATCH && first + count < pci_count()) {
		memcpy(out->entries + count * sizeof(struct capos_pci_entry), &pci_at(first + count)->id,
		       sizeof(struct capos_pci_entry));
		count++;
	}
	out->count = count;
	out->more = first + count < pci_count();
	*out_len = (uint32_t)(__builtin_offsetof(struct capos_device_root_list_out, entries) +
			      count * sizeof(struct capos_pci_entry));
	return 0;
}

/* The instance-th match, or NULL. */
static struct pci_dev *claim_find(const struct capos_device_root_claim_in *in)
{
	uint32_t seen = 0;

	for (uint32_t i = 0; i < pci_count(); i++) {
		struct pci_dev *d = pci_at(i);

		if (pci_match(&d->id, in->vendor, in->device, in->class_code, in->class_mask) &&
		    seen++ == in->instance)
			return d;
	}
	return NULL;
}

int kcap_device_root_claim(struct kcall *call, const struct capos_device_root_claim_in *in, uint32_t in_len,
			   struct capos_device_root_claim_out *out, uint32_t *out_len)
{
	struct pci_dev *d;
	struct pcifn *fn;
	int64_t h;

	(void)in_len;
	*out_len = 0;
	if ((in->class_code | in->class_mask) > 0xffffffu)
		return -CAPOS_EINVAL;
	d = claim_find(in);
	if (!d)
		return -CAPOS_ENOENT;
	if ((d->id.class_code >> 16) == PCI_CLASS_BRIDGE)
		return -CAPOS_EPERM;
	if (d->claim)
		return -CAPOS_EBUSY;
	fn = pcifn_create(d);
	if (!fn)
		return -CAPOS_ENOMEM;
	h = kcall_grant(call, &fn->base, CAPOS_RIGHT_ALL);
	kobj_unref(&fn->base);  /* on failure this ends the claim at once */
	if (h < 0)
		return (int)h;
	out->function = (uint32_t)h;
	out->index = d->id.index;
	*out_len = sizeof *out;
	return 0;
}
