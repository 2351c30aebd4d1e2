/*
 * utest-procinfo: init's process registry (ProcessRegistry in
 * apps/services.def; apps/init/registry.c; docs/sessions.md), run as a
 * service of tests/manifests/boot/procinfo.yaml with init:procs and
 * init:session-procs.  "procs" lists init and this service with their own
 * counts; a child appears once it is registered (a copy of its
 * ProcessHandle, with its name or the kernel's, cut to 23 characters) and
 * goes once it has ended, and one never registered is not listed; more
 * than a batch pages through after_pid with "more" set in between; a
 * smaller result buffer gets fewer entries; bad registrations, handles,
 * interfaces, methods and lengths are refused.  "session-procs" shows a
 * caller only one session, the one its client was minted for: this
 * service (init mints its client for the system session) and a child
 * given that client see the system session; a child started for a new
 * session (a guest login at sessiond, "sessions"; registered with that
 * UserSession, which the registry has sessiond unwrap) and given that
 * session's view (ProcessRegistry.session_view) sees only that session's
 * processes.  A registration with a forged UserSession (a client of an
 * endpoint of this test's, speaking the interface) is refused.
 *
 * Child modes (first argument): "nap" sleeps until killed; "same" and
 * "alone PID AUDIT" check their own "session-procs" view (once the parent
 * has registered them) and exit with the number of failures.  One line per
 * check; exit code = failures.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/cap.h>
#include <capos/ipc.h>
#include <capos/services.h>
#include <capos/session.h>
#include "utest.h"

#define rc capos_ring()
#define SELF "utest-procinfo"
#define LONG_NAME "utest-procinfo-with-a-long-program-name"   /* the same program, a second entry */
#define NAPPERS 18u           /* with init and the long-named pair: more than one batch */
#define LONG_NAPPERS 2u
#define LISTING_MAX 64u
#define HEAD CAPOS_PROCESS_REGISTRY_LIST_OUT_MIN
#define ENTRY ((uint32_t)sizeof(struct capos_procinfo_entry))

struct listing {
	struct capos_procinfo_entry e[LISTING_MAX];
	uint32_t n;
	uint32_t pages;
	uint32_t first_count, first_more;
};

/* ------------------------------------------------------------ helpers */

static int list_page(uint32_t cap, uint32_t after, struct capos_process_registry_list_out *out, uint32_t *len)
{
	struct capos_process_registry_list_in in = { .after_pid = after };

	memset(out, 0xee, sizeof *out);
	*len = 0;
	return capos_process_registry_list(rc, cap, &in, out, len);
}

/*
 * Every process cap shows, page by page.  Checks what each page promises:
 * its length, at most a batch, "more" only on a full page, pids rising
 * across pages.  0, a call's error, or -CAPOS_EFORMAT for a broken promise.
 */
static int list_all(uint32_t cap, struct listing *l)
{
	static struct capos_process_registry_list_out out;
	uint32_t after = 0, len;
	int err;

	memset(l, 0, sizeof *l);
	do {
		err = list_page(cap, after, &out, &len);
		if (err)
			return err;
		if (out.count > CAPOS_PROCINFO_BATCH || len != HEAD + out.count * ENTRY || out.more > 1 ||
		    (out.more && out.count != CAPOS_PROCINFO_BATCH) || l->n + out.count > LISTING_MAX)
			return -CAPOS_EFORMAT;
		if (l->pages++ == 0) {
			l->first_count = out.count;
			l->first_more = out.more;
		}
		for (uint32_t i = 0; i < out.count; i++) {
			struct capos_procinfo_entry *e = &l->e[l->n++];

			memcpy(e, out.entries + i * ENTRY, ENTRY);
			if (e->pid <= after || e->name[CAPOS_PROCINFO_NAME_MAX - 1] != '\0')
				return -CAPOS_EFORMAT;
			after = e->pid;
		}
	} while (out.more);
	return 0;
}

static const struct capos_procinfo_entry *find(const struct listing *l, uint32_t pid)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->e[i].pid == pid)
			return &l->e[i];
	return NULL;
}

static uint32_t my_pid(void)
{
	return capos_bootstrap()->pid;
}

/* Register proc with the registry cap under name ("": the kernel's), with UserSession session when not 0. */
static int register_child(uint32_t cap, uint32_t proc, const char *name, uint32_t session)
{
	struct capos_process_registry_register_in in;
	struct capos_xfer x[2] = { { proc, CAPOS_XFER_COPY }, { session, CAPOS_XFER_COPY } };

	memset(&in, 0, sizeof in);
	strncpy(in.name, name, sizeof in.name - 1);
	return capos_ipc_call(cap, CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_PROCESS_REGISTRY_REGISTER, &in, sizeof in, x,
			      session ? 2 : 1, NULL, 0, NULL);
}

