/*
 * The connection table of server.h.  Everything runs in the one network
 * thread (lwIP's callbacks come from capos_netloop_turn), so no locking.
 *
 * Receiving: lwIP hands pbufs; they are queued on the slot and fed to the
 * connection engine as it takes them; bytes of a pipelined next request
 * wait in the queue while the current answer goes out, and the TCP window
 * (tcp_recved only for bytes parsed) stops a client that sends far ahead.
 * Sending: the header block and body are written as the send buffer
 * allows, the rest when lwIP reports acknowledged bytes (tcp_sent).
 * Every request is logged with the client, method, path (never the query
 * string: it may carry a secret) and status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/tcp.h"

#include <capos/netstack.h>

#include "http.h"
#include "respond.h"
#include "routes.h"
#include "server.h"

struct slot {
	struct tcp_pcb *pcb;                 /* NULL: free */
	struct webui_conn conn;
	struct pbuf *in;                     /* received, not yet parsed */
	uint16_t in_off;                     /* bytes of in's first pbuf already parsed */
	uint32_t peer;                       /* host byte order */
	uint64_t linger_until;               /* after the last answer: reading and dropping until the client closes */
	int peer_closed;                     /* the client's FIN came */
	struct webui_response resp;
	int held;                            /* resp is decided and waits for resp.hold_until_ms */
	struct webui_client client;          /* of the request being answered, for the log */
	char head[WEBUI_HEAD_MAX];
	size_t head_len, out_off, out_len;
};

static struct slot slots[WEBUI_CONNS];
static const struct webui_config *config;
static const struct webui_site *site;
static struct webui_server_stats stats;

static const char full_answer_body[] = "{\"error\":\"server busy\"}";
static char full_answer[WEBUI_HEAD_MAX + sizeof(full_answer_body)];
static size_t full_answer_len;

static uint64_t now_ms(void)
{
	return capos_netstack_now_ms();
}

/* What the client sent after the last answer is read and dropped. */
#define WEBUI_LINGER_MS 2000u
/* A connection refused with 503 is aborted after this many of lwIP's 500 ms polls. */
#define WEBUI_BUSY_POLLS 4u

/* An answer's body from malloc goes once the answer is out (or the connection is). */
static void drop_owned(struct slot *s)
{
	free(s->resp.owned);
	s->resp.owned = NULL;
	s->resp.body = NULL;
}

static void slot_free(struct slot *s)
{
	if (s->in)
		pbuf_free(s->in);
	s->in = NULL;
	s->pcb = NULL;
	s->held = 0;
	drop_owned(s);
}

/*
 * Closing with received bytes not taken makes lwIP answer with a reset,
 * which can destroy the answer still in flight: they are taken first.
 */
static void slot_close(struct slot *s)
{
	struct tcp_pcb *pcb = s->pcb;

	if (s->in)
		tcp_recved(pcb, (u16_t)(s->in->tot_len - s->in_off));
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
	slot_free(s);
}

static void slot_abort(struct slot *s)
{
	struct tcp_pcb *pcb = s->pcb;

	tcp_arg(pcb, NULL);
	tcp_err(pcb, NULL);
	slot_free(s);
	tcp_abort(pcb);
}

/* The path for the log: up to the query string, printable, at most 64 bytes. */
static void log_answer(const struct slot *s, const struct webui_client *client)
{
	const struct webui_request *r = &s->conn.req;
	char path[65];
	size_t i;

	for (i = 0; i < r->url_len && i < sizeof(path) - 1 && r->url[i] != '?'; i++)
		path[i] = r->url[i] > 0x20 && r->url[i] < 0x7f ? r->url[i] : '_';
	path[i] = 0;
	printf("webui: %u.%u.%u.%u%s %s %s %d\n", client->addr >> 24, (client->addr >> 16) & 255,
	       (client->addr >> 8) & 255, client->addr & 255, client->https ? " https" : "",
	       s->conn.phase == WEBUI_READY ? http_method_str(r->method) : "-", i ? path : "-", s->resp.status);
}

