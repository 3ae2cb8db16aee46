/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The text report: header, a timeline line per segment in frame order with the
 * bytes it contributed, gap lines where bytes are missing, and a summary.
 * Lines stay under 90 columns so the GUI text window does not wrap them.
 */
#include "render_common.h"

#include <inttypes.h>
#include <string.h>

#define DATA_INDENT "            | "
#define ASCII_WIDTH 72

/* The final gaps, bucketed by where they show in the timeline: before the
 * segment whose bytes follow the gap (a tail gap after the last line). The
 * bytes a segment contributed are looked up in the engine when its line is
 * printed, so a large stream's chunks are never copied. */
typedef struct {
    GArray *gaps;        /* dir_gap, grouped by before_segment */
    guint *gap_start;    /* nsegments + 2 offsets; the last bucket holds tail gaps */
} timeline;

typedef struct {
    engine_gap gap;
    unsigned dir;
} dir_gap;

typedef struct {
    GArray *gaps;
    unsigned dir;
} collector;

static void collect_gap(void *ctx, const engine_gap *gap)
{
    collector *c = ctx;
    dir_gap g = {*gap, c->dir};
    g_array_append_val(c->gaps, g);
}

/* Sort items in place by their bucket (then seq) and return where each
 * bucket starts: nbuckets + 1 offsets. In place, because with data shown the
 * chunks are one per segment of what may be a very large stream. */
static guint *group(GArray *items, size_t elt, guint nbuckets, guint (*key)(const void *, guint),
                    GCompareFunc compare)
{
    g_array_sort(items, compare);
    guint *start = g_new0(guint, nbuckets + 1);
    for (guint i = 0; i < items->len; i++)
        start[key(items->data + i * elt, nbuckets - 1) + 1]++;
    for (guint b = 0; b < nbuckets; b++)
        start[b + 1] += start[b];
    return start;
}

static guint gap_key(const void *p, guint tail)
{
    const dir_gap *g = p;
    return g->gap.before_segment == ENGINE_NO_SEGMENT ? tail : g->gap.before_segment;
}

static gint compare_gaps(gconstpointer a, gconstpointer b)
{
    const dir_gap *x = a, *y = b;
    guint kx = gap_key(x, G_MAXUINT), ky = gap_key(y, G_MAXUINT);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if (x->dir != y->dir)
        return x->dir < y->dir ? -1 : 1;
    return x->gap.seq < y->gap.seq ? -1 : x->gap.seq > y->gap.seq;
}

static void timeline_build(timeline *t, const report_stream *rs, const report_options *opt)
{
    collector c = {g_array_new(FALSE, FALSE, sizeof(dir_gap)), 0};
    engine_walk_cb cb = {NULL, collect_gap};
    for (unsigned dir = 0; dir < 2; dir++) {
        if (!report_dir_shown(opt, dir))
            continue;
        c.dir = dir;
        report_walk_dir(rs, dir, &cb, &c);
    }
    guint n = (guint)engine_segment_count(rs->engine);
    t->gaps = c.gaps;
    t->gap_start = group(t->gaps, sizeof(dir_gap), n + 1, gap_key, compare_gaps);
}

static void timeline_free(timeline *t)
{
    g_array_free(t->gaps, TRUE);
    g_free(t->gap_start);
}

/* Column width of a time in the given mode (abs: 2023-08-04T08:32:27.482113Z). */
static int time_width(report_time mode)
{
    return mode == REPORT_TIME_ABS ? 27 : mode == REPORT_TIME_EPOCH ? 20 : 12;
}

static const char *arrow(unsigned dir) { return dir == 0 ? "->" : "<-"; }

static char marker(engine_class k)
{
    switch (k) {
    case ENGINE_CLASS_CONFLICT:
    case ENGINE_CLASS_UNKNOWN_LENGTH: return '!';
    case ENGINE_CLASS_RETRANSMISSION:
    case ENGINE_CLASS_OVERLAP:
    case ENGINE_CLASS_OUT_OF_ORDER: return '~';
    default: return ' ';
    }
}

