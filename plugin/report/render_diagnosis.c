/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The diagnosis in every format: per-segment figures, per-direction time
 * partition, loss episodes, zero windows and verdicts (JSON), and the text
 * report's closing diagnosis in plain words, largest cause first.
 */
#include "render_common.h"

#include <inttypes.h>
#include <string.h>

bool report_segment_diag(const report_stream *rs, size_t i, report_seg_diag *out)
{
    memset(out, 0, sizeof *out);
    const diag_segment *ds = rs->diag ? diagnosis_segment(rs->diag, i) : NULL;
    if (!ds)
        return false;
    out->in_flight = ds->in_flight;
    out->has_peer_win = ds->flags & DIAG_SEG_HAS_PEER_WIN;
    out->peer_win = ds->peer_win;
    out->syn_resent = ds->flags & DIAG_SEG_SYN_RESENT;
    if (ds->rtt_ack != ENGINE_NO_SEGMENT) {
        out->has_rtt = true;
        out->rtt_ns = engine_segment_at(rs->engine, ds->rtt_ack)->time_ns - engine_segment_at(rs->engine, i)->time_ns;
    }
    if (ds->episode != DIAG_NO_EPISODE)
        out->episode = &g_array_index(diagnosis_episodes(rs->diag), diag_episode, ds->episode);
    return true;
}

static const char *seconds(char *buf, int64_t ns)
{
    report_format_seconds(buf, ns, 9);
    return buf;
}

GHashTable *report_episode_numbers(const report_stream *rs, const report_options *opt)
{
    GHashTable *numbers = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (!rs->diag)
        return numbers;
    GPtrArray *list = report_episodes_in_time_order(rs, opt);
    for (guint i = 0; i < list->len; i++)
        g_hash_table_insert(numbers, g_ptr_array_index(list, i), GUINT_TO_POINTER(i + 1));
    g_ptr_array_free(list, TRUE);
    return numbers;
}

void report_json_segment_diag(report_sink *out, const report_stream *rs, size_t i, GHashTable *episode_numbers)
{
    report_seg_diag sd;
    if (!report_segment_diag(rs, i, &sd))
        return;
    sink_printf(out, ", \"in_flight\": %u", sd.in_flight);
    if (sd.has_peer_win)
        sink_printf(out, ", \"peer_win\": %u", sd.peer_win);
    else
        sink_puts(out, ", \"peer_win\": null");
    char buf[REPORT_TIME_BUF];
    if (sd.has_rtt)
        sink_printf(out, ", \"rtt\": %s", seconds(buf, sd.rtt_ns));
    else
        sink_puts(out, ", \"rtt\": null");
    guint number = sd.episode ? GPOINTER_TO_UINT(g_hash_table_lookup(episode_numbers, sd.episode)) : 0;
    if (number)
        sink_printf(out, ", \"episode\": %u, \"cause\": \"%s\", \"lost\": \"%s\"", number - 1,
                    diag_cause_name(sd.episode->cause), diag_lost_name(sd.episode->lost));
    else
        sink_puts(out, ", \"episode\": null");
    if (sd.syn_resent)
        sink_puts(out, ", \"syn_retransmission\": true");
}

static void put_time_object(report_sink *out, const diag_time *t)
{
    char buf[REPORT_TIME_BUF];
    sink_puts(out, "{");
    for (unsigned b = 0; b < DIAG_TIME_COUNT; b++)
        sink_printf(out, "%s\"%s\": %s", b ? ", " : "", diag_time_bucket_name(b), seconds(buf, t->ns[b]));
    sink_puts(out, "}");
}

void report_json_turn_time(report_sink *out, const report_stream *rs, size_t turn)
{
    GArray *turns = rs->diag ? diagnosis_turns(rs->diag) : NULL;
    if (!turns || turn >= turns->len)
        return;
    const diag_turn *t = &g_array_index(turns, diag_turn, turn);
    char buf[REPORT_TIME_BUF];
    sink_printf(out, ", \"active\": %s, \"time\": ", seconds(buf, t->active_ns));
    put_time_object(out, &t->time);
}

