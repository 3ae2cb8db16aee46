/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The JSON report of docs/report-contract: streamed to the sink, never built
 * in memory, so a 200 MB stream costs no more than its hex text on the way out.
 */
#include "render_common.h"

#include <inttypes.h>
#include <string.h>

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
    sink_printf(w->out, "{\"dir\": %u, \"seq\": %" PRId64 ", \"len\": %" PRIu64 ", \"frame\": %u, ", w->dir,
                engine_relative_seq(e, seg->sender, c->seq), c->len, seg->frame);
    put_time_pair(w->out, seg->time_ns, w->first_ns);
    sink_puts(w->out, ", \"data\": \"");
    char buf[512];
    for (uint64_t i = 0; i < c->len;) {
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
    GHashTable *episode_numbers = report_episode_numbers(w->rs, opt);
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
        report_json_segment_diag(w->out, w->rs, i, episode_numbers);
        sink_puts(w->out, "}");
    }
    g_hash_table_unref(episode_numbers);
    sink_puts(w->out, w->first_item ? "],\n" : "\n  ],\n");
}

void report_json_nodes(report_sink *out, const report_stream *rs)
{
    const engine_stream *e = rs->engine;
    sink_puts(out, "\"nodes\": [");
    for (unsigned dir = 0; dir < 2; dir++) {
        unsigned sender = engine_dir_sender(e, dir);
        sink_printf(out, "%s{\"addr\": \"%s\", \"port\": %u, \"base_seq\": %u}", dir ? ", " : "",
                    rs->addr[sender] ? rs->addr[sender] : "", rs->port[sender],
                    engine_base_raw(e, sender));
    }
    sink_puts(out, "]");
}

/* An epoch time as a JSON string, or null. */
static const char *json_time(char *buf, int64_t ns, bool present)
{
    if (!present)
        return "null";
    buf[0] = '"';
    report_format_seconds(buf + 1, ns, 9);
    strcat(buf, "\"");
    return buf;
}

static const char *json_seconds(char *buf, int64_t ns)
{
    report_format_seconds(buf, ns, 9);
    return buf;
}

static double ratio(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0.0;
}

void report_json_dir_stats(report_sink *out, const report_stream *rs, unsigned dir, const analysis *a)
{
    const engine_stream *e = rs->engine;
    unsigned sender = engine_dir_sender(e, dir);
    const engine_dir_stats *st = engine_stats(e, sender);
    const analysis_dir *ad = analysis_get_dir(a, sender);
    char first[REPORT_TIME_BUF + 2], last[REPORT_TIME_BUF + 2];
    bool seen = engine_sender_seen(e, sender);
    sink_printf(out,
                "{\"bytes\": %" PRIu64 ", \"missing\": %" PRIu64 ", \"gaps\": %" PRIu64
                ", \"segments\": %" PRIu64 ", \"retransmissions\": %" PRIu64 ", \"overlaps\": %" PRIu64
                ", \"out_of_order\": %" PRIu64 ", \"conflicts\": %" PRIu64 ", \"conflict_bytes\": %" PRIu64
                ", \"keep_alives\": %" PRIu64 ", \"zero_window_probes\": %" PRIu64
                ", \"unknown_length\": %" PRIu64 ", \"retransmitted_bytes\": %" PRIu64
                ", \"goodput\": %.1f, \"retransmission_ratio\": %.6f, \"loss_ratio\": %.6f"
                ", \"first\": %s, \"last\": %s",
                st->kept_bytes, st->missing_bytes, st->gaps, st->segments,
                st->by_class[ENGINE_CLASS_RETRANSMISSION], st->by_class[ENGINE_CLASS_OVERLAP],
                st->by_class[ENGINE_CLASS_OUT_OF_ORDER], st->by_class[ENGINE_CLASS_CONFLICT],
                st->conflict_bytes, st->by_class[ENGINE_CLASS_KEEP_ALIVE],
                st->by_class[ENGINE_CLASS_ZERO_WINDOW_PROBE], st->by_class[ENGINE_CLASS_UNKNOWN_LENGTH],
                ad->retransmitted_bytes, report_goodput(st, ad), ratio(ad->retransmitted_bytes, st->kept_bytes),
                ratio(st->missing_bytes, st->kept_bytes + st->missing_bytes),
                json_time(first, st->first_ns, seen), json_time(last, st->last_ns, seen));
    report_json_dir_diag(out, rs, dir);
    sink_puts(out, "}");
}

