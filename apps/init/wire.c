/*
 * Wiring a service: the capabilities it receives are exactly the ones its
 * manifest entry names, and nothing else.
 *
 *   kernel:vm, threads, thread, park  NAME=@KIND: an object the kernel binds
 *                                     to the new process itself
 *   kernel:NAME (any other)           a copy of init's own handle of NAME
 *   init:procs                        a copy of the client capability of
 *                                     init's process registry (registry.c)
 *   init:session-procs                a client of the registry minted for
 *                                     this start, badged with the audit id
 *                                     of the service's session: it lists
 *                                     that session's processes
 *   init:graph                        a copy of the client capability of
 *                                     init's system graph (graph.c)
 *   service:SVC/EXPORT                a copy of the client capability
 *                                     minted for this import (below)
 *   device:NAME                       a device init obtains from its DeviceRoot
 *                                     for this start and then lets go of
 *                                     (devices.c)
 *   each export of the service        its Endpoint (receive side), under
 *                                     the export's name
 *
 * Every import of an export has a client capability of its own, minted
 * when the export's endpoint is made, whose badge is the import's index
 * in the manifest's capability table plus one: the exporter tells its
 * importers apart by it (sessiond keeps a login failure delay per caller,
 * the audit log names the writer), and no importer can pass for another.
 *
 * Copies are granted by the libOS loader (ProcessHandle.grant), in
 * the order their names appear in the grant list (capos_spawn).  The
 * endpoints of a service's exports are made with EndpointFactory.create
 * (init's "endpoints") before the service first starts; init keeps the
 * client capability for importers and, under `restart: on-failure`, the
 * Endpoint for the next instance.  wire_check runs over the whole
 * manifest before anything starts, so a grant init cannot give is a
 * manifest error, not a half-started system.
 *
 * A service with `session: anonymous` runs in a session of its own: for
 * each start init asks the session manager (the service before it that
 * exports SessionManager) for a fresh one, SessionManager.anonymous,
 * through a client init mints itself on that export's endpoint (badge
 * CAPOS_SESSION_INIT_BADGE; the manifest's order puts the session manager
 * first, and init's CALL waits in its queue until it serves).  The
 * session's audit id scopes the start's session-procs and its registry
 * record; the UserSession stays with init, which logs it out when that
 * instance ends (wire_ended).  Other services run in init's own, the
 * system session.  The process itself is in no session: sessions are the
 * services' records (docs/sessions.md).
 */
#include <stdlib.h>
#include <string.h>
#include <capos/ipc.h>
#include <capos/services.h>
#include "init.h"

static uint32_t session_manager;   /* init's own client of sessiond's "sessions" (badge CAPOS_SESSION_INIT_BADGE) */

struct grants {
	char names[256];                       /* the loader's grant list */
	size_t len;
	uint32_t caps[CAPOS_XFER_MAX];         /* handles for the plain names, in order */
	uint32_t ncaps;
	uint32_t devices[CAPOS_XFER_MAX];      /* device handles obtained for this start: init releases them */
	uint32_t ndevices;
	uint32_t minted[CAPOS_XFER_MAX];       /* clients minted for this start: init releases them too */
	uint32_t nminted;
};

/* Let go of the devices obtained and the clients minted for one start (the child holds its copies). */
static void release_devices(struct grants *g)
{
	for (uint32_t i = 0; i < g->ndevices; i++)
		capos_release(capos_ring(), g->devices[i]);
	g->ndevices = 0;
	for (uint32_t i = 0; i < g->nminted; i++)
		capos_release(capos_ring(), g->minted[i]);
	g->nminted = 0;
}

static int bound_kind(const char *name)
{
	static const char *const kinds[] = { "vm", "threads", "thread", "park" };

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(name, kinds[i]) == 0)
			return 1;
	return 0;
}

static int grants_add(struct grants *g, const char *name, const char *kind, uint32_t handle)
{
	size_t need = strlen(name) + (kind ? strlen(kind) + 2 : 0) + (g->len ? 1 : 0);

	if (g->len + need >= sizeof g->names)
		return -CAPOS_ERANGE;
	if (!kind && g->ncaps == CAPOS_XFER_MAX)
		return -CAPOS_EQUOTA;
	capos_snprintf(g->names + g->len, sizeof g->names - g->len, "%s%s%s%s", g->len ? " " : "", name,
		       kind ? "=@" : "", kind ? kind : "");
	g->len += need;
	if (!kind)
		g->caps[g->ncaps++] = handle;
	return 0;
}

/* The handle of one device grant: none in the check before anything starts, else obtained now. */
static int device_handle(const struct init_state *st, const struct svc *s, const struct capos_manifest_cap *cap,
			 int handles, struct grants *g, uint32_t *h)
{
	int err;

	*h = 0;
	if (!handles)
		return 0;
	err = devices_obtain(st, s, cap->source_service, h);
	if (!err)
		g->devices[g->ndevices++] = *h;
	return err;
}

/*
 * The grants of s.  With handles == 0 (the check before anything starts)
 * export handles are not looked at, since they do not exist yet, and no
 * device is obtained.  Reports what is wrong and returns a negative code;
 * the devices obtained so far are in g->devices either way.
 */
