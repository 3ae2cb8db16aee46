/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ws_compat.h"

#include "follow_tap.h"

#include <epan/address.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/epan_dissect.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <epan/tvbuff.h>

#include <string.h>

/* What the "tcp_follow" tap hands out. The struct is private to packet-tcp.c
 * (identical in 4.0-4.6), so this mirror is checked for every frame: its tcph
 * must be the pointer the public "tcp" tap delivers next for the same frame. */
typedef struct {
    tvbuff_t *tvb; /* the segment's payload only */
    struct tcpheader *tcph;
    void *tcpd;
} follow_tap_data;

struct follower {
    zargs_request req;
    follower_draw_fn draw;
    void *user;
    /* Two listeners need two tapdata addresses: these fields are their tags. */
    char tcp_tag, follow_tag;
    int proto_tcp;

    engine_stream *engine;
    bool drawn;
    bool selected;    /* addr mode: the stream index is locked */
    uint32_t stream;
    address sender0_addr;
    uint16_t sender0_port;
    char *addr[2];
    uint16_t port[2];
    bool ipv6;
    uint32_t streams_seen;

    const follow_tap_data *pending; /* "tcp_follow" data awaiting its "tcp" twin */
    uint32_t pending_frame;
    uint64_t layout_failures;
    uint32_t tree_frame;            /* tree path: which TCP layer of the frame */
    unsigned tree_layer;
};

#define FOLLOWER_OF(tag_ptr, field) ((follower *)((char *)(tag_ptr) - offsetof(follower, field)))

static void clear_stream(follower *f)
{
    engine_free(f->engine);
    f->engine = NULL;
    f->drawn = false;
    f->selected = false;
    free_address(&f->sender0_addr);
    for (int i = 0; i < 2; i++) {
        g_free(f->addr[i]);
        f->addr[i] = NULL;
    }
    f->streams_seen = 0;
    f->pending = NULL;
    f->layout_failures = 0;
    f->tree_frame = 0;
}

static bool address_is(const address *a, const zargs_endpoint *ep, uint16_t port, uint16_t want_port)
{
    int len = ep->family == 6 ? 16 : 4;
    int type = ep->family == 6 ? AT_IPv6 : AT_IPv4;
    return a->type == type && a->len == len && port == want_port && memcmp(a->data, ep->bytes, (size_t)len) == 0;
}

static bool selects(follower *f, const struct tcpheader *th)
{
    if (f->req.mode == ZARGS_STREAM)
        return th->th_stream == f->req.stream;
    if (f->selected)
        return th->th_stream == f->stream;
    const zargs_endpoint *a = &f->req.ep[0], *b = &f->req.ep[1];
    bool match = (address_is(&th->ip_src, a, th->th_sport, a->port) &&
                  address_is(&th->ip_dst, b, th->th_dport, b->port)) ||
                 (address_is(&th->ip_src, b, th->th_sport, b->port) &&
                  address_is(&th->ip_dst, a, th->th_dport, a->port));
    if (match) {
        /* Port reuse gives later connections new tcp.stream indexes: follow the first. */
        f->selected = true;
        f->stream = th->th_stream;
    }
    return match;
}

static char *address_copy_string(const address *a)
{
    char *w = address_to_str(NULL, a);
    char *s = g_strdup(w);
    wmem_free(NULL, w);
    return s;
}

/* Keep the payload only when the report shows it: csv and a text timeline
 * without data need the coverage alone, which costs memory per hole instead
 * of per byte. */
static bool report_needs_payload(const report_options *o)
{
    return o->fmt == REPORT_FMT_JSON || o->fmt == REPORT_FMT_RAW ||
           (o->fmt == REPORT_FMT_TEXT && o->data != REPORT_DATA_NONE);
}

static void start_stream(follower *f, const struct tcpheader *th)
{
    const report_options *o = &f->req.opts;
    f->engine = report_needs_payload(o) ? engine_new(o->overlap) : engine_new_lean(o->overlap, true);
    f->stream = th->th_stream;
    copy_address(&f->sender0_addr, &th->ip_src);
    f->sender0_port = th->th_sport;
    f->addr[0] = address_copy_string(&th->ip_src);
    f->addr[1] = address_copy_string(&th->ip_dst);
    f->port[0] = th->th_sport;
    f->port[1] = th->th_dport;
    f->ipv6 = th->ip_src.type == AT_IPv6;
}

/* The payload tvb and its offset through the public protocol tree: the k-th
 * TCP item of the frame belongs to the k-th "tcp" tap call. */
static tvbuff_t *payload_from_tree(follower *f, const packet_info *pinfo, epan_dissect_t *edt,
                                   const struct tcpheader *th, int *offset)
{
    if (!edt || !edt->tree)
        return NULL;
    GPtrArray *items = proto_get_finfo_ptr_array(edt->tree, f->proto_tcp);
    if (!items || f->tree_layer >= items->len)
        return NULL;
    const field_info *fi = g_ptr_array_index(items, f->tree_layer);
    *offset = fi->start + th->th_hlen;
    return fi->ds_tvb;
}

