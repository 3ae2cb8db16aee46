/* handshake.h — the connection setup of a stream: SYN, SYN-ACK and the
 * client's ACK, how many times each SYN was sent, and what that cost.
 *
 * Fed every segment record in capture order. Both the analysis (turns,
 * handshake RTT) and the diagnosis (path RTT, capture point) keep one.
 * Pure C + GLib.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_HANDSHAKE_H
#define TCPFOLLOWTS_HANDSHAKE_H

#include "engine.h"

typedef struct {
    bool syn_seen, syn_ack_seen;
    bool complete;                /* SYN, SYN-ACK and the client's ACK all seen */
    unsigned syn_sender;
    uint32_t syn_frame, syn_ack_frame, ack_frame; /* syn: the last SYN before the SYN-ACK */
    int64_t syn_ns, syn_ack_ns, ack_ns;
    uint32_t first_syn_frame;
    int64_t first_syn_ns;
    uint32_t syn_sent;            /* SYNs without ACK from the SYN's sender */
    uint32_t syn_ack_sent;        /* SYN-ACKs from the other endpoint */
    bool answered;                /* a SYN-ACK was seen, or the SYN's sender went on as if
                                     it had been (a capture of one direction only) */
} tcp_handshake;

/* Returns true when seg is a SYN or SYN-ACK sent again (not the first one). */
bool handshake_add(tcp_handshake *h, const engine_segment *seg);

/* Full round trip SYN -> ACK (the same from any capture point), from the last
 * SYN before the SYN-ACK; false if incomplete. */
bool handshake_rtt(const tcp_handshake *h, int64_t *ns);
/* What connecting cost: the first SYN to the handshake's ACK; false if incomplete. */
bool handshake_setup(const tcp_handshake *h, int64_t *ns);

#endif
