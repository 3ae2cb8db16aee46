/* assets.h — the files of plugin/report/html/, embedded at build time.
 *
 * The page's script and style are real files in the tree; CMake
 * (cmake/embed_assets.cmake) turns them into byte arrays of a generated C
 * source. The bytes are exactly the files' (no terminating NUL), which is
 * what the page's Content-Security-Policy hashes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_ASSETS_H
#define TCPFOLLOWTS_ASSETS_H

#include <stddef.h>

typedef struct {
    const unsigned char *bytes;
    size_t len;
} report_asset;

extern const report_asset report_asset_graph_css;  /* html/graph.css: the graph, fmt=svg and html */
extern const report_asset report_asset_report_css; /* html/report.css: the rest of the page */
extern const report_asset report_asset_report_js;  /* html/report.js: zoom, tooltips, the table */

#endif
