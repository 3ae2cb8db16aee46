/* The engine alone, without tshark: segments per second in order and with
 * reordering, for the full engine (payload kept) and the lean one (coverage),
 * and with the diagnosis fed next to it (then the peer ACKs every second
 * segment, as a receiver does; the rate counts data segments).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "diagnosis.h"
#include "engine.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#define MSS 1448

/* caplen 0 (a headers-only capture): the bookkeeping alone, no payload copy */
static double run(bool lean, uint32_t n, double reorder, bool with_payload, bool with_diag, uint64_t *kept)
{
    static uint8_t payload[MSS];
    uint32_t *order = g_new(uint32_t, n);
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    GRand *rng = g_rand_new_with_seed(1);
    for (uint32_t i = 0; i + 1 < n; i++) /* swap neighbours: a segment arrives one slot late */
        if (g_rand_double(rng) < reorder) {
            uint32_t t = order[i]; order[i] = order[i + 1]; order[i + 1] = t;
            i++;
        }
    g_rand_free(rng);

    engine_stream *e = lean ? engine_new_lean(ENGINE_OVERLAP_FIRST, true) : engine_new(ENGINE_OVERLAP_FIRST);
    diagnosis *d = with_diag ? diagnosis_new(true) : NULL;
    gint64 start = g_get_monotonic_time();
    uint32_t frame = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = order[k];
        engine_segment_in in = {.frame = ++frame, .time_ns = (int64_t)k * 1000, .sender = 0,
                                .seq = 1000 + i * (uint32_t)MSS, .ack = 1, .flags = ENGINE_TCP_ACK,
                                .win = 65535, .have_len = true, .len = MSS, .payload = payload,
                                .caplen = with_payload ? MSS : 0};
        const engine_segment *rec = engine_add_segment(e, &in);
        if (!d)
            continue;
        diagnosis_add(d, e, rec, NULL);
        if (k % 2 == 1) {
            engine_segment_in ack = {.frame = ++frame, .time_ns = (int64_t)k * 1000 + 500, .sender = 1,
                                     .seq = 1, .ack = 1000 + (k + 1) * (uint32_t)MSS, .flags = ENGINE_TCP_ACK,
                                     .win = 1 << 20, .have_len = true};
            diagnosis_add(d, e, engine_add_segment(e, &ack), NULL);
        }
    }
    engine_finish(e);
    if (d)
        diagnosis_finish(d, e);
    double secs = (double)(g_get_monotonic_time() - start) / 1e6;
    *kept = engine_stats(e, 0)->kept_bytes + engine_stats(e, 0)->missing_bytes;
    diagnosis_free(d);
    engine_free(e);
    g_free(order);
    return n / secs;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 2000000;
    static const struct { bool lean; double reorder; bool payload, diag; const char *name; } cases[] = {
        {false, 0.0, true, false, "full, in order"},       {false, 0.05, true, false, "full, 5% reordered"},
        {true, 0.0, true, false, "lean, in order"},        {true, 0.05, true, false, "lean, 5% reordered"},
        {false, 0.0, false, false, "full, in order, no payload"},
        {true, 0.0, false, false, "lean, in order, no payload"},
        {true, 0.0, false, true, "lean + diagnosis, no payload"},
        {true, 0.05, false, true, "lean + diagnosis, 5% reord."},
    };
    printf("engine alone: %u segments of %d bytes, median of 5 runs\n", n, MSS);
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        double rates[5];
        uint64_t covered = 0;
        for (int i = 0; i < 5; i++)
            rates[i] = run(cases[c].lean, n, cases[c].reorder, cases[c].payload, cases[c].diag, &covered);
        for (int i = 0; i < 5; i++) /* sort for the median */
            for (int j = i + 1; j < 5; j++)
                if (rates[j] < rates[i]) { double t = rates[i]; rates[i] = rates[j]; rates[j] = t; }
        printf("  %-28s %7.2f M segments/s  %7.2f GB/s\n", cases[c].name, rates[2] / 1e6,
               rates[2] * MSS / 1e9);
        if (covered != (uint64_t)n * MSS)
            printf("  !! %" G_GUINT64_FORMAT " bytes accounted, expected %" G_GUINT64_FORMAT "\n", covered,
                   (uint64_t)n * MSS);
    }
    return 0;
}
