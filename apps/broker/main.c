/*
 * broker: the authority broker and the restricted shell launcher
 * (docs/sessions.md).  Serves AuthorityBroker on its export "broker" and
 * ShellLauncher on "launcher", from one thread (apps/session/serve.h).
 *
 * Capabilities: the two Endpoints; "sessions" (the session manager: which
 * session a UserSession passed is, SessionManager.check, so no caller is
 * trusted to describe its own), "spawner" (the shells), "capspace"
 * (revocable copies), "timer" (the grace before a session's shells are
 * killed; passed on to each shell with "console" and "bootpkg"; the
 * loader finds programs in the boot package),
 * "log" (an AuditWriter), and every capability its arguments name for a
 * profile's bundle (bundles.h).  With "procs" (init's process registry)
 * each shell it starts is registered there under its session, so that
 * ps lists it.  A named capability that is missing stops
 * it before it serves (exit code 2).
 *
 * Each session's processes call "broker" through a client minted for the
 * session, badged with its audit id: launch gives one to the shell it
 * starts, session_broker to a launcher that acts for the session itself.
 * The badge is how the broker knows whose session a caller acts for: the
 * UserSession an upgrade or release passes must be the one it names.
 * What it hands out are revocable copies of the session's "door" (a
 * revocable copy of that client): the session's end revokes the door and
 * with it every broker client of the session.
 *
 * upgrade gives a session's process a revocable copy of each capability
 * of its profile's bundle, once per session: a second upgrade while the
 * bundle is held is refused; after release a session may upgrade again.
 * The revokers stay here, under the session, and the broker watches the
 * session (UserSession.wait_end), so its end revokes the bundle even when
 * nobody called release.  A bundle's "session-procs" is the session's own
 * view of init's process registry (ProcessRegistry.session_view), not the
 * broker's.
 *
 * The end of a session also ends the shells launched for it: the broker
 * keeps a copy of each one's ProcessHandle and kills the ones still
 * running SHELL_GRACE_MS after the end (a shell that sees its session end
 * exits by itself first, with the exit code that tells the anonymous
 * shell how it ended).  What those shells started loses the bundle with
 * the rest of the session.
 */
#include <string.h>
#include <capos/ipc.h>
#include <capos/rt.h>
#include <capos/services.h>
#include <capos/session.h>
#include "auditlog.h"
#include "bundles.h"
#include "serve.h"

#define BROKER_SESSIONS 48       /* sessions served at once: the terminals' and the Web UI's 32 browsers */
#define REFUSED 1                /* application error of every refusal */
#define BROKER_FAILED 2          /* the broker could not do its part */
#define BROKER_SHELLS 4          /* shells launched per session, killed at its end */
#define SHELL_GRACE_MS 1000      /* how long a session's shells may take to exit by themselves */

/* A session the broker has served: its bundle's revokers and the watch on its end. */
struct served {
	int used;
	int ending;                    /* ended: waiting out the grace before its shells are killed */
	int held;                      /* the bundle is out (not released or revoked yet) */
	uint64_t audit_id;
	uint32_t session;              /* our UserSession handle, for wait_end */
	uint32_t door, door_revoker;   /* the session's broker client (badge: audit_id), revoked at its end */
	char user[CAPOS_SESSION_LABEL_MAX];
	uint32_t revokers[BUNDLE_CAPS_MAX];
	uint32_t count;
	uint32_t shells[BROKER_SHELLS];  /* copies of the ProcessHandles of the shells launched for it */
	struct capos_user_session_wait_end_out end;   /* [wait_end in flight] */
};

static struct bundle_set bundles;
static uint32_t bundle_caps[BUNDLE_PROFILES_MAX][BUNDLE_CAPS_MAX];
static struct served served[BROKER_SESSIONS];
static uint32_t timer, console, sessions;
static struct serve_ep broker_ep = { .name = "broker" }, launcher_ep = { .name = "broker/launcher" };