static void print_gap(report_sink *out, const report_stream *rs, const dir_gap *g)
{
    const engine_stream *e = rs->engine;
    unsigned sender = engine_dir_sender(e, g->dir);
    sink_printf(out, "!   gap %s seq %" PRId64 " len %" PRIu64 " %s", arrow(g->dir),
                engine_relative_seq(e, sender, g->gap.seq), g->gap.len,
                g->gap.cause == ENGINE_GAP_TRUNCATED ? "cut by snaplen" : "not captured");
    bool after = g->gap.after_segment != ENGINE_NO_SEGMENT, before = g->gap.before_segment != ENGINE_NO_SEGMENT;
    uint32_t after_frame = after ? engine_segment_at(e, g->gap.after_segment)->frame : 0;
    uint32_t before_frame = before ? engine_segment_at(e, g->gap.before_segment)->frame : 0;
    if (after && before)
        sink_printf(out, " (after frame %u, before %u)", after_frame, before_frame);
    else if (after || before)
        sink_printf(out, " (%s frame %u)", after ? "after" : "before", after ? after_frame : before_frame);
    sink_puts(out, "\n");
}

/* Payload lines are built into one buffer and written whole: with data
 * shown, this is where a large stream's report spends its time. */

/* One line per payload line (CR LF and LF end it), at most ASCII_WIDTH wide. */
static void print_ascii(report_sink *out, const uint8_t *p, uint32_t len)
{
    enum { INDENT = sizeof DATA_INDENT - 1 };
    char line[INDENT + ASCII_WIDTH + 1];
    memcpy(line, DATA_INDENT, INDENT);
    uint32_t i = 0;
    while (i < len) {
        const uint8_t *lf = memchr(p + i, '\n', len - i);
        uint32_t stop = lf ? (uint32_t)(lf - p) : len, next = lf ? stop + 1 : len;
        if (lf && stop > i && p[stop - 1] == '\r')
            stop--;
        do { /* at least one line, even an empty one before a LF */
            uint32_t n = MIN(stop - i, (uint32_t)ASCII_WIDTH);
            for (uint32_t k = 0; k < n; k++)
                line[INDENT + k] = report_printable(p[i + k]);
            line[INDENT + n] = '\n';
            sink_write(out, line, INDENT + n + 1);
            i += n;
        } while (i < stop);
        i = next;
    }
}

static void print_hex(report_sink *out, const uint8_t *p, uint32_t len, int64_t rel_seq)
{
    for (uint32_t off = 0; off < len; off += 16) {
        char line[sizeof DATA_INDENT + REPORT_HEX_LINE + 1] = DATA_INDENT;
        size_t n = sizeof DATA_INDENT - 1;
        n += report_hex_line(line + n, p + off, MIN(len - off, 16), rel_seq + off);
        line[n++] = '\n';
        sink_write(out, line, n);
    }
}

typedef struct {
    report_sink *out;
    const report_stream *rs;
    const report_options *opt;
    uint32_t segment;
} chunk_printer;

/* The bytes this segment contributed: the kept chunks in its range that carry its index. */
static void print_own_chunk(void *ctx, const engine_chunk *c)
{
    chunk_printer *p = ctx;
    if (c->segment != p->segment)
        return;
    const engine_segment *seg = engine_segment_at(p->rs->engine, p->segment);
    uint64_t data_seq = seg->seq + ((seg->flags & ENGINE_TCP_SYN) ? 1 : 0);
    int64_t rel = engine_relative_seq(p->rs->engine, seg->sender, c->seq);
    if (c->seq != data_seq || c->len != seg->caplen)
        sink_printf(p->out, DATA_INDENT "(kept from this frame: seq %" PRId64 " len %" PRIu64 ")\n", rel, c->len);
    if (p->opt->data == REPORT_DATA_HEX)
        print_hex(p->out, c->data, (uint32_t)c->len, rel);
    else
        print_ascii(p->out, c->data, (uint32_t)c->len);
}

static void print_chunks(report_sink *out, const report_stream *rs, const report_options *opt, guint segment)
{
    const engine_segment *seg = engine_segment_at(rs->engine, segment);
    if (!seg->caplen || seg->klass == ENGINE_CLASS_KEEP_ALIVE) /* (with overlap=last a retransmission may own bytes) */
        return;
    uint64_t data_seq = seg->seq + ((seg->flags & ENGINE_TCP_SYN) ? 1 : 0);
    chunk_printer p = {out, rs, opt, segment};
    engine_walk_range(rs->engine, seg->sender, data_seq, data_seq + seg->caplen, print_own_chunk, &p);
}

