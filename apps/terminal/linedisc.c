/*
 * Line editing for terminal sessions (rules and invariants: linedisc.h).
 * One function per kind of key; linedisc_input sorts the byte into one.
 */
#include "linedisc.h"

#define KEY_CTRL_C 0x03
#define KEY_CTRL_D 0x04
#define KEY_CTRL_H 0x08
#define KEY_CTRL_U 0x15
#define KEY_ESC    0x1b
#define KEY_DEL    0x7f

static uint32_t clamp_max(uint32_t max)
{
	if (max < 1)
		return 1;
	return max > LINEDISC_MAX ? LINEDISC_MAX : max;
}

void linedisc_init(struct linedisc *ld, uint32_t max)
{
	ld->len = 0;
	ld->max = clamp_max(max);
	ld->hidden = false;
	ld->done = false;
	ld->state = LINEDISC_PLAIN;
}

void linedisc_set_hidden(struct linedisc *ld, bool hidden)
{
	ld->hidden = hidden;
}

void linedisc_set_max(struct linedisc *ld, uint32_t max)
{
	ld->max = clamp_max(max);
	if (ld->len > ld->max)
		ld->len = ld->max;
}

void linedisc_discard(struct linedisc *ld)
{
	ld->len = 0;
	ld->done = false;
}

static void put(char *echo, uint32_t *n, const char *s)
{
	while (*s && *n < LINEDISC_ECHO_MAX)
		echo[(*n)++] = *s++;
}

static enum linedisc_event printable(struct linedisc *ld, uint8_t c, char *echo, uint32_t *n)
{
	if (ld->len >= ld->max) {
		put(echo, n, "\a");
		return LINEDISC_NONE;
	}
	ld->buf[ld->len++] = (char)c;
	if (!ld->hidden)
		echo[(*n)++] = (char)c;
	return LINEDISC_NONE;
}

static void erase_one(struct linedisc *ld, char *echo, uint32_t *n)
{
	if (!ld->len)
		return;
	ld->len--;
	if (!ld->hidden)
		put(echo, n, "\b \b");
}

/* ^U: erase everything typed (the prompt before it stays). */
static void erase_line(struct linedisc *ld, char *echo, uint32_t *n)
{
	while (ld->len)
		erase_one(ld, echo, n);
}

static enum linedisc_event end_line(struct linedisc *ld, enum linedisc_event ev, const char *shown,
				    char *echo, uint32_t *n)
{
	put(echo, n, shown);
	ld->done = true;
	if (ev != LINEDISC_LINE)
		ld->len = 0;
	return ev;
}

/* Inside ESC or ESC [ ...: swallow until the sequence's final byte. */
static enum linedisc_event escape(struct linedisc *ld, uint8_t c)
{
	if (ld->state == LINEDISC_ESC)
		ld->state = c == '[' ? LINEDISC_CSI : LINEDISC_PLAIN;
	else if (c >= 0x40 && c <= 0x7e)
		ld->state = LINEDISC_PLAIN;  /* CSI final byte */
	return LINEDISC_NONE;
}

enum linedisc_event linedisc_input(struct linedisc *ld, uint8_t c, char *echo, uint32_t *echo_len)
{
	bool after_cr = ld->state == LINEDISC_AFTER_CR;

	*echo_len = 0;
	if (ld->done) {
		ld->done = false;
		ld->len = 0;
	}
	if (ld->state == LINEDISC_ESC || ld->state == LINEDISC_CSI)
		return escape(ld, c);
	ld->state = LINEDISC_PLAIN;
	if (c == '\n' && after_cr)
		return LINEDISC_NONE;  /* the LF of CR LF */
	if (c >= 0x20 && c <= 0x7e)
		return printable(ld, c, echo, echo_len);
	switch (c) {
	case '\r':
		ld->state = LINEDISC_AFTER_CR;
		return end_line(ld, LINEDISC_LINE, "\r\n", echo, echo_len);
	case '\n':
		return end_line(ld, LINEDISC_LINE, "\r\n", echo, echo_len);
	case KEY_DEL:
	case KEY_CTRL_H:
		erase_one(ld, echo, echo_len);
		return LINEDISC_NONE;
	case KEY_CTRL_U:
		erase_line(ld, echo, echo_len);
		return LINEDISC_NONE;
	case KEY_CTRL_C:
		return end_line(ld, LINEDISC_CANCEL, "^C\r\n", echo, echo_len);
	case KEY_CTRL_D:
		if (ld->len)
			break;
		return end_line(ld, LINEDISC_EOF, "", echo, echo_len);
	case KEY_ESC:
		ld->state = LINEDISC_ESC;
		return LINEDISC_NONE;
	default:
		break;
	}
	put(echo, echo_len, "\a");
	return LINEDISC_NONE;
}
