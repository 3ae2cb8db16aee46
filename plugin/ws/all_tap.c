/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ws_compat.h"

#include "all_tap.h"
#include "analysis.h"
#include "stream_feed.h"
#include "tcp_source.h"

typedef struct {
    stream_feed feed;
    analysis *analysis;
} stream_entry;

struct all_streams {
    zargs_request req;
    all_streams_draw_fn draw;
    void *user;
    tcp_source *source;
    GPtrArray *entries; /* stream_entry *, indexed by tcp.stream (dense from 0) */
};

static void entry_free(gpointer p)
{
    stream_entry *entry = p;
    if (!entry)
        return;
    stream_feed_clear(&entry->feed);
    analysis_free(entry->analysis);
    g_free(entry);
}

static void on_segment(void *ctx, const packet_info *pinfo, const struct tcpheader *th, const uint8_t *payload,
                       uint32_t caplen)
{
    all_streams *all = ctx;
    if (th->th_stream >= all->entries->len)
        g_ptr_array_set_size(all->entries, (guint)th->th_stream + 1);
    stream_entry *entry = g_ptr_array_index(all->entries, th->th_stream);
    if (!entry) {
        entry = g_new0(stream_entry, 1);
        stream_feed_init(&entry->feed, engine_new_lean(all->req.opts.overlap, false), diagnosis_new(false), th);
        entry->analysis = analysis_new(all->req.opts.stall_ns, false);
        g_ptr_array_index(all->entries, th->th_stream) = entry;
    }
    const engine_segment *seg = stream_feed_add(&entry->feed, pinfo, th, payload, caplen);
    analysis_add(entry->analysis, entry->feed.engine, seg);
}

static void on_reset(void *ctx)
{
    all_streams *all = ctx;
    g_ptr_array_set_size(all->entries, 0);
}

void all_streams_draw(all_streams *all)
{
    GArray *rows = g_array_new(FALSE, FALSE, sizeof(report_stream_summary));
    for (guint i = 0; i < all->entries->len; i++) {
        stream_entry *entry = g_ptr_array_index(all->entries, i);
        if (!entry)
            continue;
        stream_feed_finish(&entry->feed);
        report_stream_summary row = {stream_feed_report(&entry->feed), entry->analysis};
        g_array_append_val(rows, row);
    }
    all->draw(all, (const report_stream_summary *)(void *)rows->data, rows->len, all->user);
    g_array_free(rows, TRUE);
    /* a finished engine takes no more segments: a later draw needs a reset first */
    g_ptr_array_set_size(all->entries, 0);
}

static void on_draw(void *ctx)
{
    all_streams_draw(ctx);
}

void all_streams_draw_on_demand(all_streams *all)
{
    tcp_source_draw_on_demand(all->source);
}

static void on_finish(void *ctx)
{
    all_streams *all = ctx;
    g_ptr_array_free(all->entries, TRUE);
    g_free(all);
}

all_streams *all_streams_start(const zargs_request *req, all_streams_draw_fn draw, void *user, char **error)
{
    static const tcp_source_consumer consumer = {on_segment, on_reset, on_draw, on_finish};
    all_streams *all = g_new0(all_streams, 1);
    all->req = *req;
    all->draw = draw;
    all->user = user;
    all->entries = g_ptr_array_new_with_free_func(entry_free);
    all->source = tcp_source_start(req->tap, &consumer, all, error);
    if (!all->source) {
        g_ptr_array_free(all->entries, TRUE);
        g_free(all);
        return NULL;
    }
    return all;
}

void all_streams_stop(all_streams *all)
{
    tcp_source_stop(all->source);
}

const zargs_request *all_streams_request(const all_streams *all)
{
    return &all->req;
}
