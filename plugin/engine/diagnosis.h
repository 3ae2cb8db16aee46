/* diagnosis.h — why a stream was slow and where its bytes were lost.
 *
 * Fed online, one segment at a time right after engine_add_segment made its
 * record (so it also works when the engine keeps no records), together with
 * what only the wire shows: the segment's SACK blocks. It follows each
 * direction's flight (highest nxtseq, the peer's cumulative ACK and window),
 * takes RTT samples by Karn's rule, groups every re-send and hole fill into
 * loss episodes with a cause and a place (before or after the capture
 * point), tracks zero-window periods, and splits each direction's active
 * time exactly into where it went. docs/report.md ("Diagnosis") is the
 * definition of every figure. Pure C + GLib.
 *
 * Memory: per direction, the unacknowledged data segments (for RTT samples
 * and to find a re-send's original), the open holes and the episodes; with
 * segments kept, a diag_segment per engine record.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_DIAGNOSIS_H
#define TCPFOLLOWTS_DIAGNOSIS_H

#include "engine.h"

#include <glib.h>

typedef enum {
    DIAG_CAUSE_NONE,
    DIAG_CAUSE_FAST_RETRANSMIT,
    DIAG_CAUSE_TIMEOUT,
    DIAG_CAUSE_REORDERING,
    DIAG_CAUSE_SPURIOUS,
    DIAG_CAUSE_UNREPAIRED,
    DIAG_CAUSE_COUNT
} diag_cause;

typedef enum {
    DIAG_LOST_NONE,           /* reordering, spurious, or bytes the capture missed but the peer got */
    DIAG_LOST_AFTER_CAPTURE,  /* the original was captured: lost downstream */
    DIAG_LOST_BEFORE_CAPTURE, /* never captured before its repair: lost upstream */
} diag_lost;

/* Where a direction's active time went: the first that applies, in this order. */
typedef enum {
    DIAG_TIME_ZERO_WINDOW,
    DIAG_TIME_TIMEOUT,
    DIAG_TIME_LOSS_RECOVERY,
    DIAG_TIME_WINDOW_LIMITED,
    DIAG_TIME_SENDER_IDLE,
    DIAG_TIME_TRANSFER,
    DIAG_TIME_COUNT
} diag_time_bucket;

typedef struct {
    int64_t ns[DIAG_TIME_COUNT];
} diag_time;

#define DIAG_NO_EPISODE (-1)

enum {
    DIAG_SEG_HAS_PEER_WIN = 1,   /* peer_win is known */
    DIAG_SEG_SYN_RESENT = 2,     /* a SYN or SYN-ACK sent again */
};

/* Per engine record (same index), when segments are kept. */
typedef struct {
    uint32_t in_flight;
    uint32_t peer_win;
    uint32_t rtt_ack;  /* RTT sample: the index of the ACK that first covered this
                          segment (ENGINE_NO_SEGMENT: no sample) */
    int32_t episode;   /* DIAG_NO_EPISODE or an index into diagnosis_episodes() */
    uint8_t flags;     /* DIAG_SEG_* */
} diag_segment;

typedef struct {
    unsigned sender;
    uint64_t seq, end;         /* unwrapped byte range [seq, end) */
    diag_cause cause;
    diag_lost lost;
    bool acked;                /* unrepaired only: the peer acknowledged the bytes anyway */
    uint32_t first_frame;      /* the original's frame, or the frame that showed the hole */
    int64_t first_ns;
    uint32_t repair_frame;     /* 0 when unrepaired */
    int64_t repair_ns;
    int64_t last_repair_ns;    /* its latest repair */
    uint32_t dupacks;          /* duplicate ACKs before the first repair */
    uint32_t timeouts;         /* re-sends after silence, the first repair included */
    uint32_t repairs;          /* segments that repaired it */
} diag_episode;

typedef struct {
    unsigned sender;           /* the blocked direction's sender */
    uint32_t first_frame, last_frame;
    int64_t start_ns, end_ns;
    uint32_t probes;
} diag_zero_window;

typedef struct {
    uint32_t since_frame;
    int64_t since_ns, until_ns;
    uint32_t timeouts;
} diag_unresponsive;

/* Per sender. */
typedef struct {
    int64_t active_ns;
    diag_time time;
    uint32_t max_in_flight;
    uint64_t repairs[DIAG_CAUSE_COUNT];   /* episodes by cause */
    uint64_t zero_window_periods;
    int64_t zero_window_ns;
    GArray *rtt_ns;                       /* int64_t samples, sorted by diagnosis_finish */
    bool unresponsive;
    diag_unresponsive unresponsive_info;
} diag_dir;

/* Per turn, in the order of analysis.h's turns (the same rule cuts them). */
typedef struct {
    unsigned sender;
    int64_t active_ns;
    diag_time time;
} diag_turn;

typedef enum {
    DIAG_CAPTURE_UNKNOWN, DIAG_CAPTURE_NEAR_CLIENT, DIAG_CAPTURE_NEAR_SERVER, DIAG_CAPTURE_IN_PATH
} diag_capture_point;

/* The SACK blocks of a segment, raw 32-bit edges in the acknowledged direction's space. */
#define DIAG_MAX_SACK 4
typedef struct {
    unsigned count;
    uint32_t left[DIAG_MAX_SACK], right[DIAG_MAX_SACK];
} diag_sack;

typedef struct diagnosis diagnosis;

/* keep_segments: a diag_segment per segment fed, in order (index i is the i-th
 * segment: the engine's record i when the engine keeps records). */
diagnosis *diagnosis_new(bool keep_segments);
void diagnosis_free(diagnosis *d);

/* rec: what engine_add_segment just returned for this segment; sack may be NULL. */
void diagnosis_add(diagnosis *d, const engine_stream *e, const engine_segment *rec, const diag_sack *sack);

/* Close what is open at the end of the stream, add the unrepaired episodes of
 * the final gaps. Needs engine_finish. */
void diagnosis_finish(diagnosis *d, const engine_stream *e);

const diag_segment *diagnosis_segment(const diagnosis *d, size_t index); /* NULL without segments */
GArray *diagnosis_episodes(const diagnosis *d);     /* diag_episode, in order of first repair */
GArray *diagnosis_zero_windows(const diagnosis *d); /* diag_zero_window, in time order */
GArray *diagnosis_turns(const diagnosis *d);        /* diag_turn */
const diag_dir *diagnosis_dir(const diagnosis *d, unsigned sender);
diag_capture_point diagnosis_capture_point(const diagnosis *d);
/* The path RTT the causes were judged with (handshake, else RTT samples), false if unknown. */
bool diagnosis_path_rtt(const diagnosis *d, int64_t *ns);

const char *diag_cause_name(diag_cause c);
const char *diag_lost_name(diag_lost l);
const char *diag_time_bucket_name(diag_time_bucket b);
const char *diag_capture_point_name(diag_capture_point p);

#endif
