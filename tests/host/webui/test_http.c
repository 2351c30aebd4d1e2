/*
 * Host tests of the Web UI's HTTP layer: whole requests go through the
 * connection engine (http.c over http-parser) and the routes, with a fake
 * clock for the deadlines, and the answer's header block is checked as
 * text.  tests/qemu/webui drives the same code over the network.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <capos/error.h>

#include "check.h"
#include "http.h"
#include "policy.h"
#include "respond.h"
#include "routes.h"
#include "site.h"

#define ORIGIN "http://127.0.0.1:8080"

static struct webui_config cfg;
static struct webui_site site;
static struct webui_conn conn;
static struct webui_response resp;
static char head[WEBUI_HEAD_MAX];
static const char index_html[] = "<!doctype html><title>t</title>";
static const char app_js[] = "export {};";

static void setup(void)
{
	char *argv[] = { "webui", "origin=" ORIGIN, "proxies=130.211.0.0/22,35.191.0.0/16", NULL };
	const char *bad;

	webui_http_setup();
	memset(&site, 0, sizeof(site));
	if (webui_config_parse(&cfg, 3, argv, &bad) != 0)
		abort();
	webui_site_add(&site, "index.html", index_html, sizeof(index_html) - 1);
	webui_site_add(&site, "app.js", app_js, sizeof(app_js) - 1);
}

/* One request on a fresh connection at time 0: the answer's status; resp and head hold the answer. */
static int ask(const char *request)
{
	size_t len = strlen(request), n;

	webui_conn_init(&conn, 0);
	n = webui_conn_feed(&conn, request, len, 0);
	if (conn.phase != WEBUI_READY && conn.phase != WEBUI_ERROR)
		return 0;
	(void)n;
	webui_answer(&cfg, &site, &conn, &resp);
	if (!webui_response_head(&resp, head, sizeof(head)))
		return -1;
	return resp.status;
}

static int has_header(const char *line)
{
	return strstr(head, line) != NULL;
}

static const char *body(void)
{
	static char text[WEBUI_JSON_MAX + 1];
	size_t n = resp.body_len < WEBUI_JSON_MAX ? resp.body_len : WEBUI_JSON_MAX;

	memcpy(text, resp.body, n);
	text[n] = 0;
	return text;
}

/* ---------------------------------------------------------------- parsing */

