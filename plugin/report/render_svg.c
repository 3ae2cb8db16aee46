/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The time-sequence graph (tcptrace's, Stevens'): one panel per shown
 * direction, x = time, y = relative seq. Every data segment is a vertical bar
 * from its first to its last byte at its time; the peer's ACK and its receive
 * window (ACK + window) are step lines; gaps are bands across their seq range;
 * stalls, zero-window periods and the silences that ended in a timeout
 * repair (the diagnosis) are bands across the time axis; turns start at
 * dashed lines.
 *
 * Size: a segment that is not in-order new data (or control, which draws
 * nothing) is its own element with data-frame="N". In-order new segments are
 * the bulk of a stream and go into one path per panel, at a tenth of a pixel:
 * consecutive ones whose bytes follow each other and that fall into the same
 * tenth of a pixel in time become one bar. The path grows with the plot's
 * width, not with the stream; so do the ACK and window lines, which keep the
 * last value of each tenth of a pixel, and the turn lines. (The HTML report
 * redraws these layers from its data when it zooms.)
 *
 * Output is deterministic: coordinates are rounded to fixed decimals, written
 * without the locale, and every element comes in a fixed order.
 */
#include "render_common.h"

#include "assets.h"
#include "markup.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

/* Layout, in SVG pixels. The page's script reads the plot area back from the
 * panel's frame rectangle. */
enum {
    SVG_WIDTH = 1200,
    HEADER_H = 86, /* title, options, two legend rows */
    PANEL_H = 430,
    PLOT_X = 84,   /* the plot area inside a panel */
    PLOT_Y = 32,
    PLOT_W = 1090,
    PLOT_H = 340,
};

#define NS_PER_SEC INT64_C(1000000000)
/* Dense layers (new data, ACK and window lines) keep a tenth of a pixel;
 * marks keep a hundredth, so they stay in place when the page zooms in. */
#define DENSE_DECIMALS 1
#define DENSE_SCALE 10.0
#define MARK_DECIMALS 2

typedef struct {
    const report_stream *rs;
    const report_options *opt;
    const analysis *a;
    report_sink *out;
    int64_t first_ns;   /* rel 0: the first segment's time */
    int64_t t_lo, t_hi; /* rel ns at x = 0 and x = PLOT_W */
} graph;

typedef struct {
    unsigned dir, sender;
    int64_t s_lo, s_hi; /* relative seq at y = PLOT_H and y = 0 */
} panel;

static double x_of(const graph *g, int64_t t_ns)
{
    return (double)(t_ns - g->first_ns - g->t_lo) * PLOT_W / (double)(g->t_hi - g->t_lo);
}

static double y_of(const panel *p, int64_t seq)
{
    return PLOT_H - (double)(seq - p->s_lo) * PLOT_H / (double)(p->s_hi - p->s_lo);
}

static int64_t rel_seq(const graph *g, unsigned sender, uint64_t seq)
{
    return engine_relative_seq(g->rs->engine, sender, seq);
}

/* The bytes a segment carries: [*lo, *hi) in relative seq (a SYN's own seq
 * number is not a byte). */
static void data_range(const graph *g, const engine_segment *seg, int64_t *lo, int64_t *hi)
{
    *lo = rel_seq(g, seg->sender, engine_segment_data_seq(seg));
    *hi = *lo + seg->len;
}

/* [lo, hi] widened by a margin on both sides so that nothing sits on the frame. */
static void pad_range(int64_t *lo, int64_t *hi, int64_t min_span)
{
    int64_t span = MAX(*hi - *lo, min_span);
    int64_t margin = span / 40 + 1;
    *hi = *lo + span + margin;
    *lo -= margin;
}

static void time_range(graph *g)
{
    const engine_stream *e = g->rs->engine;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        int64_t t = engine_segment_at(e, i)->time_ns - g->first_ns;
        lo = MIN(lo, t);
        hi = MAX(hi, t);
    }
    if (lo > hi)
        lo = hi = 0;
    pad_range(&lo, &hi, NS_PER_SEC / 1000);
    g->t_lo = lo;
    g->t_hi = hi;
}

typedef struct {
    int64_t lo, hi;
} seq_extent;

