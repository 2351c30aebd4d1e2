/*
 * echo-client: calls the echo service (capability "echo") ROUNDS times
 * (its argument, default 3) with a short text and prints each answer,
 * then calls a method the service does not have and prints the
 * application error.  Exit code 0 when every answer was right, 1 if not.
 */
#include <stdlib.h>
#include <string.h>
#include <capos/ipc.h>
#include <capos/rt.h>
#include "echo.h"

#define UNKNOWN_METHOD 7

static int call_echo(uint32_t cap, uint32_t iface, int round)
{
	char text[32], answer[64];
	struct capos_ipc_reply reply;
	int len = capos_snprintf(text, sizeof text, "hello %d", round);
	int err = capos_ipc_call(cap, iface, ECHO_METHOD_ECHO, text, (uint32_t)len, NULL, 0, answer,
				 sizeof answer - 1, &reply);

	if (err) {
		capos_printf("echo-client: call %d failed: %s\n", round,
			     err == CAPOS_STATUS_APP_ERROR ? "application error" : capos_strerror(err));
		return 1;
	}
	answer[reply.len] = '\0';
	capos_printf("echo-client: sent '%s', got '%s'\n", text, answer);
	return strcmp(text, answer) != 0;
}

static int call_unknown(uint32_t cap, uint32_t iface)
{
	char out[CAPOS_APP_ERROR_MESSAGE_MAX + 16];
	struct capos_ipc_reply reply;
	int err = capos_ipc_call(cap, iface, UNKNOWN_METHOD, NULL, 0, NULL, 0, out, sizeof out, &reply);

	if (err != CAPOS_STATUS_APP_ERROR) {
		capos_printf("echo-client: method %d: expected an application error, got %s\n", UNKNOWN_METHOD,
			     err ? capos_strerror(err) : "an answer");
		return 1;
	}
	capos_printf("echo-client: method %d: application error %d: %.*s\n", UNKNOWN_METHOD, reply.app_code,
		     (int)reply.app_message_len, reply.app_message);
	return reply.app_code != ECHO_ENOMETHOD;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3, failures = 0;
	uint32_t iface = 0;
	uint32_t cap = capos_cap_find("echo", &iface);

	if (!cap) {
		capos_printf("echo-client: no capability 'echo'\n");
		return 1;
	}
	for (int i = 1; i <= rounds; i++)
		failures += call_echo(cap, iface, i);
	failures += call_unknown(cap, iface);
	capos_printf("echo-client: %d calls, %d failures\n", rounds + 1, failures);
	return failures ? 1 : 0;
}
