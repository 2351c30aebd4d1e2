/*
 * Commands that show things: whoami (UserSession.info, and the session's
 * processes from init's registry when the shell may list), caps (the shell's
 * table and the generated interface names), ps (ProcessRegistry.list of
 * init's registry over "procs" or "session-procs"), audit (AuditReader.read over "audit"),
 * history; and halt (Power.halt over "power").
 */
#include <stdlib.h>
#include <string.h>
#include <capos/audit.h>
#include "ifname.h"
#include "shell.h"

#define AUDIT_DEFAULT 16u
#define AUDIT_MAX 64u

/* "12.345 s" style seconds with milliseconds. */
static void seconds(char *buf, uint32_t size, uint64_t ns)
{
	capos_snprintf(buf, size, "%llu.%03llu s", (unsigned long long)(ns / 1000000000ull),
		       (unsigned long long)(ns / 1000000ull % 1000ull));
}

/*
 * The processes of session audit_id that init's registry lists, through
 * "procs" or "session-procs" (whichever the shell holds); -1 when it holds
 * neither or the registry does not answer.
 */
static int session_processes(struct shell *sh, uint64_t audit_id)
{
	static struct capos_process_registry_list_out out;
	struct capos_process_registry_list_in in = { .after_pid = 0 };
	uint32_t cap = shell_cap(sh, "procs", NULL);
	int n = 0;

	if (!cap)
		cap = shell_cap(sh, "session-procs", NULL);
	if (!cap)
		return -1;
	do {
		uint32_t len = 0;
		const struct capos_procinfo_entry *e = (const void *)out.entries;

		if (capos_process_registry_list(capos_ring(), cap, &in, &out, &len) != 0)
			return -1;
		for (uint32_t i = 0; i < out.count && i < CAPOS_PROCINFO_BATCH; i++) {
			n += e[i].session == audit_id;
			in.after_pid = e[i].pid;
		}
	} while (out.count && out.more);
	return n;
}

void cmd_whoami(struct shell *sh, const struct shell_words *w)
{
	struct capos_user_session_info_out info;
	uint64_t now = capos_time_ns();
	char age[32], left[32], procs[32] = "";
	int err, n;

	(void)w;
	if (!sh->session) {
		shell_printf(sh, "anonymous (no account)\n");
		return;
	}
	err = capos_user_session_info(capos_ring(), sh->session, &info);
	if (err) {
		shell_printf(sh, "whoami: the session does not answer: %s\n", capos_strerror(err));
		return;
	}
	info.user[sizeof info.user - 1] = info.profile[sizeof info.profile - 1] = '\0';
	seconds(age, sizeof age, now > info.created_ns ? now - info.created_ns : 0);
	seconds(left, sizeof left, info.expires_ns > now ? info.expires_ns - now : 0);
	n = session_processes(sh, info.audit_id);
	if (n >= 0)
		capos_snprintf(procs, sizeof procs, "%d %s, ", n, shell_plural((uint32_t)n, "process", "processes"));
	shell_printf(sh, "user %s, profile %s\n", info.user, info.profile);
	shell_printf(sh, "session %llu (audit id), %s, %sstarted %s ago\n",
		     (unsigned long long)info.audit_id,
		     info.state == CAPOS_SESSION_LIVE ? "live" :
		     info.state == CAPOS_SESSION_EXPIRED ? "expired" : "logged out", procs, age);
	if (info.expires_ns)
		shell_printf(sh, "expires in %s\n", left);
	else
		shell_printf(sh, "never expires\n");
}

void cmd_caps(struct shell *sh, const struct shell_words *w)
{
	(void)w;
	shell_printf(sh, "%-23s %-18s %-8s %-6s %s\n", "NAME", "INTERFACE", "ID", "HANDLE", "FROM");
	for (uint32_t i = 0; i < sh->cap_count; i++) {
		const struct shell_cap *c = &sh->caps[i];
		const char *name = capos_iface_name(c->iface);

		shell_printf(sh, "%-23s %-18s %#-8x %-6u %s\n", c->name, name ? name : "(unknown)", c->iface,
			     c->handle, c->bundle ? "bundle" : "start");
	}
}

static void ps_row(struct shell *sh, const struct capos_procinfo_entry *e)
{
	char name[CAPOS_PROCINFO_NAME_MAX + 1];

	memcpy(name, e->name, CAPOS_PROCINFO_NAME_MAX);
	name[CAPOS_PROCINFO_NAME_MAX] = '\0';
	shell_printf(sh, "%5u %-5s %7u %4u %6llu %7llu %s\n", e->pid,
		     e->state == CAPOS_PROCINFO_LIVE ? "live" : "dying", e->threads, e->caps,
		     (unsigned long long)e->frames, (unsigned long long)e->session, name);
}