static void extend(seq_extent *x, int64_t lo, int64_t hi)
{
    x->lo = MIN(x->lo, lo);
    x->hi = MAX(x->hi, hi);
}

/* The panel's seq range: its data, control seq numbers and the peer's ACKs,
 * which also bound every gap (docs/report.md: where a direction ends). The window line is not part of it: a large window would squash
 * the data, so the line leaves the plot at the top. */
static void seq_range(const graph *g, panel *p)
{
    const engine_stream *e = g->rs->engine;
    seq_extent x = {INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        const engine_segment *seg = engine_segment_at(e, i);
        if (seg->sender == p->sender) {
            extend(&x, rel_seq(g, seg->sender, seg->seq), rel_seq(g, seg->sender, engine_segment_nxtseq(seg)));
        } else if (seg->flags & ENGINE_TCP_ACK) {
            int64_t ack = rel_seq(g, p->sender, seg->ack);
            extend(&x, ack, ack);
        }
    }
    if (x.lo > x.hi)
        x.lo = x.hi = 0;
    pad_range(&x.lo, &x.hi, 1);
    p->s_lo = x.lo;
    p->s_hi = x.hi;
}

/* ---- numbers and labels ------------------------------------------------------ */


/* Dense coordinates, quantized to a tenth of a pixel. */
static int64_t quantize(double v)
{
    return llround(v * DENSE_SCALE);
}

static void put_quantized(report_sink *out, int64_t q)
{
    sink_fixed(out, (double)q / DENSE_SCALE, DENSE_DECIMALS);
}

/* 1, 2 or 5 times a power of ten (at least 1): about want ticks over span. */
static int64_t nice_step(int64_t span, int want)
{
    double raw = (double)span / want;
    double power = pow(10, floor(log10(raw)));
    double m = raw / power;
    double step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power;
    return MAX(1, llround(step));
}

static int trailing_zeros(int64_t v)
{
    int n = 0;
    for (; v && v % 10 == 0; v /= 10)
        n++;
    return n;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* A time tick's label per time=: seconds since the first segment (rel and
 * delta), UTC clock time (abs), or epoch seconds. */
static void time_label(char *buf, const graph *g, int64_t rel_ns, int decimals)
{
    int64_t abs_ns = g->first_ns + rel_ns;
    switch (g->opt->time) {
    case REPORT_TIME_ABS: {
        int64_t secs = floor_div(abs_ns, NS_PER_SEC);
        time_t t = (time_t)secs;
        struct tm tm;
        gmtime_r(&t, &tm);
        size_t n = strftime(buf, REPORT_TIME_BUF, "%H:%M:%S", &tm);
        if (decimals) {
            char frac[REPORT_TIME_BUF];
            report_format_seconds(frac, abs_ns - secs * NS_PER_SEC, decimals);
            g_strlcpy(buf + n, frac + 1, REPORT_TIME_BUF - n); /* ".25" of "0.25" */
        }
        return;
    }
    case REPORT_TIME_EPOCH:
        report_format_seconds(buf, abs_ns, decimals);
        break;
    default:
        report_format_seconds(buf, rel_ns, decimals);
        break;
    }
    if (!decimals)
        buf[strlen(buf) - 1] = '\0'; /* "3." -> "3" */
}

static const char *time_axis_title(const graph *g, char *buf, size_t size)
{
    switch (g->opt->time) {
    case REPORT_TIME_ABS: {
        time_t t = (time_t)floor_div(g->first_ns + g->t_lo, NS_PER_SEC);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, size, "time (UTC, %Y-%m-%d)", &tm);
        return buf;
    }
    case REPORT_TIME_EPOCH: return "time (seconds since the epoch)";
    default: return "time (seconds since the first segment)";
    }
}

/* ---- the axes ----------------------------------------------------------------- */

