/*
 * The Web UI's data documents (views.h), with cJSON.  Names from services
 * are copied only up to their fixed field's end, so a service that fills a
 * field without its NUL cannot make the builder read past it.
 */
#include <stdio.h>
#include <string.h>

#include "cJSON.h"
#include "views.h"

#define KIB_PER_FRAME 4u

/* A fixed-size name field as a string, whatever it holds. */
static void field_text(char *dst, const char *src, size_t size)
{
	size_t n = 0;

	while (n + 1 < size && src[n])
		n++;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static char *fail(cJSON *doc)
{
	cJSON_Delete(doc);
	return NULL;
}

static char *finish(cJSON *doc)
{
	char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;

	cJSON_Delete(doc);
	return text;
}

const char *view_process_state(uint32_t state)
{
	return state == CAPOS_PROCINFO_LIVE ? "live" : state == CAPOS_PROCINFO_DYING ? "dying" : "unknown";
}

const char *view_service_state(uint32_t state)
{
	static const char *const words[] = { "pending", "running", "backoff", "stopping", "done" };

	return state < sizeof words / sizeof words[0] ? words[state] : "unknown";
}

char *view_processes(const struct capos_procinfo_entry *e, uint32_t n)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(doc, "processes");

	for (uint32_t i = 0; list && i < n; i++) {
		cJSON *p = cJSON_CreateObject();
		char name[CAPOS_PROCINFO_NAME_MAX + 1];

		if (!p || !cJSON_AddItemToArray(list, p))
			return fail(doc);
		field_text(name, e[i].name, sizeof e[i].name + 1);
		cJSON_AddNumberToObject(p, "pid", e[i].pid);
		cJSON_AddStringToObject(p, "name", name);
		cJSON_AddStringToObject(p, "state", view_process_state(e[i].state));
		cJSON_AddNumberToObject(p, "threads", e[i].threads);
		cJSON_AddNumberToObject(p, "caps", e[i].caps);
		cJSON_AddNumberToObject(p, "frames", (double)e[i].frames);
		cJSON_AddNumberToObject(p, "kmem_kib", (double)(e[i].kmem / 1024));
		cJSON_AddNumberToObject(p, "session", (double)e[i].session);
	}
	return list ? finish(doc) : fail(doc);
}

char *view_memory(const struct view_system *sys)
{
	cJSON *doc = cJSON_CreateObject();
	uint64_t used = sys->total_frames >= sys->free_frames ? sys->total_frames - sys->free_frames : 0;

	cJSON_AddNumberToObject(doc, "total_kib", (double)(sys->total_frames * KIB_PER_FRAME));
	cJSON_AddNumberToObject(doc, "used_kib", (double)(used * KIB_PER_FRAME));
	cJSON_AddNumberToObject(doc, "free_kib", (double)(sys->free_frames * KIB_PER_FRAME));
	cJSON_AddNumberToObject(doc, "kernel_heap_kib", (double)(sys->heap_frames * KIB_PER_FRAME));
	cJSON_AddNumberToObject(doc, "kernel_heap_live_bytes", (double)sys->heap_bytes);
	return finish(doc);
}

char *view_uptime(const struct view_system *sys)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddNumberToObject(doc, "uptime_ms", (double)(sys->uptime_ns / 1000000u));
	cJSON_AddNumberToObject(doc, "services", sys->services);
	cJSON_AddNumberToObject(doc, "running", sys->running);
	return finish(doc);
}

static cJSON *add_node(cJSON *nodes, const char *id, const char *label, const char *kind)
{
	cJSON *n = cJSON_CreateObject();

	if (!n || !cJSON_AddItemToArray(nodes, n))
		return NULL;
	cJSON_AddStringToObject(n, "id", id);
	cJSON_AddStringToObject(n, "label", label);
	cJSON_AddStringToObject(n, "kind", kind);
	return n;
}

