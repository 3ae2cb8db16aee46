/* Packet marks unit tests: what each segment's packet shows, settling, problems.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "marks.h"

#include <glib.h>
#include <string.h>

#define A ENGINE_TCP_ACK
#define S ENGINE_TCP_SYN
#define P ENGINE_TCP_PSH

#define MS INT64_C(1000000)

typedef struct {
    marks_stream *m;
    uint32_t frame;
    int64_t now_ns;
} session;

static void session_init(session *s)
{
    memset(s, 0, sizeof *s);
    s->m = marks_stream_new(200 * MS, true);
    s->now_ns = INT64_C(1700000000000000000);
}

/* The next frame, after_ms after the previous one; data NULL: no payload. */
static marks_segment send_at(session *s, int64_t after_ms, unsigned sender, uint32_t seq, uint32_t ack,
                             uint16_t flags, const char *data)
{
    s->now_ns += after_ms * MS;
    uint32_t len = data ? (uint32_t)strlen(data) : 0;
    engine_segment_in in = {
        .frame = ++s->frame, .time_ns = s->now_ns, .sender = sender, .seq = seq, .ack = ack,
        .flags = flags, .win = 65535, .have_len = true, .len = len,
        .payload = (const uint8_t *)data, .caplen = len,
    };
    marks_segment out;
    marks_add(s->m, &in, NULL, &out);
    return out;
}

static marks_segment send(session *s, unsigned sender, uint32_t seq, uint32_t ack, uint16_t flags, const char *data)
{
    return send_at(s, 1, sender, seq, ack, flags, data);
}

/* A new stream after its handshake: client ISN 100, server ISN 500, frames 1-3. */
static void session_open(session *s)
{
    session_init(s);
    send(s, 0, 100, 0, S, NULL);
    send(s, 1, 500, 101, S | A, NULL);
    send(s, 0, 101, 501, A, NULL);
}

static void test_classes_and_kept_copy(void)
{
    session s;
    session_open(&s);
    marks_segment m = send(&s, 0, 101, 501, A | P, "GET /");  /* 4 */
    g_assert_cmpint(m.klass, ==, ENGINE_CLASS_NEW);
    g_assert_cmpuint(m.new_bytes, ==, 5);
    g_assert_cmpuint(m.kept_frame, ==, 0);
    m = send(&s, 0, 106, 501, A | P, "abc");                  /* 5 */
    m = send(&s, 0, 101, 501, A | P, "GET /");                /* 6: both copies unacknowledged */
    g_assert_cmpint(m.klass, ==, ENGINE_CLASS_RETRANSMISSION);
    g_assert_cmpuint(m.kept_frame, ==, 4);
    m = send(&s, 0, 103, 501, A | P, "T /abcde");             /* 7: 6 old, 2 new */
    g_assert_cmpint(m.klass, ==, ENGINE_CLASS_OVERLAP);
    g_assert_cmpuint(m.new_bytes, ==, 2);
    g_assert_cmpuint(m.kept_frame, ==, 4);
    m = send(&s, 0, 106, 501, A | P, "xbc");                  /* 8 */
    g_assert_cmpint(m.klass, ==, ENGINE_CLASS_CONFLICT);
    g_assert_cmpuint(m.conflict_bytes, ==, 1);
    g_assert_cmpuint(m.kept_frame, ==, 5);
    g_assert_cmpuint(marks_next_problem(s.m, 0, true), ==, 8);
    m = send(&s, 1, 501, 112, A, NULL);                       /* 9 */
    g_assert_cmpint(m.klass, ==, ENGINE_CLASS_CONTROL);
    marks_stream_free(s.m);
}

