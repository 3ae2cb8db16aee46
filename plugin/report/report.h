/* report.h — render a finished engine stream: text, json, csv or raw.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_REPORT_H
#define TCPFOLLOWTS_REPORT_H

#include "diagnosis.h"
#include "engine.h"
#include "options.h"
#include "sink.h"

/* A stream as the capture names it: tcp.stream index and endpoints by sender. */
typedef struct {
    const engine_stream *engine; /* engine_finish already called */
    const diagnosis *diag;       /* diagnosis_finish already called; NULL: none */
    uint32_t stream;
    const char *addr[2];         /* printable address of sender 0 / 1 */
    uint16_t port[2];
    bool ipv6;                   /* addresses print as [addr]:port */
} report_stream;

/* Write the report for rs to out. Notices that are not part of the data (the
 * gaps of a raw dump) go to notes, which may be NULL. */
void report_render(const report_stream *rs, const report_options *opt, report_sink *out,
                   report_sink *notes);

/* One row of the all-streams summary: a finished (lean) stream and its analysis. */
typedef struct analysis analysis;
typedef struct {
    report_stream rs;
    const analysis *analysis;
} report_stream_summary;

/* The all-streams summary (fmt text, json or csv): one row per stream. */
void report_render_all(const report_stream_summary *rows, size_t n, const report_options *opt,
                       report_sink *out);

/* A report's text as HTML for the GUI's rich-text window (g_free it): every
 * character escaped, so payload shows as text, never as markup; with colour
 * (the text format), each direction's lines in the colours of Wireshark's
 * Follow dialog and the marked lines (! ~) in bold, ! ones on amber. */
char *report_window_html(const char *text, bool colour);

/* The message shown instead of a report when the selection matched nothing. */
void report_render_empty(const char *selection, uint32_t streams_seen, const report_options *opt,
                         report_sink *out);

#endif
