/*
 * The echo protocol, shared by echo-server and echo-client.  A client
 * capability of the endpoint speaks the interface id the manifest gave
 * the export (0x1000 unless it says otherwise); the client takes it from
 * its bootstrap page, so the server need not know it.
 *
 *   method 0 (echo)   parameters: up to ECHO_MAX bytes; reply: the same bytes
 *   any other         application error ECHO_ENOMETHOD, "echo: no method N"
 */
#ifndef APPS_ECHO_H
#define APPS_ECHO_H

#define ECHO_METHOD_ECHO 0
#define ECHO_MAX 4096
#define ECHO_ENOMETHOD 1

#endif
