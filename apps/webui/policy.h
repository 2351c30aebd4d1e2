/*
 * The Web UI's configuration and the rules that depend on it
 * (docs/webui.md, "Origin" and "Proxies"):
 *   - the one public origin (scheme://host[:port]) every state-changing
 *     request's Origin header must equal; a missing Origin is refused too;
 *   - the address ranges of trusted proxies (CIDR), the only peers whose
 *     X-Forwarded-For and X-Forwarded-Proto are believed;
 *   - comparisons of secrets in constant time.
 * Read from the program's arguments: `origin=URL proxies=CIDR,CIDR port=N`.
 */
#ifndef WEBUI_POLICY_H
#define WEBUI_POLICY_H

#include <stddef.h>
#include <stdint.h>

#define WEBUI_ORIGIN_MAX  128u
#define WEBUI_PROXIES_MAX 8u

struct webui_cidr {
	uint32_t net, mask;                /* host byte order */
};

#define WEBUI_IDLE_DEFAULT_S 900u   /* 15 minutes */
#define WEBUI_IDLE_MIN_S 1u
#define WEBUI_IDLE_MAX_S 86400u

struct webui_config {
	char origin[WEBUI_ORIGIN_MAX + 1];
	struct webui_cidr proxies[WEBUI_PROXIES_MAX];
	unsigned nproxies;
	uint16_t port;
	uint32_t idle_s;                   /* a browser session unused this long ends (idle=, default 900) */
};

/* Where a request came from, after the proxy rule. */
struct webui_client {
	uint32_t addr;                     /* host byte order */
	int https;                         /* the scheme the client used */
};

/*
 * Arguments to configuration: 0, or -CAPOS_EINVAL with *bad pointing at
 * the word refused.  Defaults: port 80, no proxies; origin is required.
 */
int webui_config_parse(struct webui_config *cfg, int argc, char **argv, const char **bad);

/* "a.b.c.d" to host order: 0 on success. */
int webui_parse_ipv4(const char *s, size_t len, uint32_t *addr);

/* "a.b.c.d/n": 0 on success (host bits must be zero). */
int webui_parse_cidr(const char *s, size_t len, struct webui_cidr *out);

int webui_is_proxy(const struct webui_config *cfg, uint32_t addr);

/*
 * The client behind peer: peer itself, unless peer is a trusted proxy;
 * then X-Forwarded-For is read from the right, skipping trusted proxies'
 * addresses, and the first other address is the client, and
 * X-Forwarded-Proto "https"/"http" is the scheme.  Anything unreadable
 * leaves the peer.
 */
struct webui_client webui_client_of(const struct webui_config *cfg, uint32_t peer, const char *forwarded_for,
				    const char *forwarded_proto);

/* Origin present and equal to the configured one. */
int webui_origin_ok(const struct webui_config *cfg, const char *origin, int has_origin);

/* Equal bytes, in time that depends only on len. */
int webui_ct_equal(const void *a, const void *b, size_t len);

#endif
