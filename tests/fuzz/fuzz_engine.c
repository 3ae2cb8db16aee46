/* fuzz_engine.c — libFuzzer harness for the reassembly engine (plugin/engine).
 *
 * The input bytes are decoded into a sequence of TCP segments (see "Input
 * encoding" below and tests/fuzz/make_corpus.py, which writes the seed corpus in
 * the same format), fed to engine_add_segment, then engine_finish. A naive
 * reference model, built from the same segments, then checks the engine's
 * output; any violation prints a diagnosis and calls abort().
 *
 * Checked invariants (check names in brackets; TFT_FUZZ_RELAX=name,name...
 * disables named checks, e.g. to keep fuzzing past a known engine bug):
 *   [record]   engine_segment_at(i) mirrors the input: sender, frame, flags, win,
 *              len/caplen clamping, low 32 bits of the unwrapped seq/ack
 *   [class]    every segment's class, new_bytes and conflict_bytes equal the
 *              model's (keep-alive, control, unknown-length, zero-window probe,
 *              new / out-of-order / overlap / retransmission / conflict)
 *   [order]    walked chunks and gaps come in ascending order, never overlap,
 *              have a non-zero length
 *   [data]     every kept byte equals the byte its segment (chunk.segment)
 *              carried at that unwrapped seq (unwrapped seq + 1 for a SYN)
 *   [owner]    the kept bytes are exactly the union of all stored segments, and
 *              each kept byte comes from the earliest (overlap=first) or the
 *              latest (overlap=last) segment that carried it
 *   [tile]     chunks and gaps tile [first item, last item) with no hole, the
 *              first item starts at min(start, first chunk) and the last ends
 *              at the direction's end (start: SYN+1, else the lowest seq of
 *              the segments that are not a data-less RST without ACK; end: the
 *              highest of header end, FIN and peer ACK). A hole that ends at or below the
 *              start is reported as [tile-prestart]; a hole in a direction
 *              whose start the model cannot tell (only RST-without-ACK
 *              segments, none with data) as [tile-nostart]
 *   [gap]      gap causes (truncated vs not captured) and neighbour segments
 *   [stats]    kept_bytes == sum of chunk lengths, missing_bytes == sum of gap
 *              lengths, gaps == number of gaps, sum(by_class) == segments, the
 *              per-class counts, conflict_bytes, first/last times, client side
 *   [lean]     engine_new_lean (with and without records) on the same input
 *              agrees with the full engine: records, stats, covered ranges
 *              (chunks without data), gaps; it may only find fewer conflict
 *              bytes (payload window), and then its classes may differ; more
 *              conflict bytes than the full engine is [lean-conflict-excess]
 *   [range]    engine_walk_range(from, to) yields exactly the walk's chunks
 *              that intersect [from, to), whole, in order: for every
 *              segment's captured bytes, every gap, and [0, 2^64 - 1)
 *   [diag]     the diagnosis fed next to the engine (with SACK blocks derived
 *              from the input): every direction's and turn's time partition adds
 *              up to its active time with no negative bucket, the turns' active
 *              times add up to the direction's, episodes are non-empty ranges
 *              counted once by cause, per-segment episode and RTT-ACK indexes
 *              point where they may, zero-window periods count no more probes
 *              than segments; a diagnosis without segments (the all-streams
 *              summary) on the lean engine without records obeys the same
 * The class check includes hole_opener: an out-of-order segment names the
 * segment that owned, when it arrived, the first kept byte past its bytes.
 *
 * Build and run: tests/fuzz/run.sh [SECONDS]. Replay without libFuzzer:
 * fuzz_replay FILE|DIR... (replay_main.c; ctest test "fuzz_replay").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "diagnosis.h"
#include "engine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Input encoding ------------------------------------------------------
 *
 * Header, 9 bytes (missing bytes read as 0):
 *   h[0]  bit 0: overlap policy (0 first, 1 last)
 *         bits 1-2: base mode of sender 0, bits 3-4: base mode of sender 1
 *   h[1..4], h[5..8]: little-endian 32-bit value X0, X1 for the two senders
 *   base mode 0: base = X            (anything)
 *             1: base = 0xFFFFFFFF - (X & 0xFFF)   (just below the 2^32 wrap)
 *             2: base = 0x80000000 - (X & 0xFFF)   (around the 2^31 sign flip)
 *             3: base = X & 0xFFF                  (just above 0)
 *
 * Then records until the input ends (at most MAX_SEGMENTS):
 *   c        control byte:
 *              bit 0 sender          bit 1 have_len = false
 *              bit 2 seq is 4 bytes  bit 3 ack is 4 bytes
 *              bit 4 payload bytes come from the input (else generated)
 *              bit 5 explicit caplen byte follows
 *              bit 6 len is 4 bytes  bit 7 a variant byte follows
 *   flags    2 bytes LE, & 0x1FF (ENGINE_TCP_*)
 *   seq      2 bytes LE signed offset from base[sender], or 4 bytes LE added
 *            modulo 2^32
 *   ack      same, from base[!sender] (passed always, meaningful with ACK)
 *   len      4 bytes LE, or 1 byte v: v < 240: v; 240: 1460; 241: 65535;
 *            242: 65536; 243: 0x7FFFFFFF; 244: 0x80000000; 245: 0xFFFFFFFF;
 *            246: 0xFFFFFFFE; 247..255: (v - 246) * 512
 *   caplen   (bit 5) 1 byte k: k <= 250: k; 251..254: len - (k - 250);
 *            255: len + 1 (more than len: the engine must clamp).
 *            Without bit 5: caplen = len. Always capped at MAX_CAPLEN and the
 *            remaining budget (caplen < len then models a snapshot cut).
 *   win      1 byte w: window = w * 257 (0: zero window)
 *   variant  (bit 7) 1 byte v, else v = 0
 *   payload  (bit 4) caplen bytes taken from the input (fewer if it ends);
 *            otherwise byte i is gen(raw seq + i) ^ v, where gen depends only
 *            on the raw 32-bit seq: v = 0 makes retransmissions identical,
 *            v != 0 makes conflicting copies.
 */

#define MAX_SEGMENTS 256
#define MAX_CAPLEN 4096u
#define MAX_TOTAL_CAP (64u * 1024u)

typedef struct {
    const uint8_t *p;
    size_t n, off;
} reader;

static uint8_t rd8(reader *r) { return r->off < r->n ? r->p[r->off++] : 0; }
static uint16_t rd16(reader *r) { uint16_t v = rd8(r); return (uint16_t)(v | (uint16_t)rd8(r) << 8); }
static uint32_t rd32(reader *r) { uint32_t v = rd16(r); return v | (uint32_t)rd16(r) << 16; }

static uint8_t gen_byte(uint32_t raw) { return (uint8_t)((raw * 2654435761u) >> 24); }

/* ---- Reference model --------------------------------------------------- */

