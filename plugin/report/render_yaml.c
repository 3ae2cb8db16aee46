/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fmt=yaml: a superset of `tshark -z follow,tcp,yaml,N`. Scripts written for
 * Follow's YAML read ours unchanged: the same `peers` (peer 0 sent the
 * stream's first segment) and `packets` (each run of kept bytes with its
 * frame, peer, timestamp and base64 data, in the order Follow emits them:
 * a run comes out once every byte before it in its direction is there).
 * Ours adds keys to each entry and the bytes never captured as `gaps`, out
 * of band: never inside `data`.
 */
#include "render_common.h"

#include <inttypes.h>
#include <string.h>

/* Follow encodes 57 bytes per line: 76 base64 characters. */
#define BASE64_LINE_BYTES 57

typedef struct {
    engine_chunk chunk;
    unsigned sender;
    uint32_t emitted_frame; /* the frame after which Follow can emit it */
} yaml_packet;

typedef struct {
    GArray *packets;        /* yaml_packet */
    const engine_stream *e;
    unsigned sender;
    uint32_t emitted_frame;
} packet_collector;

static void collect_chunk(void *ctx, const engine_chunk *c)
{
    packet_collector *pc = ctx;
    uint32_t frame = engine_segment_frame(pc->e, c->segment);
    if (frame > pc->emitted_frame)
        pc->emitted_frame = frame;
    yaml_packet p = {*c, pc->sender, pc->emitted_frame};
    g_array_append_val(pc->packets, p);
}

/* The directions interleave by the frame that completed each run; a direction's
 * runs that one frame completed come in seq order (the walk's order). */
static gint by_emission(gconstpointer a, gconstpointer b)
{
    const yaml_packet *x = a, *y = b;
    if (x->emitted_frame != y->emitted_frame)
        return x->emitted_frame < y->emitted_frame ? -1 : 1;
    if (x->sender != y->sender)
        return x->sender < y->sender ? -1 : 1;
    return x->chunk.seq < y->chunk.seq ? -1 : x->chunk.seq > y->chunk.seq;
}

static void put_peers(const report_stream *rs, report_sink *out)
{
    const engine_stream *e = rs->engine;
    sink_puts(out, "peers:\n");
    for (unsigned s = 0; s < 2; s++)
        sink_printf(out, "  - peer: %u\n    host: %s\n    port: %u\n    role: %s\n    base_seq: %" PRIu32 "\n", s,
                    rs->addr[s], rs->port[s], s == engine_client_sender(e) ? "client" : "server",
                    engine_base_raw(e, s));
}

static void put_packet(const report_stream *rs, const yaml_packet *p, int64_t first_ns, report_sink *out)
{
    const engine_stream *e = rs->engine;
    const engine_segment *seg = engine_segment_at(e, p->chunk.segment);
    /* Follow's timestamp: the frame time as a double, 9 decimals */
    double timestamp = (double)(seg->time_ns / 1000000000) + (double)(seg->time_ns % 1000000000) / 1e9;
    char rel[REPORT_TIME_BUF];
    report_format_seconds(rel, seg->time_ns - first_ns, 9);
    sink_printf(out, "  - packet: %u\n    peer: %u\n    timestamp: %.9f\n    data: !!binary |\n", seg->frame,
                p->sender, timestamp);
    for (uint64_t i = 0; i < p->chunk.len; i += BASE64_LINE_BYTES) {
        gchar *line = g_base64_encode(p->chunk.data + i, (gsize)MIN(BASE64_LINE_BYTES, p->chunk.len - i));
        sink_printf(out, "      %s\n", line);
        g_free(line);
    }
    sink_printf(out, "    seq: %" PRId64 "\n    len: %" PRIu64 "\n    class: %s\n    rel: %s\n",
                engine_relative_seq(e, p->sender, p->chunk.seq), p->chunk.len,
                engine_class_name((engine_class)seg->klass), rel);
}

typedef struct {
    const engine_stream *e;
    unsigned sender;
    report_sink *out;
    bool any;
} gap_writer;

static void put_frame_or_null(report_sink *out, const char *key, uint32_t frame)
{
    if (frame)
        sink_printf(out, "    %s: %u\n", key, frame);
    else
        sink_printf(out, "    %s: null\n", key);
}

static void put_gap(void *ctx, const engine_gap *g)
{
    gap_writer *w = ctx;
    if (!w->any)
        sink_puts(w->out, "gaps:\n");
    w->any = true;
    sink_printf(w->out, "  - peer: %u\n    seq: %" PRId64 "\n    len: %" PRIu64 "\n", w->sender,
                engine_relative_seq(w->e, w->sender, g->seq), g->len);
    put_frame_or_null(w->out, "after_packet", engine_segment_frame(w->e, g->after_segment));
    put_frame_or_null(w->out, "before_packet", engine_segment_frame(w->e, g->before_segment));
    sink_printf(w->out, "    cause: %s\n", engine_gap_cause_name(g->cause));
}

void report_render_yaml(const report_stream *rs, const report_options *opt, report_sink *out)
{
    const engine_stream *e = rs->engine;
    char *options = report_options_describe(opt, false);
    sink_printf(out, "tool: tcpfollowts\nversion: %s\nstream: %u\noptions: %s\n", TCPFOLLOWTS_VERSION, rs->stream,
                options);
    g_free(options);
    put_peers(rs, out);

    packet_collector pc = {g_array_new(FALSE, FALSE, sizeof(yaml_packet)), e, 0, 0};
    const engine_walk_cb chunks = {collect_chunk, NULL};
    for (unsigned dir = 0; dir < 2; dir++) {
        if (!report_dir_shown(opt, dir))
            continue;
        pc.sender = engine_dir_sender(e, dir);
        pc.emitted_frame = 0;
        report_walk_dir(rs, dir, &chunks, &pc);
    }
    g_array_sort(pc.packets, by_emission);
    sink_puts(out, "packets:\n");
    int64_t first_ns = report_stream_first_ns(e);
    for (guint i = 0; i < pc.packets->len; i++)
        put_packet(rs, &g_array_index(pc.packets, yaml_packet, i), first_ns, out);
    g_array_free(pc.packets, TRUE);

    gap_writer gw = {e, 0, out, false};
    const engine_walk_cb gaps = {NULL, put_gap};
    for (unsigned dir = 0; dir < 2; dir++) {
        if (!report_dir_shown(opt, dir))
            continue;
        gw.sender = engine_dir_sender(e, dir);
        report_walk_dir(rs, dir, &gaps, &gw);
    }
    if (!gw.any)
        sink_puts(out, "gaps: []\n");
}
