/* all_tap.h — every TCP stream of a capture in one pass, summaries only.
 *
 * Each stream gets a lean engine without records (coverage instead of
 * payload, unacknowledged bytes only) and an analysis without lists, so memory
 * follows the number of streams and their holes, not the capture's size.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_ALL_TAP_H
#define TCPFOLLOWTS_ALL_TAP_H

#include "report.h"
#include "zargs.h"

typedef struct all_streams all_streams;

/* Called at draw time with a row per stream, in tcp.stream order. */
typedef void (*all_streams_draw_fn)(all_streams *all, const report_stream_summary *rows, size_t n, void *user);

all_streams *all_streams_start(const zargs_request *req, all_streams_draw_fn draw, void *user, char **error);
void all_streams_stop(all_streams *all);

/* As follower_draw_on_demand / follower_draw (follow_tap.h): the GUI draws
 * listeners from a timer in the middle of a retap. */
void all_streams_draw_on_demand(all_streams *all);
void all_streams_draw(all_streams *all);
const zargs_request *all_streams_request(const all_streams *all);

#endif