typedef struct {
    engine_segment_in in;  /* as fed (payload points into data) */
    uint8_t *data;         /* owned copy of the fed payload (in.caplen bytes) */
    uint32_t len_eff;      /* have_len ? len : 0 */
    uint32_t cap_eff;      /* min(caplen, len_eff) */
    uint64_t seq, data_seq; /* from the engine record (unwrapped) */
    bool stored;           /* the model says its captured bytes went to the store */
    bool data_class;       /* have_len, len > 0, not a keep-alive */
    bool keep_alive;       /* its byte is filler: a keep-alive or a persist probe */
    bool persist;          /* the Linux zero-window probe at snd.una - 1 (or next - 1) */
    bool zwp;
    bool has_next_before;
    uint64_t next_before;
    uint32_t old_bytes, new_bytes, conflict_bytes;
    uint32_t hole_opener;  /* out-of-order: owner (then) of the first kept byte past it */
    bool hole_resolved;
    int klass;             /* the model's class */
    int eng_klass;         /* the engine's class */
} model_seg;

typedef struct {
    bool seen, syn_seen, has_lowest, has_next, fin_seen, peer_acked, win_seen;
    uint64_t syn_seq, lowest, next_seq, claimed_end, fin_seq, peer_max_ack;
    uint32_t last_win;
    uint64_t segments, by_class[ENGINE_CLASS_COUNT], conflict_bytes;
    int64_t first_ns, last_ns;
} model_dir;

typedef struct run run;
typedef struct {
    engine_overlap_policy policy;
    run *expected[2];     /* kept runs the model expects per sender (normalised) */
    size_t nexpected[2];
    model_seg *segs;
    size_t n;
    model_dir dirs[2];
    bool client_known;
    unsigned client_sender;
    const uint8_t *input;
    size_t input_len;
} model;

static const char *relax_env;

static bool relaxed(const char *name)
{
    if (!relax_env)
        return false;
    size_t n = strlen(name);
    for (const char *p = relax_env; (p = strstr(p, name)) != NULL; p += n) {
        bool start_ok = p == relax_env || p[-1] == ',';
        bool end_ok = p[n] == '\0' || p[n] == ',';
        if (start_ok && end_ok)
            return true;
    }
    return false;
}

static const model *current_model;

static void dump_model(const model *m)
{
    fprintf(stderr, "fuzz_engine: input decoded as (policy %s, %zu segments):\n",
            m->policy == ENGINE_OVERLAP_FIRST ? "first" : "last", m->n);
    for (size_t i = 0; i < m->n && i < 64; i++) {
        const model_seg *s = &m->segs[i];
        fprintf(stderr,
                "  #%zu sender %u raw seq %" PRIu32 " ack %" PRIu32 " flags 0x%03x win %" PRIu32
                " have_len %d len %" PRIu32 " caplen %" PRIu32 " -> unwrapped seq %" PRIu64
                " data_seq %" PRIu64 " class %s (model %s) new %" PRIu32 " conflict %" PRIu32 "\n",
                i, s->in.sender, s->in.seq, s->in.ack, s->in.flags, s->in.win, (int)s->in.have_len,
                s->in.len, s->in.caplen, s->seq, s->data_seq,
                engine_class_name((engine_class)s->eng_klass),
                engine_class_name((engine_class)s->klass), s->new_bytes, s->conflict_bytes);
    }
}

static void violation(const char *name, const char *fmt, ...)
{
    if (relaxed(name))
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz_engine: VIOLATION [%s]: ", name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (current_model)
        dump_model(current_model);
    abort();
}

#define CHECK(name, cond, ...)                 \
    do {                                       \
        if (!(cond))                           \
            violation(name, __VA_ARGS__);      \
    } while (0)

/* ---- Decoding ---------------------------------------------------------- */

static uint32_t decode_len(reader *r, bool wide)
{
    if (wide)
        return rd32(r);
    uint8_t v = rd8(r);
    if (v < 240)
        return v;
    switch (v) {
    case 240: return 1460;
    case 241: return 65535;
    case 242: return 65536;
    case 243: return 0x7FFFFFFFu;
    case 244: return 0x80000000u;
    case 245: return 0xFFFFFFFFu;
    case 246: return 0xFFFFFFFEu;
    default: return (uint32_t)(v - 246) * 512u;
    }
}

static uint32_t decode_base(unsigned mode, uint32_t x)
{
    switch (mode & 3) {
    case 0: return x;
    case 1: return 0xFFFFFFFFu - (x & 0xFFF);
    case 2: return 0x80000000u - (x & 0xFFF);
    default: return x & 0xFFF;
    }
}

/* Decode the input into m->segs (payload copies owned by the model). */
static void decode(model *m, const uint8_t *data, size_t size)
{
    reader r = {data, size, 0};
    uint8_t h0 = rd8(&r);
    m->policy = (h0 & 1) ? ENGINE_OVERLAP_LAST : ENGINE_OVERLAP_FIRST;
    uint32_t x0 = rd32(&r), x1 = rd32(&r);
    uint32_t base[2] = {decode_base(h0 >> 1, x0), decode_base(h0 >> 3, x1)};
    uint32_t budget = MAX_TOTAL_CAP;

    m->segs = calloc(MAX_SEGMENTS, sizeof *m->segs);
    m->n = 0;
    while (r.off < r.n && m->n < MAX_SEGMENTS) {
        model_seg *s = &m->segs[m->n];
        engine_segment_in *in = &s->in;
        uint8_t c = rd8(&r);
        in->frame = (uint32_t)m->n + 1;
        in->time_ns = 1000000000LL * 1700000000LL + (int64_t)m->n * 1000;
        in->sender = c & 1;
        in->have_len = !(c & 2);
        in->flags = rd16(&r) & 0x1FF;
        if (c & 4)
            in->seq = base[in->sender] + rd32(&r);
        else
            in->seq = base[in->sender] + (uint32_t)(int32_t)(int16_t)rd16(&r);
        if (c & 8)
            in->ack = base[!in->sender] + rd32(&r);
        else
            in->ack = base[!in->sender] + (uint32_t)(int32_t)(int16_t)rd16(&r);
        in->len = decode_len(&r, c & 64);
        uint64_t caplen = in->len;
        if (c & 32) {
            uint8_t k = rd8(&r);
            if (k <= 250)
                caplen = k;
            else if (k < 255)
                caplen = in->len >= (uint32_t)(k - 250) ? in->len - (uint32_t)(k - 250) : 0;
            else
                caplen = (uint64_t)in->len + 1;
        }
        if (caplen > MAX_CAPLEN)
            caplen = MAX_CAPLEN;
        if (caplen > budget)
            caplen = budget;
        in->win = (uint32_t)rd8(&r) * 257u;
        uint8_t variant = (c & 128) ? rd8(&r) : 0;
        if (c & 16) {
            size_t avail = r.n - r.off;
            if (caplen > avail)
                caplen = avail;
        }
        in->caplen = (uint32_t)caplen;
        budget -= in->caplen;
        s->data = malloc(in->caplen ? in->caplen : 1);
        if (c & 16) {
            memcpy(s->data, r.p + r.off, in->caplen);
            r.off += in->caplen;
        } else {
            for (uint32_t i = 0; i < in->caplen; i++)
                s->data[i] = gen_byte(in->seq + i) ^ variant;
        }
        /* A payload pointer only when there are bytes, as the tap glue does. */
        in->payload = in->caplen ? s->data : NULL;
        m->n++;
    }
}

/* ---- Sequential model (what depends on the order of arrival) ------------ */

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static uint64_t nxtseq_of(const model_seg *s)
{
    return s->seq + s->len_eff + ((s->in.flags & ENGINE_TCP_SYN) ? 1 : 0) +
           ((s->in.flags & ENGINE_TCP_FIN) ? 1 : 0);
}