static const char *json_frame(char *buf, uint32_t frame, bool present)
{
    if (!present)
        return "null";
    g_snprintf(buf, REPORT_TIME_BUF, "%u", frame);
    return buf;
}

/* null without a SYN; otherwise what was seen of the setup and what it cost. */
static void put_handshake(report_sink *out, const analysis *a)
{
    const tcp_handshake *h = analysis_get_handshake(a);
    if (!h->syn_seen) {
        sink_puts(out, "    \"handshake\": null,\n");
        return;
    }
    char f1[REPORT_TIME_BUF], f2[REPORT_TIME_BUF], rtt[REPORT_TIME_BUF] = "null", first[REPORT_TIME_BUF] = "null",
         second[REPORT_TIME_BUF] = "null", setup[REPORT_TIME_BUF] = "null";
    if (h->syn_ack_seen)
        json_seconds(first, h->syn_ack_ns - h->syn_ns);
    if (h->complete) {
        json_seconds(rtt, h->ack_ns - h->syn_ns);
        json_seconds(second, h->ack_ns - h->syn_ack_ns);
        json_seconds(setup, h->ack_ns - h->first_syn_ns);
    }
    sink_printf(out, "    \"handshake\": {\"syn_frame\": %u, \"syn_ack_frame\": %s, \"ack_frame\": %s, "
                     "\"rtt\": %s, \"syn_to_syn_ack\": %s, \"syn_ack_to_ack\": %s, \"syn_sent\": %u, "
                     "\"syn_ack_sent\": %u, \"setup\": %s, \"answered\": %s},\n",
                h->syn_frame, json_frame(f1, h->syn_ack_frame, h->syn_ack_seen),
                json_frame(f2, h->ack_frame, h->complete), rtt, first, second, h->syn_sent, h->syn_ack_sent,
                setup, h->answered ? "true" : "false");
}

static void put_turns(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    const engine_stream *e = rs->engine;
    GArray *turns = analysis_turns(a);
    bool any = false;
    sink_puts(out, "    \"turns\": [");
    for (guint i = 0; i < turns->len; i++) {
        const analysis_turn *t = &g_array_index(turns, analysis_turn, i);
        unsigned dir = engine_sender_dir(e, t->sender);
        if (!report_dir_shown(opt, dir))
            continue;
        char first[REPORT_TIME_BUF + 2], last[REPORT_TIME_BUF + 2], around[REPORT_TIME_BUF] = "null";
        if (t->has_turnaround)
            json_seconds(around, t->turnaround_ns);
        sink_printf(out, "%s\n      {\"dir\": %u, \"first\": %s, \"last\": %s, \"first_frame\": %u, "
                         "\"last_frame\": %u, \"bytes\": %" PRIu64 ", \"segments\": %" PRIu64
                         ", \"retransmissions\": %" PRIu64 ", \"gaps\": %" PRIu64 ", \"turnaround\": %s",
                    any ? "," : "", dir, json_time(first, t->first_ns, true), json_time(last, t->last_ns, true),
                    t->first_frame, t->last_frame, t->bytes, t->segments, t->retransmissions, t->gaps, around);
        report_json_turn_time(out, rs, i);
        sink_puts(out, "}");
        any = true;
    }
    sink_puts(out, any ? "\n    ],\n" : "],\n");
}

