/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "markup.h"

#include <string.h>

/* The entity for a byte that must not appear literally, or NULL. */
static const char *entity(uint8_t b)
{
    switch (b) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

void markup_text(report_sink *out, const char *text)
{
    const char *run = text;
    for (const char *p = text; *p; p++) {
        const char *e = entity((uint8_t)*p);
        if (!e)
            continue;
        sink_write(out, run, (size_t)(p - run));
        sink_puts(out, e);
        run = p + 1;
    }
    sink_puts(out, run);
}

void markup_payload(report_sink *out, const uint8_t *bytes, size_t len)
{
    /* built in a buffer: this runs over every kept byte the page shows */
    char buf[4096];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = bytes[i];
        const char *e = entity(b);
        if (n + 8 > sizeof buf) {
            sink_write(out, buf, n);
            n = 0;
        }
        if (e) {
            size_t el = strlen(e);
            memcpy(buf + n, e, el);
            n += el;
        } else if (b == '\r' && i + 1 < len && bytes[i + 1] == '\n') {
            continue;
        } else {
            buf[n++] = (b >= 0x20 && b < 0x7f) || b == '\n' || b == '\t' ? (char)b : '.';
        }
    }
    sink_write(out, buf, n);
}

void markup_json_string(report_sink *out, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    sink_puts(out, "\"");
    for (const uint8_t *p = (const uint8_t *)text; *p; p++) {
        uint8_t b = *p;
        if (b == '"' || b == '\\') {
            char esc[2] = {'\\', (char)b};
            sink_write(out, esc, 2);
        } else if (b < 0x20 || b >= 0x7f || b == '<' || b == '>' || b == '&') {
            char esc[6] = {'\\', 'u', '0', '0', hex[b >> 4], hex[b & 15]};
            sink_write(out, esc, 6);
        } else {
            sink_write(out, p, 1);
        }
    }
    sink_puts(out, "\"");
}