/* Queue as much of the answer as the send buffer takes. */
static void push_out(struct slot *s)
{
	while (s->out_off < s->out_len) {
		const char *from;
		size_t left, n;
		u16_t room = tcp_sndbuf(s->pcb);

		if (s->out_off < s->head_len) {
			from = s->head + s->out_off;
			left = s->head_len - s->out_off;
		} else {
			from = (const char *)s->resp.body + (s->out_off - s->head_len);
			left = s->out_len - s->out_off;
		}
		n = left < room ? left : room;
		if (n == 0 || tcp_write(s->pcb, from, (u16_t)n, TCP_WRITE_FLAG_COPY |
					(s->out_off + n < s->out_len ? TCP_WRITE_FLAG_MORE : 0)) != ERR_OK)
			break;
		s->out_off += n;
	}
	tcp_output(s->pcb);
}

/*
 * The answer is queued: 0 when the connection goes on (WAIT for the next
 * request), -1 when it ended.  The end is a half close (our FIN after the
 * answer) and a short linger reading what the client still sends: closing
 * both ways at once would reset the connection when a refused body is
 * still arriving, and the client might never read its 413.
 */
static int end_answer(struct slot *s)
{
	drop_owned(s);
	webui_conn_sent(&s->conn, !s->resp.close, now_ms());
	if (s->conn.phase != WEBUI_CLOSED)
		return 0;
	if (s->in) {
		tcp_recved(s->pcb, (u16_t)(s->in->tot_len - s->in_off));
		pbuf_free(s->in);
		s->in = NULL;
	}
	s->linger_until = now_ms() + WEBUI_LINGER_MS;
	if (tcp_shutdown(s->pcb, 0, 1) != ERR_OK)
		slot_close(s);
	return -1;
}

/* Send the decided answer (resp): 1 when the whole of it is queued. */
static int send_answer(struct slot *s)
{
	s->held = 0;
	s->head_len = webui_response_head(&s->resp, s->head, sizeof(s->head));
	s->out_off = 0;
	s->out_len = s->head_len + (s->resp.head_only ? 0 : s->resp.body_len);
	stats.answers++;
	log_answer(s, &s->client);
	webui_conn_sending(&s->conn, now_ms());
	push_out(s);
	return s->out_off == s->out_len;
}

/*
 * Decide the answer to the request in hand (READY or ERROR), then send it
 * — or, for an answer held back (a failed login's delay), leave it decided
 * and let webui_server_tick send it when its time comes, serving everyone
 * else meanwhile.  1 when the whole answer is queued.
 */
static int start_answer(struct slot *s)
{
	struct webui_request *r = &s->conn.req;

	s->client = webui_client_of(config, s->peer, r->has_forwarded_for ? r->forwarded_for : NULL,
				    r->has_forwarded_proto ? r->forwarded_proto : NULL);
	r->client_addr = s->client.addr;
	r->client_https = s->client.https;
	if (s->conn.phase == WEBUI_ERROR)
		stats.violations++;
	webui_answer(config, site, &s->conn, &s->resp);
	memset(r->body, 0, r->body_len);   /* a login's password goes no further than its answer */
	if (s->resp.hold_until_ms > now_ms()) {
		s->held = 1;
		return 0;
	}
	return send_answer(s);
}

/* Feed queued bytes to the engine until it wants an answer or the queue is empty. */
static void feed(struct slot *s)
{
	while (s->in && (s->conn.phase == WEBUI_WAIT || s->conn.phase == WEBUI_HEADERS ||
			 s->conn.phase == WEBUI_BODY)) {
		struct pbuf *p = s->in;
		size_t n = webui_conn_feed(&s->conn, (const char *)p->payload + s->in_off, p->len - s->in_off,
					   now_ms());

		s->in_off = (uint16_t)(s->in_off + n);
		tcp_recved(s->pcb, (u16_t)n);
		if (s->in_off == p->len) {
			s->in = p->next;
			if (s->in)
				pbuf_ref(s->in);
			pbuf_free(p);
			s->in_off = 0;
		}
	}
}

