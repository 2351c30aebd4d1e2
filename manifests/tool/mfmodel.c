/*
 * Schema checks: the manifest tree to struct mf_manifest.  Each level has a
 * table of the keys it accepts; anything else is rejected with the list of
 * what is accepted.  Scalars are converted strictly (decimal integers with
 * ranges, names from a fixed alphabet).  The graph checks follow in
 * mfgraph.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capos/process.h>
#include "mfmodel.h"

const char *const mf_kernel_caps[] = {
	"console", "bootpkg", "frames", "vm", "timer", "threads", "thread", "park",
	"spawner", "entropy", "null", "endpoints", "capspace", "sessions", "power",
	"devices",
};
const int mf_kernel_cap_count = sizeof mf_kernel_caps / sizeof mf_kernel_caps[0];
/* What init serves itself: the process registry (apps/init/registry.c) and the system graph (graph.c). */
static const char *const mf_init_caps[] = { "procs", "session-procs", "graph" };
static const int mf_init_cap_count = sizeof mf_init_caps / sizeof mf_init_caps[0];

static const char *const top_keys[] = { "version", "devices", "services", NULL };
static const char *const service_keys[] = { "name", "binary", "args", "restart", "backoff_ms",
					    "max_restarts", "quota", "caps", "exports", "after", "session", NULL };
static const char *const quota_keys[] = { "frames", "caps", "threads", "ring_ops", "kmem_kib", NULL };
static const char *const export_keys[] = { "name", "interface", NULL };

int mf_check_keys(const struct mnode *map, const char *const *allowed, const char *where,
		  struct mdiag *d)
{
	for (size_t i = 0; i < map->count; i++) {
		const char *k = map->keys[i]->scalar;
		char list[256] = "";
		int known = 0;

		for (int j = 0; allowed[j]; j++) {
			known |= strcmp(allowed[j], k) == 0;
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "", allowed[j]);
		}
		if (!known)
			return mdiag_error(d, map->keys[i]->line, map->keys[i]->col,
					   "unknown key '%s' in %s (expected one of: %s)", k, where, list);
	}
	return 0;
}

int mf_want_kind(const struct mnode *n, enum mnode_kind kind, const char *what, struct mdiag *d)
{
	static const char *const names[] = { "a scalar", "a mapping", "a list" };

	if (n->kind == kind)
		return 0;
	return mdiag_error(d, n->line, n->col, "%s must be %s", what, names[kind]);
}

int mf_get_uint(const struct mnode *n, const char *what, uint64_t min, uint64_t max, uint64_t *out,
		struct mdiag *d)
{
	const char *s;
	uint64_t v = 0;

	if (mf_want_kind(n, MNODE_SCALAR, what, d))
		return -1;
	s = n->scalar;
	if (!*s)
		return mdiag_error(d, n->line, n->col, "%s must be a number", what);
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return mdiag_error(d, n->line, n->col, "%s must be a whole number, not '%s'", what, n->scalar);
		if (v > (UINT64_MAX - 9) / 10)
			return mdiag_error(d, n->line, n->col, "%s is too large", what);
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return mdiag_error(d, n->line, n->col, "%s must be between %llu and %llu, not %llu", what,
				   (unsigned long long)min, (unsigned long long)max, (unsigned long long)v);
	*out = v;
	return 0;
}

/* A name: starts with a lower-case letter; then lower-case letters, digits, '-', '_'. */
int mf_get_name(const struct mnode *n, const char *what, size_t size, char *out, struct mdiag *d)
{
	const char *s;

	if (mf_want_kind(n, MNODE_SCALAR, what, d))
		return -1;
	s = n->scalar;
	if (strlen(s) == 0 || strlen(s) >= size)
		return mdiag_error(d, n->line, n->col, "%s must be 1 to %zu characters", what, size - 1);
	if (s[0] < 'a' || s[0] > 'z')
		return mdiag_error(d, n->line, n->col, "%s '%s' must start with a lower-case letter", what, s);
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return mdiag_error(d, n->line, n->col,
					   "%s '%s' may hold only a-z, 0-9, '-' and '_'", what, s);
	strcpy(out, s);
	return 0;
}

