/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine.h"

#include "arena.h"
#include "seqstore.h"

#include <glib.h>
#include <string.h>

/* Raw sequence numbers are placed 2^32 above zero when a direction starts, so
 * segments that arrive before the first one seen (reordering, retransmission of
 * older data) still unwrap to positive 64-bit values. */
#define UNWRAP_ORIGIN ((uint64_t)1 << 32)

#define RECORDS_PER_BLOCK 4096

typedef struct {
    uint64_t seq, end;
} seq_range;

typedef struct {
    seqstore store;        /* kept bytes; in a lean engine only those not yet acknowledged */
    seqstore coverage;     /* lean engines: which bytes were covered (no payload) */
    arena payload;
    bool seen;
    uint64_t ref;          /* unwrap reference: highest seq known in this space */
    bool has_ref;
    bool syn_seen;
    uint64_t syn_seq;
    bool has_lowest;
    uint64_t lowest;       /* lowest seq of any segment (RST without ACK excluded) */
    bool has_next;
    uint64_t next_seq;     /* highest nxtseq: what the receiver expects next */
    uint64_t claimed_end;  /* highest seq + len announced by a header, captured or not */
    bool fin_seen;
    uint64_t fin_seq;
    bool peer_acked;
    uint64_t peer_max_ack; /* highest ACK the peer sent for this direction */
    uint64_t peer_min_ack; /* lowest: the base of a direction that sent nothing itself */
    bool win_seen;
    uint32_t last_win;     /* window this sender last advertised to its peer */
    GArray *truncated;     /* seq_range: bytes announced but cut by the snapshot length */
    uint64_t released_to;  /* lean: the window no longer holds the kept copy of bytes below */
    uint64_t start, end;   /* settled by engine_finish */
    engine_dir_stats stats;
} direction;

struct engine_stream {
    engine_overlap_policy policy;
    bool lean;             /* coverage instead of payload (engine_new_lean) */
    bool keep_records;
    engine_segment scratch; /* the record of the last segment when records are not kept */
    direction dirs[2];
    /* Records live in fixed blocks: appending never moves or copies them, and
     * at most one block is unused (a doubling array would waste up to half). */
    engine_segment **record_blocks;
    size_t nrecord_blocks, record_blocks_cap;
    size_t nsegments;
    bool client_known;
    unsigned client_sender;
    bool finished;
};

static const char *const class_names[ENGINE_CLASS_COUNT] = {
    [ENGINE_CLASS_NEW] = "new",
    [ENGINE_CLASS_RETRANSMISSION] = "retransmission",
    [ENGINE_CLASS_OVERLAP] = "overlap",
    [ENGINE_CLASS_OUT_OF_ORDER] = "out-of-order",
    [ENGINE_CLASS_CONFLICT] = "conflict",
    [ENGINE_CLASS_KEEP_ALIVE] = "keep-alive",
    [ENGINE_CLASS_ZERO_WINDOW_PROBE] = "zero-window-probe",
    [ENGINE_CLASS_CONTROL] = "control",
    [ENGINE_CLASS_UNKNOWN_LENGTH] = "unknown-length",
};

const char *engine_class_name(engine_class c)
{
    return c < ENGINE_CLASS_COUNT ? class_names[c] : "?";
}

const char *engine_gap_cause_name(engine_gap_cause c)
{
    return c == ENGINE_GAP_TRUNCATED ? "truncated" : "not-captured";
}

engine_stream *engine_new(engine_overlap_policy policy)
{
    engine_stream *s = g_new0(engine_stream, 1);
    s->policy = policy;
    s->keep_records = true;
    for (unsigned i = 0; i < 2; i++) {
        seqstore_init(&s->dirs[i].store);
        seqstore_init(&s->dirs[i].coverage);
        arena_init(&s->dirs[i].payload);
        s->dirs[i].truncated = g_array_new(FALSE, FALSE, sizeof(seq_range));
    }
    return s;
}

engine_stream *engine_new_lean(engine_overlap_policy policy, bool keep_records)
{
    engine_stream *s = engine_new(policy);
    s->lean = true;
    s->keep_records = keep_records;
    return s;
}

