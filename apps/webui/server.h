/*
 * The Web UI's TCP side over lwIP's raw API (docs/webui.md, "Connections"):
 * a fixed table of connection slots, each a webui_conn (http.h) with the
 * bytes received and not yet parsed and the answer being sent.  When every
 * slot is taken, a new connection first pushes out a slot that waits idle
 * between keep-alive requests; when none does, it gets 503 and is closed.
 * So a flood of slow or idle connections holds a slot each for at most the
 * header deadline, and a new client is served once one frees.
 */
#ifndef WEBUI_SERVER_H
#define WEBUI_SERVER_H

#include <stdint.h>

#include "policy.h"
#include "site.h"

#define WEBUI_CONNS 16u

/* Listen on cfg->port: 0, or -1 when lwIP refuses. */
int webui_server_start(const struct webui_config *cfg, const struct webui_site *site);

/* Deadlines of every connection; returns milliseconds until the next one (UINT32_MAX: none). */
uint32_t webui_server_tick(uint64_t now);

/* Counters for the log line at exit and the tests. */
struct webui_server_stats {
	uint64_t accepted, refused_full, evicted_idle, answers, violations, timeouts;
};
const struct webui_server_stats *webui_server_stats(void);

#endif
