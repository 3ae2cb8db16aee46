/* SPDX-License-Identifier: GPL-2.0-or-later
 * One direction's kept bytes and nothing else. Gaps are not filled (that would
 * invent bytes); each is announced on the notes sink instead. */
#include "render_common.h"

#include <inttypes.h>

typedef struct {
    const report_stream *rs;
    report_sink *out, *notes;
    unsigned dir;
} raw_walk;

static void raw_chunk(void *ctx, const engine_chunk *c)
{
    raw_walk *w = ctx;
    sink_write(w->out, c->data, c->len);
}

static void raw_gap(void *ctx, const engine_gap *g)
{
    raw_walk *w = ctx;
    const engine_stream *e = w->rs->engine;
    if (!w->notes)
        return;
    sink_printf(w->notes, "tcpfollowts: stream %u %s: %" PRIu64 " bytes missing at seq %" PRId64
                          " (%s), not filled in the raw output\n",
                w->rs->stream, w->dir == 0 ? "client->server" : "server->client", g->len,
                engine_relative_seq(e, engine_dir_sender(e, w->dir), g->seq),
                engine_gap_cause_name(g->cause));
}

void report_render_raw(const report_stream *rs, const report_options *opt, report_sink *out,
                       report_sink *notes)
{
    raw_walk w = {rs, out, notes, opt->dir == REPORT_DIR_SERVER ? 1 : 0};
    const engine_walk_cb cb = {raw_chunk, raw_gap};
    report_walk_dir(rs, w.dir, &cb, &w);
}