/* What a request's UserSession says about itself. */
struct session_view {
	uint32_t handle;
	struct capos_user_session_info_out info;
};

static void refuse(struct serve_ep *ep, const struct capos_ipc_request *req, const struct session_view *s,
		   const char *why)
{
	auditlog_write("refused", s ? s->info.audit_id : 0, s ? s->info.user : "",
		       "%s: %s (caller %016llx)", ep == &broker_ep ? "upgrade"
		       : req->method == CAPOS_SHELL_LAUNCHER_SESSION_BROKER ? "session_broker" : "launch", why,
		       (unsigned long long)req->badge);
	serve_error(ep, req->token, REFUSED, why);
}

/* Which session handle is, from the session manager (SessionManager.check): 0 or a negative code. */
static int check_session(uint32_t handle, struct capos_user_session_info_out *info)
{
	struct capos_session_manager_check_out out;
	struct capos_xfer x = { handle, CAPOS_XFER_COPY };
	struct capos_ipc_reply r;
	int err = capos_ipc_call(sessions, CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_CHECK, NULL, 0, &x, 1,
				 &out, sizeof out, &r);

	if (err)
		return err > 0 ? -CAPOS_EPERM : err;
	if (r.len < sizeof out)
		return -CAPOS_EFORMAT;
	memcpy(info->user, out.user, sizeof info->user);
	memcpy(info->profile, out.profile, sizeof info->profile);
	info->audit_id = out.audit_id;
	info->created_ns = out.created_ns;
	info->expires_ns = out.expires_ns;
	info->state = out.state;
	return 0;
}

/* Read the session of caps[0] into *s: 0, or the refusal's text. */
static const char *view_session(const struct capos_ipc_request *req, struct session_view *s)
{
	int err;

	memset(s, 0, sizeof *s);
	if (req->cap_count < 1 || req->caps[0].iface != CAPOS_IFACE_USER_SESSION)
		return "refused: the first capability must be a UserSession";
	s->handle = req->caps[0].handle;
	err = check_session(s->handle, &s->info);
	if (err)
		return "refused: not a session of the session manager";
	s->info.user[sizeof s->info.user - 1] = 0;
	s->info.profile[sizeof s->info.profile - 1] = 0;
	return NULL;
}

/* refused unless s is the session req's client was minted for (its badge); NULL when it is. */
static const char *check_own(const struct capos_ipc_request *req, const struct session_view *s)
{
	if (req->badge == 0 || req->badge != s->info.audit_id)
		return "refused: not the caller's own session";
	return NULL;
}

/* The door of session s: a revocable copy of a client of "broker" badged with its audit id. */
static int make_door(const struct session_view *s, uint32_t *door, uint32_t *revoker)
{
	uint32_t minted;
	int err = capos_endpoint_mint_badged(broker_ep.endpoint, CAPOS_IFACE_AUTHORITY_BROKER, CAPOS_RIGHT_TRANSFER,
					     s->info.audit_id, &minted);

	if (err)
		return err;
	err = capos_cap_derive(minted, CAPOS_RIGHT_ALL, door, revoker);
	capos_release(capos_ring(), minted);   /* the door holds it */
	return err;
}

static struct served *served_of(uint64_t audit_id)
{
	for (size_t i = 0; i < BROKER_SESSIONS; i++)
		if (served[i].used && !served[i].ending && served[i].audit_id == audit_id)
			return &served[i];
	return NULL;
}

/* Revoke the bundle of sv: the number revoked. */
static uint32_t revoke_bundle(struct served *sv)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < sv->count; i++) {
		n += capos_cap_revoke(sv->revokers[i]) == 0;
		capos_release(capos_ring(), sv->revokers[i]);
	}
	sv->count = 0;
	sv->held = 0;
	return n;
}

