/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tcp_source.h"

#include <epan/epan_dissect.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <epan/tvbuff.h>

/* What the "tcp_follow" tap hands out. The struct is private to packet-tcp.c
 * (identical in 4.0-4.6), so this mirror is checked for every frame: its tcph
 * must be the pointer the public "tcp" tap delivers next for the same frame. */
typedef struct {
    tvbuff_t *tvb; /* the segment's payload only */
    struct tcpheader *tcph;
    void *tcpd;
} follow_tap_data;

struct tcp_source {
    tcp_source_consumer consumer;
    void *ctx;
    zargs_tap mode;
    /* Two listeners need two tapdata addresses: these fields are their tags. */
    char tcp_tag, follow_tag;
    int proto_tcp;
    const follow_tap_data *pending; /* "tcp_follow" data awaiting its "tcp" twin */
    uint32_t pending_frame;
    uint32_t tree_frame;            /* tree path: which TCP layer of the frame */
    unsigned tree_layer;
    uint64_t layout_failures;
    bool draw_on_demand;
};

#define SOURCE_OF(tag_ptr, field) ((tcp_source *)((char *)(tag_ptr) - offsetof(tcp_source, field)))

/* The payload through the public protocol tree: the k-th TCP item of the
 * frame belongs to the k-th "tcp" tap call. */
static tvbuff_t *payload_from_tree(const tcp_source *src, epan_dissect_t *edt, const struct tcpheader *th,
                                   int *offset)
{
    if (!edt || !edt->tree)
        return NULL;
    GPtrArray *items = proto_get_finfo_ptr_array(edt->tree, src->proto_tcp);
    if (!items || src->tree_layer >= items->len)
        return NULL;
    const field_info *fi = g_ptr_array_index(items, src->tree_layer);
    *offset = fi->start + th->th_hlen;
    return fi->ds_tvb;
}

static tap_packet_status on_follow(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                   const void *data, tap_flags_t flags)
{
    tcp_source *src = SOURCE_OF(tapdata, follow_tag);
    src->pending = data;
    src->pending_frame = pinfo->num;
    return TAP_PACKET_DONT_REDRAW;
}

static tap_packet_status on_tcp(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                const void *data, tap_flags_t flags)
{
    tcp_source *src = SOURCE_OF(tapdata, tcp_tag);
    const struct tcpheader *th = data;
    const follow_tap_data *fast = src->pending && src->pending_frame == pinfo->num ? src->pending : NULL;
    src->pending = NULL;
    if (pinfo->num != src->tree_frame) {
        src->tree_frame = pinfo->num;
        src->tree_layer = 0;
    } else {
        src->tree_layer++;
    }

    tvbuff_t *tvb = NULL;
    int offset = 0;
    if (th->th_have_seglen && th->th_seglen) {
        if (src->mode == ZARGS_TAP_TREE)
            tvb = payload_from_tree(src, edt, th, &offset);
        else if (fast && fast->tcph == th)
            tvb = fast->tvb;
        else
            src->layout_failures++;
    }
    uint32_t caplen;
    const uint8_t *payload = tcp_source_payload(tvb, offset, th->th_seglen, &caplen);
    src->consumer.segment(src->ctx, pinfo, th, payload, caplen);
    return TAP_PACKET_DONT_REDRAW;
}

const uint8_t *tcp_source_payload(tvbuff_t *tvb, int offset, uint32_t len, uint32_t *caplen)
{
    int avail = tvb ? tvb_captured_length_remaining(tvb, offset) : 0;
    *caplen = avail > 0 ? MIN((uint32_t)avail, len) : 0;
    return *caplen ? tvb_get_ptr(tvb, offset, (gint)*caplen) : NULL;
}

static void on_reset(void *tapdata)
{
    tcp_source *src = SOURCE_OF(tapdata, tcp_tag);
    src->pending = NULL;
    src->tree_frame = 0;
    src->layout_failures = 0;
    src->consumer.reset(src->ctx);
}

static void on_draw(void *tapdata)
{
    tcp_source *src = SOURCE_OF(tapdata, tcp_tag);
    if (!src->draw_on_demand)
        src->consumer.draw(src->ctx);
}

void tcp_source_draw_on_demand(tcp_source *src)
{
    src->draw_on_demand = true;
}

static void on_finish(void *tapdata)
{
    tcp_source *src = SOURCE_OF(tapdata, tcp_tag);
    src->consumer.finish(src->ctx);
    g_free(src);
}

tcp_source *tcp_source_start(zargs_tap mode, const tcp_source_consumer *consumer, void *ctx, char **error)
{
    tcp_source *src = g_new0(tcp_source, 1);
    src->consumer = *consumer;
    src->ctx = ctx;
    src->mode = mode;
    src->proto_tcp = proto_get_id_by_filter_name("tcp");
    *error = NULL;

    /* No filter and no tree on the fast path: a filter would force a tree for every packet. */
    bool tree = mode == ZARGS_TAP_TREE;
    GString *err = NULL;
    if (!tree)
        err = register_tap_listener("tcp_follow", &src->follow_tag, NULL, TL_REQUIRES_NOTHING, NULL,
                                    on_follow, NULL, NULL);
    if (!err)
        err = register_tap_listener("tcp", &src->tcp_tag, tree ? "tcp" : NULL,
                                    tree ? TL_REQUIRES_PROTO_TREE : TL_REQUIRES_NOTHING, on_reset, on_tcp,
                                    on_draw, on_finish);
    if (err) {
        *error = g_strdup_printf("tcpfollowts: cannot register the TCP tap: %s", err->str);
        g_string_free(err, TRUE);
        if (!tree)
            remove_tap_listener(&src->follow_tag);
        g_free(src);
        return NULL;
    }
    return src;
}

void tcp_source_stop(tcp_source *src)
{
    if (src->mode != ZARGS_TAP_TREE)
        remove_tap_listener(&src->follow_tag);
    remove_tap_listener(&src->tcp_tag); /* its finish callback frees src */
}

uint64_t tcp_source_layout_failures(const tcp_source *src)
{
    return src->layout_failures;
}
