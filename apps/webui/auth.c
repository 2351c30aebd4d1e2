/*
 * The session side of the Web UI (auth.h).  Everything runs in the one
 * network thread; calls to sessiond, the broker and init are synchronous
 * CALLs, short next to an HTTP round trip.
 *
 * A browser's record (websess.c) has, at the same slot here, what the
 * server acts with for it: the UserSession, the session's broker client
 * and the profile's bundle as the broker handed it out (revocable copies,
 * by name).  Nothing else is ever used for a browser's request, so a guest
 * sees exactly what its profile grants: a page whose capability the
 * bundle lacks answers 403.  When a call through the bundle fails as
 * revoked, the user session has ended elsewhere (expiry, the broker) and
 * the browser session ends with it: 401.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capos/ipc.h>
#include <capos/netstack.h>
#include <capos/rt.h>
#include <capos/services.h>
#include <capos/sysgraph.h>

#include "auth.h"
#include "throttle.h"
#include "views.h"
#include "websess.h"

#define BUNDLE_MAX CAPOS_XFER_MAX
#define BUNDLE_NAME_MAX 24u
#define REPLY_MAX 2048u
#define GRAPH_SERVICES_MAX 64u
#define GRAPH_HOLDINGS_MAX 512u
#define PROCS_MAX 128u

struct bundle {
	uint32_t session;                   /* the UserSession */
	uint32_t broker;                    /* the session's broker client */
	uint32_t n;
	uint32_t cap[BUNDLE_MAX];
	char name[BUNDLE_MAX][BUNDLE_NAME_MAX];
};

static struct websess_table table;
static struct bundle bundles[WEBSESS_MAX];
static struct throttle throttle;
static uint32_t sessions_cap, launcher_cap;
static union {
	uint8_t raw[REPLY_MAX];
	struct capos_session_manager_login_out login;
	struct capos_authority_broker_upgrade_out upgrade;
	struct capos_authority_broker_release_out release;
} reply_buf;

