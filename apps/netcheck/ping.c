/*
 * ICMP echo requests and the checks on their replies (ping.h).  The
 * checks are ours, not lwIP's: lwIP verifies the IP header but hands an
 * echo *reply* to raw PCBs without looking at its ICMP checksum, and a
 * reply is only proof of a working path when every byte sent came back.
 */
#include "ping.h"

static uint8_t pattern(size_t i, uint16_t seq)
{
	return (uint8_t)(i * 7u + seq);
}

uint16_t ping_cksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void ping_build(uint8_t *out, uint16_t id, uint16_t seq)
{
	uint16_t c;
	size_t i;

	out[0] = 8;               /* echo request */
	out[1] = 0;
	out[2] = out[3] = 0;
	out[4] = (uint8_t)(id >> 8);
	out[5] = (uint8_t)id;
	out[6] = (uint8_t)(seq >> 8);
	out[7] = (uint8_t)seq;
	for (i = 0; i < PING_DATA; i++)
		out[PING_HDR + i] = pattern(i, seq);
	c = ping_cksum(out, PING_HDR + PING_DATA);
	out[2] = (uint8_t)(c >> 8);
	out[3] = (uint8_t)c;
}

enum ping_verdict ping_judge(const uint8_t *ip, size_t len, uint16_t id, uint16_t seq)
{
	size_t ihl, total, n, i;
	const uint8_t *icmp;

	if (len < 20)
		return PING_SHORT;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	total = (size_t)ip[2] << 8 | ip[3];
	if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl || total > len)
		return PING_BAD_IP;
	if (ip[9] != 1)
		return PING_NOT_ICMP;
	icmp = ip + ihl;
	n = total - ihl;
	if (n < PING_HDR)
		return PING_SHORT;
	if (icmp[0] != 0 || icmp[1] != 0)
		return PING_NOT_REPLY;
	if (ping_cksum(icmp, n) != 0)
		return PING_CHECKSUM;
	if (((uint16_t)icmp[4] << 8 | icmp[5]) != id)
		return PING_ID;
	if (((uint16_t)icmp[6] << 8 | icmp[7]) != seq)
		return PING_SEQ;
	if (n != PING_HDR + PING_DATA)
		return n < PING_HDR + PING_DATA ? PING_SHORT : PING_PAYLOAD;
	for (i = 0; i < PING_DATA; i++)
		if (icmp[PING_HDR + i] != pattern(i, seq))
			return PING_PAYLOAD;
	return PING_OK;
}

const char *ping_verdict_name(enum ping_verdict v)
{
	static const char *const names[PING_VERDICTS] = {
		"ok", "short", "bad-ip", "not-icmp", "not-reply", "checksum", "id", "seq", "payload",
	};

	return (unsigned)v < PING_VERDICTS ? names[v] : "?";
}