/* The grace is over: kill the session's shells still running and free the entry. */
static void on_grace_over(void *ctx, const struct capos_completion *c)
{
	struct served *sv = ctx;

	(void)c;
	for (size_t i = 0; i < BROKER_SHELLS; i++) {
		if (!sv->shells[i])
			continue;
		capos_process_handle_kill(capos_ring(), sv->shells[i]);   /* one that has exited: nothing to do */
		capos_release(capos_ring(), sv->shells[i]);
	}
	memset(sv, 0, sizeof *sv);
}

/* Wait SHELL_GRACE_MS, then on_grace_over; at once without a shell to wait for (a browser's session) or a timer operation. */
static void after_grace(struct served *sv)
{
	struct capos_timer_sleep_in in = { .ns = SHELL_GRACE_MS * 1000000ull };
	struct capos_completion c = { 0 };
	int shells = 0;
	uint64_t ud;

	sv->ending = 1;
	for (size_t i = 0; i < BROKER_SHELLS; i++)
		shells += sv->shells[i] != 0;
	if (!shells) {
		on_grace_over(sv, &c);
		return;
	}
	if (capos_timer_sleep_async(capos_ring(), timer, &in, &ud) == 0) {
		if (capos_ring_watch(capos_ring(), ud, on_grace_over, sv) == 0)
			return;
		capos_cancel(capos_ring(), ud);
		capos_ring_wait(capos_ring(), ud, CAPOS_TIMEOUT_INFINITE, &c);
	}
	on_grace_over(sv, &c);
}

static void on_session_end(void *ctx, const struct capos_completion *c)
{
	struct served *sv = ctx;
	int expired = c->status == 0 && sv->end.state == CAPOS_SESSION_EXPIRED;

	if (sv->held) {
		uint32_t n = revoke_bundle(sv);

		auditlog_write(expired ? "expired" : "logout", sv->audit_id, sv->user,
			       "session ended: %u capabilities revoked", n);
	}
	capos_cap_revoke(sv->door_revoker);   /* the session's broker clients, wherever they went */
	capos_release(capos_ring(), sv->door);
	capos_release(capos_ring(), sv->door_revoker);
	capos_release(capos_ring(), sv->session);
	sv->door = sv->door_revoker = sv->session = 0;
	after_grace(sv);
}

/* A free entry of sv->shells (one whose shell has ended is freed): its index, or -1. */
static int shell_slot(struct served *sv)
{
	for (int i = 0; i < BROKER_SHELLS; i++) {
		struct capos_process_handle_info_out info;

		if (sv->shells[i] && capos_process_handle_info(capos_ring(), sv->shells[i], &info) == 0 &&
		    info.state == CAPOS_PROC_DEAD) {
			capos_release(capos_ring(), sv->shells[i]);
			sv->shells[i] = 0;
		}
		if (!sv->shells[i])
			return i;
	}
	return -1;
}

/* Keep a copy of proc, a shell launched for sv's session, in slot: 0 or a negative code. */
static int keep_shell(struct served *sv, int slot, uint32_t proc)
{
	uint32_t copy, revoker;
	int err = capos_cap_derive(proc, CAPOS_RIGHT_ALL, &copy, &revoker);

	if (err)
		return err;
	capos_release(capos_ring(), revoker);
	sv->shells[slot] = copy;
	return 0;
}

/* A table entry watching the session of s (which it then owns): NULL when none is free or the watch fails. */
static struct served *watch_session(const struct session_view *s)
{
	struct served *sv = NULL;
	uint64_t ud;

	for (size_t i = 0; i < BROKER_SESSIONS && !sv; i++)
		if (!served[i].used)
			sv = &served[i];
	if (!sv)
		return NULL;
	memset(sv, 0, sizeof *sv);
	if (make_door(s, &sv->door, &sv->door_revoker))
		return NULL;
	if (capos_user_session_wait_end_async(capos_ring(), s->handle, &sv->end, &ud) ||
	    capos_ring_watch(capos_ring(), ud, on_session_end, sv)) {
		capos_release(capos_ring(), sv->door);   /* the entry is not used: ud, if any, completes unwatched */
		capos_release(capos_ring(), sv->door_revoker);
		return NULL;
	}
	sv->used = 1;
	sv->audit_id = s->info.audit_id;
	sv->session = s->handle;
	memcpy(sv->user, s->info.user, sizeof sv->user);
	return sv;
}