/*
 * Feed, answer, repeat — a loop, not recursion, so a window full of
 * pipelined requests costs no stack — until the input runs out, an answer
 * waits for the network (on_sent and on_poll come back here), or the
 * connection ends.  A client that closed its side gets its pipelined
 * requests answered, then the connection closes.
 */
static void serve(struct slot *s)
{
	if (s->held)
		return;                           /* webui_server_tick sends it, then serves on */
	for (;;) {
		feed(s);
		if (s->conn.phase != WEBUI_READY && s->conn.phase != WEBUI_ERROR)
			break;
		if (!start_answer(s) || end_answer(s))
			return;
	}
	if (s->peer_closed && s->conn.phase == WEBUI_WAIT && !s->in)
		slot_close(s);
}

/* More of the answer queued: when all of it is, the connection goes on. */
static void continue_answer(struct slot *s)
{
	push_out(s);
	if (s->out_off == s->out_len && end_answer(s) == 0)
		serve(s);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct slot *s = arg;

	if (!s) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (err != ERR_OK) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		s->peer_closed = 1;
		if (s->linger_until) {
			slot_close(s);
			return ERR_OK;
		}
		if (s->conn.phase == WEBUI_SENDING || s->held)
			return ERR_OK;            /* serve() closes once the answers are out */
		webui_conn_eof(&s->conn, now_ms());
		if (s->conn.phase == WEBUI_CLOSED) {
			slot_close(s);
			return ERR_OK;
		}
	} else if (s->linger_until || (s->conn.phase == WEBUI_SENDING && s->resp.close)) {
		tcp_recved(pcb, p->tot_len);     /* after the last answer: read and dropped */
		pbuf_free(p);
		return ERR_OK;
	} else if (s->in) {
		pbuf_cat(s->in, p);
	} else {
		s->in = p;
		s->in_off = 0;
	}
	if (s->conn.phase != WEBUI_SENDING && !s->held)
		serve(s);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct slot *s = arg;

	(void)pcb;
	(void)len;
	if (!s || s->conn.phase != WEBUI_SENDING)
		return ERR_OK;
	continue_answer(s);
	return ERR_OK;
}

/*
 * Every 500 ms while connected: an answer that could not be queued at all
 * (lwIP's heap full under many connections, nothing in flight, so no
 * tcp_sent will come) is tried again.
 */
static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct slot *s = arg;

	(void)pcb;
	if (!s || s->conn.phase != WEBUI_SENDING || s->out_off == s->out_len)
		return ERR_OK;
	continue_answer(s);
	return ERR_OK;
}

/* lwIP freed the PCB (reset, or an abort of its own): the slot only forgets it. */
static void on_err(void *arg, err_t err)
{
	struct slot *s = arg;

	(void)err;
	if (s)
		slot_free(s);
}

static struct slot *free_slot(void)
{
	unsigned i;

	for (i = 0; i < WEBUI_CONNS; i++)
		if (!slots[i].pcb)
			return &slots[i];
	/* one done and lingering, then an idle keep-alive one gives way: its client reconnects at no cost */
	for (i = 0; i < WEBUI_CONNS; i++)
		if (slots[i].linger_until) {
			slot_close(&slots[i]);
			return &slots[i];
		}
	for (i = 0; i < WEBUI_CONNS; i++)
		if (slots[i].conn.phase == WEBUI_WAIT && slots[i].conn.requests > 0 && !slots[i].in) {
			slot_close(&slots[i]);
			stats.evicted_idle++;
			return &slots[i];
		}
	return NULL;
}