static void test_get_static(void)
{
	CHECK_EQ(ask("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	CHECK(has_header("Content-Type: text/html; charset=utf-8\r\n"));
	CHECK(has_header("Content-Length: 31\r\n"));
	CHECK(has_header("Cache-Control: public, max-age=300\r\n"));
	CHECK(has_header("Connection: keep-alive\r\n"));
	CHECK_EQ(resp.body_len, sizeof(index_html) - 1);
	CHECK_EQ(ask("GET /app.js?v=1 HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	CHECK(has_header("Content-Type: text/javascript; charset=utf-8\r\n"));
	CHECK_EQ(ask("HEAD /app.js HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	CHECK(resp.head_only);
	CHECK(has_header("Content-Length: 10\r\n"));
}

static void test_not_found(void)
{
	CHECK_EQ(ask("GET /nothing HTTP/1.1\r\n\r\n"), 404);
	CHECK_EQ(ask("GET /../index.html HTTP/1.1\r\n\r\n"), 404);
	CHECK_EQ(ask("GET /%2e%2e/index.html HTTP/1.1\r\n\r\n"), 404);
	CHECK_EQ(ask("GET /api/nothing HTTP/1.1\r\n\r\n"), 404);
	CHECK(has_header("Cache-Control: no-store\r\n"));
	CHECK(has_header("Content-Type: application/json\r\n"));
}

static void test_malformed(void)
{
	CHECK_EQ(ask("GARBAGE\r\n\r\n"), 400);
	CHECK(resp.close);
	CHECK(has_header("Connection: close\r\n"));
	CHECK_EQ(ask("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n"), 400);
	CHECK_EQ(ask("GET / HTTP/9.9\r\n\r\n"), 400);
	CHECK_EQ(ask("GET / HTTP/1.1\nHost: x\n\n"), 200);            /* http-parser takes bare LF line ends */
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde"), 400);
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
		 400);
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nOrigin: " ORIGIN "\r\nOrigin: " ORIGIN "\r\n\r\n"), 400);
	CHECK_EQ(ask("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	/* the client closes in the middle of a request: 400, close */
	webui_conn_init(&conn, 0);
	webui_conn_feed(&conn, "GET / HT", 8, 0);
	webui_conn_eof(&conn, 1);
	CHECK_EQ(conn.phase, WEBUI_ERROR);
	CHECK_EQ(conn.status, 400);
	/* ... and between requests: closed without an answer */
	webui_conn_init(&conn, 0);
	webui_conn_eof(&conn, 1);
	CHECK_EQ(conn.phase, WEBUI_CLOSED);
}

/* ----------------------------------------------------------------- limits */

static char big[WEBUI_HEADER_MAX * 2 + WEBUI_BODY_MAX * 2];

static void test_header_limit(void)
{
	size_t n;

	/* one header just inside the limit, then one byte too many */
	strcpy(big, "GET / HTTP/1.1\r\nX-Pad: ");
	n = strlen(big);
	memset(big + n, 'a', WEBUI_HEADER_MAX - n - 200);
	strcpy(big + WEBUI_HEADER_MAX - 200, "\r\n\r\n");
	CHECK_EQ(ask(big), 200);
	memset(big + n, 'a', WEBUI_HEADER_MAX + 10);
	strcpy(big + n + WEBUI_HEADER_MAX + 10, "\r\n\r\n");
	CHECK_EQ(ask(big), 431);
	CHECK(resp.close);
	/* a header the routes read, longer than it is kept */
	strcpy(big, "POST /api/login HTTP/1.1\r\nOrigin: http://");
	n = strlen(big);
	memset(big + n, 'a', WEBUI_VALUE_MAX);
	strcpy(big + n + WEBUI_VALUE_MAX, "\r\n\r\n");
	CHECK_EQ(ask(big), 431);
	/* the request target */
	strcpy(big, "GET /");
	memset(big + 5, 'a', WEBUI_URL_MAX);
	strcpy(big + 5 + WEBUI_URL_MAX, " HTTP/1.1\r\n\r\n");
	CHECK_EQ(ask(big), 414);
}

static void test_body_limit(void)
{
	char req[256];

	snprintf(req, sizeof(req), "POST /api/login HTTP/1.1\r\nContent-Length: %u\r\n\r\n", WEBUI_BODY_MAX + 1);
	CHECK_EQ(ask(req), 413);                     /* refused on its length, before any byte of it */
	CHECK(resp.close);
	/* chunked: refused when the chunks pass the limit */
	snprintf(req, sizeof(req), "POST /api/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n",
		 WEBUI_BODY_MAX + 1);
	strcpy(big, req);
	memset(big + strlen(req), 'x', WEBUI_BODY_MAX + 1);
	strcpy(big + strlen(req) + WEBUI_BODY_MAX + 1, "\r\n0\r\n\r\n");
	CHECK_EQ(ask(big), 413);
	/* at the limit: taken (and then judged by the route) */
	snprintf(req, sizeof(req), "POST /api/login HTTP/1.1\r\nOrigin: " ORIGIN
		 "\r\nContent-Type: application/json\r\nContent-Length: %u\r\n\r\n", WEBUI_BODY_MAX);
	strcpy(big, req);
	memset(big + strlen(req), ' ', WEBUI_BODY_MAX);
	big[strlen(req) + WEBUI_BODY_MAX] = 0;
	CHECK_EQ(ask(big), 400);
}

static void test_keep_alive_and_request_limit(void)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\n\r\n";
	unsigned i;

	webui_conn_init(&conn, 0);
	for (i = 0; i < WEBUI_REQUESTS_MAX; i++) {
		CHECK_EQ(webui_conn_feed(&conn, req, sizeof(req) - 1, i), sizeof(req) - 1);
		CHECK_EQ(conn.phase, WEBUI_READY);
		webui_answer(&cfg, &site, &conn, &resp);
		CHECK_EQ(resp.status, 200);
		CHECK_EQ(resp.close, i + 1 == WEBUI_REQUESTS_MAX);
		webui_conn_sending(&conn, i);
		webui_conn_sent(&conn, !resp.close, i);
	}
	CHECK_EQ(conn.phase, WEBUI_CLOSED);
	/* HTTP/1.0 and Connection: close end after one answer */
	CHECK_EQ(ask("GET /healthz HTTP/1.0\r\n\r\n"), 200);
	CHECK(resp.close);
	CHECK_EQ(ask("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"), 200);
	CHECK(resp.close);
}

static void test_pipelining(void)
{
	static const char two[] = "GET /healthz HTTP/1.1\r\n\r\nGET /nothing HTTP/1.1\r\n\r\n";
	size_t n;

	webui_conn_init(&conn, 0);
	n = webui_conn_feed(&conn, two, sizeof(two) - 1, 0);
	CHECK_EQ(n, strlen("GET /healthz HTTP/1.1\r\n\r\n"));
	CHECK_EQ(conn.phase, WEBUI_READY);
	CHECK_EQ(webui_conn_feed(&conn, two + n, sizeof(two) - 1 - n, 0), 0);   /* waits for the answer */
	webui_answer(&cfg, &site, &conn, &resp);
	CHECK_EQ(resp.status, 200);
	webui_conn_sending(&conn, 0);
	webui_conn_sent(&conn, 1, 0);
	CHECK_EQ(webui_conn_feed(&conn, two + n, sizeof(two) - 1 - n, 0), sizeof(two) - 1 - n);
	webui_answer(&cfg, &site, &conn, &resp);
	CHECK_EQ(resp.status, 404);
}

/* -------------------------------------------------------------- deadlines */

static void test_header_deadline(void)
{
	webui_conn_init(&conn, 1000);
	CHECK_EQ(webui_conn_wait_ms(&conn, 1000), WEBUI_HEADER_MS);
	/* a slow sender: a byte every second does not move the deadline */
	webui_conn_feed(&conn, "G", 1, 2000);
	CHECK(!webui_conn_expire(&conn, 2000 + WEBUI_HEADER_MS - 1));
	webui_conn_feed(&conn, "E", 1, 3000);
	CHECK(!webui_conn_expire(&conn, 2000 + WEBUI_HEADER_MS - 1));
	CHECK(webui_conn_expire(&conn, 2000 + WEBUI_HEADER_MS));
	CHECK_EQ(conn.phase, WEBUI_ERROR);
	webui_answer(&cfg, &site, &conn, &resp);
	CHECK_EQ(resp.status, 408);
	CHECK(resp.close);
	/* silent since accept: closed at the header deadline without an answer */
	webui_conn_init(&conn, 0);
	CHECK(!webui_conn_expire(&conn, WEBUI_HEADER_MS - 1));
	CHECK(webui_conn_expire(&conn, WEBUI_HEADER_MS));
	CHECK_EQ(conn.phase, WEBUI_CLOSED);
}

static void test_body_deadline(void)
{
	static const char req[] = "POST /api/login HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc";

	webui_conn_init(&conn, 0);
	webui_conn_feed(&conn, req, sizeof(req) - 1, 500);
	CHECK_EQ(conn.phase, WEBUI_BODY);
	CHECK(!webui_conn_expire(&conn, 500 + WEBUI_BODY_MS - 1));
	CHECK(webui_conn_expire(&conn, 500 + WEBUI_BODY_MS));
	CHECK_EQ(conn.status, 408);
}

static void test_idle_and_send_deadlines(void)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\n\r\n";

	webui_conn_init(&conn, 0);
	webui_conn_feed(&conn, req, sizeof(req) - 1, 0);
	webui_conn_sending(&conn, 100);
	CHECK(!webui_conn_expire(&conn, 100 + WEBUI_SEND_MS - 1));
	webui_conn_sent(&conn, 1, 200);
	CHECK_EQ(conn.phase, WEBUI_WAIT);
	CHECK_EQ(webui_conn_wait_ms(&conn, 200), WEBUI_IDLE_MS);
	CHECK(!webui_conn_expire(&conn, 200 + WEBUI_IDLE_MS - 1));
	CHECK(webui_conn_expire(&conn, 200 + WEBUI_IDLE_MS));
	CHECK_EQ(conn.phase, WEBUI_CLOSED);
	/* an answer the client does not take */
	webui_conn_init(&conn, 0);
	webui_conn_feed(&conn, req, sizeof(req) - 1, 0);
	webui_conn_sending(&conn, 0);
	CHECK(webui_conn_expire(&conn, WEBUI_SEND_MS));
	CHECK_EQ(conn.phase, WEBUI_CLOSED);
}

/* ----------------------------------------------------------------- routes */

#define LOGIN_HEAD "POST /api/login HTTP/1.1\r\nOrigin: " ORIGIN "\r\nContent-Type: application/json\r\n"

static void test_api(void)
{
	CHECK_EQ(ask("GET /healthz HTTP/1.1\r\n\r\n"), 200);
	CHECK_STR(body(), "ok\n");
	CHECK(has_header("Cache-Control: no-store\r\n"));
	CHECK(!has_header("Set-Cookie"));
	CHECK_EQ(ask("GET /api/session HTTP/1.1\r\n\r\n"), 401);
	CHECK_STR(body(), "{\"error\":\"not logged in\"}");
	CHECK(has_header("Cache-Control: no-store\r\n"));
	CHECK_EQ(ask("GET /api/processes HTTP/1.1\r\n\r\n"), 401);
	CHECK_EQ(ask("POST /api/logout HTTP/1.1\r\nOrigin: " ORIGIN "\r\nContent-Type: application/json\r\n"
		     "Content-Length: 2\r\n\r\n{}"), 401);
	CHECK_EQ(ask(LOGIN_HEAD "Content-Length: 39\r\n\r\n{\"username\":\"guest\",\"password\":\"guest\"}"), 503);
	CHECK_STR(body(), "{\"error\":\"sessions unavailable\"}");
	CHECK_EQ(ask(LOGIN_HEAD "Content-Length: 2\r\n\r\n{}"), 400);
	CHECK_EQ(ask(LOGIN_HEAD "Content-Length: 5\r\n\r\n{\"a\":"), 400);
	CHECK_EQ(ask(LOGIN_HEAD "Content-Length: 33\r\n\r\n{\"username\":\"guest\",\"password\":1}"), 400);
}

static void test_methods(void)
{
	CHECK_EQ(ask("GET /api/login HTTP/1.1\r\n\r\n"), 405);
	CHECK(has_header("Allow: POST\r\n"));
	CHECK_EQ(ask("DELETE /api/session HTTP/1.1\r\n\r\n"), 405);
	CHECK(has_header("Allow: GET, HEAD\r\n"));
	CHECK_EQ(ask("POST / HTTP/1.1\r\nOrigin: " ORIGIN "\r\nContent-Length: 0\r\n\r\n"), 405);
	CHECK_EQ(ask("PUT /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), 405);
}

static void test_origin_and_content_type(void)
{
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"),
		 403);                                          /* no Origin */
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nOrigin: http://evil.example\r\n"
		     "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"), 403);
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nOrigin: " ORIGIN "/\r\n"
		     "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"), 403);
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nOrigin: null\r\n"
		     "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"), 403);
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nOrigin: " ORIGIN "\r\nContent-Length: 2\r\n\r\n{}"), 415);
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nOrigin: " ORIGIN "\r\n"
		     "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b"), 415);
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nOrigin: " ORIGIN "\r\n"
		     "Content-Type: application/jsonp\r\nContent-Length: 2\r\n\r\n{}"), 415);
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nOrigin: " ORIGIN "\r\n"
		     "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}"), 415);
	CHECK_EQ(ask("POST /api/login HTTP/1.1\r\nOrigin: " ORIGIN "\r\n"
		     "Content-Type: Application/JSON; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}"), 400);
}