int64_t report_percentile(const GArray *sorted, unsigned pct)
{
    guint rank = (guint)((sorted->len * (uint64_t)pct + 99) / 100);
    return g_array_index(sorted, int64_t, rank ? rank - 1 : 0);
}

void report_json_dir_diag(report_sink *out, const report_stream *rs, unsigned dir)
{
    if (!rs->diag)
        return;
    const diag_dir *dd = diagnosis_dir(rs->diag, engine_dir_sender(rs->engine, dir));
    char a[REPORT_TIME_BUF], b[REPORT_TIME_BUF], c[REPORT_TIME_BUF], d[REPORT_TIME_BUF];
    const GArray *rtt = dd->rtt_ns;
    if (rtt->len)
        sink_printf(out, ", \"rtt\": {\"samples\": %u, \"min\": %s, \"median\": %s, \"p90\": %s, \"max\": %s}",
                    rtt->len, seconds(a, g_array_index(rtt, int64_t, 0)), seconds(b, report_percentile(rtt, 50)),
                    seconds(c, report_percentile(rtt, 90)), seconds(d, g_array_index(rtt, int64_t, rtt->len - 1)));
    else
        sink_puts(out, ", \"rtt\": null");
    sink_printf(out, ", \"max_in_flight\": %u, \"zero_window\": {\"periods\": %" PRIu64 ", \"seconds\": %s}",
                dd->max_in_flight, dd->zero_window_periods, seconds(a, dd->zero_window_ns));
    sink_puts(out, ", \"repairs\": {");
    for (unsigned k = DIAG_CAUSE_FAST_RETRANSMIT; k < DIAG_CAUSE_COUNT; k++) {
        char key[32];
        g_strlcpy(key, diag_cause_name(k), sizeof key);
        g_strdelimit(key, "-", '_');
        sink_printf(out, "%s\"%s\": %" PRIu64, k > DIAG_CAUSE_FAST_RETRANSMIT ? ", " : "", key, dd->repairs[k]);
    }
    sink_printf(out, "}, \"active\": %s, \"time\": ", seconds(a, dd->active_ns));
    put_time_object(out, &dd->time);
}

static int64_t episode_time(const diag_episode *e)
{
    return e->repair_frame ? e->repair_ns : e->first_ns;
}

static gint compare_episode_time(gconstpointer a, gconstpointer b)
{
    const diag_episode *x = *(const diag_episode *const *)a, *y = *(const diag_episode *const *)b;
    int64_t tx = episode_time(x), ty = episode_time(y);
    return tx < ty ? -1 : tx > ty;
}

GPtrArray *report_episodes_in_time_order(const report_stream *rs, const report_options *opt)
{
    GPtrArray *list = g_ptr_array_new();
    GArray *all = diagnosis_episodes(rs->diag);
    for (guint i = 0; i < all->len; i++) {
        diag_episode *e = &g_array_index(all, diag_episode, i);
        if (report_dir_shown(opt, engine_sender_dir(rs->engine, e->sender)))
            g_ptr_array_add(list, e);
    }
    g_ptr_array_sort(list, compare_episode_time); /* stable in GLib >= 2.32 (merge sort) */
    return list;
}

static void put_frame_or_null(report_sink *out, const char *key, uint32_t frame)
{
    if (frame)
        sink_printf(out, ", \"%s\": %u", key, frame);
    else
        sink_printf(out, ", \"%s\": null", key);
}

