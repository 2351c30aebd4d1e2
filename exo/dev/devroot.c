/*
 * PLACEHOLDER while the device objects are written: every method answers
 * -CAPOS_ENOSYS.  Replaced by the real objects before anything lands.
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"
#include "kobj.h"
#include "devroot.h"

static struct kobj devroot_obj = KOBJ_STATIC(CAPOS_IFACE_DEVICE_ROOT);

struct kobj *coreobj_devices(void)
{
	return &devroot_obj;
}

int kcap_device_root_list(struct kcall *call, const struct capos_device_root_list_in *in, uint32_t in_len,
		struct capos_device_root_list_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_device_root_claim(struct kcall *call, const struct capos_device_root_claim_in *in, uint32_t in_len,
		struct capos_device_root_claim_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}