static void test_hardening_headers(void)
{
	static const char *const every[] = {
		"Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; ",
		"frame-ancestors 'none'\r\n",
		"X-Content-Type-Options: nosniff\r\n",
		"Referrer-Policy: no-referrer\r\n",
		"X-Frame-Options: DENY\r\n",
	};
	static const char *const requests[] = {
		"GET / HTTP/1.1\r\n\r\n", "GET /healthz HTTP/1.1\r\n\r\n", "GET /api/uptime HTTP/1.1\r\n\r\n",
		"GET /x HTTP/1.1\r\n\r\n", "BAD\r\n\r\n", "POST /api/login HTTP/1.1\r\n\r\n",
	};
	size_t i, j;

	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		CHECK(ask(requests[i]) > 0);
		for (j = 0; j < sizeof(every) / sizeof(every[0]); j++)
			CHECK(has_header(every[j]));
		CHECK(!strstr(head, "unsafe-inline"));
		/* only static files may be cached */
		CHECK(has_header(resp.cacheable ? "Cache-Control: public" : "Cache-Control: no-store\r\n"));
		CHECK(resp.cacheable == (i == 0));
	}
}

/* ---------------------------------------------------------- origin, proxies */

static void test_config(void)
{
	struct webui_config c;
	const char *bad;
	char *ok[] = { "webui", "origin=https://capos.example", "port=8080", NULL };
	char *no_origin[] = { "webui", "port=80", NULL };
	char *path[] = { "webui", "origin=http://a.example/x", NULL };
	char *scheme[] = { "webui", "origin=ftp://a.example", NULL };
	char *hostbits[] = { "webui", "origin=http://a", "proxies=10.0.0.1/8", NULL };
	char *many[] = { "webui", "origin=http://a", "proxies=1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,"
			 "6.0.0.0/8,7.0.0.0/8,8.0.0.0/8,9.0.0.0/8", NULL };
	char *port[] = { "webui", "origin=http://a", "port=65536", NULL };
	char *unknown[] = { "webui", "origin=http://a", "debug", NULL };

	CHECK_EQ(webui_config_parse(&c, 3, ok, &bad), 0);
	CHECK_STR(c.origin, "https://capos.example");
	CHECK_EQ(c.port, 8080);
	CHECK_EQ(webui_config_parse(&c, 2, no_origin, &bad), -CAPOS_EINVAL);
	CHECK_EQ(webui_config_parse(&c, 2, path, &bad), -CAPOS_EINVAL);
	CHECK_STR(bad, "origin=http://a.example/x");
	CHECK_EQ(webui_config_parse(&c, 2, scheme, &bad), -CAPOS_EINVAL);
	CHECK_EQ(webui_config_parse(&c, 3, hostbits, &bad), -CAPOS_EINVAL);
	CHECK_EQ(webui_config_parse(&c, 3, many, &bad), -CAPOS_EINVAL);
	CHECK_EQ(webui_config_parse(&c, 3, port, &bad), -CAPOS_EINVAL);
	CHECK_EQ(webui_config_parse(&c, 3, unknown, &bad), -CAPOS_EINVAL);
}

