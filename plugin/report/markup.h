/* markup.h — capture bytes and strings made safe for XML, HTML and JSON.
 *
 * Captures are hostile input, and the HTML report runs in the analyst's
 * browser: everything that comes from a capture (payload, and anything
 * derived from it) reaches a page or an SVG only through these functions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_MARKUP_H
#define TCPFOLLOWTS_MARKUP_H

#include "sink.h"

/* text for XML/HTML element content or a quoted attribute value: & < > " '
 * become entities. */
void markup_text(report_sink *out, const char *text);

/* Payload bytes as HTML text, the way Wireshark's Follow dialog shows them in
 * ASCII: printable ASCII (escaped as markup_text does), LF and TAB as they
 * are, CR before LF dropped, every other byte (controls, anything >= 0x80, so
 * never a broken UTF-8 sequence) as '.'. */
void markup_payload(report_sink *out, const uint8_t *bytes, size_t len);

/* A JSON string literal that is also inert inside an HTML <script> data
 * block: besides JSON's own escapes, < > & become \u003c \u003e \u0026, so no
 * "</script>" or "<!--" can appear in it; bytes >= 0x80 become \u00XX (the
 * text is not trusted to be UTF-8). */
void markup_json_string(report_sink *out, const char *text);

#endif