void engine_free(engine_stream *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < 2; i++) {
        seqstore_free(&s->dirs[i].store);
        seqstore_free(&s->dirs[i].coverage);
        arena_free(&s->dirs[i].payload);
        g_array_free(s->dirs[i].truncated, TRUE);
    }
    for (size_t i = 0; i < s->nrecord_blocks; i++)
        g_free(s->record_blocks[i]);
    g_free(s->record_blocks);
    g_free(s);
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* The 64-bit value of raw closest to what the direction has reached so far. */
static uint64_t unwrap(direction *d, uint32_t raw)
{
    if (!d->has_ref) {
        d->has_ref = true;
        d->ref = UNWRAP_ORIGIN + raw;
    }
    return d->ref + (int64_t)(int32_t)(raw - (uint32_t)d->ref);
}

static uint32_t count_differing(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    if (memcmp(a, b, n) == 0)
        return 0;
    uint32_t diff = 0;
    for (uint32_t i = 0; i < n; i++)
        diff += a[i] != b[i];
    return diff;
}

typedef struct {
    uint32_t new_bytes, old_bytes, conflict_bytes;
    uint32_t next_segment; /* segment of the first chunk past the new bytes, if any */
} store_result;

static void keep(direction *d, uint64_t seq, const uint8_t *bytes, uint32_t len, uint32_t segment)
{
    seqstore_insert(&d->store, seq, len, segment, arena_copy(&d->payload, bytes, len));
}

/* Put [seq, seq + len) into the store under the policy: with "first" only the
 * pieces that fall into holes are kept; with "last" the old copies are cut away
 * and the whole segment is kept. Either way old bytes are compared with the new
 * copy first: that is where conflicts are found. */
static store_result store_bytes(direction *d, engine_overlap_policy policy, uint64_t seq,
                                const uint8_t *bytes, uint32_t len, uint32_t segment)
{
    store_result r = {0, 0, 0, ENGINE_NO_SEGMENT};
    uint64_t end = seq + len;
    seqstore_chunk *last = seqstore_last(&d->store);
    if (!last || seqstore_chunk_end(last) <= seq) {
        keep(d, seq, bytes, len, segment);
        r.new_bytes = len;
        return r;
    }

    uint64_t cursor = seq;
    seqstore_chunk *c = seqstore_find_end_after(&d->store, seq);
    while (c && c->seq < end) {
        seqstore_chunk *next = c->next[0];
        uint64_t c_end = seqstore_chunk_end(c);
        uint64_t ov_start = max_u64(seq, c->seq), ov_end = min_u64(end, c_end);
        uint32_t ov_len = (uint32_t)(ov_end - ov_start);
        if (c->seq > cursor && policy == ENGINE_OVERLAP_FIRST)
            keep(d, cursor, bytes + (cursor - seq), (uint32_t)(c->seq - cursor), segment);
        r.old_bytes += ov_len;
        r.conflict_bytes += count_differing(bytes + (ov_start - seq), c->data + (ov_start - c->seq), ov_len);
        if (policy == ENGINE_OVERLAP_LAST) {
            arena_release(&d->payload, c->data + (ov_start - c->seq), ov_len);
            if (c->seq < seq && c_end > end) {
                const uint8_t *right = c->data + (end - c->seq);
                seqstore_shrink(&d->store, c, c->seq, seq - c->seq);
                seqstore_insert(&d->store, end, c_end - end, c->segment, right);
            } else if (c->seq < seq) {
                seqstore_shrink(&d->store, c, c->seq, seq - c->seq);
            } else if (c_end > end) {
                seqstore_shrink(&d->store, c, end, c_end - end);
            } else {
                seqstore_remove(&d->store, c);
            }
        }
        cursor = ov_end;
        c = next;
    }
    if (c)
        r.next_segment = c->segment;
    if (policy == ENGINE_OVERLAP_LAST)
        keep(d, seq, bytes, len, segment);
    else if (cursor < end)
        keep(d, cursor, bytes + (cursor - seq), (uint32_t)(end - cursor), segment);
    r.new_bytes = len - r.old_bytes;
    return r;
}

/* Lean engines: record which bytes were covered without keeping them.
 * Adjacent ranges merge, so an in-order direction is one range however long,
 * and memory grows with the holes, not with the data. */
