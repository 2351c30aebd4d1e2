/*
 * audit: the audit log (docs/sessions.md).  It receives two Endpoints from
 * init, its exports "log" (AuditWriter: sessiond and the broker append)
 * and "read" (AuditReader: operators page through the records), and
 * serves both from one thread (apps/session/serve.h).  Records live in a
 * bounded ring (ring.h; the oldest go first and are counted as dropped);
 * each is also printed on the console as one line
 * "audit: #SEQ EVENT session=ID user=NAME DETAIL".  The log keeps the
 * badge of the writer's "log" client in every record: which import of the
 * export wrote it (init mints each its own), which no writer can change.
 */
#include <string.h>
#include <capos/rt.h>
#include <capos/services.h>
#include "ring.h"
#include "serve.h"

static struct audit_ring ring;
static struct serve_ep log_ep = { .name = "audit/log" }, read_ep = { .name = "audit/read" };

static void serve_append(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	const struct capos_audit_writer_append_in *in = req->params;
	struct capos_audit_writer_append_out out;
	struct audit_entry e;
	char line[256];

	if (req->method != CAPOS_AUDIT_WRITER_APPEND || req->params_len != sizeof *in) {
		serve_error(ep, req->token, 1, "audit: AuditWriter takes append (method 0) with its record");
		return;
	}
	e = (struct audit_entry){ in->event, in->audit_id, in->user, in->detail };
	out.seq = audit_ring_append(&ring, &e, capos_time_ns(), req->badge);
	capos_write(line, audit_format(audit_ring_get(&ring, out.seq), line, sizeof line));
	serve_return(ep, req->token, &out, sizeof out, NULL, 0);
}

static void serve_read(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	static struct capos_audit_reader_read_out out;
	struct capos_audit_record recs[CAPOS_AUDIT_READ_BATCH];
	const struct capos_audit_reader_read_in *in = req->params;
	uint32_t len;

	if (req->method != CAPOS_AUDIT_READER_READ || req->params_len != sizeof *in) {
		serve_error(ep, req->token, 1, "audit: AuditReader takes read (method 0) with after_seq");
		return;
	}
	memset(&out, 0, sizeof out);
	out.count = audit_ring_read(&ring, in->after_seq, recs, CAPOS_AUDIT_READ_BATCH, &out.more);
	out.dropped = ring.dropped;
	memcpy(out.records, recs, out.count * sizeof recs[0]);
	len = (uint32_t)(CAPOS_AUDIT_READER_READ_OUT_MIN + out.count * sizeof recs[0]);
	serve_return(ep, req->token, &out, len, NULL, 0);
}

/* Either endpoint: nothing is wanted beside the parameters. */
static void serve_any(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	serve_release_caps(req, 0);
	if (ep == &log_ep)
		serve_append(ep, req);
	else
		serve_read(ep, req);
}

int main(int argc, char **argv)
{
	int err;

	(void)argc;
	(void)argv;
	audit_ring_init(&ring);
	log_ep.endpoint = capos_cap_find("log", NULL);
	read_ep.endpoint = capos_cap_find("read", NULL);
	if (!log_ep.endpoint || !read_ep.endpoint) {
		capos_printf("audit: no capability '%s' (an Endpoint to serve)\n",
			     log_ep.endpoint ? "read" : "log");
		return 2;
	}
	log_ep.handle = read_ep.handle = serve_any;
	err = serve_start(&log_ep);
	if (!err)
		err = serve_start(&read_ep);
	if (!err) {
		capos_printf("audit: serving log and read (%u records kept)\n", AUDIT_RING_RECORDS);
		err = serve_loop();
	}
	capos_printf("audit: stopped: %s\n", capos_strerror(err));
	return 1;
}
