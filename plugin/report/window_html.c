/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "report.h"

#include <string.h>

/* Wireshark's Follow Stream colours (its default preferences): client text
 * dark red on pink, server dark blue on lavender. */
#define CLIENT_STYLE "color:#7f0000;background-color:#fbeded"
#define SERVER_STYLE "color:#00007f;background-color:#ededfb"
/* '!' lines (conflicts, gaps, unknown bytes) on amber, like a warning. */
#define WARNING_STYLE "background-color:#ffd27f"

/* The data lines under a timeline line start with this indent (render_text.c). */
#define DATA_INDENT "            "

typedef enum { LINE_PLAIN, LINE_CLIENT, LINE_SERVER } line_dir;

static void put_escaped(report_sink *out, const char *text, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        const char *entity = text[i] == '&' ? "&amp;" : text[i] == '<' ? "&lt;" : text[i] == '>' ? "&gt;" : NULL;
        if (!entity)
            continue;
        sink_write(out, text + run, i - run);
        sink_puts(out, entity);
        run = i + 1;
    }
    sink_write(out, text + run, len - run);
}

/* A timeline, gap, turn, stall or loss line: a mark column, then up to a
 * frame number and a time, then the direction arrow. */
static line_dir arrow_of(const char *line, size_t len)
{
    if (!len || !strchr(" !~", line[0]))
        return LINE_PLAIN;
    size_t limit = MIN(len, 48);
    for (size_t i = 1; i + 3 < limit; i++) {
        if (line[i] == ' ' && line[i + 3] == ' ' && line[i + 1] == '-' && line[i + 2] == '>')
            return LINE_CLIENT;
        if (line[i] == ' ' && line[i + 3] == ' ' && line[i + 1] == '<' && line[i + 2] == '-')
            return LINE_SERVER;
        if (!strchr(" 0123456789.:-TZgapt", line[i]))
            return LINE_PLAIN;
    }
    return LINE_PLAIN;
}

char *report_window_html(const char *text, bool colour)
{
    GString *html = g_string_new("<pre>");
    report_sink out;
    sink_init_string(&out, html);
    line_dir last = LINE_PLAIN; /* of the last timeline line: its data lines follow it */
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        line_dir dir = LINE_PLAIN;
        if (colour) {
            bool data = len > strlen(DATA_INDENT) && strncmp(line, DATA_INDENT, strlen(DATA_INDENT)) == 0 &&
                        strchr("|(", line[strlen(DATA_INDENT)]);
            dir = data ? last : arrow_of(line, len);
            if (!data)
                last = dir;
        }
        bool marked = colour && len && (line[0] == '!' || line[0] == '~');
        const char *style = dir == LINE_CLIENT ? CLIENT_STYLE : dir == LINE_SERVER ? SERVER_STYLE : NULL;
        if (style || marked) {
            sink_printf(&out, "<span style=\"%s%s%s\">", style ? style : "",
                        marked ? ";font-weight:bold" : "", marked && line[0] == '!' ? ";" WARNING_STYLE : "");
            put_escaped(&out, line, len);
            sink_puts(&out, "</span>");
        } else {
            put_escaped(&out, line, len);
        }
        if (!nl)
            break;
        sink_puts(&out, "\n");
        line = nl + 1;
    }
    /* the rich-text view drops a newline that ends the last line: say it twice */
    if (*text && text[strlen(text) - 1] == '\n')
        sink_puts(&out, "\n");
    sink_puts(&out, "</pre>");
    sink_flush(&out);
    return g_string_free(html, FALSE);
}