/*
 * What a bundle entry copies: the broker's capability, or for
 * "session-procs" the registry's view of sv's session, which *made holds
 * until the copy is derived.  0 or a negative code.
 */
static int bundle_source(const struct served *sv, size_t profile, size_t i, uint32_t *cap, uint32_t *made)
{
	struct capos_xfer x = { sv->session, CAPOS_XFER_COPY };
	struct capos_ipc_cap room;           /* the answer is the view alone */
	struct capos_ipc_reply r;
	int err;

	*cap = bundle_caps[profile][i];
	*made = 0;
	if (strcmp(bundles.b[profile].names[i], "session-procs") != 0)
		return 0;
	err = capos_ipc_call(*cap, CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_PROCESS_REGISTRY_SESSION_VIEW, NULL, 0, &x, 1,
			     &room, sizeof room, &r);
	if (err)
		return err;
	if (r.cap_count != 1)
		return -CAPOS_EFORMAT;
	*cap = *made = r.caps[0].handle;
	return 0;
}

/* The entry of session s, made (taking s's handle: *kept = 1) when there is none; NULL when none is free. */
static struct served *served_for(const struct session_view *s, uint16_t *kept)
{
	struct served *sv = served_of(s->info.audit_id);

	*kept = 0;
	if (sv)
		return sv;
	sv = watch_session(s);
	*kept = sv != NULL;
	return sv;
}

/* A client of "broker" for sv's session: a revocable copy of its door.  0 with *client, or a negative code. */
static int session_client(const struct served *sv, uint32_t *client)
{
	uint32_t revoker;
	int err = capos_cap_derive(sv->door, CAPOS_RIGHT_ALL, client, &revoker);

	if (!err)
		capos_release(capos_ring(), revoker);   /* revoking the door cuts it */
	return err;
}

/* Derive the bundle into copies[] and sv's revokers: 0 or a negative code (nothing kept). */
static int derive_bundle(struct served *sv, size_t profile, uint32_t *copies)
{
	const struct bundle *b = &bundles.b[profile];

	for (size_t i = 0; i < b->count; i++) {
		uint32_t cap, made;
		int err = bundle_source(sv, profile, i, &cap, &made);

		if (!err)
			err = capos_cap_derive(cap, CAPOS_RIGHT_ALL, &copies[i], &sv->revokers[i]);
		if (made)
			capos_release(capos_ring(), made);   /* the copy holds the view */

		if (err) {
			revoke_bundle(sv);
			for (size_t j = 0; j < i; j++)
				capos_release(capos_ring(), copies[j]);
			return err;
		}
		sv->count = (uint32_t)i + 1;
	}
	sv->held = 1;
	return 0;
}

