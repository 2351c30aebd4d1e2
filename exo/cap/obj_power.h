/* Power: the operator's halt (docs/sessions.md). */
#ifndef EXO_CAP_OBJ_POWER_H
#define EXO_CAP_OBJ_POWER_H

struct kobj;

struct kobj *coreobj_power(void);

#endif
