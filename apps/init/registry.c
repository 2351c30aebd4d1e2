/*
 * The process registry: which processes exist, kept by whoever started
 * them (services.def, ProcessRegistry; docs/sessions.md).  init records
 * itself (its "self" handle) and every service it starts (the
 * ProcessHandle supervise.c holds); another spawner registers its child
 * with a copy of the child's ProcessHandle, which the record then holds,
 * watching ProcessHandle.wait so that the record goes when the process
 * ends.  A list asks ProcessHandle.info of each record for the live counts,
 * so nothing listed is older than the call.
 *
 * Two endpoints serve the same interface: "procs" lists every record,
 * "session-procs" only the records of one session.  Which session is the
 * badge of the client capability called: the audit id of the session,
 * set when the registry minted it — for each service start (wire.c: the
 * service's own session) and for session_view, which gives whoever holds
 * a UserSession the view of that session (a launcher hands it to what it
 * starts there).  Each record keeps the audit id of its process's
 * session as its starter states it: init's services the session init
 * made for the start (wire.c); a registered child the session of the
 * UserSession passed with it, which the session manager unwraps
 * (SessionManager.check: a registrar cannot name another session than
 * one it holds), else the session of the session-procs client called
 * (its badge), else (procs) the system session.  Badge 0, the unscoped
 * first client, lists nothing.
 */
#include <stdbool.h>
#include <string.h>
#include "init.h"
#include "serve.h"

#define REGISTRY_RECORDS 64u         /* init, its services and registered children at once */
#define REGISTRY_REGISTERED_MAX 32u  /* of them registered: each holds a watch of init's ring client */

struct record {
	uint32_t proc;                  /* ProcessHandle; 0: a free slot */
	uint32_t pid;
	uint64_t audit_id;              /* its session, as its starter stated it */
	char name[CAPOS_PROCINFO_NAME_MAX];
	int registered;                 /* the record holds proc and a watched wait */
	struct capos_process_handle_wait_out exit;   /* result buffer of that wait */
};

static struct record records[REGISTRY_RECORDS];
static uint32_t registered_count;
static struct serve_ep all_ep = { .name = "init/procs" }, session_ep = { .name = "init/session-procs" };
static uint32_t all_client, session_client;

static void copy_name(char *dst, const char *src, size_t src_max)
{
	size_t n = 0;

	while (n + 1 < CAPOS_PROCINFO_NAME_MAX && n < src_max && src[n]) {
		dst[n] = src[n];
		n++;
	}
	memset(dst + n, 0, CAPOS_PROCINFO_NAME_MAX - n);
}

static struct record *find_pid(uint32_t pid)
{
	for (uint32_t i = 0; i < REGISTRY_RECORDS; i++)
		if (records[i].proc && records[i].pid == pid)
			return &records[i];
	return NULL;
}

static struct record *free_record(void)
{
	for (uint32_t i = 0; i < REGISTRY_RECORDS; i++)
		if (!records[i].proc)
			return &records[i];
	return NULL;
}

static void fill(struct record *r, uint32_t proc, const struct capos_process_handle_info_out *info,
		 const char *name, uint64_t audit_id)
{
	memset(r, 0, sizeof *r);
	r->proc = proc;
	r->pid = info->pid;
	r->audit_id = audit_id;
	if (name && name[0])
		copy_name(r->name, name, CAPOS_PROCINFO_NAME_MAX);
	else
		copy_name(r->name, info->name, sizeof info->name);
}

/* ------------------------------------------------------------ list */

/* The record with the smallest pid above after, or NULL. */
static const struct record *next_after(uint32_t after)
{
	const struct record *best = NULL;

	for (uint32_t i = 0; i < REGISTRY_RECORDS; i++) {
		const struct record *r = &records[i];

		if (r->proc && r->pid > after && (!best || r->pid < best->pid))
			best = r;
	}
	return best;
}

/* r's entry now: false when its process has not started or has ended (not listed). */
static bool describe(const struct record *r, struct capos_procinfo_entry *e)
{
	struct capos_process_handle_info_out info;

	if (capos_process_handle_info(capos_ring(), r->proc, &info) != 0)
		return false;
	if (info.state != CAPOS_PROC_LIVE && info.state != CAPOS_PROC_DYING)
		return false;
	memset(e, 0, sizeof *e);
	e->pid = r->pid;
	e->state = info.state == CAPOS_PROC_LIVE ? CAPOS_PROCINFO_LIVE : CAPOS_PROCINFO_DYING;
	e->threads = info.threads;
	e->caps = info.caps;
	e->frames = info.frames;
	e->kmem = info.kmem;
	e->session = r->audit_id;
	memcpy(e->name, r->name, sizeof e->name);
	return true;
}

