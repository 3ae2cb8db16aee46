/* engine.h — the reassembly engine of one TCP stream: the whole contract.
 *
 * Feed every segment of a stream in capture order with engine_add_segment; the
 * engine unwraps sequence numbers to 64 bits per direction, keeps one copy of
 * every byte (first or last captured, per policy), attributes each kept byte to
 * the segment that carried it, and classifies every segment from what the store
 * already held for its bytes. After engine_finish, walk each direction: kept
 * chunks and the gaps between them come out in sequence order. Gaps are never
 * stored and never written into the data; they are derived from coverage.
 *
 * Pure C + GLib: no Wireshark header, so the engine is testable on its own.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_ENGINE_H
#define TCPFOLLOWTS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP header flag bits, as on the wire (NS/AE is bit 8). */
enum {
    ENGINE_TCP_FIN = 0x001, ENGINE_TCP_SYN = 0x002, ENGINE_TCP_RST = 0x004,
    ENGINE_TCP_PSH = 0x008, ENGINE_TCP_ACK = 0x010, ENGINE_TCP_URG = 0x020,
    ENGINE_TCP_ECE = 0x040, ENGINE_TCP_CWR = 0x080, ENGINE_TCP_AE = 0x100,
};
/* Not a TCP flag: set in a record's flags when its payload byte is filler, not
 * data (a zero-window probe at snd.una - 1). */
#define ENGINE_SEG_FILLER 0x8000

typedef enum {
    ENGINE_CLASS_NEW,               /* only new bytes, at or past the highest seq seen */
    ENGINE_CLASS_RETRANSMISSION,    /* no new byte, all old bytes identical */
    ENGINE_CLASS_OVERLAP,           /* some new bytes, some old (identical) */
    ENGINE_CLASS_OUT_OF_ORDER,      /* only new bytes, below the highest seq seen */
    ENGINE_CLASS_CONFLICT,          /* old bytes present whose copy differs from the kept one */
    ENGINE_CLASS_KEEP_ALIVE,        /* 0/1 byte at next seq - 1: a probe, its byte is not data */
    ENGINE_CLASS_ZERO_WINDOW_PROBE, /* while the peer's window is 0: 1 byte at next seq (data),
                                       or 0/1 byte at snd.una - 1 or next seq - 1 (the Linux
                                       persist probe: ENGINE_SEG_FILLER, its byte is not data) */
    ENGINE_CLASS_CONTROL,           /* no payload: SYN, FIN, RST or pure ACK */
    ENGINE_CLASS_UNKNOWN_LENGTH,    /* TCP could not tell the payload length (IP fragment
                                       not reassembled): its bytes are unknown */
    ENGINE_CLASS_COUNT
} engine_class;

typedef enum { ENGINE_OVERLAP_FIRST, ENGINE_OVERLAP_LAST } engine_overlap_policy;

/* Why a gap's bytes are missing. */
typedef enum {
    ENGINE_GAP_NOT_CAPTURED, /* no captured segment carried them */
    ENGINE_GAP_TRUNCATED,    /* a segment claimed them but the snapshot length cut them */
} engine_gap_cause;

#define ENGINE_NO_SEGMENT UINT32_MAX

/* One segment as the capture shows it. Pointers need only live during the call. */
typedef struct {
    uint32_t frame;
    int64_t time_ns;        /* absolute capture time, nanoseconds since the epoch */
    unsigned sender;        /* 0: the endpoint that sent the stream's first segment; 1: the other */
    uint32_t seq;           /* raw 32-bit sequence number */
    uint32_t ack;           /* raw 32-bit acknowledgement number (meaningful with ACK) */
    uint16_t flags;         /* ENGINE_TCP_* */
    uint32_t win;           /* window as the dissector reports it (scaled when known) */
    bool have_len;          /* false: TCP could not know the payload length */
    uint32_t len;           /* payload length from the headers */
    const uint8_t *payload; /* captured payload bytes */
    uint32_t caplen;        /* captured payload length, <= len */
} engine_segment_in;

