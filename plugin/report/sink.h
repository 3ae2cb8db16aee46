/* sink.h — where a rendered report goes: a buffered byte writer.
 *
 * Renderers only ever write to a sink, so the same text reaches tshark's
 * stdout, a file, or the GUI's text window.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_SINK_H
#define TCPFOLLOWTS_SINK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct report_sink {
    void (*flush_bytes)(struct report_sink *sink, const char *bytes, size_t len);
    FILE *file;      /* file sinks */
    GString *string; /* string sinks */
    size_t used;
    char buf[16384];
} report_sink;

void sink_init_file(report_sink *sink, FILE *file);
void sink_init_string(report_sink *sink, GString *string);

void sink_write(report_sink *sink, const void *bytes, size_t len);
void sink_puts(report_sink *sink, const char *text);
void sink_printf(report_sink *sink, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Numbers without printf: per-segment rows of a large stream are written
 * hundreds of thousands of times. width pads on the left with spaces. */
void sink_u64(report_sink *sink, uint64_t v, int width);
void sink_i64(report_sink *sink, int64_t v, int width);
/* v rounded to decimals (0-9) places, trailing zeros and a trailing '.'
 * dropped: "12.5", "-3", "0.25". Locale-free, for coordinates. */
void sink_fixed(report_sink *sink, double v, int decimals);
/* text, padded on the right with spaces to width */
void sink_padded(report_sink *sink, const char *text, int width);

/* Hand buffered bytes to the file or string. Renderers flush when done. */
void sink_flush(report_sink *sink);

#endif
