/* The interface-name table generated from interfaces.def and services.def. */
#include "check.h"
#include "ifname.h"

static void known_and_unknown(void)
{
	CHECK_STR(capos_iface_name(1), "Null");
	CHECK(capos_iface_name(12) == NULL);                     /* retired: the kernel's program loader */
	CHECK_STR(capos_iface_name(13), "ProcessHandle");
	CHECK(capos_iface_name(20) == NULL);                     /* retired: the kernel terminal */
	CHECK_STR(capos_iface_name(30), "ProcessFactory");
	CHECK(capos_iface_name(22) == NULL);                     /* retired: the kernel's sessions */
	CHECK_STR(capos_iface_name(0x2008), "UserSession");     /* sessiond's */
	CHECK_STR(capos_iface_name(24), "Power");
	CHECK_STR(capos_iface_name(0x1000), "Echo");
	CHECK_STR(capos_iface_name(0x2002), "AuthorityBroker");
	CHECK_STR(capos_iface_name(0x2005), "AuditReader");
	CHECK_STR(capos_iface_name(0x2006), "TerminalSession");
	CHECK(capos_iface_name(0) == NULL);
	CHECK(capos_iface_name(0x1234) == NULL);
	CHECK(capos_iface_name(0xffffffffu) == NULL);
}

int main(void)
{
	RUN(known_and_unknown);
	return check_done();
}