static void put_time_ticks(const graph *g)
{
    report_sink *out = g->out;
    int64_t step = nice_step(g->t_hi - g->t_lo, 10);
    int decimals = MAX(0, 9 - trailing_zeros(step));
    /* rel ticks at round rel times; abs and epoch at round clock times */
    int64_t base = g->opt->time == REPORT_TIME_ABS || g->opt->time == REPORT_TIME_EPOCH ? g->first_ns : 0;
    sink_puts(out, "<g class=\"xaxis\">");
    for (int64_t k = floor_div(g->t_lo + base, step) + 1; k * step - base <= g->t_hi; k++) {
        int64_t rel = k * step - base;
        double x = PLOT_X + x_of(g, g->first_ns + rel);
        char label[REPORT_TIME_BUF];
        time_label(label, g, rel, decimals);
        sink_puts(out, "<path class=\"grid\" d=\"M");
        sink_fixed(out, x, MARK_DECIMALS);
        sink_printf(out, " %dV%d\"/><path class=\"tick\" d=\"M", PLOT_Y, PLOT_Y + PLOT_H);
        sink_fixed(out, x, MARK_DECIMALS);
        sink_printf(out, " %dv5\"/><text class=\"xlabel\" x=\"", PLOT_Y + PLOT_H);
        sink_fixed(out, x, MARK_DECIMALS);
        sink_printf(out, "\" y=\"%d\">%s</text>", PLOT_Y + PLOT_H + 17, label);
    }
    sink_puts(out, "</g>\n");
}

/* "1.5M", "200k", "0": a seq tick in the unit its axis needs. */
static void put_seq_label(report_sink *out, int64_t v, int64_t unit, const char *suffix, int decimals)
{
    sink_fixed(out, (double)v / (double)unit, decimals);
    sink_puts(out, v ? suffix : "");
}

static void put_seq_ticks(const panel *p, report_sink *out)
{
    int64_t step = nice_step(p->s_hi - p->s_lo, 6);
    int64_t top = MAX(llabs(p->s_lo), llabs(p->s_hi));
    int64_t unit = top >= 1000000000 ? 1000000000 : top >= 1000000 ? 1000000 : top >= 10000 ? 1000 : 1;
    const char *suffix = unit == 1000000000 ? "G" : unit == 1000000 ? "M" : unit == 1000 ? "k" : "";
    int decimals = MAX(0, trailing_zeros(unit) - trailing_zeros(step));
    sink_puts(out, "<g class=\"yaxis\">");
    for (int64_t k = floor_div(p->s_lo, step) + 1; k * step <= p->s_hi; k++) {
        double y = PLOT_Y + y_of(p, k * step);
        sink_printf(out, "<path class=\"grid\" d=\"M%d ", PLOT_X);
        sink_fixed(out, y, MARK_DECIMALS);
        sink_printf(out, "H%d\"/><path class=\"tick\" d=\"M%d ", PLOT_X + PLOT_W, PLOT_X - 5);
        sink_fixed(out, y, MARK_DECIMALS);
        sink_printf(out, "h5\"/><text class=\"ylabel\" x=\"%d\" y=\"", PLOT_X - 8);
        sink_fixed(out, y + 4, MARK_DECIMALS);
        sink_puts(out, "\">");
        put_seq_label(out, k * step, unit, suffix, decimals);
        sink_puts(out, "</text>");
    }
    sink_puts(out, "</g>\n");
}

static void put_axes(const graph *g, const panel *p)
{
    report_sink *out = g->out;
    char title[64];
    sink_printf(out, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", PLOT_X, PLOT_Y,
                PLOT_W, PLOT_H);
    put_time_ticks(g);
    put_seq_ticks(p, out);
    sink_printf(out, "<text class=\"axis-title xlabel\" x=\"%d\" y=\"%d\">%s</text>\n", PLOT_X + PLOT_W / 2,
                PLOT_Y + PLOT_H + 36, time_axis_title(g, title, sizeof title));
    sink_printf(out, "<text class=\"axis-title xlabel\" transform=\"translate(16 %d) rotate(-90)\">"
                     "relative sequence number (bytes)</text>\n", PLOT_Y + PLOT_H / 2);
}

/* ---- the plot ------------------------------------------------------------------ */

/* A band across the whole seq range, from time t0 to t1 (ns). */
static void put_time_band(const graph *g, const char *cls, int64_t t0, int64_t t1, const char *attrs)
{
    report_sink *out = g->out;
    sink_printf(out, "<path class=\"%s\"%s d=\"M", cls, attrs);
    sink_fixed(out, x_of(g, t0), MARK_DECIMALS);
    sink_puts(out, " 0H");
    sink_fixed(out, x_of(g, t1), MARK_DECIMALS);
    sink_printf(out, "V%dH", PLOT_H);
    sink_fixed(out, x_of(g, t0), MARK_DECIMALS);
    sink_puts(out, "Z\"/>\n");
}

