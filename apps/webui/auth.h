/*
 * The Web UI's session side (docs/webui.md, "Login"): login through
 * sessiond's front-end export and the broker like the shell's, one browser
 * session per logged-in browser holding that user session's own bundle,
 * the data pages answered with that bundle only, logout and idle expiry
 * revoking it.  Capabilities: "sessions" (a client of sessiond's
 * "frontend" export), "launcher" (the broker's ShellLauncher: a broker
 * client per session).  Arguments: idle=SECONDS (default 900).
 */
#ifndef WEBUI_AUTH_H
#define WEBUI_AUTH_H

#include <stdint.h>
#include "routes.h"

/* Find the capabilities, set the idle time and hook the API (routes.h): 0, or a negative code (said). */
int webui_auth_start(uint64_t idle_ms);

/* End the sessions idle past the limit; called each turn of the server loop. */
void webui_auth_sweep(uint64_t now_ms);

#endif