/* What the engine recorded for a segment: fixed size, kept for every segment. */
typedef struct {
    uint64_t seq;            /* unwrapped sequence number (see engine_relative_seq) */
    uint64_t ack;            /* unwrapped in the peer's sequence space (valid with ACK) */
    int64_t time_ns;
    uint32_t frame;
    uint32_t len;            /* payload length from the headers */
    uint32_t caplen;         /* captured payload bytes */
    uint32_t new_bytes;      /* bytes this segment added to the store */
    uint32_t conflict_bytes; /* overlapping bytes that differed from the kept copy */
    uint32_t win;
    uint32_t hole_opener;    /* out-of-order only: the segment (id, see engine_segment_frame)
                                whose bytes follow the hole this one filled (its arrival
                                showed the hole), or ENGINE_NO_SEGMENT */
    uint16_t flags;
    uint8_t sender;
    uint8_t klass;           /* engine_class */
} engine_segment;

/* Per-direction counters, indexed by sender. */
typedef struct {
    uint64_t segments;
    uint64_t by_class[ENGINE_CLASS_COUNT];
    uint64_t kept_bytes;
    uint64_t missing_bytes; /* valid after engine_finish */
    uint64_t gaps;          /* valid after engine_finish */
    uint64_t conflict_bytes;
    int64_t first_ns, last_ns; /* times of the first and last segment of the direction */
} engine_dir_stats;

typedef struct engine_stream engine_stream;

/* An engine that keeps every kept byte (the chunks carry data) and a record per segment. */
engine_stream *engine_new(engine_overlap_policy policy);
/* A lean engine keeps which bytes were covered, not the bytes: memory grows
 * with the holes, not with the stream. Chunks come out without data. It keeps
 * the last 4 MiB of payload of each direction to find conflicts, so it differs
 * from a full engine only for a conflicting copy of older bytes. Without
 * records (the all-streams summary, the packet-list fields) engine_segment_count
 * is 0, only counters and the walk remain, segments are named by their frame
 * (engine_segment_frame), and payload is also dropped once the peer
 * acknowledged it: conflicts are then found against unacknowledged bytes only,
 * and memory follows the unacknowledged data. */
engine_stream *engine_new_lean(engine_overlap_policy policy, bool keep_records);
void engine_free(engine_stream *s);

/* Record a segment; O(1) when its bytes extend the direction in order. The
 * returned record is valid until the next call (and for good when records are kept). */
const engine_segment *engine_add_segment(engine_stream *s, const engine_segment_in *in);

/* Settle what depends on the whole stream: which endpoint is the client, the
 * relative-seq base per direction, the end of each direction, gap counts.
 * Call after the last segment; queries below need it. More segments may still
 * follow (a live view settles what it has so far): the next engine_finish
 * settles again, as if the stream had been fed in one go. */
void engine_finish(engine_stream *s);
bool engine_finished(const engine_stream *s);

size_t engine_segment_count(const engine_stream *s);
const engine_segment *engine_segment_at(const engine_stream *s, size_t i);
/* Chunks, gaps and hole_opener name a segment by an id: its record index, or,
 * in an engine without records, its frame number. This is the frame of an id
 * either way, 0 for ENGINE_NO_SEGMENT or a record index not kept. */
uint32_t engine_segment_frame(const engine_stream *s, uint32_t id);

/* The segment id whose kept copy holds the first byte of [seq, end) that
 * segment `self` did not carry: for a segment just added, the copy its first
 * resent byte was compared with. ENGINE_NO_SEGMENT when there is none or it is
 * not known: a lean engine forgets which segment carried a byte once its
 * payload window let the byte go (coverage only remembers the segment of each
 * covered range's first byte). */
uint32_t engine_resent_copy(const engine_stream *s, unsigned sender, uint64_t seq, uint64_t end, uint32_t self);