static store_result cover(direction *d, engine_overlap_policy policy, uint64_t seq, uint32_t len,
                          uint32_t segment)
{
    store_result r = {0, 0, 0, ENGINE_NO_SEGMENT};
    uint64_t end = seq + len;
    seqstore_chunk *last = seqstore_last(&d->coverage);
    if (last && seqstore_chunk_end(last) == seq) {
        seqstore_grow(&d->coverage, last, last->len + len);
        last->end_segment = segment;
        r.new_bytes = len;
        return r;
    }
    uint64_t lo = seq, hi = end;
    uint32_t lo_segment = segment, hi_segment = segment;
    /* which copy owns the first and last byte of the merged range, as the store would keep it */
    bool old_wins = policy == ENGINE_OVERLAP_FIRST;
    /* every range touching [seq, end], adjacent ones included, merges into one */
    seqstore_chunk *c = seqstore_find_end_after(&d->coverage, seq - 1);
    while (c && c->seq <= end) {
        seqstore_chunk *next = c->next[0];
        uint64_t c_end = seqstore_chunk_end(c);
        if (c_end > seq && c->seq < end)
            r.old_bytes += (uint32_t)(min_u64(end, c_end) - max_u64(seq, c->seq));
        if (c->seq >= end)
            r.next_segment = c->segment;
        if (c->seq < lo || (old_wins && c->seq == lo)) {
            lo = c->seq;
            lo_segment = c->segment;
        }
        if (c_end > hi || (old_wins && c_end == hi)) {
            hi = c_end;
            hi_segment = c->end_segment;
        }
        seqstore_remove(&d->coverage, c);
        c = next;
    }
    if (c && r.next_segment == ENGINE_NO_SEGMENT)
        r.next_segment = c->segment;
    seqstore_insert(&d->coverage, lo, hi - lo, lo_segment, NULL)->end_segment = hi_segment;
    r.new_bytes = len - r.old_bytes;
    return r;
}

/* A lean engine keeps payload only while it may still be compared with a
 * retransmission: at most LEAN_WINDOW bytes behind the highest seq, and in
 * the all-streams summary (no records) only until the peer acknowledges it,
 * so that thousands of streams cost their unacknowledged data only. */
#define LEAN_WINDOW ((uint64_t)4 << 20)

static void release_old_payload(direction *d, bool at_ack)
{
    uint64_t point = d->has_next && d->next_seq > LEAN_WINDOW ? d->next_seq - LEAN_WINDOW : 0;
    if (at_ack && d->peer_acked)
        point = max_u64(point, d->peer_max_ack);
    seqstore_chunk *c;
    while ((c = seqstore_first(&d->store)) && seqstore_chunk_end(c) <= point) {
        d->released_to = max_u64(d->released_to, seqstore_chunk_end(c));
        arena_release(&d->payload, c->data, c->len);
        seqstore_remove(&d->store, c);
    }
    /* everything acknowledged: the emptied store gives its nodes back too (a
     * quiet stream then holds only its coverage) */
    if (at_ack && d->store.head && !seqstore_first(&d->store))
        seqstore_clear(&d->store);
}

static engine_segment *append_record(engine_stream *s)
{
    if (!s->keep_records) {
        memset(&s->scratch, 0, sizeof s->scratch);
        s->scratch.hole_opener = ENGINE_NO_SEGMENT;
        return &s->scratch;
    }
    size_t block = s->nsegments / RECORDS_PER_BLOCK, slot = s->nsegments % RECORDS_PER_BLOCK;
    if (block == s->nrecord_blocks) {
        if (s->nrecord_blocks == s->record_blocks_cap) {
            s->record_blocks_cap = s->record_blocks_cap ? 2 * s->record_blocks_cap : 8;
            s->record_blocks = g_renew(engine_segment *, s->record_blocks, s->record_blocks_cap);
        }
        s->record_blocks[s->nrecord_blocks++] = g_new(engine_segment, RECORDS_PER_BLOCK);
    }
    s->nsegments++;
    engine_segment *rec = &s->record_blocks[block][slot];
    memset(rec, 0, sizeof *rec);
    rec->hole_opener = ENGINE_NO_SEGMENT;
    return rec;
}

/* Remember bytes the snapshot length cut; consecutive cuts (a headers-only
 * capture) extend one range, so this stays small. */
