/*
 * The live system graph (capos/sysgraph.h; SystemGraph in
 * apps/services.def), served as "init:graph".  init is the one process
 * that knows the whole composition: which services the manifest starts,
 * what each was granted and from where, which of them run now, how often
 * each was restarted.  Nodes come from init's supervision state with the
 * live counts of ProcessHandle.info; edges from the manifest's grants,
 * marked held while the holder runs; the machine as a whole (uptime,
 * memory) from the Timer clock and FrameAllocator.info of "frames".  Who may see it is the manifest's
 * and the broker's business (operator bundles), like every init service.
 */
#include <stdbool.h>
#include <string.h>
#include <capos/sysgraph.h>
#include "init.h"
#include "serve.h"

static const struct init_state *graph_st;
static struct serve_ep graph_ep = { .name = "init/graph" };
static uint32_t graph_client_cap;

static void copy_name(char *dst, const char *src)
{
	size_t n = 0;

	while (n + 1 < CAPOS_GRAPH_NAME_MAX && src[n]) {
		dst[n] = src[n];
		n++;
	}
	memset(dst + n, 0, CAPOS_GRAPH_NAME_MAX - n);
}

static uint32_t graph_state(enum svc_state s)
{
	switch (s) {
	case SVC_PENDING: return CAPOS_GRAPH_PENDING;
	case SVC_RUNNING: return CAPOS_GRAPH_RUNNING;
	case SVC_BACKOFF: return CAPOS_GRAPH_BACKOFF;
	case SVC_STOPPING: return CAPOS_GRAPH_STOPPING;
	default: return CAPOS_GRAPH_DONE;
	}
}

static bool has_process(const struct svc *s)
{
	return s->state == SVC_RUNNING || s->state == SVC_STOPPING;
}

static void describe_service(const struct svc *s, struct capos_graph_service *e)
{
	struct capos_process_handle_info_out info;

	memset(e, 0, sizeof *e);
	copy_name(e->name, s->name);
	e->index = s->index;
	e->state = graph_state(s->state);
	e->restarts = s->restarts;
	e->failed = s->failed ? 1 : 0;
	e->exports = s->m->export_count;
	if (!has_process(s))
		return;
	e->pid = s->pid;
	if (capos_process_handle_info(capos_ring(), s->proc, &info) == 0) {
		e->threads = info.threads;
		e->caps = info.caps;
		e->frames = info.frames;
	}
}

static uint32_t graph_source(uint32_t manifest_source)
{
	switch (manifest_source) {
	case CAPOS_CAP_FROM_KERNEL: return CAPOS_GRAPH_FROM_KERNEL;
	case CAPOS_CAP_FROM_SERVICE: return CAPOS_GRAPH_FROM_SERVICE;
	case CAPOS_CAP_FROM_DEVICE: return CAPOS_GRAPH_FROM_DEVICE;
	default: return CAPOS_GRAPH_FROM_INIT;
	}
}

static void describe_holding(const struct svc *s, const struct capos_manifest_cap *c,
			     struct capos_graph_holding *e)
{
	const struct manifest_view *v = &graph_st->view;

	memset(e, 0, sizeof *e);
	e->holder = s->index;
	e->source = graph_source(c->source);
	e->source_service = c->source == CAPOS_CAP_FROM_SERVICE ? c->source_service : CAPOS_GRAPH_NONE;
	e->held = has_process(s) ? 1 : 0;
	copy_name(e->name, manifest_str(v, c->name));
	copy_name(e->source_name, manifest_str(v, c->source_name));
}

/* Holding number n, counted over the services in start order: its service and manifest cap, or false. */
static bool holding_at(uint32_t n, const struct svc **s, const struct capos_manifest_cap **c)
{
	for (uint32_t i = 0; i < graph_st->count; i++) {
		const struct svc *svc = &graph_st->svcs[i];

		if (n < svc->m->cap_count) {
			*s = svc;
			*c = &graph_st->view.caps[svc->m->cap_first + n];
			return true;
		}
		n -= svc->m->cap_count;
	}
	return false;
}

static uint32_t holding_total(void)
{
	uint32_t total = 0;

	for (uint32_t i = 0; i < graph_st->count; i++)
		total += graph_st->svcs[i].m->cap_count;
	return total;
}

