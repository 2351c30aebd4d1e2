/*
 * What lwIP asks of its platform with NO_SYS=1 (docs/network.md, "The
 * lwIP port"): sys_now, milliseconds from the kernel's published clock
 * (capos_time_ns reads the TSC with the bootstrap page's parameters: no
 * system call), and random numbers for DHCP transaction ids, TCP initial
 * sequence numbers and ephemeral ports.
 */
#include <capos/netstack.h>
#include <capos/rt.h>

#include "lwip/sys.h"

uint32_t capos_netstack_now_ms(void)
{
	return (uint32_t)(capos_time_ns() / 1000000u);
}

u32_t sys_now(void)
{
	return capos_netstack_now_ms();
}

/*
 * xorshift64*, seeded once from the kernel's entropy capability when the
 * program holds one (getentropy), else from the TSC.  Unpredictable
 * enough to keep TCP sequence numbers from repeating across boots; not a
 * source for keys.
 */
uint32_t capos_lwip_rand(void)
{
	static uint64_t s;

	if (s == 0) {
		extern int getentropy(void *, size_t);

		if (getentropy(&s, sizeof(s)) != 0 || s == 0)
			s = capos_tsc() | 1;
	}
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return (uint32_t)((s * 0x2545F4914F6CDD1Dull) >> 32);
}
