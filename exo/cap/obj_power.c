/*
 * Power (docs/sessions.md): the operator's halt.  One singleton, granted
 * to init as "power" and passed on only to those the manifest names.
 *
 * halt ends the whole machine and never returns: the kernel log names
 * who asked, then the machine stops in the first way that works.  Under a
 * test that reads the verdict from isa-debug-exit ("exit=debug"), a
 * deliberate halt is a clean end and reports PASS; otherwise ACPI soft-off
 * (S5); if that fails, this CPU masks interrupts and halts for good, which
 * stops every process (one CPU runs them all).
 */
#include <capos/iface.h>
#include <capos/verdict.h>
#include "obj_power.h"
#include "iface_kernel.h"
#include "kcall.h"
#include "../acpi/acpi.h"
#include "../arch/x86_64/cpu.h"
#include "../kern/log.h"
#include "../kern/verdict.h"
#include "../proc/process.h"

static struct kobj power_obj = KOBJ_STATIC(CAPOS_IFACE_POWER);

struct kobj *coreobj_power(void)
{
	return &power_obj;
}

static __attribute__((noreturn)) void power_off(void)
{
	if (verdict_enabled())
		verdict_exit(CAPOS_VERDICT_PASS);
	acpi_poweroff();  /* returns only when it failed, having said why */
	kerror("power: the machine could not be switched off; halting this CPU with interrupts masked");
	cpu_stop();
}

int kcap_power_halt(struct kcall *call, const struct capos_power_halt_in *in, uint32_t in_len,
		    struct capos_power_halt_out *out, uint32_t *out_len)
{
	(void)in; (void)in_len; (void)out; (void)out_len;
	kinfo("power: halt requested by pid %u (%s)", process_pid(call->proc), call->proc->name);
	power_off();
}
