/* marks.h — what the packet list shows for each TCP segment of a stream.
 *
 * The state behind the post-dissector's fields: fed one segment at a time in
 * capture order, with a lean engine without records and an analysis without
 * lists (as the all-streams summary), so the payload held follows the
 * unacknowledged data and the holes, not the capture; the diagnosis keeps a
 * small record per segment (diagnosis.h). Per segment it says at once what
 * became of its bytes, which frame's copy of resent bytes was kept, which
 * pause it ended and what was in flight after it. What depends on the rest of
 * the capture (bytes never captured, RTT samples, the cause of a loss
 * episode, zero-window periods, an unresponsive peer) is known once the
 * stream is settled: marks_settle, which may be called again after more
 * segments (a live capture, a packet clicked mid-read; the diagnosis' end of
 * stream facts then stay those of the first settle).
 * It also keeps the frames worth a look, for "previous / next problem".
 * Pure C + GLib.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_MARKS_H
#define TCPFOLLOWTS_MARKS_H

#include "diagnosis.h"
#include "engine.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* What one segment's packet shows, known when it arrives. */
typedef struct {             /* (kept per frame: ordered to pack into 32 bytes) */
    int64_t stall_ns;        /* with has_stall: the pause it ended */
    uint32_t new_bytes;
    uint32_t conflict_bytes;
    uint32_t kept_frame;     /* bytes it resent: the frame whose copy of the first of them was
                                kept (0: none resent, or no longer known: bytes the peer had
                                acknowledged are forgotten) */
    uint32_t in_flight;      /* its sender's bytes in flight after it (diagnosis.h) */
    uint32_t index;          /* its place in the stream: what marks_settled_at takes */
    uint8_t klass;           /* engine_class */
    bool has_stall;          /* the segment ended a pause longer than the threshold */
} marks_segment;

/* What a segment's packet shows once the stream is settled. */
typedef struct {
    bool has_rtt;
    int64_t rtt_ns;               /* the RTT sample of its bytes (Karn's rule) */
    const diag_episode *episode;  /* the loss episode it repaired, or NULL */
} marks_settled;

typedef struct marks_stream marks_stream;

/* Pauses longer than stall_ns inside a turn are stalls (as stall= of a report).
 * Without the diagnosis (a few KiB less per stream) in_flight is 0 and the
 * diagnosis' settled facts are absent. */
marks_stream *marks_stream_new(int64_t stall_ns, bool with_diagnosis);
void marks_stream_free(marks_stream *m);

/* Feed the next segment of the stream (in capture order) with its SACK blocks
 * (may be NULL) and say what it shows. */
void marks_add(marks_stream *m, const engine_segment_in *in, const diag_sack *sack, marks_segment *out);

/* Settle the stream as fed so far, if anything arrived since the last time:
 * the queries below describe that state. */
void marks_settle(marks_stream *m);

/* Bytes never captured right before the data of the segment in frame (the gaps
 * whose next kept byte it carries), 0 if none. Needs marks_settle. */
uint64_t marks_gap_before(const marks_stream *m, uint32_t frame);
/* Bytes never captured at the end of a direction whose last kept byte frame
 * carries (a lost tail: no later segment shows it), 0 if none. */
uint64_t marks_gap_after(const marks_stream *m, uint32_t frame);

/* The settled facts of the segment at index (marks_segment.index). */
void marks_settled_at(const marks_stream *m, uint32_t index, marks_settled *out);

/* The zero-window period whose first advertisement is in frame, or NULL. */
const diag_zero_window *marks_zero_window(const marks_stream *m, uint32_t frame);

/* Whether the peer of `sender` stopped acknowledging from frame on
 * (diag_dir.unresponsive) and the sender only timed out since. */
const diag_unresponsive *marks_unresponsive(const marks_stream *m, uint32_t frame, unsigned *sender);

/* The nearest frame worth a look (a conflict, a stall, a timeout repair,
 * bytes never captured next to it) strictly before (forward false) or after
 * frame, 0 if none. Gaps and timeouts count once settled. */
uint32_t marks_next_problem(const marks_stream *m, uint32_t frame, bool forward);

const engine_stream *marks_engine(const marks_stream *m);

/* Memory held, as engine_memory_bytes. */
size_t marks_memory_bytes(const marks_stream *m);

#endif
