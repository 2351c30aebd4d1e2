/*
 * The system graph init serves as "init:graph" (SystemGraph in
 * apps/services.def; apps/init/graph.c): every service of the manifest
 * with its live state, and every capability each one is granted, with
 * where it comes from — the kernel, another service's export, a device,
 * or init itself.  The Web UI draws it; nothing in it is a handle.
 */
#ifndef CAPOS_SYSGRAPH_H
#define CAPOS_SYSGRAPH_H

#include <stdint.h>

#define CAPOS_GRAPH_NAME_MAX 24u    /* NUL included; longer names are cut */
#define CAPOS_GRAPH_BATCH 24u       /* entries per call */
#define CAPOS_GRAPH_NONE 0xffffffffu

/* capos_graph_service.state */
#define CAPOS_GRAPH_PENDING  0u   /* not started yet */
#define CAPOS_GRAPH_RUNNING  1u
#define CAPOS_GRAPH_BACKOFF  2u   /* ended; restarting after a delay */
#define CAPOS_GRAPH_STOPPING 3u   /* being stopped by init */
#define CAPOS_GRAPH_DONE     4u   /* ended for good */

struct capos_graph_service {
	char name[CAPOS_GRAPH_NAME_MAX];
	uint32_t index;          /* in the manifest: start order */
	uint32_t state;          /* CAPOS_GRAPH_* */
	uint32_t pid;            /* 0 unless running or stopping */
	uint32_t restarts;       /* so far */
	uint32_t failed;         /* 1: ended for good after a failure */
	uint32_t exports;        /* exports it serves */
	uint32_t threads;        /* live counts while it runs (ProcessHandle.info), else 0 */
	uint32_t caps;
	uint64_t frames;
};
_Static_assert(sizeof(struct capos_graph_service) == 64, "capos_graph_service layout");

/* capos_graph_holding.source */
#define CAPOS_GRAPH_FROM_KERNEL  1u   /* source_name: the kernel capability */
#define CAPOS_GRAPH_FROM_SERVICE 2u   /* source_service's export source_name */
#define CAPOS_GRAPH_FROM_DEVICE  3u   /* source_name: the manifest's device */
#define CAPOS_GRAPH_FROM_INIT    4u   /* source_name: one of init's own services */

struct capos_graph_holding {
	uint32_t holder;         /* service index */
	uint32_t source;         /* CAPOS_GRAPH_FROM_* */
	uint32_t source_service; /* FROM_SERVICE: the exporter's index; else CAPOS_GRAPH_NONE */
	uint32_t held;           /* 1 while the holder runs (its process has the capability now) */
	char name[CAPOS_GRAPH_NAME_MAX];         /* what the holder calls it */
	char source_name[CAPOS_GRAPH_NAME_MAX];  /* kernel capability, export, device or init service */
};
_Static_assert(sizeof(struct capos_graph_holding) == 64, "capos_graph_holding layout");
_Static_assert(CAPOS_GRAPH_BATCH * 64 <= 1536, "fits SystemGraph's answers");

#endif
