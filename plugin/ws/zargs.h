/* zargs.h — parse "tcpfollowts,stream,N[,OPT=VAL...]" and its siblings.
 *
 * Pure C: no Wireshark header, so every bad-argument case is unit-tested.
 * Errors are values: one line naming the bad token and what was expected.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_ZARGS_H
#define TCPFOLLOWTS_ZARGS_H

#include "options.h"

#include <stdbool.h>
#include <stdint.h>

#define ZARGS_TAP_NAME "tcpfollowts"

typedef enum { ZARGS_STREAM, ZARGS_ADDR, ZARGS_ALL, ZARGS_HELP } zargs_mode;

/* How the payload reaches the tap: the fast "tcp_follow" tap (checked at run
 * time) or the public protocol-tree path. */
typedef enum { ZARGS_TAP_AUTO, ZARGS_TAP_TREE } zargs_tap;

typedef struct {
    int family;          /* 4 or 6 */
    uint8_t bytes[16];   /* network order; 4 used for IPv4 */
    uint16_t port;
} zargs_endpoint;

typedef struct {
    zargs_mode mode;
    uint32_t stream;        /* ZARGS_STREAM */
    zargs_endpoint ep[2];   /* ZARGS_ADDR */
    report_options opts;
    zargs_tap tap;
} zargs_request;

/* Parse arg (the whole -z value). On error returns false and sets *error to a
 * g_malloc'd message (no trailing newline). */
bool zargs_parse(const char *arg, zargs_request *req, char **error);

/* "stream 4" / "addr 10.0.0.1:80 10.0.0.2:40000": the selection in words; g_free it. */
char *zargs_describe_selection(const zargs_request *req);

/* The help text printed by -z tcpfollowts,help; g_free it. */
char *zargs_usage(void);

#endif