static tap_packet_status on_follow(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                   const void *data, tap_flags_t flags)
{
    follower *f = FOLLOWER_OF(tapdata, follow_tag);
    f->pending = data;
    f->pending_frame = pinfo->num;
    return TAP_PACKET_DONT_REDRAW;
}

static tap_packet_status on_tcp(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                const void *data, tap_flags_t flags)
{
    follower *f = FOLLOWER_OF(tapdata, tcp_tag);
    const struct tcpheader *th = data;
    const follow_tap_data *fast = f->pending && f->pending_frame == pinfo->num ? f->pending : NULL;
    f->pending = NULL;
    if (pinfo->num != f->tree_frame) {
        f->tree_frame = pinfo->num;
        f->tree_layer = 0;
    } else {
        f->tree_layer++;
    }
    if (th->th_stream >= f->streams_seen)
        f->streams_seen = th->th_stream + 1;
    if (f->drawn || !selects(f, th))
        return TAP_PACKET_DONT_REDRAW;
    if (!f->engine)
        start_stream(f, th);

    tvbuff_t *tvb = NULL;
    int offset = 0;
    if (th->th_have_seglen && th->th_seglen) {
        if (f->req.tap == ZARGS_TAP_TREE)
            tvb = payload_from_tree(f, pinfo, edt, th, &offset);
        else if (fast && fast->tcph == th)
            tvb = fast->tvb;
        else
            f->layout_failures++;
    }
    uint32_t caplen = 0;
    if (tvb) {
        int avail = tvb_captured_length_remaining(tvb, offset);
        caplen = avail > 0 ? MIN((uint32_t)avail, th->th_seglen) : 0;
    }

    engine_segment_in in = {
        .frame = pinfo->num,
        .time_ns = (int64_t)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs,
        .sender = (cmp_address(&th->ip_src, &f->sender0_addr) == 0 && th->th_sport == f->sender0_port) ? 0 : 1,
        .seq = th->th_rawseq,
        .ack = th->th_rawack,
        .flags = th->th_flags,
        .win = th->th_win,
        .have_len = th->th_have_seglen,
        .len = th->th_seglen,
        .payload = caplen ? tvb_get_ptr(tvb, offset, (gint)caplen) : NULL,
        .caplen = caplen,
    };
    engine_add_segment(f->engine, &in);
    return TAP_PACKET_DONT_REDRAW;
}

static void on_reset(void *tapdata)
{
    clear_stream(FOLLOWER_OF(tapdata, tcp_tag));
}

static void on_draw(void *tapdata)
{
    follower *f = FOLLOWER_OF(tapdata, tcp_tag);
    if (!f->engine) {
        f->draw(f, NULL, f->user);
        return;
    }
    engine_finish(f->engine);
    f->drawn = true;
    report_stream rs = {f->engine, f->stream, {f->addr[0], f->addr[1]}, {f->port[0], f->port[1]}, f->ipv6};
    f->draw(f, &rs, f->user);
}

static void on_finish(void *tapdata)
{
    follower *f = FOLLOWER_OF(tapdata, tcp_tag);
    clear_stream(f);
    g_free(f);
}

follower *follower_start(const zargs_request *req, follower_draw_fn draw, void *user, char **error)
{
    follower *f = g_new0(follower, 1);
    f->req = *req;
    f->draw = draw;
    f->user = user;
    f->proto_tcp = proto_get_id_by_filter_name("tcp");
    clear_address(&f->sender0_addr);
    *error = NULL;

    bool tree = req->tap == ZARGS_TAP_TREE;
    GString *err = NULL;
    if (!tree)
        err = register_tap_listener("tcp_follow", &f->follow_tag, NULL, TL_REQUIRES_NOTHING, NULL,
                                    on_follow, NULL, NULL);
    if (!err)
        err = register_tap_listener("tcp", &f->tcp_tag, tree ? "tcp" : NULL,
                                    tree ? TL_REQUIRES_PROTO_TREE : TL_REQUIRES_NOTHING, on_reset,
                                    on_tcp, on_draw, on_finish);
    if (err) {
        *error = g_strdup_printf("tcpfollowts: cannot register the TCP tap: %s", err->str);
        g_string_free(err, TRUE);
        if (!tree)
            remove_tap_listener(&f->follow_tag);
        g_free(f);
        return NULL;
    }
    return f;
}

void follower_stop(follower *f)
{
    if (f->req.tap != ZARGS_TAP_TREE)
        remove_tap_listener(&f->follow_tag);
    remove_tap_listener(&f->tcp_tag); /* its finish callback frees f */
}

const zargs_request *follower_request(const follower *f) { return &f->req; }
uint32_t follower_streams_seen(const follower *f) { return f->streams_seen; }
uint64_t follower_layout_failures(const follower *f) { return f->layout_failures; }