/* A period between two frames, across the time axis. */
static void put_period(const graph *g, const char *cls, int64_t start_ns, int64_t end_ns, const char *first_key,
                       uint32_t first, const char *last_key, uint32_t last)
{
    char attrs[96];
    snprintf(attrs, sizeof attrs, " data-%s=\"%u\" data-%s=\"%u\"", first_key, first, last_key, last);
    put_time_band(g, cls, start_ns, end_ns, attrs);
}

static void put_stalls(const graph *g, const panel *p)
{
    GArray *stalls = analysis_stalls(g->a);
    for (guint i = 0; i < stalls->len; i++) {
        const analysis_stall *st = &g_array_index(stalls, analysis_stall, i);
        if (st->sender == p->sender)
            put_period(g, "stall", st->start_ns, st->end_ns, "before", st->before_frame, "after", st->after_frame);
    }
}

/* The periods in which the panel's peer advertised a zero window. */
static void put_zero_windows(const graph *g, const panel *p)
{
    GArray *zws = diagnosis_zero_windows(g->rs->diag);
    for (guint i = 0; i < zws->len; i++) {
        const diag_zero_window *z = &g_array_index(zws, diag_zero_window, i);
        if (z->sender == p->sender)
            put_period(g, "zero-window", z->start_ns, z->end_ns, "first", z->first_frame, "last", z->last_frame);
    }
}

/* The index of the segment of a frame (records are in frame order), or
 * ENGINE_NO_SEGMENT. */
