/* analysis.h — where the time went and what was lost, from classified segments.
 *
 * Fed one engine_segment at a time in capture order (so it also works when the
 * engine keeps no records), it cuts the conversation into turns (runs of new
 * data in one direction), measures turnarounds and stalls, and the handshake.
 * With lists on it keeps every turn, stall and recovered hole; with lists off
 * only the extremes (the all-streams summary). Pure C + GLib.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_ANALYSIS_H
#define TCPFOLLOWTS_ANALYSIS_H

#include "engine.h"
#include "handshake.h"

#include <glib.h>

#define ANALYSIS_DEFAULT_STALL_NS INT64_C(200000000) /* 0.2 s: the minimum RTO of most stacks */

typedef struct {
    unsigned sender;
    int64_t first_ns, last_ns;    /* first and last new byte */
    uint32_t first_frame, last_frame;
    uint64_t seq_lo, seq_hi;      /* unwrapped range of the new bytes */
    uint64_t bytes, segments;     /* new bytes; segments that carried payload */
    uint64_t retransmissions;     /* retransmission, overlap or conflict segments */
    uint64_t gaps;                /* final gaps inside [seq_lo, seq_hi), set by analysis_finish */
    bool has_turnaround;
    int64_t turnaround_ns;        /* first_ns - the previous turn's last_ns */
} analysis_turn;

typedef enum {
    ANALYSIS_STALL_ENDED_BY_DATA,           /* the next new bytes simply came late */
    ANALYSIS_STALL_ENDED_BY_RETRANSMISSION, /* a retransmission (or a late hole fill) ended it */
    ANALYSIS_STALL_ENDED_BY_GAP,            /* the next bytes left a hole behind them */
} analysis_stall_end;

typedef struct {
    unsigned sender;
    uint32_t before_frame, after_frame;
    int64_t start_ns, end_ns;
    analysis_stall_end ended_by;
} analysis_stall;

/* A hole that existed and was filled later by an out-of-order segment. */
typedef struct {
    unsigned sender;
    uint64_t seq;
    uint32_t len;                 /* bytes the filling segment added */
    uint32_t opened_frame;        /* the frame whose arrival showed the hole */
    uint32_t filled_frame;
    int64_t delay_ns;             /* filled - opened */
} analysis_recovery;


typedef struct {
    uint64_t data_segments;
    uint64_t retransmitted_bytes; /* payload bytes that were already held */
    int64_t first_data_ns, last_data_ns;
    bool has_data;
} analysis_dir;

typedef struct analysis analysis;

analysis *analysis_new(int64_t stall_threshold_ns, bool keep_lists);
void analysis_free(analysis *a);

/* seg: the record engine_add_segment just made (index = its position in the
 * stream, used to resolve hole_opener while records are kept). */
void analysis_add(analysis *a, const engine_stream *e, const engine_segment *seg);

/* Count the final gaps inside each turn (needs engine_finish; lists only). */
void analysis_finish(analysis *a, const engine_stream *e);

GArray *analysis_turns(const analysis *a);      /* analysis_turn, NULL without lists */
GArray *analysis_stalls(const analysis *a);     /* analysis_stall, NULL without lists */
GArray *analysis_recoveries(const analysis *a); /* analysis_recovery, NULL without lists */
const tcp_handshake *analysis_get_handshake(const analysis *a);
const analysis_dir *analysis_get_dir(const analysis *a, unsigned sender);

/* The stall that the segment of the last analysis_add ended (its after_frame),
 * or NULL: per-packet marks, kept in both modes. */
const analysis_stall *analysis_stall_ended(const analysis *a);

/* The extremes, kept in both modes. */
bool analysis_worst_turnaround(const analysis *a, int64_t *ns);
bool analysis_longest_stall(const analysis *a, analysis_stall *out);

const char *analysis_stall_end_name(analysis_stall_end e);

#endif