/* The sender index of the client (dir 0): the sender of a SYN without ACK when
 * one was seen, else the sender of the first segment. */
unsigned engine_client_sender(const engine_stream *s);
static inline unsigned engine_dir_sender(const engine_stream *s, unsigned dir)
{
    return dir ^ engine_client_sender(s);
}
static inline unsigned engine_sender_dir(const engine_stream *s, unsigned sender)
{
    return sender ^ engine_client_sender(s);
}
static inline unsigned engine_segment_dir(const engine_stream *s, const engine_segment *seg)
{
    return engine_sender_dir(s, seg->sender);
}

/* Relative seq: 0 is the SYN when seen, else the lowest seq seen is 1. */
int64_t engine_relative_seq(const engine_stream *s, unsigned sender, uint64_t seq);
/* The raw 32-bit seq that maps to relative 0 in the sender's direction. */
uint32_t engine_base_raw(const engine_stream *s, unsigned sender);
/* nxtseq as Wireshark's tcp.nxtseq: seq + len (+1 SYN, +1 FIN). */
uint64_t engine_segment_nxtseq(const engine_segment *seg);
/* The first payload byte's seq (after a SYN). */
static inline uint64_t engine_segment_data_seq(const engine_segment *seg)
{
    return seg->seq + ((seg->flags & ENGINE_TCP_SYN) ? 1 : 0);
}
/* Whether the class is a re-send of bytes the stream already had. */
static inline bool engine_class_is_resend(engine_class k)
{
    return k == ENGINE_CLASS_RETRANSMISSION || k == ENGINE_CLASS_OVERLAP || k == ENGINE_CLASS_CONFLICT;
}
/* Whether the segment's payload is stream data (not a keep-alive's or probe's
 * filler byte, not bytes of unknown length). */
static inline bool engine_segment_carries_data(const engine_segment *seg)
{
    return seg->len > 0 && seg->klass != ENGINE_CLASS_KEEP_ALIVE && seg->klass != ENGINE_CLASS_UNKNOWN_LENGTH &&
           !(seg->flags & ENGINE_SEG_FILLER);
}
/* Whether the sender ever sent a segment (a stream may be one-directional). */
bool engine_sender_seen(const engine_stream *s, unsigned sender);

const engine_dir_stats *engine_stats(const engine_stream *s, unsigned sender);

/* A run of kept bytes, all from one segment. Without payload (a lean engine)
 * it is a run of covered bytes: data is NULL and segment is that of its first byte. */
typedef struct {
    uint64_t seq;
    uint64_t len;
    uint32_t segment; /* index into the segments */
    const uint8_t *data;
} engine_chunk;

typedef struct {
    uint64_t seq;
    uint64_t len;
    uint32_t after_segment;  /* segment of the kept byte before the gap, or ENGINE_NO_SEGMENT */
    uint32_t before_segment; /* segment of the kept byte after the gap, or ENGINE_NO_SEGMENT */
    engine_gap_cause cause;
} engine_gap;

typedef struct {
    void (*chunk)(void *ctx, const engine_chunk *chunk);
    void (*gap)(void *ctx, const engine_gap *gap);
} engine_walk_cb;

/* Visit the sender's kept chunks and gaps in ascending seq order. Either
 * callback may be NULL. */
void engine_walk(const engine_stream *s, unsigned sender, const engine_walk_cb *cb, void *ctx);

/* Visit the sender's kept chunks that intersect [from, to), in seq order:
 * O(log n) to find the first. Full engines only (lean ones keep no chunks). */
void engine_walk_range(const engine_stream *s, unsigned sender, uint64_t from, uint64_t to,
                       void (*chunk)(void *ctx, const engine_chunk *chunk), void *ctx);

/* Memory held for the stream, excluding the struct itself: payload arena,
 * store nodes and segment records. */
size_t engine_memory_bytes(const engine_stream *s);

const char *engine_class_name(engine_class c);
const char *engine_gap_cause_name(engine_gap_cause c);

#endif
