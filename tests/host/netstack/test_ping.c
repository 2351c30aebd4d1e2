/*
 * netcheck's ICMP echo checks (apps/netcheck/ping.c): a good reply passes,
 * and each way a reply can be malformed — truncated, not IPv4, another
 * protocol, another type, a wrong checksum, someone else's id or sequence,
 * a changed payload — is rejected with its own verdict.
 */
#include <string.h>

#include "check.h"
#include "ping.h"

#define ID 0x1234
#define SEQ 3

/* A correct reply datagram: IPv4 header + the request turned into a reply. */
static size_t reply(uint8_t *ip)
{
	uint8_t *icmp = ip + 20;
	uint16_t c;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = 0;
	ip[3] = 20 + PING_HDR + PING_DATA;
	ip[8] = 64;
	ip[9] = 1;
	ping_build(icmp, ID, SEQ);
	icmp[0] = 0;
	icmp[2] = icmp[3] = 0;
	c = ping_cksum(icmp, PING_HDR + PING_DATA);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	return 20 + PING_HDR + PING_DATA;
}

/* Fix the ICMP checksum after a change, so the check after it is the one that fires. */
static void refix(uint8_t *ip)
{
	uint16_t c;

	ip[22] = ip[23] = 0;
	c = ping_cksum(ip + 20, PING_HDR + PING_DATA);
	ip[22] = (uint8_t)(c >> 8);
	ip[23] = (uint8_t)c;
}

static void test_good(void)
{
	uint8_t ip[128];
	size_t n = reply(ip);

	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_OK);
	CHECK_EQ(ping_cksum(ip + 20, PING_HDR + PING_DATA), 0);
}

static void test_request_checksum(void)
{
	uint8_t icmp[64];

	ping_build(icmp, ID, SEQ);
	CHECK_EQ(icmp[0], 8);
	CHECK_EQ(ping_cksum(icmp, PING_HDR + PING_DATA), 0);
}

static void test_malformed(void)
{
	uint8_t ip[128];
	size_t n;

	n = reply(ip);
	CHECK_EQ(ping_judge(ip, 19, ID, SEQ), PING_SHORT);
	CHECK_EQ(ping_judge(ip, n - 1, ID, SEQ), PING_BAD_IP);         /* total length past the data */
	ip[0] = 0x65;
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_BAD_IP);             /* IPv6 version nibble */
	ip[0] = 0x44;
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_BAD_IP);             /* IHL below 5 */
	n = reply(ip);
	ip[9] = 17;
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_NOT_ICMP);
	n = reply(ip);
	ip[3] = 20 + 4;
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_SHORT);              /* ICMP header cut */
	n = reply(ip);
	ip[20] = 8;
	refix(ip);
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_NOT_REPLY);          /* an echo request */
	n = reply(ip);
	ip[20 + 1] = 1;
	refix(ip);
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_NOT_REPLY);          /* code 1 */
	n = reply(ip);
	ip[22] ^= 0x10;
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_CHECKSUM);
	n = reply(ip);
	ip[24] ^= 1;
	refix(ip);
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_ID);
	n = reply(ip);
	ip[27] ^= 1;
	refix(ip);
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_SEQ);
	n = reply(ip);
	ip[20 + PING_HDR + 5] ^= 0xff;
	refix(ip);
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_PAYLOAD);
	n = reply(ip);
	ip[3] -= 4;               /* payload cut short, checksum made to match */
	ip[22] = ip[23] = 0;
	{
		uint16_t c = ping_cksum(ip + 20, PING_HDR + PING_DATA - 4);

		ip[22] = (uint8_t)(c >> 8);
		ip[23] = (uint8_t)c;
	}
	CHECK_EQ(ping_judge(ip, n, ID, SEQ), PING_SHORT);
	CHECK_STR(ping_verdict_name(PING_CHECKSUM), "checksum");
	CHECK_STR(ping_verdict_name(PING_VERDICTS), "?");
}

int main(void)
{
	RUN(test_good);
	RUN(test_request_checksum);
	RUN(test_malformed);
	return check_done();
}