static void test_cidr(void)
{
	struct webui_cidr r;
	uint32_t a;

	CHECK_EQ(webui_parse_cidr("130.211.0.0/22", 14, &r), 0);
	CHECK_EQ(r.net, 0x82d30000u);
	CHECK_EQ(r.mask, 0xfffffc00u);
	CHECK_EQ(webui_parse_cidr("0.0.0.0/0", 9, &r), 0);
	CHECK_EQ(r.mask, 0);
	CHECK(webui_parse_cidr("1.2.3.4/33", 10, &r) != 0);
	CHECK(webui_parse_cidr("1.2.3.4", 7, &r) != 0);
	CHECK(webui_parse_cidr("1.2.3/24", 8, &r) != 0);
	CHECK(webui_parse_cidr("1.2.3.4/", 8, &r) != 0);
	CHECK(webui_parse_ipv4("256.1.1.1", 9, &a) != 0);
	CHECK(webui_parse_ipv4("1.1.1.1.1", 9, &a) != 0);
	CHECK(webui_parse_ipv4("1..1.1", 6, &a) != 0);
	CHECK(webui_parse_ipv4("0001.1.1.1", 10, &a) != 0);
	CHECK_EQ(webui_parse_ipv4("10.0.2.2", 8, &a), 0);
	CHECK_EQ(a, 0x0a000202u);
}

