/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sink.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

static void flush_to_file(report_sink *sink, const char *bytes, size_t len)
{
    fwrite(bytes, 1, len, sink->file);
}

static void flush_to_string(report_sink *sink, const char *bytes, size_t len)
{
    g_string_append_len(sink->string, bytes, (gssize)len);
}

void sink_init_file(report_sink *sink, FILE *file)
{
    memset(sink, 0, offsetof(report_sink, buf));
    sink->flush_bytes = flush_to_file;
    sink->file = file;
}

void sink_init_string(report_sink *sink, GString *string)
{
    memset(sink, 0, offsetof(report_sink, buf));
    sink->flush_bytes = flush_to_string;
    sink->string = string;
}

void sink_flush(report_sink *sink)
{
    if (sink->used)
        sink->flush_bytes(sink, sink->buf, sink->used);
    sink->used = 0;
    if (sink->file)
        fflush(sink->file);
}

void sink_write(report_sink *sink, const void *bytes, size_t len)
{
    if (len > sizeof sink->buf - sink->used) {
        sink_flush(sink);
        if (len > sizeof sink->buf) {
            sink->flush_bytes(sink, bytes, len);
            return;
        }
    }
    memcpy(sink->buf + sink->used, bytes, len);
    sink->used += len;
}

void sink_puts(report_sink *sink, const char *text)
{
    sink_write(sink, text, strlen(text));
}

void sink_printf(report_sink *sink, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        sink_write(sink, small, (size_t)n);
        return;
    }
    va_start(ap, fmt);
    char *big = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    sink_write(sink, big, (size_t)n);
    g_free(big);
}

static void put_number(report_sink *sink, uint64_t magnitude, bool negative, int width)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (negative)
        digits[n++] = '-';
    char out[48];
    int len = 0;
    while (len + n < width && len < (int)sizeof out - 24)
        out[len++] = ' ';
    while (n)
        out[len++] = digits[--n];
    sink_write(sink, out, (size_t)len);
}

void sink_u64(report_sink *sink, uint64_t v, int width)
{
    put_number(sink, v, false, width);
}

void sink_i64(report_sink *sink, int64_t v, int width)
{
    put_number(sink, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0, width);
}

void sink_padded(report_sink *sink, const char *text, int width)
{
    static const char spaces[] = "                                ";
    size_t len = strlen(text);
    sink_write(sink, text, len);
    for (int pad = width - (int)len; pad > 0; pad -= (int)sizeof spaces - 1)
        sink_write(sink, spaces, (size_t)MIN(pad, (int)sizeof spaces - 1));
}

void sink_fixed(report_sink *sink, double v, int decimals)
{
    static const double scales[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    int64_t scaled = llround(v * scales[decimals]);
    uint64_t mag = scaled < 0 ? (uint64_t)0 - (uint64_t)scaled : (uint64_t)scaled;
    int places = decimals;
    for (; places > 0 && mag % 10 == 0; places--)
        mag /= 10; /* trailing zeros of the fraction are not written */
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag || n <= places);
    char out[32];
    int len = 0;
    if (scaled < 0)
        out[len++] = '-';
    while (n) {
        if (n == places)
            out[len++] = '.';
        out[len++] = digits[--n];
    }
    sink_write(sink, out, (size_t)len);
}
