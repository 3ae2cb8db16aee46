/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "analysis.h"

#include <string.h>

struct analysis {
    int64_t stall_threshold_ns;
    bool keep_lists;
    GArray *turns, *stalls, *recoveries;

    /* the current turn, also kept without lists */
    bool in_turn;
    analysis_turn turn;
    /* the last payload-carrying segment of the current turn's sender */
    int64_t last_payload_ns;
    uint32_t last_payload_frame;

    bool have_worst_turnaround;
    int64_t worst_turnaround_ns;
    bool have_longest_stall;
    analysis_stall longest_stall;
    bool ended_stall;             /* the last analysis_add ended a stall: last_stall */
    analysis_stall last_stall;

    tcp_handshake handshake;
    uint64_t highest_end[2]; /* per sender, to see a new segment leave a hole */
    bool has_end[2];
    analysis_dir dirs[2];
};

analysis *analysis_new(int64_t stall_threshold_ns, bool keep_lists)
{
    analysis *a = g_new0(analysis, 1);
    a->stall_threshold_ns = stall_threshold_ns;
    a->keep_lists = keep_lists;
    if (keep_lists) {
        a->turns = g_array_new(FALSE, TRUE, sizeof(analysis_turn));
        a->stalls = g_array_new(FALSE, TRUE, sizeof(analysis_stall));
        a->recoveries = g_array_new(FALSE, TRUE, sizeof(analysis_recovery));
    }
    return a;
}

void analysis_free(analysis *a)
{
    if (!a)
        return;
    if (a->keep_lists) {
        g_array_free(a->turns, TRUE);
        g_array_free(a->stalls, TRUE);
        g_array_free(a->recoveries, TRUE);
    }
    g_free(a);
}

const char *analysis_stall_end_name(analysis_stall_end e)
{
    switch (e) {
    case ANALYSIS_STALL_ENDED_BY_RETRANSMISSION: return "retransmission";
    case ANALYSIS_STALL_ENDED_BY_GAP: return "gap";
    default: return "data";
    }
}



static void close_turn(analysis *a)
{
    if (!a->in_turn)
        return;
    if (a->keep_lists)
        g_array_append_val(a->turns, a->turn);
}

static void open_turn(analysis *a, const engine_segment *seg)
{
    bool had_turn = a->in_turn;
    int64_t prev_last = a->turn.last_ns;
    close_turn(a);
    memset(&a->turn, 0, sizeof a->turn);
    a->in_turn = true;
    a->turn.sender = seg->sender;
    a->turn.first_ns = seg->time_ns;
    a->turn.first_frame = seg->frame;
    a->turn.seq_lo = UINT64_MAX;
    if (had_turn) {
        a->turn.has_turnaround = true;
        a->turn.turnaround_ns = seg->time_ns - prev_last;
        if (!a->have_worst_turnaround || a->turn.turnaround_ns > a->worst_turnaround_ns) {
            a->have_worst_turnaround = true;
            a->worst_turnaround_ns = a->turn.turnaround_ns;
        }
    }
}

static void note_stall(analysis *a, const engine_segment *seg, bool leaves_hole)
{
    int64_t pause = seg->time_ns - a->last_payload_ns;
    if (pause <= a->stall_threshold_ns)
        return;
    analysis_stall st = {
        .sender = seg->sender,
        .before_frame = a->last_payload_frame,
        .after_frame = seg->frame,
        .start_ns = a->last_payload_ns,
        .end_ns = seg->time_ns,
        .ended_by = engine_class_is_resend(seg->klass) || seg->klass == ENGINE_CLASS_OUT_OF_ORDER
                        ? ANALYSIS_STALL_ENDED_BY_RETRANSMISSION
                        : leaves_hole ? ANALYSIS_STALL_ENDED_BY_GAP : ANALYSIS_STALL_ENDED_BY_DATA,
    };
    if (a->keep_lists)
        g_array_append_val(a->stalls, st);
    a->ended_stall = true;
    a->last_stall = st;
    if (!a->have_longest_stall ||
        st.end_ns - st.start_ns > a->longest_stall.end_ns - a->longest_stall.start_ns) {
        a->have_longest_stall = true;
        a->longest_stall = st;
    }
}