static void test_proxies(void)
{
	uint32_t lb = 0x82d30001u;          /* 130.211.0.1: inside a trusted range */
	uint32_t stranger = 0x0a000202u;    /* 10.0.2.2 */
	struct webui_client c;

	CHECK(webui_is_proxy(&cfg, lb));
	CHECK(webui_is_proxy(&cfg, 0x23bf1234u));   /* 35.191.18.52 */
	CHECK(!webui_is_proxy(&cfg, 0x82d30400u));  /* 130.211.4.0: just outside the /22 */
	/* an untrusted peer's headers are ignored */
	c = webui_client_of(&cfg, stranger, "1.2.3.4", "https");
	CHECK_EQ(c.addr, stranger);
	CHECK_EQ(c.https, 0);
	/* a trusted one's: the rightmost address that is not a proxy */
	c = webui_client_of(&cfg, lb, "9.9.9.9, 1.2.3.4, 35.191.0.7", "https");
	CHECK_EQ(c.addr, 0x01020304u);
	CHECK_EQ(c.https, 1);
	c = webui_client_of(&cfg, lb, "1.2.3.4", "http");
	CHECK_EQ(c.https, 0);
	/* unreadable: the proxy stands */
	c = webui_client_of(&cfg, lb, "unknown", NULL);
	CHECK_EQ(c.addr, lb);
	c = webui_client_of(&cfg, lb, NULL, "HTTPS");
	CHECK_EQ(c.addr, lb);
	CHECK_EQ(c.https, 0);
}