/* A napping child of binary (its session is the one it is registered with). */
static int spawn_napper(const char *binary, uint32_t *proc, uint32_t *pid)
{
	uint32_t caps[2] = { ut_cap("console"), ut_cap("timer") };

	return capos_spawn(binary, "console timer thread=@thread", "nap", caps, 2, proc, pid);
}

/* Log in as guest at sessiond: 0 with the UserSession and its audit id, or a negative code. */
static int login_guest(uint32_t *session, uint64_t *audit)
{
	struct capos_session_manager_login_in in;
	static union {
		struct capos_session_manager_login_out out;
		uint8_t room[sizeof(struct capos_session_manager_login_out) + 8 + sizeof(struct capos_ipc_cap)];
	} u;
	struct capos_user_session_info_out info;
	struct capos_ipc_reply r;
	int err;

	memset(&in, 0, sizeof in);
	strcpy(in.user, "guest");
	in.password_len = 5;
	memcpy(in.password, "guest", 5);
	err = capos_ipc_call(ut_cap("sessions"), CAPOS_IFACE_SESSION_MANAGER, CAPOS_SESSION_MANAGER_LOGIN, &in,
			     CAPOS_SESSION_MANAGER_LOGIN_IN_MIN + in.password_len, NULL, 0, &u, sizeof u, &r);
	if (err)
		return err > 0 ? -CAPOS_EPERM : err;
	if (r.cap_count != 1)
		return -CAPOS_EFORMAT;
	*session = r.caps[0].handle;
	err = capos_user_session_info(rc, *session, &info);
	*audit = info.audit_id;
	return err;
}

static void end_child(uint32_t proc)
{
	int64_t code;
	uint32_t reason;

	capos_process_handle_kill(rc, proc);
	capos_process_wait(proc, &code, &reason);
	capos_release(rc, proc);
}

/* ------------------------------------------------------------ "procs" */

static void test_init_and_self(uint32_t procs)
{
	static struct listing l;
	const struct capos_procinfo_entry *init, *me;
	int err = list_all(procs, &l);

	ut_status("list of every registered process", err, 0);
	init = find(&l, 1);
	ut_check(init && strcmp(init->name, "init") == 0 && init->state == CAPOS_PROCINFO_LIVE &&
		 init->session == CAPOS_SESSION_SYSTEM_AUDIT_ID,
		 "init is listed as pid 1, live, in the system session", "%s", init ? init->name : "not listed");
	me = find(&l, my_pid());
	ut_check(me && strcmp(me->name, SELF) == 0 && me->state == CAPOS_PROCINFO_LIVE,
		 "this service is listed under its pid and program name, live", "%s", me ? me->name : "not listed");
	ut_check(me && me->threads == 1 && me->caps == capos_bootstrap()->cap_count && me->frames > 0 && me->kmem > 0,
		 "its entry counts one thread, its granted capabilities, its frames and kernel memory",
		 "threads %u caps %u (granted %u) frames %llu kmem %llu", me ? me->threads : 0, me ? me->caps : 0,
		 capos_bootstrap()->cap_count, me ? (unsigned long long)me->frames : 0ull,
		 me ? (unsigned long long)me->kmem : 0ull);
	ut_check(me && me->session == CAPOS_SESSION_SYSTEM_AUDIT_ID, "this service is in the system session",
		 "session %llu", me ? (unsigned long long)me->session : 0ull);
}

static void check_children(const struct listing *l, const uint32_t *pid, uint32_t n, const char *name)
{
	uint32_t seen = 0, right = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct capos_procinfo_entry *e = find(l, pid[i]);

		seen += e != NULL;
		right += e && strcmp(e->name, name) == 0 && e->state == CAPOS_PROCINFO_LIVE && e->threads == 1 &&
			 e->caps == 3 && e->frames > 0 && e->session == CAPOS_SESSION_SYSTEM_AUDIT_ID;
	}
	ut_check(seen == n && right == n, "every child is listed once, by name, with 1 thread and its 3 capabilities",
		 "%s: %u of %u listed, %u right", name, seen, n, right);
}