/* Entries the caller's result buffer has room for, after head bytes: 0 when not even one. */
static uint32_t room(const struct capos_ipc_request *req, uint32_t head)
{
	uint32_t n;

	if (req->result_cap < head + 64)
		return 0;
	n = (req->result_cap - head) / 64;
	return n < CAPOS_GRAPH_BATCH ? n : CAPOS_GRAPH_BATCH;
}

static void serve_services(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	static struct capos_system_graph_services_out out;
	const struct capos_system_graph_services_in *in = req->params;
	const uint32_t head = CAPOS_SYSTEM_GRAPH_SERVICES_OUT_MIN;
	uint32_t max = room(req, head);

	if (!max) {
		capos_ipc_return_status(req->token, -CAPOS_ERANGE);
		return;
	}
	memset(&out, 0, sizeof out);
	out.total = graph_st->count;
	for (uint32_t i = in->first; i < graph_st->count && out.count < max; i++)
		describe_service(&graph_st->svcs[i], (struct capos_graph_service *)out.entries + out.count++);
	serve_return(ep, req->token, &out, head + out.count * 64, NULL, 0);
}

static void serve_holdings(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	static struct capos_system_graph_holdings_out out;
	const struct capos_system_graph_holdings_in *in = req->params;
	const uint32_t head = CAPOS_SYSTEM_GRAPH_HOLDINGS_OUT_MIN;
	uint32_t max = room(req, head);
	const struct svc *s;
	const struct capos_manifest_cap *c;

	if (!max) {
		capos_ipc_return_status(req->token, -CAPOS_ERANGE);
		return;
	}
	memset(&out, 0, sizeof out);
	out.total = holding_total();
	for (uint32_t n = in->first; out.count < max && holding_at(n, &s, &c); n++)
		describe_holding(s, c, (struct capos_graph_holding *)out.entries + out.count++);
	serve_return(ep, req->token, &out, head + out.count * 64, NULL, 0);
}

static void serve_system(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	struct capos_system_graph_system_out out = { 0 };
	struct capos_frame_allocator_info_out mem = { 0 };
	uint32_t frames = capos_cap_find("frames", NULL);
	int err = frames ? capos_frame_allocator_info(capos_ring(), frames, &mem) : -CAPOS_ENOENT;

	if (err) {
		capos_ipc_return_status(req->token, err);
		return;
	}
	out.uptime_ns = capos_time_ns();
	out.total_frames = mem.total_frames;
	out.free_frames = mem.free_frames;
	out.heap_bytes = mem.heap_bytes;
	out.heap_frames = mem.heap_frames;
	out.services = graph_st->count;
	for (uint32_t i = 0; i < graph_st->count; i++)
		out.running += has_process(&graph_st->svcs[i]) ? 1 : 0;
	serve_return(ep, req->token, &out, sizeof out, NULL, 0);
}

static void serve_graph(struct serve_ep *ep, const struct capos_ipc_request *req)
{
	serve_release_caps(req, 0);   /* no method takes a capability */
	if (req->iface != CAPOS_IFACE_SYSTEM_GRAPH)
		capos_ipc_return_status(req->token, -CAPOS_ENOSYS);
	else if (req->method == CAPOS_SYSTEM_GRAPH_SERVICES && req->params_len == sizeof(struct capos_system_graph_services_in))
		serve_services(ep, req);
	else if (req->method == CAPOS_SYSTEM_GRAPH_HOLDINGS && req->params_len == sizeof(struct capos_system_graph_holdings_in))
		serve_holdings(ep, req);
	else if (req->method == CAPOS_SYSTEM_GRAPH_SYSTEM && req->params_len == 0)
		serve_system(ep, req);
	else if (req->method <= CAPOS_SYSTEM_GRAPH_SYSTEM)
		capos_ipc_return_status(req->token, -CAPOS_EINVAL);
	else
		capos_ipc_return_status(req->token, -CAPOS_ENOSYS);
}

int graph_start(const struct init_state *st)
{
	int err = capos_endpoint_create(CAPOS_IFACE_SYSTEM_GRAPH, &graph_ep.endpoint, &graph_client_cap);

	graph_st = st;
	graph_ep.handle = serve_graph;
	if (!err)
		err = serve_start(&graph_ep);
	if (err) {
		report_note("cannot serve the system graph: %s", capos_strerror(err));
		graph_client_cap = 0;
	}
	return err;
}

uint32_t graph_client(const char *name)
{
	return strcmp(name, "graph") == 0 ? graph_client_cap : 0;
}
