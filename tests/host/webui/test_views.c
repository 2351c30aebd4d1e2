/*
 * Host tests of the Web UI's data documents (apps/webui/views.c): service
 * answers in, JSON out, read back with cJSON — the process table, memory,
 * uptime and the capability graph, names that fill their whole field, an
 * edge whose exporter is not listed, and empty inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "check.h"
#include "views.h"

static cJSON *parse(char *text)
{
	cJSON *doc = text ? cJSON_Parse(text) : NULL;

	free(text);
	return doc;
}

static double num(const cJSON *o, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(m) ? m->valuedouble : -1;
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(m) ? m->valuestring : "";
}

static void test_processes(void)
{
	struct capos_procinfo_entry e[2];
	cJSON *doc, *list, *p;

	memset(e, 0, sizeof e);
	e[0] = (struct capos_procinfo_entry){ .pid = 1, .state = CAPOS_PROCINFO_LIVE, .threads = 1, .caps = 17,
					      .frames = 300, .kmem = 40960, .session = 1 };
	strcpy(e[0].name, "init");
	e[1] = (struct capos_procinfo_entry){ .pid = 7, .state = CAPOS_PROCINFO_DYING, .threads = 2, .caps = 5 };
	memset(e[1].name, 'x', sizeof e[1].name);   /* no NUL in the field */
	doc = parse(view_processes(e, 2));
	list = cJSON_GetObjectItemCaseSensitive(doc, "processes");
	CHECK(cJSON_GetArraySize(list) == 2);
	p = cJSON_GetArrayItem(list, 0);
	CHECK(num(p, "pid") == 1 && strcmp(str(p, "name"), "init") == 0 && strcmp(str(p, "state"), "live") == 0);
	CHECK(num(p, "threads") == 1 && num(p, "caps") == 17 && num(p, "frames") == 300 && num(p, "kmem_kib") == 40 &&
	      num(p, "session") == 1);
	p = cJSON_GetArrayItem(list, 1);
	CHECK(strlen(str(p, "name")) == CAPOS_PROCINFO_NAME_MAX && strcmp(str(p, "state"), "dying") == 0);
	cJSON_Delete(doc);
	doc = parse(view_processes(NULL, 0));
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "processes")) == 0);
	cJSON_Delete(doc);
}

static void test_memory_uptime(void)
{
	struct view_system sys = { .uptime_ns = 12345678901ull, .total_frames = 131072, .free_frames = 100000,
				   .heap_bytes = 500000, .heap_frames = 200, .services = 8, .running = 7 };
	cJSON *doc = parse(view_memory(&sys));

	CHECK(num(doc, "total_kib") == 524288 && num(doc, "free_kib") == 400000 && num(doc, "used_kib") == 124288 &&
	      num(doc, "kernel_heap_kib") == 800 && num(doc, "kernel_heap_live_bytes") == 500000);
	cJSON_Delete(doc);
	doc = parse(view_uptime(&sys));
	CHECK(num(doc, "uptime_ms") == 12345 && num(doc, "services") == 8 && num(doc, "running") == 7);
	cJSON_Delete(doc);
	sys.free_frames = sys.total_frames + 1;   /* a torn read never makes "used" wrap */
	doc = parse(view_memory(&sys));
	CHECK(num(doc, "used_kib") == 0);
	cJSON_Delete(doc);
}

static const cJSON *node(const cJSON *doc, const char *id)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(doc, "nodes"))
		if (strcmp(str(n, "id"), id) == 0)
			return n;
	return NULL;
}

static void holding(struct capos_graph_holding *h, uint32_t holder, uint32_t source, uint32_t from, const char *name,
		    const char *source_name, uint32_t held)
{
	memset(h, 0, sizeof *h);
	h->holder = holder;
	h->source = source;
	h->source_service = from;
	h->held = held;
	strcpy(h->name, name);
	strcpy(h->source_name, source_name);
}

static void test_graph(void)
{
	struct capos_graph_service s[2];
	struct capos_graph_holding h[6];
	const cJSON *n, *e, *edges;
	cJSON *doc;
	int count = 0, held_echo = 0;

	s[0] = (struct capos_graph_service){ .name = "echo", .index = 0, .state = CAPOS_GRAPH_RUNNING, .pid = 3,
					     .exports = 1, .caps = 5, .threads = 1, .frames = 90 };
	s[1] = (struct capos_graph_service){ .name = "client", .index = 1, .state = CAPOS_GRAPH_DONE, .restarts = 2,
					     .failed = 1 };
	holding(&h[0], 0, CAPOS_GRAPH_FROM_KERNEL, CAPOS_GRAPH_NONE, "console", "console", 1);
	holding(&h[1], 1, CAPOS_GRAPH_FROM_KERNEL, CAPOS_GRAPH_NONE, "console", "console", 0);
	holding(&h[2], 1, CAPOS_GRAPH_FROM_SERVICE, 0, "echo", "echo", 0);
	holding(&h[3], 1, CAPOS_GRAPH_FROM_INIT, CAPOS_GRAPH_NONE, "procs", "procs", 0);
	holding(&h[4], 0, CAPOS_GRAPH_FROM_DEVICE, CAPOS_GRAPH_NONE, "nic", "nic", 1);
	holding(&h[5], 1, CAPOS_GRAPH_FROM_SERVICE, 9, "ghost", "ghost", 0);   /* an exporter not listed: skipped */
	doc = parse(view_graph(s, 2, h, 6));
	CHECK(doc != NULL);
	n = node(doc, "service:0");
	CHECK(n && strcmp(str(n, "label"), "echo") == 0 && strcmp(str(n, "kind"), "service") == 0 &&
	      strcmp(str(n, "state"), "running") == 0 && num(n, "pid") == 3 && num(n, "exports") == 1);
	n = node(doc, "service:1");
	CHECK(n && strcmp(str(n, "state"), "done") == 0 && num(n, "restarts") == 2 &&
	      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(n, "failed")));
	CHECK(node(doc, "kernel") && node(doc, "init") && node(doc, "device:nic"));
	edges = cJSON_GetObjectItemCaseSensitive(doc, "edges");
	cJSON_ArrayForEach(e, edges) {
		count++;
		if (strcmp(str(e, "from"), "service:0") == 0 && strcmp(str(e, "to"), "service:1") == 0)
			held_echo = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e, "held")) &&
				    strcmp(str(e, "label"), "echo") == 0;
	}
	CHECK(count == 5 && held_echo);
	cJSON_Delete(doc);
}

int main(void)
{
	RUN(test_processes);
	RUN(test_memory_uptime);
	RUN(test_graph);
	return check_done();
}
