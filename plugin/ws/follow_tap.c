/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ws_compat.h"

#include "follow_tap.h"
#include "stream_feed.h"
#include "tcp_source.h"

#include <string.h>

struct follower {
    zargs_request req;
    follower_draw_fn draw;
    void *user;
    tcp_source *source;
    stream_feed feed;  /* feed.engine is NULL until the first matching segment */
    bool drawn;
    bool selected;     /* addr mode: the stream index is locked */
    uint32_t stream;
    uint32_t streams_seen;
};

static void clear_stream(follower *f)
{
    stream_feed_clear(&f->feed);
    f->drawn = false;
    f->selected = false;
    f->streams_seen = 0;
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

/* Keep the payload only when the report shows it: csv, svg, and a text
 * timeline or an html page without data need the coverage alone, which
 * costs memory per hole instead of per byte. */
static bool report_needs_payload(const report_options *o)
{
    return o->fmt == REPORT_FMT_JSON || o->fmt == REPORT_FMT_RAW || o->fmt == REPORT_FMT_YAML ||
           ((o->fmt == REPORT_FMT_TEXT || o->fmt == REPORT_FMT_HTML) && o->data != REPORT_DATA_NONE);
}

static void on_segment(void *ctx, const packet_info *pinfo, const struct tcpheader *th, const uint8_t *payload,
                       uint32_t caplen)
{
    follower *f = ctx;
    if (th->th_stream >= f->streams_seen)
        f->streams_seen = th->th_stream + 1;
    if (f->drawn || !selects(f, th))
        return;
    if (!f->feed.engine) {
        const report_options *o = &f->req.opts;
        stream_feed_init(&f->feed, report_needs_payload(o) ? engine_new(o->overlap) : engine_new_lean(o->overlap, true),
                         diagnosis_new(true), th);
    }
    stream_feed_add(&f->feed, pinfo, th, payload, caplen);
}

static void on_reset(void *ctx)
{
    clear_stream(ctx);
}

void follower_draw(follower *f)
{
    if (!f->feed.engine) {
        f->draw(f, NULL, f->user);
        return;
    }
    stream_feed_finish(&f->feed);
    f->drawn = true;
    report_stream rs = stream_feed_report(&f->feed);
    f->draw(f, &rs, f->user);
}

static void on_draw(void *ctx)
{
    follower_draw(ctx);
}

void follower_draw_on_demand(follower *f)
{
    tcp_source_draw_on_demand(f->source);
}

static void on_finish(void *ctx)
{
    follower *f = ctx;
    clear_stream(f);
    g_free(f);
}

follower *follower_start(const zargs_request *req, follower_draw_fn draw, void *user, char **error)
{
    static const tcp_source_consumer consumer = {on_segment, on_reset, on_draw, on_finish};
    follower *f = g_new0(follower, 1);
    f->req = *req;
    f->draw = draw;
    f->user = user;
    f->source = tcp_source_start(req->tap, &consumer, f, error);
    if (!f->source) {
        g_free(f);
        return NULL;
    }
    return f;
}

void follower_stop(follower *f)
{
    tcp_source_stop(f->source); /* its finish callback frees f */
}

const zargs_request *follower_request(const follower *f) { return &f->req; }
uint32_t follower_streams_seen(const follower *f) { return f->streams_seen; }
uint64_t follower_layout_failures(const follower *f) { return tcp_source_layout_failures(f->source); }
