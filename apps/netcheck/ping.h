/*
 * ICMP echo for netcheck: building a request and judging a reply.  Pure
 * (no lwIP, no capability), so the host tests feed it malformed replies.
 * A reply counts only when every field is what was sent; anything else is
 * rejected with a reason and counted (the "malformed echo replies
 * are rejected").
 */
#ifndef NETCHECK_PING_H
#define NETCHECK_PING_H

#include <stddef.h>
#include <stdint.h>

#define PING_HDR 8u               /* ICMP echo header */
#define PING_DATA 32u             /* bytes of pattern after it */

enum ping_verdict {
	PING_OK = 0,
	PING_SHORT,               /* IP or ICMP header or payload truncated */
	PING_BAD_IP,              /* not IPv4, bad header length, total length past the data */
	PING_NOT_ICMP,            /* another protocol */
	PING_NOT_REPLY,           /* not type 0 code 0 */
	PING_CHECKSUM,            /* ICMP checksum wrong */
	PING_ID,                  /* someone else's echo */
	PING_SEQ,                 /* not the sequence we wait for */
	PING_PAYLOAD,             /* pattern changed */
	PING_VERDICTS
};

/* The ICMP echo request (header + payload: PING_HDR + PING_DATA bytes) for id/seq into out. */
void ping_build(uint8_t *out, uint16_t id, uint16_t seq);

/* Judge an IPv4 datagram (from its IP header) as the reply to id/seq. */
enum ping_verdict ping_judge(const uint8_t *ip, size_t len, uint16_t id, uint16_t seq);

const char *ping_verdict_name(enum ping_verdict v);

/* The Internet checksum (RFC 1071) of len bytes. */
uint16_t ping_cksum(const uint8_t *p, size_t len);

#endif
