/* cli.c — "-z tcpfollowts,..." : parse at start-up, print the report at draw time.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "ws_compat.h"

#include "all_tap.h"
#include "registration.h"

#include <epan/stat_tap_ui.h>

#include <inttypes.h>
#include <stdio.h>

void follow_render(follower *f, const report_stream *rs, report_sink *out, report_sink *notes)
{
    const zargs_request *req = follower_request(f);
    if (!rs) {
        char *selection = zargs_describe_selection(req);
        report_render_empty(selection, follower_streams_seen(f), &req->opts,
                            req->opts.fmt == REPORT_FMT_JSON ? out : notes);
        g_free(selection);
        return;
    }
    report_render(rs, &req->opts, out, notes);
    if (follower_layout_failures(f)) {
        sink_printf(notes, "tcpfollowts: the payload of %" PRIu64 " segments could not be read (the fast "
                           "tap's layout check failed); they are reported as missing. Rerun with tap=tree.\n",
                    follower_layout_failures(f));
        sink_flush(notes);
    }
}

static void print_to_stdout(follower *f, const report_stream *rs, void *user)
{
    report_sink out, notes;
    sink_init_file(&out, stdout);
    sink_init_file(&notes, stderr);
    follow_render(f, rs, &out, &notes);
}

static void print_all_to_stdout(all_streams *all, const report_stream_summary *rows, size_t n, void *user)
{
    report_sink out;
    sink_init_file(&out, stdout);
    report_render_all(rows, n, &all_streams_request(all)->opts, &out);
}

static TFT_INIT_RESULT cli_init(const char *arg, void *userdata)
{
    /* In Wireshark this runs once the file is read: the window retaps. */
    if (gui_available()) {
        gui_open_zarg(arg);
        TFT_INIT_SUCCEED();
    }
    zargs_request req;
    char *error;
    if (!zargs_parse(arg, &req, &error)) {
        fprintf(stderr, "%s\n", error);
        g_free(error);
        TFT_INIT_FAIL();
    }
    if (req.mode == ZARGS_HELP) {
        char *usage = zargs_usage();
        fputs(usage, stdout);
        g_free(usage);
        exit(0);
    }
    bool started = req.mode == ZARGS_ALL ? all_streams_start(&req, print_all_to_stdout, NULL, &error) != NULL
                                         : follower_start(&req, print_to_stdout, NULL, &error) != NULL;
    if (!started) {
        fprintf(stderr, "%s\n", error);
        g_free(error);
        TFT_INIT_FAIL();
    }
    TFT_INIT_SUCCEED();
}

void cli_register(void)
{
    static stat_tap_ui ui = {REGISTER_STAT_GROUP_GENERIC, "TCP Stream Timeline (tcpfollowts)",
                             ZARGS_TAP_NAME, cli_init, 0, NULL};
    register_stat_tap_ui(&ui, NULL);
}
