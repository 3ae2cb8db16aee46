/* postdissector.c — the tcpfollowts protocol: fields on every TCP packet.
 *
 * The TCP header of a frame reaches taps only after the frame's post-
 * dissectors have run, so the segments are read from the protocol tree: the
 * TCP fields we need are "wanted hfids", which Wireshark fills in on the first
 * pass (and a printed tree always has them). On that first pass each segment
 * goes to its stream's marks (marks.h) and the result is stored with the
 * frame (p_add_proto_data, file scope); later dissections of the frame, in any
 * order, add the stored result again, plus what needs the whole capture (bytes
 * never captured, RTT samples, loss episodes, zero windows), settled then.
 *
 * Wanting hfids makes tshark build a tree for every packet, so they are only
 * wanted when something asks for our fields. The fields themselves are
 * registered on demand (proto_register_prefix): the first lookup of a
 * "tcpfollowts." name (a filter, a column, -e, -G) registers them and turns
 * the post-dissector on.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "postdissector.h"

#include "marks.h"
#include "registration.h"
#include "stream_feed.h"
#include "tcp_source.h"

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include <inttypes.h>
#include <string.h>

#define PROTO_FILTER_NAME "tcpfollowts"

/* When the post-dissector works (preference tcpfollowts.fields). */
typedef enum { FIELDS_AUTO, FIELDS_ALWAYS, FIELDS_NEVER } fields_mode;

static const enum_val_t fields_modes[] = {
    {"auto", "When a filter, column or field uses them (always in Wireshark)", FIELDS_AUTO},
    {"always", "Always", FIELDS_ALWAYS},
    {"never", "Never", FIELDS_NEVER},
    {NULL, NULL, 0},
};

static int proto_tft = -1;
static gint ett_tft = -1;
static dissector_handle_t tft_handle;

static int hf_class = -1, hf_new_bytes = -1, hf_conflict_bytes = -1, hf_kept_frame = -1;
static int hf_stall = -1, hf_gap_before = -1, hf_gap_after = -1;
static int hf_in_flight = -1, hf_rtt = -1, hf_cause = -1, hf_lost = -1;
static expert_field ei_conflict = EI_INIT, ei_not_captured = EI_INIT, ei_timeout = EI_INIT, ei_zero_window = EI_INIT,
                    ei_unresponsive = EI_INIT;
static expert_module_t *expert_tft;

static gint pref_mode = FIELDS_AUTO;
static guint pref_stall_ms = 200;

static bool fields_registered;
static bool fields_named;   /* a "tcpfollowts." name was looked up */
static bool hfids_wanted;   /* Wireshark primes the TCP fields on first passes */
static bool pass_started;   /* a frame was dissected since the last init */
static bool feeding;        /* segments go to the marks on first looks */
static bool with_diagnosis; /* the marks run the diagnosis (a few KiB per stream) */
static bool late;           /* fed from printed trees of visited frames (tshark -2 -V) */
static uint32_t last_fed_frame;

/* A segment is read from the TCP protocol item (its header bytes) and the two
 * fields only the TCP dissector knows; every field wanted costs a hash entry
 * per packet, so no more are wanted. */
static int proto_tcp = -1, hf_tcp_stream = -1, hf_tcp_len = -1;

/* One TCP stream as the post-dissector follows it. */
typedef struct {
    marks_stream *marks;
    uint16_t port[2];           /* sender 0 sent the stream's first segment */
    address addr0;              /* its address, when both ends use the same port */
} stream_state;

static GPtrArray *streams;      /* stream_state *, by tcp.stream */

/* What a frame showed, per TCP layer, stored with the frame on its first look. */
typedef struct {
    uint32_t stream;
    marks_segment marks;
} layer_marks;

typedef struct {
    unsigned count;
    layer_marks layer[];
} frame_marks;

#define MAX_TCP_LAYERS 8