static void test_origin_rule(void)
{
	CHECK(webui_origin_ok(&cfg, ORIGIN, 1));
	CHECK(!webui_origin_ok(&cfg, ORIGIN, 0));
	CHECK(!webui_origin_ok(&cfg, "http://127.0.0.1:808", 1));
	CHECK(!webui_origin_ok(&cfg, "http://127.0.0.1:80800", 1));
	CHECK(!webui_origin_ok(&cfg, "HTTP://127.0.0.1:8080", 1));
	CHECK(webui_ct_equal("abc", "abc", 3));
	CHECK(!webui_ct_equal("abc", "abd", 3));
	CHECK(webui_ct_equal("", "x", 0));
}

static void test_site(void)
{
	struct webui_site s = { .nfiles = 0 };
	unsigned i;

	CHECK_STR(webui_content_type("a.css"), "text/css; charset=utf-8");
	CHECK_STR(webui_content_type("a.svg"), "image/svg+xml");
	CHECK(webui_content_type("a.exe") == NULL);
	CHECK(webui_content_type(".js") == NULL);
	CHECK(webui_site_add(&s, "secret.key", "k", 1) != 0);
	for (i = 0; i < WEBUI_SITE_FILES; i++)
		CHECK_EQ(webui_site_add(&s, "a.txt", "a", 1), 0);
	CHECK(webui_site_add(&s, "b.txt", "b", 1) != 0);
}

/*
 * The request corpus (tests/fuzz/corpus/webui, written by mkcorpus.py from
 * tests/qemu/webui/requests.py): a seed named STATUS-NAME gets that status
 * for its first request (the seed's first byte is the fuzz target's piece
 * size, skipped here).
 */
static const char *corpus_dir;

static void test_corpus(void)
{
	static char data[WEBUI_HEADER_MAX * 2 + WEBUI_BODY_MAX * 2];
	DIR *d = opendir(corpus_dir);
	struct dirent *e;
	int seen = 0;

	CHECK(d != NULL);
	while (d && (e = readdir(d)) != NULL) {
		char path[512];
		FILE *f;
		size_t n;
		int want = atoi(e->d_name);

		if (want < 100)
			continue;
		snprintf(path, sizeof(path), "%s/%s", corpus_dir, e->d_name);
		f = fopen(path, "rb");
		CHECK(f != NULL);
		if (!f)
			continue;
		n = fread(data, 1, sizeof(data) - 1, f);
		fclose(f);
		data[n] = 0;
		if (ask(data + 1) != want)
			printf("#   %s: %d, expected %d\n", e->d_name, resp.status, want);
		CHECK_EQ(resp.status, want);
		seen++;
	}
	if (d)
		closedir(d);
	CHECK(seen >= 30);
}

int main(int argc, char **argv)
{
	corpus_dir = argc > 1 ? argv[1] : "tests/fuzz/corpus/webui";
	setup();
	RUN(test_get_static);
	RUN(test_not_found);
	RUN(test_malformed);
	RUN(test_header_limit);
	RUN(test_body_limit);
	RUN(test_keep_alive_and_request_limit);
	RUN(test_pipelining);
	RUN(test_header_deadline);
	RUN(test_body_deadline);
	RUN(test_idle_and_send_deadlines);
	RUN(test_api);
	RUN(test_methods);
	RUN(test_origin_and_content_type);
	RUN(test_hardening_headers);
	RUN(test_config);
	RUN(test_cidr);
	RUN(test_proxies);
	RUN(test_origin_rule);
	RUN(test_site);
	RUN(test_corpus);
	return check_done();
}
