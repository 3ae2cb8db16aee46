/* render_common.h — what every renderer shares: time and flag formatting,
 * direction filtering, turns. Private to plugin/report.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_RENDER_COMMON_H
#define TCPFOLLOWTS_RENDER_COMMON_H

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
/* "10.0.0.1:80" or "[2001:db8::1]:80" */
char *report_endpoint(const report_stream *rs, unsigned sender);

bool report_dir_shown(const report_options *opt, unsigned dir);

int64_t report_stream_first_ns(const engine_stream *e);
int64_t report_stream_last_ns(const engine_stream *e);

/* A run of data in one direction. */
typedef struct {
    unsigned dir;
    int64_t first_ns, last_ns;
    uint64_t bytes, segments;
    bool has_turnaround;
    int64_t turnaround_ns; /* first_ns - the previous turn's last_ns */
} report_turn;

/* The turns of the stream (segments that added bytes), in frame order. */
GArray *report_turns(const engine_stream *e);

/* Write a renderer that walks one direction's chunks and gaps. */
void report_walk_dir(const report_stream *rs, unsigned dir, const engine_walk_cb *cb, void *ctx);

/* One summary.dirs entry (shared with the all-streams report). */
void report_json_dir_stats(report_sink *out, const engine_stream *e, unsigned dir);

void report_render_text(const report_stream *rs, const report_options *opt, report_sink *out);
void report_render_json(const report_stream *rs, const report_options *opt, report_sink *out);
void report_render_csv(const report_stream *rs, const report_options *opt, report_sink *out);
void report_render_raw(const report_stream *rs, const report_options *opt, report_sink *out,
                       report_sink *notes);

#endif