void cmd_ps(struct shell *sh, const struct shell_words *w)
{
	static struct capos_process_registry_list_out out;
	struct capos_process_registry_list_in in = { .after_pid = 0 };
	uint32_t cap = shell_cap(sh, "procs", NULL);

	(void)w;
	if (!cap)
		cap = shell_cap(sh, "session-procs", NULL);
	if (!cap) {
		shell_printf(sh, "ps: this session may not list processes\n");
		return;
	}
	shell_printf(sh, "%5s %-5s %7s %4s %6s %7s %s\n", "PID", "STATE", "THREADS", "CAPS", "FRAMES",
		     "SESSION", "NAME");
	do {
		uint32_t len = 0;
		int err = capos_process_registry_list(capos_ring(), cap, &in, &out, &len);
		const struct capos_procinfo_entry *e = (const void *)out.entries;

		if (err) {
			shell_printf(sh, "ps: listing failed: %s\n", capos_strerror(err));
			return;
		}
		for (uint32_t i = 0; i < out.count && i < CAPOS_PROCINFO_BATCH; i++) {
			ps_row(sh, &e[i]);
			in.after_pid = e[i].pid;
		}
		if (!out.count)
			break;
	} while (out.more);
}

/* Read the whole log, keeping the last want records in keep[] (a ring); the count kept. */
static int audit_fetch(struct shell *sh, uint32_t cap, uint32_t iface, struct capos_audit_record *keep,
		       uint32_t want, uint64_t *dropped, uint32_t *total)
{
	static union { struct capos_audit_reader_read_out out; uint8_t raw[SHELL_REPLY_MAX]; } res;
	struct capos_audit_reader_read_out *out = &res.out;
	struct capos_audit_reader_read_in in = { .after_seq = 0 };
	struct capos_ipc_reply reply;
	char msg[CAPOS_APP_ERROR_MESSAGE_MAX];

	*total = 0;
	do {
		const struct capos_audit_record *r = (const void *)out->records;
		int err = capos_ipc_call(cap, iface, CAPOS_AUDIT_READER_READ, &in, sizeof in, NULL, 0, &res,
					 sizeof res, &reply);

		if (err) {
			shell_printf(sh, "audit: the log does not answer: %s\n",
				     shell_call_error(err, &reply, msg, sizeof msg));
			return -1;
		}
		for (uint32_t i = 0; i < out->count && i < CAPOS_AUDIT_READ_BATCH; i++) {
			keep[*total % want] = r[i];
			(*total)++;
			in.after_seq = r[i].seq;
		}
		*dropped = out->dropped;
		if (!out->count)
			break;
	} while (out->more);
	return 0;
}

static void audit_row(struct shell *sh, struct capos_audit_record *r)
{
	char when[32];

	r->event[sizeof r->event - 1] = r->user[sizeof r->user - 1] = r->detail[sizeof r->detail - 1] = '\0';
	seconds(when, sizeof when, r->time_ns);
	shell_printf(sh, "%5llu %12s %-10s %7llu %-12s %s\n", (unsigned long long)r->seq, when, r->event,
		     (unsigned long long)r->audit_id, r->user[0] ? r->user : "-", r->detail);
}

void cmd_audit(struct shell *sh, const struct shell_words *w)
{
	static struct capos_audit_record keep[AUDIT_MAX];
	uint32_t iface, cap = shell_cap(sh, "audit", &iface), want = AUDIT_DEFAULT, total;
	uint64_t dropped = 0;
	char *end;

	if (!cap) {
		shell_printf(sh, "audit: this session may not read the audit log\n");
		return;
	}
	if (w->count > 2 || (w->count == 2 && ((want = (uint32_t)strtoul(w->word[1], &end, 10)) == 0 || *end ||
					      want > AUDIT_MAX))) {
		shell_printf(sh, "audit: write audit [N], N from 1 to %u records\n", AUDIT_MAX);
		return;
	}
	if (audit_fetch(sh, cap, iface, keep, want, &dropped, &total))
		return;
	shell_printf(sh, "%5s %12s %-10s %7s %-12s %s\n", "SEQ", "TIME", "EVENT", "SESSION", "USER", "DETAIL");
	for (uint32_t i = total > want ? total - want : 0; i < total; i++)
		audit_row(sh, &keep[i % want]);
	if (dropped)
		shell_printf(sh, "(%llu older %s lost to the log's ring)\n", (unsigned long long)dropped,
			     shell_plural(dropped, "record was", "records were"));
}

void cmd_history(struct shell *sh, const struct shell_words *w)
{
	(void)w;
	for (uint32_t n = shell_history_first(&sh->history); n < sh->history.next; n++)
		shell_printf(sh, "%5u  %s\n", n, shell_history_get(&sh->history, n));
}

void cmd_halt(struct shell *sh, const struct shell_words *w)
{
	uint32_t cap = shell_cap(sh, "power", NULL);
	int err;

	(void)w;
	if (!cap) {
		shell_printf(sh, "halt: needs an operator session\n");
		return;
	}
	shell_printf(sh, "halting\n");
	err = capos_power_halt(capos_ring(), cap);
	if (err)
		shell_printf(sh, "halt: refused: %s\n", capos_strerror(err));
}