/* Mirror of the per-segment bookkeeping; uses the engine's unwrapped seq/ack. */
static void model_sequential(model *m, const engine_stream *es)
{
    for (size_t i = 0; i < m->n; i++) {
        model_seg *s = &m->segs[i];
        const engine_segment_in *in = &s->in;
        const engine_segment *rec = engine_segment_at(es, i);
        model_dir *d = &m->dirs[in->sender], *peer = &m->dirs[!in->sender];
        bool syn = in->flags & ENGINE_TCP_SYN, fin = in->flags & ENGINE_TCP_FIN;
        bool rst = in->flags & ENGINE_TCP_RST, ack = in->flags & ENGINE_TCP_ACK;

        s->len_eff = in->have_len ? in->len : 0;
        s->cap_eff = in->caplen < s->len_eff ? in->caplen : s->len_eff;
        s->seq = rec->seq;
        s->eng_klass = rec->klass;
        s->data_seq = rec->seq + (syn ? 1 : 0);

        if (ack) {
            peer->peer_max_ack = peer->peer_acked ? max_u64(peer->peer_max_ack, rec->ack) : rec->ack;
            peer->peer_acked = true;
        }
        if (!d->seen)
            d->first_ns = in->time_ns;
        d->seen = true;
        d->last_ns = in->time_ns;
        d->segments++;
        if (syn && !ack && !m->client_known) {
            m->client_known = true;
            m->client_sender = in->sender;
        }
        if (syn && !d->syn_seen) {
            d->syn_seen = true;
            d->syn_seq = s->seq;
        }
        /* an RST without ACK says where the direction starts only if it carries data */
        if (!rst || ack || s->cap_eff) {
            d->lowest = d->has_lowest ? min_u64(d->lowest, s->seq) : s->seq;
            d->has_lowest = true;
        }

        s->has_next_before = d->has_next;
        s->next_before = d->next_seq;
        bool probe_shape = in->have_len && in->len <= 1 && !(syn || fin || rst);
        s->persist = probe_shape && peer->win_seen && peer->last_win == 0 &&
                     ((d->has_next && s->seq + 1 == d->next_seq) || (d->peer_acked && s->seq + 1 == d->peer_max_ack));
        s->keep_alive = s->persist || (probe_shape && d->has_next && s->seq + 1 == d->next_seq);
        s->data_class = in->have_len && !s->keep_alive && in->len > 0;
        s->stored = s->data_class && s->cap_eff > 0;
        s->zwp = s->data_class && in->len == 1 && d->has_next && s->data_seq == d->next_seq &&
                 peer->win_seen && peer->last_win == 0;
        if (s->data_class)
            d->claimed_end = max_u64(d->claimed_end, s->data_seq + s->len_eff);
        if (fin) {
            uint64_t f = s->data_seq + s->len_eff;
            d->fin_seq = d->fin_seen ? max_u64(d->fin_seq, f) : f;
            d->fin_seen = true;
        }
        if (!s->keep_alive) {
            uint64_t nxt = nxtseq_of(s);
            d->next_seq = d->has_next ? max_u64(d->next_seq, nxt) : nxt;
            d->has_next = true;
        }
        d->last_win = in->win;
        d->win_seen = true;
    }
}

/* ---- Byte ownership model (elementary intervals) ----------------------- */

struct run {
    uint64_t seq, end;
    uint32_t segment;
};

typedef struct {
    run *v;
    size_t n, cap;
} runs;

static void runs_push(runs *r, uint64_t seq, uint64_t end, uint32_t segment)
{
    /* Normalise: merge with the previous run when contiguous and same segment. */
    if (r->n && r->v[r->n - 1].end == seq && r->v[r->n - 1].segment == segment) {
        r->v[r->n - 1].end = end;
        return;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n++] = (run){seq, end, segment};
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint32_t count_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint32_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += a[i] != b[i];
    return d;
}

/* For one sender: split the stored segments' captured ranges at every
 * boundary; for each elementary interval, the stored segments covering it in
 * arrival order give old/new/conflict bytes of each and the kept owner. */
static const model *sort_model;

static int cmp_by_start(const void *x, const void *y)
{
    uint64_t a = sort_model->segs[*(const uint32_t *)x].data_seq;
    uint64_t b = sort_model->segs[*(const uint32_t *)y].data_seq;
    return a < b ? -1 : a > b;
}

/* Call fn for every elementary interval [a, b) of the sender's stored bytes
 * with the stored segments covering it, in arrival order. */
typedef void (*sweep_fn)(model *m, uint64_t a, uint64_t b, const uint32_t *cover, size_t nc, void *ctx);

static void sweep(model *m, unsigned sender, sweep_fn fn, void *ctx)
{
    size_t npts = 0, nstored = 0, nactive = 0, next_start = 0;
    uint64_t *pts = malloc((2 * m->n + 1) * sizeof *pts);
    uint32_t *by_start = malloc((m->n + 1) * sizeof *by_start);
    uint32_t *cover = malloc((m->n + 1) * sizeof *cover); /* active, in arrival order */
    for (size_t i = 0; i < m->n; i++) {
        model_seg *s = &m->segs[i];
        if (s->in.sender != sender || !s->stored)
            continue;
        pts[npts++] = s->data_seq;
        pts[npts++] = s->data_seq + s->cap_eff;
        by_start[nstored++] = (uint32_t)i;
    }
    qsort(pts, npts, sizeof *pts, cmp_u64);
    sort_model = m;
    qsort(by_start, nstored, sizeof *by_start, cmp_by_start);
    /* A segment active at a (start <= a < end) covers all of [a, b). */
    for (size_t e = 0; e + 1 < npts; e++) {
        uint64_t a = pts[e], b = pts[e + 1];
        if (a == b)
            continue;
        size_t keep = 0;
        for (size_t p = 0; p < nactive; p++) {
            const model_seg *s = &m->segs[cover[p]];
            if (s->data_seq + s->cap_eff > a)
                cover[keep++] = cover[p];
        }
        nactive = keep;
        while (next_start < nstored && m->segs[by_start[next_start]].data_seq <= a) {
            uint32_t i = by_start[next_start++];
            size_t p = nactive++;
            while (p > 0 && cover[p - 1] > i) {
                cover[p] = cover[p - 1];
                p--;
            }
            cover[p] = i;
        }
        if (nactive)
            fn(m, a, b, cover, nactive, ctx);
    }
    free(pts);
    free(by_start);
    free(cover);
}

/* Pass 1: old/new/conflict bytes of every stored segment, and the kept runs.
 * The first segment covering a byte added it; each later one found an old
 * copy: the first one's (policy first) or the previous one's (policy last). */
static void sweep_bytes(model *m, uint64_t a, uint64_t b, const uint32_t *cover, size_t nc, void *ctx)
{
    for (size_t p = 0; p < nc; p++) {
        model_seg *s = &m->segs[cover[p]];
        if (p == 0) {
            s->new_bytes += (uint32_t)(b - a);
            continue;
        }
        s->old_bytes += (uint32_t)(b - a);
        const model_seg *kept = &m->segs[m->policy == ENGINE_OVERLAP_FIRST ? cover[0] : cover[p - 1]];
        s->conflict_bytes += count_diff(s->data + (a - s->data_seq), kept->data + (a - kept->data_seq),
                                        (size_t)(b - a));
    }
    runs_push(ctx, a, b, m->policy == ENGINE_OVERLAP_FIRST ? cover[0] : cover[nc - 1]);
}