static void serve_upgrade(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	struct capos_authority_broker_upgrade_out out;
	struct capos_xfer x[BUNDLE_CAPS_MAX];
	uint32_t copies[BUNDLE_CAPS_MAX];
	struct session_view s;
	const struct bundle *b;
	struct served *sv;
	const char *why = view_session(req, &s);
	size_t profile;
	uint16_t keep = 0;
	int err;

	if (!why && req->cap_count != 1)
		why = "refused: pass only your UserSession";
	if (!why)
		why = check_own(req, &s);
	if (!why && s.info.state != CAPOS_SESSION_LIVE)
		why = "refused: the session has ended";
	b = why ? NULL : bundles_find(&bundles, s.info.profile);
	if (!why && !b)
		why = "refused: no bundle for the session's profile";
	sv = why ? NULL : served_of(s.info.audit_id);
	if (!why && sv && sv->held)
		why = "refused: the session already holds its bundle";
	if (why) {
		refuse(ep, req, &s, why);
		serve_release_caps(req, 0);
		return;
	}
	if (!sv)
		sv = served_for(&s, &keep);
	profile = (size_t)(b - bundles.b);
	err = sv ? derive_bundle(sv, profile, copies) : -CAPOS_EQUOTA;
	if (err) {
		capos_printf("broker: upgrade of session %llu: %s\n", (unsigned long long)s.info.audit_id,
			     capos_strerror(err));
		serve_error(ep, req->token, BROKER_FAILED, "broker: cannot make the bundle");
		serve_release_caps(req, keep);
		return;
	}
	serve_release_caps(req, keep);     /* a watched session keeps its handle */
	memset(&out, 0, sizeof out);
	memcpy(out.profile, b->profile, strlen(b->profile));
	memcpy(out.names, b->joined, strlen(b->joined));
	for (size_t i = 0; i < b->count; i++)
		x[i] = (struct capos_xfer){ copies[i], CAPOS_XFER_MOVE };
	auditlog_write("upgrade", s.info.audit_id, s.info.user, "profile %s: %s", b->profile,
		       b->count ? b->joined : "(empty bundle)");
	if (serve_return(ep, req->token, &out, sizeof out, x, (uint16_t)b->count)) {
		revoke_bundle(sv);
		for (size_t i = 0; i < b->count; i++)
			capos_release(capos_ring(), copies[i]);
	}
}

/* release's optional source: printable ASCII, else "?" (it goes into an audit record as the caller said it). */
static void release_source(const struct capos_ipc_request *req, char *source, size_t size)
{
	const struct capos_authority_broker_release_in *in = req->params;
	size_t n = 0;

	source[0] = 0;
	if (req->params_len != sizeof *in)
		return;
	while (n < sizeof in->source && n + 1 < size && in->source[n])
		n++;
	memcpy(source, in->source, n);
	source[n] = 0;
	for (size_t i = 0; i < n; i++)
		if (source[i] < 0x21 || source[i] > 0x7e) {
			strcpy(source, "?");
			return;
		}
}

static void serve_release(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	struct capos_authority_broker_release_out out = { 0 };
	char source[CAPOS_AUTHORITY_BROKER_RELEASE_IN_MAX + 1];
	struct session_view s;
	struct served *sv;
	const char *why = view_session(req, &s);

	if (!why && req->cap_count != 1)
		why = "refused: pass only your UserSession";
	if (!why)
		why = check_own(req, &s);
	serve_release_caps(req, 0);
	if (why) {
		refuse(ep, req, &s, why);
		return;
	}
	release_source(req, source, sizeof source);
	sv = served_of(s.info.audit_id);
	if (sv && sv->held) {
		out.revoked = revoke_bundle(sv);
		auditlog_write("logout", sv->audit_id, sv->user, "released: %u capabilities revoked%s%s",
			       out.revoked, source[0] ? ", source " : "", source);
	}
	serve_return(ep, req->token, &out, sizeof out, NULL, 0);
}

static void serve_broker(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	if (req->method == CAPOS_AUTHORITY_BROKER_UPGRADE && req->params_len == 0) {
		serve_upgrade(ep, req);
	} else if (req->method == CAPOS_AUTHORITY_BROKER_RELEASE &&
		   (req->params_len == 0 || req->params_len == sizeof(struct capos_authority_broker_release_in))) {
		serve_release(ep, req);
	} else {
		serve_release_caps(req, 0);
		serve_error(ep, req->token, BROKER_FAILED, "broker: no such method");
	}
}

/* Start the shell of session s on terminal: 0 with *proc and *pid, or a negative code. */
static int start_shell(const struct session_view *s, const struct served *sv, uint32_t terminal, uint32_t *proc,
		       uint32_t *pid)
{
	static const char grants[] = "terminal session broker vm=@vm thread=@thread threads=@threads "
				     "park=@park timer console";
	static const char grants_bootpkg[] = "terminal session broker vm=@vm thread=@thread threads=@threads "
					     "park=@park timer console bootpkg";
	uint32_t client, caps[6], bootpkg = capos_cap_find("bootpkg", NULL);
	int err = session_client(sv, &client);

	if (err)
		return err;
	caps[0] = terminal;
	caps[1] = s->handle;
	caps[2] = client;
	caps[3] = timer;
	caps[4] = console;
	caps[5] = bootpkg;       /* the shell's run finds its programs there */
	err = capos_spawn("shell", bootpkg ? grants_bootpkg : grants, "", caps, bootpkg ? 6 : 5, proc, pid);
	capos_release(capos_ring(), client);
	return err;
}