static void print_gaps_before(report_sink *out, const report_stream *rs, const timeline *t, guint bucket_index)
{
    for (guint i = t->gap_start[bucket_index]; i < t->gap_start[bucket_index + 1]; i++)
        print_gap(out, rs, &g_array_index(t->gaps, dir_gap, i));
}

static void print_header(report_sink *out, const report_stream *rs, const report_options *opt)
{
    const engine_stream *e = rs->engine;
    sink_printf(out, "tcpfollowts %s: TCP stream %u\n", TCPFOLLOWTS_VERSION, rs->stream);
    for (unsigned dir = 0; dir < 2; dir++) {
        unsigned sender = engine_dir_sender(e, dir);
        char *ep = report_endpoint(rs, sender);
        sink_printf(out, "  %s  %-46s base seq %u\n", dir == 0 ? "client" : "server", ep,
                    engine_base_raw(e, sender));
        g_free(ep);
    }
    char *desc = report_options_describe(opt, false);
    sink_printf(out, "  %s\n", desc);
    g_free(desc);
    sink_puts(out, "  marks: ! conflict, gap or unknown bytes; ~ retransmission, overlap, out-of-order\n\n");
    sink_printf(out, "  %7s %-*s %-2s %11s %11s %6s %-5s ", "frame", time_width(opt->time),
                opt->time == REPORT_TIME_DELTA ? "delta" : "time", "", "seq", "nxtseq", "len", "flags");
    if (opt->cols == REPORT_COLS_DIAG && rs->diag)
        sink_printf(out, "%6s %6s %8s ", "flight", "win", "rtt");
    sink_puts(out, "class\n");
}

/* 1234, 98.5k, 12.3M: six columns at most */
static void compact_count(char *buf, size_t n, uint64_t v)
{
    if (v < 100000)
        g_snprintf(buf, n, "%" PRIu64, v);
    else if (v < 10000000)
        g_snprintf(buf, n, "%.1fk", (double)v / 1e3);
    else
        g_snprintf(buf, n, "%.1fM", (double)v / 1e6);
}

/* in flight, the peer's window and the RTT sample: "-" where there is none */
static void print_diag_columns(report_sink *out, const report_seg_diag *sd)
{
    char flight[16], win[16] = "-", rtt[24] = "-";
    compact_count(flight, sizeof flight, sd->in_flight);
    if (sd->has_peer_win)
        compact_count(win, sizeof win, sd->peer_win);
    if (sd->has_rtt) {
        char ms[REPORT_TIME_BUF];
        report_format_seconds(ms, sd->rtt_ns * 1000, sd->rtt_ns < 10000000 ? 3 : 1); /* in ms */
        g_snprintf(rtt, sizeof rtt, "%sms", ms);
    }
    sink_printf(out, "%6s %6s %8s ", flight, win, rtt);
}

/* beside the class: what the repair was for, so that a repaired loss never
 * reads as reordering */
static void print_repair(report_sink *out, const diag_episode *e)
{
    if (e->lost == DIAG_LOST_NONE)
        sink_printf(out, " [%s]", diag_cause_name(e->cause));
    else
        sink_printf(out, " [%s, lost %s capture]", diag_cause_name(e->cause),
                    e->lost == DIAG_LOST_AFTER_CAPTURE ? "after" : "before");
}

