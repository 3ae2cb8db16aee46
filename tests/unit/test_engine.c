/* Engine unit tests: every class, every gap rule, wraparound, both policies.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "analysis.h"
#include "engine.h"

#include <glib.h>
#include <string.h>

#define A ENGINE_TCP_ACK
#define S ENGINE_TCP_SYN
#define F ENGINE_TCP_FIN
#define R ENGINE_TCP_RST
#define P ENGINE_TCP_PSH

typedef struct {
    engine_stream *e;
    uint32_t frame;
    uint32_t win[2];
    int64_t next_ns; /* when set, the time of the next segment */
} fixture;

static void fx_init(fixture *fx, engine_overlap_policy policy)
{
    memset(fx, 0, sizeof *fx);
    fx->e = engine_new(policy);
    fx->win[0] = fx->win[1] = 65535;
}

/* Feed one segment; data may be NULL (then len bytes are unknown: caplen 0). */
static void feed_full(fixture *fx, unsigned sender, uint32_t seq, uint32_t ack, uint16_t flags,
                      const char *data, uint32_t len, uint32_t caplen)
{
    engine_segment_in in = {
        .frame = ++fx->frame,
        .time_ns = fx->next_ns ? fx->next_ns : 1700000000000000000 + (int64_t)fx->frame * 1000,
        .sender = sender,
        .seq = seq,
        .ack = ack,
        .flags = flags,
        .win = fx->win[sender],
        .have_len = true,
        .len = len,
        .payload = (const uint8_t *)data,
        .caplen = caplen,
    };
    engine_add_segment(fx->e, &in);
}

static void feed(fixture *fx, unsigned sender, uint32_t seq, uint32_t ack, uint16_t flags, const char *data)
{
    uint32_t n = data ? (uint32_t)strlen(data) : 0;
    feed_full(fx, sender, seq, ack, flags, data, n, n);
}

/* A handshake: client ISN ci, server ISN si. */
static void handshake(fixture *fx, uint32_t ci, uint32_t si)
{
    feed(fx, 0, ci, 0, S, NULL);
    feed(fx, 1, si, ci + 1, S | A, NULL);
    feed(fx, 0, ci + 1, si + 1, A, NULL);
}

static const char *class_of(fixture *fx, uint32_t frame)
{
    return engine_class_name(engine_segment_at(fx->e, frame - 1)->klass);
}

typedef struct {
    GString *bytes;
    GString *chunks; /* "seq:len@frame " */
    GString *gaps;   /* "seq+len(after,before,cause) " */
    const engine_stream *e;
    unsigned sender;
} walk_result;

static void on_chunk(void *ctx, const engine_chunk *c)
{
    walk_result *w = ctx;
    if (c->data)
        g_string_append_len(w->bytes, (const char *)c->data, (gssize)c->len);
    g_string_append_printf(w->chunks, "%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT "@%u ",
                           engine_relative_seq(w->e, w->sender, c->seq), c->len,
                           engine_segment_at(w->e, c->segment)->frame);
}

static long frame_or_minus(const engine_stream *e, uint32_t segment)
{
    return segment == ENGINE_NO_SEGMENT ? -1 : (long)engine_segment_at(e, segment)->frame;
}

static void on_gap(void *ctx, const engine_gap *g)
{
    walk_result *w = ctx;
    g_string_append_printf(w->gaps, "%" G_GINT64_FORMAT "+%" G_GUINT64_FORMAT "(%ld,%ld,%s) ",
                           engine_relative_seq(w->e, w->sender, g->seq), g->len,
                           frame_or_minus(w->e, g->after_segment), frame_or_minus(w->e, g->before_segment),
                           engine_gap_cause_name(g->cause));
}

static walk_result walk(fixture *fx, unsigned sender)
{
    engine_finish(fx->e);
    walk_result w = {g_string_new(NULL), g_string_new(NULL), g_string_new(NULL), fx->e, sender};
    const engine_walk_cb cb = {on_chunk, on_gap};
    engine_walk(fx->e, sender, &cb, &w);
    return w;
}

