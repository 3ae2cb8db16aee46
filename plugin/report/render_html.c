/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fmt=html: one file that works offline. The page holds the findings, the
 * time-sequence graph (render_svg.c), the summary, the kept bytes of both
 * directions coloured as in Wireshark's Follow dialog (gaps between them, out
 * of band), and a JSON data block (render_html_data.c) from which its
 * script (html/report.js) draws the tables lazily and redraws the graph when
 * it zooms.
 *
 * Captures are hostile: capture bytes reach the page only through markup.h,
 * and the page's Content-Security-Policy allows nothing but its own inline
 * script and style (by hash) and no network at all, so even an escaping bug
 * could neither run injected code nor load anything.
 */
#include "render_common.h"

#include "assets.h"
#include "markup.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

/* The bytes view shows at most this many kept bytes of each direction: the
 * page of a stream of hundreds of MB must stay small and quick (fmt=raw
 * writes them all). */
#define HTML_BYTES_PER_DIR (UINT64_C(1) << 20)

static const char *dir_name(unsigned dir)
{
    return dir == 0 ? "client \u2192 server" : "server \u2192 client";
}

/* ---- head ---------------------------------------------------------------------- */

/* 'sha256-...' of the concatenated assets, as CSP spells a hash source. */
static void put_hash_source(report_sink *out, const report_asset *const *assets, size_t n)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    for (size_t i = 0; i < n; i++)
        g_checksum_update(sum, assets[i]->bytes, (gssize)assets[i]->len);
    guint8 digest[32];
    gsize len = sizeof digest;
    g_checksum_get_digest(sum, digest, &len);
    char *b64 = g_base64_encode(digest, len);
    sink_printf(out, "'sha256-%s'", b64);
    g_free(b64);
    g_checksum_free(sum);
}

static const report_asset *const page_script[] = {&report_asset_report_js};
static const report_asset *const page_style[] = {&report_asset_graph_css, &report_asset_report_css};

static void put_assets(report_sink *out, const report_asset *const *assets, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sink_write(out, assets[i]->bytes, assets[i]->len);
}

static void put_head(report_sink *out, const report_stream *rs)
{
    const engine_stream *e = rs->engine;
    sink_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src ");
    put_hash_source(out, page_script, G_N_ELEMENTS(page_script));
    sink_puts(out, "; style-src ");
    put_hash_source(out, page_style, G_N_ELEMENTS(page_style));
    sink_puts(out, "; base-uri 'none'; form-action 'none'\">\n<meta name=\"referrer\" content=\"no-referrer\">\n");
    char *client = report_endpoint(rs, engine_dir_sender(e, 0)), *server = report_endpoint(rs, engine_dir_sender(e, 1));
    sink_printf(out, "<title>TCP stream %u: ", rs->stream);
    markup_text(out, client);
    sink_puts(out, " \u21c4 ");
    markup_text(out, server);
    sink_puts(out, " (tcpfollowts)</title>\n<style>");
    put_assets(out, page_style, G_N_ELEMENTS(page_style));
    sink_puts(out, "</style>\n</head>\n");
    g_free(client);
    g_free(server);
}

static void put_header(report_sink *out, const report_stream *rs, const report_options *opt)
{
    const engine_stream *e = rs->engine;
    sink_printf(out, "<header>\n<h1>TCP stream %u</h1>\n<p class=\"endpoints\">", rs->stream);
    for (unsigned dir = 0; dir < 2; dir++) {
        char *ep = report_endpoint(rs, engine_dir_sender(e, dir));
        sink_printf(out, "<span class=\"c%u\">%s ", dir, dir == 0 ? "client" : "server");
        markup_text(out, ep);
        sink_printf(out, "</span>%s", dir == 0 ? " \u21c4 " : "");
        g_free(ep);
    }
    char *desc = report_options_describe(opt, false);
    sink_printf(out, "</p>\n<p class=\"options\">tcpfollowts %s \u00b7 ", TCPFOLLOWTS_VERSION);
    markup_text(out, desc);
    sink_puts(out, "</p>\n<nav><a href=\"#diagnosis\">Diagnosis</a> <a href=\"#graph\">Graph</a> "
                   "<a href=\"#summary\">Summary</a> <a href=\"#turns\">Turns</a> <a href=\"#stalls\">Stalls</a> "
                   "<a href=\"#losses\">Losses</a>");
    if (rs->diag)
        sink_puts(out, " <a href=\"#episodes\">Loss episodes</a> <a href=\"#zero-windows\">Zero windows</a>");
    sink_puts(out, " <a href=\"#segments\">Segments</a> <a href=\"#bytes\">Bytes</a></nav>\n</header>\n");
    g_free(desc);
}

