/*
 * The routes of routes.h.  The login body is read with cJSON and only its
 * shape is judged here; the password is never copied, printed or logged.
 */
#include <string.h>
#include <strings.h>

#include "cJSON.h"
#include "routes.h"

static const char healthz_body[] = "ok\n";

enum route_kind { ROUTE_HEALTHZ, ROUTE_LOGIN, ROUTE_LOGOUT, ROUTE_READ };

static const struct webui_api_ops *api_ops;

/* The API and /healthz: path, the one method that changes state or reads, the handler kind. */
static const struct route {
	const char *path;
	int post;                          /* 1: POST (state-changing); 0: GET and HEAD */
	enum route_kind kind;
	enum webui_read what;              /* ROUTE_READ */
} routes[] = {
	{ "/healthz", 0, ROUTE_HEALTHZ, 0 },
	{ "/api/login", 1, ROUTE_LOGIN, 0 },
	{ "/api/logout", 1, ROUTE_LOGOUT, 0 },
	{ "/api/session", 0, ROUTE_READ, WEBUI_READ_SESSION },
	{ "/api/processes", 0, ROUTE_READ, WEBUI_READ_PROCESSES },
	{ "/api/memory", 0, ROUTE_READ, WEBUI_READ_MEMORY },
	{ "/api/uptime", 0, ROUTE_READ, WEBUI_READ_UPTIME },
	{ "/api/capgraph", 0, ROUTE_READ, WEBUI_READ_CAPGRAPH },
};

void webui_route_set_api(const struct webui_api_ops *ops)
{
	api_ops = ops;
}

static int is_read(int method)
{
	return method == HTTP_GET || method == HTTP_HEAD;
}

/* application/json, any case, optionally followed by parameters (charset). */
static int is_json_type(const struct webui_request *req)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;
	const char *v = req->content_type;

	if (!req->has_content_type || strncasecmp(v, json, n) != 0)
		return 0;
	v += n;
	while (*v == ' ' || *v == '\t')
		v++;
	return *v == 0 || *v == ';';
}

static const cJSON *string_member(const cJSON *o, const char *name, size_t max)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(m) || !m->valuestring || strlen(m->valuestring) == 0 || strlen(m->valuestring) > max)
		return NULL;
	return m;
}

/* {"username": "...", "password": "..."}: both strings, not empty, within their bounds. */
static void login(const struct webui_config *cfg, const struct webui_request *req, struct webui_response *out)
{
	cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
	const cJSON *user = cJSON_IsObject(body) ? string_member(body, "username", WEBUI_USERNAME_MAX) : NULL;
	const cJSON *pass = cJSON_IsObject(body) ? string_member(body, "password", WEBUI_PASSWORD_MAX) : NULL;

	if (!user || !pass)
		webui_error(out, 400, "expected {\"username\": string, \"password\": string}");
	else if (!api_ops)
		webui_error(out, 503, "sessions unavailable");
	else
		api_ops->login(cfg, req, user->valuestring, pass->valuestring, out);
	if (pass)
		memset(pass->valuestring, 0, strlen(pass->valuestring));   /* the parsed copy of the password */
	cJSON_Delete(body);
}

static void api(const struct webui_config *cfg, const struct route *r, const struct webui_request *req,
		struct webui_response *out)
{
	switch (r->kind) {
	case ROUTE_HEALTHZ:
		memset(out, 0, sizeof(*out));
		out->status = 200;
		out->content_type = "text/plain; charset=utf-8";
		out->body = healthz_body;
		out->body_len = sizeof(healthz_body) - 1;
		break;
	case ROUTE_LOGIN:
		login(cfg, req, out);
		break;
	case ROUTE_LOGOUT:
		if (api_ops)
			api_ops->logout(cfg, req, out);
		else
			webui_error(out, 401, "not logged in");
		break;
	case ROUTE_READ:
		if (api_ops)
			api_ops->read(cfg, req, r->what, out);
		else
			webui_error(out, 401, "not logged in");
		break;
	}
}

static void serve_static(const struct webui_site *site, const struct webui_request *req, size_t path_len,
			 struct webui_response *out)
{
	const struct webui_file *f = webui_site_find(site, req->url, path_len);

	if (!f) {
		webui_error(out, 404, "not found");
		return;
	}
	if (!is_read(req->method)) {
		webui_error(out, 405, "method not allowed");
		out->allow = "GET, HEAD";
		return;
	}
	memset(out, 0, sizeof(*out));
	out->status = 200;
	out->content_type = f->type;
	out->body = f->data;
	out->body_len = f->size;
	out->cacheable = 1;
}

void webui_route(const struct webui_config *cfg, const struct webui_site *site, const struct webui_request *req,
		 struct webui_response *out)
{
	const char *q = memchr(req->url, '?', req->url_len);
	size_t path_len = q ? (size_t)(q - req->url) : req->url_len;
	const struct route *r = NULL;
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strlen(routes[i].path) == path_len && memcmp(routes[i].path, req->url, path_len) == 0)
			r = &routes[i];
	if (!r) {
		if (path_len >= 5 && memcmp(req->url, "/api/", 5) == 0)
			webui_error(out, 404, "no such endpoint");
		else
			serve_static(site, req, path_len, out);
	} else if (r->post ? req->method != HTTP_POST : !is_read(req->method)) {
		webui_error(out, 405, "method not allowed");
		out->allow = r->post ? "POST" : "GET, HEAD";
	} else if (r->post && !webui_origin_ok(cfg, req->origin, req->has_origin)) {
		webui_error(out, 403, "cross-origin request refused");
	} else if (r->post && !is_json_type(req)) {
		webui_error(out, 415, "expected Content-Type: application/json");
	} else {
		api(cfg, r, req, out);
	}
	if (req->method == HTTP_HEAD)
		out->head_only = 1;
}

static const char *violation(int status)
{
	switch (status) {
	case 408: return "request not received in time";
	case 413: return "request body too large";
	case 414: return "request target too long";
	case 431: return "request headers too large";
	default: return "malformed request";
	}
}

void webui_answer(const struct webui_config *cfg, const struct webui_site *site, const struct webui_conn *c,
		  struct webui_response *out)
{
	if (c->phase != WEBUI_READY) {
		webui_error(out, c->status ? c->status : 400, violation(c->status));
		out->close = 1;
		return;
	}
	webui_route(cfg, site, &c->req, out);
	out->close = !webui_conn_keep_alive(c);
}