static int get_quota(const struct mnode *q, struct capos_manifest_quota *out, struct mdiag *d)
{
	static const struct { const char *key; uint64_t min, max; } limits[] = {
		{ "frames", CAPOS_QUOTA_FRAMES_MIN, CAPOS_QUOTA_FRAMES_MAX },
		{ "caps", CAPOS_QUOTA_CAPS_MIN, CAPOS_QUOTA_CAPS_MAX },
		{ "threads", CAPOS_QUOTA_THREADS_MIN, CAPOS_QUOTA_THREADS_MAX },
		{ "ring_ops", CAPOS_QUOTA_RING_OPS_MIN, CAPOS_QUOTA_RING_OPS_MAX },
		{ "kmem_kib", CAPOS_QUOTA_KMEM_MIN_KIB, CAPOS_QUOTA_KMEM_MAX_KIB },
	};
	uint64_t v[5] = { out->frames, out->caps, out->threads, out->ring_ops, out->kmem_kib };

	if (mf_want_kind(q, MNODE_MAP, "quota", d) || mf_check_keys(q, quota_keys, "quota", d))
		return -1;
	for (int i = 0; i < 5; i++) {
		const struct mnode *n = mfyaml_get(q, limits[i].key);
		char what[32];

		snprintf(what, sizeof what, "quota.%s", limits[i].key);
		if (n && mf_get_uint(n, what, limits[i].min, limits[i].max, &v[i], d))
			return -1;
	}
	out->frames = v[0];
	out->caps = (uint32_t)v[1];
	out->threads = (uint32_t)v[2];
	out->ring_ops = (uint32_t)v[3];
	out->kmem_kib = (uint32_t)v[4];
	return 0;
}

