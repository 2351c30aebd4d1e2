/*
 * One HTTP/1.1 connection of the Web UI, without the network: bytes in,
 * requests out, one at a time (docs/webui.md, "The HTTP layer").  Parsing
 * is http-parser's (strict mode, Debian's patches); this file holds what
 * the server adds around it: the limits on header and body size and on
 * requests per connection, the per-connection deadlines (headers, body,
 * idle, sending), and the few header values the routes need, each kept
 * only up to its own bound.
 *
 * A connection moves through phases:
 *   WAIT     no byte of the next request yet (deadline: header time for a
 *            new connection, idle time between keep-alive requests)
 *   HEADERS  the request line and headers arriving (deadline: header time,
 *            counted from the first byte, so a slow sender cannot stretch it)
 *   BODY     the body arriving (deadline: body time from the headers' end)
 *   READY    a whole request, parser paused, for the caller to answer
 *   ERROR    a violation: status says which; the answer closes the connection
 *   SENDING  the answer going out (deadline: send time)
 * Everything here is deterministic in `now` (milliseconds from any clock):
 * the host tests drive it with a fake one.
 */
#ifndef WEBUI_HTTP_H
#define WEBUI_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "http_parser.h"

#define WEBUI_HEADER_MAX      8192u   /* request line + headers, bytes: 431 past it */
#define WEBUI_URL_MAX         1024u   /* request target, bytes: 414 past it */
#define WEBUI_BODY_MAX        16384u  /* request body, bytes: 413 past it */
#define WEBUI_VALUE_MAX       256u    /* a header value the routes read: 431 past it */
#define WEBUI_REQUESTS_MAX    100u    /* per connection: the last answer says Connection: close */
#define WEBUI_HEADER_MS       10000u  /* first byte to end of headers: 408 */
#define WEBUI_BODY_MS         10000u  /* end of headers to end of body: 408 */
#define WEBUI_IDLE_MS         5000u   /* between keep-alive requests: closed without an answer */
#define WEBUI_SEND_MS         10000u  /* an answer not taken by the client in this time: aborted */

enum webui_phase { WEBUI_WAIT, WEBUI_HEADERS, WEBUI_BODY, WEBUI_READY, WEBUI_ERROR, WEBUI_SENDING, WEBUI_CLOSED };

/* The header values the routes read; each absent unless its has_ flag is set. */
struct webui_request {
	int method;                          /* enum http_method */
	char url[WEBUI_URL_MAX + 1];
	size_t url_len;
	char origin[WEBUI_VALUE_MAX + 1];
	char content_type[WEBUI_VALUE_MAX + 1];
	char forwarded_for[WEBUI_VALUE_MAX + 1];
	char forwarded_proto[WEBUI_VALUE_MAX + 1];
	char cookie[WEBUI_VALUE_MAX + 1];
	int has_origin, has_content_type, has_forwarded_for, has_forwarded_proto, has_cookie;
	uint32_t client_addr;                /* set by the server before the answer: the peer, or the */
	int client_https;                    /* ... forwarded client and scheme from a trusted proxy (policy.h) */
	unsigned char body[WEBUI_BODY_MAX];
	size_t body_len;
	int keep_alive;                      /* the client's wish (HTTP version, Connection header) */
};

enum webui_header_slot { SLOT_NONE, SLOT_ORIGIN, SLOT_CONTENT_TYPE, SLOT_FORWARDED_FOR, SLOT_FORWARDED_PROTO,
			 SLOT_COOKIE };

struct webui_conn {
	http_parser parser;
	enum webui_phase phase;
	uint64_t deadline_ms;
	int status;                          /* in ERROR: the answer's status */
	unsigned requests;                   /* answered so far */
	struct webui_request req;
	/* header assembly: names and values may arrive in pieces */
	char name[32];
	size_t name_len;
	int name_long;                       /* longer than any name we read */
	int in_value;
	enum webui_header_slot slot;
	size_t value_len;
};

/* Once per process: the parser's header limit (a global of http-parser). */
void webui_http_setup(void);

/* A new connection accepted at now. */
void webui_conn_init(struct webui_conn *c, uint64_t now);

/*
 * Bytes from the client: returns how many were taken.  Takes none in
 * READY, ERROR, SENDING and CLOSED (the caller keeps them for the next
 * request, or drops them when the connection is closing).  After the
 * call, phase says what to do: READY or ERROR means answer now.
 */
size_t webui_conn_feed(struct webui_conn *c, const char *data, size_t len, uint64_t now);

/* The client closed its side: an unfinished request becomes ERROR 400, nothing pending becomes CLOSED. */
void webui_conn_eof(struct webui_conn *c, uint64_t now);

/* Deadlines: 1 when one passed (ERROR 408 while a request arrives, CLOSED when idle or not taking an answer). */
int webui_conn_expire(struct webui_conn *c, uint64_t now);

/* Whether the answer to the current request (READY) may keep the connection open. */
int webui_conn_keep_alive(const struct webui_conn *c);

/* The answer was handed to the network: SENDING until webui_conn_sent. */
void webui_conn_sending(struct webui_conn *c, uint64_t now);

/* The answer is out: WAIT for the next request when it kept the connection open, else CLOSED. */
void webui_conn_sent(struct webui_conn *c, int kept_open, uint64_t now);

/* Milliseconds until this connection's deadline (0 when due). */
uint64_t webui_conn_wait_ms(const struct webui_conn *c, uint64_t now);

#endif
