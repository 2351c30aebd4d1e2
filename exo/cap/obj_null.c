/* NullCap: a method that does nothing, to measure dispatch cost. */
#include <capos/iface.h>
#include "coreobj.h"
#include "iface_kernel.h"

static struct kobj null_obj = KOBJ_STATIC(CAPOS_IFACE_NULL);

struct kobj *coreobj_null(void)
{
	return &null_obj;
}

int kcap_null_nop(struct kcall *call, const struct capos_null_nop_in *in, uint32_t in_len,
		  struct capos_null_nop_out *out, uint32_t *out_len)
{
	(void)call; (void)in; (void)in_len; (void)out;
	*out_len = 0;
	return 0;
}
