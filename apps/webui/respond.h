/*
 * An answer of the Web UI and its header block (docs/webui.md, "Headers").
 * Every answer carries the same hardening headers: a strict
 * Content-Security-Policy, nosniff, no referrer, no framing.  API answers
 * and errors are never cached (Cache-Control: no-store); static files may
 * be.  Small JSON bodies are printed by cJSON into the answer itself.
 */
#ifndef WEBUI_RESPOND_H
#define WEBUI_RESPOND_H

#include <stddef.h>
#include <stdint.h>

#define WEBUI_JSON_MAX 256u
#define WEBUI_HEAD_MAX 1024u
#define WEBUI_COOKIE_MAX 192u

#define WEBUI_CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

#define WEBUI_STATIC_CACHE "public, max-age=300"

struct webui_response {
	int status;
	const char *content_type;
	const void *body;                  /* a static file's bytes, or json below */
	size_t body_len;
	int head_only;                     /* HEAD: the GET headers, no body */
	int cacheable;                     /* a static file: Cache-Control WEBUI_STATIC_CACHE, else no-store */
	const char *allow;                 /* 405: the methods the path takes */
	int close;                         /* Connection: close */
	char *owned;                       /* a body from malloc (body points into it): freed once sent */
	uint64_t hold_until_ms;            /* not before this (a failed login's delay); 0: at once */
	char set_cookie[WEBUI_COOKIE_MAX]; /* a Set-Cookie value, or "" */
	char json[WEBUI_JSON_MAX];
};

/* A JSON document from malloc as the answer's body (the answer frees it); NULL text: 500. */
void webui_json_owned(struct webui_response *r, int status, char *text);

/* The reason phrase of a status the server sends. */
const char *webui_reason(int status);

/* A JSON answer {"error": message}: no-store. */
void webui_error(struct webui_response *r, int status, const char *message);

/* A JSON answer {"key": value} with one string member. */
void webui_json_string(struct webui_response *r, int status, const char *key, const char *value);

/* The status line and headers, ending with the blank line: their length, or 0 when size is too small. */
size_t webui_response_head(const struct webui_response *r, char *buf, size_t size);

#endif
