/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The HTML report's data block: what its script draws the tables from and
 * redraws the graph with when it zooms. One JSON object in a
 * <script type="application/json">, parsed once the page is painted. Per
 * segment, a column per field, as differences where that is short (frame
 * numbers, times, seq numbers, windows), null where a segment has no value;
 * figures few segments have as sparse [index, value...] lists; turns, stalls,
 * losses, loss episodes and zero windows as rows of the shown directions.
 * html/report.js decodes it; docs/report.md describes it.
 */
#include "render_common.h"

#include "markup.h"

#include <inttypes.h>

static void put_key(report_sink *out, const char *key)
{
    sink_printf(out, ",\n\"%s\": ", key);
}

/* Columns of the segment table. A value may be absent (null: no ACK, no
 * known peer window); a delta column holds each value's difference from the
 * previous one (of the same direction for seq numbers and windows), so a
 * large stream's table is mostly 1s and MSS-sized steps. */
typedef struct {
    const report_stream *rs;
    int64_t first_ns;
} columns;

typedef bool (*segment_value)(const columns *c, size_t i, int64_t *v);

static const engine_segment *seg_at(const columns *c, size_t i) { return engine_segment_at(c->rs->engine, i); }

static bool seg_frame(const columns *c, size_t i, int64_t *v) { *v = seg_at(c, i)->frame; return true; }
static bool seg_time(const columns *c, size_t i, int64_t *v) { *v = seg_at(c, i)->time_ns - c->first_ns; return true; }
static bool seg_len(const columns *c, size_t i, int64_t *v) { *v = seg_at(c, i)->len; return true; }
static bool seg_win(const columns *c, size_t i, int64_t *v) { *v = seg_at(c, i)->win; return true; }
static bool seg_flags(const columns *c, size_t i, int64_t *v) { *v = seg_at(c, i)->flags; return true; }

static bool seg_seq(const columns *c, size_t i, int64_t *v)
{
    const engine_segment *seg = seg_at(c, i);
    *v = engine_relative_seq(c->rs->engine, seg->sender, seg->seq);
    return true;
}

static bool seg_ack(const columns *c, size_t i, int64_t *v)
{
    const engine_segment *seg = seg_at(c, i);
    *v = engine_relative_seq(c->rs->engine, !seg->sender, seg->ack);
    return seg->flags & ENGINE_TCP_ACK;
}

static bool seg_in_flight(const columns *c, size_t i, int64_t *v)
{
    report_seg_diag d;
    bool known = report_segment_diag(c->rs, i, &d);
    *v = d.in_flight;
    return known;
}

static bool seg_peer_win(const columns *c, size_t i, int64_t *v)
{
    report_seg_diag d;
    report_segment_diag(c->rs, i, &d);
    *v = d.peer_win;
    return d.has_peer_win;
}

typedef enum { COLUMN_PLAIN, COLUMN_DELTA, COLUMN_DELTA_PER_DIR } column_kind;

static void put_column(report_sink *out, const columns *c, const char *key, segment_value value, column_kind kind)
{
    const engine_stream *e = c->rs->engine;
    int64_t prev[2] = {0, 0};
    put_key(out, key);
    sink_puts(out, "[");
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        unsigned slot = kind == COLUMN_DELTA_PER_DIR ? engine_segment_dir(e, seg_at(c, i)) : 0;
        int64_t v;
        if (i)
            sink_puts(out, ",");
        if (!value(c, i, &v)) {
            sink_puts(out, "null");
            continue;
        }
        sink_i64(out, kind == COLUMN_PLAIN ? v : v - prev[slot], 0);
        prev[slot] = v;
    }
    sink_puts(out, "]");
}

/* One character per segment: its direction, or 'a' + its class. */
static void put_letters(report_sink *out, const engine_stream *e, const char *key, bool klass)
{
    put_key(out, key);
    sink_puts(out, "\"");
    char buf[512];
    size_t n = 0;
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        const engine_segment *seg = engine_segment_at(e, i);
        buf[n++] = klass ? (char)('a' + seg->klass) : (char)('0' + engine_segment_dir(e, seg));
        if (n == sizeof buf) {
            sink_write(out, buf, n);
            n = 0;
        }
    }
    sink_write(out, buf, n);
    sink_puts(out, "\"");
}

/* Figures few segments have, as [index, value..., index, value..., ...]:
 * fills vals and returns how many (0: this segment has none). */
typedef int (*segment_extra)(const columns *c, size_t i, int64_t *vals);

static int seg_cut(const columns *c, size_t i, int64_t *vals)
{
    const engine_segment *seg = seg_at(c, i);
    vals[0] = seg->len - seg->caplen;
    return vals[0] != 0;
}

static int seg_differ(const columns *c, size_t i, int64_t *vals)
{
    vals[0] = seg_at(c, i)->conflict_bytes;
    return vals[0] != 0;
}

