/* SPDX-License-Identifier: GPL-2.0-or-later
 * One row per segment, a header row first; times per the time= option. */
#include "render_common.h"

#include <inttypes.h>

void report_render_csv(const report_stream *rs, const report_options *opt, report_sink *out)
{
    const engine_stream *e = rs->engine;
    int64_t first = report_stream_first_ns(e), prev = first;
    sink_puts(out, "stream,frame,time,dir,seq,nxtseq,ack,flags,win,len,captured,class,new_bytes,"
                   "conflict_bytes\n");
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        const engine_segment *seg = engine_segment_at(e, i);
        unsigned dir = engine_segment_dir(e, seg);
        if (!report_dir_shown(opt, dir))
            continue;
        char when[REPORT_TIME_BUF], flags[16], ack[24] = "";
        report_format_time(when, seg->time_ns, opt->time, opt->time == REPORT_TIME_DELTA ? prev : first);
        report_format_flags(flags, seg->flags);
        if (seg->flags & ENGINE_TCP_ACK)
            snprintf(ack, sizeof ack, "%" PRId64, engine_relative_seq(e, !seg->sender, seg->ack));
        prev = seg->time_ns;
        sink_printf(out, "%u,%u,%s,%u,%" PRId64 ",%" PRId64 ",%s,%s,%u,%u,%u,%s,%u,%u\n", rs->stream,
                    seg->frame, when, dir, engine_relative_seq(e, seg->sender, seg->seq),
                    engine_relative_seq(e, seg->sender, engine_segment_nxtseq(seg)), ack, flags, seg->win,
                    seg->len, seg->caplen, engine_class_name(seg->klass), seg->new_bytes,
                    seg->conflict_bytes);
    }
}
