/*
 * The connection engine of http.h over http-parser: callbacks store what
 * the routes read and enforce the limits; phases and deadlines are ours.
 * A violation sets the precise status and stops the parser (a callback
 * returning nonzero); the caller answers it and closes.
 */
#include <string.h>
#include <strings.h>

#include "http.h"

void webui_http_setup(void)
{
	http_parser_set_max_header_size(WEBUI_HEADER_MAX);
}

static struct webui_conn *conn_of(http_parser *p)
{
	return p->data;
}

static int violate(struct webui_conn *c, int status)
{
	c->status = status;
	return -1;
}

static void start_request(struct webui_conn *c)
{
	memset(&c->req, 0, offsetof(struct webui_request, body));
	c->req.body_len = 0;
	c->req.keep_alive = 0;
	c->name_len = 0;
	c->name_long = 0;
	c->in_value = 0;
	c->slot = SLOT_NONE;
	c->value_len = 0;
	c->status = 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	struct webui_conn *c = conn_of(p);

	if (len > WEBUI_URL_MAX - c->req.url_len)
		return violate(c, 414);
	memcpy(c->req.url + c->req.url_len, at, len);
	c->req.url_len += len;
	c->req.url[c->req.url_len] = 0;
	return 0;
}

static enum webui_header_slot slot_named(const char *name, size_t len, int too_long)
{
	static const struct { const char *name; enum webui_header_slot slot; } slots[] = {
		{ "origin", SLOT_ORIGIN },
		{ "content-type", SLOT_CONTENT_TYPE },
		{ "x-forwarded-for", SLOT_FORWARDED_FOR },
		{ "x-forwarded-proto", SLOT_FORWARDED_PROTO },
		{ "cookie", SLOT_COOKIE },
	};
	size_t i;

	if (too_long)
		return SLOT_NONE;
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (strlen(slots[i].name) == len && strncasecmp(slots[i].name, name, len) == 0)
			return slots[i].slot;
	return SLOT_NONE;
}

/* The value buffer and its flag for a slot. */
static char *slot_value(struct webui_request *r, enum webui_header_slot s, int **has)
{
	switch (s) {
	case SLOT_ORIGIN: *has = &r->has_origin; return r->origin;
	case SLOT_CONTENT_TYPE: *has = &r->has_content_type; return r->content_type;
	case SLOT_FORWARDED_FOR: *has = &r->has_forwarded_for; return r->forwarded_for;
	case SLOT_FORWARDED_PROTO: *has = &r->has_forwarded_proto; return r->forwarded_proto;
	case SLOT_COOKIE: *has = &r->has_cookie; return r->cookie;
	default: *has = NULL; return NULL;
	}
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	struct webui_conn *c = conn_of(p);

	if (c->in_value) {
		c->in_value = 0;
		c->name_len = 0;
		c->name_long = 0;
	}
	if (len > sizeof(c->name) - c->name_len) {
		c->name_long = 1;
		return 0;
	}
	memcpy(c->name + c->name_len, at, len);
	c->name_len += len;
	return 0;
}

/*
 * A header we read, sent twice, is refused (400): two Origins or two
 * Content-Types leave it open which one a check saw.  X-Forwarded-For
 * may come in several lines (proxies append): they are joined with ", ".
 */
static int begin_value(struct webui_conn *c)
{
	int *has;
	char *value;

	c->in_value = 1;
	c->slot = slot_named(c->name, c->name_len, c->name_long);
	c->value_len = 0;
	value = slot_value(&c->req, c->slot, &has);
	if (!value)
		return 0;
	if (*has && c->slot != SLOT_FORWARDED_FOR)
		return violate(c, 400);
	if (*has) {
		c->value_len = strlen(value);
		if (c->value_len + 2 > WEBUI_VALUE_MAX)
			return violate(c, 431);
		memcpy(value + c->value_len, ", ", 3);
		c->value_len += 2;
	}
	*has = 1;
	return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	struct webui_conn *c = conn_of(p);
	int *has;
	char *value;

	if (!c->in_value && begin_value(c))
		return -1;
	value = slot_value(&c->req, c->slot, &has);
	if (!value)
		return 0;
	if (len > WEBUI_VALUE_MAX - c->value_len)
		return violate(c, 431);
	memcpy(value + c->value_len, at, len);
	c->value_len += len;
	value[c->value_len] = 0;
	return 0;
}

