/*
 * PLACEHOLDER while the device objects are written: every method answers
 * -CAPOS_ENOSYS.  Replaced by the real objects before anything lands.
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "iface_kernel.h"
#include "kcall.h"

int kcap_pci_function_info(struct kcall *call, const struct capos_pci_function_info_in *in, uint32_t in_len,
		struct capos_pci_function_info_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_pci_function_bar(struct kcall *call, const struct capos_pci_function_bar_in *in, uint32_t in_len,
		struct capos_pci_function_bar_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_pci_function_config_read(struct kcall *call, const struct capos_pci_function_config_read_in *in, uint32_t in_len,
		struct capos_pci_function_config_read_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_pci_function_config_write(struct kcall *call, const struct capos_pci_function_config_write_in *in, uint32_t in_len,
		struct capos_pci_function_config_write_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_pci_function_set_bus_master(struct kcall *call, const struct capos_pci_function_set_bus_master_in *in, uint32_t in_len,
		struct capos_pci_function_set_bus_master_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_pci_function_map_bar(struct kcall *call, const struct capos_pci_function_map_bar_in *in, uint32_t in_len,
		struct capos_pci_function_map_bar_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_pci_function_ioports(struct kcall *call, const struct capos_pci_function_ioports_in *in, uint32_t in_len,
		struct capos_pci_function_ioports_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_pci_function_interrupt(struct kcall *call, const struct capos_pci_function_interrupt_in *in, uint32_t in_len,
		struct capos_pci_function_interrupt_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}

int kcap_pci_function_dma_pool(struct kcall *call, const struct capos_pci_function_dma_pool_in *in, uint32_t in_len,
		struct capos_pci_function_dma_pool_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return -CAPOS_ENOSYS;
}
