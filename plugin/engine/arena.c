/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "arena.h"

#include <glib.h>
#include <string.h>

/* Blocks double from 4 KiB (small streams stay small) up to 1 MiB (large
 * streams pay a negligible per-block overhead); the space lost at the end of a
 * block is at most one segment's size. */
#define ARENA_FIRST_BLOCK ((size_t)4 << 10)
#define ARENA_MAX_BLOCK ((size_t)1 << 20)

struct arena_block {
    arena_block *next;
    size_t size;
    size_t used;
    uint8_t bytes[];
};

void arena_init(arena *a)
{
    memset(a, 0, sizeof *a);
}

void arena_free(arena *a)
{
    arena_block *b = a->blocks;
    while (b) {
        arena_block *next = b->next;
        g_free(b);
        b = next;
    }
    arena_init(a);
}

const uint8_t *arena_copy(arena *a, const uint8_t *bytes, size_t len)
{
    arena_block *b = a->blocks;
    if (!b || b->size - b->used < len) {
        size_t size = a->reserved_bytes < ARENA_FIRST_BLOCK ? ARENA_FIRST_BLOCK : a->reserved_bytes;
        if (size > ARENA_MAX_BLOCK)
            size = ARENA_MAX_BLOCK;
        if (size < len)
            size = len;
        b = g_malloc(sizeof *b + size);
        b->size = size;
        b->used = 0;
        b->next = a->blocks;
        a->blocks = b;
        a->reserved_bytes += size;
    }
    uint8_t *dst = b->bytes + b->used;
    if (len)
        memcpy(dst, bytes, len);
    b->used += len;
    a->used_bytes += len;
    return dst;
}