static void walk_free(walk_result *w)
{
    g_string_free(w->bytes, TRUE);
    g_string_free(w->chunks, TRUE);
    g_string_free(w->gaps, TRUE);
}

static void expect_dir(fixture *fx, unsigned sender, const char *bytes, const char *chunks, const char *gaps)
{
    walk_result w = walk(fx, sender);
    g_assert_cmpstr(w.bytes->str, ==, bytes);
    if (chunks)
        g_assert_cmpstr(w.chunks->str, ==, chunks);
    g_assert_cmpstr(w.gaps->str, ==, gaps);
    walk_free(&w);
}

static void test_in_order(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 1000, 5000);
    feed(&fx, 0, 1001, 5001, A | P, "GET /");
    feed(&fx, 1, 5001, 1006, A | P, "200 OK");
    feed(&fx, 0, 1006, 5007, A | F, NULL);
    feed(&fx, 1, 5007, 1007, A | F, NULL);
    g_assert_cmpstr(class_of(&fx, 1), ==, "control");
    g_assert_cmpstr(class_of(&fx, 4), ==, "new");
    g_assert_cmpstr(class_of(&fx, 5), ==, "new");
    expect_dir(&fx, 0, "GET /", "1:5@4 ", "");
    expect_dir(&fx, 1, "200 OK", "1:6@5 ", "");
    g_assert_cmpuint(engine_client_sender(fx.e), ==, 0);
    g_assert_cmpuint(engine_base_raw(fx.e, 0), ==, 1000);
    g_assert_cmpuint(engine_base_raw(fx.e, 1), ==, 5000);
    const engine_segment *fin = engine_segment_at(fx.e, 5);
    g_assert_cmpint(engine_relative_seq(fx.e, 0, engine_segment_nxtseq(fin)), ==, 7);
    g_assert_cmpuint(engine_stats(fx.e, 0)->kept_bytes, ==, 5);
    engine_free(fx.e);
}

static void test_retransmission_and_conflict(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0, 0);
    feed(&fx, 0, 1, 1, A, "abcdef");
    feed(&fx, 0, 1, 1, A, "abcdef");     /* frame 5: retransmission */
    feed(&fx, 0, 4, 1, A, "defGHI");     /* frame 6: overlap (3 old, 3 new) */
    feed(&fx, 0, 1, 1, A, "abXdef");     /* frame 7: conflict, 1 byte differs */
    g_assert_cmpstr(class_of(&fx, 5), ==, "retransmission");
    g_assert_cmpstr(class_of(&fx, 6), ==, "overlap");
    g_assert_cmpuint(engine_segment_at(fx.e, 5)->new_bytes, ==, 3);
    g_assert_cmpstr(class_of(&fx, 7), ==, "conflict");
    g_assert_cmpuint(engine_segment_at(fx.e, 6)->conflict_bytes, ==, 1);
    expect_dir(&fx, 0, "abcdefGHI", "1:6@4 7:3@6 ", "");
    g_assert_cmpuint(engine_stats(fx.e, 0)->by_class[ENGINE_CLASS_CONFLICT], ==, 1);
    engine_free(fx.e);
}

static void test_policy_last(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_LAST);
    handshake(&fx, 0, 0);
    feed(&fx, 0, 1, 1, A, "abcdefghij");  /* frame 4 */
    feed(&fx, 0, 4, 1, A, "XYZ");         /* frame 5: middle replaced -> split */
    feed(&fx, 0, 9, 1, A, "QRST");        /* frame 6: tail replaced, extends */
    feed(&fx, 0, 1, 1, A, "12");          /* frame 7: head replaced */
    expect_dir(&fx, 0, "12cXYZghQRST", "1:2@7 3:1@4 4:3@5 7:2@4 9:4@6 ", "");
    g_assert_cmpstr(class_of(&fx, 5), ==, "conflict");
    g_assert_cmpstr(class_of(&fx, 6), ==, "conflict");
    g_assert_cmpuint(engine_stats(fx.e, 0)->kept_bytes, ==, 12);
    engine_free(fx.e);

    fx_init(&fx, ENGINE_OVERLAP_LAST);
    handshake(&fx, 0, 0);
    feed(&fx, 0, 3, 1, A, "cd");          /* frame 4 */
    feed(&fx, 0, 6, 1, A, "fg");          /* frame 5 */
    feed(&fx, 0, 1, 1, A, "abcdefgh");    /* frame 6: covers both chunks and the holes */
    expect_dir(&fx, 0, "abcdefgh", "1:8@6 ", "");
    g_assert_cmpstr(class_of(&fx, 6), ==, "overlap");
    engine_free(fx.e);
}

