/*
 * The checked manifest: the devices init hands out, and services with
 * their binaries, arguments, restart policy, quotas, granted capabilities
 * (each from a kernel capability, another service's export or a device),
 * exports and explicit ordering, plus the start order.  mf_build() checks
 * the tree against the schema (unknown keys, types, ranges, names) and the
 * graph (every binary exists, every source resolves, no service imports
 * from itself, no cycle, no device granted twice) and stops at the first
 * problem with its position.  docs/manifest.md documents the format.
 */
#ifndef MANIFEST_MFMODEL_H
#define MANIFEST_MFMODEL_H

#include <stdint.h>
#include <capos/device.h>
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
#define MF_MAX_DEVICES CAPOS_MANIFEST_MAX_DEVICES

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
	char source_name[MF_CAP_NAME_MAX];  /* kernel capability, export or device name */
	int service_index;       /* resolved by the graph check */
	int device_index;        /* CAPOS_CAP_FROM_DEVICE: resolved by the graph check */
	int line, col;           /* of the source text */
};

/* One entry of `devices:` (mfdevice.c). */
struct mf_device {
	char name[MF_CAP_NAME_MAX];
	uint32_t kind;           /* enum capos_device_kind */
	char ioports[CAPOS_IOPORTS_NAME_MAX];
	uint32_t irq;
	uint16_t vendor, device;
	uint32_t class_code, class_mask, instance;
	int granted_to;          /* the service receiving it (-1: none yet), set by the graph check */
	int grant_line;          /* where that grant is written */
	int line, col;           /* of the entry */
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
	struct mf_device devices[MF_MAX_DEVICES];
	int device_count;
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

/* Scalar and shape checks shared by the schema parts (mfmodel.c); each
 * returns 0 or records an error at the node and returns -1. */
int mf_check_keys(const struct mnode *map, const char *const *allowed, const char *where, struct mdiag *d);
int mf_want_kind(const struct mnode *n, enum mnode_kind kind, const char *what, struct mdiag *d);
int mf_get_uint(const struct mnode *n, const char *what, uint64_t min, uint64_t max, uint64_t *out,
		struct mdiag *d);
int mf_get_name(const struct mnode *n, const char *what, size_t size, char *out, struct mdiag *d);

/* device part, in mfdevice.c: the `devices:` list, and a `device:NAME` source resolved */
int mf_get_devices(const struct mnode *list, struct mf_manifest *m, struct mdiag *d);
int mf_resolve_device(struct mf_manifest *m, int service, struct mf_cap *c, struct mdiag *d);

/* graph part, in mfgraph.c: resolve sources, order services, find cycles */
int mf_resolve(struct mf_manifest *m, struct mdiag *d);

#endif