/* A TCP segment as the tree shows it, in the terms of the "tcp" tap: its
 * header fields as on the wire, sequence numbers raw and the window unscaled
 * (the tap's is scaled): what the fields show does not depend on the scale —
 * the engine asks whether a window is zero, the diagnosis' duplicate ACKs
 * compare two windows of one sender, and the peer's window itself, and the
 * window-limited time, are not fields. */
typedef struct {
    struct tcpheader th;
    tvbuff_t *tvb;             /* the data source holding the header, at offset */
    int offset;
    int avail;                 /* bytes captured from offset on */
} tree_segment;

int postdissector_proto(void)
{
    return proto_tft;
}

static void stream_state_free(gpointer p)
{
    stream_state *st = p;
    if (st) {
        marks_stream_free(st->marks);
        free_address(&st->addr0);
    }
    g_free(st);
}

/* ---- when to work --------------------------------------------------------- */

/* Whether the first pass must feed the marks: something asks for our fields.
 * (tshark starts -z listeners, e.g. -z expert, only after the file is opened
 * and after deciding whether to build trees: too late for them to count.) */
static bool wanted_from_the_start(void)
{
    if (pref_mode == FIELDS_NEVER || !proto_is_protocol_enabled(find_protocol_by_id(proto_tft)))
        return false;
    return pref_mode == FIELDS_ALWAYS || fields_named || gui_available();
}

static void register_fields(const char *match);

/* Wanted hfids make Wireshark build a tree for every packet: only when needed. */
static void update_wanted_fields(void)
{
    bool wanted = wanted_from_the_start();
    if (wanted)
        register_fields(NULL);
    hfids_wanted = wanted && proto_tcp >= 0;
    GArray *ids = NULL;
    if (hfids_wanted) {
        int wanted_ids[] = {proto_tcp, hf_tcp_stream, hf_tcp_len};
        ids = g_array_new(FALSE, FALSE, sizeof(int));
        g_array_append_vals(ids, wanted_ids, G_N_ELEMENTS(wanted_ids));
    }
    set_postdissector_wanted_hfids(tft_handle, ids);
}

static void on_init(void)
{
    streams = g_ptr_array_new_with_free_func(stream_state_free);
    update_wanted_fields();
    pass_started = feeding = late = false;
    last_fed_frame = 0;
}

static void on_cleanup(void)
{
    if (streams)
        g_ptr_array_free(streams, TRUE);
    streams = NULL;
}

static void on_prefs_applied(void)
{
    if (tft_handle)
        update_wanted_fields();
}

/* ---- reading segments from the tree ----------------------------------------- */

static uint32_t uint_value(field_info *fi)
{
    return fvalue_get_uinteger(TFT_FIELD_VALUE(fi));
}

/* (pint.h's name for this differs between 4.0 and 4.6) */
static uint32_t big_endian_32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The SACK blocks of the options (kind 5), raw edges, as the TCP dissector
 * collects them: the first MAX_TCP_SACK_RANGES of the header. */
static void read_sack(tree_segment *seg)
{
    struct tcpheader *th = &seg->th;
    uint8_t opt[40]; /* a header has at most 40 bytes of options */
    unsigned n = MIN(th->th_hlen - 20u, (unsigned)seg->avail - 20u); /* the captured ones */
    tvb_memcpy(seg->tvb, opt, seg->offset + 20, n);
    for (unsigned at = 0; at < n && opt[at] != 0;) {
        if (opt[at] == 1) { /* NOP */
            at++;
            continue;
        }
        unsigned len = at + 1 < n ? opt[at + 1] : 0;
        if (len < 2 || at + len > n)
            return;
        for (unsigned b = at + 2; opt[at] == 5 && b + 8 <= at + len && th->num_sack_ranges < MAX_TCP_SACK_RANGES;
             b += 8) {
            th->sack_left_edge[th->num_sack_ranges] = big_endian_32(opt + b);
            th->sack_right_edge[th->num_sack_ranges++] = big_endian_32(opt + b + 4);
        }
        at += len;
    }
}

