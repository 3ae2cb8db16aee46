/* seqstore.h — the kept bytes of one direction, ordered by 64-bit sequence number.
 *
 * A chunk is a run of bytes carried by one segment. Chunks never overlap, so
 * ordering by start is ordering by end. The store is a skip list with a finger
 * on the last node of every level: appending past the end (the in-order case)
 * is O(1), inserting or removing anywhere else is O(log n) expected.
 * The store does not know about TCP; overlap policy lives in the engine.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_SEQSTORE_H
#define TCPFOLLOWTS_SEQSTORE_H

#include <stddef.h>
#include <stdint.h>

/* 4^12 = 16 M chunks before searches start to lengthen; every store pays for
 * these fingers, and the all-streams mode has two per direction per stream. */
#define SEQSTORE_MAX_LEVEL 12

typedef struct seqstore_chunk {
    uint64_t seq;           /* first byte */
    uint64_t len;           /* > 0; payload chunks stay below 2^32, coverage ranges may not */
    uint32_t segment;       /* index of the segment whose copy is kept (of the first byte) */
    uint32_t end_segment;   /* segment of the last byte: differs from segment only in
                               coverage sets, where adjacent ranges merge */
    const uint8_t *data;    /* len bytes, owned by the caller's arena; NULL in coverage sets */
    uint8_t height;
    struct seqstore_chunk *next[]; /* height entries; next[0] is the successor */
} seqstore_chunk;

typedef struct seqstore_pool_block seqstore_pool_block;

typedef struct {
    seqstore_chunk *head;                     /* sentinel, SEQSTORE_MAX_LEVEL high; NULL until
                                                 the first insert */
    /* Nodes come from pooled blocks with a free list per height: no malloc per chunk. */
    seqstore_pool_block *pool;
    size_t pool_used;                         /* bytes used in the newest block */
    seqstore_chunk *free_nodes[SEQSTORE_MAX_LEVEL + 1];
    seqstore_chunk *tail[SEQSTORE_MAX_LEVEL]; /* last node per level (head if none) */
    uint32_t rng;
    unsigned levels;                          /* highest node height in the list */
    size_t chunks;
    uint64_t bytes;                           /* sum of chunk lengths */
} seqstore;

void seqstore_init(seqstore *s);
void seqstore_free(seqstore *s);
/* Gives every node back and leaves an empty store, its random sequence going on. */
void seqstore_clear(seqstore *s);

static inline seqstore_chunk *seqstore_first(const seqstore *s) { return s->head ? s->head->next[0] : NULL; }
static inline seqstore_chunk *seqstore_last(const seqstore *s)
{
    return s->tail[0] == s->head ? NULL : s->tail[0];
}
static inline uint64_t seqstore_chunk_end(const seqstore_chunk *c) { return c->seq + c->len; }

/* The first chunk whose end is beyond seq (the chunk holding seq, or the next
 * one after it), or NULL. */
seqstore_chunk *seqstore_find_end_after(const seqstore *s, uint64_t seq);

/* Add a chunk; the caller guarantees it overlaps no existing chunk. O(1) when
 * it lies past the last chunk. */
seqstore_chunk *seqstore_insert(seqstore *s, uint64_t seq, uint64_t len, uint32_t segment,
                                const uint8_t *data);

/* Shrink a chunk to [seq, seq + len), a sub-range of what it held; its data
 * pointer follows. Used when a later copy replaces part of it. */
void seqstore_shrink(seqstore *s, seqstore_chunk *c, uint64_t seq, uint64_t len);

/* Extend a chunk's end to seq + len (coverage sets: the in-order case). The
 * caller guarantees it does not reach the next chunk. */
void seqstore_grow(seqstore *s, seqstore_chunk *c, uint64_t len);

/* Remove and free a chunk. */
void seqstore_remove(seqstore *s, seqstore_chunk *c);

/* Bytes of bookkeeping (node blocks) excluding the payload itself. */
size_t seqstore_overhead_bytes(const seqstore *s);

#endif