/*
 * One page: the caller's result buffer must hold the header and at least
 * one entry (-CAPOS_ERANGE otherwise); a smaller one than a full batch just
 * gets fewer entries per call.
 */
static void serve_list(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	static struct capos_process_registry_list_out out;
	const struct capos_process_registry_list_in *in = req->params;
	const uint32_t head = CAPOS_PROCESS_REGISTRY_LIST_OUT_MIN, entry = sizeof(struct capos_procinfo_entry);
	int scoped = ep == &session_ep;   /* to the session whose audit id is the badge */
	uint32_t room, after;
	const struct record *r;

	if (req->params_len != sizeof *in) {
		capos_ipc_return_status(req->token, -CAPOS_EINVAL);
		return;
	}
	if (req->result_cap < head + entry) {
		capos_ipc_return_status(req->token, -CAPOS_ERANGE);
		return;
	}
	room = (req->result_cap - head) / entry;
	room = room < CAPOS_PROCINFO_BATCH ? room : CAPOS_PROCINFO_BATCH;
	memset(&out, 0, sizeof out);
	for (after = in->after_pid; (r = next_after(after)) != NULL; after = r->pid) {
		struct capos_procinfo_entry e;

		if (scoped && r->audit_id != req->badge)
			continue;
		if (!describe(r, &e))
			continue;
		if (out.count == room) {
			out.more = 1;
			break;
		}
		memcpy(out.entries + out.count * entry, &e, entry);
		out.count++;
	}
	serve_return(ep, req->token, &out, head + out.count * entry, NULL, 0);
}

/* ------------------------------------------------------------ register */

static void on_registered_end(void *ctx, const struct capos_completion *c)
{
	struct record *r = ctx;

	(void)c;
	capos_release(capos_ring(), r->proc);
	memset(r, 0, sizeof *r);
	registered_count--;
}

/*
 * Which session the UserSession handle session is, asked of the session
 * manager, which unwraps it (SessionManager.check): 0 with *audit_id, or
 * a negative code (-CAPOS_ETYPE: not a session of it).
 */
static int session_of(uint32_t session, uint64_t *audit_id)
{
	struct capos_session_manager_check_out out;
	struct capos_xfer x = { session, CAPOS_XFER_COPY };
	struct capos_ipc_reply r;
	uint32_t manager = wire_session_manager();
	int err = manager ? capos_ipc_call(manager, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_CHECK, NULL, 0,
					   &x, 1, &out, sizeof out, &r)
			  : -CAPOS_ENOENT;

	if (err)
		return err > 0 ? -CAPOS_EPERM : err;
	if (r.len < sizeof out)
		return -CAPOS_EFORMAT;
	*audit_id = out.audit_id;
	return 0;
}

/* The session a registration states: the UserSession passed, else the client's (module comment). */
static int stated_session(const struct serve_ep *ep, const struct capos_ipc_request *req, uint64_t *audit_id)
{
	if (req->cap_count == 2)
		return session_of(req->caps[1].handle, audit_id);
	*audit_id = ep == &session_ep ? req->badge : CAPOS_SESSION_SYSTEM_AUDIT_ID;
	return *audit_id ? 0 : -CAPOS_EINVAL;   /* session-procs' unscoped client states no session */
}

/* Take the registration in req (its capabilities are released or kept by the caller of this): 0 or a code. */
static int take_registration(const struct serve_ep *ep, const struct capos_ipc_request *req, uint32_t *kept)
{
	const struct capos_process_registry_register_in *in = req->params;
	struct capos_process_handle_info_out info;
	struct record *r;
	uint64_t ud = 0, audit_id = 0;
	int err;

	if (req->params_len != sizeof *in || req->cap_count < 1 || req->cap_count > 2 ||
	    req->caps[0].iface != CAPOS_IFACE_PROCESS_HANDLE ||
	    (req->cap_count == 2 && req->caps[1].iface != CAPOS_IFACE_USER_SESSION))
		return -CAPOS_EINVAL;
	err = capos_process_handle_info(capos_ring(), req->caps[0].handle, &info);
	if (err)
		return err;
	if (info.state == CAPOS_PROC_DEAD)
		return -CAPOS_EPEER;
	err = stated_session(ep, req, &audit_id);
	if (err)
		return err;
	if (find_pid(info.pid))
		return -CAPOS_EEXIST;
	r = registered_count < REGISTRY_REGISTERED_MAX ? free_record() : NULL;
	if (!r)
		return -CAPOS_EQUOTA;
	fill(r, req->caps[0].handle, &info, in->name, audit_id);
	r->registered = 1;
	err = capos_process_handle_wait_async(capos_ring(), r->proc, &r->exit, &ud);
	if (!err)
		err = capos_ring_watch(capos_ring(), ud, on_registered_end, r);
	if (err && ud) {
		/* Submitted but not watched: take the wait back before the handle goes. */
		struct capos_completion c;

		capos_cancel(capos_ring(), ud);
		capos_ring_wait(capos_ring(), ud, CAPOS_TIMEOUT_INFINITE, &c);
	}
	if (err) {
		memset(r, 0, sizeof *r);
		return err;
	}
	registered_count++;
	*kept = 1;
	return 0;
}