static void test_policy_first_fills_holes(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0, 0);
    feed(&fx, 0, 3, 1, A, "cd");          /* frame 4: out of order? no: first data */
    feed(&fx, 0, 6, 1, A, "fg");          /* frame 5 */
    feed(&fx, 0, 1, 1, A, "ABCDEFGH");    /* frame 6: fills 1-2, 5, 8 */
    expect_dir(&fx, 0, "ABcdEfgH", "1:2@6 3:2@4 5:1@6 6:2@5 8:1@6 ", "");
    g_assert_cmpstr(class_of(&fx, 6), ==, "conflict");
    g_assert_cmpuint(engine_segment_at(fx.e, 5)->new_bytes, ==, 4);
    g_assert_cmpuint(engine_segment_at(fx.e, 5)->conflict_bytes, ==, 4);
    engine_free(fx.e);
}

static void test_out_of_order_and_recovered_gap(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 100, 200);
    feed(&fx, 0, 101, 201, A, "aaaa");   /* 4 */
    feed(&fx, 0, 109, 201, A, "cccc");   /* 5: hole 105-108 */
    feed(&fx, 0, 105, 201, A, "bbbb");   /* 6: out-of-order fill */
    g_assert_cmpstr(class_of(&fx, 5), ==, "new");
    g_assert_cmpstr(class_of(&fx, 6), ==, "out-of-order");
    expect_dir(&fx, 0, "aaaabbbbcccc", NULL, "");
    engine_free(fx.e);
}

static void test_gaps_middle_leading_and_tails(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0, 0);
    feed(&fx, 0, 5, 1, A, "eeee");       /* 4: leading gap 1-4 */
    feed(&fx, 0, 13, 1, A, "mmmm");      /* 5: middle gap 9-12 */
    feed(&fx, 1, 1, 25, A, NULL);        /* 6: server ACKs up to 25: tail gap 17-24 */
    expect_dir(&fx, 0, "eeeemmmm", NULL,
               "1+4(-1,4,not-captured) 9+4(4,5,not-captured) 17+8(5,-1,not-captured) ");
    g_assert_cmpuint(engine_stats(fx.e, 0)->gaps, ==, 3);
    g_assert_cmpuint(engine_stats(fx.e, 0)->missing_bytes, ==, 16);
    engine_free(fx.e);

    /* The FIN proves the tail; an ACK of the FIN itself is not a data byte. */
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0, 0);
    feed(&fx, 0, 1, 1, A, "abc");
    feed(&fx, 0, 10, 1, A | F, NULL);    /* FIN at 10: bytes 4-9 lost */
    feed(&fx, 1, 1, 11, A, NULL);
    expect_dir(&fx, 0, "abc", NULL, "4+6(4,-1,not-captured) ");
    engine_free(fx.e);
}

static void test_midstream_start_has_no_leading_gap(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    feed(&fx, 1, 70000, 9000, A, "later");  /* reordered: the server's second segment first */
    feed(&fx, 1, 69995, 9000, A, "first");
    feed(&fx, 0, 9000, 70005, A, NULL);
    g_assert_cmpuint(engine_client_sender(fx.e), ==, 0);
    expect_dir(&fx, 1, "firstlater", "1:5@2 6:5@1 ", "");
    g_assert_cmpuint(engine_base_raw(fx.e, 1), ==, 69994);
    g_assert_cmpstr(class_of(&fx, 2), ==, "out-of-order");
    engine_free(fx.e);
}