/* As the "tcp" tap sees the segment: TCP taps it once it found the stream and
 * read the fixed header; 4.0 only once it also read all the options (a capture
 * that cuts them ends it before: TFT_TCP_TAPS_CUT_OPTIONS). */
static bool read_tcp_item(const proto_node *tcp_node, const packet_info *pinfo, tree_segment *seg)
{
    field_info *tcp = tcp_node->finfo;
    struct tcpheader *th = &seg->th;
    memset(seg, 0, sizeof *seg);
    seg->tvb = tcp->ds_tvb;
    seg->offset = tcp->start;
    bool have_stream = false;
    for (const proto_node *c = tcp_node->first_child; c; c = c->next) {
        int id = c->finfo ? c->finfo->hfinfo->id : -1;
        if (id == hf_tcp_stream && !have_stream) {
            th->th_stream = uint_value(c->finfo);
            have_stream = true;
        } else if (id == hf_tcp_len && !th->th_have_seglen) {
            th->th_seglen = uint_value(c->finfo);
            th->th_have_seglen = TRUE;
        }
        if (have_stream && th->th_have_seglen)
            break;
    }
    int avail = seg->avail = seg->tvb ? tvb_captured_length_remaining(seg->tvb, seg->offset) : -1;
    if (!have_stream || avail < 20)
        return false;
    const int o = seg->offset;
    th->th_sport = tvb_get_ntohs(seg->tvb, o);
    th->th_dport = tvb_get_ntohs(seg->tvb, o + 2);
    th->th_rawseq = th->th_seq = tvb_get_ntohl(seg->tvb, o + 4);
    th->th_rawack = th->th_ack = tvb_get_ntohl(seg->tvb, o + 8);
    uint16_t offset_flags = tvb_get_ntohs(seg->tvb, o + 12);
    th->th_hlen = (uint8_t)((offset_flags >> 12) * 4);
    th->th_flags = offset_flags & 0x0FFF;
    th->th_win = tvb_get_ntohs(seg->tvb, o + 14);
    /* the packet's addresses: those of its innermost network layer (see stream_for) */
    copy_address_shallow(&th->ip_src, &pinfo->src);
    copy_address_shallow(&th->ip_dst, &pinfo->dst);
    if (th->th_hlen < 20 || (avail < th->th_hlen && !TFT_TCP_TAPS_CUT_OPTIONS))
        return false;
    read_sack(seg);
    return true;
}

typedef struct {
    tree_segment segs[MAX_TCP_LAYERS];
    unsigned count;
} tree_walk;

/* Depth first, in the order the layers were dissected (and tapped). */
static void find_segments(const proto_node *node, const packet_info *pinfo, tree_walk *w)
{
    for (const proto_node *c = node->first_child; c && w->count < MAX_TCP_LAYERS; c = c->next) {
        if (c->finfo && c->finfo->hfinfo->id == proto_tcp) {
            if (read_tcp_item(c, pinfo, &w->segs[w->count]))
                w->count++;
            continue;
        }
        find_segments(c, pinfo, w);
    }
}

/* The segment's stream; sender 0 sent its first segment. The ports tell the
 * senders apart, the address only when both ends use the same port: it is the
 * packet's innermost network source, so a frame carrying two TCP layers of
 * such streams would be misread (not seen yet). */
static stream_state *stream_for(const struct tcpheader *th)
{
    if (th->th_stream >= streams->len)
        g_ptr_array_set_size(streams, th->th_stream + 1);
    stream_state *st = g_ptr_array_index(streams, th->th_stream);
    if (!st) {
        st = g_new0(stream_state, 1);
        st->marks = marks_stream_new((int64_t)pref_stall_ms * 1000000, with_diagnosis);
        st->port[0] = th->th_sport;
        st->port[1] = th->th_dport;
        if (th->th_sport == th->th_dport)
            copy_address(&st->addr0, &th->ip_src);
        g_ptr_array_index(streams, th->th_stream) = st;
    }
    return st;
}

