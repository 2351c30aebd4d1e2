/*
 * ProcessInfo: which processes exist (docs/sessions.md).  Two singletons:
 * "procs" lists every process; "session-procs" lists, for each caller,
 * only the processes of the caller's own session.
 */
#ifndef EXO_CAP_OBJ_PROCINFO_H
#define EXO_CAP_OBJ_PROCINFO_H

struct kobj;

struct kobj *procinfo_all(void);
struct kobj *procinfo_session(void);

#endif
