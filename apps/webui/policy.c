/*
 * The configuration and the origin and proxy rules of policy.h.  Parsing
 * is strict: an origin with a path, a CIDR with host bits set or a port
 * out of range is a configuration error at start, not a silent default.
 */
#include <stdlib.h>
#include <string.h>

#include <capos/error.h>

#include "policy.h"

int webui_parse_ipv4(const char *s, size_t len, uint32_t *addr)
{
	uint32_t a = 0, part = 0;
	int parts = 0, digits = 0;
	size_t i;

	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (digits == 0 || part > 255 || parts == 4)
				return -1;
			a = (a << 8) | part;
			parts++;
			part = 0;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			part = part * 10 + (uint32_t)(s[i] - '0');
			digits++;
		} else {
			return -1;
		}
	}
	if (parts != 4)
		return -1;
	*addr = a;
	return 0;
}

int webui_parse_cidr(const char *s, size_t len, struct webui_cidr *out)
{
	const char *slash = memchr(s, '/', len);
	uint32_t addr, bits = 0;
	size_t i;

	if (!slash || slash == s + len - 1 || webui_parse_ipv4(s, (size_t)(slash - s), &addr))
		return -1;
	for (i = (size_t)(slash - s) + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || bits > 32)
			return -1;
		bits = bits * 10 + (uint32_t)(s[i] - '0');
	}
	if (bits > 32)
		return -1;
	out->mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
	if (addr & ~out->mask)
		return -1;
	out->net = addr;
	return 0;
}

/* scheme://host[:port], lower-case scheme http or https, no path, no userinfo. */
static int origin_valid(const char *o)
{
	const char *host;
	size_t i;

	if (strncmp(o, "http://", 7) == 0)
		host = o + 7;
	else if (strncmp(o, "https://", 8) == 0)
		host = o + 8;
	else
		return 0;
	if (!*host)
		return 0;
	for (i = 0; host[i]; i++) {
		char ch = host[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' ||
		      ch == '[' || ch == ']'))
			return 0;
	}
	return 1;
}

static int parse_proxies(struct webui_config *cfg, const char *list)
{
	const char *p = list;

	cfg->nproxies = 0;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (cfg->nproxies == WEBUI_PROXIES_MAX || webui_parse_cidr(p, len, &cfg->proxies[cfg->nproxies]))
			return -1;
		cfg->nproxies++;
		p += len;
		if (*p == ',' && *++p == 0)
			return -1;
	}
	return 0;
}

int webui_config_parse(struct webui_config *cfg, int argc, char **argv, const char **bad)
{
	int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->port = 80;
	cfg->idle_s = WEBUI_IDLE_DEFAULT_S;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		*bad = a;
		if (strncmp(a, "origin=", 7) == 0) {
			if (strlen(a + 7) > WEBUI_ORIGIN_MAX || !origin_valid(a + 7))
				return -CAPOS_EINVAL;
			strcpy(cfg->origin, a + 7);
		} else if (strncmp(a, "proxies=", 8) == 0) {
			if (parse_proxies(cfg, a + 8))
				return -CAPOS_EINVAL;
		} else if (strncmp(a, "port=", 5) == 0) {
			char *end;
			unsigned long port = strtoul(a + 5, &end, 10);

			if (*end || end == a + 5 || port == 0 || port > 65535)
				return -CAPOS_EINVAL;
			cfg->port = (uint16_t)port;
		} else if (strncmp(a, "idle=", 5) == 0) {
			char *end;
			unsigned long s = strtoul(a + 5, &end, 10);

			if (*end || end == a + 5 || s < WEBUI_IDLE_MIN_S || s > WEBUI_IDLE_MAX_S)
				return -CAPOS_EINVAL;
			cfg->idle_s = (uint32_t)s;
		} else {
			return -CAPOS_EINVAL;
		}
	}
	*bad = "origin= (required)";
	return cfg->origin[0] ? 0 : -CAPOS_EINVAL;
}

int webui_is_proxy(const struct webui_config *cfg, uint32_t addr)
{
	unsigned i;

	for (i = 0; i < cfg->nproxies; i++)
		if ((addr & cfg->proxies[i].mask) == cfg->proxies[i].net)
			return 1;
	return 0;
}

/* The last comma-separated entry of s[0..len), trimmed of spaces; returns the length before its comma. */
static size_t last_entry(const char *s, size_t len, const char **entry, size_t *entry_len)
{
	size_t comma = len, start, end = len;

	while (comma > 0 && s[comma - 1] != ',')
		comma--;
	start = comma;
	while (start < end && s[start] == ' ')
		start++;
	while (end > start && s[end - 1] == ' ')
		end--;
	*entry = s + start;
	*entry_len = end - start;
	return comma > 0 ? comma - 1 : 0;
}

struct webui_client webui_client_of(const struct webui_config *cfg, uint32_t peer, const char *forwarded_for,
				    const char *forwarded_proto)
{
	struct webui_client c = { .addr = peer, .https = 0 };
	size_t len;

	if (!webui_is_proxy(cfg, peer))
		return c;
	if (forwarded_proto && strcmp(forwarded_proto, "https") == 0)
		c.https = 1;
	if (!forwarded_for)
		return c;
	len = strlen(forwarded_for);
	while (len > 0) {
		const char *entry;
		size_t entry_len;
		uint32_t addr;
		size_t rest = last_entry(forwarded_for, len, &entry, &entry_len);

		if (webui_parse_ipv4(entry, entry_len, &addr))
			return c;                    /* unreadable: the last trusted hop stands */
		c.addr = addr;
		if (!webui_is_proxy(cfg, addr))
			return c;
		len = rest;
	}
	return c;
}

int webui_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

int webui_origin_ok(const struct webui_config *cfg, const char *origin, int has_origin)
{
	size_t n = strlen(cfg->origin);

	if (!has_origin || strlen(origin) != n)
		return 0;
	return webui_ct_equal(origin, cfg->origin, n);
}
