/* SPDX-License-Identifier: GPL-2.0-or-later
 * One row per segment, a header row first; times per the time= option. */
#include "render_common.h"

#include <inttypes.h>

/* ,in_flight,peer_win,rtt,cause,lost: empty where there is none */
static void csv_segment_diag(report_sink *out, const report_stream *rs, size_t i)
{
    report_seg_diag sd;
    bool diag = report_segment_diag(rs, i, &sd);
    sink_puts(out, ",");
    if (diag)
        sink_u64(out, sd.in_flight, 0);
    sink_puts(out, ",");
    if (sd.has_peer_win)
        sink_u64(out, sd.peer_win, 0);
    sink_puts(out, ",");
    if (sd.has_rtt) {
        char rtt[REPORT_TIME_BUF];
        report_format_seconds(rtt, sd.rtt_ns, 9);
        sink_puts(out, rtt);
    }
    sink_puts(out, ",");
    if (sd.episode) {
        sink_puts(out, diag_cause_name(sd.episode->cause));
        sink_puts(out, ",");
        sink_puts(out, diag_lost_name(sd.episode->lost));
    } else {
        sink_puts(out, ",");
    }
}

static void csv_segments(const report_stream *rs, const report_options *opt, report_sink *out)
{
    const engine_stream *e = rs->engine;
    int64_t first = report_stream_first_ns(e), prev = first;
    sink_puts(out, "stream,frame,time,dir,seq,nxtseq,ack,flags,win,len,captured,class,new_bytes,"
                   "conflict_bytes,in_flight,peer_win,rtt,cause,lost\n");
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        const engine_segment *seg = engine_segment_at(e, i);
        unsigned dir = engine_segment_dir(e, seg);
        if (!report_dir_shown(opt, dir))
            continue;
        char when[REPORT_TIME_BUF], flags[16];
        report_format_time(when, seg->time_ns, opt->time, opt->time == REPORT_TIME_DELTA ? prev : first);
        report_format_flags(flags, seg->flags);
        prev = seg->time_ns;
        /* field by field, not printf: this row is written for every segment */
        sink_u64(out, rs->stream, 0);
        sink_puts(out, ",");
        sink_u64(out, seg->frame, 0);
        sink_puts(out, ",");
        sink_puts(out, when);
        sink_puts(out, dir ? ",1," : ",0,");
        sink_i64(out, engine_relative_seq(e, seg->sender, seg->seq), 0);
        sink_puts(out, ",");
        sink_i64(out, engine_relative_seq(e, seg->sender, engine_segment_nxtseq(seg)), 0);
        sink_puts(out, ",");
        if (seg->flags & ENGINE_TCP_ACK)
            sink_i64(out, engine_relative_seq(e, !seg->sender, seg->ack), 0);
        sink_puts(out, ",");
        sink_puts(out, flags);
        const uint64_t counts[] = {seg->win, seg->len, seg->caplen};
        for (size_t k = 0; k < G_N_ELEMENTS(counts); k++) {
            sink_puts(out, ",");
            sink_u64(out, counts[k], 0);
        }
        sink_puts(out, ",");
        sink_puts(out, engine_class_name(seg->klass));
        sink_puts(out, ",");
        sink_u64(out, seg->new_bytes, 0);
        sink_puts(out, ",");
        sink_u64(out, seg->conflict_bytes, 0);
        csv_segment_diag(out, rs, i);
        sink_puts(out, "\n");
    }
}

/* Turns and stalls are spans, not a sequence: "delta" reads as "rel" for them. */
static report_time span_time(const report_options *opt)
{
    return opt->time == REPORT_TIME_DELTA ? REPORT_TIME_REL : opt->time;
}