/* List shell proc in init's process registry under session s, when the broker holds "procs". */
static void register_shell(const struct session_view *s, uint32_t proc, uint32_t pid)
{
	struct capos_process_registry_register_in in = { .name = "" };   /* the kernel's name, "shell" */
	struct capos_xfer x[2] = { { proc, CAPOS_XFER_COPY }, { s->handle, CAPOS_XFER_COPY } };
	uint32_t procs = capos_cap_find("procs", NULL);
	int err;

	if (!procs)
		return;
	err = capos_ipc_call(procs, CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_PROCESS_REGISTRY_REGISTER, &in, sizeof in, x,
			     2, NULL, 0, NULL);
	if (err && err != -CAPOS_EPEER)   /* EPEER: it has ended already, nothing to list */
		capos_printf("broker: shell pid %u is not in the process registry: %s\n", pid, capos_strerror(err));
}

static void serve_launch(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	const struct capos_shell_launcher_launch_in *in = req->params;
	struct capos_shell_launcher_launch_out out = { 0 };
	char profile[CAPOS_SESSION_LABEL_MAX] = { 0 };
	struct session_view s;
	struct capos_xfer x;
	struct served *sv;
	uint32_t proc = 0;
	uint16_t kept = 0;
	const char *why = NULL;
	int err, slot;

	const char *unreadable = view_session(req, &s);   /* also names the session in a refusal's record */

	if (req->method != CAPOS_SHELL_LAUNCHER_LAUNCH || req->params_len != sizeof *in ||
	    !memchr(in->profile, 0, sizeof in->profile))
		why = "refused: launch takes a profile";      /* a profile field without its NUL too */
	else if (req->cap_count != 2)
		why = "refused: only a session and a terminal may be passed";
	else if (unreadable || req->caps[1].iface != CAPOS_IFACE_TERMINAL_SESSION)
		why = "refused: want a UserSession and a TerminalSession";
	if (!why) {
		memcpy(profile, in->profile, sizeof profile - 1);
		if (s.info.state != CAPOS_SESSION_LIVE)
			why = "refused: the session has ended";
		else if (strcmp(profile, s.info.profile) != 0)
			why = "refused: profile mismatch";
		else if (!bundles_find(&bundles, profile))
			why = "refused: no such profile";
	}
	if (why) {
		serve_release_caps(req, 0);
		refuse(ep, req, &s, why);
		return;
	}
	sv = served_for(&s, &kept);
	slot = sv ? shell_slot(sv) : -1;
	err = slot >= 0 ? start_shell(&s, sv, req->caps[1].handle, &proc, &out.pid) : -CAPOS_EQUOTA;
	if (!err)
		err = keep_shell(sv, slot, proc);   /* a shell the session's end cannot reach must not run */
	if (err && proc) {
		capos_process_handle_kill(capos_ring(), proc);
		capos_release(capos_ring(), proc);
	}
	if (!err)
		register_shell(&s, proc, out.pid);   /* while the session's handle is still ours */
	serve_release_caps(req, kept);       /* a watched session keeps its handle */
	if (err) {
		auditlog_write("refused", s.info.audit_id, s.info.user, "launch: cannot start shell: %s",
			       capos_strerror(err));
		serve_error(ep, req->token, BROKER_FAILED, "launch: cannot start the shell");
		return;
	}
	auditlog_write("launch", s.info.audit_id, s.info.user, "shell pid %u, profile %s", out.pid, profile);
	x = (struct capos_xfer){ proc, CAPOS_XFER_MOVE };
	if (serve_return(ep, req->token, &out, sizeof out, &x, 1))
		capos_release(capos_ring(), proc);
}

