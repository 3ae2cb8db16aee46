/* tcp_source.h — every dissected TCP segment, with its payload, from the taps.
 *
 * A source registers the listeners (the fast "tcp_follow" + "tcp" pair, or
 * the public protocol-tree path with tap=tree), matches each payload to its
 * header, and hands one segment at a time to its consumer. Everything it hands
 * out lives only during the call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_TCP_SOURCE_H
#define TCPFOLLOWTS_TCP_SOURCE_H

#include "ws_compat.h"

#include "zargs.h"

#include <epan/dissectors/packet-tcp.h>
#include <epan/packet_info.h>
#include <epan/tvbuff.h>

typedef struct tcp_source tcp_source;

typedef struct {
    /* payload is NULL when caplen is 0 */
    void (*segment)(void *ctx, const packet_info *pinfo, const struct tcpheader *th,
                    const uint8_t *payload, uint32_t caplen);
    void (*reset)(void *ctx);
    void (*draw)(void *ctx);
    void (*finish)(void *ctx); /* the listeners are gone: free the consumer */
} tcp_source_consumer;

/* NULL and *error (g_malloc'd) when the taps cannot be registered. */
tcp_source *tcp_source_start(zargs_tap mode, const tcp_source_consumer *consumer, void *ctx, char **error);
/* Remove the listeners; the consumer's finish callback runs. */
void tcp_source_stop(tcp_source *src);

/* Stop passing Wireshark's draws on to the consumer: the GUI draws listeners
 * from a timer, in the middle of a retap too, and a drawn stream takes no
 * more segments. The consumer then draws when its owner asks. */
void tcp_source_draw_on_demand(tcp_source *src);

/* Segments whose payload could not be read because the fast tap's layout
 * check failed (the consumer got caplen 0: missing bytes, never invented). */
uint64_t tcp_source_layout_failures(const tcp_source *src);

/* A segment's payload as consumers take it: the captured part of the len bytes
 * at offset of tvb (tvb may be NULL), their count in *caplen; NULL when none. */
const uint8_t *tcp_source_payload(tvbuff_t *tvb, int offset, uint32_t len, uint32_t *caplen);

#endif
