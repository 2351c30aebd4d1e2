/*
 * PLACEHOLDER while the device objects are written: every method answers
 * -CAPOS_ENOSYS.  Replaced by the real objects before anything lands.
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"

int kcap_device_root_ioports(struct kcall *call, const struct capos_device_root_ioports_in *in, uint32_t in_len,
		struct capos_device_root_ioports_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_io_port_range_info(struct kcall *call, const struct capos_io_port_range_info_in *in, uint32_t in_len,
		struct capos_io_port_range_info_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_io_port_range_enable(struct kcall *call, const struct capos_io_port_range_enable_in *in, uint32_t in_len,
		struct capos_io_port_range_enable_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_io_port_range_disable(struct kcall *call, const struct capos_io_port_range_disable_in *in, uint32_t in_len,
		struct capos_io_port_range_disable_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}
