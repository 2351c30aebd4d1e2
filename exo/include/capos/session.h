/*
 * Session constants of the session services (SessionManager, UserSession
 * and ProcessRegistry in apps/services.def; model in docs/sessions.md):
 * session states, the label size, the badge of init's own client of
 * sessiond, and the entries of ProcessRegistry.list, init's process
 * registry.  The kernel keeps no sessions.
 */
#ifndef CAPOS_SESSION_H
#define CAPOS_SESSION_H

#include <stdint.h>

#define CAPOS_SESSION_LABEL_MAX 32u     /* user and profile fields, NUL included */

/* UserSession.info state, wait_end's result */
#define CAPOS_SESSION_LIVE       0u
#define CAPOS_SESSION_LOGGED_OUT 1u
#define CAPOS_SESSION_EXPIRED    2u

/* The session init and the services it starts run in: never ends, has no record in sessiond. */
#define CAPOS_SESSION_SYSTEM_AUDIT_ID 1u

/*
 * The badge of the client of sessiond's "sessions" that init mints itself
 * (SessionManager.anonymous answers only it): the importers' badges are
 * manifest indexes plus one, never this.
 */
#define CAPOS_SESSION_INIT_BADGE 0xffffffffffffffffull

/* ProcessRegistry.list: one entry per process, in pid order */
#define CAPOS_PROCINFO_NAME_MAX 24u
#define CAPOS_PROCINFO_BATCH 16u

#define CAPOS_PROCINFO_LIVE  0u
#define CAPOS_PROCINFO_DYING 1u

struct capos_procinfo_entry {
	uint32_t pid;
	uint32_t state;          /* CAPOS_PROCINFO_* */
	uint32_t threads;        /* live threads */
	uint32_t caps;           /* capability slots in use */
	uint64_t frames;         /* frames charged to its quota */
	uint64_t kmem;           /* bytes of kernel memory charged to its quota */
	uint64_t session;        /* the session's audit id */
	char name[CAPOS_PROCINFO_NAME_MAX];  /* its boot-package program, NUL-terminated */
};
_Static_assert(sizeof(struct capos_procinfo_entry) == 64, "capos_procinfo_entry layout");
_Static_assert(CAPOS_PROCINFO_BATCH * sizeof(struct capos_procinfo_entry) <= 1024, "fits ProcessRegistry.list");

#endif
