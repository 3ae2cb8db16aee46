/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "seqstore.h"

#include <glib.h>
#include <string.h>

static seqstore_chunk *chunk_new(unsigned height)
{
    seqstore_chunk *c = g_malloc0(sizeof *c + height * sizeof c->next[0]);
    c->height = (uint8_t)height;
    return c;
}

void seqstore_init(seqstore *s)
{
    memset(s, 0, sizeof *s);
    s->head = chunk_new(SEQSTORE_MAX_LEVEL);
    for (unsigned i = 0; i < SEQSTORE_MAX_LEVEL; i++)
        s->tail[i] = s->head;
    s->rng = 0x9e3779b9u; /* fixed seed: the same input always builds the same list */
}

void seqstore_free(seqstore *s)
{
    if (!s->head)
        return;
    seqstore_chunk *c = s->head;
    while (c) {
        seqstore_chunk *next = c->next[0];
        g_free(c);
        c = next;
    }
    memset(s, 0, sizeof *s);
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
    for (int i = SEQSTORE_MAX_LEVEL - 1; i >= 0; i--) {
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
    unsigned h = random_height(s);
    seqstore_chunk *c = chunk_new(h);
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
    g_free(c);
}

size_t seqstore_overhead_bytes(const seqstore *s)
{
    /* nodes average 1.33 level pointers; count the exact fixed part and that mean */
    return s->chunks * (sizeof(seqstore_chunk) + 4 * sizeof(void *) / 3);
}