static int has_node(const cJSON *nodes, const char *id)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, nodes) {
		const cJSON *nid = cJSON_GetObjectItemCaseSensitive(n, "id");

		if (cJSON_IsString(nid) && strcmp(nid->valuestring, id) == 0)
			return 1;
	}
	return 0;
}

static int add_service(cJSON *nodes, const struct capos_graph_service *s)
{
	char id[32], name[CAPOS_GRAPH_NAME_MAX + 1];
	cJSON *n;

	snprintf(id, sizeof id, "service:%u", s->index);
	field_text(name, s->name, sizeof s->name + 1);
	n = add_node(nodes, id, name, "service");
	if (!n)
		return -1;
	cJSON_AddStringToObject(n, "state", view_service_state(s->state));
	cJSON_AddNumberToObject(n, "pid", s->pid);
	cJSON_AddNumberToObject(n, "restarts", s->restarts);
	cJSON_AddBoolToObject(n, "failed", s->failed != 0);
	cJSON_AddNumberToObject(n, "threads", s->threads);
	cJSON_AddNumberToObject(n, "caps", s->caps);
	cJSON_AddNumberToObject(n, "frames", (double)s->frames);
	cJSON_AddNumberToObject(n, "exports", s->exports);
	return 0;
}

/* The id of a grant's source node ("kernel", "init", "device:NAME", "service:INDEX"), made when missing. */
static int source_node(cJSON *nodes, const struct capos_graph_holding *h, const char *source_name, char *id,
		       size_t size)
{
	switch (h->source) {
	case CAPOS_GRAPH_FROM_KERNEL:
		snprintf(id, size, "kernel");
		return has_node(nodes, id) || add_node(nodes, id, "kernel", "kernel") ? 0 : -1;
	case CAPOS_GRAPH_FROM_INIT:
		snprintf(id, size, "init");
		return has_node(nodes, id) || add_node(nodes, id, "init", "init") ? 0 : -1;
	case CAPOS_GRAPH_FROM_DEVICE:
		snprintf(id, size, "device:%s", source_name);
		return has_node(nodes, id) || add_node(nodes, id, source_name, "device") ? 0 : -1;
	default:
		snprintf(id, size, "service:%u", h->source_service);
		return has_node(nodes, id) ? 0 : -1;   /* an exporter the service list did not name */
	}
}

static int add_edge(cJSON *nodes, cJSON *edges, const struct capos_graph_holding *h)
{
	char from[48], to[32], name[CAPOS_GRAPH_NAME_MAX + 1], source_name[CAPOS_GRAPH_NAME_MAX + 1];
	cJSON *e;

	field_text(name, h->name, sizeof h->name + 1);
	field_text(source_name, h->source_name, sizeof h->source_name + 1);
	snprintf(to, sizeof to, "service:%u", h->holder);
	if (!has_node(nodes, to) || source_node(nodes, h, source_name, from, sizeof from))
		return 0;   /* skipped: it names a node that is not there */
	e = cJSON_CreateObject();
	if (!e || !cJSON_AddItemToArray(edges, e))
		return -1;
	cJSON_AddStringToObject(e, "from", from);
	cJSON_AddStringToObject(e, "to", to);
	cJSON_AddStringToObject(e, "label", name);
	cJSON_AddStringToObject(e, "source_name", source_name);
	cJSON_AddBoolToObject(e, "held", h->held != 0);
	return 0;
}

char *view_graph(const struct capos_graph_service *s, uint32_t ns, const struct capos_graph_holding *h, uint32_t nh)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *nodes = cJSON_AddArrayToObject(doc, "nodes");
	cJSON *edges = cJSON_AddArrayToObject(doc, "edges");

	if (!nodes || !edges)
		return fail(doc);
	for (uint32_t i = 0; i < ns; i++)
		if (add_service(nodes, &s[i]))
			return fail(doc);
	for (uint32_t i = 0; i < nh; i++)
		if (add_edge(nodes, edges, &h[i]))
			return fail(doc);
	return finish(doc);
}