static const char *kernel_cap_list(void)
{
	static char list[256];

	list[0] = '\0';
	for (int i = 0; i < mf_kernel_cap_count; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", mf_kernel_caps[i]);
	return list;
}

/* "device:NAME": the name is resolved against `devices:` by the graph check. */
static int parse_device_source(const struct mnode *n, struct mf_cap *c, struct mdiag *d)
{
	const char *s = n->scalar + 7;

	if (!*s || strlen(s) >= MF_CAP_NAME_MAX)
		return mdiag_error(d, n->line, n->col, "capability source '%s' must name a device of 1 to %d characters",
				   n->scalar, MF_CAP_NAME_MAX - 1);
	c->source = CAPOS_CAP_FROM_DEVICE;
	strcpy(c->source_name, s);
	return 0;
}

/* "init:NAME": one of init's own services. */
static int parse_init_source(const struct mnode *n, struct mf_cap *c, struct mdiag *d)
{
	const char *s = n->scalar + 5;

	for (int i = 0; i < mf_init_cap_count; i++)
		if (strcmp(s, mf_init_caps[i]) == 0) {
			c->source = CAPOS_CAP_FROM_INIT;
			strcpy(c->source_name, s);
			return 0;
		}
	return mdiag_error(d, n->line, n->col, "init serves no '%s' (init serves: procs, session-procs, graph)", s);
}

/* "kernel:NAME", "init:NAME", "service:SERVICE/EXPORT" or "device:NAME". */
static int parse_source(const struct mnode *n, struct mf_cap *c, struct mdiag *d)
{
	const char *s = n->scalar;
	const char *slash;

	c->line = n->line;
	c->col = n->col;
	if (strncmp(s, "device:", 7) == 0)
		return parse_device_source(n, c, d);
	if (strncmp(s, "init:", 5) == 0)
		return parse_init_source(n, c, d);
	if (strncmp(s, "kernel:", 7) == 0) {
		c->source = CAPOS_CAP_FROM_KERNEL;
		for (int i = 0; i < mf_kernel_cap_count; i++)
			if (strcmp(s + 7, mf_kernel_caps[i]) == 0) {
				strcpy(c->source_name, s + 7);
				return 0;
			}
		return mdiag_error(d, n->line, n->col, "no kernel capability named '%s' (kernel capabilities: %s)",
				   s + 7, kernel_cap_list());
	}
	slash = strchr(s, '/');
	if (strncmp(s, "service:", 8) != 0 || !slash || slash == s + 8 || !slash[1])
		return mdiag_error(d, n->line, n->col,
				   "capability source '%s' must be 'kernel:NAME', 'init:NAME', 'service:SERVICE/EXPORT' or 'device:NAME'", s);
	if ((size_t)(slash - (s + 8)) >= MF_NAME_MAX || strlen(slash + 1) >= MF_CAP_NAME_MAX)
		return mdiag_error(d, n->line, n->col, "capability source '%s' has a name that is too long", s);
	c->source = CAPOS_CAP_FROM_SERVICE;
	memcpy(c->service, s + 8, (size_t)(slash - (s + 8)));
	strcpy(c->source_name, slash + 1);
	return 0;
}

static int get_caps(const struct mnode *caps, struct mf_service *s, struct mdiag *d)
{
	if (mf_want_kind(caps, MNODE_MAP, "caps", d))
		return -1;
	if (caps->count > MF_MAX_CAPS)
		return mdiag_error(d, caps->line, caps->col, "more than %d capabilities", MF_MAX_CAPS);
	for (size_t i = 0; i < caps->count; i++) {
		struct mf_cap *c = &s->caps[s->cap_count];

		if (mf_get_name(caps->keys[i], "capability name", MF_CAP_NAME_MAX, c->name, d) ||
		    mf_want_kind(caps->items[i], MNODE_SCALAR, "a capability source", d) ||
		    parse_source(caps->items[i], c, d))
			return -1;
		s->cap_count++;
	}
	return 0;
}

static int get_refs(const struct mnode *list, const char *what, size_t name_size, int max,
		    struct mf_ref *out, int *count, struct mdiag *d)
{
	if (mf_want_kind(list, MNODE_SEQ, what, d))
		return -1;
	if ((int)list->count > max)
		return mdiag_error(d, list->line, list->col, "more than %d entries in %s", max, what);
	for (size_t i = 0; i < list->count; i++) {
		struct mf_ref *r = &out[*count];

		if (mf_get_name(list->items[i], what, name_size, r->name, d))
			return -1;
		for (int j = 0; j < *count; j++)
			if (strcmp(out[j].name, r->name) == 0)
				return mdiag_error(d, list->items[i]->line, list->items[i]->col,
						   "'%s' appears twice in %s", r->name, what);
		r->line = list->items[i]->line;
		r->col = list->items[i]->col;
		(*count)++;
	}
	return 0;
}

/* An interface id: decimal or 0x-hex, CAPOS_IFACE_USER_MIN .. 2^32-1. */
static int get_iface(const struct mnode *n, uint32_t *out, struct mdiag *d)
{
	const char *s;
	uint64_t v = 0;
	int base = 10;

	if (mf_want_kind(n, MNODE_SCALAR, "interface", d))
		return -1;
	s = n->scalar;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (!*s)
		return mdiag_error(d, n->line, n->col, "interface must be a number, not '%s'", n->scalar);
	for (; *s; s++) {
		int digit = *s >= '0' && *s <= '9' ? *s - '0'
			  : base == 16 && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			  : base == 16 && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;

		if (digit < 0)
			return mdiag_error(d, n->line, n->col,
					   "interface must be a whole number (decimal or 0x hex), not '%s'", n->scalar);
		v = v * (uint64_t)base + (uint64_t)digit;
		if (v > UINT32_MAX)
			return mdiag_error(d, n->line, n->col, "interface %s does not fit 32 bits", n->scalar);
	}
	if (v < CAPOS_IFACE_USER_MIN)
		return mdiag_error(d, n->line, n->col,
				   "interface %s is a kernel interface id (user interfaces start at 0x%x)", n->scalar,
				   (unsigned)CAPOS_IFACE_USER_MIN);
	*out = (uint32_t)v;
	return 0;
}

/* One entry of exports: NAME, or {name: NAME, interface: ID}. */
static int get_export(const struct mnode *n, struct mf_export *e, struct mdiag *d)
{
	const struct mnode *name = n, *iface = NULL;

	e->iface = CAPOS_IFACE_USER_MIN;
	e->line = n->line;
	e->col = n->col;
	if (n->kind == MNODE_MAP) {
		if (mf_check_keys(n, export_keys, "an export", d))
			return -1;
		if (!(name = mfyaml_get(n, "name")))
			return mdiag_error(d, n->line, n->col, "export has no 'name'");
		iface = mfyaml_get(n, "interface");
		e->line = name->line;
		e->col = name->col;
	} else if (n->kind != MNODE_SCALAR) {
		return mdiag_error(d, n->line, n->col, "an export must be a name or a mapping {name, interface}");
	}
	if (mf_get_name(name, "exports", MF_CAP_NAME_MAX, e->name, d))
		return -1;
	return iface ? get_iface(iface, &e->iface, d) : 0;
}

static int get_exports(const struct mnode *list, struct mf_service *s, struct mdiag *d)
{
	if (mf_want_kind(list, MNODE_SEQ, "exports", d))
		return -1;
	if ((int)list->count > MF_MAX_EXPORTS)
		return mdiag_error(d, list->line, list->col, "more than %d entries in exports", MF_MAX_EXPORTS);
	for (size_t i = 0; i < list->count; i++) {
		struct mf_export *e = &s->exports[s->export_count];

		if (get_export(list->items[i], e, d))
			return -1;
		for (int j = 0; j < s->export_count; j++)
			if (strcmp(s->exports[j].name, e->name) == 0)
				return mdiag_error(d, e->line, e->col, "'%s' appears twice in exports", e->name);
		s->export_count++;
	}
	return 0;
}

static int check_binary(const struct mnode *n, const char *binary, const struct mf_env *env, struct mdiag *d)
{
	char list[512] = "";

	if (!env->binaries)
		return 0;
	for (int i = 0; i < env->binary_count; i++) {
		if (strcmp(env->binaries[i], binary) == 0)
			return 0;
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", env->binaries[i]);
	}
	return mdiag_error(d, n->line, n->col, "no binary named '%s' in the boot package (it has: %s)",
			   binary, list);
}

/* session: system (default) | anonymous (docs/sessions.md) */
static int get_session(const struct mnode *svc, struct mf_service *s, struct mdiag *d)
{
	const struct mnode *n = mfyaml_get(svc, "session");

	s->session = CAPOS_SESSION_KIND_SYSTEM;
	if (!n)
		return 0;
	if (mf_want_kind(n, MNODE_SCALAR, "session", d))
		return -1;
	if (strcmp(n->scalar, "anonymous") == 0)
		s->session = CAPOS_SESSION_KIND_ANONYMOUS;
	else if (strcmp(n->scalar, "system") != 0)
		return mdiag_error(d, n->line, n->col, "session must be 'system' or 'anonymous', not '%s'",
				   n->scalar);
	return 0;
}

static int get_restart(const struct mnode *svc, struct mf_service *s, struct mdiag *d)
{
	const struct mnode *r = mfyaml_get(svc, "restart");
	const struct mnode *b = mfyaml_get(svc, "backoff_ms");
	const struct mnode *m = mfyaml_get(svc, "max_restarts");
	uint64_t v;

	s->restart = CAPOS_RESTART_NEVER;
	s->backoff_ms = 100;
	if (r && mf_want_kind(r, MNODE_SCALAR, "restart", d))
		return -1;
	if (r && strcmp(r->scalar, "on-failure") == 0)
		s->restart = CAPOS_RESTART_ON_FAILURE;
	else if (r && strcmp(r->scalar, "never") != 0)
		return mdiag_error(d, r->line, r->col, "restart must be 'never' or 'on-failure', not '%s'", r->scalar);
	if ((b || m) && s->restart != CAPOS_RESTART_ON_FAILURE) {
		const struct mnode *n = b ? b : m;

		return mdiag_error(d, n->line, n->col, "%s applies only with 'restart: on-failure'",
				   b ? "backoff_ms" : "max_restarts");
	}
	if (b && mf_get_uint(b, "backoff_ms", 1, 600000, &v, d))
		return -1;
	if (b)
		s->backoff_ms = (uint32_t)v;
	if (m && mf_get_uint(m, "max_restarts", 0, 1000, &v, d))
		return -1;
	if (m)
		s->max_restarts = (uint32_t)v;
	return 0;
}

/* Kernel capabilities bound to the receiving process (the loader's NAME=@KIND: ProcessHandle.bind), not transferred. */
static int bound_kind(const struct mf_cap *c)
{
	static const char *const kinds[] = { "vm", "threads", "thread", "park" };

	for (size_t i = 0; c->source == CAPOS_CAP_FROM_KERNEL && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(c->source_name, kinds[i]) == 0)
			return 1;
	return 0;
}

/*
 * What one spawn can give (capos/process.h, capos/ring.h), checked after
 * the graph so that graph errors are reported first: names unique
 * across caps and exports (the service sees both in one table), at most
 * CAPOS_BOOTSTRAP_MAX_CAPS in all, at most CAPOS_XFER_MAX by transfer.
 */
static int check_spawnable(const struct mf_service *s, struct mdiag *d)
{
	int transferred = s->export_count;

	for (int e = 0; e < s->export_count; e++)
		for (int c = 0; c < s->cap_count; c++)
			if (strcmp(s->exports[e].name, s->caps[c].name) == 0)
				return mdiag_error(d, s->exports[e].line, s->exports[e].col,
						   "export '%s' has the name of a capability the service receives",
						   s->exports[e].name);
	if (s->cap_count + s->export_count > CAPOS_BOOTSTRAP_MAX_CAPS)
		return mdiag_error(d, s->line, s->col, "service '%s' receives %d capabilities and exports; "
				   "a process starts with at most %d", s->name, s->cap_count + s->export_count,
				   CAPOS_BOOTSTRAP_MAX_CAPS);
	for (int c = 0; c < s->cap_count; c++)
		transferred += !bound_kind(&s->caps[c]);
	if (transferred > (int)CAPOS_XFER_MAX)
		return mdiag_error(d, s->line, s->col, "service '%s' receives %d capabilities by transfer "
				   "(exports, imports, kernel capabilities but vm, threads, thread, park); at most %u",
				   s->name, transferred, CAPOS_XFER_MAX);
	return 0;
}

static int get_service(const struct mnode *svc, const struct mf_env *env, struct mf_service *s,
		       struct mdiag *d)
{
	const struct mnode *n;

	if (mf_want_kind(svc, MNODE_MAP, "a service", d) || mf_check_keys(svc, service_keys, "a service", d))
		return -1;
	s->line = svc->line;
	s->col = svc->col;
	if (!(n = mfyaml_get(svc, "name")))
		return mdiag_error(d, svc->line, svc->col, "service has no 'name'");
	if (mf_get_name(n, "service name", MF_NAME_MAX, s->name, d))
		return -1;
	if (!(n = mfyaml_get(svc, "binary")))
		return mdiag_error(d, svc->line, svc->col, "service '%s' has no 'binary'", s->name);
	if (mf_get_name(n, "binary", MF_NAME_MAX, s->binary, d) || check_binary(n, s->binary, env, d))
		return -1;
	if ((n = mfyaml_get(svc, "args"))) {
		if (mf_want_kind(n, MNODE_SCALAR, "args", d))
			return -1;
		if (strlen(n->scalar) >= MF_ARGS_MAX)
			return mdiag_error(d, n->line, n->col, "args longer than %d characters", MF_ARGS_MAX - 1);
		strcpy(s->args, n->scalar);
	}
	s->quota = (struct capos_manifest_quota){ 4096, 64, 16, 64, 0 };
	if (get_restart(svc, s, d) || get_session(svc, s, d))
		return -1;
	if ((n = mfyaml_get(svc, "quota")) && get_quota(n, &s->quota, d))
		return -1;
	if ((n = mfyaml_get(svc, "caps")) && get_caps(n, s, d))
		return -1;
	if ((n = mfyaml_get(svc, "exports")) && get_exports(n, s, d))
		return -1;
	if ((n = mfyaml_get(svc, "after")) &&
	    get_refs(n, "after", MF_NAME_MAX, MF_MAX_AFTER, s->after, &s->after_count, d))
		return -1;
	if ((uint32_t)s->cap_count + 1 > s->quota.caps) {
		n = mfyaml_get(svc, "quota");
		return mdiag_error(d, n ? n->line : svc->line, n ? n->col : svc->col,
				   "quota.caps (%u) leaves no room beyond the %d capabilities granted",
				   s->quota.caps, s->cap_count);
	}
	return 0;
}

static int get_services(const struct mnode *list, const struct mf_env *env, struct mf_manifest *m,
			struct mdiag *d)
{
	if (mf_want_kind(list, MNODE_SEQ, "services", d))
		return -1;
	if (list->count == 0)
		return mdiag_error(d, list->line, list->col, "services is empty: a system needs at least one");
	if (list->count > MF_MAX_SERVICES)
		return mdiag_error(d, list->line, list->col, "more than %d services", MF_MAX_SERVICES);
	for (size_t i = 0; i < list->count; i++) {
		struct mf_service *s = &m->services[m->count];

		if (get_service(list->items[i], env, s, d))
			return -1;
		for (int j = 0; j < m->count; j++)
			if (strcmp(m->services[j].name, s->name) == 0)
				return mdiag_error(d, s->line, s->col, "a service named '%s' is already defined at line %d",
						   s->name, m->services[j].line);
		m->count++;
	}
	return 0;
}

int mf_build(const struct mnode *root, const struct mf_env *env, struct mf_manifest *m, struct mdiag *d)
{
	const struct mnode *n;
	uint64_t version;

	memset(m, 0, sizeof *m);
	if (mf_want_kind(root, MNODE_MAP, "the manifest", d) || mf_check_keys(root, top_keys, "the manifest", d))
		return -1;
	if (!(n = mfyaml_get(root, "version")))
		return mdiag_error(d, root->line, root->col, "the manifest has no 'version' (this compiler reads version 1)");
	if (mf_get_uint(n, "version", 1, 1, &version, d))
		return -1;
	if ((n = mfyaml_get(root, "devices")) && mf_get_devices(n, m, d))
		return -1;
	if (!(n = mfyaml_get(root, "services")))
		return mdiag_error(d, root->line, root->col, "the manifest has no 'services'");
	if (get_services(n, env, m, d) || mf_resolve(m, d))
		return -1;
	for (int i = 0; i < m->count; i++)
		if (check_spawnable(&m->services[i], d))
			return -1;
	return 0;
}
