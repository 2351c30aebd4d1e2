/*
 * Constructors of the capability objects bound to one process: its
 * VirtualMemory (its own address space), ThreadSpawner and ThreadControl
 * (its threads), ParkSpace (its park words); and the machine-wide
 * FrameAllocator and ProcessFactory.  Each returned object carries one
 * reference for the caller (who usually grants it and then drops it).
 * A bound object keeps its process struct alive (process_ref) and answers
 * -CAPOS_EPEER once that process is dead.
 */
#ifndef EXO_CAP_PROCOBJ_H
#define EXO_CAP_PROCOBJ_H

#include "kobj.h"

struct process;
struct quota;

struct kobj *vmcap_create(struct process *p);
struct kobj *thread_spawner_create(struct process *p);
struct kobj *thread_control_create(struct process *p);
struct kobj *parkspace_create(struct process *p);

struct kobj *coreobj_frames(void);
struct kobj *coreobj_process_factory(void);

/* A ProcessHandle for p charged to payer (one reference for the caller); NULL with *err. */
struct kobj *process_handle_create(struct process *p, struct quota *payer, int *err);
/*
 * A ProcessHandle for p held by p itself ("self", CAPOS_BIND_SELF), charged
 * to p's own quota: so a process reads its own counts with
 * ProcessHandle.info.  Its building methods answer -CAPOS_EBUSY once p runs.
 */
struct kobj *process_handle_self(struct process *p);
/* The process a ProcessHandle object names, or NULL when o is something else. */
struct process *process_handle_target(struct kobj *o);

/*
 * An object bound to the child itself, by kind ("vm", "threads",
 * "thread", "park": ProcessHandle.bind).  Returns a new object for the
 * child, or NULL for an unknown kind.
 */
struct kobj *procobj_for_child(const char *kind, struct process *child);

#endif
