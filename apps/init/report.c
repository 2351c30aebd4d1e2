/*
 * What init says on the console.  Every line starts with "init: " and has
 * a stable form that tests and people can rely on:
 *
 *   init: started echo (pid 3)
 *   init: echo exited: normal, code 0        (normal | killed | fault)
 *   init: restarting echo in 100 ms (restart 1 of 4)   ("of unlimited" for 0)
 *   init: echo: giving up after 4 restarts
 *   init: cannot start echo: no such name
 *   init: manifest: ...                      (a problem with the manifest)
 *
 * Each line is formatted whole and written with one Console.write, so it
 * is not cut by what the services print at the same time.
 */
#include <stdarg.h>
#include <string.h>
#include "init.h"

#define LINE_MAX 512

struct line {
	char buf[LINE_MAX];
	size_t len;
};

static void line_add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line_vadd(struct line *l, const char *fmt, va_list ap)
{
	int n = capos_vsnprintf(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);

	if (n > 0)
		l->len += (size_t)n < sizeof l->buf - l->len ? (size_t)n : sizeof l->buf - l->len - 1;
}

static void line_add(struct line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_vadd(l, fmt, ap);
	va_end(ap);
}

/* Write the line with its newline (the last byte gives way when it is full). */
static void line_end(struct line *l)
{
	if (l->len >= sizeof l->buf - 1)
		l->len = sizeof l->buf - 2;
	l->buf[l->len++] = '\n';
	capos_write(l->buf, l->len);
}

static const char *reason_name(uint32_t reason)
{
	switch (reason) {
	case CAPOS_EXIT_NORMAL:
		return "normal";
	case CAPOS_EXIT_KILLED:
		return "killed";
	case CAPOS_EXIT_FAULT:
		return "fault";
	default:
		return "unknown";
	}
}

void report_banner(const struct capos_bootstrap *b)
{
	struct line l = { .len = 0 };

	line_add(&l, "init: capOS userspace running (pid %u, %u capabilities:", b->pid, b->cap_count);
	for (uint32_t i = 0; i < b->cap_count && i < CAPOS_BOOTSTRAP_MAX_CAPS; i++)
		line_add(&l, " %s", b->caps[i].name);
	line_add(&l, ")");
	line_end(&l);
}

void report_manifest(const struct init_state *st, uint64_t size)
{
	struct line l = { .len = 0 };

	line_add(&l, "init: manifest '%s': %u services, %u exports, ", st->entry, st->view.hdr->service_count,
		 st->view.hdr->export_count);
	if (st->view.hdr->device_count)
		line_add(&l, "%u devices, ", st->view.hdr->device_count);
	line_add(&l, "%llu bytes; start order:", (unsigned long long)size);
	for (uint32_t i = 0; i < st->count; i++)
		line_add(&l, " %s", st->svcs[i].name);
	line_end(&l);
}

/* One console line: prefix, then the formatted text. */
static void say_prefixed(const char *prefix, const char *fmt, va_list ap)
{
	struct line l = { .len = 0 };

	line_add(&l, "%s", prefix);
	line_vadd(&l, fmt, ap);
	line_end(&l);
}

void report_manifest_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_prefixed("init: manifest: ", fmt, ap);
	va_end(ap);
}

void report_started(const struct svc *s)
{
	if (s->session_audit_id == CAPOS_SESSION_SYSTEM_AUDIT_ID)
		report_note("started %s (pid %u)", s->name, s->pid);
	else
		report_note("started %s (pid %u, anonymous session %llu)", s->name, s->pid,
			    (unsigned long long)s->session_audit_id);
}

void report_start_failed(const struct svc *s, int err)
{
	report_note("cannot start %s: %s", s->name, capos_strerror(err));
}

void report_exit(const struct svc *s, int64_t code, uint32_t reason)
{
	report_note("%s exited: %s, code %lld", s->name, reason_name(reason), (long long)code);
}

void report_restart(const struct svc *s, uint32_t delay_ms)
{
	if (s->m->max_restarts)
		report_note("restarting %s in %u ms (restart %u of %u)", s->name, delay_ms, s->restarts + 1,
		    s->m->max_restarts);
	else
		report_note("restarting %s in %u ms (restart %u of unlimited)", s->name, delay_ms, s->restarts + 1);
}

void report_give_up(const struct svc *s)
{
	report_note("%s: giving up after %u restart%s", s->name, s->restarts, s->restarts == 1 ? "" : "s");
}

void report_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_prefixed("init: ", fmt, ap);
	va_end(ap);
}