static int on_headers_complete(http_parser *p)
{
	struct webui_conn *c = conn_of(p);

	/* HTTP/1.0 and 1.1 only: the parser takes any digit */
	if (p->http_major != 1)
		return violate(c, 400);
	/* both lengths: which one frames the body is how requests get smuggled past proxies */
	if ((p->flags & F_CHUNKED) && (p->flags & F_CONTENTLENGTH))
		return violate(c, 400);
	if ((p->flags & F_CONTENTLENGTH) && p->content_length > WEBUI_BODY_MAX)
		return violate(c, 413);
	c->req.method = p->method;
	c->req.keep_alive = http_should_keep_alive(p);
	c->phase = WEBUI_BODY;
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct webui_conn *c = conn_of(p);

	if (len > WEBUI_BODY_MAX - c->req.body_len)
		return violate(c, 413);
	memcpy(c->req.body + c->req.body_len, at, len);
	c->req.body_len += len;
	return 0;
}

static int on_message_complete(http_parser *p)
{
	struct webui_conn *c = conn_of(p);

	c->phase = WEBUI_READY;
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings settings = {
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

void webui_conn_init(struct webui_conn *c, uint64_t now)
{
	memset(c, 0, offsetof(struct webui_conn, req));
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	c->phase = WEBUI_WAIT;
	c->deadline_ms = now + WEBUI_HEADER_MS;
	start_request(c);
}

/* A parser error without our own status: the header limit (431) or malformed input (400). */
static int parser_status(const http_parser *p)
{
	switch (HTTP_PARSER_ERRNO(p)) {
	case HPE_HEADER_OVERFLOW: return 431;
	default: return 400;
	}
}

size_t webui_conn_feed(struct webui_conn *c, const char *data, size_t len, uint64_t now)
{
	enum webui_phase before;
	size_t n;

	if (len == 0 || (c->phase != WEBUI_WAIT && c->phase != WEBUI_HEADERS && c->phase != WEBUI_BODY))
		return 0;
	if (c->phase == WEBUI_WAIT) {
		c->phase = WEBUI_HEADERS;
		c->deadline_ms = now + WEBUI_HEADER_MS;
	}
	before = c->phase;
	n = http_parser_execute(&c->parser, &settings, data, len);
	if (c->phase == WEBUI_READY)
		return n;
	if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK || n != len) {
		if (!c->status)
			c->status = parser_status(&c->parser);
		c->phase = WEBUI_ERROR;
		return n;
	}
	if (before == WEBUI_HEADERS && c->phase == WEBUI_BODY)
		c->deadline_ms = now + WEBUI_BODY_MS;
	return n;
}

void webui_conn_eof(struct webui_conn *c, uint64_t now)
{
	(void)now;
	if (c->phase == WEBUI_HEADERS || c->phase == WEBUI_BODY) {
		/* a body delimited by the close (HTTP/1.0 without a length) is not accepted: 400 either way */
		c->status = 400;
		c->phase = WEBUI_ERROR;
	} else if (c->phase == WEBUI_WAIT) {
		c->phase = WEBUI_CLOSED;
	}
}

int webui_conn_expire(struct webui_conn *c, uint64_t now)
{
	if (now < c->deadline_ms)
		return 0;
	switch (c->phase) {
	case WEBUI_HEADERS:
	case WEBUI_BODY:
		c->status = 408;
		c->phase = WEBUI_ERROR;
		return 1;
	case WEBUI_WAIT:
	case WEBUI_SENDING:
		c->phase = WEBUI_CLOSED;
		return 1;
	default:
		return 0;
	}
}

int webui_conn_keep_alive(const struct webui_conn *c)
{
	return c->phase == WEBUI_READY && c->req.keep_alive && c->requests + 1 < WEBUI_REQUESTS_MAX;
}

void webui_conn_sending(struct webui_conn *c, uint64_t now)
{
	c->phase = WEBUI_SENDING;
	c->deadline_ms = now + WEBUI_SEND_MS;
}

void webui_conn_sent(struct webui_conn *c, int kept_open, uint64_t now)
{
	c->requests++;
	if (!kept_open || c->status) {
		c->phase = WEBUI_CLOSED;
		return;
	}
	start_request(c);
	http_parser_pause(&c->parser, 0);
	c->phase = WEBUI_WAIT;
	c->deadline_ms = now + WEBUI_IDLE_MS;
}

uint64_t webui_conn_wait_ms(const struct webui_conn *c, uint64_t now)
{
	return c->deadline_ms > now ? c->deadline_ms - now : 0;
}