static void print_timeline(report_sink *out, const report_stream *rs, const report_options *opt)
{
    const engine_stream *e = rs->engine;
    timeline t;
    timeline_build(&t, rs, opt);
    int64_t first = report_stream_first_ns(e), prev = first;
    guint n = (guint)engine_segment_count(e);
    for (guint i = 0; i < n; i++) {
        const engine_segment *seg = engine_segment_at(e, i);
        unsigned dir = engine_segment_dir(e, seg);
        if (!report_dir_shown(opt, dir))
            continue;
        print_gaps_before(out, rs, &t, i);
        char when[REPORT_TIME_BUF], flags[16];
        report_format_time(when, seg->time_ns, opt->time, opt->time == REPORT_TIME_DELTA ? prev : first);
        report_format_flags(flags, seg->flags);
        prev = seg->time_ns;
        /* by fields, not printf: this line is written for every segment */
        char mark[2] = {marker(seg->klass), '\0'};
        sink_puts(out, mark);
        sink_u64(out, seg->frame, 8);
        sink_puts(out, " ");
        sink_padded(out, when, time_width(opt->time));
        sink_puts(out, dir == 0 ? " -> " : " <- ");
        sink_i64(out, engine_relative_seq(e, seg->sender, seg->seq), 11);
        sink_i64(out, engine_relative_seq(e, seg->sender, engine_segment_nxtseq(seg)), 12);
        sink_u64(out, seg->len, 7);
        sink_puts(out, " ");
        sink_padded(out, flags, 5);
        sink_puts(out, " ");
        report_seg_diag sd;
        bool diag = report_segment_diag(rs, i, &sd);
        if (diag && opt->cols == REPORT_COLS_DIAG)
            print_diag_columns(out, &sd);
        sink_puts(out, engine_class_name(seg->klass));
        if (seg->caplen < seg->len)
            sink_printf(out, " (%u cut)", seg->len - seg->caplen);
        if (seg->conflict_bytes)
            sink_printf(out, " (%u differ)", seg->conflict_bytes);
        if (diag && sd.episode)
            print_repair(out, sd.episode);
        if (diag && sd.syn_resent)
            sink_puts(out, " (sent again)");
        sink_puts(out, "\n");
        if (opt->data != REPORT_DATA_NONE)
            print_chunks(out, rs, opt, i);
    }
    print_gaps_before(out, rs, &t, n);
    timeline_free(&t);
}

static void print_dir_columns_header(report_sink *out, const char *title, const report_options *opt)
{
    sink_printf(out, "\n%-32s", title);
    for (unsigned dir = 0; dir < 2; dir++)
        if (report_dir_shown(opt, dir))
            sink_printf(out, "%22s", dir == 0 ? "client -> server" : "server -> client");
    sink_puts(out, "\n");
}

static void print_handshake(report_sink *out, const analysis *a)
{
    const tcp_handshake *h = analysis_get_handshake(a);
    if (!h->complete) {
        sink_puts(out, "\nhandshake: not captured in full\n");
        return;
    }
    char rtt[REPORT_TIME_BUF], first[REPORT_TIME_BUF], second[REPORT_TIME_BUF];
    report_format_seconds(rtt, h->ack_ns - h->syn_ns, 6);
    report_format_seconds(first, h->syn_ack_ns - h->syn_ns, 6);
    report_format_seconds(second, h->ack_ns - h->syn_ack_ns, 6);
    sink_printf(out, "\nhandshake: RTT %s s (SYN frame %u, SYN-ACK %u +%s s, ACK %u +%s s)\n", rtt,
                h->syn_frame, h->syn_ack_frame, first, h->ack_frame, second);
}

static void print_turns(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    GArray *turns = analysis_turns(a);
    int64_t first = report_stream_first_ns(rs->engine);
    sink_printf(out, "\nturns (runs of data in one direction)\n  %5s %-2s %12s %12s %7s %10s %6s %5s %4s %11s\n",
                "#", "", "first", "last", "frame", "bytes", "segs", "retx", "gaps", "turnaround");
    for (guint i = 0; i < turns->len; i++) {
        const analysis_turn *t = &g_array_index(turns, analysis_turn, i);
        unsigned dir = engine_sender_dir(rs->engine, t->sender);
        if (!report_dir_shown(opt, dir))
            continue;
        char f[REPORT_TIME_BUF], l[REPORT_TIME_BUF], around[REPORT_TIME_BUF] = "-";
        report_format_seconds(f, t->first_ns - first, 6);
        report_format_seconds(l, t->last_ns - first, 6);
        if (t->has_turnaround)
            report_format_seconds(around, t->turnaround_ns, 6);
        sink_printf(out, "%c %5u %s %12s %12s %7u %10" PRIu64 " %6" PRIu64 " %5" PRIu64 " %4" PRIu64 " %11s\n",
                    t->gaps ? '!' : t->retransmissions ? '~' : ' ', i + 1, arrow(dir), f, l, t->first_frame,
                    t->bytes, t->segments, t->retransmissions, t->gaps, around);
    }
}