static int seg_rtt(const columns *c, size_t i, int64_t *vals)
{
    report_seg_diag d;
    report_segment_diag(c->rs, i, &d);
    vals[0] = d.rtt_ns;
    return d.has_rtt;
}

/* the cause and place (indexes into "causes" and "lost") of the episode a segment repaired */
static int seg_episode(const columns *c, size_t i, int64_t *vals)
{
    report_seg_diag d;
    report_segment_diag(c->rs, i, &d);
    if (!d.episode)
        return 0;
    vals[0] = d.episode->cause;
    vals[1] = d.episode->lost;
    return 2;
}

static void put_sparse(report_sink *out, const columns *c, const char *key, segment_extra extra)
{
    put_key(out, key);
    sink_puts(out, "[");
    const char *sep = "";
    for (size_t i = 0; i < engine_segment_count(c->rs->engine); i++) {
        int64_t vals[2];
        int n = extra(c, i, vals);
        if (!n)
            continue;
        sink_printf(out, "%s%zu", sep, i);
        for (int k = 0; k < n; k++) {
            sink_puts(out, ",");
            sink_i64(out, vals[k], 0);
        }
        sep = ",";
    }
    sink_puts(out, "]");
}

static void put_segment_data(report_sink *out, const report_stream *rs, int64_t first_ns)
{
    const columns c = {rs, first_ns};
    sink_puts(out, "\"segments\": {\"count\": ");
    sink_u64(out, engine_segment_count(rs->engine), 0);
    put_column(out, &c, "frame", seg_frame, COLUMN_DELTA);
    put_column(out, &c, "t", seg_time, COLUMN_DELTA);
    put_letters(out, rs->engine, "dir", false);
    put_column(out, &c, "seq", seg_seq, COLUMN_DELTA_PER_DIR);
    put_column(out, &c, "len", seg_len, COLUMN_PLAIN);
    put_column(out, &c, "ack", seg_ack, COLUMN_DELTA_PER_DIR);
    put_column(out, &c, "win", seg_win, COLUMN_DELTA_PER_DIR);
    put_column(out, &c, "flags", seg_flags, COLUMN_PLAIN);
    put_letters(out, rs->engine, "class", true);
    put_sparse(out, &c, "cut", seg_cut);
    put_sparse(out, &c, "differ", seg_differ);
    if (rs->diag) {
        put_column(out, &c, "in_flight", seg_in_flight, COLUMN_DELTA_PER_DIR);
        put_column(out, &c, "peer_win", seg_peer_win, COLUMN_DELTA_PER_DIR);
        put_sparse(out, &c, "rtt", seg_rtt);
        put_sparse(out, &c, "episode", seg_episode);
    }
    sink_puts(out, "}");
}

static void put_null_or(report_sink *out, bool present, int64_t v)
{
    if (present)
        sink_i64(out, v, 0);
    else
        sink_puts(out, "null");
}

/* A list of the data block: `"key": [[...], [...]]`, an item per row of the
 * shown directions. */
typedef struct {
    report_sink *out;
    const report_stream *rs;
    const report_options *opt;
    int64_t first_ns;
    bool any;
} data_list;

static data_list list_open(report_sink *out, const report_stream *rs, const report_options *opt, const char *key)
{
    put_key(out, key);
    sink_puts(out, "[");
    return (data_list){out, rs, opt, report_stream_first_ns(rs->engine), false};
}

/* Start the item of a row of sender's, "[dir,", and true; false if that
 * direction is not shown. */
static bool list_item(data_list *l, unsigned sender)
{
    unsigned dir = engine_sender_dir(l->rs->engine, sender);
    if (!report_dir_shown(l->opt, dir))
        return false;
    sink_printf(l->out, "%s[%u,", l->any ? "," : "", dir);
    l->any = true;
    return true;
}

/* The last field of an item, a number or null, and its closing bracket. */
static void item_close(data_list *l, bool present, int64_t v)
{
    put_null_or(l->out, present, v);
    sink_puts(l->out, "]");
}

static void put_turn_data(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    GArray *turns = analysis_turns(a);
    data_list l = list_open(out, rs, opt, "turns");
    for (guint i = 0; i < turns->len; i++) {
        const analysis_turn *t = &g_array_index(turns, analysis_turn, i);
        if (!list_item(&l, t->sender))
            continue;
        sink_printf(out, "%u,%" PRId64 ",%" PRId64 ",%u,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", i + 1,
                    t->first_ns - l.first_ns, t->last_ns - l.first_ns, t->first_frame, t->last_frame, t->bytes,
                    t->segments, t->retransmissions, t->gaps);
        item_close(&l, t->has_turnaround, t->turnaround_ns);
    }
    sink_puts(out, "]");
}

