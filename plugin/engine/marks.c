/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "marks.h"

#include "analysis.h"

struct marks_stream {
    engine_stream *engine;
    analysis *analysis;
    diagnosis *diag;       /* with a diag_segment per segment, by marks_segment.index; NULL
                              without the diagnosis */
    GArray *times;         /* int64_t time of each segment, by index: RTT samples */
    bool dirty;            /* segments arrived since the last settle */
    bool diag_finished;    /* the diagnosis' end of stream: the first settle */
    GArray *problems;      /* uint32_t frames, ascending: conflicts and stalls, as they come
                              (NULL until the first) */
    GArray *gap_problems;  /* uint32_t frames next to gaps and timeout repairs, ascending,
                              from the last settle (NULL before) */
    GHashTable *gap_before, *gap_after; /* frame -> uint64_t bytes, from the last settle */
};

marks_stream *marks_stream_new(int64_t stall_ns, bool with_diagnosis)
{
    marks_stream *m = g_new0(marks_stream, 1);
    m->engine = engine_new_lean(ENGINE_OVERLAP_FIRST, false);
    m->analysis = analysis_new(stall_ns, false);
    if (with_diagnosis) {
        m->diag = diagnosis_new(true);
        m->times = g_array_new(FALSE, FALSE, sizeof(int64_t));
    }
    /* the problem lists and the gap tables come when needed: thousands of
     * streams have no problem and are never settled */
    return m;
}

void marks_stream_free(marks_stream *m)
{
    if (!m)
        return;
    engine_free(m->engine);
    analysis_free(m->analysis);
    if (m->diag) {
        diagnosis_free(m->diag);
        g_array_free(m->times, TRUE);
    }
    if (m->problems)
        g_array_free(m->problems, TRUE);
    if (m->gap_before) {
        g_array_free(m->gap_problems, TRUE);
        g_hash_table_destroy(m->gap_before);
        g_hash_table_destroy(m->gap_after);
    }
    g_free(m);
}


/* The frame whose copy of the first resent byte was kept (0: not known). */
static uint32_t kept_frame(const engine_stream *e, const engine_segment *rec)
{
    uint64_t first = engine_segment_data_seq(rec);
    /* without records the engine names segments by frame */
    return engine_segment_frame(e, engine_resent_copy(e, rec->sender, first, first + rec->caplen, rec->frame));
}

static void append_problem(marks_stream *m, uint32_t frame)
{
    if (!m->problems)
        m->problems = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GArray *frames = m->problems;
    if (!frames->len || g_array_index(frames, uint32_t, frames->len - 1) != frame)
        g_array_append_val(frames, frame);
}

void marks_add(marks_stream *m, const engine_segment_in *in, const diag_sack *sack, marks_segment *out)
{
    const engine_segment *rec = engine_add_segment(m->engine, in);
    analysis_add(m->analysis, m->engine, rec);
    uint32_t index = m->diag ? m->times->len : 0;
    if (m->diag) {
        diagnosis_add(m->diag, m->engine, rec, sack);
        g_array_append_val(m->times, rec->time_ns);
    }
    m->dirty = true;
    const analysis_stall *stall = analysis_stall_ended(m->analysis);
    *out = (marks_segment){
        .klass = rec->klass,
        .new_bytes = rec->new_bytes,
        .conflict_bytes = rec->conflict_bytes,
        .kept_frame = engine_class_is_resend((engine_class)rec->klass) && rec->caplen ? kept_frame(m->engine, rec) : 0,
        .has_stall = stall != NULL,
        .stall_ns = stall ? stall->end_ns - stall->start_ns : 0,
        .in_flight = m->diag ? diagnosis_segment(m->diag, index)->in_flight : 0,
        .index = index,
    };
    if (rec->klass == ENGINE_CLASS_CONFLICT || stall)
        append_problem(m, rec->frame);
}

static void add_bytes(GHashTable *by_frame, uint32_t frame, uint64_t bytes)
{
    uint64_t *total = g_hash_table_lookup(by_frame, GUINT_TO_POINTER(frame));
    if (!total) {
        total = g_new0(uint64_t, 1);
        g_hash_table_insert(by_frame, GUINT_TO_POINTER(frame), total);
    }
    *total += bytes;
}

static void on_gap(void *ctx, const engine_gap *gap)
{
    marks_stream *m = ctx;
    uint32_t after = engine_segment_frame(m->engine, gap->after_segment);
    uint32_t before = engine_segment_frame(m->engine, gap->before_segment);
    if (before)
        add_bytes(m->gap_before, before, gap->len);
    else if (after)
        add_bytes(m->gap_after, after, gap->len);
    uint32_t frame = before ? before : after;
    if (frame)
        g_array_append_val(m->gap_problems, frame);
}

