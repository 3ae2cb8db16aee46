/* follow_tap.h — feed one selected TCP stream from Wireshark's taps into an engine.
 *
 * A follower owns the engine of its stream and the tap listeners that feed it.
 * Per segment it copies what the engine needs (the tap's data lives only during
 * the callback). It selects the stream by tcp.stream inside the callback: a
 * display filter on the tap would force a protocol tree for every packet.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_FOLLOW_TAP_H
#define TCPFOLLOWTS_FOLLOW_TAP_H

#include "report.h"
#include "zargs.h"

typedef struct follower follower;

/* Called at draw time with the finished stream, or rs == NULL when nothing matched. */
typedef void (*follower_draw_fn)(follower *f, const report_stream *rs, void *user);

/* Register the taps for req; on failure returns NULL and sets *error (g_malloc'd). */
follower *follower_start(const zargs_request *req, follower_draw_fn draw, void *user, char **error);
/* Remove the taps and free everything. */
void follower_stop(follower *f);

/* Draw only when asked with follower_draw, never when Wireshark draws its
 * listeners: the GUI also draws from a timer in the middle of a retap, and a
 * drawn stream takes no more segments. */
void follower_draw_on_demand(follower *f);
/* Finish the stream read so far and call the draw callback. */
void follower_draw(follower *f);

const zargs_request *follower_request(const follower *f);
/* Number of tcp.stream indexes seen (highest + 1), for "no such stream" messages. */
uint32_t follower_streams_seen(const follower *f);
/* Frames whose payload could not be read because the fast tap's layout check
 * failed (their bytes are reported as missing, never invented). */
uint64_t follower_layout_failures(const follower *f);

#endif