static unsigned sender_of(const stream_state *st, const struct tcpheader *th)
{
    if (st->port[0] != st->port[1])
        return th->th_sport == st->port[0] ? 0 : 1;
    return addresses_equal(&th->ip_src, &st->addr0) ? 0 : 1;
}

static void feed(const tree_segment *seg, const packet_info *pinfo, layer_marks *out)
{
    const struct tcpheader *th = &seg->th;
    stream_state *st = stream_for(th);
    uint32_t caplen;
    const uint8_t *payload = tcp_source_payload(seg->tvb, seg->offset + th->th_hlen,
                                            th->th_have_seglen ? th->th_seglen : 0, &caplen);
    engine_segment_in in = stream_segment_in(pinfo, th, sender_of(st, th), payload, caplen);
    diag_sack sack = stream_segment_sack(th);
    out->stream = th->th_stream;
    marks_add(st->marks, &in, &sack, &out->marks);
}

/* The marks of a frame seen for the first time, stored with it. */
static frame_marks *first_look(packet_info *pinfo, proto_tree *tree)
{
    tree_walk w = {.count = 0};
    find_segments(tree, pinfo, &w);
    if (!w.count)
        return NULL;
    frame_marks *fm = wmem_alloc0(wmem_file_scope(), sizeof *fm + w.count * sizeof fm->layer[0]);
    fm->count = w.count;
    for (unsigned i = 0; i < w.count; i++)
        feed(&w.segs[i], pinfo, &fm->layer[i]);
    p_add_proto_data(wmem_file_scope(), pinfo, proto_tft, 0, fm);
    last_fed_frame = pinfo->num;
    return fm;
}

static bool tree_printed(const proto_tree *tree)
{
    return tree && PTREE_DATA(tree)->visible;
}

static bool any_referenced(proto_tree *tree, const int *fields, size_t n)
{
    for (size_t i = 0; tree && i < n; i++)
        if (fields[i] > 0 && proto_field_is_referenced(tree, fields[i]))
            return true;
    return false;
}

/* The fields of a pass decide whether the marks need the diagnosis: a filter
 * or -e on the class alone does not (tshark primes the same fields in every
 * packet of a pass). A pass that shows none of our fields prepares a later one
 * (tshark -2's first pass, Wireshark's): it runs it. */
static bool diagnosis_needed(proto_tree *tree)
{
    const int ours[] = {hf_class, hf_new_bytes, hf_conflict_bytes, hf_kept_frame, hf_stall, hf_gap_before,
                        hf_gap_after, ei_conflict.hf, ei_not_captured.hf};
    const int diag[] = {hf_in_flight, hf_rtt, hf_cause, hf_lost, ei_timeout.hf, ei_zero_window.hf,
                        ei_unresponsive.hf};
    return gui_available() || pref_mode == FIELDS_ALWAYS || tree_printed(tree) ||
           any_referenced(tree, diag, G_N_ELEMENTS(diag)) || !any_referenced(tree, ours, G_N_ELEMENTS(ours));
}

/* ---- what the packet shows ---------------------------------------------------- */

static void add_gap(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, int hf, uint64_t bytes,
                    const char *where)
{
    if (!bytes)
        return;
    proto_item *it = proto_tree_add_uint64(tree, hf, tvb, 0, 0, bytes);
    proto_item_set_generated(it);
    expert_add_info_format(pinfo, it, &ei_not_captured, "%" PRIu64 " bytes never captured %s this segment",
                           bytes, where);
}

static void add_duration(proto_tree *tree, tvbuff_t *tvb, int hf, int64_t ns)
{
    nstime_t t = {(time_t)(ns / 1000000000), (int)(ns % 1000000000)};
    proto_item_set_generated(proto_tree_add_time(tree, hf, tvb, 0, 0, &t));
}

static double seconds(int64_t ns)
{
    return (double)ns / 1e9;
}