static void serve_register(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	uint32_t kept = 0;
	int err = take_registration(ep, req, &kept);

	serve_release_caps(req, (uint16_t)kept);
	if (err)
		capos_ipc_return_status(req->token, err);
	else
		serve_return(ep, req->token, NULL, 0, NULL, 0);
}

/* ------------------------------------------------------------ session_view */

/* A client of session-procs listing the processes of session audit_id: the handle, or 0. */
static uint32_t mint_view(uint64_t audit_id)
{
	uint32_t client = 0;
	int err = capos_endpoint_mint_badged(session_ep.endpoint, CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_RIGHT_ALL,
					     audit_id, &client);

	if (err)
		report_note("cannot make a session-procs view of session %llu: %s", (unsigned long long)audit_id,
			    capos_strerror(err));
	return err ? 0 : client;
}

/* The view of the session the one UserSession passed names. */
static void serve_session_view(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	uint64_t audit_id = 0;
	struct capos_xfer x;
	int err = req->params_len == 0 && req->cap_count == 1 && req->caps[0].iface == CAPOS_IFACE_USER_SESSION
		  ? session_of(req->caps[0].handle, &audit_id) : -CAPOS_EINVAL;

	serve_release_caps(req, 0);
	x = (struct capos_xfer){ err ? 0 : mint_view(audit_id), CAPOS_XFER_MOVE };
	if (!err && !x.cap)
		err = -CAPOS_EQUOTA;
	if (err) {
		capos_ipc_return_status(req->token, err);
		return;
	}
	if (serve_return(ep, req->token, NULL, 0, &x, 1))
		capos_release(capos_ring(), x.cap);
}

static void serve_any(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	if (req->method == CAPOS_PROCESS_REGISTRY_REGISTER) {
		serve_register(ep, req);
		return;
	}
	if (req->method == CAPOS_PROCESS_REGISTRY_SESSION_VIEW) {
		serve_session_view(ep, req);
		return;
	}
	serve_release_caps(req, 0);
	if (req->method == CAPOS_PROCESS_REGISTRY_LIST)
		serve_list(ep, req);
	else
		capos_ipc_return_status(req->token, -CAPOS_ENOSYS);
}

/* ------------------------------------------------------------ init's side */

static int make_endpoint(struct serve_ep *ep, uint32_t *client)
{
	int err = capos_endpoint_create(CAPOS_IFACE_PROCESS_REGISTRY, &ep->endpoint, client);

	if (err)
		return err;
	ep->handle = serve_any;
	return 0;
}

/* init itself, through the ProcessHandle the kernel gave it as "self". */
static void record_init(void)
{
	struct capos_process_handle_info_out info;
	uint32_t self = capos_cap_find("self", NULL);
	struct record *r = free_record();

	if (self && capos_process_handle_info(capos_ring(), self, &info) == 0)
		fill(r, self, &info, NULL, CAPOS_SESSION_SYSTEM_AUDIT_ID);
}

int registry_start(void)
{
	int err = make_endpoint(&all_ep, &all_client);

	if (!err)
		err = make_endpoint(&session_ep, &session_client);
	if (!err)
		err = serve_start(&all_ep);
	if (!err)
		err = serve_start(&session_ep);
	if (err) {
		report_note("cannot serve the process registry: %s", capos_strerror(err));
		all_client = session_client = 0;
		return err;
	}
	record_init();
	return 0;
}

uint32_t registry_client(const char *name)
{
	if (strcmp(name, "procs") == 0)
		return all_client;
	if (strcmp(name, "session-procs") == 0)
		return session_client;
	return 0;
}

int registry_scoped(const char *name)
{
	return strcmp(name, "session-procs") == 0;
}

uint32_t registry_mint_scoped(uint64_t audit_id)
{
	return session_ep.endpoint ? mint_view(audit_id) : 0;
}

void registry_add_service(const struct svc *s)
{
	struct capos_process_handle_info_out info;
	struct record *r = free_record();
	int err = r ? capos_process_handle_info(capos_ring(), s->proc, &info) : -CAPOS_EQUOTA;

	if (err) {
		report_note("%s is not in the process registry: %s", s->name, capos_strerror(err));
		return;
	}
	fill(r, s->proc, &info, NULL, s->session_audit_id);
}

void registry_forget(const struct svc *s)
{
	for (uint32_t i = 0; i < REGISTRY_RECORDS; i++)
		if (records[i].proc == s->proc && !records[i].registered)
			memset(&records[i], 0, sizeof records[i]);
}