static void test_client_is_syn_sender(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    feed(&fx, 0, 500, 101, S | A, NULL);   /* SYN-ACK captured first */
    feed(&fx, 1, 100, 0, S, NULL);
    g_assert_cmpuint(engine_client_sender(fx.e), ==, 1);
    g_assert_cmpuint(engine_dir_sender(fx.e, 0), ==, 1);
    engine_free(fx.e);
}

static void test_wraparound(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0xFFFFFFF0u, 7);
    feed(&fx, 0, 0xFFFFFFF1u, 8, A, "0123456789");   /* crosses 2^32 at byte 15 */
    feed(&fx, 0, 0xFFFFFFFBu, 8, A, "abcdefghij");
    feed(&fx, 0, 0x00000005u, 8, A, "KLMN");          /* after the wrap */
    feed(&fx, 0, 0xFFFFFFFBu, 8, A, "abcdefghij");    /* retransmission across the wrap */
    g_assert_cmpstr(class_of(&fx, 7), ==, "retransmission");
    expect_dir(&fx, 0, "0123456789abcdefghijKLMN", "1:10@4 11:10@5 21:4@6 ", "");
    const engine_segment *s = engine_segment_at(fx.e, 5);
    g_assert_cmpint(engine_relative_seq(fx.e, 0, s->seq), ==, 21);
    engine_free(fx.e);
}

static void test_truncated_payload(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0, 0);
    feed_full(&fx, 0, 1, 1, A, "abcdef", 10, 6);     /* 4 bytes cut */
    feed_full(&fx, 0, 11, 1, A, NULL, 5, 0);          /* headers only */
    feed(&fx, 0, 16, 1, A, "xy");
    expect_dir(&fx, 0, "abcdefxy", NULL, "7+9(4,6,truncated) ");
    g_assert_cmpuint(engine_segment_at(fx.e, 3)->caplen, ==, 6);
    engine_free(fx.e);

    /* A later full copy fills what the snapshot length cut. */
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0, 0);
    feed_full(&fx, 0, 1, 1, A, "abc", 6, 3);
    feed(&fx, 0, 1, 1, A, "abcdef");
    expect_dir(&fx, 0, "abcdef", "1:3@4 4:3@5 ", "");
    engine_free(fx.e);

    /* Cut bytes next to a lost range: the gap is split by cause. */
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0, 0);
    feed_full(&fx, 0, 1, 1, A, "ab", 4, 2);
    feed(&fx, 0, 9, 1, A, "ij");
    expect_dir(&fx, 0, "abij", NULL, "3+2(4,5,truncated) 5+4(4,5,not-captured) ");
    engine_free(fx.e);
}

static void test_keep_alive_and_zero_window_probe(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0, 0);
    feed(&fx, 0, 1, 1, A, "abc");                 /* 4 */
    feed(&fx, 0, 3, 1, A, "Z");                   /* 5: keep-alive with garbage byte */
    feed(&fx, 0, 3, 1, A, NULL);                  /* 6: keep-alive without byte */
    fx.win[1] = 0;
    feed(&fx, 1, 1, 4, A, NULL);                  /* 7: server window 0 */
    feed(&fx, 0, 4, 1, A, "d");                   /* 8: zero-window probe */
    fx.win[1] = 65535;
    feed(&fx, 1, 1, 5, A, NULL);                  /* 9: window opens */
    feed(&fx, 0, 4, 1, A, "defg");                /* 10: overlap of the probe byte */
    g_assert_cmpstr(class_of(&fx, 5), ==, "keep-alive");
    g_assert_cmpstr(class_of(&fx, 6), ==, "keep-alive");
    g_assert_cmpstr(class_of(&fx, 8), ==, "zero-window-probe");
    g_assert_cmpstr(class_of(&fx, 10), ==, "overlap");
    expect_dir(&fx, 0, "abcdefg", "1:3@4 4:1@8 5:3@10 ", "");
    g_assert_cmpuint(engine_stats(fx.e, 0)->by_class[ENGINE_CLASS_KEEP_ALIVE], ==, 2);
    engine_free(fx.e);
}

