/*
 * The line discipline of the terminal service (apps/terminal):
 * turns the bytes a person types into edited lines and says what the
 * terminal should echo.  Pure code, no allocation, built into the service
 * and the host tests.
 *
 * Keys: printable ASCII (0x20-0x7e) is appended while the line has room
 * (otherwise the answer is a bell); Backspace (0x7f or ^H) removes the
 * last character; ^U erases the whole line; ^C cancels the line (or asks
 * the foreground child to stop: the caller decides); Enter (CR or LF)
 * ends the line; ^D on an empty line is end of input; escape sequences
 * (ESC [ ... final byte, e.g. the arrow keys) are swallowed whole; any
 * other byte, including bytes >= 0x80, gets a bell.  CR LF counts as one
 * Enter.
 *
 * Echo: visible mode echoes what is typed and erases with "\b \b";
 * hidden mode (passwords) echoes nothing for characters and erasures,
 * but still the end of the line, so the cursor moves on.
 *
 * Invariants: len <= max <= LINEDISC_MAX; buf[0..len) holds only
 * printable ASCII; after LINEDISC_LINE the line is in buf[0..len) (not
 * NUL-terminated) until the next linedisc_input, which starts a new one.
 */
#ifndef APPS_TERMINAL_LINEDISC_H
#define APPS_TERMINAL_LINEDISC_H

#include <stdbool.h>
#include <stdint.h>

#define LINEDISC_MAX 256u       /* longest line */
#define LINEDISC_ECHO_MAX (3u * LINEDISC_MAX + 8u)  /* bytes one input byte can make the terminal show (^U) */

enum linedisc_event {
	LINEDISC_NONE = 0,   /* keep reading */
	LINEDISC_LINE = 1,   /* a line is complete */
	LINEDISC_CANCEL = 2, /* ^C: the line was dropped */
	LINEDISC_EOF = 3,    /* ^D on an empty line */
};

enum linedisc_state { LINEDISC_PLAIN = 0, LINEDISC_ESC, LINEDISC_CSI, LINEDISC_AFTER_CR };

struct linedisc {
	char buf[LINEDISC_MAX];
	uint32_t len;
	uint32_t max;             /* the bound of this line (readLine's limit) */
	bool hidden;              /* hidden echo */
	bool done;                /* the last event ended a line: the next byte starts a new one */
	enum linedisc_state state;
};

/* Start reading lines of at most max bytes (1..LINEDISC_MAX; clamped), echo visible. */
void linedisc_init(struct linedisc *ld, uint32_t max);
/* Visible or hidden echo from the next byte on. */
void linedisc_set_hidden(struct linedisc *ld, bool hidden);
/* Bound the current line (clamped to 1..LINEDISC_MAX); characters beyond are dropped. */
void linedisc_set_max(struct linedisc *ld, uint32_t max);

/*
 * Drop the line typed so far, showing nothing (the terminal passes to
 * another reader); a CR's pending LF and an escape sequence in progress
 * are still swallowed.
 */
void linedisc_discard(struct linedisc *ld);

/*
 * Feed one byte: echo (LINEDISC_ECHO_MAX bytes of room) receives what to
 * show, *echo_len its length; returns the event.
 */
enum linedisc_event linedisc_input(struct linedisc *ld, uint8_t c, char *echo, uint32_t *echo_len);

#endif