static void csv_turns(const report_stream *rs, const report_options *opt, report_sink *out, const analysis *a)
{
    const engine_stream *e = rs->engine;
    int64_t first = report_stream_first_ns(e);
    GArray *turns = analysis_turns(a);
    sink_puts(out, "stream,turn,dir,first,last,first_frame,last_frame,bytes,segments,retransmissions,gaps,turnaround\n");
    for (guint i = 0; i < turns->len; i++) {
        const analysis_turn *t = &g_array_index(turns, analysis_turn, i);
        unsigned dir = engine_sender_dir(e, t->sender);
        if (!report_dir_shown(opt, dir))
            continue;
        char f[REPORT_TIME_BUF], l[REPORT_TIME_BUF], around[REPORT_TIME_BUF] = "";
        report_format_time(f, t->first_ns, span_time(opt), first);
        report_format_time(l, t->last_ns, span_time(opt), first);
        if (t->has_turnaround)
            report_format_seconds(around, t->turnaround_ns, 6);
        sink_printf(out, "%u,%u,%u,%s,%s,%u,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s\n", rs->stream,
                    i + 1, dir, f, l, t->first_frame, t->last_frame, t->bytes, t->segments, t->retransmissions,
                    t->gaps, around);
    }
}

static void csv_stalls(const report_stream *rs, const report_options *opt, report_sink *out, const analysis *a)
{
    const engine_stream *e = rs->engine;
    int64_t first = report_stream_first_ns(e);
    GArray *stalls = analysis_stalls(a);
    sink_puts(out, "stream,dir,start,end,duration,before_frame,after_frame,ended_by\n");
    for (guint i = 0; i < stalls->len; i++) {
        const analysis_stall *st = &g_array_index(stalls, analysis_stall, i);
        unsigned dir = engine_sender_dir(e, st->sender);
        if (!report_dir_shown(opt, dir))
            continue;
        char from[REPORT_TIME_BUF], to[REPORT_TIME_BUF], pause[REPORT_TIME_BUF];
        report_format_time(from, st->start_ns, span_time(opt), first);
        report_format_time(to, st->end_ns, span_time(opt), first);
        report_format_seconds(pause, st->end_ns - st->start_ns, 6);
        sink_printf(out, "%u,%u,%s,%s,%s,%u,%u,%s\n", rs->stream, dir, from, to, pause, st->before_frame,
                    st->after_frame, analysis_stall_end_name(st->ended_by));
    }
}

static void csv_losses(const report_stream *rs, const report_options *opt, report_sink *out, const analysis *a)
{
    const engine_stream *e = rs->engine;
    GArray *losses = report_losses(rs, opt, a);
    sink_puts(out, "stream,dir,seq,len,fate,after_frame,before_frame,opened_frame,filled_frame,delay\n");
    for (guint i = 0; i < losses->len; i++) {
        const report_loss *l = &g_array_index(losses, report_loss, i);
        char delay[REPORT_TIME_BUF] = "";
        if (l->recovered)
            report_format_seconds(delay, l->delay_ns, 6);
        sink_printf(out, "%u,%u,%" PRId64 ",%" PRIu64 ",%s,", rs->stream, l->dir,
                    engine_relative_seq(e, engine_dir_sender(e, l->dir), l->seq), l->len,
                    l->recovered ? "recovered" : engine_gap_cause_name(l->cause));
        /* frame 0 does not exist: an empty field means "none" */
        uint32_t frames[4] = {l->after_frame, l->before_frame, l->opened_frame, l->filled_frame};
        for (int f = 0; f < 4; f++) {
            if (frames[f])
                sink_printf(out, "%u", frames[f]);
            sink_puts(out, ",");
        }
        sink_printf(out, "%s\n", delay);
    }
    g_array_free(losses, TRUE);
}

void report_render_csv(const report_stream *rs, const report_options *opt, report_sink *out)
{
    if (opt->table == REPORT_TABLE_SEGMENTS) {
        csv_segments(rs, opt, out);
        return;
    }
    analysis *a = report_analyze(rs, opt);
    if (opt->table == REPORT_TABLE_TURNS)
        csv_turns(rs, opt, out, a);
    else if (opt->table == REPORT_TABLE_STALLS)
        csv_stalls(rs, opt, out, a);
    else
        csv_losses(rs, opt, out, a);
    analysis_free(a);
}