static void test_syn_and_rst_data(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    feed(&fx, 0, 41, 0, S, "hello");               /* TCP Fast Open */
    feed(&fx, 1, 9, 47, S | A, NULL);
    feed(&fx, 1, 10, 47, A | R, "bye");           /* RST with data */
    g_assert_cmpstr(class_of(&fx, 1), ==, "new");
    g_assert_cmpint(engine_relative_seq(fx.e, 0, engine_segment_nxtseq(engine_segment_at(fx.e, 0))), ==, 6);
    expect_dir(&fx, 0, "hello", "1:5@1 ", "");
    expect_dir(&fx, 1, "bye", "1:3@3 ", "");
    engine_free(fx.e);
}

static void test_unknown_length(void)
{
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0, 0);
    engine_segment_in in = {.frame = 4, .sender = 0, .seq = 1, .ack = 1, .flags = A, .have_len = false};
    engine_add_segment(fx.e, &in);
    feed(&fx, 1, 1, 101, A, NULL);                /* the ACK shows 100 bytes were sent */
    g_assert_cmpstr(class_of(&fx, 4), ==, "unknown-length");
    expect_dir(&fx, 0, "", NULL, "1+100(-1,-1,not-captured) ");
    engine_free(fx.e);
}

static void test_many_segments_in_and_out_of_order(void)
{
    /* Cross-check the store against a plain byte map on a shuffled stream. */
    enum { N = 3000, L = 7 };
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    handshake(&fx, 0x7FFFFFF0u, 0);
    GRand *rng = g_rand_new_with_seed(42);
    int order[N];
    for (int i = 0; i < N; i++)
        order[i] = i;
    for (int i = 0; i < N; i++) { /* local reordering only, as networks do */
        int j = MIN(N - 1, i + g_rand_int_range(rng, 0, 4));
        int t = order[i]; order[i] = order[j]; order[j] = t;
    }
    char expected[N * L + 1];
    for (int i = 0; i < N * L; i++)
        expected[i] = (char)('a' + (i * 7 + i / 13) % 26);
    expected[N * L] = '\0';
    for (int k = 0; k < N; k++) {
        int i = order[k];
        char piece[L + 1];
        memcpy(piece, expected + i * L, L);
        piece[L] = '\0';
        feed(&fx, 0, 0x7FFFFFF1u + (uint32_t)(i * L), 1, A, piece);
        if (k % 10 == 0) /* and some retransmissions */
            feed(&fx, 0, 0x7FFFFFF1u + (uint32_t)(i * L), 1, A, piece);
    }
    expect_dir(&fx, 0, expected, NULL, "");
    g_rand_free(rng);
    engine_free(fx.e);
}

