/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "render_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NS_PER_SEC INT64_C(1000000000)

void report_format_seconds(char *buf, int64_t ns, int decimals)
{
    /* by hand, not snprintf: it runs for every segment of a timeline */
    uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    uint64_t secs = mag / NS_PER_SEC, frac = mag % NS_PER_SEC;
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + secs % 10);
        secs /= 10;
    } while (secs);
    char *p = buf;
    if (ns < 0)
        *p++ = '-';
    while (n)
        *p++ = digits[--n];
    *p++ = '.';
    for (int i = 0, scale = 100000000; i < decimals; i++, scale /= 10)
        *p++ = (char)('0' + (frac / (uint64_t)scale) % 10);
    *p = '\0';
}

void report_format_time(char *buf, int64_t ns, report_time mode, int64_t base_ns)
{
    switch (mode) {
    case REPORT_TIME_REL:
    case REPORT_TIME_DELTA:
        report_format_seconds(buf, ns - base_ns, 6);
        return;
    case REPORT_TIME_EPOCH:
        report_format_seconds(buf, ns, 9);
        return;
    case REPORT_TIME_ABS: {
        int64_t secs = ns / NS_PER_SEC, frac = ns % NS_PER_SEC;
        if (frac < 0) {
            frac += NS_PER_SEC;
            secs--;
        }
        time_t t = (time_t)secs;
        struct tm tm;
        gmtime_r(&t, &tm);
        size_t n = strftime(buf, REPORT_TIME_BUF, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, REPORT_TIME_BUF - n, ".%06" PRId64 "Z", frac / 1000);
        return;
    }
    }
}

void report_format_flags(char *buf, uint16_t flags)
{
    static const struct { uint16_t bit; char letter; } order[] = {
        {ENGINE_TCP_SYN, 'S'}, {ENGINE_TCP_FIN, 'F'}, {ENGINE_TCP_RST, 'R'},
        {ENGINE_TCP_ACK, 'A'}, {ENGINE_TCP_PSH, 'P'}, {ENGINE_TCP_URG, 'U'},
        {ENGINE_TCP_ECE, 'E'}, {ENGINE_TCP_CWR, 'C'}, {ENGINE_TCP_AE, 'N'},
    };
    char *p = buf;
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
        if (flags & order[i].bit)
            *p++ = order[i].letter;
    *p = '\0';
}

size_t report_hex_line(char *buf, const uint8_t *p, uint32_t count, int64_t offset)
{
    static const char digits[] = "0123456789abcdef";
    int n = snprintf(buf, REPORT_HEX_LINE, "%08" PRId64 "  ", offset);
    for (uint32_t i = 0; i < 16; i++) {
        buf[n++] = i < count ? digits[p[i] >> 4] : ' ';
        buf[n++] = i < count ? digits[p[i] & 15] : ' ';
        buf[n++] = ' ';
    }
    buf[n++] = ' ';
    for (uint32_t i = 0; i < count; i++)
        buf[n++] = report_printable(p[i]);
    return (size_t)n;
}

static uint64_t st_kept(const engine_dir_stats *st) { return st->kept_bytes; }
static uint64_t st_segments(const engine_dir_stats *st) { return st->segments; }
static uint64_t st_gaps(const engine_dir_stats *st) { return st->gaps; }
static uint64_t st_missing(const engine_dir_stats *st) { return st->missing_bytes; }
static uint64_t st_retrans(const engine_dir_stats *st) { return st->by_class[ENGINE_CLASS_RETRANSMISSION]; }
static uint64_t st_overlaps(const engine_dir_stats *st) { return st->by_class[ENGINE_CLASS_OVERLAP]; }
static uint64_t st_ooo(const engine_dir_stats *st) { return st->by_class[ENGINE_CLASS_OUT_OF_ORDER]; }
static uint64_t st_conflicts(const engine_dir_stats *st) { return st->by_class[ENGINE_CLASS_CONFLICT]; }
static uint64_t st_conflict_bytes(const engine_dir_stats *st) { return st->conflict_bytes; }
static uint64_t st_keepalive(const engine_dir_stats *st) { return st->by_class[ENGINE_CLASS_KEEP_ALIVE]; }
static uint64_t st_zwp(const engine_dir_stats *st) { return st->by_class[ENGINE_CLASS_ZERO_WINDOW_PROBE]; }
static uint64_t st_unknown(const engine_dir_stats *st) { return st->by_class[ENGINE_CLASS_UNKNOWN_LENGTH]; }

