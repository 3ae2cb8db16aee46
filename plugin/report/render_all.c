/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The all-streams summary: one row per TCP stream, in text, json or csv.
 * Every figure comes from the same engine counters and analysis as a single
 * stream's summary, so a row equals the summary of -z tcpfollowts,stream,N.
 */
#include "render_common.h"

#include <inttypes.h>

/* What a row shows, summed over both directions where it is a count. */
typedef struct {
    uint64_t bytes[2], segments[2], gaps[2], missing[2];
    uint64_t retransmissions, overlaps, out_of_order, conflicts;
    int64_t duration_ns;
    bool has_turnaround;
    int64_t turnaround_ns;
    bool has_stall;
    analysis_stall stall;
} row_figures;

static row_figures figures(const report_stream_summary *row)
{
    const engine_stream *e = row->rs.engine;
    row_figures f = {0};
    for (unsigned dir = 0; dir < 2; dir++) {
        const engine_dir_stats *st = engine_stats(e, engine_dir_sender(e, dir));
        f.bytes[dir] = st->kept_bytes;
        f.segments[dir] = st->segments;
        f.gaps[dir] = st->gaps;
        f.missing[dir] = st->missing_bytes;
        f.retransmissions += st->by_class[ENGINE_CLASS_RETRANSMISSION];
        f.overlaps += st->by_class[ENGINE_CLASS_OVERLAP];
        f.out_of_order += st->by_class[ENGINE_CLASS_OUT_OF_ORDER];
        f.conflicts += st->by_class[ENGINE_CLASS_CONFLICT];
    }
    f.duration_ns = report_stream_duration_ns(e);
    f.has_turnaround = analysis_worst_turnaround(row->analysis, &f.turnaround_ns);
    f.has_stall = analysis_longest_stall(row->analysis, &f.stall);
    return f;
}

static void seconds_or(char *buf, bool present, int64_t ns, const char *absent)
{
    if (present)
        report_format_seconds(buf, ns, 6);
    else
        g_strlcpy(buf, absent, REPORT_TIME_BUF);
}

/* A row's figures and the strings text and csv print them with. */
typedef struct {
    row_figures f;
    char *client, *server;
    char duration[REPORT_TIME_BUF], around[REPORT_TIME_BUF], stall[REPORT_TIME_BUF];
    char delay[48];
} row_view;

static void row_view_init(row_view *v, const report_stream_summary *row, const char *absent)
{
    const report_stream *rs = &row->rs;
    v->f = figures(row);
    v->client = report_endpoint(rs, engine_dir_sender(rs->engine, 0));
    v->server = report_endpoint(rs, engine_dir_sender(rs->engine, 1));
    report_format_seconds(v->duration, v->f.duration_ns, 6);
    seconds_or(v->around, v->f.has_turnaround, v->f.turnaround_ns, absent);
    seconds_or(v->stall, v->f.has_stall, v->f.stall.end_ns - v->f.stall.start_ns, absent);
    report_main_delay(v->delay, sizeof v->delay, rs);
}

static void row_view_clear(row_view *v)
{
    g_free(v->client);
    g_free(v->server);
}

static void render_text(const report_stream_summary *rows, size_t n, const report_options *opt, report_sink *out)
{
    char *desc = report_options_describe(opt, true);
    sink_printf(out, "tcpfollowts %s: all TCP streams (%zu)\n  %s\n\n", TCPFOLLOWTS_VERSION, n, desc);
    g_free(desc);
    sink_printf(out, "%6s  %-24s %-24s %10s %10s %7s %4s %9s %5s %5s %5s %5s %11s %11s %11s  %s\n", "stream",
                "client", "server", "bytes c>s", "bytes s>c", "segs", "gaps", "missing", "retx", "ovl", "ooo",
                "cfl", "duration", "turnaround", "stall", "delay");
    for (size_t i = 0; i < n; i++) {
        row_view v;
        row_view_init(&v, &rows[i], "-");
        const row_figures *f = &v.f;
        bool attention = f->gaps[0] + f->gaps[1] || f->conflicts;
        sink_printf(out, "%c%5u  %-24s %-24s %10" PRIu64 " %10" PRIu64 " %7" PRIu64 " %4" PRIu64 " %9" PRIu64
                         " %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " %5" PRIu64 " %11s %11s %11s  %s\n",
                    attention ? '!' : ' ', rows[i].rs.stream, v.client, v.server, f->bytes[0], f->bytes[1],
                    f->segments[0] + f->segments[1], f->gaps[0] + f->gaps[1], f->missing[0] + f->missing[1],
                    f->retransmissions, f->overlaps, f->out_of_order, f->conflicts, v.duration, v.around, v.stall,
                    v.delay);
        row_view_clear(&v);
    }
}

