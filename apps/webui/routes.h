/*
 * What the Web UI answers to a whole request (docs/webui.md, "Routes" and
 * "API"): /healthz, the JSON API under /api/, and the static front end.
 * The checks run in a fixed order, so each refusal has one precise
 * status: unknown path 404, wrong method 405 (with Allow), a
 * state-changing request without the configured Origin 403, an API POST
 * whose body is not JSON 415, a login body that is not the expected
 * object 400.  Until sessions exist every API request is unauthenticated:
 * 401 with a JSON error; the login POST, once it passes its checks, 503
 * "sessions unavailable" (no account check exists to say more).
 */
#ifndef WEBUI_ROUTES_H
#define WEBUI_ROUTES_H

#include "http.h"
#include "policy.h"
#include "respond.h"
#include "site.h"

#define WEBUI_USERNAME_MAX 64u
#define WEBUI_PASSWORD_MAX 256u

void webui_route(const struct webui_config *cfg, const struct webui_site *site, const struct webui_request *req,
		 struct webui_response *out);

/*
 * What answers the API once the checks above have passed (auth.c in the
 * program; the host tests leave it unset, and then every API request is
 * unauthenticated: 401, the login 503).  Each fills *out completely; a
 * login may hold its answer back (hold_until_ms) and set a cookie.
 */
enum webui_read { WEBUI_READ_SESSION, WEBUI_READ_PROCESSES, WEBUI_READ_MEMORY, WEBUI_READ_UPTIME,
		  WEBUI_READ_CAPGRAPH };
struct webui_api_ops {
	void (*login)(const struct webui_config *cfg, const struct webui_request *req, const char *user,
		      const char *password, struct webui_response *out);
	void (*logout)(const struct webui_config *cfg, const struct webui_request *req, struct webui_response *out);
	void (*read)(const struct webui_config *cfg, const struct webui_request *req, enum webui_read what,
		     struct webui_response *out);
};
void webui_route_set_api(const struct webui_api_ops *ops);

/*
 * The answer for a connection in READY (the route's, keeping the
 * connection open when the client asked and the per-connection request
 * limit allows) or ERROR (the violation's status as a JSON error; the
 * connection closes).
 */
void webui_answer(const struct webui_config *cfg, const struct webui_site *site, const struct webui_conn *c,
		  struct webui_response *out);

#endif