/* Children named SELF are registered under that name, the long-named ones under the kernel's name. */
static void test_children_and_paging(uint32_t procs, uint32_t *proc, uint32_t *pid)
{
	static struct listing l;
	static struct capos_process_registry_list_out out;
	uint32_t len, spawned = 0, registered = 0, hidden = 0, hidden_pid = 0;
	int err;

	for (uint32_t i = 0; i < NAPPERS + LONG_NAPPERS; i++)
		if (spawn_napper(i < NAPPERS ? SELF : LONG_NAME, &proc[i], &pid[i]) == 0) {
			spawned++;
			registered += register_child(procs, proc[i], i < NAPPERS ? SELF : "", 0) == 0;
		}
	ut_check(spawned == NAPPERS + LONG_NAPPERS && registered == spawned, "spawn and register 20 napping children",
		 "%u spawned, %u registered", spawned, registered);
	ut_status("spawn a child that is never registered", spawn_napper(SELF, &hidden, &hidden_pid), 0);
	err = list_all(procs, &l);
	ut_status("list every process, page by page", err, 0);
	ut_check(l.pages >= 2 && l.first_count == CAPOS_PROCINFO_BATCH && l.first_more == 1 && l.n >= 22,
		 "more than a batch: the first page is full and says more, the rest follows on later pages",
		 "%u pages, first %u entries more %u, %u in all", l.pages, l.first_count, l.first_more, l.n);
	check_children(&l, pid, NAPPERS, SELF);
	check_children(&l, pid + NAPPERS, LONG_NAPPERS, "utest-procinfo-with-a-l");
	ut_check(!find(&l, hidden_pid), "a child nobody registered is not listed", "listed");
	err = list_page(procs, pid[4], &out, &len);
	ut_check(!err && out.count >= 1 && ((const struct capos_procinfo_entry *)out.entries)->pid == pid[5],
		 "list after a child's pid starts at the next child", "status %d, %u entries", err, out.count);
	err = list_page(procs, l.e[l.n - 1].pid, &out, &len);
	ut_check(!err && out.count == 0 && out.more == 0 && len == HEAD, "list after the last pid: nothing, no more",
		 "status %d, %u entries, more %u, %u bytes", err, out.count, out.more, len);
	if (hidden)
		end_child(hidden);
}

static void test_short_buffer(uint32_t procs)
{
	struct capos_process_registry_list_in in = { 0 };
	static struct capos_process_registry_list_out out;
	uint32_t len = 0;
	int err = capos_call_sync(rc, procs, CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_PROCESS_REGISTRY_LIST, &in,
				  sizeof in, &out, HEAD + 2 * ENTRY, &len);

	ut_check(!err && out.count == 2 && out.more == 1 && len == HEAD + 2 * ENTRY,
		 "a result buffer of two entries gets two and \"more\"", "status %d, %u entries, more %u, %u bytes", err,
		 out.count, out.more, len);
	ut_status("a result buffer that holds no whole entry", capos_call_sync(rc, procs, CAPOS_IFACE_PROCESS_REGISTRY,
		  CAPOS_PROCESS_REGISTRY_LIST, &in, sizeof in, &out, HEAD + ENTRY - 1, NULL), -CAPOS_ERANGE);
	ut_status("a result buffer shorter than the header", capos_call_sync(rc, procs, CAPOS_IFACE_PROCESS_REGISTRY,
		  CAPOS_PROCESS_REGISTRY_LIST, &in, sizeof in, &out, 4, NULL), -CAPOS_ERANGE);
}

static void test_bad_registrations(uint32_t procs, uint32_t registered_child)
{
	struct capos_process_registry_register_in in = { .name = "x" };
	struct capos_xfer x = { ut_cap("null"), CAPOS_XFER_COPY };
	uint32_t server = 0, forged = 0;

	ut_status("register without a ProcessHandle", capos_ipc_call(procs, CAPOS_IFACE_PROCESS_REGISTRY,
		  CAPOS_PROCESS_REGISTRY_REGISTER, &in, sizeof in, NULL, 0, NULL, 0, NULL), -CAPOS_EINVAL);
	ut_status("register a Null capability", capos_ipc_call(procs, CAPOS_IFACE_PROCESS_REGISTRY,
		  CAPOS_PROCESS_REGISTRY_REGISTER, &in, sizeof in, &x, 1, NULL, 0, NULL), -CAPOS_EINVAL);
	ut_status("register a process twice", register_child(procs, registered_child, "again", 0), -CAPOS_EEXIST);
	ut_status("an endpoint of this test's speaking UserSession",
		  capos_endpoint_create(CAPOS_IFACE_USER_SESSION, &server, &forged), 0);
	ut_status("register with a forged UserSession (a client of another endpoint): -CAPOS_ETYPE",
		  register_child(procs, registered_child, "", forged), -CAPOS_ETYPE);
	capos_release(rc, forged);
	capos_release(rc, server);
}