static size_t segment_of_frame(const engine_stream *e, uint32_t frame)
{
    size_t lo = 0, hi = engine_segment_count(e);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (engine_segment_at(e, mid)->frame < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < engine_segment_count(e) && engine_segment_at(e, lo)->frame == frame ? lo : ENGINE_NO_SEGMENT;
}

/* Before each timeout repair of the panel's direction, the silence it ended:
 * from the stream's previous segment to the repair. */
static void put_timeouts(const graph *g, const panel *p)
{
    const engine_stream *e = g->rs->engine;
    GArray *episodes = diagnosis_episodes(g->rs->diag);
    for (guint i = 0; i < episodes->len; i++) {
        const diag_episode *ep = &g_array_index(episodes, diag_episode, i);
        if (ep->sender != p->sender || ep->cause != DIAG_CAUSE_TIMEOUT || !ep->repair_frame)
            continue;
        size_t repair = segment_of_frame(e, ep->repair_frame);
        if (repair == ENGINE_NO_SEGMENT || repair == 0)
            continue;
        char attrs[64];
        snprintf(attrs, sizeof attrs, " data-repair=\"%u\"", ep->repair_frame);
        put_time_band(g, "timeout", engine_segment_at(e, repair - 1)->time_ns, ep->repair_ns, attrs);
    }
}

typedef struct {
    const graph *g;
    const panel *p;
} gap_writer;

static void put_gap(void *ctx, const engine_gap *gap)
{
    gap_writer *w = ctx;
    report_sink *out = w->g->out;
    int64_t seq = rel_seq(w->g, w->p->sender, gap->seq);
    sink_printf(out, "<path class=\"gap\" data-seq=\"%" PRId64 "\" data-len=\"%" PRIu64 "\" d=\"M0 ", seq, gap->len);
    sink_fixed(out, y_of(w->p, seq + (int64_t)gap->len), MARK_DECIMALS);
    sink_printf(out, "H%dV", PLOT_W);
    sink_fixed(out, y_of(w->p, seq), MARK_DECIMALS);
    sink_puts(out, "H0Z\"/>\n");
}

static void put_gaps(const graph *g, const panel *p)
{
    gap_writer w = {g, p};
    const engine_walk_cb cb = {NULL, put_gap};
    engine_walk(g->rs->engine, p->sender, &cb, &w);
}

/* Where each turn (of the shown directions) starts: a dashed line across
 * the plot, one per tenth of a pixel, or, when they would be closer than
 * TURN_LINE_SPACING pixels on average (a bulk transfer has a turn per
 * request), a short tick at the top of the plot. */
#define TURN_LINE_SPACING 8
#define TURN_TICK 8

static void put_turns(const graph *g)
{
    report_sink *out = g->out;
    GArray *turns = analysis_turns(g->a);
    int columns = 0;
    for (int pass = 0; pass < 2; pass++) {
        bool lines = columns * TURN_LINE_SPACING <= PLOT_W;
        int64_t last = INT64_MIN;
        if (pass)
            sink_printf(out, "<path class=\"turn%s\" d=\"", lines ? "" : " turn-tick");
        for (guint i = 0; i < turns->len; i++) {
            const analysis_turn *t = &g_array_index(turns, analysis_turn, i);
            double x = x_of(g, t->first_ns);
            int64_t q = pass ? quantize(x) : llround(x);
            if (!report_dir_shown(g->opt, engine_sender_dir(g->rs->engine, t->sender)) || q == last)
                continue;
            last = q;
            if (!pass) {
                columns++;
                continue;
            }
            sink_puts(out, "M");
            put_quantized(out, q);
            sink_printf(out, " 0V%d", lines ? PLOT_H : TURN_TICK);
        }
    }
    sink_puts(out, "\"/>\n");
}

/* A step line (the value jumps at each point's time) at a tenth of a pixel:
 * of the points that fall into one tenth in x, the last value is drawn. */
typedef struct {
    report_sink *out;
    bool started;
    int64_t wx, wy; /* where the pen is */
    int64_t cx, cv; /* the column being collected and its latest value */
} step_line;

static void step_flush_column(step_line *l)
{
    if (l->cv == l->wy)
        return;
    if (l->cx != l->wx) {
        sink_puts(l->out, "H");
        put_quantized(l->out, l->cx);
        l->wx = l->cx;
    }
    sink_puts(l->out, "V");
    put_quantized(l->out, l->cv);
    l->wy = l->cv;
}

static void step_point(step_line *l, int64_t qx, int64_t qy)
{
    if (!l->started) {
        sink_puts(l->out, "M");
        put_quantized(l->out, qx);
        sink_puts(l->out, " ");
        put_quantized(l->out, qy);
        l->started = true;
        l->wx = l->cx = qx;
        l->wy = l->cv = qy;
        return;
    }
    if (qx != l->cx) {
        step_flush_column(l);
        l->cx = qx;
    }
    l->cv = qy;
}

static void step_finish(step_line *l, int64_t qx_end)
{
    if (!l->started)
        return;
    step_point(l, MAX(qx_end, l->cx), l->cv);
    step_flush_column(l);
    if (l->cx != l->wx) {
        sink_puts(l->out, "H");
        put_quantized(l->out, l->cx);
    }
}

/* The peer's ACK line, or its window line (ACK + advertised window). */
static void put_ack_line(const graph *g, const panel *p, bool window)
{
    const engine_stream *e = g->rs->engine;
    step_line l = {.out = g->out};
    sink_printf(g->out, "<path class=\"%s\" d=\"", window ? "window" : "ack");
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        const engine_segment *seg = engine_segment_at(e, i);
        if (seg->sender == p->sender || !(seg->flags & ENGINE_TCP_ACK))
            continue;
        int64_t v = rel_seq(g, p->sender, seg->ack) + (window ? (int64_t)seg->win : 0);
        step_point(&l, quantize(x_of(g, seg->time_ns)), quantize(y_of(p, v)));
    }
    step_finish(&l, quantize(x_of(g, g->first_ns + g->t_hi)));
    sink_puts(g->out, "\"/>\n");
}

/* In-order new data: bars whose bytes follow each other within a tenth of a
 * pixel in time are one bar. */
static void put_new_data(const graph *g, const panel *p)
{
    const engine_stream *e = g->rs->engine;
    report_sink *out = g->out;
    bool run = false;
    int64_t run_qx = 0, run_lo = 0, run_hi = 0;
    sink_puts(out, "<path class=\"seg-new\" d=\"");
    for (size_t i = 0;; i++) {
        const engine_segment *seg = i < engine_segment_count(e) ? engine_segment_at(e, i) : NULL;
        if (seg && (seg->sender != p->sender || seg->klass != ENGINE_CLASS_NEW || !seg->len))
            continue;
        int64_t lo = 0, hi = 0, qx = 0;
        if (seg) {
            data_range(g, seg, &lo, &hi);
            qx = quantize(x_of(g, seg->time_ns));
            if (run && qx == run_qx && lo == run_hi) {
                run_hi = hi;
                continue;
            }
        }
        if (run) {
            sink_puts(out, "M");
            put_quantized(out, run_qx);
            sink_puts(out, " ");
            put_quantized(out, quantize(y_of(p, run_lo)));
            sink_puts(out, "V");
            put_quantized(out, quantize(y_of(p, run_hi)));
        }
        if (!seg)
            break;
        run = true;
        run_qx = qx;
        run_lo = lo;
        run_hi = hi;
    }
    sink_puts(out, "\"/>\n");
}

