/*
 * PLACEHOLDER while the device objects are written: every method answers
 * -CAPOS_ENOSYS.  Replaced by the real objects before anything lands.
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"

int kcap_device_root_irq(struct kcall *call, const struct capos_device_root_irq_in *in, uint32_t in_len,
		struct capos_device_root_irq_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_interrupt_info(struct kcall *call, const struct capos_interrupt_info_in *in, uint32_t in_len,
		struct capos_interrupt_info_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_interrupt_wait(struct kcall *call, const struct capos_interrupt_wait_in *in, uint32_t in_len,
		struct capos_interrupt_wait_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_interrupt_ack(struct kcall *call, const struct capos_interrupt_ack_in *in, uint32_t in_len,
		struct capos_interrupt_ack_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_interrupt_mask(struct kcall *call, const struct capos_interrupt_mask_in *in, uint32_t in_len,
		struct capos_interrupt_mask_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_interrupt_unmask(struct kcall *call, const struct capos_interrupt_unmask_in *in, uint32_t in_len,
		struct capos_interrupt_unmask_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}
