/* arena.h — append-only byte storage with stable addresses.
 *
 * The reassembly store keeps pointers into payload copies for the lifetime of a
 * stream, so the bytes must never move: the arena grows by whole blocks instead
 * of reallocating. Nothing is freed individually; arena_free releases it all.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_ARENA_H
#define TCPFOLLOWTS_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct arena_block arena_block;

typedef struct {
    arena_block *blocks;   /* newest first */
    size_t used_bytes;     /* bytes handed out by arena_copy */
    size_t reserved_bytes; /* bytes allocated for blocks (>= used_bytes) */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);

/* Copy len bytes into the arena; the returned pointer stays valid until
 * arena_free. len may be 0 (returns a non-NULL pointer). */
const uint8_t *arena_copy(arena *a, const uint8_t *bytes, size_t len);

#endif