/* What the rest of the capture told about this segment. */
static void add_settled(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, marks_stream *marks,
                        const marks_segment *m)
{
    marks_settle(marks);
    add_gap(tree, pinfo, tvb, hf_gap_before, marks_gap_before(marks, pinfo->num), "right before");
    add_gap(tree, pinfo, tvb, hf_gap_after, marks_gap_after(marks, pinfo->num), "after");
    marks_settled s;
    marks_settled_at(marks, m->index, &s);
    if (s.has_rtt)
        add_duration(tree, tvb, hf_rtt, s.rtt_ns);
    if (s.episode) {
        proto_item *it = proto_tree_add_string(tree, hf_cause, tvb, 0, 0, diag_cause_name(s.episode->cause));
        proto_item_set_generated(it);
        proto_item_set_generated(proto_tree_add_string(tree, hf_lost, tvb, 0, 0, diag_lost_name(s.episode->lost)));
        if (s.episode->cause == DIAG_CAUSE_TIMEOUT)
            expert_add_info_format(pinfo, it, &ei_timeout, "Timeout repair of bytes first sent in frame %u, "
                                   "%.6f s later", s.episode->first_frame,
                                   seconds(s.episode->repair_ns - s.episode->first_ns));
    }
    const diag_zero_window *zw = marks_zero_window(marks, pinfo->num);
    if (zw)
        proto_tree_add_expert_format(tree, pinfo, &ei_zero_window, tvb, 0, 0, "Zero window: the peer's window "
                                     "stays 0 for %.6f s, until frame %u (probes: %u)",
                                     seconds(zw->end_ns - zw->start_ns), zw->last_frame, zw->probes);
    unsigned sender;
    const diag_unresponsive *un = marks_unresponsive(marks, pinfo->num, &sender);
    if (un)
        proto_tree_add_expert_format(tree, pinfo, &ei_unresponsive, tvb, 0, 0, "Unresponsive peer: nothing the "
                                     "%s sends is acknowledged after this frame; it only times out (timeouts: %u, "
                                     "in %.6f s)", sender == engine_client_sender(marks_engine(marks)) ? "client"
                                                                                                   : "server",
                                     un->timeouts, seconds(un->until_ns - un->since_ns));
}

static void add_layer(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, const layer_marks *lm)
{
    const marks_segment *m = &lm->marks;
    const char *klass = engine_class_name((engine_class)m->klass);
    proto_item *ti = proto_tree_add_item(tree, proto_tft, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ": %s", klass);
    proto_tree *st = proto_item_add_subtree(ti, ett_tft);

    proto_item *it = proto_tree_add_string(st, hf_class, tvb, 0, 0, klass);
    proto_item_set_generated(it);
    if (m->klass == ENGINE_CLASS_CONFLICT && m->kept_frame)
        expert_add_info_format(pinfo, it, &ei_conflict, "%u resent bytes differ from the copy kept from frame %u",
                               m->conflict_bytes, m->kept_frame);
    else if (m->klass == ENGINE_CLASS_CONFLICT)
        expert_add_info_format(pinfo, it, &ei_conflict, "%u resent bytes differ from the copy kept",
                               m->conflict_bytes);
    proto_item_set_generated(proto_tree_add_uint(st, hf_new_bytes, tvb, 0, 0, m->new_bytes));
    proto_item_set_generated(proto_tree_add_uint(st, hf_conflict_bytes, tvb, 0, 0, m->conflict_bytes));
    if (m->kept_frame)
        proto_item_set_generated(proto_tree_add_uint(st, hf_kept_frame, tvb, 0, 0, m->kept_frame));
    if (m->has_stall)
        add_duration(st, tvb, hf_stall, m->stall_ns);
    if (with_diagnosis)
        proto_item_set_generated(proto_tree_add_uint(st, hf_in_flight, tvb, 0, 0, m->in_flight));
    /* Whole-capture facts: only once the first pass has seen every frame. */
    stream_state *stream = pinfo->fd->visited && streams && lm->stream < streams->len
                               ? g_ptr_array_index(streams, lm->stream)
                               : NULL;
    if (stream)
        add_settled(st, pinfo, tvb, stream->marks, m);
}

