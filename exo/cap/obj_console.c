/*
 * Console: bytes from a process to the debug UART, through the kernel log
 * lock so a write never splits a kernel log line.  The message is the
 * bytes: its length is the parameter length.  A long write goes out in
 * slices (log_write_raw) so interrupts are never off for all of it.
 */
#include <capos/iface.h>
#include "coreobj.h"
#include "iface_kernel.h"
#include "../kern/log.h"

static struct kobj console_obj = KOBJ_STATIC(CAPOS_IFACE_CONSOLE);

struct kobj *coreobj_console(void)
{
	return &console_obj;
}

int kcap_console_write(struct kcall *call, const struct capos_console_write_in *in, uint32_t in_len,
		       struct capos_console_write_out *out, uint32_t *out_len)
{
	(void)call;
	log_write_raw((const char *)in->data, in_len);
	out->written = in_len;
	*out_len = sizeof *out;
	return 0;
}
