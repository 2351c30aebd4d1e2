/*
 * PLACEHOLDER while the device objects are written: every method answers
 * -CAPOS_ENOSYS.  Replaced by the real objects before anything lands.
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"

int kcap_dma_pool_info(struct kcall *call, const struct capos_dma_pool_info_in *in, uint32_t in_len,
		struct capos_dma_pool_info_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_dma_pool_map(struct kcall *call, const struct capos_dma_pool_map_in *in, uint32_t in_len,
		struct capos_dma_pool_map_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}