static void model_bytes(model *m, unsigned sender, runs *expected)
{
    sweep(m, sender, sweep_bytes, expected);
}

/* Pass 2 (after classes): the hole opener of an out-of-order segment k is the
 * segment that, when k arrived, owned the first kept byte past k's bytes. */
static void sweep_openers(model *m, uint64_t a, uint64_t b, const uint32_t *cover, size_t nc, void *ctx)
{
    unsigned sender = *(const unsigned *)ctx;
    for (size_t i = 0; i < m->n; i++) {
        model_seg *k = &m->segs[i];
        if (k->in.sender != sender || k->klass != ENGINE_CLASS_OUT_OF_ORDER || !k->stored ||
            k->hole_resolved || k->data_seq + k->cap_eff > a)
            continue;
        uint32_t owner = ENGINE_NO_SEGMENT;
        for (size_t p = 0; p < nc && cover[p] < i; p++) {
            owner = cover[p];
            if (m->policy == ENGINE_OVERLAP_FIRST)
                break;
        }
        if (owner != ENGINE_NO_SEGMENT) {
            k->hole_opener = owner;
            k->hole_resolved = true;
        }
    }
}

static int model_class(const model_seg *s)
{
    if (!s->in.have_len)
        return ENGINE_CLASS_UNKNOWN_LENGTH;
    if (s->persist)
        return ENGINE_CLASS_ZERO_WINDOW_PROBE;
    if (s->keep_alive)
        return ENGINE_CLASS_KEEP_ALIVE;
    if (s->len_eff == 0)
        return ENGINE_CLASS_CONTROL;
    if (s->zwp && !s->conflict_bytes)
        return ENGINE_CLASS_ZERO_WINDOW_PROBE;
    if (s->conflict_bytes)
        return ENGINE_CLASS_CONFLICT;
    if (s->old_bytes == 0)
        return s->has_next_before && s->data_seq < s->next_before ? ENGINE_CLASS_OUT_OF_ORDER
                                                                  : ENGINE_CLASS_NEW;
    return s->new_bytes ? ENGINE_CLASS_OVERLAP : ENGINE_CLASS_RETRANSMISSION;
}

/* ---- Walk collection --------------------------------------------------- */

typedef struct {
    bool is_gap;
    uint64_t seq, len;
    uint32_t segment;       /* chunk */
    const uint8_t *data;    /* chunk */
    uint32_t after, before; /* gap */
    engine_gap_cause cause; /* gap */
} item;

typedef struct {
    item *v;
    size_t n, cap;
} items;

static void items_push(items *it, item x)
{
    if (it->n == it->cap) {
        it->cap = it->cap ? it->cap * 2 : 64;
        it->v = realloc(it->v, it->cap * sizeof *it->v);
    }
    it->v[it->n++] = x;
}

static void on_chunk(void *ctx, const engine_chunk *c)
{
    items_push(ctx, (item){false, c->seq, c->len, c->segment, c->data, 0, 0, 0});
}

static void on_gap(void *ctx, const engine_gap *g)
{
    items_push(ctx, (item){true, g->seq, g->len, 0, NULL, g->after_segment, g->before_segment, g->cause});
}

/* Whether [a, b) lies wholly inside / wholly outside the truncated ranges of
 * the sender's data segments. */
