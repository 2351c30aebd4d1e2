/*
 * utest-power: Power.halt (docs/capabilities.md), run as init.  First the
 * calls the kernel must refuse (another interface, an unknown method,
 * parameters halt does not take), then halt itself, which never returns:
 * the QEMU tests read the machine's end (a PASS verdict under exit=debug,
 * else an ACPI power-off).  If halt returns, that is a failure and init
 * exits non-zero.
 */
#include <capos/cap.h>
#include "utest.h"

#define rc capos_ring()

int main(int argc, char **argv)
{
	uint32_t power, word = 0;
	int err;

	(void)argc; (void)argv;
	ut_init("utest-power");
	power = ut_cap("power");
	ut_status("Power called as Null", capos_call_sync(rc, power, CAPOS_IFACE_NULL, 0, NULL, 0, NULL, 0, NULL),
		  -CAPOS_ETYPE);
	ut_status("an unknown Power method", capos_call_sync(rc, power, CAPOS_IFACE_POWER, 1, NULL, 0, NULL, 0, NULL),
		  -CAPOS_ENOSYS);
	ut_status("halt with parameters", capos_call_sync(rc, power, CAPOS_IFACE_POWER, CAPOS_POWER_HALT, &word,
		  sizeof word, NULL, 0, NULL), -CAPOS_ERANGE);
	ut_status("halt on a garbage handle", capos_power_halt(rc, 0x00abcdef), -CAPOS_EBADF);
	ut_note("%d failures before the halt; halting", ut_failures());
	err = capos_power_halt(rc, power);
	ut_check(0, "Power.halt does not return", "it returned %d", err);
	return ut_failures();
}