static void put_episodes(report_sink *out, const report_stream *rs, const report_options *opt)
{
    const engine_stream *e = rs->engine;
    GPtrArray *list = report_episodes_in_time_order(rs, opt);
    sink_puts(out, "    \"episodes\": [");
    for (guint i = 0; i < list->len; i++) {
        const diag_episode *ep = g_ptr_array_index(list, i);
        char delay[REPORT_TIME_BUF] = "null";
        if (ep->repair_frame)
            seconds(delay, ep->repair_ns - ep->first_ns);
        sink_printf(out, "%s\n      {\"dir\": %u, \"seq\": %" PRId64 ", \"len\": %" PRIu64
                         ", \"cause\": \"%s\", \"lost\": \"%s\"",
                    i ? "," : "", engine_sender_dir(e, ep->sender), engine_relative_seq(e, ep->sender, ep->seq),
                    ep->end - ep->seq, diag_cause_name(ep->cause), diag_lost_name(ep->lost));
        put_frame_or_null(out, "first_frame", ep->first_frame);
        put_frame_or_null(out, "repair_frame", ep->repair_frame);
        sink_printf(out, ", \"dupacks\": %u, \"timeouts\": %u, \"delay\": %s, \"repairs\": %u", ep->dupacks,
                    ep->timeouts, delay, ep->repairs);
        if (ep->cause == DIAG_CAUSE_UNREPAIRED)
            sink_printf(out, ", \"acked\": %s", ep->acked ? "true" : "false");
        sink_puts(out, "}");
    }
    sink_puts(out, list->len ? "\n    ],\n" : "],\n");
    g_ptr_array_free(list, TRUE);
}

static void put_zero_windows(report_sink *out, const report_stream *rs, const report_options *opt)
{
    GArray *zws = diagnosis_zero_windows(rs->diag);
    bool any = false;
    sink_puts(out, "    \"zero_windows\": [");
    for (guint i = 0; i < zws->len; i++) {
        const diag_zero_window *z = &g_array_index(zws, diag_zero_window, i);
        unsigned dir = engine_sender_dir(rs->engine, z->sender);
        if (!report_dir_shown(opt, dir))
            continue;
        char start[REPORT_TIME_BUF], len[REPORT_TIME_BUF];
        sink_printf(out, "%s\n      {\"dir\": %u, \"first_frame\": %u, \"last_frame\": %u, \"start\": \"%s\", "
                         "\"seconds\": %s, \"probes\": %u}",
                    any ? "," : "", dir, z->first_frame, z->last_frame, seconds(start, z->start_ns),
                    seconds(len, z->end_ns - z->start_ns), z->probes);
        any = true;
    }
    sink_puts(out, any ? "\n    ],\n" : "],\n");
}

void report_json_diagnosis(report_sink *out, const report_stream *rs, const report_options *opt)
{
    if (!rs->diag)
        return;
    sink_printf(out, "    \"capture_point\": \"%s\",\n", diag_capture_point_name(diagnosis_capture_point(rs->diag)));
    put_episodes(out, rs, opt);
    put_zero_windows(out, rs, opt);
    sink_puts(out, "    \"unresponsive\": [");
    for (unsigned dir = 0; dir < 2; dir++) {
        const diag_dir *dd = diagnosis_dir(rs->diag, engine_dir_sender(rs->engine, dir));
        sink_puts(out, dir ? ", " : "");
        if (!dd->unresponsive) {
            sink_puts(out, "null");
            continue;
        }
        const diag_unresponsive *u = &dd->unresponsive_info;
        char len[REPORT_TIME_BUF];
        sink_printf(out, "{\"since_frame\": %u, \"seconds\": %s, \"timeouts\": %u}", u->since_frame,
                    seconds(len, u->until_ns - u->since_ns), u->timeouts);
    }
    sink_puts(out, "],\n");
}

/* ---- all streams ----------------------------------------------------------- */

void report_csv_diag_header(report_sink *out)
{
    for (unsigned dir = 0; dir < 2; dir++) {
        const char *tag = dir ? "s2c" : "c2s";
        sink_printf(out, ",active_%s", tag);
        for (unsigned b = 0; b < DIAG_TIME_COUNT; b++)
            sink_printf(out, ",%s_%s", diag_time_bucket_name(b), tag);
        sink_printf(out, ",zero_window_periods_%s", tag);
        for (unsigned c = DIAG_CAUSE_FAST_RETRANSMIT; c < DIAG_CAUSE_COUNT; c++) {
            char key[32];
            g_strlcpy(key, diag_cause_name(c), sizeof key);
            g_strdelimit(key, "-", '_');
            sink_printf(out, ",repairs_%s_%s", key, tag);
        }
    }
}

