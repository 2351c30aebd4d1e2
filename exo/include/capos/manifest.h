/*
 * Compiled system manifest: what init reads from the boot package (entry
 * "manifest", kind CAPOS_BOOTPKG_MANIFEST) to compose the system.
 *
 * manifests/tool/capos-manifest compiles manifests/<name>.yaml into this
 * form after checking it (docs/manifest.md).  Layout, little endian:
 *   struct capos_manifest_header                 at 0
 *   struct capos_manifest_service[service_count] at services_off
 *   struct capos_manifest_cap[cap_count]         at caps_off
 *   struct capos_manifest_export[export_count]   at exports_off
 *   struct capos_manifest_device[device_count]   at devices_off
 *   string table (NUL-terminated strings)        at strings_off
 * Strings are referenced by offset into the string table.  Services appear
 * in start order: every service comes after the services whose exports it
 * imports and the ones it names in `after`.  A device (the manifest's
 * `devices:`) is what init obtains from its DeviceRoot for a capability
 * `device:NAME`, at most one such capability per device in the whole
 * manifest (claims are exclusive).  A reader checks the header CRC and
 * that every offset, count and string lies inside the file.
 */
#ifndef CAPOS_MANIFEST_H
#define CAPOS_MANIFEST_H

#include <stdint.h>

#define CAPOS_MANIFEST_MAGIC "CAPOSMAN"
#define CAPOS_MANIFEST_VERSION 4u   /* 2: exports carry an interface id; 3: services a session kind;
					4: devices */
#define CAPOS_MANIFEST_MAX_DEVICES 32u

enum capos_restart_policy {
	CAPOS_RESTART_NEVER = 0,
	CAPOS_RESTART_ON_FAILURE = 1,
};

/* The session a service runs in (docs/sessions.md). */
enum capos_session_kind {
	CAPOS_SESSION_KIND_SYSTEM = 0,     /* init's own (the system session) */
	CAPOS_SESSION_KIND_ANONYMOUS = 1,  /* a fresh anonymous session for each start */
};

enum capos_cap_source {
	CAPOS_CAP_FROM_KERNEL = 1,   /* a kernel capability, by name (source_name) */
	CAPOS_CAP_FROM_SERVICE = 2,  /* an export (source_name) of service source_service */
	CAPOS_CAP_FROM_DEVICE = 3,   /* devices[source_service], whose name is source_name */
	CAPOS_CAP_FROM_INIT = 4,     /* a service of init itself (source_name: procs, session-procs, graph) */
};

/* How init obtains a device from its DeviceRoot ("devices"). */
enum capos_device_kind {
	CAPOS_DEVICE_IOPORTS = 1,    /* DeviceRoot.ioports(ioports): an IoPortRange */
	CAPOS_DEVICE_IRQ = 2,        /* DeviceRoot.irq(irq): an Interrupt */
	CAPOS_DEVICE_PCI = 3,        /* DeviceRoot.claim(vendor, device, any class, instance): a PciFunction */
	CAPOS_DEVICE_CLASS = 4,      /* DeviceRoot.claim(any, any, class_code, class_mask, instance) */
};

struct capos_manifest_header {
	char magic[8];
	uint32_t version;
	uint32_t service_count;
	uint32_t cap_count;
	uint32_t export_count;
	uint32_t services_off, caps_off, exports_off, strings_off;
	uint32_t strings_size;
	uint32_t total_size;
	uint32_t crc32;           /* of the whole file with this field zero */
	uint32_t device_count;
	uint32_t devices_off;
	uint32_t reserved;        /* zero */
};
_Static_assert(sizeof(struct capos_manifest_header) == 64, "manifest header layout");

struct capos_manifest_quota {
	uint64_t frames;
	uint32_t caps, threads, ring_ops;
	uint32_t kmem_kib;         /* 0: the kernel's default */
};
_Static_assert(sizeof(struct capos_manifest_quota) == 24, "manifest quota layout");

struct capos_manifest_service {
	uint32_t name;            /* string offsets */
	uint32_t binary;
	uint32_t args;
	uint32_t restart;         /* enum capos_restart_policy */
	uint32_t backoff_ms;      /* first restart delay; doubles each time, capped */
	uint32_t max_restarts;    /* 0 = unlimited */
	uint32_t cap_first, cap_count;
	uint32_t export_first, export_count;
	struct capos_manifest_quota quota;
	uint32_t session;         /* enum capos_session_kind */
	uint32_t reserved;        /* zero */
};
_Static_assert(sizeof(struct capos_manifest_service) == 72, "manifest service layout");

struct capos_manifest_cap {
	uint32_t name;            /* the name the service sees */
	uint32_t source;          /* enum capos_cap_source */
	uint32_t source_service;  /* index into services (CAPOS_CAP_FROM_SERVICE) */
	uint32_t source_name;     /* kernel capability or export name */
};
_Static_assert(sizeof(struct capos_manifest_cap) == 16, "manifest cap layout");

struct capos_manifest_export {
	uint32_t name;            /* the export's name (string offset) */
	uint32_t iface;           /* interface id its clients speak, >= CAPOS_IFACE_USER_MIN */
};
_Static_assert(sizeof(struct capos_manifest_export) == 8, "manifest export layout");

/*
 * One device.  Fields a kind does not use are zero, except vendor and
 * device of a CLASS device, which are CAPOS_PCI_ANY (capos/device.h).
 */
struct capos_manifest_device {
	uint32_t name;            /* string offset: what `device:NAME` refers to */
	uint32_t kind;            /* enum capos_device_kind */
	uint32_t ioports;         /* IOPORTS: string offset of the range's name (< CAPOS_IOPORTS_NAME_MAX) */
	uint32_t irq;             /* IRQ: the ISA line, 0..15 */
	uint16_t vendor, device;  /* PCI; CAPOS_PCI_ANY for CLASS */
	uint32_t class_code;      /* CLASS: (class << 16) | (subclass << 8) | prog_if under class_mask */
	uint32_t class_mask;      /* CLASS: nonzero, within 0xffffff; PCI: 0 (any class) */
	uint32_t instance;        /* PCI, CLASS: the instance-th match in bus order */
};
_Static_assert(sizeof(struct capos_manifest_device) == 32, "manifest device layout");

#endif