static int build_grants(const struct init_state *st, const struct svc *s, int handles, struct grants *g)
{
	const struct manifest_view *v = &st->view;
	int err = 0;

	g->len = 0;
	g->ncaps = 0;
	g->ndevices = 0;
	g->nminted = 0;
	g->names[0] = '\0';
	for (uint32_t c = s->m->cap_first; c < s->m->cap_first + s->m->cap_count && !err; c++) {
		const struct capos_manifest_cap *cap = &v->caps[c];
		const char *name = manifest_str(v, cap->name), *source = manifest_str(v, cap->source_name);
		uint32_t h;

		if (cap->source == CAPOS_CAP_FROM_KERNEL && bound_kind(source)) {
			err = grants_add(g, name, source, 0);
			continue;
		}
		if (cap->source == CAPOS_CAP_FROM_DEVICE) {
			int dev_err = device_handle(st, s, cap, handles, g, &h);

			if (dev_err)
				return dev_err;            /* reported by devices_obtain */
			err = grants_add(g, name, NULL, h);
			continue;
		}
		if (cap->source == CAPOS_CAP_FROM_KERNEL)
			h = capos_cap_find(source, NULL);
		else if (cap->source == CAPOS_CAP_FROM_INIT && handles && registry_scoped(source)) {
			h = g->nminted < CAPOS_XFER_MAX ? registry_mint_scoped(s->session_audit_id) : 0;
			if (h)
				g->minted[g->nminted++] = h;
		} else if (cap->source == CAPOS_CAP_FROM_INIT)
			h = registry_client(source) ? registry_client(source) : graph_client(source);
		else
			h = st->imports ? st->imports[c] : 0;
		if (!h && (cap->source != CAPOS_CAP_FROM_SERVICE || handles)) {
			report_manifest_error("service '%s': %s '%s' is not available to init", s->name,
					      cap->source == CAPOS_CAP_FROM_KERNEL ? "kernel capability"
					      : cap->source == CAPOS_CAP_FROM_INIT ? "init service" : "export",
					      source);
			return -CAPOS_ENOENT;
		}
		err = grants_add(g, name, NULL, h);
	}
	for (uint32_t e = s->m->export_first; e < s->m->export_first + s->m->export_count && !err; e++)
		err = grants_add(g, manifest_str(v, v->exports[e].name), NULL, st->exports[e].server);
	if (err == -CAPOS_EQUOTA)
		report_manifest_error("service '%s' receives more than %u capabilities by transfer", s->name,
				      CAPOS_XFER_MAX);
	else if (err)
		report_manifest_error("service '%s': its capability names do not fit the %zu-byte grant list",
				      s->name, sizeof g->names);
	return err;
}

static int wants_anonymous(const struct svc *s)
{
	return s->m->session == CAPOS_SESSION_KIND_ANONYMOUS;
}

/* Does a service started before service i export a SessionManager? */
static int session_manager_before(const struct init_state *st, uint32_t i)
{
	for (uint32_t j = 0; j < i; j++) {
		const struct capos_manifest_service *m = st->svcs[j].m;

		for (uint32_t e = m->export_first; e < m->export_first + m->export_count; e++)
			if (st->view.exports[e].iface == CAPOS_IFACE_SESSION_MANAGER)
				return 1;
	}
	return 0;
}

/* The first SessionManager endpoint made: init mints its own client of it, once. */
static void mint_session_manager(uint32_t server, uint32_t iface)
{
	int err;

	if (session_manager || iface != CAPOS_IFACE_SESSION_MANAGER)
		return;
	err = capos_endpoint_mint_badged(server, CAPOS_IFACE_SESSION_MANAGER, CAPOS_RIGHT_ALL,
					 CAPOS_SESSION_INIT_BADGE, &session_manager);
	if (err) {
		report_note("cannot make init's client of the session manager: %s", capos_strerror(err));
		session_manager = 0;
	}
}

uint32_t wire_session_manager(void)
{
	return session_manager;
}

int wire_check(const struct init_state *st)
{
	struct grants g;
	int err;

	for (uint32_t i = 0; i < st->count; i++)
		if (wants_anonymous(&st->svcs[i]) && !session_manager_before(st, i)) {
			report_manifest_error("service '%s' wants an anonymous session, but no service before it "
					      "exports a SessionManager (0x%x)", st->svcs[i].name,
					      CAPOS_IFACE_SESSION_MANAGER);
			return -CAPOS_ENOENT;
		}
	if (devices_check(st))
		return -CAPOS_ENOENT;
	if (st->view.hdr->export_count && !capos_cap_find("endpoints", NULL)) {
		report_manifest_error("the manifest has exports, but init holds no 'endpoints' (EndpointFactory)");
		return -CAPOS_ENOENT;
	}
	for (uint32_t i = 0; i < st->count; i++) {
		err = build_grants(st, &st->svcs[i], 0, &g);
		if (err)
			return err;
	}
	return 0;
}

