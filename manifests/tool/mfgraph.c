/*
 * Graph checks: every capability taken from a service names a service that
 * exists and exports that name (and is not the service itself); every
 * device source names a device, each granted once (mfdevice.c); every
 * `after` names a service; then a start order where each service follows
 * everything it depends on.  Ordering is Kahn's algorithm, ties broken by
 * the order of the file, so the result is stable.  When no order exists,
 * a depth-first search finds one cycle and reports it at the position of
 * the dependency that closes it.
 */
#include <stdio.h>
#include <string.h>
#include "mfmodel.h"

/* A dependency edge: services[from] must start after services[to]. */
struct edge {
	int from, to;
	int line, col;
};

static int find_service(const struct mf_manifest *m, const char *name)
{
	for (int i = 0; i < m->count; i++)
		if (strcmp(m->services[i].name, name) == 0)
			return i;
	return -1;
}

static int has_export(const struct mf_service *s, const char *name)
{
	for (int i = 0; i < s->export_count; i++)
		if (strcmp(s->exports[i].name, name) == 0)
			return 1;
	return 0;
}

static int resolve_cap(struct mf_manifest *m, int self, struct mf_cap *c, struct mdiag *d)
{
	const struct mf_service *src;

	if (c->source == CAPOS_CAP_FROM_DEVICE)
		return mf_resolve_device(m, self, c, d);
	if (c->source != CAPOS_CAP_FROM_SERVICE)
		return 0;
	c->service_index = find_service(m, c->service);
	if (c->service_index < 0)
		return mdiag_error(d, c->line, c->col, "capability '%s' comes from service '%s', which is not defined",
				   c->name, c->service);
	if (c->service_index == self)
		return mdiag_error(d, c->line, c->col, "service '%s' cannot import its own export '%s'",
				   c->service, c->source_name);
	src = &m->services[c->service_index];
	if (!has_export(src, c->source_name))
		return mdiag_error(d, c->line, c->col, "service '%s' does not export '%s'%s", src->name,
				   c->source_name, src->export_count ? "" : " (it exports nothing)");
	return 0;
}

/* Check references and collect the edges.  Returns the edge count or -1. */
static int collect_edges(struct mf_manifest *m, struct edge *edges, struct mdiag *d)
{
	int n = 0;

	for (int i = 0; i < m->count; i++) {
		struct mf_service *s = &m->services[i];

		for (int c = 0; c < s->cap_count; c++) {
			if (resolve_cap(m, i, &s->caps[c], d))
				return -1;
			if (s->caps[c].source == CAPOS_CAP_FROM_SERVICE)
				edges[n++] = (struct edge){ i, s->caps[c].service_index, s->caps[c].line, s->caps[c].col };
		}
		for (int a = 0; a < s->after_count; a++) {
			int to = find_service(m, s->after[a].name);

			if (to < 0)
				return mdiag_error(d, s->after[a].line, s->after[a].col,
						   "'after' names service '%s', which is not defined", s->after[a].name);
			if (to == i)
				return mdiag_error(d, s->after[a].line, s->after[a].col,
						   "service '%s' cannot start after itself", s->name);
			edges[n++] = (struct edge){ i, to, s->after[a].line, s->after[a].col };
		}
	}
	return n;
}

/* Depth-first search for a cycle through `at`; fills path[] and returns its length. */
static int cycle_from(const struct edge *edges, int n_edges, int at, int *state, int *path, int depth,
		      const struct edge **closing)
{
	state[at] = 1;
	path[depth] = at;
	for (int e = 0; e < n_edges; e++) {
		int len;

		if (edges[e].from != at)
			continue;
		if (state[edges[e].to] == 1) {
			*closing = &edges[e];
			return depth + 1;
		}
		if (state[edges[e].to] == 0 &&
		    (len = cycle_from(edges, n_edges, edges[e].to, state, path, depth + 1, closing)) > 0)
			return len;
	}
	state[at] = 2;
	return 0;
}

static int report_cycle(const struct mf_manifest *m, const struct edge *edges, int n_edges, struct mdiag *d)
{
	int state[MF_MAX_SERVICES] = { 0 }, path[MF_MAX_SERVICES];
	const struct edge *closing = NULL;
	char text[400] = "";

	for (int start = 0; start < m->count; start++) {
		int len = state[start] ? 0 : cycle_from(edges, n_edges, start, state, path, 0, &closing);
		int first = 0;

		if (len <= 0)
			continue;
		while (path[first] != closing->to)
			first++;
		for (int i = first; i < len; i++)
			snprintf(text + strlen(text), sizeof text - strlen(text), "%s -> ", m->services[path[i]].name);
		snprintf(text + strlen(text), sizeof text - strlen(text), "%s", m->services[closing->to].name);
		return mdiag_error(d, closing->line, closing->col, "start order has a cycle: %s", text);
	}
	return mdiag_error(d, 1, 1, "start order has a cycle");
}

int mf_resolve(struct mf_manifest *m, struct mdiag *d)
{
	struct edge edges[MF_MAX_SERVICES * (MF_MAX_CAPS + MF_MAX_AFTER)];
	int waiting[MF_MAX_SERVICES] = { 0 };
	int placed[MF_MAX_SERVICES] = { 0 };
	int n_edges = collect_edges(m, edges, d);

	if (n_edges < 0)
		return -1;
	for (int e = 0; e < n_edges; e++)
		waiting[edges[e].from]++;
	for (int k = 0; k < m->count; k++) {
		int next = -1;

		for (int i = 0; i < m->count && next < 0; i++)
			if (!placed[i] && waiting[i] == 0)
				next = i;
		if (next < 0)
			return report_cycle(m, edges, n_edges, d);
		placed[next] = 1;
		m->order[k] = next;
		for (int e = 0; e < n_edges; e++)
			if (edges[e].to == next)
				waiting[edges[e].from]--;
	}
	return 0;
}