static const char *const derived_labels[] = {"retransmitted bytes", "goodput (bytes/s)", "retransmitted / kept",
                                             "missing / (kept + missing)"};

static void derived_value(char *buf, size_t size, unsigned r, const engine_dir_stats *st, const analysis_dir *ad)
{
    uint64_t total = st->kept_bytes + st->missing_bytes;
    switch (r) {
    case 0: g_snprintf(buf, size, "%" PRIu64, ad->retransmitted_bytes); break;
    case 1: g_snprintf(buf, size, "%.0f", report_goodput(st, ad)); break;
    case 2: g_snprintf(buf, size, "%.4f", st->kept_bytes ? (double)ad->retransmitted_bytes / (double)st->kept_bytes : 0.0); break;
    default: g_snprintf(buf, size, "%.4f", total ? (double)st->missing_bytes / (double)total : 0.0); break;
    }
}

typedef struct {
    const char *label;
    uint64_t (*value)(const engine_dir_stats *st);
} count_row;

static const count_row count_rows[] = {
    {"bytes kept", st_kept},           {"segments", st_segments},
    {"gaps", st_gaps},                 {"missing bytes", st_missing},
    {"retransmissions", st_retrans},   {"overlaps", st_overlaps},
    {"out-of-order", st_ooo},          {"conflicts", st_conflicts},
    {"conflicting bytes", st_conflict_bytes}, {"keep-alives", st_keepalive},
    {"zero-window probes", st_zwp},    {"unknown-length segments", st_unknown},
};

void report_put_summary_rows(report_sink *out, const report_stream *rs, const report_options *opt,
                             const analysis *a, bool derived, const report_row_style *style)
{
    const engine_stream *e = rs->engine;
    size_t rows = derived ? G_N_ELEMENTS(derived_labels) : G_N_ELEMENTS(count_rows);
    for (size_t r = 0; r < rows; r++) {
        sink_printf(out, style->row, derived ? derived_labels[r] : count_rows[r].label);
        for (unsigned dir = 0; dir < 2; dir++) {
            if (!report_dir_shown(opt, dir))
                continue;
            unsigned sender = engine_dir_sender(e, dir);
            const engine_dir_stats *st = engine_stats(e, sender);
            char value[48];
            if (derived)
                derived_value(value, sizeof value, (unsigned)r, st, analysis_get_dir(a, sender));
            else
                g_snprintf(value, sizeof value, "%" PRIu64, count_rows[r].value(st));
            sink_printf(out, style->cell, value);
        }
        sink_puts(out, style->end);
    }
}

char *report_endpoint(const report_stream *rs, unsigned sender)
{
    const char *addr = rs->addr[sender] ? rs->addr[sender] : "?";
    return rs->ipv6 ? g_strdup_printf("[%s]:%u", addr, rs->port[sender])
                    : g_strdup_printf("%s:%u", addr, rs->port[sender]);
}

bool report_dir_shown(const report_options *opt, unsigned dir)
{
    return opt->dir == REPORT_DIR_BOTH || (opt->dir == REPORT_DIR_CLIENT) == (dir == 0);
}

int64_t report_stream_first_ns(const engine_stream *e)
{
    return engine_segment_count(e) ? engine_segment_at(e, 0)->time_ns : 0;
}

int64_t report_stream_duration_ns(const engine_stream *e)
{
    const engine_dir_stats *a = engine_stats(e, 0), *b = engine_stats(e, 1);
    bool sa = engine_sender_seen(e, 0), sb = engine_sender_seen(e, 1);
    if (!sa && !sb)
        return 0;
    int64_t first = sa && sb ? MIN(a->first_ns, b->first_ns) : sa ? a->first_ns : b->first_ns;
    int64_t last = sa && sb ? MAX(a->last_ns, b->last_ns) : sa ? a->last_ns : b->last_ns;
    return last - first;
}

