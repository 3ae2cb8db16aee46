/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The JSON report of docs/report-contract: streamed to the sink, never built
 * in memory, so a 200 MB stream costs no more than its hex text on the way out.
 */
#include "render_common.h"

#include <inttypes.h>

typedef struct {
    const report_stream *rs;
    report_sink *out;
    unsigned dir;
    bool first_item;
    int64_t first_ns;
} json_walk;

static void separator(json_walk *w)
{
    sink_puts(w->out, w->first_item ? "\n    " : ",\n    ");
    w->first_item = false;
}

static void put_time_pair(report_sink *out, int64_t ns, int64_t first_ns)
{
    char epoch[REPORT_TIME_BUF], rel[REPORT_TIME_BUF];
    report_format_seconds(epoch, ns, 9);
    report_format_seconds(rel, ns - first_ns, 9);
    sink_printf(out, "\"time\": \"%s\", \"rel\": %s", epoch, rel);
}

static void put_frame_or_null(report_sink *out, const engine_stream *e, const char *key, uint32_t segment)
{
    if (segment == ENGINE_NO_SEGMENT)
        sink_printf(out, "\"%s\": null", key);
    else
        sink_printf(out, "\"%s\": %u", key, engine_segment_at(e, segment)->frame);
}

static void json_chunk(void *ctx, const engine_chunk *c)
{
    static const char hexdigits[] = "0123456789abcdef";
    json_walk *w = ctx;
    const engine_stream *e = w->rs->engine;
    const engine_segment *seg = engine_segment_at(e, c->segment);
    separator(w);
    sink_printf(w->out, "{\"dir\": %u, \"seq\": %" PRId64 ", \"len\": %u, \"frame\": %u, ", w->dir,
                engine_relative_seq(e, seg->sender, c->seq), c->len, seg->frame);
    put_time_pair(w->out, seg->time_ns, w->first_ns);
    sink_puts(w->out, ", \"data\": \"");
    char buf[512];
    for (uint32_t i = 0; i < c->len;) {
        size_t n = 0;
        for (; i < c->len && n < sizeof buf; i++) {
            buf[n++] = hexdigits[c->data[i] >> 4];
            buf[n++] = hexdigits[c->data[i] & 15];
        }
        sink_write(w->out, buf, n);
    }
    sink_puts(w->out, "\"}");
}

static void json_gap(void *ctx, const engine_gap *g)
{
    json_walk *w = ctx;
    const engine_stream *e = w->rs->engine;
    separator(w);
    sink_printf(w->out, "{\"dir\": %u, \"seq\": %" PRId64 ", \"len\": %" PRIu64 ", ", w->dir,
                engine_relative_seq(e, engine_dir_sender(e, w->dir), g->seq), g->len);
    put_frame_or_null(w->out, e, "after_frame", g->after_segment);
    sink_puts(w->out, ", ");
    put_frame_or_null(w->out, e, "before_frame", g->before_segment);
    sink_printf(w->out, ", \"cause\": \"%s\"}", engine_gap_cause_name(g->cause));
}

static void put_walk_array(json_walk *w, const report_options *opt, const char *name,
                           const engine_walk_cb *cb)
{
    sink_printf(w->out, "  \"%s\": [", name);
    w->first_item = true;
    for (unsigned dir = 0; dir < 2; dir++) {
        if (!report_dir_shown(opt, dir))
            continue;
        w->dir = dir;
        report_walk_dir(w->rs, dir, cb, w);
    }
    sink_puts(w->out, w->first_item ? "],\n" : "\n  ],\n");
}

static void put_segments(json_walk *w, const report_options *opt)
{
    const engine_stream *e = w->rs->engine;
    sink_puts(w->out, "  \"segments\": [");
    w->first_item = true;
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        const engine_segment *seg = engine_segment_at(e, i);
        unsigned dir = engine_segment_dir(e, seg);
        if (!report_dir_shown(opt, dir))
            continue;
        char flags[16];
        report_format_flags(flags, seg->flags);
        separator(w);
        sink_printf(w->out, "{\"frame\": %u, ", seg->frame);
        put_time_pair(w->out, seg->time_ns, w->first_ns);
        sink_printf(w->out, ", \"dir\": %u, \"seq\": %" PRId64 ", \"nxtseq\": %" PRId64 ", ", dir,
                    engine_relative_seq(e, seg->sender, seg->seq),
                    engine_relative_seq(e, seg->sender, engine_segment_nxtseq(seg)));
        if (seg->flags & ENGINE_TCP_ACK)
            sink_printf(w->out, "\"ack\": %" PRId64 ", ", engine_relative_seq(e, !seg->sender, seg->ack));
        else
            sink_puts(w->out, "\"ack\": null, ");
        sink_printf(w->out, "\"flags\": \"%s\", \"win\": %u, \"len\": %u, \"class\": \"%s\", "
                            "\"new_bytes\": %u",
                    flags, seg->win, seg->len, engine_class_name(seg->klass), seg->new_bytes);
        if (seg->caplen < seg->len)
            sink_printf(w->out, ", \"captured\": %u", seg->caplen);
        if (seg->conflict_bytes)
            sink_printf(w->out, ", \"conflict_bytes\": %u", seg->conflict_bytes);
        sink_puts(w->out, "}");
    }
    sink_puts(w->out, w->first_item ? "],\n" : "\n  ],\n");
}