static void note_truncated(direction *d, uint64_t seq, uint64_t end)
{
    GArray *t = d->truncated;
    seq_range *last = t->len ? &g_array_index(t, seq_range, t->len - 1) : NULL;
    if (last && seq <= last->end && end >= last->seq) {
        last->seq = min_u64(last->seq, seq);
        last->end = max_u64(last->end, end);
        return;
    }
    seq_range cut = {seq, end};
    g_array_append_val(t, cut);
}

/* A keep-alive repeats the last byte already sent (or none) to poke the peer;
 * its byte is filler, not data. Same rule as Wireshark's tcp.analysis.keep_alive. */
static bool is_keep_alive(const direction *d, const engine_segment_in *in, uint64_t seq)
{
    return in->len <= 1 && !(in->flags & (ENGINE_TCP_SYN | ENGINE_TCP_FIN | ENGINE_TCP_RST)) &&
           d->has_next && seq + 1 == d->next_seq;
}

/* Linux probes a zero window with a 0-byte segment at snd.una - 1 (filler,
 * like a keep-alive): whatever its shape, a probe only while the window is 0. */
static bool is_persist_probe(const direction *d, const direction *peer, const engine_segment_in *in, uint64_t seq)
{
    return in->len <= 1 && !(in->flags & (ENGINE_TCP_SYN | ENGINE_TCP_FIN | ENGINE_TCP_RST)) && peer->win_seen &&
           peer->last_win == 0 &&
           ((d->has_next && seq + 1 == d->next_seq) || (d->peer_acked && seq + 1 == d->peer_max_ack));
}

static bool is_zero_window_probe(const direction *d, const direction *peer,
                                 const engine_segment_in *in, uint64_t data_seq)
{
    return in->len == 1 && d->has_next && data_seq == d->next_seq && peer->win_seen &&
           peer->last_win == 0;
}

static engine_class classify_data(const direction *d, uint64_t data_seq, store_result r)
{
    if (r.conflict_bytes)
        return ENGINE_CLASS_CONFLICT;
    if (r.old_bytes == 0)
        return d->has_next && data_seq < d->next_seq ? ENGINE_CLASS_OUT_OF_ORDER : ENGINE_CLASS_NEW;
    return r.new_bytes ? ENGINE_CLASS_OVERLAP : ENGINE_CLASS_RETRANSMISSION;
}

/* The peer acknowledges bytes of this direction: they were sent. */
static void note_ack(direction *d, engine_segment *rec, uint32_t raw_ack)
{
    rec->ack = unwrap(d, raw_ack);
    d->peer_max_ack = d->peer_acked ? max_u64(d->peer_max_ack, rec->ack) : rec->ack;
    d->peer_min_ack = d->peer_acked ? min_u64(d->peer_min_ack, rec->ack) : rec->ack;
    d->peer_acked = true;
    d->ref = max_u64(d->ref, rec->ack);
}

/* Who is the client, where the direction starts, when it was seen. */
static void note_sender(engine_stream *s, direction *d, const engine_segment_in *in, const engine_segment *rec)
{
    bool syn = in->flags & ENGINE_TCP_SYN, ack = in->flags & ENGINE_TCP_ACK;
    if (!d->seen)
        d->stats.first_ns = in->time_ns;
    d->seen = true;
    d->stats.last_ns = in->time_ns;
    d->stats.segments++;
    if (syn && !ack && !s->client_known) {
        s->client_known = true;
        s->client_sender = in->sender;
    }
    if (syn && !d->syn_seen) {
        d->syn_seen = true;
        d->syn_seq = rec->seq;
    }
    /* an RST without ACK may carry any seq: unless it carries data, it says
     * nothing about where the direction starts */
    if (!(in->flags & ENGINE_TCP_RST) || ack || rec->caplen) {
        d->lowest = d->has_lowest ? min_u64(d->lowest, rec->seq) : rec->seq;
        d->has_lowest = true;
    }
}

