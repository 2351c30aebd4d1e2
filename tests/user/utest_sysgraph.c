/*
 * utest-sysgraph: init's live system graph (init:graph, apps/init/graph.c)
 * as the one consumer that matters will read it — the Web UI drawing the
 * services and their capabilities.  Runs as a service of
 * tests/manifests/boot/sysgraph.yaml beside echo (an export this test
 * imports) and flaky (a probe that fails once, is restarted once and then
 * gives up).  Checks: every service listed in start order with its state,
 * pid and live counts; this service's own entry is itself; the restart
 * and the failure show up as they happen; every grant of the manifest is
 * a holding with its source (kernel, another service's export, init),
 * held while its holder runs; the machine's uptime and memory, which
 * follow an allocation of its own; paging, a short result buffer, a buffer
 * that holds no entry, wrong lengths and unknown methods.
 */
#include <string.h>
#include <capos/ipc.h>
#include <capos/rt.h>
#include <capos/services.h>
#include <capos/sysgraph.h>
#include "utest.h"

#define ENTRY 64u
#define MAX_SERVICES 8u
#define MAX_HOLDINGS 64u

static uint32_t graph;

static int services_page(uint32_t first, struct capos_system_graph_services_out *out, uint32_t out_cap,
			 uint32_t *len)
{
	struct capos_system_graph_services_in in = { .first = first };

	return capos_call_sync(capos_ring(), graph, CAPOS_IFACE_SYSTEM_GRAPH, CAPOS_SYSTEM_GRAPH_SERVICES, &in,
			       sizeof in, out, out_cap, len);
}

static int holdings_page(uint32_t first, struct capos_system_graph_holdings_out *out, uint32_t out_cap,
			 uint32_t *len)
{
	struct capos_system_graph_holdings_in in = { .first = first };

	return capos_call_sync(capos_ring(), graph, CAPOS_IFACE_SYSTEM_GRAPH, CAPOS_SYSTEM_GRAPH_HOLDINGS, &in,
			       sizeof in, out, out_cap, len);
}

/* Every service, in order: their count, or a negative code (-CAPOS_EFORMAT for a broken answer). */
static int all_services(struct capos_graph_service *s)
{
	static struct capos_system_graph_services_out out;
	uint32_t len;
	int err = services_page(0, &out, sizeof out, &len);

	if (err)
		return err;
	if (out.total > MAX_SERVICES || out.count != out.total || len != 8 + out.count * ENTRY)
		return -CAPOS_EFORMAT;
	memcpy(s, out.entries, out.count * ENTRY);
	for (uint32_t i = 0; i < out.count; i++)
		if (s[i].index != i || s[i].name[CAPOS_GRAPH_NAME_MAX - 1])
			return -CAPOS_EFORMAT;
	return (int)out.count;
}

/* Every holding, page by page with a buffer of 5 entries: their count, or a negative code. */
static int all_holdings(struct capos_graph_holding *h, uint32_t *pages)
{
	static struct capos_system_graph_holdings_out out;
	uint32_t n = 0, len, total = 0;

	*pages = 0;
	do {
		int err = holdings_page(n, &out, 8 + 5 * ENTRY, &len);

		if (err)
			return err;
		if (out.count > 5 || len != 8 + out.count * ENTRY || out.total > MAX_HOLDINGS ||
		    (*pages && out.total != total) || n + out.count > out.total)
			return -CAPOS_EFORMAT;
		total = out.total;
		memcpy(h + n, out.entries, out.count * ENTRY);
		n += out.count;
		(*pages)++;
		if (!out.count)
			break;
	} while (n < total);
	return n == total ? (int)n : -CAPOS_EFORMAT;
}