/* A connection refused with 503: what it sends is dropped; its FIN, or the poll limit, ends it. */
static err_t busy_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	(void)err;
	if (p) {
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	tcp_recv(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	if (tcp_close(pcb) != ERR_OK) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	return ERR_OK;
}

static err_t busy_poll(void *arg, struct tcp_pcb *pcb)
{
	uintptr_t polls = (uintptr_t)arg + 1;

	if (polls < WEBUI_BUSY_POLLS) {
		tcp_arg(pcb, (void *)polls);
		return ERR_OK;
	}
	tcp_abort(pcb);
	return ERR_ABRT;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct slot *s;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	tcp_nagle_disable(pcb);
	s = free_slot();
	if (!s) {
		stats.refused_full++;
		tcp_arg(pcb, (void *)0);
		tcp_recv(pcb, busy_recv);
		tcp_poll(pcb, busy_poll, 1);
		if (tcp_write(pcb, full_answer, (u16_t)full_answer_len, 0) != ERR_OK ||
		    tcp_shutdown(pcb, 0, 1) != ERR_OK) {
			tcp_abort(pcb);
			return ERR_ABRT;
		}
		return ERR_OK;
	}
	stats.accepted++;
	s->pcb = pcb;
	s->in = NULL;
	s->in_off = 0;
	s->linger_until = 0;
	s->peer_closed = 0;
	s->head_len = s->out_off = s->out_len = 0;
	s->peer = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)));
	webui_conn_init(&s->conn, now_ms());
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	tcp_poll(pcb, on_poll, 1);
	return ERR_OK;
}

int webui_server_start(const struct webui_config *cfg, const struct webui_site *s)
{
	struct webui_response busy;
	struct tcp_pcb *pcb = tcp_new();
	size_t head;

	config = cfg;
	site = s;
	webui_http_setup();
	webui_error(&busy, 503, "server busy");
	busy.close = 1;
	head = webui_response_head(&busy, full_answer, WEBUI_HEAD_MAX);
	memcpy(full_answer + head, busy.body, busy.body_len);
	full_answer_len = head + busy.body_len;
	if (!pcb || tcp_bind(pcb, IP4_ADDR_ANY, cfg->port) != ERR_OK)
		return -1;
	pcb = tcp_listen_with_backlog(pcb, 8);
	if (!pcb)
		return -1;
	tcp_accept(pcb, on_accept);
	return 0;
}

uint32_t webui_server_tick(uint64_t now)
{
	uint64_t next = UINT32_MAX;
	unsigned i;

	for (i = 0; i < WEBUI_CONNS; i++) {
		struct slot *s = &slots[i];
		uint64_t w;

		if (!s->pcb)
			continue;
		if (s->held) {
			if (now >= s->resp.hold_until_ms) {
				if (send_answer(s) && end_answer(s) == 0)
					serve(s);
			} else if (s->resp.hold_until_ms - now < next) {
				next = s->resp.hold_until_ms - now;
			}
			continue;
		}
		if (s->linger_until) {
			if (now >= s->linger_until)
				slot_close(s);
			else if (s->linger_until - now < next)
				next = s->linger_until - now;
			continue;
		}
		if (webui_conn_expire(&s->conn, now)) {
			stats.timeouts++;
			if (s->conn.phase == WEBUI_ERROR)
				serve(s);                 /* 408 */
			else if (s->conn.requests > 0 && !s->in && s->out_off == s->out_len)
				slot_close(s);            /* idle between requests */
			else
				slot_abort(s);            /* silent since accept, or not taking its answer */
			if (!s->pcb || s->linger_until)
				continue;
		}
		w = webui_conn_wait_ms(&s->conn, now);
		if (s->conn.phase != WEBUI_READY && s->conn.phase != WEBUI_ERROR && w < next)
			next = w;
	}
	return (uint32_t)next;
}

const struct webui_server_stats *webui_server_stats(void)
{
	return &stats;
}
