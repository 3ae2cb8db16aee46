/* render_common.h — what every renderer shares: time and flag formatting,
 * direction filtering, turns. Private to plugin/report.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_RENDER_COMMON_H
#define TCPFOLLOWTS_RENDER_COMMON_H

#include "analysis.h"
#include "report.h"

#include <glib.h>

#define REPORT_TIME_BUF 40

/* Time in the given mode for text and csv (microseconds; epoch keeps ns); base_ns is the stream's first time (rel) or the
 * previous shown segment's time (delta). */
void report_format_time(char *buf, int64_t ns, report_time mode, int64_t base_ns);
/* Signed seconds with 0-9 decimals, truncated, exact (no floating point). */
void report_format_seconds(char *buf, int64_t ns, int decimals);
/* Compact flag letters in a fixed order, e.g. "SA", "AP", "FA". */
void report_format_flags(char *buf, uint16_t flags);
/* A payload byte in an ASCII column: printable ASCII as it is, else '.'. */
static inline char report_printable(uint8_t b)
{
    return (b >= 0x20 && b < 0x7f) ? (char)b : '.';
}

/* One hex dump line of up to 16 bytes into buf (no newline, not terminated):
 * "%08 offset, two blanks, 16 hex columns, a blank, the ASCII column". Returns
 * its length, at most REPORT_HEX_LINE. */
#define REPORT_HEX_LINE 100
size_t report_hex_line(char *buf, const uint8_t *p, uint32_t count, int64_t offset);

/* The summary's rows per direction: its counts (bytes kept, segments, gaps,
 * missing bytes, each class, ...) or, derived, those from the analysis
 * (retransmitted bytes, goodput, retransmitted / kept, missing / (kept +
 * missing)). Each row is style->row with its label, style->cell with the
 * figure of each shown direction, then style->end: the text and html
 * summaries are the same rows. */
typedef struct {
    const char *row;  /* printf format of the label, e.g. "  %-30s" */
    const char *cell; /* of a figure (a string), e.g. "%22s" */
    const char *end;
} report_row_style;
void report_put_summary_rows(report_sink *out, const report_stream *rs, const report_options *opt,
                             const analysis *a, bool derived, const report_row_style *style);

/* "10.0.0.1:80" or "[2001:db8::1]:80" */
char *report_endpoint(const report_stream *rs, unsigned sender);

bool report_dir_shown(const report_options *opt, unsigned dir);

int64_t report_stream_first_ns(const engine_stream *e);
/* From the earliest to the latest segment time (timestamps may go backwards). */
int64_t report_stream_duration_ns(const engine_stream *e);

/* Turns, stalls, recovered holes and the handshake of the stream, with lists
 * (analysis.h); analysis_free it. */
analysis *report_analyze(const report_stream *rs, const report_options *opt);

/* What became of missing bytes: a final gap, or a hole a late segment filled. */
typedef struct {
    unsigned dir;
    uint64_t seq;
    uint64_t len;
    bool recovered;
    engine_gap_cause cause;   /* final gaps */
    uint32_t after_frame, before_frame; /* final gaps: 0 when none */
    uint32_t opened_frame, filled_frame; /* recovered holes */
    int64_t delay_ns;
} report_loss;

/* Final gaps and recovered holes of the shown directions, by dir then seq. */
GArray *report_losses(const report_stream *rs, const report_options *opt, const analysis *a);

/* bytes per second of a direction's new data, 0 when it lasted no time */
double report_goodput(const engine_dir_stats *st, const analysis_dir *ad);

/* Write a renderer that walks one direction's chunks and gaps. */
void report_walk_dir(const report_stream *rs, unsigned dir, const engine_walk_cb *cb, void *ctx);

/* The diagnosis of one segment, as the renderers show it (render_diagnosis.c). */
typedef struct {
    uint32_t in_flight;
    bool has_peer_win;
    uint32_t peer_win;
    bool has_rtt;
    int64_t rtt_ns;
    const diag_episode *episode; /* the episode this segment repaired, or NULL */
    bool syn_resent;
} report_seg_diag;

/* The nearest-rank percentile of sorted samples (int64_t), e.g. RTTs. */
int64_t report_percentile(const GArray *sorted, unsigned pct);
/* false (and zeros) when the stream has no per-segment diagnosis. */
bool report_segment_diag(const report_stream *rs, size_t i, report_seg_diag *out);
/* The shown directions' episodes in time order (first repair, else first seen); free the array. */
GPtrArray *report_episodes_in_time_order(const report_stream *rs, const report_options *opt);
/* JSON pieces: ", key: value" runs appended to a segment, a dirs entry, a turn;
 * and the summary keys capture_point, episodes, zero_windows, unresponsive. */
/* episode -> its index in summary.episodes + 1 (report_json_segment_diag's map); unref it */
GHashTable *report_episode_numbers(const report_stream *rs, const report_options *opt);
void report_json_segment_diag(report_sink *out, const report_stream *rs, size_t i, GHashTable *episode_numbers);
void report_json_dir_diag(report_sink *out, const report_stream *rs, unsigned dir);
void report_json_turn_time(report_sink *out, const report_stream *rs, size_t turn);
void report_json_diagnosis(report_sink *out, const report_stream *rs, const report_options *opt);
/* All-streams pieces: the per-direction CSV columns, and the largest cause of
 * delay over a twentieth of a direction's active time ("s>c zero_window 62%", "-"). */
void report_csv_diag_header(report_sink *out);
void report_csv_diag_row(report_sink *out, const report_stream *rs);
void report_main_delay(char *buf, size_t n, const report_stream *rs);
/* The text report's closing diagnosis in plain words. */
void report_text_diagnosis(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a);

/* "nodes": [...] of the contract (shared with the all-streams report). */
void report_json_nodes(report_sink *out, const report_stream *rs);
/* One summary.dirs entry (shared with the all-streams report). */
void report_json_dir_stats(report_sink *out, const report_stream *rs, unsigned dir, const analysis *a);

void report_render_text(const report_stream *rs, const report_options *opt, report_sink *out);
void report_render_json(const report_stream *rs, const report_options *opt, report_sink *out);
void report_render_csv(const report_stream *rs, const report_options *opt, report_sink *out);
void report_render_raw(const report_stream *rs, const report_options *opt, report_sink *out,
                       report_sink *notes);
void report_render_svg(const report_stream *rs, const report_options *opt, report_sink *out);
void report_render_html(const report_stream *rs, const report_options *opt, report_sink *out);

/* The HTML report's data block (render_html_data.c): a <script
 * type="application/json" id="tft-data"> element; losses from report_losses,
 * episodes from report_episodes_in_time_order (with the diagnosis). */
void report_html_data(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a,
                      GArray *losses, const GPtrArray *episodes);

/* The time-sequence graph of the shown directions as one <svg> element
 * (render_svg.c). standalone: with its own <style> (fmt=svg); otherwise for
 * the HTML report, whose page carries the style. */
void report_svg_graph(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a,
                      bool standalone);
void report_render_yaml(const report_stream *rs, const report_options *opt, report_sink *out);

#endif
