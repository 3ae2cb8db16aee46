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

/* tshark draws its listeners in the reverse order of the -z options. To
 * print the reports in command-line order, a report whose predecessors are not
 * out yet is held in memory and printed right after them. */
static GPtrArray *held_reports; /* GString * per report in -z order; NULL until drawn */
static guint next_to_print;

static guint register_report(void)
{
    if (!held_reports)
        held_reports = g_ptr_array_new();
    g_ptr_array_add(held_reports, NULL);
    return held_reports->len - 1;
}

/* Open the sink for report index: stdout when it is its turn, else memory. */
static void open_report_sink(report_sink *out, guint index)
{
    if (index == next_to_print)
        sink_init_file(out, stdout);
    else
        sink_init_string(out, g_ptr_array_index(held_reports, index) = g_string_new(NULL));
}

static void close_report_sink(report_sink *out, guint index)
{
    sink_flush(out);
    if (index != next_to_print)
        return;
    for (next_to_print++; next_to_print < held_reports->len; next_to_print++) {
        GString *held = g_ptr_array_index(held_reports, next_to_print);
        if (!held)
            break;
        fwrite(held->str, 1, held->len, stdout);
        g_string_free(held, TRUE);
        g_ptr_array_index(held_reports, next_to_print) = NULL;
    }
    fflush(stdout);
    if (next_to_print == held_reports->len) { /* all out: nothing outlives the run */
        g_ptr_array_free(held_reports, TRUE);
        held_reports = NULL;
        next_to_print = 0;
    }
}

static void print_to_stdout(follower *f, const report_stream *rs, void *user)
{
    guint index = GPOINTER_TO_UINT(user);
    report_sink out, notes;
    open_report_sink(&out, index);
    sink_init_file(&notes, stderr);
    follow_render(f, rs, &out, &notes);
    close_report_sink(&out, index);
}

static void print_all_to_stdout(all_streams *all, const report_stream_summary *rows, size_t n, void *user)
{
    guint index = GPOINTER_TO_UINT(user);
    report_sink out;
    open_report_sink(&out, index);
    report_render_all(rows, n, &all_streams_request(all)->opts, &out);
    close_report_sink(&out, index);
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
    void *index = GUINT_TO_POINTER(register_report());
    bool started = req.mode == ZARGS_ALL ? all_streams_start(&req, print_all_to_stdout, index, &error) != NULL
                                         : follower_start(&req, print_to_stdout, index, &error) != NULL;
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