static void addr_text(uint32_t a, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static int random_bytes(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	return getentropy(buf, len) == 0 ? 0 : -CAPOS_EIO;
}

/* ------------------------------------------------------------ a session's capabilities */

static void drop_bundle(struct bundle *b)
{
	for (uint32_t i = 0; i < b->n; i++)
		capos_release(capos_ring(), b->cap[i]);
	if (b->broker)
		capos_release(capos_ring(), b->broker);
	if (b->session)
		capos_release(capos_ring(), b->session);
	memset(b, 0, sizeof *b);
}

static uint32_t bundle_cap(const struct bundle *b, const char *name)
{
	for (uint32_t i = 0; i < b->n; i++)
		if (strcmp(b->name[i], name) == 0)
			return b->cap[i];
	return 0;
}

/* Keep the broker's copies under their names ("a b c", in transfer order). */
static void keep_bundle(struct bundle *b, const char *names, const struct capos_ipc_reply *r)
{
	for (uint16_t i = 0; i < r->cap_count; i++) {
		size_t n = strcspn(names, " ");

		if (b->n == BUNDLE_MAX || n == 0 || n >= BUNDLE_NAME_MAX) {
			capos_release(capos_ring(), r->caps[i].handle);   /* unnamed: not kept */
		} else {
			memcpy(b->name[b->n], names, n);
			b->name[b->n][n] = 0;
			b->cap[b->n++] = r->caps[i].handle;
		}
		names += n;
		names += strspn(names, " ");
	}
}

/* The broker client of session and the profile's bundle through it: 0 or a negative code (nothing kept). */
static int take_bundle(struct bundle *b)
{
	struct capos_ipc_reply r;
	struct capos_xfer x = { b->session, CAPOS_XFER_COPY };
	int err = capos_ipc_call(launcher_cap, CAPOS_IFACE_SHELL_LAUNCHER, CAPOS_SHELL_LAUNCHER_SESSION_BROKER, NULL, 0,
				 &x, 1, &reply_buf, sizeof reply_buf, &r);

	if (err || r.cap_count != 1)
		return err ? (err > 0 ? -CAPOS_EPERM : err) : -CAPOS_EFORMAT;
	b->broker = r.caps[0].handle;
	err = capos_ipc_call(b->broker, CAPOS_IFACE_AUTHORITY_BROKER, CAPOS_AUTHORITY_BROKER_UPGRADE, NULL, 0, &x, 1,
			     &reply_buf, sizeof reply_buf, &r);
	if (err)
		return err > 0 ? -CAPOS_EPERM : err;
	reply_buf.upgrade.names[sizeof reply_buf.upgrade.names - 1] = 0;
	keep_bundle(b, reply_buf.upgrade.names, &r);
	return 0;
}

/* Logout as the shell does: the broker revokes the bundle (audited with the source), sessiond ends the session. */
static void end_user_session(struct bundle *b, const char *source)
{
	struct capos_authority_broker_release_in in;
	struct capos_xfer x = { b->session, CAPOS_XFER_COPY };
	struct capos_ipc_reply r;

	memset(&in, 0, sizeof in);
	snprintf(in.source, sizeof in.source, "%s", source);
	if (b->broker)
		capos_ipc_call(b->broker, CAPOS_IFACE_AUTHORITY_BROKER, CAPOS_AUTHORITY_BROKER_RELEASE, &in, sizeof in,
			       &x, 1, &reply_buf, sizeof reply_buf, &r);
	capos_user_session_logout(capos_ring(), b->session);
	drop_bundle(b);
}

static void end_slot(int slot, const char *source)
{
	end_user_session(&bundles[slot], source);
	websess_end(&table, slot);
}

/* ------------------------------------------------------------ login, logout */

static int secure(const struct webui_config *cfg, const struct webui_request *req)
{
	return strncmp(cfg->origin, "https:", 6) == 0 || req->client_https;
}

/* sessiond's login_from: 0 with *session and profile, 1 for "login incorrect", or a negative code. */
static int sessiond_login(const char *user, const char *password, const char *source, uint32_t *session,
			  char *profile)
{
	static struct capos_session_manager_login_from_in in;
	struct capos_ipc_reply r;
	size_t plen = strlen(password);
	int err;

	if (strlen(user) >= sizeof in.user || plen > sizeof in.password)
		return 1;   /* no account has such a name or password: the same answer as a wrong one */
	memset(&in, 0, sizeof in);
	memcpy(in.user, user, strlen(user));
	snprintf(in.source, sizeof in.source, "%s", source);
	in.password_len = (uint32_t)plen;
	memcpy(in.password, password, plen);
	err = capos_ipc_call(sessions_cap, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN_FROM, &in,
			     sizeof in, NULL, 0, &reply_buf, sizeof reply_buf, &r);
	memset(&in, 0, sizeof in);
	if (err == CAPOS_STATUS_APP_ERROR && r.app_code == 1)
		return 1;
	if (err)
		return err > 0 ? -CAPOS_EPEER : err;
	if (r.cap_count != 1)
		return -CAPOS_EFORMAT;
	*session = r.caps[0].handle;
	memcpy(profile, reply_buf.login.profile, WEBSESS_LABEL_MAX - 1);
	profile[WEBSESS_LABEL_MAX - 1] = 0;
	return 0;
}

/* {"user", "profile"} of slot's session (labels are [a-z0-9_-]: nothing to escape). */
static void session_doc(int slot, struct webui_response *out)
{
	const struct websess *s = &table.s[slot];
	char body[128];

	snprintf(body, sizeof body, "{\"user\":\"%s\",\"profile\":\"%s\"}", s->user, s->profile);
	webui_json_owned(out, 200, strdup(body));
}

static void login_ok(const struct webui_config *cfg, const struct webui_request *req, int slot,
		     struct webui_response *out)
{
	session_doc(slot, out);
	if (!websess_set_cookie(&table.s[slot], secure(cfg, req), out->set_cookie, sizeof out->set_cookie))
		webui_error(out, 500, "cookie");
}

static void api_login(const struct webui_config *cfg, const struct webui_request *req, const char *user,
		      const char *password, struct webui_response *out)
{
	uint64_t now = capos_netstack_now_ms();
	char source[20], profile[WEBSESS_LABEL_MAX];
	struct bundle b;
	int err, slot;

	memset(&b, 0, sizeof b);
	addr_text(req->client_addr, source, sizeof source);
	err = sessiond_login(user, password, source, &b.session, profile);
	if (err == 1) {
		uint32_t ms = throttle_failed(&throttle, user, source, now * 1000000ull);

		webui_error(out, 401, "login incorrect");
		out->hold_until_ms = now + ms;   /* served meanwhile: the others (server.c) */
		return;
	}
	if (err) {
		webui_error(out, 503, "the session manager does not answer");
		return;
	}
	throttle_succeeded(&throttle, user, source);
	err = take_bundle(&b);
	slot = err ? err : websess_create(&table, random_bytes, NULL, now * 1000000ull, user, profile, 0);
	if (slot < 0) {
		end_user_session(&b, source);
		webui_error(out, 503, slot == -CAPOS_EQUOTA ? "too many browser sessions" : "cannot start the session");
		return;
	}
	bundles[slot] = b;
	login_ok(cfg, req, slot, out);
}

/* The browser session the request's cookie names: its slot, or -1 (an expired one is ended first). */
static int session_of(const struct webui_request *req)
{
	char source[20];
	int expired;
	int slot = websess_lookup(&table, req->has_cookie ? req->cookie : NULL, capos_netstack_now_ms() * 1000000ull,
				  &expired);

	if (expired >= 0) {
		addr_text(req->client_addr, source, sizeof source);
		end_slot(expired, source);
	}
	return slot < 0 ? -1 : slot;
}

static void api_logout(const struct webui_config *cfg, const struct webui_request *req, struct webui_response *out)
{
	char source[20];
	int slot = session_of(req);

	if (slot < 0) {
		webui_error(out, 401, "not logged in");
		return;
	}
	addr_text(req->client_addr, source, sizeof source);
	end_slot(slot, source);
	webui_json_owned(out, 200, strdup("{}"));
	websess_clear_cookie(secure(cfg, req), out->set_cookie, sizeof out->set_cookie);
}

/* ------------------------------------------------------------ the data pages */

static int registry_list(uint32_t cap, struct capos_procinfo_entry *e, uint32_t *n)
{
	static struct capos_process_registry_list_out out;
	struct capos_process_registry_list_in in = { .after_pid = 0 };

	*n = 0;
	do {
		uint32_t len = 0;
		int err = capos_call_sync(capos_ring(), cap, CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_PROCESS_REGISTRY_LIST,
					  &in, sizeof in, &out, sizeof out, &len);

		if (err)
			return err;
		if (out.count > CAPOS_PROCINFO_BATCH || len < 8 + out.count * sizeof *e)
			return -CAPOS_EFORMAT;
		for (uint32_t i = 0; i < out.count && *n < PROCS_MAX; i++) {
			memcpy(&e[*n], out.entries + i * sizeof *e, sizeof *e);
			in.after_pid = e[(*n)++].pid;
		}
	} while (out.more && *n < PROCS_MAX);
	return 0;
}

static int graph_system(uint32_t cap, struct view_system *v)
{
	struct capos_system_graph_system_out out;
	uint32_t len = 0;
	int err = capos_call_sync(capos_ring(), cap, CAPOS_IFACE_SYSTEM_GRAPH, CAPOS_SYSTEM_GRAPH_SYSTEM, NULL, 0,
				  &out, sizeof out, &len);

	if (err)
		return err;
	*v = (struct view_system){ out.uptime_ns, out.total_frames, out.free_frames, out.heap_bytes, out.heap_frames,
				   out.services, out.running };
	return 0;
}

/* Both lists of SystemGraph, paged: 0 or a negative code. */
static int graph_lists(uint32_t cap, struct capos_graph_service *s, uint32_t *ns, struct capos_graph_holding *h,
		       uint32_t *nh)
{
	static union { struct capos_system_graph_services_out s; struct capos_system_graph_holdings_out h; } out;
	uint32_t len;
	int err;

	for (*ns = 0;;) {
		struct capos_system_graph_services_in in = { .first = *ns };

		err = capos_call_sync(capos_ring(), cap, CAPOS_IFACE_SYSTEM_GRAPH, CAPOS_SYSTEM_GRAPH_SERVICES, &in,
				      sizeof in, &out.s, sizeof out.s, &len);
		if (err || out.s.count == 0 || out.s.count > CAPOS_GRAPH_BATCH || *ns + out.s.count > GRAPH_SERVICES_MAX)
			break;
		memcpy(s + *ns, out.s.entries, out.s.count * sizeof *s);
		*ns += out.s.count;
	}
	for (*nh = 0; !err;) {
		struct capos_system_graph_holdings_in in = { .first = *nh };

		err = capos_call_sync(capos_ring(), cap, CAPOS_IFACE_SYSTEM_GRAPH, CAPOS_SYSTEM_GRAPH_HOLDINGS, &in,
				      sizeof in, &out.h, sizeof out.h, &len);
		if (err || out.h.count == 0 || out.h.count > CAPOS_GRAPH_BATCH || *nh + out.h.count > GRAPH_HOLDINGS_MAX)
			break;
		memcpy(h + *nh, out.h.entries, out.h.count * sizeof *h);
		*nh += out.h.count;
	}
	return err;
}

static char *read_processes(const struct bundle *b, int *err)
{
	static struct capos_procinfo_entry e[PROCS_MAX];
	uint32_t cap = bundle_cap(b, "procs") ? bundle_cap(b, "procs") : bundle_cap(b, "session-procs");
	uint32_t n = 0;

	*err = cap ? registry_list(cap, e, &n) : -CAPOS_ENOENT;
	return *err ? NULL : view_processes(e, n);
}

static char *read_graph(const struct bundle *b, enum webui_read what, int *err)
{
	static struct capos_graph_service s[GRAPH_SERVICES_MAX];
	static struct capos_graph_holding h[GRAPH_HOLDINGS_MAX];
	uint32_t cap = bundle_cap(b, "graph"), ns, nh;
	struct view_system v;

	*err = cap ? 0 : -CAPOS_ENOENT;
	if (!*err && what == WEBUI_READ_CAPGRAPH)
		*err = graph_lists(cap, s, &ns, h, &nh);
	else if (!*err)
		*err = graph_system(cap, &v);
	if (*err)
		return NULL;
	if (what == WEBUI_READ_CAPGRAPH)
		return view_graph(s, ns, h, nh);
	return what == WEBUI_READ_MEMORY ? view_memory(&v) : view_uptime(&v);
}

static void api_read(const struct webui_config *cfg, const struct webui_request *req, enum webui_read what,
		     struct webui_response *out)
{
	int slot = session_of(req), err = 0;
	char *doc, source[20];

	(void)cfg;
	if (slot < 0) {
		webui_error(out, 401, "not logged in");
		return;
	}
	if (what == WEBUI_READ_SESSION) {
		session_doc(slot, out);
		return;
	}
	doc = what == WEBUI_READ_PROCESSES ? read_processes(&bundles[slot], &err) : read_graph(&bundles[slot], what, &err);
	if (err == -CAPOS_EREVOKED || err == -CAPOS_EPEER) {
		addr_text(req->client_addr, source, sizeof source);
		end_slot(slot, source);   /* the user session ended elsewhere: its bundle is gone */
		webui_error(out, 401, "the session has ended");
	} else if (err == -CAPOS_ENOENT) {
		webui_error(out, 403, "not in this session's profile");
	} else if (err) {
		webui_error(out, 503, "the system does not answer");
	} else {
		webui_json_owned(out, 200, doc);
	}
}

static const struct webui_api_ops ops = { api_login, api_logout, api_read };

int webui_auth_start(uint64_t idle_ms)
{
	sessions_cap = capos_cap_find("sessions", NULL);
	launcher_cap = capos_cap_find("launcher", NULL);
	if (!sessions_cap || !launcher_cap)
		return -CAPOS_ENOENT;
	websess_init(&table, idle_ms * 1000000ull);
	throttle_init(&throttle);
	webui_route_set_api(&ops);
	return 0;
}

void webui_auth_sweep(uint64_t now_ms)
{
	int slot;

	while ((slot = websess_next_idle(&table, now_ms * 1000000ull)) >= 0)
		end_slot(slot, "idle");
}
