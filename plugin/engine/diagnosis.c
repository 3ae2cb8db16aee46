/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The diagnosis, online. Three questions are answered per direction as each
 * segment arrives:
 *  - the flight: highest nxtseq, the peer's cumulative ACK (una), window and
 *    duplicate ACKs, and the unacknowledged data segments (RTT samples by
 *    Karn's rule; the original of a re-send);
 *  - loss episodes: every re-send or hole fill is judged when it is seen,
 *    from the evidence before it (duplicate ACKs, SACK, silence, path RTT);
 *  - the time partition: the interval since the previous segment of the
 *    stream is given to a bucket from the state before the new segment. What
 *    only a later segment can settle (whether a silence ended in a timeout
 *    repair, whether the turn's span reaches that far) waits in a pending
 *    partition that is committed or dropped then.
 */
#include "diagnosis.h"

#include "handshake.h"

#include <string.h>

/* A data segment the peer has not acknowledged yet. */
typedef struct {
    uint64_t seq, end;
    int64_t time_ns;
    uint32_t frame;
    uint32_t index;   /* its diag_segment, ENGINE_NO_SEGMENT when they are not kept */
    bool resent;      /* some of its bytes were sent again: no RTT sample (Karn) */
} flight_entry;

/* Bytes the capture has not seen yet, below bytes it has. */
typedef struct {
    uint64_t lo, hi;
    uint32_t frame;   /* whose arrival showed the hole */
    int64_t time_ns;
    int64_t quiet_ns; /* how long the direction sent no data before that */
    bool after_stall; /* that came within a round trip of the turn resuming from a stall */
} hole;

typedef struct {
    int64_t ns[DIAG_TIME_COUNT];
    int64_t timeout_eligible[DIAG_TIME_COUNT]; /* of ns: bytes in flight, window open */
    /* where the time would go without the losses (the bucket after loss_recovery):
     * what a loss that turns out spurious gives back */
    int64_t eligible_fallback[DIAG_TIME_COUNT];  /* timeout_eligible's time */
    int64_t recovery_fallback[DIAG_TIME_COUNT];  /* ns[DIAG_TIME_LOSS_RECOVERY]'s time */
    int recovery_episode;        /* + 1: the episode whose recovery that was (0: none) */
} pending_time;

/* The time an episode took as timeout or loss_recovery, and where it would have
 * gone otherwise: given back when the episode turns out spurious (a D-SACK). */
typedef struct {
    int64_t fallback[DIAG_TIME_COUNT][DIAG_TIME_COUNT]; /* [taken as][would have been] */
    bool has_turn;
    guint turn;
} episode_lending;

typedef struct {
    bool seen;
    uint64_t first_seq, nxt;     /* first seq seen; highest nxtseq */
    bool has_data_end;
    int64_t last_data_ns;        /* its latest payload segment */
    guint last_data_turn;
    int64_t resumed_ns;          /* its turn's data resumed after a stall of a round trip or more */
    uint64_t data_end;           /* highest payload end: a later start above it leaves a hole */
    bool has_una;
    uint64_t una;
    bool has_win;
    uint32_t win;                /* the window this endpoint last advertised */
    uint32_t mss;
    bool has_probe;
    uint64_t probe_seq;          /* the byte of its latest 1-byte zero-window probe */
    int64_t min_rtt_ns;          /* its smallest RTT sample */
    bool has_flight, ever_flight;
    int64_t empty_since_ns;      /* when its flight last became empty */
    uint32_t dupacks;
    int64_t evidence_ns;         /* the peer's latest duplicate ACK or SACK */
    unsigned nsack;
    uint64_t sack_left[DIAG_MAX_SACK], sack_right[DIAG_MAX_SACK];
    GArray *flight;              /* flight_entry, ascending seq, from flight_head */
    guint flight_head;
#define ACKED_MEMORY 16
    flight_entry *acked;         /* a ring of the latest ACKED_MEMORY acknowledged entries,
                                    the originals of needless re-sends: it grows to that
                                    (4, 8, 16) as entries come, so a short stream pays for
                                    its few */
    guint acked_cap, nacked;
    GArray *holes;               /* hole, ascending */
    GArray *open_episodes;       /* guint indexes of episodes not yet acknowledged */
    guint recovering;            /* open fast-retransmit / timeout episodes */
    int last_episode;            /* the latest episode of this sender, or -1 */

    /* zero window of this direction (its peer advertised 0) */
    bool zero_window;
    diag_zero_window zw;

    /* time */
    bool span_open;              /* inside one of its turns' active span */
    bool in_turn;                /* it sends the current turn */
    guint turn;                  /* index of its latest turn in d->turns */
    uint64_t turn_end;           /* end of its latest turn's last data byte */
    pending_time pending;

    /* the unresponsive-peer verdict */
    int64_t una_moved_ns;
    uint32_t peer_last_frame;    /* the peer's latest segment */
    int64_t peer_last_ns;
    uint32_t episode_peer_frame; /* the peer's latest segment before the last episode's first repair */
    int64_t episode_peer_ns;

    diag_dir out;
} dstate;

struct diagnosis {
    bool keep_segments;
    GArray *segments;            /* diag_segment per engine record */
    GArray *episodes, *zero_windows, *turns;
    GArray *lendings;            /* episode_lending, one per episode */
    tcp_handshake handshake;
    dstate dirs[2];
    bool started;
    int64_t prev_ns;             /* the latest segment time of the stream */
    uint32_t prev_frame;
    int turn_sender;             /* -1 before the first turn */
};

static const char *const cause_names[DIAG_CAUSE_COUNT] = {
    "none", "fast-retransmit", "timeout", "reordering", "spurious", "unrepaired",
};
static const char *const time_names[DIAG_TIME_COUNT] = {
    "zero_window", "timeout", "loss_recovery", "window_limited", "sender_idle", "transfer",
};

const char *diag_cause_name(diag_cause c) { return c < DIAG_CAUSE_COUNT ? cause_names[c] : "?"; }
const char *diag_time_bucket_name(diag_time_bucket b) { return b < DIAG_TIME_COUNT ? time_names[b] : "?"; }

const char *diag_lost_name(diag_lost l)
{
    return l == DIAG_LOST_AFTER_CAPTURE ? "after-capture" : l == DIAG_LOST_BEFORE_CAPTURE ? "before-capture" : "none";
}

const char *diag_capture_point_name(diag_capture_point p)
{
    switch (p) {
    case DIAG_CAPTURE_NEAR_CLIENT: return "near-client";
    case DIAG_CAPTURE_NEAR_SERVER: return "near-server";
    case DIAG_CAPTURE_IN_PATH: return "in-path";
    default: return "unknown";
    }
}

diagnosis *diagnosis_new(bool keep_segments)
{
    diagnosis *d = g_new0(diagnosis, 1);
    d->keep_segments = keep_segments;
    if (keep_segments)
        d->segments = g_array_new(FALSE, TRUE, sizeof(diag_segment));
    d->episodes = g_array_new(FALSE, TRUE, sizeof(diag_episode));
    d->zero_windows = g_array_new(FALSE, TRUE, sizeof(diag_zero_window));
    d->turns = g_array_new(FALSE, TRUE, sizeof(diag_turn));
    d->lendings = g_array_new(FALSE, TRUE, sizeof(episode_lending));
    d->turn_sender = -1;
    for (unsigned i = 0; i < 2; i++) {
        dstate *s = &d->dirs[i];
        s->flight = g_array_new(FALSE, FALSE, sizeof(flight_entry));
        s->holes = g_array_new(FALSE, FALSE, sizeof(hole));
        s->open_episodes = g_array_new(FALSE, FALSE, sizeof(guint));
        s->out.rtt_ns = g_array_new(FALSE, FALSE, sizeof(int64_t));
        s->last_episode = -1;
    }
    return d;
}

void diagnosis_free(diagnosis *d)
{
    if (!d)
        return;
    if (d->segments)
        g_array_free(d->segments, TRUE);
    g_array_free(d->episodes, TRUE);
    g_array_free(d->zero_windows, TRUE);
    g_array_free(d->turns, TRUE);
    g_array_free(d->lendings, TRUE);
    for (unsigned i = 0; i < 2; i++) {
        dstate *s = &d->dirs[i];
        g_array_free(s->flight, TRUE);
        g_array_free(s->holes, TRUE);
        g_array_free(s->open_episodes, TRUE);
        g_array_free(s->out.rtt_ns, TRUE);
        g_free(s->acked);
    }
    g_free(d);
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static diag_episode *episode_at(diagnosis *d, int i) { return &g_array_index(d->episodes, diag_episode, i); }

static uint64_t in_flight_of(const dstate *s)
{
    if (!s->seen)
        return 0;
    uint64_t base = s->has_una ? s->una : s->first_seq;
    return s->nxt > base ? s->nxt - base : 0;
}

bool diagnosis_path_rtt(const diagnosis *d, int64_t *ns)
{
    if (handshake_rtt(&d->handshake, ns))
        return true;
    const dstate *a = &d->dirs[0], *b = &d->dirs[1];
    if (!a->out.rtt_ns->len || !b->out.rtt_ns->len)
        return false;
    /* the two halves, capture point -> each end -> capture point, make one round trip */
    *ns = a->min_rtt_ns + b->min_rtt_ns;
    return true;
}

/* ---- time ---------------------------------------------------------------- */

static diag_time_bucket bucket_without_losses(const dstate *s, const dstate *peer)
{
    uint64_t flight = in_flight_of(s);
    /* with nothing in flight the window stops nothing: the application does */
    if (flight > 0 && peer->has_win && flight + s->mss >= peer->win)
        return DIAG_TIME_WINDOW_LIMITED;
    return flight == 0 ? DIAG_TIME_SENDER_IDLE : DIAG_TIME_TRANSFER;
}

static diag_time_bucket bucket_now(const dstate *s, const dstate *peer)
{
    if (s->zero_window) /* inside one of its zero-window periods */
        return DIAG_TIME_ZERO_WINDOW;
    if (s->recovering)
        return DIAG_TIME_LOSS_RECOVERY;
    return bucket_without_losses(s, peer);
}

/* The open fast-retransmit or timeout episode of s opened last, or -1. */
static int recovering_episode(const diagnosis *d, const dstate *s)
{
    int found = -1;
    for (guint i = 0; i < s->open_episodes->len; i++) {
        int index = (int)g_array_index(s->open_episodes, guint, i);
        diag_cause c = g_array_index(d->episodes, diag_episode, index).cause;
        if ((c == DIAG_CAUSE_FAST_RETRANSMIT || c == DIAG_CAUSE_TIMEOUT) && index > found)
            found = index;
    }
    return found;
}

/* How long after its flight empties, as the capture point sees it, the sender
 * may already be sending again unseen: the round trip capture point -> sender
 * -> capture point, i.e. the path RTT minus the direction's own smallest data
 * -> ACK time. Near the sender that is 0; near the receiver a whole RTT, which
 * is the path at work, not an idle sender. */
static int64_t sender_pipe_ns(const diagnosis *d, const dstate *s)
{
    int64_t path;
    if (!s->out.rtt_ns->len || !diagnosis_path_rtt(d, &path))
        return 0;
    return path > s->min_rtt_ns ? path - s->min_rtt_ns : 0;
}

/* The interval [prev, prev + ns) since the previous segment, for each direction inside a span. */
static void account_interval(diagnosis *d, int64_t prev, int64_t ns)
{
    if (ns <= 0)
        return;
    for (unsigned i = 0; i < 2; i++) {
        dstate *s = &d->dirs[i];
        if (!s->span_open)
            continue;
        diag_time_bucket b = bucket_now(s, &d->dirs[!i]);
        if (b == DIAG_TIME_SENDER_IDLE) {
            /* (idle: the flight is empty, and was at the end of the previous segment) */
            int64_t pipe = 0;
            if (s->ever_flight) {
                pipe = s->empty_since_ns + sender_pipe_ns(d, s) - prev;
                pipe = CLAMP(pipe, 0, ns);
            }
            s->pending.ns[DIAG_TIME_TRANSFER] += pipe;
            s->pending.ns[b] += ns - pipe;
            continue;
        }
        diag_time_bucket fallback = b == DIAG_TIME_LOSS_RECOVERY ? bucket_without_losses(s, &d->dirs[!i]) : b;
        s->pending.ns[b] += ns;
        if (b == DIAG_TIME_LOSS_RECOVERY) {
            s->pending.recovery_fallback[fallback] += ns;
            s->pending.recovery_episode = recovering_episode(d, s) + 1;
        }
        if (b != DIAG_TIME_ZERO_WINDOW && in_flight_of(s) > 0) {
            s->pending.timeout_eligible[b] += ns;
            s->pending.eligible_fallback[fallback] += ns;
        }
    }
}

/* Remember that episode took `amount` as `bucket`, `fallback` being where it would go. */
static void lend(diagnosis *d, const dstate *s, int episode, diag_time_bucket bucket, int64_t amount,
                 const int64_t fallback[DIAG_TIME_COUNT])
{
    if (episode < 0 || amount <= 0 || !d->turns->len)
        return;
    episode_lending *l = &g_array_index(d->lendings, episode_lending, episode);
    if (l->has_turn && l->turn != s->turn)
        return; /* given back per turn: a loan spanning turns stays where it is */
    l->has_turn = true;
    l->turn = s->turn;
    for (unsigned b = 0; b < DIAG_TIME_COUNT; b++)
        l->fallback[bucket][b] += fallback[b];
}

/* The pending time belongs to the span: add it to the direction and its turn.
 * Before a timeout repair (of episode timeout_episode, -1 for none), its
 * silence with bytes in flight was the timeout. */
static void commit_pending(diagnosis *d, dstate *s, int timeout_episode)
{
    pending_time *p = &s->pending;
    if (timeout_episode >= 0) {
        int64_t moved = 0;
        for (unsigned b = 0; b < DIAG_TIME_COUNT; b++) {
            p->ns[b] -= p->timeout_eligible[b];
            moved += p->timeout_eligible[b];
        }
        p->ns[DIAG_TIME_TIMEOUT] += moved;
        lend(d, s, timeout_episode, DIAG_TIME_TIMEOUT, moved, p->eligible_fallback);
        /* what stays loss_recovery had no bytes in flight: it would have been idle */
        memset(p->recovery_fallback, 0, sizeof p->recovery_fallback);
        p->recovery_fallback[DIAG_TIME_SENDER_IDLE] = p->ns[DIAG_TIME_LOSS_RECOVERY];
    }
    lend(d, s, p->recovery_episode - 1, DIAG_TIME_LOSS_RECOVERY, p->ns[DIAG_TIME_LOSS_RECOVERY],
         p->recovery_fallback);
    diag_turn *t = d->turns->len ? &g_array_index(d->turns, diag_turn, s->turn) : NULL;
    for (unsigned b = 0; b < DIAG_TIME_COUNT; b++) {
        s->out.time.ns[b] += p->ns[b];
        s->out.active_ns += p->ns[b];
        if (t) {
            t->time.ns[b] += p->ns[b];
            t->active_ns += p->ns[b];
        }
    }
    memset(p, 0, sizeof *p);
}

static void move_time(dstate *s, diag_turn *t, diag_time_bucket from, diag_time_bucket to, int64_t ns)
{
    s->out.time.ns[from] -= ns;
    s->out.time.ns[to] += ns;
    t->time.ns[from] -= ns;
    t->time.ns[to] += ns;
}

/* A loss that was none. Its loss_recovery time goes where it would have gone. Its
 * timeout time stays a timeout (the sender did wait on its timer: an ACK was lost)
 * unless the peer's window was what held the sender then. */
static void give_back(diagnosis *d, dstate *s, int episode)
{
    episode_lending *l = &g_array_index(d->lendings, episode_lending, episode);
    if (!l->has_turn)
        return;
    diag_turn *t = &g_array_index(d->turns, diag_turn, l->turn);
    for (unsigned b = 0; b < DIAG_TIME_COUNT; b++)
        move_time(s, t, DIAG_TIME_LOSS_RECOVERY, b, l->fallback[DIAG_TIME_LOSS_RECOVERY][b]);
    move_time(s, t, DIAG_TIME_TIMEOUT, DIAG_TIME_WINDOW_LIMITED,
              l->fallback[DIAG_TIME_TIMEOUT][DIAG_TIME_WINDOW_LIMITED]);
    memset(l, 0, sizeof *l);
}

static void drop_pending(dstate *s)
{
    memset(&s->pending, 0, sizeof s->pending);
}

/* A new turn of sender i: the other direction's turn closes. */
static void open_turn(diagnosis *d, unsigned i, const engine_segment *rec)
{
    dstate *s = &d->dirs[i], *other = &d->dirs[!i];
    if (other->in_turn) {
        other->in_turn = false;
        /* its span lasts until the ACK of its last byte */
        if (other->span_open && other->has_una && other->una >= other->turn_end) {
            drop_pending(other);
            other->span_open = false;
        }
    }
    /* the previous turn's span, if still waiting for its ACK, ends here */
    if (s->span_open)
        commit_pending(d, s, -1);
    diag_turn t = {.sender = i};
    g_array_append_val(d->turns, t);
    s->turn = d->turns->len - 1;
    s->in_turn = true;
    s->span_open = true;
    d->turn_sender = (int)i;
    (void)rec;
}

/* ---- flight: unacknowledged data, RTT samples ----------------------------- */

static flight_entry *flight_at(const dstate *s, guint i)
{
    return &g_array_index(s->flight, flight_entry, i);
}

/* The first entry (from the head) whose end is above seq. */
static guint flight_find(const dstate *s, uint64_t seq)
{
    guint lo = s->flight_head, hi = s->flight->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (flight_at(s, mid)->end <= seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void flight_add(dstate *s, const engine_segment *rec, uint64_t seq, uint64_t end, uint32_t index, bool resent)
{
    flight_entry e = {seq, end, rec->time_ns, rec->frame, index, resent};
    guint at = s->flight->len;
    if (at > s->flight_head && flight_at(s, at - 1)->end > seq)
        g_array_insert_val(s->flight, flight_find(s, seq), e);
    else
        g_array_append_val(s->flight, e);
}

/* Karn's rule: bytes sent again make their segments' ACK ambiguous. */
static void flight_mark_resent(dstate *s, uint64_t seq, uint64_t end)
{
    for (guint i = flight_find(s, seq); i < s->flight->len && flight_at(s, i)->seq < end; i++)
        flight_at(s, i)->resent = true;
}

/* una moved: entries it covers are done; the ACK gives each one sent once its RTT. */
static void flight_acked(diagnosis *d, dstate *s, const engine_segment *ack, uint32_t ack_index)
{
    while (s->flight_head < s->flight->len && flight_at(s, s->flight_head)->end <= s->una) {
        const flight_entry *e = flight_at(s, s->flight_head++);
        if (s->nacked == s->acked_cap && s->acked_cap < ACKED_MEMORY) {
            s->acked_cap = MIN(MAX(2 * s->acked_cap, 4), ACKED_MEMORY);
            s->acked = g_renew(flight_entry, s->acked, s->acked_cap);
        }
        s->acked[s->nacked++ % ACKED_MEMORY] = *e;
        if (e->resent)
            continue;
        int64_t rtt = ack->time_ns - e->time_ns;
        if (rtt < 0)
            continue;
        if (!s->out.rtt_ns->len || rtt < s->min_rtt_ns)
            s->min_rtt_ns = rtt;
        g_array_append_val(s->out.rtt_ns, rtt);
        if (d->keep_segments && e->index != ENGINE_NO_SEGMENT && ack_index != ENGINE_NO_SEGMENT)
            g_array_index(d->segments, diag_segment, e->index).rtt_ack = ack_index;
    }
    /* compact now and then, so that memory follows the unacknowledged data */
    if (s->flight_head > 1024 && s->flight_head * 2 > s->flight->len) {
        g_array_remove_range(s->flight, 0, s->flight_head);
        s->flight_head = 0;
    }
}

/* ---- holes ----------------------------------------------------------------- */

static void hole_open(dstate *s, const engine_segment *rec, uint64_t lo, uint64_t hi, bool after_stall)
{
    hole h = {lo, hi, rec->frame, rec->time_ns, rec->time_ns - s->last_data_ns, after_stall};
    g_array_append_val(s->holes, h); /* opened at the highest end: always the last */
}

/* Bytes [lo, hi) arrived: cut them out of the holes; the first hole they
 * touched says which frame showed it. */
static bool hole_fill(dstate *s, uint64_t lo, uint64_t hi, hole *shown)
{
    bool found = false;
    for (guint i = 0; i < s->holes->len;) {
        hole *h = &g_array_index(s->holes, hole, i);
        if (h->hi <= lo || h->lo >= hi) {
            i++;
            continue;
        }
        if (!found)
            *shown = *h;
        found = true;
        if (lo > h->lo && hi < h->hi) {
            hole right = *h;
            right.lo = hi;
            h->hi = lo;
            g_array_insert_val(s->holes, i + 1, right);
            return true;
        }
        if (lo > h->lo) {
            h->hi = lo;
            i++;
        } else if (hi < h->hi) {
            h->lo = hi;
            i++;
        } else {
            g_array_remove_index(s->holes, i);
        }
    }
    return found;
}

static void holes_acked(dstate *s)
{
    guint n = 0;
    while (n < s->holes->len && g_array_index(s->holes, hole, n).hi <= s->una)
        n++;
    if (n)
        g_array_remove_range(s->holes, 0, n);
}

/* ---- episodes -------------------------------------------------------------- */

static bool counts_as_recovery(diag_cause c)
{
    return c == DIAG_CAUSE_FAST_RETRANSMIT || c == DIAG_CAUSE_TIMEOUT;
}

static void episode_close_acked(diagnosis *d, dstate *s)
{
    for (guint i = 0; i < s->open_episodes->len;) {
        diag_episode *e = episode_at(d, (int)g_array_index(s->open_episodes, guint, i));
        if (s->una >= e->end) {
            if (counts_as_recovery(e->cause))
                s->recovering--;
            g_array_remove_index_fast(s->open_episodes, i);
        } else {
            i++;
        }
    }
}

static void episode_set_cause(diagnosis *d, dstate *s, int index, diag_cause cause, diag_lost lost)
{
    diag_episode *e = episode_at(d, index);
    bool open = false;
    for (guint i = 0; i < s->open_episodes->len; i++)
        open |= (int)g_array_index(s->open_episodes, guint, i) == index;
    if (open)
        s->recovering += (guint)counts_as_recovery(cause) - (guint)counts_as_recovery(e->cause);
    if (counts_as_recovery(e->cause) && !counts_as_recovery(cause))
        give_back(d, s, index);
    s->out.repairs[e->cause]--;
    s->out.repairs[cause]++;
    e->cause = cause;
    e->lost = lost;
}

static int episode_new(diagnosis *d, dstate *s, unsigned sender, uint64_t seq, uint64_t end, diag_cause cause,
                       diag_lost lost, uint32_t first_frame, int64_t first_ns)
{
    diag_episode e = {.sender = sender, .seq = seq, .end = end, .cause = cause, .lost = lost,
                      .first_frame = first_frame, .first_ns = first_ns, .dupacks = s->dupacks};
    g_array_append_val(d->episodes, e);
    g_array_set_size(d->lendings, d->episodes->len);
    int index = (int)d->episodes->len - 1;
    s->out.repairs[cause]++;
    s->last_episode = index;
    s->episode_peer_frame = s->peer_last_frame;
    s->episode_peer_ns = s->peer_last_ns;
    if (cause != DIAG_CAUSE_UNREPAIRED && (!s->has_una || s->una < end)) {
        guint u = (guint)index;
        g_array_append_val(s->open_episodes, u);
        s->recovering += counts_as_recovery(cause);
    }
    return index;
}

static int open_episode_overlapping(diagnosis *d, const dstate *s, uint64_t seq, uint64_t end)
{
    for (guint i = 0; i < s->open_episodes->len; i++) {
        int index = (int)g_array_index(s->open_episodes, guint, i);
        const diag_episode *e = episode_at(d, index);
        if (e->seq < end && seq < e->end)
            return index;
    }
    return -1;
}

/* The peer asked for the bytes at seq: 3 duplicate ACKs, a SACK block above
 * them, or (early retransmit) one duplicate ACK with little in flight. */
static bool repair_requested(const dstate *s, uint64_t seq)
{
    if (s->dupacks >= 3 || (s->dupacks >= 1 && in_flight_of(s) < 4 * (uint64_t)MAX(s->mss, 1)))
        return true;
    if (s->has_una && s->una > seq)
        return false;
    for (unsigned i = 0; i < s->nsack; i++)
        if (s->sack_left[i] > seq)
            return true;
    return false;
}

/* A re-send or hole fill [seq, end) by sender i; have_rtt and path_rtt as
 * diagnosis_path_rtt gives them. Returns the episode when it repaired after a
 * timeout (its silence then counts as one), else -1. */
static int note_repair(diagnosis *d, unsigned i, const engine_segment *rec, uint32_t index, uint64_t seq,
                       uint64_t end, bool fill, int64_t silence_ns, bool have_rtt, int64_t path_rtt)
{
    dstate *s = &d->dirs[i];
    /* without a known RTT, any re-send nobody asked for is taken as a timeout */
    bool after_silence = !have_rtt || silence_ns >= path_rtt;

    uint32_t first_frame = rec->frame;
    int64_t first_ns = rec->time_ns;
    hole shown;
    bool showed = fill && hole_fill(s, seq, end, &shown);
    diag_cause cause;
    diag_lost lost = DIAG_LOST_NONE;
    int ep;

    if (s->has_una && end <= s->una) {
        /* the peer already had them: a late copy (fill) or a needless re-send */
        cause = fill ? DIAG_CAUSE_REORDERING : DIAG_CAUSE_SPURIOUS;
        for (guint k = 0; !fill && k < MIN(s->nacked, ACKED_MEMORY); k++) {
            const flight_entry *a = &s->acked[(s->nacked - 1 - k) % ACKED_MEMORY];
            if (a->seq <= seq && seq < a->end) {
                first_frame = a->frame;
                first_ns = a->time_ns;
                break;
            }
        }
    } else {
        seq = s->has_una ? max_u64(seq, s->una) : seq;
        ep = open_episode_overlapping(d, s, seq, end);
        if (ep >= 0) {
            diag_episode *e = episode_at(d, ep);
            e->repairs++;
            e->end = max_u64(e->end, end);
            /* sent again after silence, no duplicate ACK or SACK since its last
             * repair asking for it again: the timer (RTO backoff) sent it */
            bool asked_again = s->evidence_ns > e->last_repair_ns && repair_requested(s, seq);
            bool timed_out = after_silence && !asked_again;
            e->last_repair_ns = rec->time_ns;
            e->timeouts += timed_out;
            /* the fast retransmission was lost too: a timeout repaired it */
            if (timed_out && e->cause == DIAG_CAUSE_FAST_RETRANSMIT)
                episode_set_cause(d, s, ep, DIAG_CAUSE_TIMEOUT, e->lost);
            if (d->keep_segments && index != ENGINE_NO_SEGMENT)
                g_array_index(d->segments, diag_segment, index).episode = ep;
            return timed_out ? ep : -1;
        }
        if (fill) {
            if (showed) {
                first_frame = shown.frame;
                first_ns = shown.time_ns;
            }
            /* reordering swaps neighbours sent back to back; a segment that came
             * half a round trip or more after the previous one was clocked out by
             * an ACK (F-RTO's new data after a timeout): the hole's bytes were lost */
            int64_t quiet = showed ? shown.quiet_ns : 0;
            bool stalled = showed && shown.after_stall;
            bool too_soon = have_rtt ? rec->time_ns - first_ns < path_rtt && quiet < path_rtt / 2 && !stalled
                                     : s->dupacks < 3;
            cause = too_soon ? DIAG_CAUSE_REORDERING
                    : repair_requested(s, seq) ? DIAG_CAUSE_FAST_RETRANSMIT : DIAG_CAUSE_TIMEOUT;
            lost = too_soon ? DIAG_LOST_NONE : DIAG_LOST_BEFORE_CAPTURE;
        } else {
            guint at = flight_find(s, seq);
            if (at < s->flight->len && flight_at(s, at)->seq <= seq) {
                first_frame = flight_at(s, at)->frame;
                first_ns = flight_at(s, at)->time_ns;
            }
            /* asked for, or after silence; else too soon for any ACK to ask
             * (a duplicate frame, a premature re-send), else a repair the
             * ACKs stopping short of the bytes asked for (RACK, TLP) */
            bool premature = have_rtt && rec->time_ns - first_ns < path_rtt;
            cause = repair_requested(s, seq) ? DIAG_CAUSE_FAST_RETRANSMIT
                    : after_silence ? DIAG_CAUSE_TIMEOUT
                    : premature     ? DIAG_CAUSE_SPURIOUS
                                    : DIAG_CAUSE_FAST_RETRANSMIT;
            lost = cause == DIAG_CAUSE_SPURIOUS ? DIAG_LOST_NONE : DIAG_LOST_AFTER_CAPTURE;
        }
    }
    bool timed_out = cause == DIAG_CAUSE_TIMEOUT && after_silence;

    /* the next piece of the same repair (recovery of a burst, a go-back-N
     * after a timeout) extends the episode it follows */
    diag_episode *last = s->last_episode >= 0 ? episode_at(d, s->last_episode) : NULL;
    if (last && last->end == seq && last->cause == cause && last->lost == lost &&
        (cause == DIAG_CAUSE_SPURIOUS || cause == DIAG_CAUSE_REORDERING ||
         open_episode_overlapping(d, s, seq - 1, seq) == s->last_episode)) {
        last->end = end;
        last->repairs++;
        last->timeouts += timed_out && last->timeouts == 0;
        ep = s->last_episode;
    } else {
        ep = episode_new(d, s, i, seq, end, cause, lost, first_frame, first_ns);
        diag_episode *e = episode_at(d, ep);
        e->repair_frame = rec->frame;
        e->repair_ns = rec->time_ns;
        e->last_repair_ns = rec->time_ns;
        e->repairs = 1;
        e->timeouts = timed_out;
    }
    if (d->keep_segments && index != ENGINE_NO_SEGMENT)
        g_array_index(d->segments, diag_segment, index).episode = ep;
    return timed_out ? ep : -1;
}

/* A D-SACK: the peer got [lo, hi) twice, so re-sending it was not needed. */
static void note_dsack(diagnosis *d, dstate *s, uint64_t lo, uint64_t hi)
{
    for (int i = (int)d->episodes->len - 1; i >= 0; i--) {
        diag_episode *e = episode_at(d, i);
        if (&d->dirs[e->sender] != s || e->lost != DIAG_LOST_AFTER_CAPTURE)
            continue;
        if (e->seq < hi && lo < e->end) {
            episode_set_cause(d, s, i, DIAG_CAUSE_SPURIOUS, DIAG_LOST_NONE);
            return;
        }
    }
}

/* ---- ACKs ------------------------------------------------------------------ */

static uint64_t unwrap_near(uint64_t ref, uint32_t raw)
{
    return ref + (int64_t)(int32_t)(raw - (uint32_t)ref);
}

static bool is_pure_ack(const engine_segment *rec)
{
    return rec->len == 0 && !(rec->flags & (ENGINE_TCP_SYN | ENGINE_TCP_FIN | ENGINE_TCP_RST));
}

/* rec, from the peer of s, acknowledges s's bytes up to rec->ack. */
static void note_ack(diagnosis *d, unsigned i, const engine_segment *rec, uint32_t index, const diag_sack *sack,
                     uint32_t peer_prev_win, bool peer_had_win)
{
    dstate *s = &d->dirs[i];
    if (!s->has_una || rec->ack > s->una) {
        /* only the ACK that first covers the turn's data ends its span: a later
         * one (of the FIN) must not take the idle time before it along */
        bool covers_turn = (!s->has_una || s->una < s->turn_end) && rec->ack >= s->turn_end;
        s->has_una = true;
        s->una = rec->ack;
        s->dupacks = 0;
        s->una_moved_ns = rec->time_ns;
        flight_acked(d, s, rec, index);
        holes_acked(s);
        episode_close_acked(d, s);
        if (s->span_open && covers_turn) {
            commit_pending(d, s, -1);
            if (!s->in_turn)
                s->span_open = false;
        }
    } else if (rec->ack == s->una && is_pure_ack(rec) && peer_had_win && rec->win == peer_prev_win &&
               in_flight_of(s) > 0) {
        s->dupacks++;
        s->evidence_ns = rec->time_ns;
    }
    if (sack && sack->count)
        s->evidence_ns = rec->time_ns;

    s->nsack = 0;
    for (unsigned k = 0; sack && k < sack->count && k < DIAG_MAX_SACK; k++) {
        uint64_t lo = unwrap_near(rec->ack, sack->left[k]), hi = unwrap_near(rec->ack, sack->right[k]);
        if (hi <= lo)
            continue;
        bool dsack = hi <= rec->ack ||
                     (k == 0 && sack->count > 1 && lo >= unwrap_near(rec->ack, sack->left[1]) &&
                      hi <= unwrap_near(rec->ack, sack->right[1]));
        if (dsack) {
            note_dsack(d, s, lo, hi);
            continue;
        }
        s->sack_left[s->nsack] = lo;
        s->sack_right[s->nsack] = hi;
        s->nsack++;
    }
}

/* ---- windows --------------------------------------------------------------- */

/* rec's sender advertises its window to the other direction, s. A SYN's,
 * FIN's or RST's window 0 blocks nothing (Wireshark's zero_window rule too). */
static void note_window(diagnosis *d, dstate *s, const engine_segment *rec)
{
    if (rec->flags & (ENGINE_TCP_SYN | ENGINE_TCP_FIN | ENGINE_TCP_RST))
        return;
    if (rec->win == 0 && !s->zero_window) {
        s->zero_window = true;
        s->zw = (diag_zero_window){.sender = (unsigned)(s - d->dirs), .first_frame = rec->frame,
                                   .start_ns = rec->time_ns};
    } else if (rec->win != 0 && s->zero_window) {
        s->zero_window = false;
        s->zw.last_frame = rec->frame;
        s->zw.end_ns = rec->time_ns;
        g_array_append_val(d->zero_windows, s->zw);
    }
}

/* ---- the segment ----------------------------------------------------------- */


static void note_data(diagnosis *d, unsigned i, const engine_segment *rec, uint32_t index, int64_t silence_ns)
{
    dstate *s = &d->dirs[i];
    uint64_t seq = engine_segment_data_seq(rec), end = seq + rec->len;
    engine_class k = rec->klass;
    s->mss = MAX(s->mss, rec->len);

    if (rec->new_bytes && d->turn_sender != (int)i)
        open_turn(d, i, rec);
    /* a turn stalled for a round trip (a timeout) and resumed: what it sends in the next
     * round trip (F-RTO's new data first) is no reordering of the stalled bytes */
    int64_t path_rtt;
    bool have_rtt = diagnosis_path_rtt(d, &path_rtt);
    if (have_rtt && s->has_data_end && s->in_turn && s->last_data_turn == s->turn &&
        rec->time_ns - s->last_data_ns >= path_rtt)
        s->resumed_ns = rec->time_ns;
    bool after_stall = have_rtt && s->resumed_ns && rec->time_ns - s->resumed_ns < path_rtt;

    int timeout_episode = -1;
    /* a probe's byte goes again with the next segment once the window opens:
     * persist, not a loss */
    bool probe_again =
        engine_class_is_resend(k) && s->has_probe && seq == s->probe_seq && rec->len - rec->new_bytes <= 1;
    if (k == ENGINE_CLASS_ZERO_WINDOW_PROBE) {
        s->has_probe = true;
        s->probe_seq = seq;
    }
    if (probe_again) {
        flight_mark_resent(s, seq, end);
        if (rec->new_bytes)
            flight_add(s, rec, seq + 1, end, index, true);
    } else if (engine_class_is_resend(k)) {
        flight_mark_resent(s, seq, end);
        timeout_episode = note_repair(d, i, rec, index, seq, end, false, silence_ns, have_rtt, path_rtt);
        if (rec->new_bytes && end > s->data_end) /* an overlap's new tail */
            flight_add(s, rec, max_u64(seq, s->data_end), end, index, true);
    } else if (k == ENGINE_CLASS_OUT_OF_ORDER) {
        if (!s->has_una || end > s->una)
            flight_add(s, rec, seq, end, index, false);
        timeout_episode = note_repair(d, i, rec, index, seq, end, true, silence_ns, have_rtt, path_rtt);
    } else {
        if (s->has_data_end && seq > s->data_end)
            hole_open(s, rec, s->data_end, seq, after_stall);
        if (!s->has_una || end > s->una) /* not already acknowledged (a capture out of order) */
            flight_add(s, rec, seq, end, index, false);
    }
    if (!s->has_data_end || end > s->data_end)
        s->data_end = end;
    s->has_data_end = true;
    s->last_data_ns = rec->time_ns;
    s->last_data_turn = s->turn;

    /* new data, or a repair while the turn's bytes are outstanding, extends the span;
     * a needless re-send after the last ACK does not */
    if (s->span_open && (rec->new_bytes || !s->has_una || s->una < s->turn_end)) {
        commit_pending(d, s, timeout_episode);
        if (rec->new_bytes && s->in_turn)
            s->turn_end = max_u64(s->turn_end, end); /* its data: a FIN is no data byte */
    }
}

void diagnosis_add(diagnosis *d, const engine_stream *e, const engine_segment *rec, const diag_sack *sack)
{
    (void)e;
    unsigned i = rec->sender;
    dstate *s = &d->dirs[i], *peer = &d->dirs[!i];
    uint32_t index = ENGINE_NO_SEGMENT;
    diag_segment *out = NULL;
    if (d->keep_segments) {
        index = d->segments->len;
        static const diag_segment blank = {.rtt_ack = ENGINE_NO_SEGMENT, .episode = DIAG_NO_EPISODE};
        g_array_append_val(d->segments, blank);
        out = &g_array_index(d->segments, diag_segment, index);
    }

    int64_t silence = d->started ? rec->time_ns - d->prev_ns : 0;
    account_interval(d, d->prev_ns, silence);
    if (!d->started || rec->time_ns > d->prev_ns)
        d->prev_ns = rec->time_ns;
    d->prev_frame = rec->frame;
    d->started = true;

    if (handshake_add(&d->handshake, rec) && out)
        out->flags |= DIAG_SEG_SYN_RESENT;

    if (!s->seen) {
        s->seen = true;
        s->first_seq = rec->seq;
        s->nxt = rec->seq;
    }
    if (!(rec->flags & ENGINE_SEG_FILLER) && rec->klass != ENGINE_CLASS_KEEP_ALIVE)
        s->nxt = max_u64(s->nxt, engine_segment_nxtseq(rec));
    if (s->zero_window)
        s->zw.probes++;

    uint32_t prev_win = s->win;
    bool had_win = s->has_win;
    if (rec->flags & ENGINE_TCP_ACK)
        note_ack(d, !i, rec, index, sack, prev_win, had_win);
    note_window(d, peer, rec);
    if (!(rec->flags & ENGINE_TCP_RST)) { /* an RST's window means nothing */
        s->win = rec->win;
        s->has_win = true;
    }
    peer->peer_last_frame = rec->frame;
    peer->peer_last_ns = rec->time_ns;

    if (engine_segment_carries_data(rec))
        note_data(d, i, rec, index, silence);

    for (unsigned k = 0; k < 2; k++) { /* when each flight last emptied */
        dstate *x = &d->dirs[k];
        bool flying = in_flight_of(x) > 0;
        if (x->has_flight && !flying)
            x->empty_since_ns = rec->time_ns;
        x->has_flight = flying;
        x->ever_flight |= flying;
    }
    uint64_t flight = in_flight_of(s);
    uint32_t flight32 = flight > UINT32_MAX ? UINT32_MAX : (uint32_t)flight;
    s->out.max_in_flight = MAX(s->out.max_in_flight, flight32);
    if (out) {
        out->in_flight = flight32;
        if (peer->has_win) {
            out->peer_win = peer->win;
            out->flags |= DIAG_SEG_HAS_PEER_WIN;
        }
    }
}

/* ---- the end --------------------------------------------------------------- */

typedef struct {
    diagnosis *d;
    const engine_stream *e;
    unsigned sender;
} gap_ctx;

static void add_unrepaired(void *ctx, const engine_gap *gap)
{
    gap_ctx *g = ctx;
    if (gap->cause == ENGINE_GAP_TRUNCATED)
        return; /* those bytes crossed the network; the capture cut them */
    dstate *s = &g->d->dirs[g->sender];
    bool acked = s->has_una && s->una >= gap->seq + gap->len;
    uint32_t shown = gap->before_segment != ENGINE_NO_SEGMENT ? gap->before_segment : gap->after_segment;
    int ep = episode_new(g->d, s, g->sender, gap->seq, gap->seq + gap->len, DIAG_CAUSE_UNREPAIRED,
                         acked ? DIAG_LOST_NONE : DIAG_LOST_BEFORE_CAPTURE, engine_segment_frame(g->e, shown),
                         shown < engine_segment_count(g->e) ? engine_segment_at(g->e, shown)->time_ns : 0);
    episode_at(g->d, ep)->acked = acked;
}

static gint compare_samples(gconstpointer a, gconstpointer b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* RTT samples are never negative: an LSD radix sort, 16 bits a pass, sorts a
 * million in linear time (a comparison sort was half of a stream's diagnosis). */
static void sort_samples(GArray *samples)
{
    guint n = samples->len;
    if (n < 4096) { /* the radix counters would cost more than the sort */
        g_array_sort(samples, compare_samples);
        return;
    }
    uint64_t *a = (uint64_t *)(void *)samples->data, *tmp = g_new(uint64_t, n), max = 0;
    guint *count = g_new(guint, 65537);
    for (guint i = 0; i < n; i++)
        max = MAX(max, a[i]);
    for (unsigned shift = 0; shift < 64 && (max >> shift); shift += 16) {
        memset(count, 0, 65537 * sizeof *count);
        for (guint i = 0; i < n; i++)
            count[((a[i] >> shift) & 0xffff) + 1]++;
        for (unsigned k = 0; k < 65536; k++)
            count[k + 1] += count[k];
        for (guint i = 0; i < n; i++)
            tmp[count[(a[i] >> shift) & 0xffff]++] = a[i];
        uint64_t *swap = a;
        a = tmp;
        tmp = swap;
    }
    if (a != (uint64_t *)(void *)samples->data) { /* an odd number of passes */
        memcpy(samples->data, a, n * sizeof *a);
        tmp = a;
    }
    g_free(tmp);
    g_free(count);
}

/* The last episode was re-sent after silence again and again and the peer
 * never acknowledged anything new since its first repair. */
static void judge_responsiveness(diagnosis *d, dstate *s)
{
    if (s->last_episode < 0)
        return;
    const diag_episode *e = episode_at(d, s->last_episode);
    if (e->cause == DIAG_CAUSE_UNREPAIRED || e->timeouts < 2 || s->una_moved_ns > e->repair_ns)
        return;
    s->out.unresponsive = true;
    s->out.unresponsive_info = (diag_unresponsive){s->episode_peer_frame, s->episode_peer_ns, d->prev_ns, e->timeouts};
}

void diagnosis_finish(diagnosis *d, const engine_stream *e)
{
    for (unsigned i = 0; i < 2; i++) {
        dstate *s = &d->dirs[i];
        judge_responsiveness(d, s);
        drop_pending(s); /* past the last ACK or segment of its span: not active */
        if (s->zero_window) {
            s->zero_window = false;
            s->zw.last_frame = d->prev_frame;
            s->zw.end_ns = d->prev_ns;
            g_array_append_val(d->zero_windows, s->zw);
        }
        gap_ctx g = {d, e, i};
        const engine_walk_cb cb = {NULL, add_unrepaired};
        engine_walk(e, i, &cb, &g);
        sort_samples(s->out.rtt_ns);
    }
    for (guint k = 0; k < d->zero_windows->len; k++) {
        const diag_zero_window *z = &g_array_index(d->zero_windows, diag_zero_window, k);
        diag_dir *o = &d->dirs[z->sender].out;
        o->zero_window_periods++;
        o->zero_window_ns += z->end_ns - z->start_ns;
    }
}

const diag_segment *diagnosis_segment(const diagnosis *d, size_t index)
{
    return d->keep_segments && index < d->segments->len ? &g_array_index(d->segments, diag_segment, index) : NULL;
}

GArray *diagnosis_episodes(const diagnosis *d) { return d->episodes; }
GArray *diagnosis_zero_windows(const diagnosis *d) { return d->zero_windows; }
GArray *diagnosis_turns(const diagnosis *d) { return d->turns; }
const diag_dir *diagnosis_dir(const diagnosis *d, unsigned sender) { return &d->dirs[sender].out; }

diag_capture_point diagnosis_capture_point(const diagnosis *d)
{
    const tcp_handshake *h = &d->handshake;
    if (!h->complete)
        return DIAG_CAPTURE_UNKNOWN;
    int64_t first = h->syn_ack_ns - h->syn_ns, second = h->ack_ns - h->syn_ack_ns;
    if (second * 10 < first)
        return DIAG_CAPTURE_NEAR_CLIENT;
    if (first * 10 < second)
        return DIAG_CAPTURE_NEAR_SERVER;
    return DIAG_CAPTURE_IN_PATH;
}