static int dissect_tft(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (pref_mode == FIELDS_NEVER)
        return 0;
    if (!pass_started) {
        /* Trees of this pass carry the TCP fields if they were wanted when
         * Wireshark set the pass up (filters, -e and -z filters are compiled
         * by then). */
        pass_started = true;
        feeding = hfids_wanted;
        with_diagnosis = diagnosis_needed(tree);
    }
    frame_marks *fm = p_get_proto_data(wmem_file_scope(), pinfo, proto_tft, 0);
    if (!fm) {
        /* A printed tree has every TCP field: tshark -V (and -2 -V, whose
         * first pass builds no tree) works without having asked for them,
         * from the first frame it prints, in capture order. */
        bool unseen = !pinfo->fd->visited || pinfo->num > last_fed_frame;
        if (!feeding && unseen && tree_printed(tree)) {
            register_fields(NULL);
            feeding = with_diagnosis = true;
            late = pinfo->fd->visited;
        }
        bool first = !pinfo->fd->visited || (late && unseen);
        if (!feeding || !first || !tree)
            return 0;
        fm = first_look(pinfo, tree);
        if (!fm)
            return 0;
    }
    for (unsigned i = 0; i < fm->count; i++)
        add_layer(tree, pinfo, tvb, &fm->layer[i]);
    return tvb_captured_length(tvb);
}

uint32_t postdissector_next_problem(uint32_t stream, uint32_t frame, bool forward)
{
    stream_state *st = streams && stream < streams->len ? g_ptr_array_index(streams, stream) : NULL;
    if (!st)
        return 0;
    marks_settle(st->marks);
    return marks_next_problem(st->marks, frame, forward);
}

/* ---- registration ---------------------------------------------------------------- */

/* The fields, registered on demand: the prefix initializer, or us when we
 * work anyway. */