static void test_acknowledged_bytes_lose_their_copy(void)
{
    session s;
    session_open(&s);
    send(&s, 0, 101, 501, A | P, "abc");                      /* 4 */
    g_assert_cmpuint(send(&s, 0, 104, 501, A | P, "def").in_flight, ==, 6); /* 5 */
    g_assert_cmpuint(send(&s, 1, 501, 107, A, NULL).in_flight, ==, 0);     /* 6: acknowledges both */
    marks_segment m = send(&s, 0, 104, 501, A | P, "dxf");    /* 7: compared with nothing */
    g_assert_cmpint(m.klass, ==, ENGINE_CLASS_RETRANSMISSION);
    g_assert_cmpuint(m.conflict_bytes, ==, 0);
    /* the covered range 101-106 remembers the frame of its first byte only */
    g_assert_cmpuint(m.kept_frame, ==, 0);
    m = send(&s, 0, 101, 501, A | P, "a");                    /* 8: the range's first byte */
    g_assert_cmpuint(m.kept_frame, ==, 4);
    marks_stream_free(s.m);
}

static void test_stall(void)
{
    session s;
    session_open(&s);
    send(&s, 0, 101, 501, A | P, "req");                      /* 4 */
    send(&s, 1, 501, 104, A | P, "resp1");                    /* 5 */
    marks_segment m = send_at(&s, 150, 1, 506, 104, A | P, "resp2"); /* 6: under the threshold */
    g_assert_false(m.has_stall);
    m = send_at(&s, 700, 1, 511, 104, A | P, "resp3");        /* 7 */
    g_assert_true(m.has_stall);
    g_assert_cmpint(m.stall_ns, ==, 700 * MS);
    m = send_at(&s, 900, 0, 104, 516, A | P, "next");         /* 8: a new turn, not a stall */
    g_assert_false(m.has_stall);
    g_assert_cmpuint(marks_next_problem(s.m, 7, false), ==, 0);
    g_assert_cmpuint(marks_next_problem(s.m, 8, false), ==, 7);
    marks_stream_free(s.m);
}

static void test_gaps_settle_again(void)
{
    session s;
    session_open(&s);
    send(&s, 0, 101, 501, A | P, "aaaa");                     /* 4 */
    send(&s, 0, 109, 501, A | P, "cccc");                     /* 5: 105-108 missing so far */
    marks_settle(s.m);
    g_assert_cmpuint(marks_gap_before(s.m, 5), ==, 4);
    g_assert_cmpuint(marks_gap_before(s.m, 4), ==, 0);
    g_assert_cmpuint(marks_next_problem(s.m, 0, true), ==, 5);
    g_assert_cmpuint(marks_next_problem(s.m, 9, false), ==, 5);

    marks_segment m = send(&s, 0, 105, 501, A | P, "bbbbcc"); /* 6: fills it, then resends 2 */
    g_assert_cmpint(m.klass, ==, ENGINE_CLASS_OVERLAP);
    g_assert_cmpuint(m.new_bytes, ==, 4);
    g_assert_cmpuint(m.kept_frame, ==, 5);
    send(&s, 1, 501, 121, A, NULL);                           /* 7: acknowledges 8 bytes never seen */
    marks_settle(s.m);
    g_assert_cmpuint(marks_gap_before(s.m, 5), ==, 0);
    g_assert_cmpuint(marks_gap_after(s.m, 5), ==, 8);
    g_assert_cmpuint(marks_next_problem(s.m, 0, true), ==, 5);
    g_assert_cmpuint(marks_next_problem(s.m, 5, true), ==, 0);
    g_assert_cmpuint(marks_engine(s.m) != NULL, ==, 1);
    g_assert_cmpuint(marks_memory_bytes(s.m), >, 0);
    marks_stream_free(s.m);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *path;
        GTestFunc test;
    } tests[] = {
        {"/marks/classes-kept-copy", test_classes_and_kept_copy},
        {"/marks/acknowledged", test_acknowledged_bytes_lose_their_copy},
        {"/marks/stall", test_stall},
        {"/marks/gaps-settle-again", test_gaps_settle_again},
    };
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++)
        g_test_add_func(tests[i].path, tests[i].test);
    return g_test_run();
}
