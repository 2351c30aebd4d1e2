/*
 * TerminalSession: the person at the session UART (COM2), reached through
 * a line discipline (exo/lib/linedisc.c).  One session per machine; its
 * first holder is the capability init receives as "terminal" and every
 * other holder is lent from it (model: docs/terminal.md).
 */
#ifndef EXO_CAP_OBJ_TERMINAL_H
#define EXO_CAP_OBJ_TERMINAL_H

#include "kobj.h"

/*
 * The session's first holder (static, never freed).  The first call sets
 * up the UART and, when it exists, the tick that polls it.
 */
struct kobj *terminal_root(void);

#endif
