/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "seqstore.h"

#include <glib.h>
#include <stddef.h>
#include <string.h>

#define POOL_BLOCK_BYTES ((size_t)64 << 10)

struct seqstore_pool_block {
    seqstore_pool_block *next;
    size_t size;
    max_align_t bytes[];
};

static size_t node_size(unsigned height)
{
    size_t n = sizeof(seqstore_chunk) + height * sizeof(seqstore_chunk *);
    return (n + 15) & ~(size_t)15;
}

static size_t pool_bytes(const seqstore *s)
{
    size_t total = 0;
    for (const seqstore_pool_block *b = s->pool; b; b = b->next)
        total += sizeof *b + b->size;
    return total;
}

static seqstore_chunk *chunk_new(seqstore *s, unsigned height)
{
    seqstore_chunk *c = s->free_nodes[height];
    if (c) {
        s->free_nodes[height] = c->next[0];
    } else {
        size_t size = node_size(height);
        if (!s->pool || s->pool->size - s->pool_used < size) {
            /* the first block is small: many streams hold only a few chunks */
            size_t block = s->pool ? MIN(POOL_BLOCK_BYTES, 2 * s->pool->size) : 256;
            seqstore_pool_block *b = g_malloc(sizeof *b + block);
            b->next = s->pool;
            b->size = block;
            s->pool = b;
            s->pool_used = 0;
        }
        c = (seqstore_chunk *)((char *)s->pool->bytes + s->pool_used);
        s->pool_used += size;
    }
    memset(c, 0, node_size(height));
    c->height = (uint8_t)height;
    return c;
}

static void chunk_release(seqstore *s, seqstore_chunk *c)
{
    c->next[0] = s->free_nodes[c->height];
    s->free_nodes[c->height] = c;
}

void seqstore_init(seqstore *s)
{
    memset(s, 0, sizeof *s);
    s->rng = 0x9e3779b9u; /* fixed seed: the same input always builds the same list */
}

/* The sentinel is allocated on first use: most directions of most streams
 * in an all-streams run never hold a chunk. */
static void ensure_head(seqstore *s)
{
    if (s->head)
        return;
    s->head = g_malloc0(node_size(SEQSTORE_MAX_LEVEL));
    s->head->height = SEQSTORE_MAX_LEVEL;
    for (unsigned i = 0; i < SEQSTORE_MAX_LEVEL; i++)
        s->tail[i] = s->head;
}

void seqstore_free(seqstore *s)
{
    g_free(s->head);
    seqstore_pool_block *b = s->pool;
    while (b) {
        seqstore_pool_block *next = b->next;
        g_free(b);
        b = next;
    }
    memset(s, 0, sizeof *s);
}

void seqstore_clear(seqstore *s)
{
    uint32_t rng = s->rng;
    seqstore_free(s);
    s->rng = rng;
}

/* Height with P(level i) = 4^-i: 1.33 pointers per node on average. */
static unsigned random_height(seqstore *s)
{
    uint32_t x = s->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s->rng = x;
    unsigned h = 1;
    while (h < SEQSTORE_MAX_LEVEL && (x & 3) == 0) {
        h++;
        x >>= 2;
    }
    return h;
}

/* Fill update[i] with the last node at level i whose end is <= seq. */
static void find_predecessors(const seqstore *s, uint64_t seq, seqstore_chunk **update)
{
    seqstore_chunk *x = s->head;
    for (int i = SEQSTORE_MAX_LEVEL - 1; i >= (int)s->levels; i--)
        update[i] = s->head;
    for (int i = (int)s->levels - 1; i >= 0; i--) {
        while (x->next[i] && seqstore_chunk_end(x->next[i]) <= seq)
            x = x->next[i];
        update[i] = x;
    }
}

seqstore_chunk *seqstore_find_end_after(const seqstore *s, uint64_t seq)
{
    seqstore_chunk *last = seqstore_last(s);
    if (!last || seqstore_chunk_end(last) <= seq)
        return NULL;
    seqstore_chunk *update[SEQSTORE_MAX_LEVEL];
    find_predecessors(s, seq, update);
    return update[0]->next[0];
}

seqstore_chunk *seqstore_insert(seqstore *s, uint64_t seq, uint64_t len, uint32_t segment,
                                const uint8_t *data)
{
    ensure_head(s);
    unsigned h = random_height(s);
    seqstore_chunk *c = chunk_new(s, h);
    if (h > s->levels)
        s->levels = h;
    c->seq = seq;
    c->len = len;
    c->segment = segment;
    c->end_segment = segment;
    c->data = data;
    s->chunks++;
    s->bytes += len;

    seqstore_chunk *last = seqstore_last(s);
    if (!last || seqstore_chunk_end(last) <= seq) {
        for (unsigned i = 0; i < h; i++) {
            s->tail[i]->next[i] = c;
            s->tail[i] = c;
        }
        return c;
    }

    seqstore_chunk *update[SEQSTORE_MAX_LEVEL];
    find_predecessors(s, seq, update);
    for (unsigned i = 0; i < h; i++) {
        c->next[i] = update[i]->next[i];
        update[i]->next[i] = c;
        if (!c->next[i])
            s->tail[i] = c;
    }
    return c;
}

void seqstore_shrink(seqstore *s, seqstore_chunk *c, uint64_t seq, uint64_t len)
{
    g_assert(seq >= c->seq && seq + len <= seqstore_chunk_end(c) && len > 0);
    s->bytes -= c->len - len;
    if (c->data)
        c->data += seq - c->seq;
    c->seq = seq;
    c->len = len;
}

void seqstore_grow(seqstore *s, seqstore_chunk *c, uint64_t len)
{
    g_assert(len >= c->len && (!c->next[0] || c->seq + len <= c->next[0]->seq));
    s->bytes += len - c->len;
    c->len = len;
}

void seqstore_remove(seqstore *s, seqstore_chunk *c)
{
    seqstore_chunk *update[SEQSTORE_MAX_LEVEL];
    if (s->head->next[0] == c) /* releasing from the front (lean engines): no search */
        for (unsigned i = 0; i < c->height; i++)
            update[i] = s->head;
    else
        find_predecessors(s, c->seq, update);
    for (unsigned i = 0; i < c->height; i++) {
        if (update[i]->next[i] != c)
            continue;
        update[i]->next[i] = c->next[i];
        if (s->tail[i] == c)
            s->tail[i] = update[i];
    }
    s->chunks--;
    s->bytes -= c->len;
    chunk_release(s, c);
}

size_t seqstore_overhead_bytes(const seqstore *s)
{
    return pool_bytes(s) + (s->head ? node_size(SEQSTORE_MAX_LEVEL) : 0);
}