static void register_fields(const char *match)
{
    if (match)
        fields_named = true;
    if (fields_registered)
        return;
    fields_registered = true;
    static hf_register_info hf[] = {
        {&hf_class, {"Class", PROTO_FILTER_NAME ".class", FT_STRING, BASE_NONE, NULL, 0,
                     "What became of the segment's bytes: new, retransmission, overlap, out-of-order, "
                     "conflict, keep-alive, zero-window-probe, control, unknown-length", HFILL}},
        {&hf_new_bytes, {"New bytes", PROTO_FILTER_NAME ".new_bytes", FT_UINT32, BASE_DEC, NULL, 0,
                         "Bytes the segment added to its direction of the stream", HFILL}},
        {&hf_conflict_bytes, {"Conflicting bytes", PROTO_FILTER_NAME ".conflict_bytes", FT_UINT32, BASE_DEC,
                              NULL, 0, "Resent bytes that differ from the copy kept", HFILL}},
        {&hf_kept_frame, {"Kept copy in frame", PROTO_FILTER_NAME ".kept_frame", FT_FRAMENUM, BASE_NONE,
                          FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_PREV), 0,
                          "The frame whose copy of the first resent byte was kept", HFILL}},
        {&hf_stall, {"Stall before", PROTO_FILTER_NAME ".stall", FT_RELATIVE_TIME, BASE_NONE, NULL, 0,
                     "The pause inside a turn this segment ended, when longer than the stall threshold",
                     HFILL}},
        {&hf_gap_before, {"Bytes never captured before", PROTO_FILTER_NAME ".gap_before", FT_UINT64, BASE_DEC,
                          NULL, 0, "Bytes of the stream right before this segment's data that no captured "
                          "segment carried (known once the whole capture was read)", HFILL}},
        {&hf_gap_after, {"Bytes never captured after", PROTO_FILTER_NAME ".gap_after", FT_UINT64, BASE_DEC,
                         NULL, 0, "Bytes at the end of the direction, after this segment's data, that no "
                         "captured segment carried (a lost tail)", HFILL}},
        {&hf_in_flight, {"Bytes in flight", PROTO_FILTER_NAME ".in_flight", FT_UINT32, BASE_DEC, NULL, 0,
                         "After this segment: its sender's highest nxtseq minus the peer's highest ACK",
                         HFILL}},
        {&hf_rtt, {"RTT", PROTO_FILTER_NAME ".rtt", FT_RELATIVE_TIME, BASE_NONE, NULL, 0,
                   "From this data segment (sent once) to the ACK that first covers its bytes (Karn's rule)",
                   HFILL}},
        {&hf_cause, {"Loss episode cause", PROTO_FILTER_NAME ".episode.cause", FT_STRING, BASE_NONE, NULL, 0,
                     "The segment repaired a loss episode: fast-retransmit, timeout, reordering, spurious",
                     HFILL}},
        {&hf_lost, {"Lost", PROTO_FILTER_NAME ".episode.lost", FT_STRING, BASE_NONE, NULL, 0,
                    "Where the episode's bytes were lost: after-capture (downstream), before-capture "
                    "(upstream), none", HFILL}},
    };
    static ei_register_info ei[] = {
        {&ei_conflict, {PROTO_FILTER_NAME ".expert.conflict", PI_SEQUENCE, PI_WARN,
                        "Resent bytes differ from the copy kept", EXPFILL}},
        {&ei_not_captured, {PROTO_FILTER_NAME ".expert.not_captured", PI_SEQUENCE, PI_WARN,
                            "Bytes never captured", EXPFILL}},
        {&ei_timeout, {PROTO_FILTER_NAME ".expert.timeout_repair", PI_SEQUENCE, PI_NOTE,
                       "Repaired after a retransmission timeout", EXPFILL}},
        {&ei_zero_window, {PROTO_FILTER_NAME ".expert.zero_window", PI_SEQUENCE, PI_NOTE,
                           "A zero-window period starts", EXPFILL}},
        {&ei_unresponsive, {PROTO_FILTER_NAME ".expert.unresponsive", PI_SEQUENCE, PI_WARN,
                            "The peer stopped acknowledging", EXPFILL}},
    };
    proto_register_field_array(proto_tft, hf, G_N_ELEMENTS(hf));
    expert_register_field_array(expert_tft, ei, G_N_ELEMENTS(ei));
    if (tft_handle) /* at start-up the handoff sets them */
        update_wanted_fields();
}

void postdissector_register(void)
{
    proto_tft = proto_register_protocol("TCP Stream Timeline (tcpfollowts)", "TCPFOLLOWTS", PROTO_FILTER_NAME);
    static gint *ett[] = {&ett_tft};
    proto_register_subtree_array(ett, G_N_ELEMENTS(ett));
    expert_tft = expert_register_protocol(proto_tft);
    proto_register_prefix(PROTO_FILTER_NAME, register_fields);

    module_t *prefs = prefs_register_protocol(proto_tft, on_prefs_applied);
    prefs_register_enum_preference(prefs, "fields", "Analysis fields on TCP packets",
                                   "When to add tcpfollowts.class and the other fields to TCP packets. "
                                   "auto: when a display filter, column, colouring rule or -e names one "
                                   "of them, Expert Information is listened to or the packet tree is "
                                   "printed, and always in Wireshark",
                                   &pref_mode, fields_modes, FALSE);
    prefs_register_uint_preference(prefs, "stall_ms", "Stall threshold (ms)",
                                   "A pause inside a turn longer than this is a stall (tcpfollowts.stall), "
                                   "as stall= of a report", 10, &pref_stall_ms);
    register_init_routine(on_init);
    register_cleanup_routine(on_cleanup);
}

void postdissector_handoff(void)
{
    tft_handle = create_dissector_handle(dissect_tft, proto_tft);
    register_postdissector(tft_handle);
    proto_tcp = proto_get_id_by_filter_name("tcp");
    hf_tcp_stream = proto_registrar_get_id_byname("tcp.stream");
    hf_tcp_len = proto_registrar_get_id_byname("tcp.len");
    update_wanted_fields();
}
