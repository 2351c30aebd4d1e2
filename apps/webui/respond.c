/*
 * Answers: the status line, the hardening headers every answer carries,
 * and the small JSON bodies (printed by cJSON into the answer, so no
 * allocation outlives the call).
 */
#include <stdio.h>
#include <string.h>

#include "cJSON.h"
#include "respond.h"

const char *webui_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/* cJSON prints into the answer's buffer; an object that does not fit becomes a fixed 500 body. */
static void json_member(struct webui_response *r, int status, const char *key, const char *value)
{
	static const char too_long[] = "{\"error\":\"internal error\"}";
	cJSON *o = cJSON_CreateObject();

	memset(r, 0, sizeof(*r));
	r->status = status;
	r->content_type = "application/json";
	if (!o || !cJSON_AddStringToObject(o, key, value) ||
	    !cJSON_PrintPreallocated(o, r->json, (int)sizeof(r->json), 0)) {
		r->status = 500;
		memcpy(r->json, too_long, sizeof(too_long));
	}
	cJSON_Delete(o);
	r->body = r->json;
	r->body_len = strlen(r->json);
}

void webui_json_owned(struct webui_response *r, int status, char *text)
{
	if (!text) {
		webui_error(r, 500, "out of memory");
		return;
	}
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->content_type = "application/json";
	r->owned = text;
	r->body = text;
	r->body_len = strlen(text);
}

void webui_error(struct webui_response *r, int status, const char *message)
{
	json_member(r, status, "error", message);
}

void webui_json_string(struct webui_response *r, int status, const char *key, const char *value)
{
	json_member(r, status, key, value);
}

size_t webui_response_head(const struct webui_response *r, char *buf, size_t size)
{
	char allow[64] = "", cookie[WEBUI_COOKIE_MAX + 16] = "";
	int n;

	if (r->allow)
		snprintf(allow, sizeof(allow), "Allow: %s\r\n", r->allow);
	if (r->set_cookie[0])
		snprintf(cookie, sizeof(cookie), "Set-Cookie: %s\r\n", r->set_cookie);
	n = snprintf(buf, size,
		     "HTTP/1.1 %d %s\r\n"
		     "Content-Type: %s\r\n"
		     "Content-Length: %zu\r\n"
		     "Cache-Control: %s\r\n"
		     "Content-Security-Policy: " WEBUI_CSP "\r\n"
		     "X-Content-Type-Options: nosniff\r\n"
		     "Referrer-Policy: no-referrer\r\n"
		     "X-Frame-Options: DENY\r\n"
		     "Cross-Origin-Opener-Policy: same-origin\r\n"
		     "Cross-Origin-Resource-Policy: same-origin\r\n"
		     "%s%s"
		     "Connection: %s\r\n"
		     "\r\n",
		     r->status, webui_reason(r->status), r->content_type ? r->content_type : "application/octet-stream",
		     r->body_len, r->cacheable ? WEBUI_STATIC_CACHE : "no-store", allow, cookie,
		     r->close ? "close" : "keep-alive");
	if (n < 0 || (size_t)n >= size)
		return 0;
	return (size_t)n;
}