static void render_csv(const report_stream_summary *rows, size_t n, report_sink *out)
{
    sink_puts(out, "stream,client,server,bytes_c2s,bytes_s2c,segments_c2s,segments_s2c,gaps_c2s,gaps_s2c,"
                   "missing_c2s,missing_s2c,retransmissions,overlaps,out_of_order,conflicts,duration,"
                   "worst_turnaround,longest_stall");
    report_csv_diag_header(out);
    sink_puts(out, "\n");
    for (size_t i = 0; i < n; i++) {
        row_view v;
        row_view_init(&v, &rows[i], "");
        const row_figures *f = &v.f;
        sink_printf(out, "%u,%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                         ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%s,%s",
                    rows[i].rs.stream, v.client, v.server, f->bytes[0], f->bytes[1], f->segments[0], f->segments[1],
                    f->gaps[0], f->gaps[1], f->missing[0], f->missing[1], f->retransmissions, f->overlaps,
                    f->out_of_order, f->conflicts, v.duration, v.around, v.stall);
        report_csv_diag_row(out, &rows[i].rs);
        sink_puts(out, "\n");
        row_view_clear(&v);
    }
}

static void render_json(const report_stream_summary *rows, size_t n, const report_options *opt, report_sink *out)
{
    char *desc = report_options_describe(opt, true);
    sink_printf(out, "{\n  \"tool\": \"tcpfollowts\", \"version\": \"%s\",\n  \"options\": \"%s\",\n  \"streams\": [",
                TCPFOLLOWTS_VERSION, desc);
    g_free(desc);
    for (size_t i = 0; i < n; i++) {
        const report_stream *rs = &rows[i].rs;
        row_figures f = figures(&rows[i]);
        char duration[REPORT_TIME_BUF], around[REPORT_TIME_BUF], pause[REPORT_TIME_BUF];
        report_format_seconds(duration, f.duration_ns, 9);
        sink_printf(out, "%s\n    {\"stream\": %u, ", i ? "," : "", rs->stream);
        report_json_nodes(out, rs);
        sink_puts(out, ",\n     \"dirs\": [");
        for (unsigned dir = 0; dir < 2; dir++) {
            sink_puts(out, dir ? ",\n       " : "\n       ");
            report_json_dir_stats(out, rs, dir, rows[i].analysis);
        }
        sink_printf(out, "],\n     \"duration\": %s, \"worst_turnaround\": ", duration);
        if (f.has_turnaround) {
            report_format_seconds(around, f.turnaround_ns, 9);
            sink_puts(out, around);
        } else {
            sink_puts(out, "null");
        }
        sink_puts(out, ", \"longest_stall\": ");
        if (f.has_stall) {
            report_format_seconds(pause, f.stall.end_ns - f.stall.start_ns, 9);
            sink_printf(out, "{\"dir\": %u, \"before_frame\": %u, \"after_frame\": %u, \"duration\": %s, "
                             "\"ended_by\": \"%s\"}",
                        engine_sender_dir(rs->engine, f.stall.sender), f.stall.before_frame,
                        f.stall.after_frame, pause, analysis_stall_end_name(f.stall.ended_by));
        } else {
            sink_puts(out, "null");
        }
        sink_puts(out, "}");
    }
    sink_puts(out, n ? "\n  ]\n}\n" : "]\n}\n");
}

void report_render_all(const report_stream_summary *rows, size_t n, const report_options *opt, report_sink *out)
{
    switch (opt->fmt) {
    case REPORT_FMT_JSON: render_json(rows, n, opt, out); break;
    case REPORT_FMT_CSV: render_csv(rows, n, out); break;
    default: render_text(rows, n, opt, out); break;
    }
    sink_flush(out);
}
