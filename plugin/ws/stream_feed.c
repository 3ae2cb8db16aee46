/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "stream_feed.h"

#include <epan/to_str.h>

static char *address_copy_string(const address *a)
{
    char *w = address_to_str(NULL, a);
    char *s = g_strdup(w);
    wmem_free(NULL, w);
    return s;
}

void stream_feed_init(stream_feed *sf, engine_stream *engine, diagnosis *diag, const struct tcpheader *th)
{
    sf->engine = engine;
    sf->diag = diag;
    sf->stream = th->th_stream;
    copy_address(&sf->sender0_addr, &th->ip_src);
    sf->sender0_port = th->th_sport;
    sf->addr[0] = address_copy_string(&th->ip_src);
    sf->addr[1] = address_copy_string(&th->ip_dst);
    sf->port[0] = th->th_sport;
    sf->port[1] = th->th_dport;
    sf->ipv6 = th->ip_src.type == AT_IPv6;
}

void stream_feed_clear(stream_feed *sf)
{
    engine_free(sf->engine);
    diagnosis_free(sf->diag);
    free_address(&sf->sender0_addr);
    g_free(sf->addr[0]);
    g_free(sf->addr[1]);
    memset(sf, 0, sizeof *sf);
}

engine_segment_in stream_segment_in(const packet_info *pinfo, const struct tcpheader *th, unsigned sender,
                                    const uint8_t *payload, uint32_t caplen)
{
    engine_segment_in in = {
        .frame = pinfo->num,
        .time_ns = (int64_t)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs,
        .sender = sender,
        .seq = th->th_rawseq,
        .ack = th->th_rawack,
        .flags = th->th_flags,
        .win = th->th_win,
        .have_len = th->th_have_seglen,
        .len = th->th_seglen,
        .payload = payload,
        .caplen = caplen,
    };
    return in;
}

diag_sack stream_segment_sack(const struct tcpheader *th)
{
    /* th_ack and the SACK edges are relative to the same base when
     * relative sequence numbers are on: undo it to get raw edges */
    diag_sack sack = {.count = MIN(th->num_sack_ranges, DIAG_MAX_SACK)};
    uint32_t base = th->th_rawack - th->th_ack;
    for (unsigned i = 0; i < sack.count; i++) {
        sack.left[i] = th->sack_left_edge[i] + base;
        sack.right[i] = th->sack_right_edge[i] + base;
    }
    return sack;
}

const engine_segment *stream_feed_add(stream_feed *sf, const packet_info *pinfo, const struct tcpheader *th,
                                      const uint8_t *payload, uint32_t caplen)
{
    bool from_sender0 = th->th_sport == sf->sender0_port && cmp_address(&th->ip_src, &sf->sender0_addr) == 0;
    engine_segment_in in = stream_segment_in(pinfo, th, from_sender0 ? 0 : 1, payload, caplen);
    const engine_segment *rec = engine_add_segment(sf->engine, &in);
    diag_sack sack = stream_segment_sack(th);
    diagnosis_add(sf->diag, sf->engine, rec, &sack);
    return rec;
}

void stream_feed_finish(stream_feed *sf)
{
    if (engine_finished(sf->engine))
        return;
    engine_finish(sf->engine);
    diagnosis_finish(sf->diag, sf->engine);
}

report_stream stream_feed_report(const stream_feed *sf)
{
    report_stream rs = {sf->engine, sf->diag, sf->stream, {sf->addr[0], sf->addr[1]}, {sf->port[0], sf->port[1]},
                        sf->ipv6};
    return rs;
}