/*
 * session_broker: the client of "broker" for a live session of a profile
 * with a bundle, for a launcher that runs the session's programs itself
 * (what launch gives the shell it starts).
 */
static void serve_session_broker(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	struct session_view s;
	struct capos_xfer x;
	struct served *sv;
	uint32_t client;
	uint16_t kept = 0;
	const char *why = view_session(req, &s);

	if (!why && (req->cap_count != 1 || req->params_len != 0))
		why = "refused: pass only the UserSession";
	if (!why && s.info.state != CAPOS_SESSION_LIVE)
		why = "refused: the session has ended";
	if (!why && !bundles_find(&bundles, s.info.profile))
		why = "refused: no such profile";
	if (why) {
		serve_release_caps(req, 0);
		refuse(ep, req, &s, why);
		return;
	}
	sv = served_for(&s, &kept);
	serve_release_caps(req, kept);       /* a watched session keeps its handle */
	if (!sv || session_client(sv, &client)) {
		serve_error(ep, req->token, BROKER_FAILED, "broker: cannot make the client");
		return;
	}
	x = (struct capos_xfer){ client, CAPOS_XFER_MOVE };
	if (serve_return(ep, req->token, NULL, 0, &x, 1))
		capos_release(capos_ring(), client);
}

static void serve_launcher(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	if (req->method == CAPOS_SHELL_LAUNCHER_SESSION_BROKER)
		serve_session_broker(ep, req);
	else
		serve_launch(ep, req);
}

/* Look up every bundle's capabilities: 0, or 2 with the first missing one reported. */
static int find_bundle_caps(void)
{
	for (size_t p = 0; p < bundles.count; p++)
		for (size_t i = 0; i < bundles.b[p].count; i++) {
			bundle_caps[p][i] = capos_cap_find(bundles.b[p].names[i], NULL);
			if (!bundle_caps[p][i]) {
				capos_printf("broker: profile %s: no capability '%s'\n", bundles.b[p].profile,
					     bundles.b[p].names[i]);
				return 2;
			}
		}
	return 0;
}

static int find_caps(void)
{
	static const struct { const char *name; uint32_t *cap; } need[] = {
		{ "broker", &broker_ep.endpoint }, { "launcher", &launcher_ep.endpoint },
		{ "timer", &timer }, { "console", &console }, { "sessions", &sessions },
	};
	static const char *const used[] = { "spawner", "capspace", "log" };

	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		*need[i].cap = capos_cap_find(need[i].name, NULL);
		if (!*need[i].cap) {
			capos_printf("broker: no capability '%s'\n", need[i].name);
			return 2;
		}
	}
	for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
		if (!capos_cap_find(used[i], NULL)) {
			capos_printf("broker: no capability '%s'\n", used[i]);
			return 2;
		}
	return find_bundle_caps();
}

int main(int argc, char **argv)
{
	const char *bad, *why;
	size_t max = CAPOS_XFER_MAX < BUNDLE_CAPS_MAX ? CAPOS_XFER_MAX : BUNDLE_CAPS_MAX;
	int err;

	if (bundles_parse(argc, argv, max, &bundles, &bad, &why)) {
		capos_printf("broker: argument '%s': %s\n", bad, why);
		return 2;
	}
	err = find_caps();
	if (err)
		return err;
	auditlog_open("broker", "log");
	broker_ep.handle = serve_broker;
	launcher_ep.handle = serve_launcher;
	err = serve_start(&broker_ep);
	if (!err)
		err = serve_start(&launcher_ep);
	if (!err) {
		capos_printf("broker: serving %u profiles\n", (unsigned)bundles.count);
		err = serve_loop();
	}
	capos_printf("broker: stopped: %s\n", capos_strerror(err));
	return 1;
}
