/*
 * The manifest-driven init: shared state of its parts.
 *
 *   main.c       arguments, the order of events, how init ends
 *   load.c       the compiled manifest from the boot package, checked
 *   wire.c       endpoints for exports, the exact grants, the loader
 *   devices.c    the devices a service is granted, obtained at each start
 *   supervise.c  waiting on every child at once, restart with backoff
 *   registry.c   the process registry init serves (init:procs, init:session-procs)
 *   graph.c      the live system graph init serves (init:graph)
 *   report.c     every start, exit, restart and problem on the console
 *
 * One thread does everything: it starts the services in the manifest's
 * order (already topologically sorted by the compiler), then waits in
 * capos_ring_poll for ProcessHandle.wait and Timer.sleep completions and
 * acts on each.  Handles: init keeps the client capability of every
 * export (to hand to importers, also when they restart) and, for a
 * service under `restart: on-failure`, the Endpoint of each of its exports
 * (to hand to the restarted instance); under `never` it releases the
 * Endpoint once the service runs, so the service's death closes it.
 */
#ifndef INIT_INIT_H
#define INIT_INIT_H

#include <stdint.h>
#include <capos/rt.h>
#include <capos/session.h>
#include "lib/manifest.h"

#define INIT_MAX_SERVICES 64
#define INIT_BACKOFF_CAP_MS 30000u       /* restart delays double up to this */

enum svc_state {
	SVC_PENDING,    /* not started yet */
	SVC_RUNNING,    /* a ProcessHandle.wait is outstanding */
	SVC_BACKOFF,    /* a Timer.sleep before the restart is outstanding */
	SVC_STOPPING,   /* killed by init (check mode); its wait is outstanding */
	SVC_DONE,       /* ended for good */
};

struct init_state;

struct svc {
	struct init_state *owner;
	uint32_t index;                        /* in the manifest: start order */
	const struct capos_manifest_service *m;
	const char *name;
	enum svc_state state;
	uint32_t proc, pid;                    /* ProcessHandle and pid while running */
	uint32_t restarts;                     /* restarts so far */
	uint64_t session_audit_id;             /* the session of the running instance */
	uint32_t session;                      /* its UserSession when init made it (anonymous), else 0 */
	int failed;                            /* ended for good after a failure */
	struct capos_process_handle_wait_out exit;  /* result buffer of the outstanding wait */
};

/* Handles of one export (indexed like the manifest's export table); 0 = none. */
struct export_caps {
	uint32_t server;                       /* Endpoint: granted to the exporter */
	uint32_t client;                       /* client capability: copied to importers */
};

struct init_state {
	struct manifest_view view;
	const char *entry;                     /* boot-package entry of the manifest */
	int check;                             /* "check": end when the clients have ended */
	int stopping;                          /* check mode: the rest is being stopped, no restarts */
	uint32_t count;                        /* services */
	struct svc svcs[INIT_MAX_SERVICES];
	struct export_caps *exports;           /* view.hdr->export_count entries */
	uint32_t *imports;                     /* view.hdr->cap_count entries: each service import's own
						  client (badge = index + 1), minted with its export; 0 = none */
};

/* load.c: read and check the manifest entry; 0 or a negative code (reported). */
int load_manifest(struct init_state *st);

/* wire.c */
/* Check every service's grants against what init holds, before anything starts. */
int wire_check(const struct init_state *st);
/* Create the endpoints of s's exports (once); 0 or a negative code (reported). */
int wire_exports(struct init_state *st, const struct svc *s);
/* Spawn s with exactly its manifest grants: 0 with s->proc, s->pid, or a negative code. */
int wire_spawn(struct init_state *st, struct svc *s);
/* s's instance has ended (or never started): end the anonymous session init made for it. */
void wire_ended(struct svc *s);
/* init's own client of the session manager (registry.c checks sessions with it), or 0. */
uint32_t wire_session_manager(void);
/* After s started: under `never`, give up init's Endpoint copies of its exports. */
void wire_started(struct init_state *st, const struct svc *s);
/* s has ended for good: release init's Endpoint copies, so its callers get -CAPOS_EPEER. */
void wire_retire(struct init_state *st, const struct svc *s);

/* devices.c */
/* Obtain manifest device `device` for a start of s from init's DeviceRoot: 0 with *handle,
 * or a negative code (reported).  The caller releases *handle once the spawn copied it. */
int devices_obtain(const struct init_state *st, const struct svc *s, uint32_t device, uint32_t *handle);
/* Before anything starts: a manifest granting devices needs init's "devices"; 0 or -CAPOS_ENOENT (reported). */
int devices_check(const struct init_state *st);

/* supervise.c */
/* Start s (reports; on failure, applies the restart policy). */
void supervise_start(struct init_state *st, struct svc *s);
/* Handle events until the check-mode end (returns its exit code) or for ever. */
int supervise_run(struct init_state *st);

/* registry.c */
/* Serve the process registry and record init itself: 0 or a negative code (reported; then nothing is served). */
int registry_start(void);
/* The client capability of registry export name ("procs", "session-procs"), or 0. */
uint32_t registry_client(const char *name);
/* Is name the registry export whose clients are minted per start, scoped to a session? */
int registry_scoped(const char *name);
/* A new client of session-procs listing session audit_id's processes (the caller releases it), or 0. */
uint32_t registry_mint_scoped(uint64_t audit_id);
/* Record s, just started, in its session (s->session_audit_id). */
void registry_add_service(const struct svc *s);
/* s's process has ended or is let go: its record goes (before init releases s->proc). */
void registry_forget(const struct svc *s);

/* graph.c */
/* Serve the system graph of st (its manifest loaded): 0 or a negative code (reported; then nothing is served). */
int graph_start(const struct init_state *st);
/* The client capability of init service name when it is the graph ("graph"), or 0. */
uint32_t graph_client(const char *name);

/* report.c: one line each, "init: ..." */
void report_banner(const struct capos_bootstrap *b);
void report_manifest(const struct init_state *st, uint64_t size);
void report_manifest_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_started(const struct svc *s);
void report_start_failed(const struct svc *s, int err);
void report_exit(const struct svc *s, int64_t code, uint32_t reason);
void report_restart(const struct svc *s, uint32_t delay_ms);
void report_give_up(const struct svc *s);
void report_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