static void put_nodes(report_sink *out, const report_stream *rs)
{
    const engine_stream *e = rs->engine;
    sink_puts(out, "  \"nodes\": [");
    for (unsigned dir = 0; dir < 2; dir++) {
        unsigned sender = engine_dir_sender(e, dir);
        sink_printf(out, "%s{\"addr\": \"%s\", \"port\": %u, \"base_seq\": %u}", dir ? ", " : "",
                    rs->addr[sender] ? rs->addr[sender] : "", rs->port[sender],
                    engine_base_raw(e, sender));
    }
    sink_puts(out, "],\n");
}

void report_json_dir_stats(report_sink *out, const engine_stream *e, unsigned dir)
{
    unsigned sender = engine_dir_sender(e, dir);
    const engine_dir_stats *st = engine_stats(e, sender);
    char first[REPORT_TIME_BUF], last[REPORT_TIME_BUF];
    report_format_seconds(first, st->first_ns, 9);
    report_format_seconds(last, st->last_ns, 9);
    bool seen = engine_sender_seen(e, sender);
    sink_printf(out,
                "{\"bytes\": %" PRIu64 ", \"missing\": %" PRIu64 ", \"gaps\": %" PRIu64
                ", \"segments\": %" PRIu64 ", \"retransmissions\": %" PRIu64 ", \"overlaps\": %" PRIu64
                ", \"out_of_order\": %" PRIu64 ", \"conflicts\": %" PRIu64 ", \"conflict_bytes\": %" PRIu64
                ", \"keep_alives\": %" PRIu64 ", \"zero_window_probes\": %" PRIu64
                ", \"unknown_length\": %" PRIu64 ", \"first\": %s%s%s, \"last\": %s%s%s}",
                st->kept_bytes, st->missing_bytes, st->gaps, st->segments,
                st->by_class[ENGINE_CLASS_RETRANSMISSION], st->by_class[ENGINE_CLASS_OVERLAP],
                st->by_class[ENGINE_CLASS_OUT_OF_ORDER], st->by_class[ENGINE_CLASS_CONFLICT],
                st->conflict_bytes, st->by_class[ENGINE_CLASS_KEEP_ALIVE],
                st->by_class[ENGINE_CLASS_ZERO_WINDOW_PROBE], st->by_class[ENGINE_CLASS_UNKNOWN_LENGTH],
                seen ? "\"" : "", seen ? first : "null", seen ? "\"" : "",
                seen ? "\"" : "", seen ? last : "null", seen ? "\"" : "");
}

static void put_summary(report_sink *out, const report_stream *rs)
{
    const engine_stream *e = rs->engine;
    int64_t first_ns = report_stream_first_ns(e);
    sink_puts(out, "  \"summary\": {\n    \"dirs\": [\n      ");
    report_json_dir_stats(out, e, 0);
    sink_puts(out, ",\n      ");
    report_json_dir_stats(out, e, 1);
    char duration[REPORT_TIME_BUF];
    report_format_seconds(duration, report_stream_last_ns(e) - first_ns, 9);
    sink_printf(out, "\n    ],\n    \"duration\": %s,\n    \"turns\": [", duration);
    GArray *turns = report_turns(e);
    for (guint i = 0; i < turns->len; i++) {
        const report_turn *t = &g_array_index(turns, report_turn, i);
        char first[REPORT_TIME_BUF], last[REPORT_TIME_BUF], around[REPORT_TIME_BUF] = "null";
        report_format_seconds(first, t->first_ns, 9);
        report_format_seconds(last, t->last_ns, 9);
        if (t->has_turnaround)
            report_format_seconds(around, t->turnaround_ns, 9);
        sink_printf(out, "%s\n      {\"dir\": %u, \"first\": \"%s\", \"last\": \"%s\", \"bytes\": %" PRIu64
                         ", \"segments\": %" PRIu64 ", \"turnaround\": %s}",
                    i ? "," : "", t->dir, first, last, t->bytes, t->segments, around);
    }
    sink_puts(out, turns->len ? "\n    ]\n  }\n" : "]\n  }\n");
    g_array_free(turns, TRUE);
}

void report_render_json(const report_stream *rs, const report_options *opt, report_sink *out)
{
    json_walk w = {rs, out, 0, true, report_stream_first_ns(rs->engine)};
    sink_printf(out, "{\n  \"tool\": \"tcpfollowts\", \"version\": \"%s\",\n  \"stream\": %u,\n",
                TCPFOLLOWTS_VERSION, rs->stream);
    put_nodes(out, rs);
    char *desc = report_options_describe(opt);
    sink_printf(out, "  \"options\": \"%s\",\n", desc);
    g_free(desc);
    put_segments(&w, opt);
    const engine_walk_cb chunks = {json_chunk, NULL}, gaps = {NULL, json_gap};
    put_walk_array(&w, opt, "chunks", &chunks);
    put_walk_array(&w, opt, "gaps", &gaps);
    put_summary(out, rs);
    sink_puts(out, "}\n");
}