static void print_stalls(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    GArray *stalls = analysis_stalls(a);
    char threshold[REPORT_TIME_BUF];
    report_format_seconds(threshold, opt->stall_ns, 6);
    sink_printf(out, "\nstalls (pauses > %s s inside a turn): %u\n", threshold, stalls->len);
    int64_t first = report_stream_first_ns(rs->engine);
    for (guint i = 0; i < stalls->len; i++) {
        const analysis_stall *st = &g_array_index(stalls, analysis_stall, i);
        unsigned dir = engine_sender_dir(rs->engine, st->sender);
        if (!report_dir_shown(opt, dir))
            continue;
        char at[REPORT_TIME_BUF], pause[REPORT_TIME_BUF];
        report_format_seconds(at, st->start_ns - first, 6);
        report_format_seconds(pause, st->end_ns - st->start_ns, 6);
        sink_printf(out, "%c %s at %s: %s s between frames %u and %u, ended by %s\n",
                    st->ended_by == ANALYSIS_STALL_ENDED_BY_DATA ? ' ' : '!', arrow(dir), at, pause,
                    st->before_frame, st->after_frame, analysis_stall_end_name(st->ended_by));
    }
}

static void print_losses(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    const engine_stream *e = rs->engine;
    GArray *losses = report_losses(rs, opt, a);
    sink_printf(out, "\nlosses: %u\n", losses->len);
    for (guint i = 0; i < losses->len; i++) {
        const report_loss *l = &g_array_index(losses, report_loss, i);
        int64_t seq = engine_relative_seq(e, engine_dir_sender(e, l->dir), l->seq);
        if (l->recovered) {
            char delay[REPORT_TIME_BUF];
            report_format_seconds(delay, l->delay_ns, 6);
            sink_printf(out, "~ %s seq %" PRId64 " len %" PRIu64 ": recovered in %s s, frame %u showed it, %u filled it\n",
                        arrow(l->dir), seq, l->len, delay, l->opened_frame, l->filled_frame);
        } else {
            sink_printf(out, "! %s seq %" PRId64 " len %" PRIu64 ": %s", arrow(l->dir), seq, l->len,
                        l->cause == ENGINE_GAP_TRUNCATED ? "cut by the snapshot length" : "never captured");
            if (l->after_frame)
                sink_printf(out, ", after frame %u", l->after_frame);
            if (l->before_frame)
                sink_printf(out, ", before frame %u", l->before_frame);
            sink_puts(out, "\n");
        }
    }
    g_array_free(losses, TRUE);
}

static const report_row_style text_rows = {"  %-30s", "%22s", "\n"};

static void print_summary(report_sink *out, const report_stream *rs, const report_options *opt)
{
    const engine_stream *e = rs->engine;
    int64_t first = report_stream_first_ns(e);
    analysis *a = report_analyze(rs, opt);
    print_dir_columns_header(out, "summary", opt);
    report_put_summary_rows(out, rs, opt, a, false, &text_rows);
    for (int which = 0; which < 2; which++) {
        sink_printf(out, "  %-30s", which == 0 ? "first segment" : "last segment");
        for (unsigned dir = 0; dir < 2; dir++) {
            if (!report_dir_shown(opt, dir))
                continue;
            unsigned sender = engine_dir_sender(e, dir);
            const engine_dir_stats *st = engine_stats(e, sender);
            char when[REPORT_TIME_BUF] = "-";
            if (engine_sender_seen(e, sender))
                report_format_time(when, which == 0 ? st->first_ns : st->last_ns,
                                   opt->time == REPORT_TIME_DELTA ? REPORT_TIME_REL : opt->time, first);
            sink_printf(out, "%22s", when);
        }
        sink_puts(out, "\n");
    }
    report_put_summary_rows(out, rs, opt, a, true, &text_rows);
    char duration[REPORT_TIME_BUF];
    report_format_seconds(duration, report_stream_duration_ns(e), 6);
    sink_printf(out, "  %-30s%22s s\n", "duration", duration);
    print_handshake(out, a);
    print_turns(out, rs, opt, a);
    print_stalls(out, rs, opt, a);
    print_losses(out, rs, opt, a);
    report_text_diagnosis(out, rs, opt, a);
    analysis_free(a);
}

void report_render_text(const report_stream *rs, const report_options *opt, report_sink *out)
{
    print_header(out, rs, opt);
    print_timeline(out, rs, opt);
    print_summary(out, rs, opt);
}