static bool is_mark(const engine_segment *seg)
{
    return seg->klass != ENGINE_CLASS_NEW && seg->klass != ENGINE_CLASS_CONTROL;
}

/* Every segment that is neither in-order new data nor control, on its own. */
static void put_marks(const graph *g, const panel *p)
{
    const engine_stream *e = g->rs->engine;
    report_sink *out = g->out;
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        const engine_segment *seg = engine_segment_at(e, i);
        if (seg->sender != p->sender || !is_mark(seg))
            continue;
        int64_t lo, hi;
        data_range(g, seg, &lo, &hi);
        sink_printf(out, "<path class=\"mark seg-%s\" data-frame=\"%u\" d=\"M", engine_class_name(seg->klass),
                    seg->frame);
        sink_fixed(out, x_of(g, seg->time_ns), MARK_DECIMALS);
        sink_puts(out, " ");
        sink_fixed(out, y_of(p, lo), MARK_DECIMALS);
        sink_puts(out, "V");
        sink_fixed(out, y_of(p, hi), MARK_DECIMALS);
        sink_puts(out, "\"/>\n");
    }
}

static void put_panel(const graph *g, panel *p, int top)
{
    report_sink *out = g->out;
    seq_range(g, p);
    char *from = report_endpoint(g->rs, p->sender), *to = report_endpoint(g->rs, !p->sender);
    sink_printf(out, "<g class=\"panel\" data-dir=\"%u\" data-t-lo=\"%" PRId64 "\" data-t-hi=\"%" PRId64
                     "\" data-s-lo=\"%" PRId64 "\" data-s-hi=\"%" PRId64 "\" transform=\"translate(0 %d)\">\n",
                p->dir, g->t_lo, g->t_hi, p->s_lo, p->s_hi, top);
    sink_printf(out, "<text class=\"panel-title\" x=\"%d\" y=\"%d\">%s ", PLOT_X, PLOT_Y - 10,
                p->dir == 0 ? "client \u2192 server:" : "server \u2192 client:");
    markup_text(out, from);
    sink_puts(out, " \u2192 ");
    markup_text(out, to);
    sink_puts(out, "</text>\n");
    g_free(from);
    g_free(to);
    put_axes(g, p);
    sink_printf(out, "<clipPath id=\"tft-clip-%u\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/></clipPath>\n",
                p->dir, PLOT_X, PLOT_Y, PLOT_W, PLOT_H);
    sink_printf(out, "<g clip-path=\"url(#tft-clip-%u)\"><g class=\"plot\" transform=\"translate(%d %d)\">\n", p->dir,
                PLOT_X, PLOT_Y);
    put_stalls(g, p);
    if (g->rs->diag) {
        put_zero_windows(g, p);
        put_timeouts(g, p);
    }
    put_gaps(g, p);
    put_turns(g);
    put_ack_line(g, p, true);
    put_ack_line(g, p, false);
    put_new_data(g, p);
    put_marks(g, p);
    sink_puts(out, "</g></g>\n</g>\n");
}

/* ---- title and legend -------------------------------------------------------------- */

typedef struct {
    const char *name;  /* key-<name> */
    const char *label;
    char shape;        /* 'b' bar, 'l' line, 'r' band */
} legend_entry;

