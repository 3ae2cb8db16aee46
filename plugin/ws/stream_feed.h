/* stream_feed.h — one TCP stream's engine and endpoints, fed from tap segments.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_STREAM_FEED_H
#define TCPFOLLOWTS_STREAM_FEED_H

#include "ws_compat.h"

#include "diagnosis.h"
#include "report.h"

#include <epan/address.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/packet_info.h>

typedef struct {
    engine_stream *engine;
    diagnosis *diag;
    uint32_t stream;
    address sender0_addr; /* the sender of the stream's first segment is sender 0 */
    uint16_t sender0_port;
    char *addr[2];
    uint16_t port[2];
    bool ipv6;
} stream_feed;

/* Take ownership of engine and diag; th is the stream's first segment. */
void stream_feed_init(stream_feed *sf, engine_stream *engine, diagnosis *diag, const struct tcpheader *th);
void stream_feed_clear(stream_feed *sf);

/* A segment as the engine takes it, from TCP's header (the tap's, or one read
 * from the protocol tree) and the sender it came from. */
engine_segment_in stream_segment_in(const packet_info *pinfo, const struct tcpheader *th, unsigned sender,
                                    const uint8_t *payload, uint32_t caplen);
/* The header's SACK blocks, as raw edges. */
diag_sack stream_segment_sack(const struct tcpheader *th);

/* Copy what the engine needs from the tap's segment (it lives only during the callback). */
const engine_segment *stream_feed_add(stream_feed *sf, const packet_info *pinfo, const struct tcpheader *th,
                                      const uint8_t *payload, uint32_t caplen);

/* The stream is complete: settle the engine and the diagnosis (once). */
void stream_feed_finish(stream_feed *sf);

/* The report's view of the stream; call stream_feed_finish first. */
report_stream stream_feed_report(const stream_feed *sf);

#endif