void report_csv_diag_row(report_sink *out, const report_stream *rs)
{
    char buf[REPORT_TIME_BUF];
    for (unsigned dir = 0; dir < 2; dir++) {
        const diag_dir *dd = diagnosis_dir(rs->diag, engine_dir_sender(rs->engine, dir));
        sink_printf(out, ",%s", seconds(buf, dd->active_ns));
        for (unsigned b = 0; b < DIAG_TIME_COUNT; b++)
            sink_printf(out, ",%s", seconds(buf, dd->time.ns[b]));
        sink_printf(out, ",%" PRIu64, dd->zero_window_periods);
        for (unsigned c = DIAG_CAUSE_FAST_RETRANSMIT; c < DIAG_CAUSE_COUNT; c++)
            sink_printf(out, ",%" PRIu64, dd->repairs[c]);
    }
}

void report_main_delay(char *buf, size_t n, const report_stream *rs)
{
    g_strlcpy(buf, "-", n);
    int64_t best = 0;
    for (unsigned dir = 0; dir < 2; dir++) {
        const diag_dir *dd = diagnosis_dir(rs->diag, engine_dir_sender(rs->engine, dir));
        for (unsigned b = 0; b < DIAG_TIME_TRANSFER; b++) {
            /* a cause worth naming: over a twentieth of the direction's active time */
            if (dd->time.ns[b] > best && dd->time.ns[b] * 20 > dd->active_ns) {
                best = dd->time.ns[b];
                g_snprintf(buf, n, "%s %s %d%%", dir ? "s>c" : "c>s", diag_time_bucket_name(b),
                           (int)(100.0 * (double)dd->time.ns[b] / (double)dd->active_ns + 0.5));
            }
        }
    }
}

/* ---- text ------------------------------------------------------------------ */

static const char *side_name(unsigned dir) { return dir == 0 ? "client" : "server"; }

/* "1.41 s", "27 ms", "350 us" */
static void human_seconds(char *buf, size_t n, int64_t ns)
{
    if (ns >= 10000000000)
        g_snprintf(buf, n, "%.1f s", (double)ns / 1e9);
    else if (ns >= 1000000000)
        g_snprintf(buf, n, "%.2f s", (double)ns / 1e9);
    else if (ns >= 1000000)
        g_snprintf(buf, n, "%.1f ms", (double)ns / 1e6);
    else
        g_snprintf(buf, n, "%.0f us", (double)ns / 1e3);
}

typedef struct {
    diag_time_bucket bucket;
    int64_t ns;
} share;