static const legend_entry legend_rows[2][8] = {
    {{"new", "new", 'b'}, {"retransmission", "retransmission", 'b'}, {"overlap", "overlap", 'b'},
     {"out-of-order", "out-of-order", 'b'}, {"conflict", "conflict", 'b'}, {"keep-alive", "keep-alive", 'b'},
     {"zero-window-probe", "zero-window probe", 'b'}, {"unknown-length", "unknown length", 'b'}},
    {{"ack", "peer's ACK", 'l'}, {"window", "ACK + receive window", 'l'}, {"gap", "gap (never captured)", 'r'},
     {"stall", "stall", 'r'}, {"zero-window", "zero window", 'r'}, {"timeout", "timeout", 'r'},
     {"turn", "turn starts", 'l'}, {NULL, NULL, 0}},
};

static void put_legend(report_sink *out)
{
    sink_puts(out, "<g class=\"legend\">\n");
    for (int row = 0; row < 2; row++) {
        int x = PLOT_X, y = 58 + row * 18;
        for (const legend_entry *k = legend_rows[row]; k < legend_rows[row] + 8 && k->name; k++) {
            if (k->shape == 'b')
                sink_printf(out, "<path class=\"key key-%s\" d=\"M%d %dv12\"/>", k->name, x + 6, y - 10);
            else if (k->shape == 'l')
                sink_printf(out, "<path class=\"key key-%s\" d=\"M%d %dh16\"/>", k->name, x, y - 4);
            else
                sink_printf(out, "<rect class=\"key key-%s\" x=\"%d\" y=\"%d\" width=\"16\" height=\"10\"/>", k->name,
                            x, y - 9);
            sink_printf(out, "<text x=\"%d\" y=\"%d\">%s</text>\n", x + 21, y, k->label);
            x += 21 + 6 * (int)strlen(k->label) + 18; /* about 6 px a character at 11 px */
        }
    }
    sink_puts(out, "</g>\n");
}

static void put_title(const graph *g)
{
    report_sink *out = g->out;
    const engine_stream *e = g->rs->engine;
    char *client = report_endpoint(g->rs, engine_dir_sender(e, 0));
    char *server = report_endpoint(g->rs, engine_dir_sender(e, 1));
    sink_printf(out, "<title>TCP stream %u: ", g->rs->stream);
    markup_text(out, client);
    sink_puts(out, " \u21c4 ");
    markup_text(out, server);
    sink_printf(out, "</title>\n<text class=\"title\" x=\"12\" y=\"22\">tcpfollowts %s: TCP stream %u, client ",
                TCPFOLLOWTS_VERSION, g->rs->stream);
    markup_text(out, client);
    sink_puts(out, ", server ");
    markup_text(out, server);
    char *desc = report_options_describe(g->opt, false);
    sink_puts(out, "</text>\n<text class=\"subtitle\" x=\"12\" y=\"40\">time-sequence graph; ");
    markup_text(out, desc);
    sink_puts(out, "</text>\n");
    g_free(desc);
    g_free(client);
    g_free(server);
}

void report_svg_graph(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a,
                      bool standalone)
{
    graph g = {rs, opt, a, out, report_stream_first_ns(rs->engine), 0, 0};
    time_range(&g);
    int panels = report_dir_shown(opt, 0) + report_dir_shown(opt, 1);
    int height = HEADER_H + panels * PANEL_H;
    sink_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tft-graph\" width=\"%d\" height=\"%d\" "
                     "viewBox=\"0 0 %d %d\" data-stream=\"%u\" data-time=\"%s\">\n",
                SVG_WIDTH, height, SVG_WIDTH, height, rs->stream, report_time_name(opt->time));
    if (standalone) {
        sink_puts(out, "<style>\n");
        sink_write(out, report_asset_graph_css.bytes, report_asset_graph_css.len);
        sink_puts(out, "</style>\n");
    }
    sink_printf(out, "<rect class=\"background\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", SVG_WIDTH, height);
    put_title(&g);
    put_legend(out);
    int top = HEADER_H;
    for (unsigned dir = 0; dir < 2; dir++) {
        if (!report_dir_shown(opt, dir))
            continue;
        panel p = {dir, engine_dir_sender(rs->engine, dir), 0, 0};
        put_panel(&g, &p, top);
        top += PANEL_H;
    }
    sink_puts(out, "</svg>\n");
}

void report_render_svg(const report_stream *rs, const report_options *opt, report_sink *out)
{
    analysis *a = report_analyze(rs, opt);
    sink_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    report_svg_graph(out, rs, opt, a, true);
    analysis_free(a);
}