static void test_analysis(void)
{
    const int64_t T0 = 1700000000000000000, MS = 1000000;
    fixture fx;
    fx_init(&fx, ENGINE_OVERLAP_FIRST);
    fx.next_ns = T0;            handshake(&fx, 0, 0);    /* frames 1-3 all at T0 ... */
    fx.next_ns = T0 + 10 * MS;  feed(&fx, 0, 1, 1, A, "request");          /* 4: turn 1 */
    fx.next_ns = T0 + 60 * MS;  feed(&fx, 1, 1, 8, A, "resp1");            /* 5: turn 2, turnaround 50 ms */
    fx.next_ns = T0 + 70 * MS;  feed(&fx, 1, 11, 8, A, "resp3");           /* 6: hole 6-10 opened */
    fx.next_ns = T0 + 570 * MS; feed(&fx, 1, 6, 8, A, "resp2");            /* 7: stall 500 ms, fill */
    fx.next_ns = T0 + 580 * MS; feed(&fx, 1, 16, 8, A, "resp4");           /* 8 */
    fx.next_ns = T0 + 1580 * MS; feed(&fx, 1, 26, 8, A, "resp6");          /* 9: stall 1 s, leaves a hole */
    fx.next_ns = T0 + 1600 * MS; feed(&fx, 0, 8, 31, A, "bye");            /* 10: turn 3 */
    engine_finish(fx.e);

    analysis *a = analysis_new(200 * MS, true);
    for (size_t i = 0; i < engine_segment_count(fx.e); i++)
        analysis_add(a, fx.e, engine_segment_at(fx.e, i));
    analysis_finish(a, fx.e);

    GArray *turns = analysis_turns(a);
    g_assert_cmpuint(turns->len, ==, 3);
    analysis_turn *t = &g_array_index(turns, analysis_turn, 1);
    g_assert_cmpuint(t->sender, ==, 1);
    g_assert_true(t->has_turnaround);
    g_assert_cmpint(t->turnaround_ns, ==, 50 * MS);
    g_assert_cmpuint(t->bytes, ==, 25);
    g_assert_cmpuint(t->gaps, ==, 1);          /* 21-25 never captured */
    g_assert_cmpint(g_array_index(turns, analysis_turn, 2).turnaround_ns, ==, 20 * MS);

    GArray *stalls = analysis_stalls(a);
    g_assert_cmpuint(stalls->len, ==, 2);
    analysis_stall *st = &g_array_index(stalls, analysis_stall, 0);
    g_assert_cmpuint(st->before_frame, ==, 6);
    g_assert_cmpuint(st->after_frame, ==, 7);
    g_assert_cmpint(st->end_ns - st->start_ns, ==, 500 * MS);
    g_assert_cmpint(st->ended_by, ==, ANALYSIS_STALL_ENDED_BY_RETRANSMISSION);
    g_assert_cmpint(g_array_index(stalls, analysis_stall, 1).ended_by, ==, ANALYSIS_STALL_ENDED_BY_GAP);
    analysis_stall longest;
    g_assert_true(analysis_longest_stall(a, &longest));
    g_assert_cmpint(longest.end_ns - longest.start_ns, ==, 1000 * MS);
    int64_t worst;
    g_assert_true(analysis_worst_turnaround(a, &worst));
    g_assert_cmpint(worst, ==, 50 * MS);

    GArray *rec = analysis_recoveries(a);
    g_assert_cmpuint(rec->len, ==, 1);
    analysis_recovery *r = &g_array_index(rec, analysis_recovery, 0);
    g_assert_cmpuint(r->opened_frame, ==, 6);
    g_assert_cmpuint(r->filled_frame, ==, 7);
    g_assert_cmpint(r->delay_ns, ==, 500 * MS);

    const tcp_handshake *h = analysis_get_handshake(a);
    g_assert_true(h->complete);
    g_assert_cmpuint(h->syn_ack_frame, ==, 2);
    analysis_free(a);
    engine_free(fx.e);
}

/* A lean engine (coverage, no payload) must classify and count exactly like a
 * full one while nothing has been released, and keep far less memory. */