static int truncated_state(const model *m, unsigned sender, uint64_t a, uint64_t b)
{
    /* returns 1 all inside, 0 all outside, -1 mixed */
    uint64_t covered = 0;
    /* Union length of [data_seq + cap, data_seq + len) ∩ [a, b): sweep via sort. */
    size_t n = 0;
    uint64_t (*iv)[2] = malloc((m->n + 1) * sizeof *iv);
    for (size_t i = 0; i < m->n; i++) {
        const model_seg *s = &m->segs[i];
        if (s->in.sender != sender || !s->data_class || s->cap_eff >= s->len_eff)
            continue;
        uint64_t lo = max_u64(a, s->data_seq + s->cap_eff), hi = min_u64(b, s->data_seq + s->len_eff);
        if (lo < hi) {
            iv[n][0] = lo;
            iv[n][1] = hi;
            n++;
        }
    }
    /* insertion sort by start (n is small) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && iv[j - 1][0] > iv[j][0]; j--) {
            uint64_t t0 = iv[j][0], t1 = iv[j][1];
            iv[j][0] = iv[j - 1][0];
            iv[j][1] = iv[j - 1][1];
            iv[j - 1][0] = t0;
            iv[j - 1][1] = t1;
        }
    uint64_t cur = a;
    for (size_t i = 0; i < n; i++) {
        uint64_t lo = max_u64(cur, iv[i][0]);
        if (iv[i][1] > lo) {
            covered += iv[i][1] - lo;
            cur = iv[i][1];
        }
    }
    free(iv);
    if (covered == b - a)
        return 1;
    return covered == 0 ? 0 : -1;
}

/* ---- The checks -------------------------------------------------------- */

static void check_records(const model *m, const engine_stream *es)
{
    CHECK("record", engine_segment_count(es) == m->n, "segment count %zu, fed %zu",
          engine_segment_count(es), m->n);
    for (size_t i = 0; i < m->n; i++) {
        const model_seg *s = &m->segs[i];
        const engine_segment *rec = engine_segment_at(es, i);
        CHECK("record", rec != NULL, "no record for segment %zu", i);
        CHECK("record",
              rec->sender == s->in.sender && rec->frame == s->in.frame &&
                  (rec->flags & ~ENGINE_SEG_FILLER) == s->in.flags &&
                  !(rec->flags & ENGINE_SEG_FILLER) == !s->persist &&
                  rec->win == s->in.win && rec->time_ns == s->in.time_ns,
              "segment %zu: record does not mirror the input", i);
        CHECK("record", rec->len == s->len_eff && rec->caplen == s->cap_eff,
              "segment %zu: len %" PRIu32 " caplen %" PRIu32 ", expected %" PRIu32 " %" PRIu32, i,
              rec->len, rec->caplen, s->len_eff, s->cap_eff);
        CHECK("record", (uint32_t)rec->seq == s->in.seq,
              "segment %zu: unwrapped seq %" PRIu64 " does not end in raw %" PRIu32, i, rec->seq, s->in.seq);
        CHECK("record", !(s->in.flags & ENGINE_TCP_ACK) || (uint32_t)rec->ack == s->in.ack,
              "segment %zu: unwrapped ack %" PRIu64 " does not end in raw %" PRIu32, i, rec->ack, s->in.ack);
        CHECK("record", engine_segment_nxtseq(rec) == nxtseq_of(s), "segment %zu: nxtseq", i);
        CHECK("class", rec->klass < ENGINE_CLASS_COUNT, "segment %zu: class %u out of range", i, rec->klass);
        int want = model_class(s);
        CHECK("class", rec->klass == want, "segment %zu: class %s, model says %s", i,
              engine_class_name((engine_class)rec->klass), engine_class_name((engine_class)want));
        uint32_t want_new = s->stored ? s->new_bytes : 0, want_conflict = s->stored ? s->conflict_bytes : 0;
        CHECK("class", rec->hole_opener == s->hole_opener,
              "segment %zu (%s): hole_opener %" PRIu32 ", model %" PRIu32, i,
              engine_class_name((engine_class)rec->klass), rec->hole_opener, s->hole_opener);
        CHECK("class", rec->new_bytes == want_new && rec->conflict_bytes == want_conflict,
              "segment %zu: new_bytes %" PRIu32 " conflict_bytes %" PRIu32 ", model %" PRIu32 " %" PRIu32,
              i, rec->new_bytes, rec->conflict_bytes, want_new, want_conflict);
    }
}

static void check_range(const model *m, const engine_stream *es, unsigned sender, const items *all);

static void check_direction(model *m, const engine_stream *es, unsigned sender)
{
    const model_dir *md = &m->dirs[sender];
    const engine_dir_stats *st = engine_stats(es, sender);
    items it = {0};
    const engine_walk_cb cb = {on_chunk, on_gap};
    engine_walk(es, sender, &cb, &it);

    CHECK("stats", engine_sender_seen(es, sender) == md->seen, "sender %u: seen", sender);
    if (!md->seen)
        CHECK("order", it.n == 0, "sender %u never sent but the walk has %zu items", sender, it.n);

    /* The direction's start as the model sees it (0 when it cannot tell:
     * only RST-without-ACK segments). */
    bool have_start = md->seen && (md->syn_seen || md->has_lowest);
    uint64_t start = !have_start ? 0 : md->syn_seen ? md->syn_seq + 1 : md->lowest;

    /* [order] and [data] per item, sums for [stats] */
    uint64_t kept = 0, missing = 0, ngaps = 0;
    for (size_t k = 0; k < it.n; k++) {
        const item *x = &it.v[k];
        CHECK("order", x->len > 0, "sender %u item %zu: empty %s at %" PRIu64, sender, k,
              x->is_gap ? "gap" : "chunk", x->seq);
        CHECK("order", x->seq + x->len > x->seq, "sender %u item %zu: wraps 2^64", sender, k);
        if (k > 0) {
            const item *p = &it.v[k - 1];
            CHECK("order", x->seq >= p->seq + p->len,
                  "sender %u: item %zu [%" PRIu64 ", +%" PRIu64 ") overlaps or precedes item %zu [%" PRIu64
                  ", +%" PRIu64 ")",
                  sender, k, x->seq, x->len, k - 1, p->seq, p->len);
            /* A hole wholly below the direction's start (kept bytes before
             * the SYN / the lowest seq) is reported under its own name. */
            const char *hole = !have_start ? "tile-nostart" : x->seq <= start ? "tile-prestart" : "tile";
            CHECK(hole, x->seq == p->seq + p->len,
                  "sender %u: hole [%" PRIu64 ", %" PRIu64 ") between item %zu (%s) and item %zu (%s): "
                  "neither kept nor reported as a gap",
                  sender, p->seq + p->len, x->seq, k - 1, p->is_gap ? "gap" : "chunk", k,
                  x->is_gap ? "gap" : "chunk");
        }
        if (x->is_gap) {
            missing += x->len;
            ngaps++;
            continue;
        }
        kept += x->len;
        CHECK("data", x->segment < m->n, "sender %u chunk %zu: segment %" PRIu32 " out of range", sender, k,
              x->segment);
        const model_seg *s = &m->segs[x->segment];
        CHECK("data", s->in.sender == sender, "sender %u chunk %zu: segment %" PRIu32 " was sent by %u",
              sender, k, x->segment, s->in.sender);
        CHECK("data", x->data != NULL, "sender %u chunk %zu: NULL data", sender, k);
        CHECK("data", x->seq >= s->data_seq && x->seq + x->len <= s->data_seq + s->cap_eff,
              "sender %u chunk %zu [%" PRIu64 ", +%" PRIu64 ") lies outside the bytes segment %" PRIu32
              " carried [%" PRIu64 ", +%" PRIu32 ")",
              sender, k, x->seq, x->len, x->segment, s->data_seq, s->cap_eff);
        CHECK("data", memcmp(x->data, s->data + (x->seq - s->data_seq), (size_t)x->len) == 0,
              "sender %u chunk %zu [%" PRIu64 ", +%" PRIu64 "): bytes differ from segment %" PRIu32
              " at offset %" PRIu64,
              sender, k, x->seq, x->len, x->segment, x->seq - s->data_seq);
    }

    /* [owner]: normalised kept runs == the model's expected runs */
    runs expected = {m->expected[sender], m->nexpected[sender], m->nexpected[sender]}, actual = {0};
    for (size_t k = 0; k < it.n; k++)
        if (!it.v[k].is_gap)
            runs_push(&actual, it.v[k].seq, it.v[k].seq + it.v[k].len, it.v[k].segment);
    for (size_t k = 0; k < expected.n || k < actual.n; k++) {
        CHECK("owner", k < expected.n && k < actual.n,
              "sender %u: %zu kept runs, model expects %zu (first difference at run %zu)", sender, actual.n,
              expected.n, k);
        const run *e = &expected.v[k], *a = &actual.v[k];
        CHECK("owner", e->seq == a->seq && e->end == a->end && e->segment == a->segment,
              "sender %u run %zu: kept [%" PRIu64 ", %" PRIu64 ") from segment %" PRIu32
              ", model (policy %s) expects [%" PRIu64 ", %" PRIu64 ") from segment %" PRIu32,
              sender, k, a->seq, a->end, a->segment, m->policy == ENGINE_OVERLAP_FIRST ? "first" : "last",
              e->seq, e->end, e->segment);
    }
    free(actual.v);

    /* [tile]: bounds */
    if (have_start) {
        uint64_t end = max_u64(start, md->claimed_end);
        if (md->fin_seen)
            end = max_u64(end, md->fin_seq);
        if (md->peer_acked)
            end = max_u64(end, md->fin_seen ? min_u64(md->peer_max_ack, md->fin_seq) : md->peer_max_ack);
        CHECK("tile", (uint64_t)(start - 1) == (uint64_t)(0 - (uint64_t)engine_relative_seq(es, sender, 0)),
              "sender %u: relative-seq base is not start - 1", sender);
        CHECK("tile", engine_base_raw(es, sender) == (uint32_t)(start - 1), "sender %u: base_raw %" PRIu32
              ", expected %" PRIu32, sender, engine_base_raw(es, sender), (uint32_t)(start - 1));
        if (it.n == 0) {
            CHECK("tile", start == end, "sender %u: empty walk but [%" PRIu64 ", %" PRIu64 ") expected", sender,
                  start, end);
        } else {
            const item *first = &it.v[0], *last = &it.v[it.n - 1];
            uint64_t want_first = first->is_gap ? start : min_u64(start, first->seq);
            CHECK("tile", first->seq == want_first,
                  "sender %u: walk starts at %" PRIu64 ", expected %" PRIu64 " (start %" PRIu64 ")", sender,
                  first->seq, want_first, start);
            /* Everything kept below the start and nothing walked up to it:
             * the same pre-start defect as a hole below the start. */
            CHECK(last->seq + last->len <= start ? "tile-prestart" : "tile", last->seq + last->len == end,
                  "sender %u: walk ends at %" PRIu64 ", expected end %" PRIu64, sender, last->seq + last->len,
                  end);
        }
    }

    /* [gap]: causes and neighbours */
    uint32_t prev_chunk = ENGINE_NO_SEGMENT;
    for (size_t k = 0; k < it.n; k++) {
        const item *x = &it.v[k];
        if (!x->is_gap) {
            prev_chunk = x->segment;
            continue;
        }
        uint32_t next_chunk = ENGINE_NO_SEGMENT;
        for (size_t j = k + 1; j < it.n; j++)
            if (!it.v[j].is_gap) {
                next_chunk = it.v[j].segment;
                break;
            }
        CHECK("gap", x->after == prev_chunk && x->before == next_chunk,
              "sender %u gap %zu at %" PRIu64 ": after/before %" PRIu32 "/%" PRIu32 ", expected %" PRIu32
              "/%" PRIu32,
              sender, k, x->seq, x->after, x->before, prev_chunk, next_chunk);
        int t = truncated_state(m, sender, x->seq, x->seq + x->len);
        CHECK("gap", t >= 0, "sender %u gap %zu [%" PRIu64 ", +%" PRIu64 ") mixes truncated and not-captured bytes",
              sender, k, x->seq, x->len);
        CHECK("gap", (t == 1) == (x->cause == ENGINE_GAP_TRUNCATED),
              "sender %u gap %zu [%" PRIu64 ", +%" PRIu64 "): cause %s, model says %s", sender, k, x->seq, x->len,
              engine_gap_cause_name(x->cause), t == 1 ? "truncated" : "not-captured");
    }

    check_range(m, es, sender, &it);

    /* [stats] */
    CHECK("stats", st->kept_bytes == kept, "sender %u: kept_bytes %" PRIu64 ", chunks sum to %" PRIu64, sender,
          st->kept_bytes, kept);
    CHECK("stats", st->missing_bytes == missing, "sender %u: missing_bytes %" PRIu64 ", gaps sum to %" PRIu64,
          sender, st->missing_bytes, missing);
    CHECK("stats", st->gaps == ngaps, "sender %u: gaps %" PRIu64 ", walked %" PRIu64, sender, st->gaps, ngaps);
    CHECK("stats", st->segments == md->segments, "sender %u: segments %" PRIu64 ", fed %" PRIu64, sender,
          st->segments, md->segments);
    uint64_t sum = 0;
    for (int c = 0; c < ENGINE_CLASS_COUNT; c++) {
        sum += st->by_class[c];
        CHECK("stats", st->by_class[c] == md->by_class[c], "sender %u: by_class[%s] %" PRIu64 ", counted %" PRIu64,
              sender, engine_class_name((engine_class)c), st->by_class[c], md->by_class[c]);
    }
    CHECK("stats", sum == st->segments, "sender %u: sum(by_class) %" PRIu64 " != segments %" PRIu64, sender, sum,
          st->segments);
    CHECK("stats", st->conflict_bytes == md->conflict_bytes,
          "sender %u: conflict_bytes %" PRIu64 ", records sum to %" PRIu64, sender, st->conflict_bytes,
          md->conflict_bytes);
    if (md->seen)
        CHECK("stats", st->first_ns == md->first_ns && st->last_ns == md->last_ns, "sender %u: first/last time",
              sender);
    free(it.v);
}

/* ---- engine_walk_range: the chunks of a range -------------------------- */

typedef struct {
    const items *all; /* the full walk */
    size_t next;      /* index of the next chunk expected */
    uint64_t from, to;
    unsigned sender;
    size_t got;
} range_ctx;

static bool intersects(const item *x, uint64_t from, uint64_t to)
{
    return !x->is_gap && x->seq < to && x->seq + x->len > from;
}

static void on_range_chunk(void *ctx, const engine_chunk *c)
{
    range_ctx *r = ctx;
    while (r->next < r->all->n && !intersects(&r->all->v[r->next], r->from, r->to))
        r->next++;
    CHECK("range", r->next < r->all->n,
          "sender %u range [%" PRIu64 ", %" PRIu64 "): chunk [%" PRIu64 ", +%" PRIu64
          ") is not a kept chunk intersecting it (or comes out of order)",
          r->sender, r->from, r->to, c->seq, c->len);
    const item *x = &r->all->v[r->next++];
    CHECK("range", c->seq == x->seq && c->len == x->len && c->segment == x->segment && c->data == x->data,
          "sender %u range [%" PRIu64 ", %" PRIu64 "): chunk [%" PRIu64 ", +%" PRIu64 ") segment %" PRIu32
          ", the walk has [%" PRIu64 ", +%" PRIu64 ") segment %" PRIu32,
          r->sender, r->from, r->to, c->seq, c->len, c->segment, x->seq, x->len, x->segment);
    r->got++;
}

/* engine_walk_range(from, to) yields exactly the walk's chunks that
 * intersect [from, to), whole and in order. Ranges: every segment's captured
 * bytes (how the text timeline asks), every gap (nothing), everything. */
static void check_range(const model *m, const engine_stream *es, unsigned sender, const items *all)
{
    size_t nranges = 0;
    uint64_t (*ranges)[2] = malloc((m->n + all->n + 1) * sizeof *ranges);
    for (size_t i = 0; i < m->n; i++)
        if (m->segs[i].in.sender == sender && m->segs[i].cap_eff) {
            ranges[nranges][0] = m->segs[i].data_seq;
            ranges[nranges++][1] = m->segs[i].data_seq + m->segs[i].cap_eff;
        }
    for (size_t k = 0; k < all->n; k++)
        if (all->v[k].is_gap) {
            ranges[nranges][0] = all->v[k].seq;
            ranges[nranges++][1] = all->v[k].seq + all->v[k].len;
        }
    ranges[nranges][0] = 0;
    ranges[nranges++][1] = UINT64_MAX;
    for (size_t k = 0; k < nranges; k++) {
        range_ctx r = {all, 0, ranges[k][0], ranges[k][1], sender, 0};
        engine_walk_range(es, sender, r.from, r.to, on_range_chunk, &r);
        size_t want = 0;
        for (size_t j = 0; j < all->n; j++)
            want += intersects(&all->v[j], r.from, r.to);
        CHECK("range", r.got == want,
              "sender %u range [%" PRIu64 ", %" PRIu64 "): %zu chunks, %zu kept chunks intersect it", sender,
              r.from, r.to, r.got, want);
    }
    free(ranges);
}

/* ---- Lean engines: differential against the full engine ---------------- */

/* Kept ranges of a walk with contiguous chunks merged (lean engines keep
 * coverage, not copies: their chunks are these ranges), each with the frame
 * of its first byte. */
static void coverage_of(const items *it, runs *out, const engine_stream *e)
{
    for (size_t k = 0; k < it->n; k++) {
        const item *x = &it->v[k];
        if (x->is_gap)
            continue;
        if (out->n && out->v[out->n - 1].end == x->seq) {
            out->v[out->n - 1].end = x->seq + x->len;
            continue;
        }
        runs_push(out, x->seq, x->seq + x->len, engine_segment_frame(e, x->segment));
    }
}

static bool same_record(const engine_segment *a, const engine_segment *b)
{
    return a->seq == b->seq && a->ack == b->ack && a->time_ns == b->time_ns && a->frame == b->frame &&
           a->len == b->len && a->caplen == b->caplen && a->new_bytes == b->new_bytes && a->win == b->win &&
           a->flags == b->flags && a->sender == b->sender;
}

/* A lean engine must agree with the full one on everything but conflicts
 * with bytes it no longer holds (older than its payload window, or already
 * acknowledged without records): it may find fewer conflicts, never more. */
static void check_lean(const model *m, const engine_stream *full, bool keep_records)
{
    const char *mode = keep_records ? "lean" : "lean-norecords";
    engine_stream *ls = engine_new_lean(m->policy, keep_records);
    bool conflicts_equal = true;
    for (size_t i = 0; i < m->n; i++) {
        /* settling midway (a live view) must not change what comes out at the end */
        if (i == m->n / 2)
            engine_finish(ls);
        const engine_segment *r = engine_add_segment(ls, &m->segs[i].in);
        const engine_segment *f = engine_segment_at(full, i);
        CHECK("lean", r != NULL && same_record(r, f), "%s segment %zu: record differs from the full engine's", mode,
              i);
        /* More conflict bytes than the full engine: compared with a copy that
         * the policy did not keep (reported under its own name). */
        CHECK("lean-conflict-excess", r->conflict_bytes <= f->conflict_bytes,
              "%s segment %zu: %" PRIu32 " conflict bytes, the full engine found %" PRIu32, mode, i,
              r->conflict_bytes, f->conflict_bytes);
        if (r->conflict_bytes != f->conflict_bytes) {
            conflicts_equal = false;
            continue;
        }
        CHECK("lean", r->klass == f->klass, "%s segment %zu: class %s, full engine %s", mode, i,
              engine_class_name((engine_class)r->klass), engine_class_name((engine_class)f->klass));
        CHECK("lean", !keep_records || r->hole_opener == f->hole_opener,
              "%s segment %zu: hole_opener %" PRIu32 ", full engine %" PRIu32, mode, i, r->hole_opener,
              f->hole_opener);
    }
    engine_finish(ls);
    (void)engine_memory_bytes(ls);
    CHECK("lean", engine_segment_count(ls) == (keep_records ? m->n : 0), "%s: %zu records", mode,
          engine_segment_count(ls));
    CHECK("lean", engine_client_sender(ls) == engine_client_sender(full), "%s: client sender", mode);
    for (unsigned sender = 0; sender < 2; sender++) {
        const engine_dir_stats *a = engine_stats(ls, sender), *b = engine_stats(full, sender);
        CHECK("lean", engine_sender_seen(ls, sender) == engine_sender_seen(full, sender), "%s: seen", mode);
        CHECK("lean",
              a->segments == b->segments && a->kept_bytes == b->kept_bytes && a->missing_bytes == b->missing_bytes &&
                  a->gaps == b->gaps && a->first_ns == b->first_ns && a->last_ns == b->last_ns,
              "%s sender %u: stats differ from the full engine's (kept %" PRIu64 "/%" PRIu64 ", missing %" PRIu64
              "/%" PRIu64 ", gaps %" PRIu64 "/%" PRIu64 ")",
              mode, sender, a->kept_bytes, b->kept_bytes, a->missing_bytes, b->missing_bytes, a->gaps, b->gaps);
        CHECK("lean-conflict-excess", a->conflict_bytes <= b->conflict_bytes, "%s sender %u: more conflict bytes",
              mode, sender);
        if (conflicts_equal)
            CHECK("lean", memcmp(a->by_class, b->by_class, sizeof a->by_class) == 0 &&
                              a->conflict_bytes == b->conflict_bytes,
                  "%s sender %u: by_class differs from the full engine's", mode, sender);
        if (engine_sender_seen(full, sender))
            CHECK("lean", engine_relative_seq(ls, sender, 0) == engine_relative_seq(full, sender, 0),
                  "%s sender %u: relative-seq base", mode, sender);

        items li = {0}, fi = {0};
        const engine_walk_cb cb = {on_chunk, on_gap};
        engine_walk(ls, sender, &cb, &li);
        engine_walk(full, sender, &cb, &fi);
        runs lc = {0}, fc = {0};
        coverage_of(&li, &lc, ls);
        coverage_of(&fi, &fc, full);
        CHECK("lean", lc.n == fc.n, "%s sender %u: %zu covered ranges, full engine %zu", mode, sender, lc.n, fc.n);
        for (size_t k = 0; k < lc.n; k++)
            CHECK("lean", lc.v[k].seq == fc.v[k].seq && lc.v[k].end == fc.v[k].end && lc.v[k].segment == fc.v[k].segment,
                  "%s sender %u range %zu: [%" PRIu64 ", %" PRIu64 ") from frame %" PRIu32
                  ", full engine [%" PRIu64 ", %" PRIu64 ") from frame %" PRIu32,
                  mode, sender, k, lc.v[k].seq, lc.v[k].end, lc.v[k].segment, fc.v[k].seq, fc.v[k].end,
                  fc.v[k].segment);
        size_t gi = 0, gf = 0;
        for (size_t k = 0; k < li.n; k++) {
            const item *x = &li.v[k];
            if (!x->is_gap) {
                CHECK("lean", x->data == NULL, "%s sender %u chunk %zu carries data", mode, sender, k);
                continue;
            }
            while (gf < fi.n && !fi.v[gf].is_gap)
                gf++;
            CHECK("lean", gf < fi.n, "%s sender %u: gap %zu at %" PRIu64 " not in the full engine's walk", mode,
                  sender, gi, x->seq);
            const item *y = &fi.v[gf++];
            CHECK("lean", x->seq == y->seq && x->len == y->len && x->cause == y->cause,
                  "%s sender %u gap %zu: [%" PRIu64 ", +%" PRIu64 ") %s, full engine [%" PRIu64 ", +%" PRIu64 ") %s",
                  mode, sender, gi, x->seq, x->len, engine_gap_cause_name(x->cause), y->seq, y->len,
                  engine_gap_cause_name(y->cause));
            /* without records the engine names segments by frame */
            uint32_t xa = engine_segment_frame(ls, x->after), xb = engine_segment_frame(ls, x->before);
            uint32_t ya = engine_segment_frame(full, y->after), yb = engine_segment_frame(full, y->before);
            CHECK("lean", xa == ya && xb == yb,
                  "%s sender %u gap %zu at %" PRIu64 ": after/before frames %" PRIu32 "/%" PRIu32
                  ", full engine %" PRIu32 "/%" PRIu32,
                  mode, sender, gi, x->seq, xa, xb, ya, yb);
            gi++;
        }
        while (gf < fi.n && !fi.v[gf].is_gap)
            gf++;
        CHECK("lean", gf == fi.n, "%s sender %u: the full engine has more gaps", mode, sender);
        free(li.v);
        free(fi.v);
        free(lc.v);
        free(fc.v);
    }
    engine_free(ls);
}

/* ---- Diagnosis --------------------------------------------------------- */

/* SACK blocks derived from the input (its format has none): some ACKs SACK
 * bytes above the ACK, some report a D-SACK below it. */
static diag_sack derived_sack(const engine_segment_in *in)
{
    diag_sack sack = {0};
    if (!(in->flags & ENGINE_TCP_ACK))
        return sack;
    if (in->frame % 3 == 0) {
        sack.left[sack.count] = in->ack + 1 + in->win % 4000;
        sack.right[sack.count++] = in->ack + 1 + in->win % 4000 + 1 + in->frame % 3000;
    }
    if (in->frame % 5 == 0) {
        sack.left[sack.count] = in->ack - 1 - in->frame % 2000;
        sack.right[sack.count++] = in->ack;
    }
    return sack;
}

static void feed_diagnosis(diagnosis *dg, const engine_stream *es, const engine_segment *rec,
                           const engine_segment_in *in)
{
    diag_sack sack = derived_sack(in);
    diagnosis_add(dg, es, rec, &sack);
}

static void check_time(const diag_time *t, int64_t active, const char *what, unsigned n)
{
    int64_t sum = 0;
    for (unsigned b = 0; b < DIAG_TIME_COUNT; b++) {
        CHECK("diag", t->ns[b] >= 0, "%s %u: bucket %s is %" PRId64 " ns", what, n, diag_time_bucket_name(b),
              t->ns[b]);
        sum += t->ns[b];
    }
    CHECK("diag", sum == active, "%s %u: partition %" PRId64 " ns != active %" PRId64 " ns", what, n, sum, active);
}

static void check_diagnosis(const diagnosis *dg, size_t nsegments_fed, bool with_segments)
{
    size_t nsegments = with_segments ? nsegments_fed : 0;
    GArray *eps = diagnosis_episodes(dg), *turns = diagnosis_turns(dg), *zws = diagnosis_zero_windows(dg);
    int64_t turn_active[2] = {0, 0};
    for (guint k = 0; k < turns->len; k++) {
        const diag_turn *t = &g_array_index(turns, diag_turn, k);
        check_time(&t->time, t->active_ns, "turn", k);
        turn_active[t->sender & 1] += t->active_ns;
    }
    uint64_t by_cause[2][DIAG_CAUSE_COUNT] = {{0}};
    for (guint k = 0; k < eps->len; k++) {
        const diag_episode *e = &g_array_index(eps, diag_episode, k);
        CHECK("diag", e->sender < 2 && e->cause < DIAG_CAUSE_COUNT, "episode %u: sender %u cause %d", k,
              e->sender, (int)e->cause);
        CHECK("diag", e->end > e->seq, "episode %u: empty range", k);
        by_cause[e->sender & 1][e->cause]++;
    }
    for (unsigned sender = 0; sender < 2; sender++) {
        const diag_dir *dd = diagnosis_dir(dg, sender);
        check_time(&dd->time, dd->active_ns, "sender", sender);
        CHECK("diag", turn_active[sender] == dd->active_ns, "sender %u: turns' active %" PRId64 " != %" PRId64,
              sender, turn_active[sender], dd->active_ns);
        for (unsigned c = 0; c < DIAG_CAUSE_COUNT; c++)
            CHECK("diag", dd->repairs[c] == by_cause[sender][c], "sender %u: %" PRIu64 " %s repairs, %" PRIu64
                  " episodes", sender, dd->repairs[c], diag_cause_name(c), by_cause[sender][c]);
    }
    for (guint k = 0; k < zws->len; k++) {
        const diag_zero_window *z = &g_array_index(zws, diag_zero_window, k);
        CHECK("diag", z->sender < 2 && z->probes <= nsegments_fed, "zero window %u: sender %u, %u probes", k,
              z->sender, z->probes);
    }
    for (size_t i = 0; with_segments && i < nsegments; i++) {
        const diag_segment *ds = diagnosis_segment(dg, i);
        CHECK("diag", ds != NULL, "segment %zu: no diagnosis", i);
        CHECK("diag", ds->episode == DIAG_NO_EPISODE || (guint)ds->episode < eps->len, "segment %zu: episode %d",
              i, ds->episode);
        CHECK("diag", ds->rtt_ack == ENGINE_NO_SEGMENT || (ds->rtt_ack > i && ds->rtt_ack < nsegments),
              "segment %zu: RTT from segment %" PRIu32, i, ds->rtt_ack);
    }
}

/* The all-streams summary's diagnosis: no segments, on a lean engine without records. */
static void check_diagnosis_lean(const model *m)
{
    engine_stream *ls = engine_new_lean(m->policy, false);
    diagnosis *dg = diagnosis_new(false);
    for (size_t i = 0; i < m->n; i++)
        feed_diagnosis(dg, ls, engine_add_segment(ls, &m->segs[i].in), &m->segs[i].in);
    engine_finish(ls);
    diagnosis_finish(dg, ls);
    check_diagnosis(dg, m->n, false);
    diagnosis_free(dg);
    engine_free(ls);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        relax_env = getenv("TFT_FUZZ_RELAX");
        for (int c = 0; c <= ENGINE_CLASS_COUNT; c++)
            CHECK("record", engine_class_name((engine_class)c) != NULL, "no name for class %d", c);
        CHECK("record", engine_gap_cause_name(ENGINE_GAP_NOT_CAPTURED) && engine_gap_cause_name(ENGINE_GAP_TRUNCATED),
              "no gap cause name");
        engine_free(NULL);
        init = true;
    }
    model m;
    memset(&m, 0, sizeof m);
    m.input = data;
    m.input_len = size;
    decode(&m, data, size);

    engine_stream *es = engine_new(m.policy);
    diagnosis *dg = diagnosis_new(true);
    current_model = &m;
    for (size_t i = 0; i < m.n; i++) {
        const engine_segment *r = engine_add_segment(es, &m.segs[i].in);
        CHECK("record", r == engine_segment_at(es, i), "segment %zu: returned record is not record %zu", i, i);
        feed_diagnosis(dg, es, r, &m.segs[i].in);
    }
    engine_finish(es);
    engine_finish(es); /* idempotent */
    diagnosis_finish(dg, es);
    check_diagnosis(dg, m.n, true);
    diagnosis_free(dg);
    check_diagnosis_lean(&m);
    (void)engine_memory_bytes(es);

    current_model = &m;
    model_sequential(&m, es);
    /* old/new/conflict need every direction's byte model before the class check */
    for (unsigned sender = 0; sender < 2; sender++) {
        runs expected = {0};
        model_bytes(&m, sender, &expected);
        m.expected[sender] = expected.v;
        m.nexpected[sender] = expected.n;
    }
    for (size_t i = 0; i < m.n; i++) {
        model_seg *s = &m.segs[i];
        s->hole_opener = ENGINE_NO_SEGMENT;
        s->klass = model_class(s);
        m.dirs[s->in.sender].by_class[s->klass]++;
        m.dirs[s->in.sender].conflict_bytes += s->stored ? s->conflict_bytes : 0;
    }
    for (unsigned sender = 0; sender < 2; sender++)
        sweep(&m, sender, sweep_openers, &sender);
    check_records(&m, es);
    CHECK("stats", engine_client_sender(es) == (m.client_known ? m.client_sender : 0), "client sender %u",
          engine_client_sender(es));
    for (unsigned sender = 0; sender < 2; sender++)
        check_direction(&m, es, sender);
    check_lean(&m, es, true);
    check_lean(&m, es, false);
    if (getenv("TFT_FUZZ_DUMP")) {
        dump_model(&m);
        for (unsigned sender = 0; sender < 2; sender++) {
            const engine_dir_stats *st = engine_stats(es, sender);
            fprintf(stderr, "  sender %u: kept %" PRIu64 " missing %" PRIu64 " in %" PRIu64 " gap(s)\n", sender,
                    st->kept_bytes, st->missing_bytes, st->gaps);
        }
    }
    current_model = NULL;

    engine_free(es);
    for (size_t i = 0; i < m.n; i++)
        free(m.segs[i].data);
    free(m.segs);
    free(m.expected[0]);
    free(m.expected[1]);
    return 0;
}