static void note_recovery(analysis *a, const engine_stream *e, const engine_segment *seg)
{
    if (!a->keep_lists || seg->klass != ENGINE_CLASS_OUT_OF_ORDER || seg->hole_opener == ENGINE_NO_SEGMENT)
        return;
    const engine_segment *opener = engine_segment_at(e, seg->hole_opener);
    if (!opener)
        return;
    analysis_recovery r = {seg->sender, engine_segment_data_seq(seg), seg->new_bytes, opener->frame, seg->frame,
                           seg->time_ns - opener->time_ns};
    g_array_append_val(a->recoveries, r);
}

void analysis_add(analysis *a, const engine_stream *e, const engine_segment *seg)
{
    a->ended_stall = false;
    handshake_add(&a->handshake, seg);
    if (!engine_segment_carries_data(seg))
        return;
    unsigned s = seg->sender;
    analysis_dir *d = &a->dirs[s];
    uint64_t start = engine_segment_data_seq(seg), end = start + seg->len;
    bool leaves_hole = a->has_end[s] && start > a->highest_end[s];

    d->data_segments++;
    d->retransmitted_bytes += seg->caplen - seg->new_bytes;
    if (seg->new_bytes) {
        if (!d->has_data)
            d->first_data_ns = seg->time_ns;
        d->has_data = true;
        d->last_data_ns = seg->time_ns;
    }
    note_recovery(a, e, seg);

    if (seg->new_bytes && (!a->in_turn || a->turn.sender != s))
        open_turn(a, seg);
    else if (a->in_turn && a->turn.sender == s)
        note_stall(a, seg, leaves_hole);

    if (a->in_turn && a->turn.sender == s) {
        a->turn.segments++;
        a->turn.retransmissions += engine_class_is_resend(seg->klass);
        if (seg->new_bytes) {
            a->turn.bytes += seg->new_bytes;
            a->turn.last_ns = seg->time_ns;
            a->turn.last_frame = seg->frame;
            if (start < a->turn.seq_lo)
                a->turn.seq_lo = start;
            if (end > a->turn.seq_hi)
                a->turn.seq_hi = end;
        }
        a->last_payload_ns = seg->time_ns;
        a->last_payload_frame = seg->frame;
    }
    if (!a->has_end[s] || end > a->highest_end[s])
        a->highest_end[s] = end;
    a->has_end[s] = true;
}

typedef struct {
    GArray *turns;
    unsigned sender;
} gap_counter;

static void count_gap_in_turns(void *ctx, const engine_gap *gap)
{
    gap_counter *gc = ctx;
    for (guint i = 0; i < gc->turns->len; i++) {
        analysis_turn *t = &g_array_index(gc->turns, analysis_turn, i);
        if (t->sender == gc->sender && gap->seq < t->seq_hi && gap->seq + gap->len > t->seq_lo)
            t->gaps++;
    }
}

void analysis_finish(analysis *a, const engine_stream *e)
{
    if (!a->keep_lists)
        return;
    close_turn(a);
    a->in_turn = false;
    for (unsigned s = 0; s < 2; s++) {
        gap_counter gc = {a->turns, s};
        const engine_walk_cb cb = {NULL, count_gap_in_turns};
        engine_walk(e, s, &cb, &gc);
    }
}

GArray *analysis_turns(const analysis *a) { return a->turns; }
GArray *analysis_stalls(const analysis *a) { return a->stalls; }
GArray *analysis_recoveries(const analysis *a) { return a->recoveries; }
const tcp_handshake *analysis_get_handshake(const analysis *a) { return &a->handshake; }
const analysis_dir *analysis_get_dir(const analysis *a, unsigned sender) { return &a->dirs[sender]; }

bool analysis_worst_turnaround(const analysis *a, int64_t *ns)
{
    *ns = a->worst_turnaround_ns;
    return a->have_worst_turnaround;
}

const analysis_stall *analysis_stall_ended(const analysis *a)
{
    return a->ended_stall ? &a->last_stall : NULL;
}

bool analysis_longest_stall(const analysis *a, analysis_stall *out)
{
    *out = a->longest_stall;
    return a->have_longest_stall;
}