static void test_lean_matches_full(void)
{
    GRand *rng = g_rand_new_with_seed(7);
    for (int round = 0; round < 200; round++) {
        engine_overlap_policy policy = round % 2 ? ENGINE_OVERLAP_LAST : ENGINE_OVERLAP_FIRST;
        engine_stream *full = engine_new(policy), *lean = engine_new_lean(policy, true);
        char data[4096];
        for (size_t i = 0; i < sizeof data; i++)
            data[i] = (char)g_rand_int_range(rng, 'a', 'e');
        uint32_t isn = g_rand_int(rng);
        for (int k = 0; k < 60; k++) {
            uint32_t off = (uint32_t)g_rand_int_range(rng, 0, 3000), len = (uint32_t)g_rand_int_range(rng, 0, 200);
            char buf[200];
            memcpy(buf, data + off, len);
            if (g_rand_int_range(rng, 0, 8) == 0 && len)
                buf[g_rand_int_range(rng, 0, (gint32)len)] ^= 1; /* a conflicting copy */
            uint32_t caplen = g_rand_int_range(rng, 0, 6) == 0 ? len / 2 : len;
            unsigned sender = (unsigned)g_rand_int_range(rng, 0, 2);
            engine_segment_in in = {.frame = (uint32_t)k + 1, .time_ns = k, .sender = sender,
                                    .seq = isn + (sender ? 0 : 1) + off, .ack = isn + 100,
                                    .flags = P, .win = 100, .have_len = true, .len = len,
                                    .payload = (const uint8_t *)buf, .caplen = caplen};
            const engine_segment *a = engine_add_segment(full, &in), *b = engine_add_segment(lean, &in);
            g_assert_cmpuint(a->klass, ==, b->klass);
            g_assert_cmpuint(a->new_bytes, ==, b->new_bytes);
            g_assert_cmpuint(a->conflict_bytes, ==, b->conflict_bytes);
            g_assert_cmpuint(a->hole_opener, ==, b->hole_opener);
        }
        engine_finish(full);
        engine_finish(lean);
        for (unsigned sender = 0; sender < 2; sender++) {
            g_assert_cmpmem(engine_stats(full, sender), sizeof(engine_dir_stats), engine_stats(lean, sender),
                            sizeof(engine_dir_stats));
            fixture ff = {.e = full}, fl = {.e = lean};
            walk_result wf = walk(&ff, sender), wl = walk(&fl, sender);
            g_assert_cmpstr(wf.gaps->str, ==, wl.gaps->str);
            walk_free(&wf);
            walk_free(&wl);
        }
        engine_free(full);
        engine_free(lean);
    }
    g_rand_free(rng);
}

/* In order, a lean engine without records holds one coverage range and only
 * the unacknowledged bytes, however long the stream. */
static void test_lean_memory_is_bounded(void)
{
    engine_stream *e = engine_new_lean(ENGINE_OVERLAP_FIRST, false);
    static char payload[1448];
    memset(payload, 'x', sizeof payload);
    for (uint32_t i = 0; i < 20000; i++) {
        engine_segment_in data = {.frame = 2 * i + 1, .sender = 0, .seq = 1 + i * 1448u, .flags = A,
                                  .have_len = true, .len = 1448, .payload = (const uint8_t *)payload, .caplen = 1448};
        engine_add_segment(e, &data);
        engine_segment_in ack = {.frame = 2 * i + 2, .sender = 1, .seq = 1, .ack = 1 + (i + 1) * 1448u,
                                 .flags = A, .have_len = true};
        engine_add_segment(e, &ack);
    }
    g_assert_cmpuint(engine_memory_bytes(e), <, 64 * 1024);
    engine_finish(e);
    g_assert_cmpuint(engine_stats(e, 0)->kept_bytes, ==, 20000u * 1448u);
    g_assert_cmpuint(engine_stats(e, 0)->segments, ==, 20000);
    g_assert_cmpuint(engine_segment_count(e), ==, 0);
    engine_free(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/in-order", test_in_order);
    g_test_add_func("/engine/retransmission-overlap-conflict", test_retransmission_and_conflict);
    g_test_add_func("/engine/policy-last", test_policy_last);
    g_test_add_func("/engine/policy-first-fills-holes", test_policy_first_fills_holes);
    g_test_add_func("/engine/out-of-order", test_out_of_order_and_recovered_gap);
    g_test_add_func("/engine/gaps", test_gaps_middle_leading_and_tails);
    g_test_add_func("/engine/midstream", test_midstream_start_has_no_leading_gap);
    g_test_add_func("/engine/client", test_client_is_syn_sender);
    g_test_add_func("/engine/wraparound", test_wraparound);
    g_test_add_func("/engine/truncated", test_truncated_payload);
    g_test_add_func("/engine/keep-alive-zwp", test_keep_alive_and_zero_window_probe);
    g_test_add_func("/engine/syn-rst-data", test_syn_and_rst_data);
    g_test_add_func("/engine/unknown-length", test_unknown_length);
    g_test_add_func("/engine/shuffled", test_many_segments_in_and_out_of_order);
    g_test_add_func("/engine/analysis", test_analysis);
    g_test_add_func("/engine/lean-matches-full", test_lean_matches_full);
    g_test_add_func("/engine/lean-memory", test_lean_memory_is_bounded);
    return g_test_run();
}