static void put_stalls(report_sink *out, const engine_stream *e, const report_options *opt, const analysis *a)
{
    GArray *stalls = analysis_stalls(a);
    bool any = false;
    sink_puts(out, "    \"stalls\": [");
    for (guint i = 0; i < stalls->len; i++) {
        const analysis_stall *st = &g_array_index(stalls, analysis_stall, i);
        unsigned dir = engine_sender_dir(e, st->sender);
        if (!report_dir_shown(opt, dir))
            continue;
        char start[REPORT_TIME_BUF + 2], end[REPORT_TIME_BUF + 2], pause[REPORT_TIME_BUF];
        sink_printf(out, "%s\n      {\"dir\": %u, \"before_frame\": %u, \"after_frame\": %u, \"start\": %s, "
                         "\"end\": %s, \"duration\": %s, \"ended_by\": \"%s\"}",
                    any ? "," : "", dir, st->before_frame, st->after_frame, json_time(start, st->start_ns, true),
                    json_time(end, st->end_ns, true), json_seconds(pause, st->end_ns - st->start_ns),
                    analysis_stall_end_name(st->ended_by));
        any = true;
    }
    sink_puts(out, any ? "\n    ],\n" : "],\n");
}

static void put_frame_field(report_sink *out, const char *key, uint32_t frame)
{
    if (frame)
        sink_printf(out, ", \"%s\": %u", key, frame);
    else
        sink_printf(out, ", \"%s\": null", key);
}

static void put_losses(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    const engine_stream *e = rs->engine;
    GArray *losses = report_losses(rs, opt, a);
    sink_puts(out, "    \"losses\": [");
    for (guint i = 0; i < losses->len; i++) {
        const report_loss *l = &g_array_index(losses, report_loss, i);
        sink_printf(out, "%s\n      {\"dir\": %u, \"seq\": %" PRId64 ", \"len\": %" PRIu64 ", \"fate\": \"%s\"",
                    i ? "," : "", l->dir, engine_relative_seq(e, engine_dir_sender(e, l->dir), l->seq), l->len,
                    l->recovered ? "recovered" : engine_gap_cause_name(l->cause));
        if (l->recovered) {
            char delay[REPORT_TIME_BUF];
            sink_printf(out, ", \"opened_frame\": %u, \"filled_frame\": %u, \"delay\": %s}", l->opened_frame,
                        l->filled_frame, json_seconds(delay, l->delay_ns));
        } else {
            put_frame_field(out, "after_frame", l->after_frame);
            put_frame_field(out, "before_frame", l->before_frame);
            sink_puts(out, "}");
        }
    }
    sink_puts(out, losses->len ? "\n    ]\n" : "]\n");
    g_array_free(losses, TRUE);
}

static void put_summary(report_sink *out, const report_stream *rs, const report_options *opt)
{
    const engine_stream *e = rs->engine;
    analysis *a = report_analyze(rs, opt);
    sink_puts(out, "  \"summary\": {\n    \"dirs\": [\n      ");
    report_json_dir_stats(out, rs, 0, a);
    sink_puts(out, ",\n      ");
    report_json_dir_stats(out, rs, 1, a);
    char duration[REPORT_TIME_BUF], threshold[REPORT_TIME_BUF];
    sink_printf(out, "\n    ],\n    \"duration\": %s,\n    \"stall_threshold\": %s,\n",
                json_seconds(duration, report_stream_duration_ns(e)),
                json_seconds(threshold, opt->stall_ns));
    put_handshake(out, a);
    report_json_diagnosis(out, rs, opt);
    put_turns(out, rs, opt, a);
    put_stalls(out, e, opt, a);
    put_losses(out, rs, opt, a);
    sink_puts(out, "  }\n");
    analysis_free(a);
}

void report_render_json(const report_stream *rs, const report_options *opt, report_sink *out)
{
    json_walk w = {rs, out, 0, true, report_stream_first_ns(rs->engine)};
    sink_printf(out, "{\n  \"tool\": \"tcpfollowts\", \"version\": \"%s\",\n  \"stream\": %u,\n",
                TCPFOLLOWTS_VERSION, rs->stream);
    sink_puts(out, "  ");
    report_json_nodes(out, rs);
    sink_puts(out, ",\n");
    char *desc = report_options_describe(opt, false);
    sink_printf(out, "  \"options\": \"%s\",\n", desc);
    g_free(desc);
    put_segments(&w, opt);
    const engine_walk_cb chunks = {json_chunk, NULL}, gaps = {NULL, json_gap};
    put_walk_array(&w, opt, "chunks", &chunks);
    put_walk_array(&w, opt, "gaps", &gaps);
    put_summary(out, rs, opt);
    sink_puts(out, "}\n");
}
