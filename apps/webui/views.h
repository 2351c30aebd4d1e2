/*
 * What the Web UI's data pages show, as JSON documents built from the
 * answers of the services a session's bundle reaches (docs/webui.md,
 * "API"): the process table from init's process registry, memory and
 * uptime and the live capability graph from init's system graph.  Pure:
 * the host tests feed it service answers and read the JSON back.  Every
 * document is a NUL-terminated string from malloc, or NULL when memory ran
 * out; nothing in one is a handle.
 */
#ifndef WEBUI_VIEWS_H
#define WEBUI_VIEWS_H

#include <stdint.h>
#include <capos/session.h>
#include <capos/sysgraph.h>

/* SystemGraph.system's answer (apps/services.def), field by field. */
struct view_system {
	uint64_t uptime_ns;
	uint64_t total_frames, free_frames;
	uint64_t heap_bytes, heap_frames;
	uint32_t services, running;
};

/* {"processes": [{"pid", "name", "state", "threads", "caps", "frames", "kmem_kib", "session"}]} */
char *view_processes(const struct capos_procinfo_entry *e, uint32_t n);

/* {"total_kib", "used_kib", "free_kib", "kernel_heap_kib" (frames the heap holds), "kernel_heap_live_bytes"} */
char *view_memory(const struct view_system *sys);

/* {"uptime_ms", "services", "running"} */
char *view_uptime(const struct view_system *sys);

/*
 * The capability graph: {"nodes": [...], "edges": [...]}.  Nodes: "kernel"
 * and "init" (sources), one per device named by a grant ("device:NAME"),
 * one per service ("service:INDEX", with its state, pid, restarts, failed,
 * threads, caps, frames, exports).  Edges: one per grant, from its source
 * node to its holder, labelled with the holder's name for it, with the
 * source's own name and whether the holder holds it now.
 */
char *view_graph(const struct capos_graph_service *s, uint32_t ns, const struct capos_graph_holding *h, uint32_t nh);

/* The state words the documents use for a process or a service. */
const char *view_process_state(uint32_t state);
const char *view_service_state(uint32_t state);

#endif