static void test_hostile(uint32_t procs)
{
	struct capos_process_registry_list_in in = { 0 };
	static struct capos_process_registry_list_out out;
	uint64_t wide[2] = { 0, 0 };
	uint32_t len;

	ut_status("list on a garbage handle", capos_process_registry_list(rc, 0x00abcdef, &in, &out, &len),
		  -CAPOS_EBADF);
	ut_status("list on a Null capability", capos_process_registry_list(rc, ut_cap("null"), &in, &out, &len),
		  -CAPOS_ETYPE);
	ut_status("\"procs\" called as Null", capos_call_sync(rc, procs, CAPOS_IFACE_NULL, 0, NULL, 0, NULL, 0, NULL),
		  -CAPOS_ETYPE);
	ut_status("an unknown ProcessRegistry method", capos_call_sync(rc, procs, CAPOS_IFACE_PROCESS_REGISTRY, 9, &in,
		  sizeof in, &out, sizeof out, NULL), -CAPOS_ENOSYS);
	ut_status("list with parameters longer than its message", capos_call_sync(rc, procs,
		  CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_PROCESS_REGISTRY_LIST, wide, sizeof wide, &out, sizeof out, NULL),
		  -CAPOS_EINVAL);
}

static void test_ended_are_gone(uint32_t procs, const uint32_t *proc, const uint32_t *pid)
{
	static struct listing l;
	uint32_t left = 0;

	for (uint32_t i = 0; i < NAPPERS + LONG_NAPPERS; i++)
		end_child(proc[i]);
	ut_status("list again after the children ended", list_all(procs, &l), 0);
	for (uint32_t i = 0; i < NAPPERS + LONG_NAPPERS; i++)
		left += find(&l, pid[i]) != NULL;
	ut_check(left == 0 && find(&l, my_pid()) && find(&l, 1),
		 "ended children are no longer listed, init and this service still are", "%u of 20 still listed",
		 left);
}

/* ------------------------------------------------------------ "session-procs" */

static int in_session(const struct listing *l, uint64_t audit)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->e[i].session != audit)
			return 0;
	return 1;
}

/* Every entry is in session audit, and the listed pids are exactly want[0..n). */
static int only_these(const struct listing *l, uint64_t audit, const uint32_t *want, uint32_t n)
{
	uint32_t found = 0;

	if (!in_session(l, audit))
		return 0;
	for (uint32_t i = 0; i < n; i++)
		found += find(l, want[i]) != NULL;
	return found == n && l->n == n;
}

/* Start a checking child, register it (with session when not 0), wait: its exit code or a negative code. */
static int run_child_check(uint32_t procs, const char *grants, const char *args, const uint32_t *caps,
			   uint32_t ncaps, uint32_t session)
{
	uint32_t proc = 0;
	int64_t code = -1;
	uint32_t reason = 0;
	int err = capos_spawn(SELF, grants, args, caps, ncaps, &proc, NULL);

	if (!err)
		err = register_child(procs, proc, "", session);
	if (!err)
		err = capos_process_wait(proc, &code, &reason);
	if (proc) {
		if (err)
			capos_process_handle_kill(rc, proc);
		capos_release(rc, proc);
	}
	return err ? err : (int)code;
}

/* ProcessRegistry.session_view of session through registry: 0 with *view, or a negative code. */
static int session_view(uint32_t registry, uint32_t session, uint32_t *view)
{
	struct capos_xfer x = { session, CAPOS_XFER_COPY };
	struct capos_ipc_cap room;
	struct capos_ipc_reply r;
	int err = capos_ipc_call(registry, CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_PROCESS_REGISTRY_SESSION_VIEW, NULL, 0,
				 session ? &x : NULL, session ? 1 : 0, &room, sizeof room, &r);

	*view = !err && r.cap_count == 1 ? r.caps[0].handle : 0;
	return err ? err : *view ? 0 : -CAPOS_EFORMAT;
}

