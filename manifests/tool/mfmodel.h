/*
 * The checked manifest: services with their binaries, arguments, restart
 * policy, quotas, granted capabilities (each from a kernel capability or
 * another service's export), exports and explicit ordering, plus the start
 * order.  mf_build() checks the tree against the schema (unknown keys,
 * types, ranges, names) and the graph (every binary exists, every source
 * resolves, no service imports from itself, no cycle) and stops at the
 * first problem with its position.  docs/manifest.md documents the format.
 */
#ifndef MANIFEST_MFMODEL_H
#define MANIFEST_MFMODEL_H

#include <stdint.h>
#include <capos/manifest.h>
#include <capos/ring.h>          /* CAPOS_IFACE_USER_MIN: the default export interface */
#include "mfyaml.h"

#define MF_MAX_SERVICES 64
#define MF_MAX_CAPS 32
#define MF_MAX_EXPORTS 16
#define MF_MAX_AFTER 16
#define MF_NAME_MAX 40       /* service and binary names, with the NUL */
#define MF_CAP_NAME_MAX 24   /* capability and export names, with the NUL */
#define MF_ARGS_MAX 256

struct mf_ref {              /* a name written somewhere, with its position */
	char name[MF_NAME_MAX];
	int line, col;
};

struct mf_export {           /* an endpoint the service offers */
	char name[MF_CAP_NAME_MAX];
	uint32_t iface;          /* interface id its clients speak (>= CAPOS_IFACE_USER_MIN) */
	int line, col;
};

struct mf_cap {
	char name[MF_CAP_NAME_MAX];
	uint32_t source;         /* enum capos_cap_source */
	char service[MF_NAME_MAX];
	char source_name[MF_CAP_NAME_MAX];
	int service_index;       /* resolved by the graph check */
	int line, col;           /* of the source text */
};

struct mf_service {
	char name[MF_NAME_MAX];
	char binary[MF_NAME_MAX];
	char args[MF_ARGS_MAX];
	uint32_t restart, backoff_ms, max_restarts;
	uint32_t session;        /* enum capos_session_kind */
	struct capos_manifest_quota quota;
	struct mf_cap caps[MF_MAX_CAPS];
	int cap_count;
	struct mf_export exports[MF_MAX_EXPORTS];
	int export_count;
	struct mf_ref after[MF_MAX_AFTER];
	int after_count;
	int line, col;
};

struct mf_manifest {
	struct mf_service services[MF_MAX_SERVICES];
	int count;
	int order[MF_MAX_SERVICES];  /* start order: indices into services */
};

/* What the manifest may refer to. */
struct mf_env {
	const char *const *binaries;  /* boot-package program names; NULL: do not check */
	int binary_count;
};

/* The kernel capabilities a manifest may grant, by name. */
extern const char *const mf_kernel_caps[];
extern const int mf_kernel_cap_count;

int mf_build(const struct mnode *root, const struct mf_env *env, struct mf_manifest *m, struct mdiag *d);

/* graph part, in mfgraph.c: resolve sources, order services, find cycles */
int mf_resolve(struct mf_manifest *m, struct mdiag *d);

#endif
