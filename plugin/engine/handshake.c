/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "handshake.h"

bool handshake_add(tcp_handshake *h, const engine_segment *seg)
{
    bool syn = seg->flags & ENGINE_TCP_SYN, ack = seg->flags & ENGINE_TCP_ACK;
    if (syn && !ack) {
        if (!h->syn_seen) {
            h->syn_seen = true;
            h->syn_sender = seg->sender;
            h->first_syn_frame = seg->frame;
            h->first_syn_ns = seg->time_ns;
        }
        if (seg->sender != h->syn_sender)
            return false; /* a simultaneous open: not a re-send */
        if (!h->syn_ack_seen) {
            h->syn_frame = seg->frame;
            h->syn_ns = seg->time_ns;
        }
        return ++h->syn_sent > 1;
    }
    if (syn && ack) {
        if (!h->syn_seen || seg->sender == h->syn_sender)
            return false;
        if (!h->syn_ack_seen) {
            h->syn_ack_seen = true;
            h->answered = true;
            h->syn_ack_frame = seg->frame;
            h->syn_ack_ns = seg->time_ns;
        }
        return ++h->syn_ack_sent > 1;
    }
    if (ack && h->syn_seen && seg->sender == h->syn_sender)
        h->answered = true;
    if (ack && h->syn_ack_seen && !h->complete && seg->sender == h->syn_sender) {
        h->complete = true;
        h->ack_frame = seg->frame;
        h->ack_ns = seg->time_ns;
    }
    return false;
}

bool handshake_rtt(const tcp_handshake *h, int64_t *ns)
{
    *ns = h->complete ? h->ack_ns - h->syn_ns : 0;
    return h->complete;
}

bool handshake_setup(const tcp_handshake *h, int64_t *ns)
{
    *ns = h->complete ? h->ack_ns - h->first_syn_ns : 0;
    return h->complete;
}
