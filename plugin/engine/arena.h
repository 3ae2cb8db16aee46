/* arena.h — byte storage with stable addresses, freed by whole blocks.
 *
 * The reassembly store keeps pointers into payload copies, so the bytes must
 * never move: the arena grows by whole blocks instead of reallocating. Each
 * block counts its live bytes; when the store lets go of bytes (a later copy
 * replaced them, or a lean engine released acknowledged data) the block is
 * freed once none of its bytes is live any more.
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
    size_t used_bytes;     /* bytes handed out by arena_copy and not released */
    size_t reserved_bytes; /* bytes allocated for blocks (>= used_bytes) */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);

/* Copy len bytes into the arena; the returned pointer stays valid until those
 * bytes are released. len may be 0 (returns a non-NULL pointer). */
const uint8_t *arena_copy(arena *a, const uint8_t *bytes, size_t len);

/* The caller no longer uses [bytes, bytes + len), which arena_copy handed out. */
void arena_release(arena *a, const uint8_t *bytes, size_t len);

#endif
