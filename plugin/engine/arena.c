/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "arena.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Blocks double from 512 bytes (small streams stay small) up to 1 MiB (large
 * streams pay a negligible per-block overhead); the space lost at the end of a
 * block is at most one segment's size. */
#define ARENA_FIRST_BLOCK ((size_t)512)
#define ARENA_MAX_BLOCK ((size_t)4 << 20)
/* Blocks this large are aligned for transparent huge pages: one fault per 2 MiB
 * instead of one per 4 KiB is most of the cost of keeping a large stream. */
#define ARENA_HUGE_PAGE ((size_t)2 << 20)
/* An emptied newest block is kept for the next bytes only from this size up:
 * a busy stream reuses its large block instead of faulting in a new one, and
 * a quiet stream whose bytes were all acknowledged (thousands of them in the
 * all-streams summary and the packet fields) holds no payload memory. */
#define ARENA_KEEP_EMPTY ((size_t)64 << 10)

struct arena_block {
    arena_block *next; /* older */
    size_t size;
    size_t used;       /* bytes handed out */
    size_t live;       /* bytes handed out and not released */
    uint8_t bytes[];
};

static arena_block *block_alloc(size_t size)
{
    if (sizeof(arena_block) + size < ARENA_HUGE_PAGE)
        return g_malloc(sizeof(arena_block) + size);
    void *p = NULL;
    if (posix_memalign(&p, ARENA_HUGE_PAGE, sizeof(arena_block) + size) != 0)
        g_error("tcpfollowts: out of memory for %zu bytes of payload", size);
#ifdef MADV_HUGEPAGE
    madvise(p, sizeof(arena_block) + size, MADV_HUGEPAGE);
#endif
    return p;
}

static void block_free(arena_block *b)
{
    if (sizeof(arena_block) + b->size < ARENA_HUGE_PAGE)
        g_free(b);
    else
        free(b);
}

void arena_init(arena *a)
{
    memset(a, 0, sizeof *a);
}

void arena_free(arena *a)
{
    arena_block *b = a->blocks;
    while (b) {
        arena_block *next = b->next;
        block_free(b);
        b = next;
    }
    arena_init(a);
}

const uint8_t *arena_copy(arena *a, const uint8_t *bytes, size_t len)
{
    arena_block *b = a->blocks;
    if (b && b->live == 0) /* nothing in it is referenced any more: start it over */
        b->used = 0;
    if (!b || b->size - b->used < len) {
        if (b && b->live == 0) {
            a->blocks = b->next;
            a->reserved_bytes -= b->size;
            block_free(b);
        }
        size_t size = a->reserved_bytes < ARENA_FIRST_BLOCK ? ARENA_FIRST_BLOCK : a->reserved_bytes;
        if (size > ARENA_MAX_BLOCK)
            size = ARENA_MAX_BLOCK;
        if (size < len)
            size = len;
        b = block_alloc(size);
        b->size = size;
        b->used = 0;
        b->live = 0;
        b->next = a->blocks;
        a->blocks = b;
        a->reserved_bytes += size;
    }
    uint8_t *dst = b->bytes + b->used;
    if (len)
        memcpy(dst, bytes, len);
    b->used += len;
    b->live += len;
    a->used_bytes += len;
    return dst;
}

void arena_release(arena *a, const uint8_t *bytes, size_t len)
{
    if (!len)
        return;
    arena_block **link = &a->blocks;
    for (arena_block *b = a->blocks; b; link = &b->next, b = b->next) {
        if (bytes < b->bytes || bytes >= b->bytes + b->used)
            continue;
        g_assert(b->live >= len);
        b->live -= len;
        a->used_bytes -= len;
        /* the newest block keeps taking bytes: free only full-and-dead ones,
         * and a small newest one */
        if (b->live == 0 && (b != a->blocks || b->size < ARENA_KEEP_EMPTY)) {
            *link = b->next;
            a->reserved_bytes -= b->size;
            block_free(b);
        }
        return;
    }
    g_assert_not_reached();
}