analysis *report_analyze(const report_stream *rs, const report_options *opt)
{
    analysis *a = analysis_new(opt->stall_ns, true);
    for (size_t i = 0; i < engine_segment_count(rs->engine); i++)
        analysis_add(a, rs->engine, engine_segment_at(rs->engine, i));
    analysis_finish(a, rs->engine);
    return a;
}

typedef struct {
    GArray *losses;
    const engine_stream *e;
    unsigned dir;
} loss_collector;

static void collect_loss(void *ctx, const engine_gap *g)
{
    loss_collector *lc = ctx;
    report_loss l = {.dir = lc->dir, .seq = g->seq, .len = g->len, .cause = g->cause,
                     .after_frame = engine_segment_frame(lc->e, g->after_segment),
                     .before_frame = engine_segment_frame(lc->e, g->before_segment)};
    g_array_append_val(lc->losses, l);
}

static gint compare_losses(gconstpointer a, gconstpointer b)
{
    const report_loss *x = a, *y = b;
    if (x->dir != y->dir)
        return x->dir < y->dir ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

GArray *report_losses(const report_stream *rs, const report_options *opt, const analysis *a)
{
    loss_collector lc = {g_array_new(FALSE, TRUE, sizeof(report_loss)), rs->engine, 0};
    const engine_walk_cb cb = {NULL, collect_loss};
    for (lc.dir = 0; lc.dir < 2; lc.dir++)
        if (report_dir_shown(opt, lc.dir))
            report_walk_dir(rs, lc.dir, &cb, &lc);
    GArray *rec = analysis_recoveries(a);
    for (guint i = 0; i < rec->len; i++) {
        const analysis_recovery *r = &g_array_index(rec, analysis_recovery, i);
        unsigned dir = engine_sender_dir(rs->engine, r->sender);
        if (!report_dir_shown(opt, dir))
            continue;
        report_loss l = {.dir = dir, .seq = r->seq, .len = r->len, .recovered = true,
                         .opened_frame = r->opened_frame, .filled_frame = r->filled_frame,
                         .delay_ns = r->delay_ns};
        g_array_append_val(lc.losses, l);
    }
    g_array_sort(lc.losses, compare_losses);
    return lc.losses;
}

double report_goodput(const engine_dir_stats *st, const analysis_dir *ad)
{
    int64_t span = ad->last_data_ns - ad->first_data_ns;
    return ad->has_data && span > 0 ? (double)st->kept_bytes * 1e9 / (double)span : 0.0;
}

void report_walk_dir(const report_stream *rs, unsigned dir, const engine_walk_cb *cb, void *ctx)
{
    engine_walk(rs->engine, engine_dir_sender(rs->engine, dir), cb, ctx);
}

void report_render(const report_stream *rs, const report_options *opt, report_sink *out,
                   report_sink *notes)
{
    switch (opt->fmt) {
    case REPORT_FMT_TEXT: report_render_text(rs, opt, out); break;
    case REPORT_FMT_JSON: report_render_json(rs, opt, out); break;
    case REPORT_FMT_CSV: report_render_csv(rs, opt, out); break;
    case REPORT_FMT_RAW: report_render_raw(rs, opt, out, notes); break;
    case REPORT_FMT_SVG: report_render_svg(rs, opt, out); break;
    case REPORT_FMT_HTML: report_render_html(rs, opt, out); break;
    case REPORT_FMT_YAML: report_render_yaml(rs, opt, out); break;
    }
    sink_flush(out);
    if (notes)
        sink_flush(notes);
}

void report_render_empty(const char *selection, uint32_t streams_seen, const report_options *opt,
                         report_sink *out)
{
    char range[64] = "no TCP stream at all";
    if (streams_seen == 1)
        snprintf(range, sizeof range, "one TCP stream: 0");
    else if (streams_seen)
        snprintf(range, sizeof range, "TCP streams 0-%u", streams_seen - 1);
    if (opt->fmt == REPORT_FMT_JSON)
        sink_printf(out, "{\"tool\": \"tcpfollowts\", \"version\": \"%s\", \"error\": "
                         "\"no TCP segment matches %s\", \"streams_seen\": %u}\n",
                    TCPFOLLOWTS_VERSION, selection, streams_seen);
    else
        sink_printf(out, "tcpfollowts: no TCP segment matches %s (the capture has %s)\n",
                    selection, range);
    sink_flush(out);
}
