/*
 * webui: the Web UI's server (docs/webui.md).  It owns the NIC as netcheck
 * does (the same virtio-net glue, apps/netcheck/nic.c, and lwIP from
 * netstack/), gets an address by DHCP, loads the front end's files from
 * the boot package (entries "www/NAME"), and serves HTTP/1.1 on the
 * configured port for ever.
 *
 * Arguments: `origin=URL` (required: the one public origin, e.g.
 * http://127.0.0.1:8080 for ./capos run), `proxies=CIDR[,CIDR...]`
 * (peers whose X-Forwarded-* headers are believed), `port=N` (default 80),
 * `idle=SECONDS` (a browser session's idle time, default 900).
 * Capabilities: "nic" (a PciFunction; as init it claims the first network
 * controller through "devices"), "bootpkg", "entropy" (TCP sequence
 * numbers, session ids), "timer"; for logins (auth.h) "sessions" (sessiond's
 * front-end export) and "launcher" (the broker's) — without them every
 * API request is unauthenticated and the login answers 503.
 */
#include <stdio.h>
#include <string.h>

#include <capos/bootfiles.h>
#include <capos/device.h>
#include <capos/error.h>
#include <capos/netstack.h>
#include <capos/rt.h>

#include "lwip/dhcp.h"
#include "lwip/ip4_addr.h"

#include "nic.h"
#include "auth.h"
#include "policy.h"
#include "server.h"
#include "site.h"

#define TURN_NS 50000000ull       /* 50 ms: the longest the DHCP wait sleeps before looking again */
#define SITE_PREFIX "www/"

static struct nic nic;
static struct capos_netif nif;
static struct webui_config config;
static struct webui_site site;

static int fail(const char *step, const char *why)
{
	printf("webui: %s: FAILED %s\n", step, why);
	fflush(stdout);
	return 1;
}

/* Every boot-package entry "www/NAME" of a served kind becomes /NAME. */
static int load_site(void)
{
	char name[CAPOS_BOOTPKG_NAME_MAX];
	uint64_t size;
	uint32_t kind, i;
	const void *data;
	size_t plen = strlen(SITE_PREFIX);

	for (i = 0; capos_bootfile_at(i, name, &size, &kind) == 0; i++) {
		if (strncmp(name, SITE_PREFIX, plen) != 0)
			continue;
		if (capos_bootfile_find(name, &data, &size, &kind) != 0 ||
		    webui_site_add(&site, name + plen, data, (size_t)size) != 0) {
			printf("webui: site: %s not served (kind or count)\n", name);
			continue;
		}
	}
	if (!webui_site_find(&site, "/", 1))
		return -CAPOS_ENOENT;
	printf("webui: site: %u files from the boot package\n", site.nfiles);
	return 0;
}

static int start_network(void)
{
	uint32_t fn, start;
	const char *how;
	int err;
	char ip[16];

	if ((err = nic_find(&fn, &how)) != 0)
		return fail("nic", capos_strerror(err));
	if ((err = nic_open(fn, &nic)) != 0)
		return fail("nic", capos_strerror(err));
	printf("webui: nic: %s, link %s\n", nic.what, nic.link_up ? "up" : "down");
	if ((err = capos_netif_add(&nif, nic.q, nic.mac, nic.link_up, nic.ops, nic.drv)) != 0)
		return fail("netif", capos_strerror(err));
	netif_set_hostname(&nif.netif, "capos");
	netif_set_up(&nif.netif);
	if (dhcp_start(&nif.netif) != ERR_OK)
		return fail("dhcp", "dhcp_start");
	start = capos_netstack_now_ms();
	while (!dhcp_supplied_address(&nif.netif)) {
		if (capos_netstack_now_ms() - start > 30000u)
			return fail("dhcp", "no lease in 30 s");
		capos_netloop_turn(&nif, TURN_NS);
	}
	ip4addr_ntoa_r(netif_ip4_addr(&nif.netif), ip, sizeof(ip));
	printf("webui: dhcp: bound %s\n", ip);
	return 0;
}

int main(int argc, char **argv)
{
	const char *bad = NULL;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (webui_config_parse(&config, argc, argv, &bad) != 0)
		return fail("arguments", bad);
	if ((err = load_site()) != 0)
		return fail("site", "no www/index.html in the boot package");
	if (start_network())
		return 1;
	if (webui_server_start(&config, &site) != 0)
		return fail("listen", "tcp port refused");
	printf("webui: serving http on port %u for origin %s (%u trusted proxy ranges)\n", config.port, config.origin,
	       config.nproxies);
	if (webui_auth_start((uint64_t)config.idle_s * 1000u) == 0)
		printf("webui: logins through sessiond and the broker; sessions end after %u s idle\n", config.idle_s);
	else
		printf("webui: no \"sessions\" or \"launcher\": nobody can log in\n");
	for (;;) {
		uint32_t ms;

		webui_auth_sweep(capos_netstack_now_ms());
		ms = webui_server_tick(capos_netstack_now_ms());
		uint64_t wait = ms == UINT32_MAX ? CAPOS_TIMEOUT_INFINITE : (uint64_t)ms * 1000000ull + 1000000ull;

		capos_netloop_turn(&nif, wait);
	}
}