static const struct capos_graph_service *service(const struct capos_graph_service *s, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

static const struct capos_graph_holding *holding(const struct capos_graph_holding *h, int n, uint32_t holder,
						 const char *name)
{
	for (int i = 0; i < n; i++)
		if (h[i].holder == holder && strcmp(h[i].name, name) == 0)
			return &h[i];
	return NULL;
}

static void check_services(void)
{
	struct capos_graph_service s[MAX_SERVICES];
	const struct capos_graph_service *echo, *me, *flaky;
	int n = all_services(s);

	ut_check(n == 3, "three services, in start order", "got %d", n);
	if (n != 3)
		return;
	echo = service(s, n, "echo");
	me = service(s, n, "sysgraph");
	flaky = service(s, n, "flaky");
	ut_check(echo && me && flaky && echo->index < me->index, "echo starts before its importer", "missing or misordered");
	if (!echo || !me || !flaky)
		return;
	ut_check(echo->state == CAPOS_GRAPH_RUNNING && echo->pid > 1 && echo->exports == 1 && echo->threads >= 1 &&
		 echo->caps >= 4 && echo->frames > 0, "echo: running, one export, live counts",
		 "state %u pid %u exports %u threads %u caps %u frames %llu", echo->state, echo->pid, echo->exports,
		 echo->threads, echo->caps, (unsigned long long)echo->frames);
	ut_check(me->state == CAPOS_GRAPH_RUNNING && me->pid == capos_bootstrap()->pid && me->restarts == 0 &&
		 me->exports == 0, "this service's entry is itself", "state %u pid %u (mine %u)", me->state, me->pid,
		 capos_bootstrap()->pid);
}

/* flaky fails, is restarted once, fails again and is given up: watch it happen (up to 5 s). */
static void check_restart_seen(void)
{
	struct capos_graph_service s[MAX_SERVICES];
	const struct capos_graph_service *flaky = NULL;
	int n = 0;

	for (int tries = 0; tries < 100; tries++) {
		n = all_services(s);
		flaky = n > 0 ? service(s, n, "flaky") : NULL;
		if (flaky && flaky->state == CAPOS_GRAPH_DONE)
			break;
		capos_sleep_ns(50 * UT_MS);
	}
	ut_check(flaky && flaky->state == CAPOS_GRAPH_DONE && flaky->restarts == 1 && flaky->failed == 1 &&
		 flaky->pid == 0 && flaky->caps == 0, "flaky: restarted once, then ended for good after a failure",
		 "state %u restarts %u failed %u pid %u", flaky ? flaky->state : 99, flaky ? flaky->restarts : 99,
		 flaky ? flaky->failed : 99, flaky ? flaky->pid : 99);
}

static void check_holdings(void)
{
	struct capos_graph_service s[MAX_SERVICES];
	struct capos_graph_holding h[MAX_HOLDINGS];
	const struct capos_graph_holding *echo, *g, *console, *flaky_console;
	uint32_t pages;
	int ns = all_services(s), n = all_holdings(h, &pages);
	const struct capos_graph_service *me = ns > 0 ? service(s, ns, "sysgraph") : NULL;
	const struct capos_graph_service *echo_svc = ns > 0 ? service(s, ns, "echo") : NULL;
	const struct capos_graph_service *flaky = ns > 0 ? service(s, ns, "flaky") : NULL;

	ut_check(n == 13 && pages == 3, "thirteen holdings (3 + 3 + 7 grants), five to a page", "got %d in %u pages", n,
		 pages);
	if (n <= 0 || !me || !echo_svc || !flaky)
		return;
	echo = holding(h, n, me->index, "echo");
	g = holding(h, n, me->index, "graph");
	console = holding(h, n, me->index, "console");
	flaky_console = holding(h, n, flaky->index, "console");
	ut_check(echo && echo->source == CAPOS_GRAPH_FROM_SERVICE && echo->source_service == echo_svc->index &&
		 strcmp(echo->source_name, "echo") == 0 && echo->held, "an import is an edge from its exporter",
		 "source %u from %u", echo ? echo->source : 0, echo ? echo->source_service : 0);
	ut_check(g && g->source == CAPOS_GRAPH_FROM_INIT && strcmp(g->source_name, "graph") == 0 &&
		 g->source_service == CAPOS_GRAPH_NONE, "init:graph comes from init", "missing or wrong");
	ut_check(console && console->source == CAPOS_GRAPH_FROM_KERNEL && strcmp(console->source_name, "console") == 0,
		 "kernel:console comes from the kernel", "missing or wrong");
	ut_check(flaky_console && !flaky_console->held, "a service that has ended holds nothing", "held %u",
		 flaky_console ? flaky_console->held : 9);
}

static int system_now(struct capos_system_graph_system_out *out)
{
	uint32_t len = 0;
	int err = capos_call_sync(capos_ring(), graph, CAPOS_IFACE_SYSTEM_GRAPH, CAPOS_SYSTEM_GRAPH_SYSTEM, NULL, 0,
				  out, sizeof *out, &len);

	return err ? err : len == sizeof *out ? 0 : -CAPOS_EFORMAT;
}

/* The machine's counters: sane, and they follow an allocation of this service's (FrameAllocator.info beneath). */
static void check_system(void)
{
	struct capos_system_graph_system_out a, b, c;
	struct capos_frame_allocator_alloc_in in = { .pages = 1024 };
	struct capos_frame_allocator_alloc_out mo = { 0 };
	uint32_t frames = ut_cap("frames");
	int err = system_now(&a);

	ut_check(err == 0 && a.uptime_ns > 0 && a.total_frames > a.free_frames && a.free_frames > 1024 &&
		 a.heap_bytes > 0 && a.heap_bytes <= a.heap_frames * 4096 && a.services == 3 && a.running >= 2,
		 "system: uptime, frames, kernel heap, services", "err %d total %llu free %llu heap %llu/%llu running %u",
		 err, (unsigned long long)a.total_frames, (unsigned long long)a.free_frames,
		 (unsigned long long)a.heap_bytes, (unsigned long long)a.heap_frames, a.running);
	err = capos_frame_allocator_alloc(capos_ring(), frames, &in, &mo);
	if (!err)
		err = system_now(&b);
	if (!err)
		err = capos_release(capos_ring(), mo.memory);
	if (!err)
		err = system_now(&c);
	ut_check(err == 0 && a.free_frames - b.free_frames >= 1024 && c.free_frames >= b.free_frames + 1024 &&
		 b.uptime_ns > a.uptime_ns, "system: 1024 frames allocated show as used, and as free once released",
		 "err %d free %llu -> %llu -> %llu", err, (unsigned long long)a.free_frames,
		 (unsigned long long)b.free_frames, (unsigned long long)c.free_frames);
}

static void check_refusals(void)
{
	static struct capos_system_graph_services_out out;
	struct capos_system_graph_services_in in = { .first = 0 };
	uint32_t len = 0, wide[2] = { 0, 0 };
	int err;

	err = services_page(0, &out, 8 + 2 * ENTRY, &len);
	ut_check(err == 0 && out.count == 2 && out.total == 3 && len == 8 + 2 * ENTRY,
		 "a result buffer of two entries gets two", "err %d count %u", err, out.count);
	err = services_page(3, &out, sizeof out, &len);
	ut_check(err == 0 && out.count == 0 && out.total == 3, "a page past the end is empty", "err %d count %u", err,
		 out.count);
	ut_status("a result buffer that holds no whole entry", services_page(0, &out, 8 + ENTRY - 1, &len),
		  -CAPOS_ERANGE);
	ut_status("parameters of the wrong length",
		  capos_call_sync(capos_ring(), graph, CAPOS_IFACE_SYSTEM_GRAPH, CAPOS_SYSTEM_GRAPH_SERVICES, wide,
				  sizeof wide, &out, sizeof out, &len), -CAPOS_EINVAL);
	ut_status("an unknown SystemGraph method",
		  capos_call_sync(capos_ring(), graph, CAPOS_IFACE_SYSTEM_GRAPH, 7, &in, sizeof in, &out, sizeof out,
				  &len), -CAPOS_ENOSYS);
	ut_status("a call of another interface (the kernel refuses it)",
		  capos_call_sync(capos_ring(), graph, CAPOS_IFACE_PROCESS_REGISTRY, CAPOS_SYSTEM_GRAPH_SERVICES, &in,
				  sizeof in, &out, sizeof out, &len), -CAPOS_ETYPE);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ut_init("utest-sysgraph");
	graph = ut_cap("graph");
	ut_check(graph != 0, "init:graph granted", "no 'graph'");
	if (!graph)
		return 1;
	check_services();
	check_restart_seen();
	check_holdings();
	check_system();
	check_refusals();
	ut_note("%d failures", ut_failures());
	return ut_failures() ? 1 : 0;
}
