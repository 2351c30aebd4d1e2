/*
 * TerminalSession constants, shared by the terminal service (apps/terminal)
 * and its clients (interface in apps/services.def; model in
 * docs/terminal.md): read_line's flags and events, set_echo's
 * modes and the holder states info reports.
 */
#ifndef CAPOS_TERMINAL_H
#define CAPOS_TERMINAL_H

#define CAPOS_TERMINAL_LINE_MAX 256u        /* longest line read_line returns */

/* read_line flags */
#define CAPOS_TERMINAL_READ_HIDDEN 0x1u     /* echo nothing of this line (passwords) */
#define CAPOS_TERMINAL_READ_FLAGS  0x1u     /* every defined flag */

/* read_line's out.event when the status is 0 */
#define CAPOS_TERMINAL_EVENT_LINE 1u        /* out.line holds result_len - 4 bytes */
#define CAPOS_TERMINAL_EVENT_EOF  2u        /* ^D on an empty line; no bytes */

/* set_echo modes */
#define CAPOS_TERMINAL_ECHO_VISIBLE 0u
#define CAPOS_TERMINAL_ECHO_HIDDEN  1u

/* info.state of the holder called */
#define CAPOS_TERMINAL_STATE_FOREGROUND 0u  /* may read */
#define CAPOS_TERMINAL_STATE_LENT       1u  /* lent the foreground on; reads get -CAPOS_EBUSY */
#define CAPOS_TERMINAL_STATE_REVOKED    2u  /* reclaimed or released from above (its calls: -CAPOS_EREVOKED from the kernel) */

#endif