/* ---- findings ------------------------------------------------------------------ */

static void finding(report_sink *out, const char *level, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void finding(report_sink *out, const char *level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    sink_printf(out, "<li class=\"%s\">", level);
    markup_text(out, text);
    sink_puts(out, "</li>\n");
    g_free(text);
}

static void put_handshake_finding(report_sink *out, const analysis *a)
{
    const tcp_handshake *h = analysis_get_handshake(a);
    if (!h->complete) {
        finding(out, "info", "The handshake was not captured in full: no RTT from it.");
        return;
    }
    char rtt[REPORT_TIME_BUF], first[REPORT_TIME_BUF], second[REPORT_TIME_BUF];
    report_format_seconds(rtt, h->ack_ns - h->syn_ns, 6);
    report_format_seconds(first, h->syn_ack_ns - h->syn_ns, 6);
    report_format_seconds(second, h->ack_ns - h->syn_ack_ns, 6);
    finding(out, "info", "Handshake RTT %s s: SYN (frame %u) to SYN-ACK (frame %u) %s s, to the ACK (frame %u) %s s.",
            rtt, h->syn_frame, h->syn_ack_frame, first, h->ack_frame, second);
}

static void put_dir_findings(report_sink *out, const report_stream *rs, unsigned dir, const analysis *a)
{
    const engine_stream *e = rs->engine;
    unsigned sender = engine_dir_sender(e, dir);
    const engine_dir_stats *st = engine_stats(e, sender);
    const analysis_dir *ad = analysis_get_dir(a, sender);
    if (!engine_sender_seen(e, sender)) {
        finding(out, "warn", "%s: not a single segment captured.", dir_name(dir));
        return;
    }
    if (st->gaps)
        finding(out, "bad", "%s: %" PRIu64 " bytes in %" PRIu64 " gap%s were never captured (%.2f %% of the direction).",
                dir_name(dir), st->missing_bytes, st->gaps, st->gaps == 1 ? "" : "s",
                100.0 * (double)st->missing_bytes / (double)(st->kept_bytes + st->missing_bytes));
    else if (st->kept_bytes)
        finding(out, "ok", "%s: every byte captured (%" PRIu64 " bytes).", dir_name(dir), st->kept_bytes);
    else
        finding(out, "info", "%s: no payload.", dir_name(dir));
    if (st->by_class[ENGINE_CLASS_CONFLICT])
        finding(out, "bad", "%s: %" PRIu64 " segments carry bytes that differ from the copy kept (%" PRIu64
                " bytes): the two copies disagree.", dir_name(dir), st->by_class[ENGINE_CLASS_CONFLICT],
                st->conflict_bytes);
    if (ad->retransmitted_bytes)
        finding(out, "warn", "%s: %" PRIu64 " payload bytes sent again (%.2f %% of the bytes kept).", dir_name(dir),
                ad->retransmitted_bytes,
                st->kept_bytes ? 100.0 * (double)ad->retransmitted_bytes / (double)st->kept_bytes : 0.0);
}

static void put_stall_findings(report_sink *out, const report_stream *rs, const report_options *opt,
                               const analysis *a)
{
    GArray *stalls = analysis_stalls(a);
    const analysis_stall *longest = NULL;
    guint shown = 0;
    for (guint i = 0; i < stalls->len; i++) {
        const analysis_stall *st = &g_array_index(stalls, analysis_stall, i);
        if (!report_dir_shown(opt, engine_sender_dir(rs->engine, st->sender)))
            continue;
        shown++;
        if (!longest || st->end_ns - st->start_ns > longest->end_ns - longest->start_ns)
            longest = st;
    }
    char threshold[REPORT_TIME_BUF];
    report_format_seconds(threshold, opt->stall_ns, 6);
    if (!longest) {
        finding(out, "ok", "No pause longer than %s s inside a turn.", threshold);
        return;
    }
    char pause[REPORT_TIME_BUF], at[REPORT_TIME_BUF];
    report_format_seconds(pause, longest->end_ns - longest->start_ns, 6);
    report_format_seconds(at, longest->start_ns - report_stream_first_ns(rs->engine), 6);
    finding(out, "warn", "%u stall%s longer than %s s inside turns; the longest, %s s, in %s at %s s "
            "(frames %u to %u), ended by %s.", shown, shown == 1 ? "" : "s", threshold, pause,
            dir_name(engine_sender_dir(rs->engine, longest->sender)), at, longest->before_frame,
            longest->after_frame, analysis_stall_end_name(longest->ended_by));
}

static void put_turn_findings(report_sink *out, const report_stream *rs, const report_options *opt,
                              const analysis *a)
{
    GArray *turns = analysis_turns(a);
    const analysis_turn *worst = NULL;
    guint worst_index = 0, shown = 0;
    for (guint i = 0; i < turns->len; i++) {
        const analysis_turn *t = &g_array_index(turns, analysis_turn, i);
        if (!report_dir_shown(opt, engine_sender_dir(rs->engine, t->sender)))
            continue;
        shown++;
        if (t->has_turnaround && (!worst || t->turnaround_ns > worst->turnaround_ns)) {
            worst = t;
            worst_index = i;
        }
    }
    if (!worst) {
        finding(out, "info", "%u turn%s, no turnaround between them.", shown, shown == 1 ? "" : "s");
        return;
    }
    char around[REPORT_TIME_BUF];
    report_format_seconds(around, worst->turnaround_ns, 6);
    finding(out, "info", "%u turns; the longest turnaround, %s s, before turn %u (%s, frame %u).", shown, around,
            worst_index + 1, dir_name(engine_sender_dir(rs->engine, worst->sender)), worst->first_frame);
}

/* The text report's diagnosis in plain words (render_diagnosis.c), as it is
 * but for its title: the section has one. */
static void put_verdict(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    static const char title[] = "\ndiagnosis\n";
    GString *text = g_string_new(NULL);
    report_sink sink;
    sink_init_string(&sink, text);
    report_text_diagnosis(&sink, rs, opt, a);
    sink_flush(&sink);
    const char *body = g_str_has_prefix(text->str, title) ? text->str + sizeof title - 1 : text->str;
    if (*body) {
        sink_puts(out, "<pre class=\"verdict\">");
        markup_text(out, body);
        sink_puts(out, "</pre>\n");
    }
    g_string_free(text, TRUE);
}

/* Where a direction's active time went (docs/report.md, Diagnosis): a bar of
 * its parts and their seconds. */
static void put_time_split(report_sink *out, const report_stream *rs, unsigned dir)
{
    enum { BAR_W = 600, BAR_H = 16 };
    const diag_dir *dd = diagnosis_dir(rs->diag, engine_dir_sender(rs->engine, dir));
    if (dd->active_ns <= 0)
        return;
    char secs[REPORT_TIME_BUF];
    report_format_seconds(secs, dd->active_ns, 6);
    sink_printf(out, "<div class=\"split\"><p><span class=\"c%u\">%s</span>: active %s s</p>\n"
                     "<svg class=\"split-bar\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
                dir, dir_name(dir), secs, BAR_W, BAR_H, BAR_W, BAR_H);
    double x = 0;
    for (unsigned b = 0; b < DIAG_TIME_COUNT; b++) {
        double w = BAR_W * (double)dd->time.ns[b] / (double)dd->active_ns;
        if (dd->time.ns[b] <= 0)
            continue;
        sink_printf(out, "<rect class=\"b-%s\" x=\"", diag_time_bucket_name(b));
        sink_fixed(out, x, 2);
        sink_puts(out, "\" y=\"0\" width=\"");
        sink_fixed(out, w, 2);
        sink_printf(out, "\" height=\"%d\"/>", BAR_H);
        x += w;
    }
    sink_puts(out, "</svg>\n<ul class=\"split-legend\">");
    for (unsigned b = 0; b < DIAG_TIME_COUNT; b++) {
        if (dd->time.ns[b] <= 0)
            continue;
        char name[32];
        g_strlcpy(name, diag_time_bucket_name(b), sizeof name);
        report_format_seconds(secs, dd->time.ns[b], 6);
        sink_printf(out, "<li><span class=\"swatch b-%s\"></span>%s %s s (%.1f %%)</li>", diag_time_bucket_name(b),
                    g_strdelimit(name, "_", ' '), secs, 100.0 * (double)dd->time.ns[b] / (double)dd->active_ns);
    }
    sink_puts(out, "</ul></div>\n");
}

static void put_capture_point(report_sink *out, const report_stream *rs)
{
    static const char *const where[] = {
        [DIAG_CAPTURE_UNKNOWN] = "Capture point unknown: the handshake does not tell.",
        [DIAG_CAPTURE_NEAR_CLIENT] = "Captured near the client (from how the handshake RTT splits).",
        [DIAG_CAPTURE_NEAR_SERVER] = "Captured near the server (from how the handshake RTT splits).",
        [DIAG_CAPTURE_IN_PATH] = "Captured in the path between them (from how the handshake RTT splits).",
    };
    finding(out, "info", "%s", where[diagnosis_capture_point(rs->diag)]);
}

static void put_findings(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    sink_puts(out, "<section id=\"diagnosis\">\n<h2>Diagnosis</h2>\n");
    if (rs->diag) {
        put_verdict(out, rs, opt, a);
        for (unsigned dir = 0; dir < 2; dir++)
            if (report_dir_shown(opt, dir))
                put_time_split(out, rs, dir);
    }
    sink_puts(out, "<ul class=\"findings\">\n");
    if (rs->diag)
        put_capture_point(out, rs);
    put_handshake_finding(out, a);
    for (unsigned dir = 0; dir < 2; dir++)
        if (report_dir_shown(opt, dir))
            put_dir_findings(out, rs, dir, a);
    put_stall_findings(out, rs, opt, a);
    put_turn_findings(out, rs, opt, a);
    char duration[REPORT_TIME_BUF];
    report_format_seconds(duration, report_stream_duration_ns(rs->engine), 6);
    finding(out, "info", "%zu segments over %s s.", engine_segment_count(rs->engine), duration);
    sink_puts(out, "</ul>\n</section>\n");
}

/* ---- graph and summary ------------------------------------------------------------ */

static void put_graph(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    sink_puts(out, "<section id=\"graph\">\n<h2>Time-sequence graph</h2>\n<div class=\"toolbar\">"
                   "<button type=\"button\" id=\"zoom-reset\">Reset zoom</button> <span id=\"view-range\"></span>"
                   " <span class=\"hint\">wheel: zoom in time \u00b7 shift+wheel: zoom in seq \u00b7 drag: pan "
                   "\u00b7 click a bar: its segment</span></div>\n<div class=\"graph-box\">\n");
    report_svg_graph(out, rs, opt, a, false);
    sink_puts(out, "</div>\n<div id=\"tip\" hidden></div>\n</section>\n");
}

static void put_summary_header(report_sink *out, const report_options *opt)
{
    sink_puts(out, "<thead><tr><th></th>");
    for (unsigned dir = 0; dir < 2; dir++)
        if (report_dir_shown(opt, dir))
            sink_printf(out, "<th class=\"c%u\">%s</th>", dir, dir_name(dir));
    sink_puts(out, "</tr></thead>\n<tbody>\n");
}

/* One row of the summary, a cell per shown direction. */
typedef void (*dir_cell)(report_sink *out, const diag_dir *dd, unsigned which);

static void put_dir_row(report_sink *out, const report_stream *rs, const report_options *opt, const char *label,
                        dir_cell cell, unsigned which)
{
    sink_printf(out, "<tr><th>%s</th>", label);
    for (unsigned dir = 0; dir < 2; dir++) {
        if (!report_dir_shown(opt, dir))
            continue;
        sink_puts(out, "<td>");
        cell(out, diagnosis_dir(rs->diag, engine_dir_sender(rs->engine, dir)), which);
        sink_puts(out, "</td>");
    }
    sink_puts(out, "</tr>\n");
}

static void put_seconds_cell(report_sink *out, int64_t ns)
{
    char buf[REPORT_TIME_BUF];
    report_format_seconds(buf, ns, 6);
    sink_puts(out, buf);
}

/* which: 0 samples, 1 min, 2 median, 3 p90, 4 max */
static void rtt_cell(report_sink *out, const diag_dir *dd, unsigned which)
{
    const GArray *rtt = dd->rtt_ns;
    if (which == 0)
        sink_u64(out, rtt->len, 0);
    else if (!rtt->len)
        sink_puts(out, "-");
    else
        put_seconds_cell(out, which == 1   ? g_array_index(rtt, int64_t, 0)
                              : which == 4 ? g_array_index(rtt, int64_t, rtt->len - 1)
                                           : report_percentile(rtt, which == 2 ? 50 : 90));
}

/* which: 0 active time, 1 max in flight, 2 zero-window periods, 3 their seconds */
static void flight_cell(report_sink *out, const diag_dir *dd, unsigned which)
{
    switch (which) {
    case 0: put_seconds_cell(out, dd->active_ns); break;
    case 1: sink_u64(out, dd->max_in_flight, 0); break;
    case 2: sink_u64(out, dd->zero_window_periods, 0); break;
    default: put_seconds_cell(out, dd->zero_window_ns); break;
    }
}

static void repairs_cell(report_sink *out, const diag_dir *dd, unsigned cause)
{
    sink_u64(out, dd->repairs[cause], 0);
}

static void put_diagnosis_rows(report_sink *out, const report_stream *rs, const report_options *opt)
{
    static const char *const rtt_rows[] = {"RTT samples", "RTT min (s)", "RTT median (s)", "RTT p90 (s)",
                                           "RTT max (s)"};
    static const char *const flight_rows[] = {"active (s)", "max bytes in flight", "zero-window periods",
                                              "zero-window time (s)"};
    for (unsigned r = 0; r < G_N_ELEMENTS(flight_rows); r++)
        put_dir_row(out, rs, opt, flight_rows[r], flight_cell, r);
    for (unsigned r = 0; r < G_N_ELEMENTS(rtt_rows); r++)
        put_dir_row(out, rs, opt, rtt_rows[r], rtt_cell, r);
    for (unsigned c = DIAG_CAUSE_FAST_RETRANSMIT; c < DIAG_CAUSE_COUNT; c++) {
        char label[48];
        g_snprintf(label, sizeof label, "loss episodes: %s", diag_cause_name(c));
        put_dir_row(out, rs, opt, label, repairs_cell, c);
    }
}

static void put_summary(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    sink_puts(out, "<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"summary\">");
    put_summary_header(out, opt);
    static const report_row_style html_rows = {"<tr><th>%s</th>", "<td>%s</td>", "</tr>\n"};
    report_put_summary_rows(out, rs, opt, a, false, &html_rows);
    report_put_summary_rows(out, rs, opt, a, true, &html_rows);
    if (rs->diag)
        put_diagnosis_rows(out, rs, opt);
    sink_puts(out, "</tbody></table>\n</section>\n");
}

/* A section whose table the script draws from the data block. */
static void put_table_slot(report_sink *out, const char *id, const char *title, guint rows, const char *about)
{
    sink_printf(out, "<section id=\"%s\">\n<h2>%s (%u)</h2>\n<p class=\"about\">%s</p>\n"
                     "<div class=\"vtable\" data-table=\"%s\"></div>\n</section>\n",
                id, title, rows, about, id);
}

/* ---- the kept bytes ------------------------------------------------------------------ */

/* One item of a direction's bytes view: a kept chunk or a gap, in seq order. */
typedef struct {
    bool is_gap;
    engine_chunk chunk;
    engine_gap gap;
} bytes_item;

typedef struct {
    GArray *items;   /* bytes_item */
    uint64_t shown;  /* bytes of the chunks collected */
    uint64_t left;   /* kept bytes beyond HTML_BYTES_PER_DIR */
    bool capped;
} bytes_dir;

static void collect_chunk(void *ctx, const engine_chunk *c)
{
    bytes_dir *d = ctx;
    if (d->capped) {
        d->left += c->len;
        return;
    }
    bytes_item item = {.chunk = *c};
    if (d->shown + c->len > HTML_BYTES_PER_DIR) {
        item.chunk.len = HTML_BYTES_PER_DIR - d->shown;
        d->left += c->len - item.chunk.len;
        d->capped = true;
    }
    d->shown += item.chunk.len;
    if (item.chunk.len)
        g_array_append_val(d->items, item);
}

static void collect_gap(void *ctx, const engine_gap *g)
{
    bytes_dir *d = ctx;
    if (d->capped)
        return;
    bytes_item item = {.is_gap = true, .gap = *g};
    g_array_append_val(d->items, item);
}

/* Where an item goes in the conversation: the segment that carried the chunk;
 * a gap just before the bytes that follow it, a tail gap at the end. */
static uint32_t item_key(const bytes_item *item)
{
    if (!item->is_gap)
        return item->chunk.segment;
    return item->gap.before_segment;
}

static void put_gap_block(report_sink *out, const report_stream *rs, unsigned dir, const engine_gap *g)
{
    const engine_stream *e = rs->engine;
    sink_printf(out, "<div class=\"gap c%u\">%s: %" PRIu64 " bytes missing at seq %" PRId64 " (%s)", dir,
                dir_name(dir), g->len, engine_relative_seq(e, engine_dir_sender(e, dir), g->seq),
                g->cause == ENGINE_GAP_TRUNCATED ? "cut by the snapshot length" : "never captured");
    uint32_t after = engine_segment_frame(e, g->after_segment), before = engine_segment_frame(e, g->before_segment);
    if (after)
        sink_printf(out, ", after frame %u", after);
    if (before)
        sink_printf(out, ", before frame %u", before);
    sink_puts(out, "; not filled in</div>\n");
}

static void put_chunk_bytes(report_sink *out, const report_stream *rs, const report_options *opt,
                            const engine_chunk *c)
{
    const engine_segment *seg = engine_segment_at(rs->engine, c->segment);
    sink_printf(out, "<span data-f=\"%u\">", seg->frame);
    if (opt->data == REPORT_DATA_HEX) {
        int64_t rel = engine_relative_seq(rs->engine, seg->sender, c->seq);
        for (uint64_t off = 0; off < c->len; off += 16) {
            char line[REPORT_HEX_LINE + 2];
            size_t n = report_hex_line(line, c->data + off, (uint32_t)MIN(c->len - off, 16), rel + (int64_t)off);
            line[n++] = '\n';
            markup_payload(out, (const uint8_t *)line, n);
        }
    } else {
        markup_payload(out, c->data, c->len);
    }
    sink_puts(out, "</span>");
}

/* Both directions' kept bytes as one conversation, like Follow: each
 * direction in seq order, the two interleaved by the frames that carried the
 * bytes; a gap is a block of its own between them, never text in the data. */
static void put_conversation(report_sink *out, const report_stream *rs, const report_options *opt, bytes_dir *dirs)
{
    guint next[2] = {0, 0};
    int open = -1; /* the direction whose <pre> is open */
    for (;;) {
        int pick = -1;
        for (unsigned dir = 0; dir < 2; dir++) {
            if (next[dir] >= dirs[dir].items->len)
                continue;
            const bytes_item *head = &g_array_index(dirs[dir].items, bytes_item, next[dir]);
            if (pick < 0 || item_key(head) < item_key(&g_array_index(dirs[pick].items, bytes_item, next[pick])))
                pick = (int)dir;
        }
        if (pick < 0)
            break;
        const bytes_item *item = &g_array_index(dirs[pick].items, bytes_item, next[pick]++);
        if (open >= 0 && (item->is_gap || open != pick)) {
            sink_puts(out, "</pre>\n");
            open = -1;
        }
        if (item->is_gap) {
            put_gap_block(out, rs, (unsigned)pick, &item->gap);
            continue;
        }
        if (open < 0) {
            sink_printf(out, "<pre class=\"c%d\">", pick);
            open = pick;
        }
        put_chunk_bytes(out, rs, opt, &item->chunk);
    }
    if (open >= 0)
        sink_puts(out, "</pre>\n");
}

static void put_bytes(report_sink *out, const report_stream *rs, const report_options *opt)
{
    sink_puts(out, "<section id=\"bytes\">\n<h2>Kept bytes</h2>\n");
    if (opt->data == REPORT_DATA_NONE) {
        sink_puts(out, "<p class=\"about\">Not shown (data=none).</p>\n</section>\n");
        return;
    }
    sink_printf(out, "<p class=\"about\">The reassembled stream, each byte from the frame whose copy was kept "
                     "(click to see its segment): <span class=\"c0\">client \u2192 server</span> and "
                     "<span class=\"c1\">server \u2192 client</span> as in Wireshark's Follow TCP Stream, "
                     "%s. Gaps are blocks of their own: nothing is written into the data. At most %" PRIu64
                     " bytes of each direction are shown.</p>\n<div class=\"follow\">\n",
                opt->data == REPORT_DATA_HEX ? "as a hex dump by relative seq"
                                             : "printable ASCII as it is, other bytes as '.'",
                HTML_BYTES_PER_DIR);
    bytes_dir dirs[2] = {{.items = g_array_new(FALSE, FALSE, sizeof(bytes_item))},
                         {.items = g_array_new(FALSE, FALSE, sizeof(bytes_item))}};
    const engine_walk_cb cb = {collect_chunk, collect_gap};
    for (unsigned dir = 0; dir < 2; dir++)
        if (report_dir_shown(opt, dir))
            report_walk_dir(rs, dir, &cb, &dirs[dir]);
    put_conversation(out, rs, opt, dirs);
    sink_puts(out, "</div>\n");
    for (unsigned dir = 0; dir < 2; dir++) {
        if (dirs[dir].capped)
            sink_printf(out, "<p class=\"about\">%s: %" PRIu64 " more kept bytes not shown here (fmt=raw,dir=%s "
                             "writes them all; its later gaps are under Losses).</p>\n",
                        dir_name(dir), dirs[dir].left, dir == 0 ? "client" : "server");
        g_array_free(dirs[dir].items, TRUE);
    }
    sink_puts(out, "</section>\n");
}

/* How many rows of an array (analysis_turn, analysis_stall, diag_zero_window:
 * an `unsigned sender` at sender_at) belong to the shown directions. */
static guint shown_rows(const report_stream *rs, const report_options *opt, GArray *rows, size_t sender_at)
{
    guint n = 0, size = g_array_get_element_size(rows);
    for (guint i = 0; i < rows->len; i++) {
        unsigned sender;
        memcpy(&sender, rows->data + (size_t)i * size + sender_at, sizeof sender);
        n += report_dir_shown(opt, engine_sender_dir(rs->engine, sender));
    }
    return n;
}

static guint shown_segments(const report_stream *rs, const report_options *opt)
{
    const engine_stream *e = rs->engine;
    guint n = 0;
    for (unsigned dir = 0; dir < 2; dir++)
        if (report_dir_shown(opt, dir))
            n += (guint)engine_stats(e, engine_dir_sender(e, dir))->segments;
    return n;
}

void report_render_html(const report_stream *rs, const report_options *opt, report_sink *out)
{
    analysis *a = report_analyze(rs, opt);
    put_head(out, rs);
    sink_puts(out, "<body>\n");
    put_header(out, rs, opt);
    put_findings(out, rs, opt, a);
    put_graph(out, rs, opt, a);
    put_summary(out, rs, opt, a);
    GArray *losses = report_losses(rs, opt, a);
    put_table_slot(out, "turns", "Turns", shown_rows(rs, opt, analysis_turns(a), offsetof(analysis_turn, sender)),
                   "Runs of new data in one direction (a request, a response) and the turnaround before each.");
    put_table_slot(out, "stalls", "Stalls", shown_rows(rs, opt, analysis_stalls(a), offsetof(analysis_stall, sender)),
                   "Pauses longer than stall= between two payload segments of the sender of a turn.");
    put_table_slot(out, "losses", "Losses", losses->len,
                   "Every range that was missing at some point: a gap never filled, or a hole a later segment "
                   "filled (recovered).");
    GPtrArray *episodes = rs->diag ? report_episodes_in_time_order(rs, opt) : NULL;
    if (episodes) {
        put_table_slot(out, "episodes", "Loss episodes", episodes->len,
                       "Every re-send and hole fill grouped into episodes: their cause, where the bytes were "
                       "lost (before or after the capture point) and how long the repair took.");
        put_table_slot(out, "zero-windows", "Zero windows", shown_rows(rs, opt, diagnosis_zero_windows(rs->diag),
                                  offsetof(diag_zero_window, sender)),
                       "Periods in which the receiver advertised a zero window: the direction shown is the "
                       "one that had to wait.");
    }
    put_table_slot(out, "segments", "Segments", shown_segments(rs, opt),
                   "Every TCP segment of the shown directions in frame order. A click on a bar in the graph, a "
                   "frame in the tables above or a byte below shows its segment here.");
    put_bytes(out, rs, opt);
    report_html_data(out, rs, opt, a, losses, episodes);
    g_array_free(losses, TRUE);
    if (episodes)
        g_ptr_array_free(episodes, TRUE);
    sink_puts(out, "<script>");
    put_assets(out, page_script, G_N_ELEMENTS(page_script));
    sink_puts(out, "</script>\n</body>\n</html>\n");
    analysis_free(a);
}