static void test_session_scope(uint32_t procs, uint32_t session_procs)
{
	static struct listing all, mine;
	struct { uint32_t session; uint64_t audit_id; } out = { 0, 0 };
	uint32_t caps[3] = { ut_cap("console"), ut_cap("timer"), session_procs }, napper = 0, napper_pid = 0, view = 0;
	const struct capos_procinfo_entry *e;
	char args[64];
	int err;

	ut_status("session-procs: list", list_all(session_procs, &mine), 0);
	ut_status("procs: list", list_all(procs, &all), 0);
	ut_check(in_session(&mine, CAPOS_SESSION_SYSTEM_AUDIT_ID) && mine.n == all.n && find(&mine, my_pid()) &&
		 find(&mine, 1), "session-procs shows this service its own session, the system one: so far every process",
		 "%u listed of %u", mine.n, all.n);
	ut_status("a child in this session sees only system-session processes, init among them",
		  run_child_check(procs, "console timer session-procs thread=@thread", "same", caps, 3, 0), 0);
	err = login_guest(&out.session, &out.audit_id);
	ut_check(!err && out.audit_id != CAPOS_SESSION_SYSTEM_AUDIT_ID, "a guest login at sessiond: a new session",
		 "status %d, audit id %llu", err, (unsigned long long)out.audit_id);
	if (err)
		return;
	err = spawn_napper(SELF, &napper, &napper_pid);
	ut_status("spawn a napping child for the new session", err, 0);
	ut_status("register it with its UserSession", register_child(procs, napper, "", out.session), 0);
	ut_status("procs: list", list_all(procs, &all), 0);
	e = find(&all, napper_pid);
	ut_check(e && e->session == out.audit_id, "procs shows that child with the new session's audit id",
		 "session %llu", e ? (unsigned long long)e->session : 0ull);
	ut_status("session-procs: list", list_all(session_procs, &mine), 0);
	ut_check(!find(&mine, napper_pid), "this service's session-procs does not show the other session's child",
		 "listed");
	ut_status("session_view without a UserSession: -CAPOS_EINVAL", session_view(procs, 0, &view), -CAPOS_EINVAL);
	ut_status("session_view of the new session", session_view(procs, out.session, &view), 0);
	caps[2] = view;
	capos_snprintf(args, sizeof args, "alone %u %llu", napper_pid, (unsigned long long)out.audit_id);
	ut_status("a second child in the new session sees only itself and the napper there",
		  run_child_check(procs, "console timer session-procs thread=@thread", args, caps, 3,
				  out.session), 0);
	capos_release(rc, view);
	if (napper)
		end_child(napper);
	capos_user_session_logout(rc, out.session);
	capos_release(rc, out.session);
}

/* ------------------------------------------------------------ children */

/* Sleep until killed; a refused sleep (no timer) ends the nap with its code. */
static int run_nap(void)
{
	int err;

	do
		err = capos_sleep_ns(60000 * UT_MS);
	while (!err);
	return err;
}

/* session-procs once the parent has registered this process (it does so right after the spawn). */
static int list_once_registered(uint32_t cap, struct listing *l)
{
	int err = 0;

	for (int tries = 0; tries < 100; tries++) {
		err = list_all(cap, l);
		if (err || find(l, my_pid()))
			return err;
		capos_sleep_ns(10 * UT_MS);
	}
	return -CAPOS_ENOENT;
}

/* "same": this service's session (the system one); "alone PID AUDIT": only PID and itself, in AUDIT. */
static int run_scope(int argc, char **argv)
{
	static struct listing l;
	uint32_t want[2] = { my_pid(), 0 };
	int err = list_once_registered(ut_cap("session-procs"), &l);

	ut_status("session-procs: list, once registered", err, 0);
	if (strcmp(argv[1], "same") == 0) {
		ut_check(in_session(&l, CAPOS_SESSION_SYSTEM_AUDIT_ID) && find(&l, 1) && find(&l, my_pid()),
			 "in the system session: only its processes, init and me among them", "%u listed", l.n);
		return ut_failures();
	}
	if (argc < 4) {
		ut_check(0, "arguments", "alone PID AUDIT expected");
		return ut_failures();
	}
	want[1] = (uint32_t)strtoul(argv[2], NULL, 10);
	ut_check(only_these(&l, strtoull(argv[3], NULL, 10), want, 2),
		 "in a new session: exactly the napper there and me, with its audit id", "%u listed", l.n);
	return ut_failures();
}

int main(int argc, char **argv)
{
	static uint32_t proc[NAPPERS + LONG_NAPPERS], pid[NAPPERS + LONG_NAPPERS];
	uint32_t procs, session_procs;

	if (argc > 1 && strcmp(argv[1], "nap") == 0)
		return run_nap();
	if (argc > 1) {
		ut_init("utest-procinfo child");
		return run_scope(argc, argv);
	}
	ut_init(SELF);
	procs = ut_cap("procs");
	session_procs = ut_cap("session-procs");
	test_init_and_self(procs);
	test_children_and_paging(procs, proc, pid);
	test_short_buffer(procs);
	test_bad_registrations(procs, proc[0]);
	test_hostile(procs);
	test_ended_are_gone(procs, proc, pid);
	test_session_scope(procs, session_procs);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