static gint compare_share(gconstpointer a, gconstpointer b)
{
    const share *x = a, *y = b;
    if (x->ns != y->ns)
        return x->ns > y->ns ? -1 : 1;
    return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

/* The zero-window periods of a direction: count, time, and the frames of the longest. */
static void describe_zero_windows(GString *s, const report_stream *rs, unsigned sender, unsigned dir)
{
    GArray *zws = diagnosis_zero_windows(rs->diag);
    const diag_zero_window *longest = NULL;
    guint n = 0;
    int64_t total = 0;
    for (guint i = 0; i < zws->len; i++) {
        const diag_zero_window *z = &g_array_index(zws, diag_zero_window, i);
        if (z->sender != sender)
            continue;
        n++;
        total += z->end_ns - z->start_ns;
        if (!longest || z->end_ns - z->start_ns > longest->end_ns - longest->start_ns)
            longest = z;
    }
    char t[32], l[32];
    human_seconds(t, sizeof t, total);
    g_string_append_printf(s, "waiting on the %s's zero window (%u period%s, %s", side_name(!dir), n,
                           n == 1 ? "" : "s", t);
    if (longest && n > 1) {
        human_seconds(l, sizeof l, longest->end_ns - longest->start_ns);
        g_string_append_printf(s, "; the longest %s, frames %u-%u)", l, longest->first_frame, longest->last_frame);
    } else if (longest) {
        g_string_append_printf(s, ", frames %u-%u)", longest->first_frame, longest->last_frame);
    } else {
        g_string_append(s, ")");
    }
}

static void describe_bucket(GString *s, const report_stream *rs, unsigned dir, diag_time_bucket b)
{
    unsigned sender = engine_dir_sender(rs->engine, dir);
    const diag_dir *dd = diagnosis_dir(rs->diag, sender);
    switch (b) {
    case DIAG_TIME_ZERO_WINDOW: describe_zero_windows(s, rs, sender, dir); break;
    case DIAG_TIME_TIMEOUT:
        g_string_append_printf(s, "silent until a timeout re-sent data (%" PRIu64 " timeout episode%s)",
                               dd->repairs[DIAG_CAUSE_TIMEOUT], dd->repairs[DIAG_CAUSE_TIMEOUT] == 1 ? "" : "s");
        break;
    case DIAG_TIME_LOSS_RECOVERY: g_string_append(s, "recovering lost data"); break;
    case DIAG_TIME_WINDOW_LIMITED:
        g_string_append_printf(s, "limited by the %s's receive window", side_name(!dir));
        break;
    case DIAG_TIME_SENDER_IDLE:
        g_string_append_printf(s, "nothing to send: the %s's application was slow", side_name(dir));
        break;
    default: g_string_append(s, "transferring"); break;
    }
}

/* One diagnosis sentence, wrapped at the report's width (89 columns) with an
 * indented continuation. */
static void print_wrapped(report_sink *out, const char *text)
{
    enum { WIDTH = 89, INDENT = 6 };
    size_t len = strlen(text), col = 0, start = 0;
    while (start < len) {
        size_t room = WIDTH - col, end = start + room;
        if (end >= len) {
            sink_printf(out, "%s\n", text + start);
            return;
        }
        size_t cut = end;
        while (cut > start && text[cut] != ' ')
            cut--;
        if (cut == start) /* one word longer than the line */
            cut = end;
        sink_write(out, text + start, cut - start);
        sink_printf(out, "\n%*s", INDENT, "");
        col = INDENT;
        start = cut;
        while (text[start] == ' ')
            start++;
    }
}

/* "server -> client: 62 % of 2.52 s waiting on ..., 30 % ..." */
static void print_time_line(report_sink *out, const report_stream *rs, unsigned dir)
{
    const diag_dir *dd = diagnosis_dir(rs->diag, engine_dir_sender(rs->engine, dir));
    if (dd->active_ns <= 0)
        return;
    share shares[DIAG_TIME_COUNT];
    for (unsigned b = 0; b < DIAG_TIME_COUNT; b++)
        shares[b] = (share){b, dd->time.ns[b]};
    qsort(shares, DIAG_TIME_COUNT, sizeof shares[0], (int (*)(const void *, const void *))compare_share);
    GString *s = g_string_new(NULL);
    char active[32];
    human_seconds(active, sizeof active, dd->active_ns);
    g_string_append_printf(s, "  %s -> %s: active %s:", side_name(dir), side_name(!dir), active);
    for (unsigned k = 0, shown = 0; k < DIAG_TIME_COUNT; k++) {
        if (shares[k].ns <= 0)
            continue;
        int pct = (int)(100.0 * (double)shares[k].ns / (double)dd->active_ns + 0.5);
        /* what stops a sender is worth a word however short; the rest from 1 % */
        bool blocking = shares[k].bucket == DIAG_TIME_ZERO_WINDOW || shares[k].bucket == DIAG_TIME_TIMEOUT;
        if (pct == 0 && !blocking)
            continue;
        if (pct == 0)
            g_string_append_printf(s, "%s <1 %% ", shown++ ? ";" : "");
        else
            g_string_append_printf(s, "%s %d %% ", shown++ ? ";" : "", pct);
        describe_bucket(s, rs, dir, shares[k].bucket);
    }
    print_wrapped(out, s->str);
    g_string_free(s, TRUE);
}

static const char *const cause_phrase[DIAG_CAUSE_COUNT][2] = {
    [DIAG_CAUSE_FAST_RETRANSMIT] = {"fast retransmission", "fast retransmissions"},
    [DIAG_CAUSE_TIMEOUT] = {"timeout", "timeouts"},
    [DIAG_CAUSE_REORDERING] = {"reordering", "reorderings"},
    [DIAG_CAUSE_SPURIOUS] = {"spurious re-send", "spurious re-sends"},
    [DIAG_CAUSE_UNREPAIRED] = {"gap never repaired", "gaps never repaired"},
};

/* "3 losses: 2 fast retransmissions (lost after the capture point), 1 timeout ..." */
static void print_episode_line(report_sink *out, const report_stream *rs, unsigned dir)
{
    unsigned sender = engine_dir_sender(rs->engine, dir);
    GArray *eps = diagnosis_episodes(rs->diag);
    uint64_t count[DIAG_CAUSE_COUNT][3] = {{0}}, backoff = 0;
    for (guint i = 0; i < eps->len; i++) {
        const diag_episode *e = &g_array_index(eps, diag_episode, i);
        if (e->sender != sender)
            continue;
        count[e->cause][e->lost]++;
        backoff = MAX(backoff, e->timeouts);
    }
    GString *s = g_string_new(NULL);
    static const char *const where[] = {"", " (lost after the capture point)", " (lost before the capture point)"};
    for (unsigned c = DIAG_CAUSE_FAST_RETRANSMIT; c < DIAG_CAUSE_COUNT; c++)
        for (unsigned l = 0; l < 3; l++) {
            uint64_t n = count[c][l];
            if (!n)
                continue;
            g_string_append_printf(s, "%s%" PRIu64 " %s%s", s->len ? ", " : "", n, cause_phrase[c][n != 1],
                                   c == DIAG_CAUSE_UNREPAIRED && l == DIAG_LOST_NONE
                                       ? " (the receiver had them: the capture missed them)"
                                       : where[l]);
        }
    if (s->len) {
        g_string_prepend(s, ": ");
        g_string_prepend(s, side_name(!dir));
        g_string_prepend(s, " -> ");
        g_string_prepend(s, side_name(dir));
        g_string_prepend(s, "  ");
        if (backoff > 1)
            g_string_append_printf(s, "; the same bytes sent %" PRIu64 " times after silence (backoff)", backoff);
        print_wrapped(out, s->str);
    }
    g_string_free(s, TRUE);
}

static void print_setup(report_sink *out, const analysis *a)
{
    const tcp_handshake *h = analysis_get_handshake(a);
    int64_t setup;
    char t[32];
    if (h->syn_seen && !h->answered) {
        sink_printf(out, "  the SYN was never answered (sent %u time%s)\n", h->syn_sent, h->syn_sent == 1 ? "" : "s");
    } else if (handshake_setup(h, &setup) && (h->syn_sent > 1 || h->syn_ack_sent > 1)) {
        human_seconds(t, sizeof t, setup);
        sink_printf(out, "  connect took %s: the SYN was sent %u time%s", t, h->syn_sent, h->syn_sent == 1 ? "" : "s");
        if (h->syn_ack_sent > 1)
            sink_printf(out, ", the SYN-ACK %u times", h->syn_ack_sent);
        sink_puts(out, "\n");
    }
}

static void print_unresponsive(report_sink *out, const report_stream *rs, unsigned dir)
{
    const diag_dir *dd = diagnosis_dir(rs->diag, engine_dir_sender(rs->engine, dir));
    if (!dd->unresponsive)
        return;
    const diag_unresponsive *u = &dd->unresponsive_info;
    char t[32];
    human_seconds(t, sizeof t, u->until_ns - u->since_ns);
    sink_printf(out, "  the %s stopped acknowledging after frame %u: the %s timed out %u times over %s\n",
                side_name(!dir), u->since_frame, side_name(dir), u->timeouts, t);
}

void report_text_diagnosis(report_sink *out, const report_stream *rs, const report_options *opt, const analysis *a)
{
    if (!rs->diag)
        return;
    sink_puts(out, "\ndiagnosis\n");
    print_setup(out, a);
    for (unsigned dir = 0; dir < 2; dir++) {
        if (!report_dir_shown(opt, dir))
            continue;
        print_unresponsive(out, rs, dir);
        print_time_line(out, rs, dir);
        print_episode_line(out, rs, dir);
    }
    diag_capture_point cp = diagnosis_capture_point(rs->diag);
    if (cp != DIAG_CAPTURE_UNKNOWN)
        sink_printf(out, "  captured %s\n", cp == DIAG_CAPTURE_NEAR_CLIENT   ? "near the client"
                                            : cp == DIAG_CAPTURE_NEAR_SERVER ? "near the server"
                                                                             : "in the path");
}