/* Store the payload, fill in the record's byte counts and return its class. */
static engine_class take_payload(engine_stream *s, direction *d, const direction *peer,
                                 const engine_segment_in *in, engine_segment *rec, uint32_t index)
{
    uint64_t data_seq = rec->seq + ((in->flags & ENGINE_TCP_SYN) ? 1 : 0);
    if (!in->have_len)
        return ENGINE_CLASS_UNKNOWN_LENGTH;
    if (is_persist_probe(d, peer, in, rec->seq)) {
        rec->flags |= ENGINE_SEG_FILLER;
        return ENGINE_CLASS_ZERO_WINDOW_PROBE;
    }
    if (is_keep_alive(d, in, rec->seq))
        return ENGINE_CLASS_KEEP_ALIVE;
    if (rec->len == 0)
        return ENGINE_CLASS_CONTROL;

    bool zwp = is_zero_window_probe(d, peer, in, data_seq);
    store_result r = {0, 0, 0, ENGINE_NO_SEGMENT};
    if (rec->caplen && s->lean) {
        /* The window finds conflicts, the coverage says what is new. Bytes
         * below what the window released are not compared (their kept copy is
         * gone) and not taken: a later copy must not be judged against them. */
        uint64_t from = max_u64(data_seq, d->released_to), end = data_seq + rec->caplen;
        if (from < end)
            r = store_bytes(d, s->policy, from, in->payload + (from - data_seq), (uint32_t)(end - from), index);
        uint32_t window_conflicts = r.conflict_bytes;
        r = cover(d, s->policy, data_seq, rec->caplen, index);
        r.conflict_bytes = window_conflicts;
    } else if (rec->caplen) {
        r = store_bytes(d, s->policy, data_seq, in->payload, rec->caplen, index);
    }
    if (rec->caplen < rec->len)
        note_truncated(d, data_seq + rec->caplen, data_seq + rec->len);
    d->claimed_end = max_u64(d->claimed_end, data_seq + rec->len);
    rec->new_bytes = r.new_bytes;
    rec->conflict_bytes = r.conflict_bytes;
    d->stats.conflict_bytes += r.conflict_bytes;
    engine_class klass = zwp && !r.conflict_bytes ? ENGINE_CLASS_ZERO_WINDOW_PROBE : classify_data(d, data_seq, r);
    if (klass == ENGINE_CLASS_OUT_OF_ORDER)
        rec->hole_opener = r.next_segment;
    return klass;
}

/* How far the direction got: FIN, next expected seq, the unwrap reference. */
static void note_progress(direction *d, const engine_segment *rec)
{
    if (rec->flags & ENGINE_TCP_FIN) {
        uint64_t fin_seq = engine_segment_nxtseq(rec) - 1;
        d->fin_seq = d->fin_seen ? max_u64(d->fin_seq, fin_seq) : fin_seq;
        d->fin_seen = true;
    }
    if (rec->klass != ENGINE_CLASS_KEEP_ALIVE && !(rec->flags & ENGINE_SEG_FILLER)) {
        uint64_t nxt = engine_segment_nxtseq(rec);
        d->next_seq = d->has_next ? max_u64(d->next_seq, nxt) : nxt;
        d->has_next = true;
        d->ref = max_u64(d->ref, nxt);
    }
    d->last_win = rec->win;
    d->win_seen = true;
}

const engine_segment *engine_add_segment(engine_stream *s, const engine_segment_in *in)
{
    g_assert(in->sender < 2);
    direction *d = &s->dirs[in->sender];
    direction *peer = &s->dirs[!in->sender];
    /* without records a segment is named by its frame (engine_segment_frame) */
    uint32_t index = s->keep_records ? (uint32_t)s->nsegments : in->frame;
    s->finished = false; /* queries need engine_finish again */
    engine_segment *rec = append_record(s);
    rec->frame = in->frame;
    rec->time_ns = in->time_ns;
    rec->sender = (uint8_t)in->sender;
    rec->flags = in->flags;
    rec->win = in->win;
    rec->len = in->have_len ? in->len : 0;
    rec->caplen = MIN(in->caplen, rec->len);
    rec->seq = unwrap(d, in->seq);
    if (in->flags & ENGINE_TCP_ACK)
        note_ack(peer, rec, in->ack);
    note_sender(s, d, in, rec);

    engine_class klass = take_payload(s, d, peer, in, rec, index);
    rec->klass = (uint8_t)klass;
    d->stats.by_class[klass]++;
    note_progress(d, rec);
    if (s->lean) {
        release_old_payload(d, !s->keep_records);
        release_old_payload(peer, !s->keep_records);
    }
    return rec;
}

uint64_t engine_segment_nxtseq(const engine_segment *seg)
{
    return seg->seq + seg->len + ((seg->flags & ENGINE_TCP_SYN) ? 1 : 0) +
           ((seg->flags & ENGINE_TCP_FIN) ? 1 : 0);
}