static gint compare_frames(gconstpointer a, gconstpointer b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void marks_settle(marks_stream *m)
{
    if (!m->dirty)
        return;
    m->dirty = false;
    engine_finish(m->engine);
    if (!m->gap_before) {
        m->gap_before = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
        m->gap_after = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
        m->gap_problems = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    }
    g_hash_table_remove_all(m->gap_before);
    g_hash_table_remove_all(m->gap_after);
    g_array_set_size(m->gap_problems, 0);
    const engine_walk_cb cb = {NULL, on_gap};
    for (unsigned sender = 0; sender < 2; sender++)
        engine_walk(m->engine, sender, &cb, m);
    if (m->diag && !m->diag_finished) {
        diagnosis_finish(m->diag, m->engine);
        m->diag_finished = true;
    }
    GArray *episodes = m->diag ? diagnosis_episodes(m->diag) : NULL;
    for (guint i = 0; episodes && i < episodes->len; i++) {
        const diag_episode *ep = &g_array_index(episodes, diag_episode, i);
        if (ep->cause == DIAG_CAUSE_TIMEOUT && ep->repair_frame)
            g_array_append_val(m->gap_problems, ep->repair_frame);
    }
    g_array_sort(m->gap_problems, compare_frames);
}

void marks_settled_at(const marks_stream *m, uint32_t index, marks_settled *out)
{
    *out = (marks_settled){false, 0, NULL};
    const diag_segment *ds = m->diag ? diagnosis_segment(m->diag, index) : NULL;
    if (!ds)
        return;
    if (ds->rtt_ack != ENGINE_NO_SEGMENT) {
        out->has_rtt = true;
        out->rtt_ns = g_array_index(m->times, int64_t, ds->rtt_ack) - g_array_index(m->times, int64_t, index);
    }
    if (ds->episode != DIAG_NO_EPISODE)
        out->episode = &g_array_index(diagnosis_episodes(m->diag), diag_episode, ds->episode);
}

const diag_zero_window *marks_zero_window(const marks_stream *m, uint32_t frame)
{
    GArray *periods = m->diag ? diagnosis_zero_windows(m->diag) : NULL;
    for (guint i = 0; periods && i < periods->len; i++)
        if (g_array_index(periods, diag_zero_window, i).first_frame == frame)
            return &g_array_index(periods, diag_zero_window, i);
    return NULL;
}

const diag_unresponsive *marks_unresponsive(const marks_stream *m, uint32_t frame, unsigned *sender)
{
    for (unsigned s = 0; m->diag && s < 2; s++) {
        const diag_dir *d = diagnosis_dir(m->diag, s);
        if (d->unresponsive && d->unresponsive_info.since_frame == frame) {
            *sender = s;
            return &d->unresponsive_info;
        }
    }
    return NULL;
}

static uint64_t bytes_of(GHashTable *by_frame, uint32_t frame)
{
    const uint64_t *total = by_frame ? g_hash_table_lookup(by_frame, GUINT_TO_POINTER(frame)) : NULL;
    return total ? *total : 0;
}

uint64_t marks_gap_before(const marks_stream *m, uint32_t frame) { return bytes_of(m->gap_before, frame); }
uint64_t marks_gap_after(const marks_stream *m, uint32_t frame) { return bytes_of(m->gap_after, frame); }

/* In ascending frames (NULL: none): the last one < frame, or the first one > frame; 0 if none. */
static uint32_t nearest(const GArray *frames, uint32_t frame, bool forward)
{
    if (!frames)
        return 0;
    guint lo = 0, hi = frames->len; /* first index whose frame is >= frame (forward: > frame) */
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        uint32_t f = g_array_index(frames, uint32_t, mid);
        if (forward ? f <= frame : f < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (forward)
        return lo < frames->len ? g_array_index(frames, uint32_t, lo) : 0;
    return lo ? g_array_index(frames, uint32_t, lo - 1) : 0;
}

uint32_t marks_next_problem(const marks_stream *m, uint32_t frame, bool forward)
{
    uint32_t a = nearest(m->problems, frame, forward), b = nearest(m->gap_problems, frame, forward);
    if (!a || !b)
        return a ? a : b;
    return forward == (a < b) ? a : b;
}

const engine_stream *marks_engine(const marks_stream *m)
{
    return m->engine;
}

size_t marks_memory_bytes(const marks_stream *m)
{
    return engine_memory_bytes(m->engine) + (m->times ? m->times->len : 0) * (sizeof(int64_t) + sizeof(diag_segment)) +
           ((m->problems ? m->problems->len : 0) + (m->gap_problems ? m->gap_problems->len : 0)) * sizeof(uint32_t);
}