/* Mint the client of each import of export e (of service svc), badged with the import's index + 1. */
static int mint_imports(struct init_state *st, uint32_t svc, uint32_t e)
{
	const struct manifest_view *v = &st->view;

	for (uint32_t c = 0; c < v->hdr->cap_count; c++) {
		const struct capos_manifest_cap *cap = &v->caps[c];
		int err;

		if (cap->source != CAPOS_CAP_FROM_SERVICE || cap->source_service != svc ||
		    manifest_export_find(v, svc, manifest_str(v, cap->source_name)) != (int)e)
			continue;
		err = capos_endpoint_mint_badged(st->exports[e].server, v->exports[e].iface, CAPOS_RIGHT_ALL,
						 (uint64_t)c + 1, &st->imports[c]);
		if (err) {
			report_note("cannot make the client of %s for '%s': %s", manifest_str(v, v->exports[e].name),
				    manifest_str(v, cap->name), capos_strerror(err));
			return err;
		}
	}
	return 0;
}

int wire_exports(struct init_state *st, const struct svc *s)
{
	const struct manifest_view *v = &st->view;
	uint32_t factory = capos_cap_find("endpoints", NULL);

	if (!st->imports)
		st->imports = calloc(v->hdr->cap_count + 1, sizeof *st->imports);
	if (!st->imports) {
		report_note("no memory for the clients of %u imports", v->hdr->cap_count);
		return -CAPOS_ENOMEM;
	}

	for (uint32_t e = s->m->export_first; e < s->m->export_first + s->m->export_count; e++) {
		struct capos_endpoint_factory_create_in in = { .iface = v->exports[e].iface };
		struct capos_endpoint_factory_create_out out = { 0 };
		int err;

		if (st->exports[e].client)
			continue;
		err = capos_endpoint_factory_create(capos_ring(), factory, &in, &out);
		if (err) {
			report_note("cannot create the endpoint %s/%s (interface 0x%x): %s", s->name,
				    manifest_str(v, v->exports[e].name), v->exports[e].iface, capos_strerror(err));
			return err;
		}
		st->exports[e] = (struct export_caps){ .server = out.server, .client = out.client };
		mint_session_manager(out.server, v->exports[e].iface);
		err = mint_imports(st, s->index, e);
		if (err)
			return err;
	}
	return 0;
}

/* A fresh anonymous session for one start of s: init keeps its UserSession in s->session. */
static int new_anonymous_session(struct svc *s)
{
	struct capos_session_manager_anonymous_out out = { 0 };
	struct capos_ipc_cap room;
	struct capos_ipc_reply r;
	uint8_t buf[sizeof out + 8 + sizeof room];   /* the reply, then (8-aligned) the session's descriptor */
	int err = session_manager ? 0 : -CAPOS_ENOENT;

	if (!err)
		err = capos_ipc_call(session_manager, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_ANONYMOUS,
				     NULL, 0, NULL, 0, buf, sizeof buf, &r);
	if (!err && (r.cap_count != 1 || r.len < sizeof out))
		err = -CAPOS_EFORMAT;
	if (err) {
		report_note("cannot make an anonymous session for %s: %s", s->name,
			    err > 0 ? "the session manager refused" : capos_strerror(err));
		return err < 0 ? err : -CAPOS_EPERM;
	}
	memcpy(&out, buf, sizeof out);
	s->session = r.caps[0].handle;
	s->session_audit_id = out.audit_id;
	return 0;
}

void wire_ended(struct svc *s)
{
	if (!s->session)
		return;
	capos_user_session_logout(capos_ring(), s->session);
	capos_release(capos_ring(), s->session);
	s->session = 0;
}

int wire_spawn(struct init_state *st, struct svc *s)
{
	struct grants g;
	struct capos_spawn_quota quota;
	int err = 0;

	s->session_audit_id = CAPOS_SESSION_SYSTEM_AUDIT_ID;
	if (wants_anonymous(s))
		err = new_anonymous_session(s);   /* first: its audit id scopes session-procs */
	if (!err)
		err = build_grants(st, s, 1, &g);
	else
		g = (struct grants){ .ndevices = 0 };
	if (!err) {
		quota = (struct capos_spawn_quota){ s->m->quota.frames, s->m->quota.caps, s->m->quota.threads,
						    s->m->quota.ring_ops, s->m->quota.kmem_kib };
		err = capos_spawn_quota(manifest_str(&st->view, s->m->binary), g.names,
					manifest_str(&st->view, s->m->args), g.caps, g.ncaps, &quota, &s->proc,
					&s->pid);
	}
	if (!err)
		registry_add_service(s);
	else
		wire_ended(s);                       /* no instance: its session ends */
	release_devices(&g);                         /* and its devices: their claims end with it */
	return err;
}

void wire_retire(struct init_state *st, const struct svc *s)
{
	for (uint32_t e = s->m->export_first; e < s->m->export_first + s->m->export_count; e++) {
		if (st->exports[e].server)
			capos_release(capos_ring(), st->exports[e].server);
		st->exports[e].server = 0;
	}
}

void wire_started(struct init_state *st, const struct svc *s)
{
	if (s->m->restart == CAPOS_RESTART_NEVER)
		wire_retire(st, s);
}