/* Where a direction's data starts and ends. The start is the byte after the
 * SYN, or the lowest seq seen (a capture that starts mid-stream has no leading
 * gap). The end is the furthest of: what any header announced, the FIN, and the
 * peer's highest ACK — bytes the peer acknowledged were sent, so a lost tail is
 * a gap (an ACK of the FIN itself does not count as data). */
static void settle_bounds(direction *d, bool lean)
{
    d->start = d->syn_seen ? d->syn_seq + 1 : (d->has_lowest ? d->lowest : d->ref);
    uint64_t end = max_u64(d->start, d->claimed_end);
    if (d->fin_seen)
        end = max_u64(end, d->fin_seq);
    if (d->peer_acked)
        end = max_u64(end, d->fin_seen ? min_u64(d->peer_max_ack, d->fin_seq) : d->peer_max_ack);
    d->end = end;
    /* bytes sent before a SYN seen later still count: the walk must cover them */
    const seqstore_chunk *first = seqstore_first(lean ? &d->coverage : &d->store);
    if (first && first->seq < d->start)
        d->start = first->seq;
}

static gint compare_ranges(gconstpointer a, gconstpointer b)
{
    const seq_range *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort and merge the truncated ranges so that gap walks can sweep them once. */
static void merge_truncated(direction *d)
{
    GArray *t = d->truncated;
    if (t->len < 2)
        return;
    g_array_sort(t, compare_ranges);
    guint out = 0;
    for (guint i = 1; i < t->len; i++) {
        seq_range *cur = &g_array_index(t, seq_range, out), *r = &g_array_index(t, seq_range, i);
        if (r->seq <= cur->end)
            cur->end = max_u64(cur->end, r->end);
        else
            g_array_index(t, seq_range, ++out) = *r;
    }
    g_array_set_size(t, out + 1);
}

static void count_gap(void *ctx, const engine_gap *gap)
{
    engine_dir_stats *st = ctx;
    st->gaps++;
    st->missing_bytes += gap->len;
}

void engine_finish(engine_stream *s)
{
    /* Everything below is derived from the state the segments built, so
     * settling again after more segments gives what one pass would. */
    s->finished = true;
    const engine_walk_cb counter = {NULL, count_gap};
    for (unsigned i = 0; i < 2; i++) {
        direction *d = &s->dirs[i];
        settle_bounds(d, s->lean);
        merge_truncated(d);
        d->stats.kept_bytes = s->lean ? d->coverage.bytes : d->store.bytes;
        d->stats.gaps = d->stats.missing_bytes = 0;
        engine_walk(s, i, &counter, &d->stats);
    }
}

bool engine_finished(const engine_stream *s) { return s->finished; }

size_t engine_segment_count(const engine_stream *s) { return s->nsegments; }

const engine_segment *engine_segment_at(const engine_stream *s, size_t i)
{
    return i < s->nsegments ? &s->record_blocks[i / RECORDS_PER_BLOCK][i % RECORDS_PER_BLOCK] : NULL;
}

uint32_t engine_segment_frame(const engine_stream *s, uint32_t id)
{
    if (id == ENGINE_NO_SEGMENT)
        return 0;
    if (!s->keep_records)
        return id;
    const engine_segment *r = engine_segment_at(s, id);
    return r ? r->frame : 0;
}

uint32_t engine_resent_copy(const engine_stream *s, unsigned sender, uint64_t seq, uint64_t end, uint32_t self)
{
    const direction *d = &s->dirs[sender];
    uint64_t cursor = seq;
    for (const seqstore_chunk *c = seqstore_find_end_after(&d->store, seq); c && c->seq <= cursor && cursor < end;
         c = c->next[0]) {
        if (c->segment != self)
            return c->segment;
        cursor = seqstore_chunk_end(c);
    }
    if (!s->lean || cursor >= end)
        return ENGINE_NO_SEGMENT;
    /* the window let byte cursor go: only a covered range that starts there says whose it is */
    const seqstore_chunk *c = seqstore_find_end_after(&d->coverage, cursor);
    return c && c->seq == cursor && c->segment != self ? c->segment : ENGINE_NO_SEGMENT;
}

unsigned engine_client_sender(const engine_stream *s)
{
    return s->client_known ? s->client_sender : 0;
}

static uint64_t base_seq(const direction *d)
{
    if (d->syn_seen)
        return d->syn_seq;
    if (d->has_lowest)
        return d->lowest - 1;
    /* a direction seen only through the peer's ACKs: its lowest ACK is byte 1 */
    return (d->peer_acked ? d->peer_min_ack : d->ref) - 1;
}

int64_t engine_relative_seq(const engine_stream *s, unsigned sender, uint64_t seq)
{
    return (int64_t)(seq - base_seq(&s->dirs[sender]));
}

uint32_t engine_base_raw(const engine_stream *s, unsigned sender)
{
    return (uint32_t)base_seq(&s->dirs[sender]);
}

bool engine_sender_seen(const engine_stream *s, unsigned sender)
{
    return s->dirs[sender].seen;
}

const engine_dir_stats *engine_stats(const engine_stream *s, unsigned sender)
{
    return &s->dirs[sender].stats;
}

/* Emit the gap [from, to), split where its cause changes. */
static void emit_gap(const direction *d, guint *cut_index, uint64_t from, uint64_t to,
                     uint32_t after, uint32_t before, const engine_walk_cb *cb, void *ctx)
{
    GArray *cuts = d->truncated;
    engine_gap gap = {0, 0, after, before, ENGINE_GAP_NOT_CAPTURED};
    while (from < to) {
        while (*cut_index < cuts->len && g_array_index(cuts, seq_range, *cut_index).end <= from)
            (*cut_index)++;
        const seq_range *cut = *cut_index < cuts->len ? &g_array_index(cuts, seq_range, *cut_index) : NULL;
        uint64_t piece_end;
        if (cut && cut->seq <= from) {
            gap.cause = ENGINE_GAP_TRUNCATED;
            piece_end = min_u64(to, cut->end);
        } else {
            gap.cause = ENGINE_GAP_NOT_CAPTURED;
            piece_end = cut ? min_u64(to, cut->seq) : to;
        }
        gap.seq = from;
        gap.len = piece_end - from;
        cb->gap(ctx, &gap);
        from = piece_end;
    }
}

void engine_walk(const engine_stream *s, unsigned sender, const engine_walk_cb *cb, void *ctx)
{
    g_assert(s->finished);
    const direction *d = &s->dirs[sender];
    if (!d->seen)
        return;
    uint64_t cursor = d->start;
    uint32_t prev = ENGINE_NO_SEGMENT;
    guint cut_index = 0;
    const seqstore *kept = s->lean ? &d->coverage : &d->store;
    for (const seqstore_chunk *c = seqstore_first(kept); c; c = c->next[0]) {
        if (c->seq > cursor && cb->gap)
            emit_gap(d, &cut_index, cursor, c->seq, prev, c->segment, cb, ctx);
        if (cb->chunk) {
            engine_chunk chunk = {c->seq, c->len, c->segment, c->data};
            cb->chunk(ctx, &chunk);
        }
        cursor = max_u64(cursor, seqstore_chunk_end(c));
        prev = c->end_segment;
    }
    if (d->end > cursor && cb->gap)
        emit_gap(d, &cut_index, cursor, d->end, prev, ENGINE_NO_SEGMENT, cb, ctx);
}

void engine_walk_range(const engine_stream *s, unsigned sender, uint64_t from, uint64_t to,
                       void (*chunk)(void *ctx, const engine_chunk *chunk), void *ctx)
{
    const direction *d = &s->dirs[sender];
    for (const seqstore_chunk *c = seqstore_find_end_after(&d->store, from); c && c->seq < to; c = c->next[0]) {
        engine_chunk out = {c->seq, c->len, c->segment, c->data};
        chunk(ctx, &out);
    }
}

size_t engine_memory_bytes(const engine_stream *s)
{
    size_t total = s->nrecord_blocks * RECORDS_PER_BLOCK * sizeof(engine_segment);
    for (unsigned i = 0; i < 2; i++)
        total += s->dirs[i].payload.reserved_bytes + seqstore_overhead_bytes(&s->dirs[i].store) +
                 seqstore_overhead_bytes(&s->dirs[i].coverage) + s->dirs[i].truncated->len * sizeof(seq_range);
    return total;
}
