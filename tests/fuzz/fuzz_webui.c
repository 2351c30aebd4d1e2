/*
 * libFuzzer target for the Web UI's request handling (apps/webui: the
 * connection engine over http-parser, the routes, the answers).  The
 * input's first byte picks how it is cut into pieces (as TCP would
 * deliver it); the rest is the byte stream of one connection, fed with a
 * clock that advances a little per piece, and every READY or ERROR is
 * answered as the server does, pipelined requests included.
 *
 * Checked: the engine never takes more bytes than offered and takes none
 * when it waits for an answer; every answer has a status the server
 * documents, a header block that fits and carries the hardening headers;
 * an error answer closes the connection and is never cacheable; only a
 * 200 for a static file is cacheable; a closed connection takes nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "policy.h"
#include "respond.h"
#include "routes.h"
#include "site.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct webui_config cfg;
static struct webui_site site;
static struct webui_conn conn;
static struct webui_response resp;
static char head[WEBUI_HEAD_MAX];

static void setup(void)
{
	static int done;
	char *argv[] = { "webui", "origin=http://127.0.0.1:8080", "proxies=10.0.2.0/24", NULL };
	const char *bad;

	if (done)
		return;
	done = 1;
	webui_http_setup();
	if (webui_config_parse(&cfg, 3, argv, &bad) != 0)
		abort();
	webui_site_add(&site, "index.html", "<!doctype html>", 15);
	webui_site_add(&site, "app.js", "export {};", 10);
}

static int documented(int status)
{
	static const int statuses[] = { 200, 400, 401, 403, 404, 405, 408, 413, 414, 415, 431, 503 };
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i] == status)
			return 1;
	return 0;
}

static void check_answer(void)
{
	int error = conn.phase == WEBUI_ERROR;
	size_t n;

	webui_answer(&cfg, &site, &conn, &resp);
	if (!documented(resp.status))
		abort();
	n = webui_response_head(&resp, head, sizeof(head));
	if (n == 0 || !strstr(head, "Content-Security-Policy: default-src 'self';") ||
	    !strstr(head, "X-Content-Type-Options: nosniff\r\n") || !strstr(head, "Referrer-Policy: no-referrer\r\n"))
		abort();
	if (error && (!resp.close || resp.cacheable))
		abort();
	if (resp.cacheable && resp.status != 200)
		abort();
	if (!resp.cacheable && !strstr(head, "Cache-Control: no-store\r\n"))
		abort();
	/* a lone client-supplied value never reaches the header block (only fixed texts and numbers do) */
	if (strstr(head, "\r\n\r\n") != head + n - 4)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t piece, off = 1;
	uint64_t now = 0;

	setup();
	if (size < 1)
		return 0;
	piece = (size_t)(data[0] % 64) + 1;
	webui_conn_init(&conn, now);
	while (off < size && conn.phase != WEBUI_CLOSED) {
		size_t len = size - off < piece ? size - off : piece;
		size_t n = webui_conn_feed(&conn, (const char *)data + off, len, now);

		if (n > len)
			abort();
		off += n;
		now += 7;
		if (conn.phase == WEBUI_READY || conn.phase == WEBUI_ERROR) {
			check_answer();
			if (webui_conn_feed(&conn, (const char *)data + off, size - off, now) != 0)
				abort();
			webui_conn_sending(&conn, now);
			webui_conn_sent(&conn, !resp.close, now);
		} else if (n == 0) {
			abort();                          /* still reading, yet nothing taken */
		}
	}
	if (conn.phase == WEBUI_CLOSED && webui_conn_feed(&conn, "GET / HTTP/1.1\r\n\r\n", 18, now) != 0)
		abort();
	webui_conn_eof(&conn, now);
	if (conn.phase == WEBUI_ERROR)
		check_answer();
	webui_conn_expire(&conn, now + WEBUI_HEADER_MS + WEBUI_BODY_MS);
	return 0;
}