static void put_stall_data(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    GArray *stalls = analysis_stalls(a);
    data_list l = list_open(out, rs, opt, "stalls");
    for (guint i = 0; i < stalls->len; i++) {
        const analysis_stall *st = &g_array_index(stalls, analysis_stall, i);
        if (list_item(&l, st->sender))
            sink_printf(out, "%" PRId64 ",%" PRId64 ",%u,%u,\"%s\"]", st->start_ns - l.first_ns,
                        st->end_ns - l.first_ns, st->before_frame, st->after_frame,
                        analysis_stall_end_name(st->ended_by));
    }
    sink_puts(out, "]");
}

/* Final gaps and recovered holes (report_losses: the shown directions' already). */
static void put_loss_data(report_sink *out, const report_stream *rs, const report_options *opt, GArray *losses)
{
    const engine_stream *e = rs->engine;
    data_list l = list_open(out, rs, opt, "losses");
    for (guint i = 0; i < losses->len; i++) {
        const report_loss *loss = &g_array_index(losses, report_loss, i);
        unsigned sender = engine_dir_sender(e, loss->dir);
        if (!list_item(&l, sender))
            continue;
        sink_printf(out, "%" PRId64 ",%" PRIu64 ",\"%s\",%u,%u,%u,%u,", engine_relative_seq(e, sender, loss->seq),
                    loss->len, loss->recovered ? "recovered" : engine_gap_cause_name(loss->cause), loss->after_frame,
                    loss->before_frame, loss->opened_frame, loss->filled_frame);
        item_close(&l, loss->recovered, loss->delay_ns);
    }
    sink_puts(out, "]");
}

/* The loss episodes in time order, as the JSON report lists them. */
static void put_episode_data(report_sink *out, const report_stream *rs, const report_options *opt,
                             const GPtrArray *episodes)
{
    data_list l = list_open(out, rs, opt, "episodes");
    for (guint i = 0; i < episodes->len; i++) {
        const diag_episode *ep = g_ptr_array_index(episodes, i);
        if (!list_item(&l, ep->sender))
            continue;
        sink_printf(out, "%" PRId64 ",%" PRIu64 ",%d,%d,%u,%u,%u,%u,",
                    engine_relative_seq(rs->engine, ep->sender, ep->seq), ep->end - ep->seq, ep->cause, ep->lost,
                    ep->first_frame, ep->repair_frame, ep->dupacks, ep->timeouts);
        item_close(&l, ep->repair_frame != 0, ep->repair_ns - ep->first_ns);
    }
    sink_puts(out, "]");
}

static void put_zero_window_data(report_sink *out, const report_stream *rs, const report_options *opt)
{
    GArray *zws = diagnosis_zero_windows(rs->diag);
    data_list l = list_open(out, rs, opt, "zero_windows");
    for (guint i = 0; i < zws->len; i++) {
        const diag_zero_window *z = &g_array_index(zws, diag_zero_window, i);
        if (list_item(&l, z->sender))
            sink_printf(out, "%u,%u,%" PRId64 ",%" PRId64 ",%u]", z->first_frame, z->last_frame,
                        z->start_ns - l.first_ns, z->end_ns - z->start_ns, z->probes);
    }
    sink_puts(out, "]");
}

/* What the tables need, in one JSON object the script parses after the page
 * is painted. Numbers and our own names only, written so that nothing in it
 * can close the <script> element. */
void report_html_data(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a,
                      GArray *losses, const GPtrArray *episodes)
{
    const engine_stream *e = rs->engine;
    int64_t first = report_stream_first_ns(e);
    sink_puts(out, "<script type=\"application/json\" id=\"tft-data\">{\"time\": ");
    markup_json_string(out, report_time_name(opt->time));
    sink_printf(out, ", \"dirs\": [%s, %s], \"first\": {\"s\": %" PRId64 ", \"ns\": %" PRId64 "}, \"classes\": [",
                report_dir_shown(opt, 0) ? "true" : "false", report_dir_shown(opt, 1) ? "true" : "false",
                first / 1000000000, first % 1000000000);
    for (int k = 0; k < ENGINE_CLASS_COUNT; k++) {
        sink_puts(out, k ? "," : "");
        markup_json_string(out, engine_class_name(k));
    }
    sink_puts(out, "], \"causes\": [");
    for (int k = 0; k < DIAG_CAUSE_COUNT; k++) {
        sink_puts(out, k ? "," : "");
        markup_json_string(out, diag_cause_name(k));
    }
    sink_puts(out, "], \"lost\": [");
    for (int k = DIAG_LOST_NONE; k <= DIAG_LOST_BEFORE_CAPTURE; k++) {
        sink_puts(out, k ? "," : "");
        markup_json_string(out, diag_lost_name(k));
    }
    sink_puts(out, "],\n");
    put_segment_data(out, rs, first);
    put_turn_data(out, rs, opt, a);
    put_stall_data(out, rs, opt, a);
    put_loss_data(out, rs, opt, losses);
    if (rs->diag) {
        put_episode_data(out, rs, opt, episodes);
        put_zero_window_data(out, rs, opt);
    }
    sink_puts(out, "}</script>\n");
}
