/*
 * The terminal's state: the chain of holders that owns the foreground,
 * the one pending read_line, the waits for ^C, the line discipline and
 * the receive ring (model: docs/terminal.md).  Pure logic, host-tested
 * (tests/host/terminal): everything it does to the world goes through
 * struct term_env — bytes to the UART, answers to calls named by their
 * reply tokens, "does this caller still wait", and cutting a holder out.
 * main.c gives each holder its own endpoint and revocable copy; here a
 * holder is only an index.
 *
 * Holders.  Index 0 is the root (the service's export).  The live ones
 * form one chain, root first, each lent from the one before; the last is
 * the foreground: only it reads and sets the echo.  A lender's reclaim, or
 * the last handle of a borrower going, cuts everything below the lender:
 * those holders are revoked (env->cut), their pending read and waits end
 * with -CAPOS_EREVOKED, the lender's own wait with -CAPOS_ECANCELED.
 *
 * Calls a caller abandoned (CANCEL, or it ended) stay recorded until
 * noticed: before a pending read or wait decides anything — refusing a
 * second one, taking input, being told of ^C — env->caller_waits is asked,
 * and an abandoned one is dropped as if it had never been made.
 */
#ifndef APPS_TERMINAL_CHAIN_H
#define APPS_TERMINAL_CHAIN_H

#include <stdbool.h>
#include <stdint.h>
#include "linedisc.h"

#define TERM_DEPTH_MAX 16u    /* holders below the root */
#define TERM_HOLDERS 24u      /* holder indices: the chain plus some still closing (main.c) */
#define TERM_RX_RING 1024u    /* bytes typed ahead */
#define TERM_NONE (-1)

struct term_env {
	void *ctx;
	/* Raw bytes to the UART. */
	void (*output)(void *ctx, const char *s, uint32_t len);
	/* Answer the call token names: status 0 with len reply bytes, or a negative CAPOS_E* code. */
	void (*answer)(void *ctx, uint64_t token, int32_t status, const void *reply, uint32_t len);
	/* 1 while the caller of token still waits, 0 once it cancelled or ended. */
	int (*caller_waits)(void *ctx, uint64_t token);
	/* Holder h is revoked for good: its capability goes, its index may be reused later. */
	void (*cut)(void *ctx, int h);
};

struct term_holder {
	bool live;             /* in the chain */
	int lender, borrower;  /* neighbours in the chain, TERM_NONE at the ends */
	uint64_t wait;         /* token of its pending wait_interrupt, 0: none */
};

struct term_line_result {
	uint32_t event;        /* CAPOS_TERMINAL_EVENT_* */
	char line[LINEDISC_MAX];
};

struct term_info {
	uint32_t state, reading, present, rx_dropped;
};

struct term {
	const struct term_env *env;
	bool present;                    /* the UART exists */
	struct term_holder h[TERM_HOLDERS];
	int reader;                      /* holder whose read_line is pending, TERM_NONE */
	uint64_t read_token;
	bool read_hidden;                /* CAPOS_TERMINAL_READ_HIDDEN */
	bool echo_hidden;                /* set_echo's mode, for the foreground only */
	struct linedisc ld;
	uint8_t rx[TERM_RX_RING];
	uint32_t rx_head, rx_tail;       /* free-running: tail - head bytes queued */
	uint32_t rx_dropped;
	char echo[LINEDISC_ECHO_MAX];
	struct term_line_result result;
};

void term_init(struct term *t, const struct term_env *env, bool present);

/*
 * The methods: a negative code to fail the call with, or 0.  read_line and
 * wait_interrupt then keep the token (and answer it later, maybe at once);
 * for the others the caller answers the call.
 */
int term_write(struct term *t, int h, const void *data, uint32_t len);
int term_read_line(struct term *t, int h, uint64_t token, uint32_t max, uint32_t flags, uint32_t result_cap);
int term_set_echo(struct term *t, int h, uint32_t mode);
/* lend is two steps around the capability work: may h lend?  Then link the new holder b. */
int term_lend_check(struct term *t, int h);
void term_lend_commit(struct term *t, int h, int b);
int term_reclaim(struct term *t, int h);
int term_info(struct term *t, int h, struct term_info *out);
int term_wait_interrupt(struct term *t, int h, uint64_t token, uint32_t result_cap);

/* The last capability of holder h is gone: the foreground goes back to its lender. */
void term_released(struct term *t, int h);
/* Bytes from the UART. */
void term_input(struct term *t, const uint8_t *bytes, uint32_t len);

#endif
