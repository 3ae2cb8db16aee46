/* gui.c — Statistics > TCP Stream Timeline (tcpfollowts)... in Wireshark.
 *
 * A funnel dialog asks for the stream and the report options; its fields are
 * turned into the -z string and parsed by zargs_parse, so the GUI accepts and
 * rejects exactly what tshark does, with the same messages. A text window then
 * shows what tshark would print for that string (the same follow_render), in
 * the colours of Wireshark's Follow dialog, and its buttons save the report,
 * apply display filters built from it, open the stream's HTML report in the
 * desktop's browser, or go to its first problem. The Analyze menu and the
 * toolbar (gui_menu.c) open the same windows, also for the all-streams summary.
 *
 * The window retaps once, whatever the display filter (a retap replays every
 * packet), keeps the report's text and what its buttons need, and removes its
 * taps: later filters and retaps cannot change it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ws_compat.h"

#include "registration.h"

#include "all_tap.h"

#include <epan/dissectors/packet-tcp.h>
#include <epan/funnel.h>
#include <epan/plugin_if.h>
#include <epan/tap.h>

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#define GUI_TITLE "TCP Stream Timeline (tcpfollowts)"

/* Everything one report window needs after its draw: the engine and the
 * tap data are gone by the time a button is clicked. */
typedef struct {
    const funnel_ops_t *ops;
    funnel_text_window_t *tw;
    zargs_request req;
    char *zarg;        /* the -z string it shows */
    GString *text;     /* what the window shows */
    bool matched;      /* the last draw found the stream */
    uint32_t stream;   /* its tcp.stream index */
    char *gaps_filter; /* frames next to gaps, retransmissions, conflicts (all streams: the
                          streams with gaps or conflicts); NULL: none */
    uint32_t first_problem; /* the first of those frames, 0 if none */
    bool retapping;    /* our own retap is running: closing must wait for it */
    bool closed;
} report_window;

/* What the Save dialog needs once the window may be gone. */
typedef struct {
    const funnel_ops_t *ops;
    char *text;
} save_request;

static const funnel_ops_t *ops_or_null(void)
{
    const funnel_ops_t *ops = funnel_get_funnel_ops();
    return ops && ops->new_dialog && ops->retap_packets && ops->new_text_window ? ops : NULL;
}

bool gui_available(void)
{
    return ops_or_null() != NULL;
}

/* A short message in its own window. Plain-text insertion: the message may
 * echo user input, and set_text would render a first line that looks like
 * HTML as rich text. */
static void show_notice(const funnel_ops_t *ops, const char *title, const char *text)
{
    funnel_text_window_t *tw = ops->new_text_window(ops->ops_id, title);
    ops->clear_text(tw);
    ops->append_text(tw, text);
}

void gui_show_notice(const char *text)
{
    const funnel_ops_t *ops = ops_or_null();
    if (ops)
        show_notice(ops, GUI_TITLE, text);
}

/* ---- the options dialog ---------------------------------------------------- */

static void on_options_dialog(gchar **input, void *data);

/* The window shows text: fmt=raw (binary bytes) is for tshark's stdout only,
 * svg and html are for a browser (the Open graph button). */
static bool window_shows_format(report_format fmt)
{
    return fmt != REPORT_FMT_RAW && fmt != REPORT_FMT_SVG && fmt != REPORT_FMT_HTML;
}

bool gui_window_shows(size_t option, int value)
{
    report_options probe;
    report_options_default(&probe);
    return report_option_field(&probe, option) != (int *)&probe.fmt || window_shows_format((report_format)value);
}

/* "fmt (text|json|csv)": the keys and value names of the -z options. */
static char *option_label(size_t option)
{
    const report_option_spec *spec = &report_option_specs[option];
    GString *label = g_string_new(spec->key);
    const char *sep = " (";
    for (int v = 0; spec->values[v]; v++) {
        if (!gui_window_shows(option, v))
            continue;
        g_string_append_printf(label, "%s%s", sep, spec->values[v]);
        sep = "|";
    }
    g_string_append_c(label, ')');
    return g_string_free(label, FALSE);
}

/* values: the stream field, then one per report option (in table order).
 * unlisted: ",stall=0.5"-like options the dialog has no field for, kept as
 * they are; NULL for none. */
static void ask_options(const funnel_ops_t *ops, const char *const *values, const char *unlisted)
{
    const gchar **names = g_new0(const gchar *, 1 + report_option_count + 1);
    char **labels = g_new0(char *, report_option_count + 1);
    names[0] = "Stream (tcp.stream index)";
    for (size_t i = 0; i < report_option_count; i++)
        names[1 + i] = labels[i] = option_label(i);
    ops->new_dialog(ops->ops_id, GUI_TITLE, names, (const gchar **)values, on_options_dialog,
                    g_strdup(unlisted), g_free);
    g_strfreev(labels);
    g_free(names);
}

/* The dialog's values for a stream and options: g_strfreev the result. */
static char **option_values(const char *stream, const report_options *opts)
{
    char **values = g_new0(char *, 1 + report_option_count + 1);
    report_options copy = *opts;
    values[0] = g_strdup(stream);
    for (size_t i = 0; i < report_option_count; i++)
        values[1 + i] = g_strdup(report_option_specs[i].values[*report_option_field(&copy, i)]);
    return values;
}

/* "tcp.stream eq 4" / "tcp.stream == 4" (what Follow TCP Stream applies) -> "4";
 * any other filter -> "". */
static char *stream_from_filter(const char *filter)
{
    GRegex *re = g_regex_new("^\\s*tcp\\.stream\\s*(?:==|\\beq\\b)\\s*(\\d+)\\s*$", 0, 0, NULL);
    GMatchInfo *match = NULL;
    char *stream = filter && g_regex_match(re, filter, 0, &match) ? g_match_info_fetch(match, 1) : NULL;
    g_match_info_free(match);
    g_regex_unref(re);
    return stream ? stream : g_strdup("");
}

static void on_menu(gpointer data)
{
    const funnel_ops_t *ops = ops_or_null();
    if (!ops)
        return;
    report_options defaults;
    report_options_default(&defaults);
    char *stream = stream_from_filter(ops->get_filter ? ops->get_filter(ops->ops_id) : NULL);
    char **values = option_values(stream, &defaults);
    ask_options(ops, (const char *const *)values, NULL);
    g_strfreev(values);
    g_free(stream);
}

/* Whether the key that starts option (key_len chars) has a field in the dialog. */
static bool has_field(const char *option, size_t key_len)
{
    for (size_t i = 0; i < report_option_count; i++) {
        const char *key = report_option_specs[i].key;
        if (strlen(key) == key_len && strncmp(option, key, key_len) == 0)
            return true;
    }
    return false;
}

/* The options of a -z string that the dialog has no field for (stall=, tap=),
 * as ",KEY=VALUE..." : Other options keeps them. */
static char *unlisted_options(const char *zarg)
{
    gchar **tok = g_strsplit(zarg, ",", -1);
    GString *unlisted = g_string_new(NULL);
    for (guint i = 1; tok[i]; i++) {
        const char *eq = strchr(tok[i], '=');
        if (eq && !has_field(tok[i], (size_t)(eq - tok[i])))
            g_string_append_printf(unlisted, ",%s", tok[i]);
    }
    g_strfreev(tok);
    return g_string_free(unlisted, FALSE);
}

/* The -z string the dialog's fields stand for; empty option fields keep the default. */
static char *zarg_from_fields(gchar **input, const char *unlisted)
{
    GString *zarg = g_string_new(ZARGS_TAP_NAME ",stream,");
    g_string_append(zarg, g_strstrip(input[0]));
    for (size_t i = 0; i < report_option_count && input[1 + i]; i++) {
        const char *value = g_strstrip(input[1 + i]);
        if (*value)
            g_string_append_printf(zarg, ",%s=%s", report_option_specs[i].key, value);
    }
    if (unlisted)
        g_string_append(zarg, unlisted);
    return g_string_free(zarg, FALSE);
}

static void open_report(const funnel_ops_t *ops, const zargs_request *req, const char *zarg);

/* Parse as tshark would; false (after a notice) when the window cannot show it. */
static bool parse_for_window(const funnel_ops_t *ops, const char *zarg, zargs_request *req)
{
    char *error = NULL;
    if (zargs_parse(zarg, req, &error) && req->opts.fmt == REPORT_FMT_RAW)
        error = g_strdup_printf("tcpfollowts: fmt=raw writes the bytes themselves, which a text window "
                                "cannot show: run tshark -r FILE -q -z %s > OUTPUT", zarg);
    else if (!error && !window_shows_format(req->opts.fmt))
        error = g_strdup_printf("tcpfollowts: fmt=%s is a picture for a browser: the report window's "
                                "Open graph button shows it, or run tshark -r FILE -q -z %s > OUTPUT",
                                report_format_name(req->opts.fmt), zarg);
    if (!error)
        return true;
    GString *text = g_string_new(error);
    g_string_append_printf(text, "\n\n(from -z %s)\n", zarg);
    show_notice(ops, GUI_TITLE ": error", text->str);
    g_string_free(text, TRUE);
    g_free(error);
    return false;
}

static void on_options_dialog(gchar **input, void *data)
{
    const funnel_ops_t *ops = ops_or_null();
    char *zarg = zarg_from_fields(input, data);
    zargs_request req;
    if (ops && parse_for_window(ops, zarg, &req))
        open_report(ops, &req, zarg);
    else if (ops)
        ask_options(ops, (const char *const *)input, data); /* to correct what the notice names */
    g_free(zarg);
    g_strfreev(input);
}

void gui_open_zarg(const char *arg)
{
    const funnel_ops_t *ops = ops_or_null();
    zargs_request req;
    if (!parse_for_window(ops, arg, &req))
        return;
    if (req.mode == ZARGS_HELP) {
        char *usage = zargs_usage();
        show_notice(ops, GUI_TITLE ": help", usage);
        g_free(usage);
    } else {
        open_report(ops, &req, arg);
    }
}

/* ---- the report window ------------------------------------------------------ */

typedef struct {
    const engine_stream *engine;
    GArray *frames; /* uint32_t */
} frame_collector;

static void collect_gap_neighbours(void *ctx, const engine_gap *gap)
{
    frame_collector *c = ctx;
    uint32_t segments[2] = {gap->after_segment, gap->before_segment};
    for (int i = 0; i < 2; i++)
        if (segments[i] != ENGINE_NO_SEGMENT)
            g_array_append_val(c->frames, engine_segment_at(c->engine, segments[i])->frame);
}

static gint compare_frames(gconstpointer a, gconstpointer b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* "frame.number in {3, 7..9}" for sorted frames (duplicates allowed); NULL if none. */
static char *frame_set_filter(GArray *frames)
{
    if (!frames->len)
        return NULL;
    GString *filter = g_string_new("frame.number in {");
    const char *sep = "";
    for (guint i = 0; i < frames->len; sep = ", ") {
        uint32_t first = g_array_index(frames, uint32_t, i), last = first;
        while (++i < frames->len && g_array_index(frames, uint32_t, i) <= last + 1)
            last = g_array_index(frames, uint32_t, i);
        g_string_append_printf(filter, "%s%u", sep, first);
        if (last != first)
            g_string_append_printf(filter, "..%u", last);
    }
    g_string_append_c(filter, '}');
    return g_string_free(filter, FALSE);
}

/* The frames around each gap of both directions, and every retransmission and
 * conflict, sorted: where to look first in the packet list. */
static GArray *problem_frames(const engine_stream *e)
{
    frame_collector c = {e, g_array_new(FALSE, FALSE, sizeof(uint32_t))};
    const engine_walk_cb cb = {NULL, collect_gap_neighbours};
    for (unsigned sender = 0; sender < 2; sender++)
        engine_walk(e, sender, &cb, &c);
    for (size_t i = 0; i < engine_segment_count(e); i++) {
        const engine_segment *seg = engine_segment_at(e, i);
        if (seg->klass == ENGINE_CLASS_RETRANSMISSION || seg->klass == ENGINE_CLASS_CONFLICT)
            g_array_append_val(c.frames, seg->frame);
    }
    g_array_sort(c.frames, compare_frames);
    return c.frames;
}

/* What the buttons need of the drawn report: the problems' filter and the first of them. */
static void keep_problems(report_window *w, GArray *frames, char *filter)
{
    g_free(w->gaps_filter);
    w->gaps_filter = filter;
    w->first_problem = frames && frames->len ? g_array_index(frames, uint32_t, 0) : 0;
}

/* Render what tshark prints (report, then notices) and keep what the buttons need. */
static void on_draw(follower *f, const report_stream *rs, void *user)
{
    report_window *w = user;
    g_string_truncate(w->text, 0);
    GString *notes = g_string_new(NULL);
    report_sink out_sink, notes_sink;
    sink_init_string(&out_sink, w->text);
    sink_init_string(&notes_sink, notes);
    follow_render(f, rs, &out_sink, &notes_sink);
    g_string_append_len(w->text, notes->str, (gssize)notes->len);
    g_string_free(notes, TRUE);

    w->matched = rs != NULL;
    w->stream = rs ? rs->stream : 0;
    GArray *frames = rs ? problem_frames(rs->engine) : NULL;
    keep_problems(w, frames, frames ? frame_set_filter(frames) : NULL);
    if (frames)
        g_array_free(frames, TRUE);
}

/* The all-streams summary; its problems are the streams with gaps or conflicts. */
static void on_draw_all(all_streams *all, const report_stream_summary *rows, size_t n, void *user)
{
    report_window *w = user;
    g_string_truncate(w->text, 0);
    report_sink out;
    sink_init_string(&out, w->text);
    report_render_all(rows, n, &w->req.opts, &out);
    sink_flush(&out);
    w->matched = n > 0;
    GString *filter = g_string_new("tcp.stream in {");
    const char *sep = "";
    for (size_t i = 0; i < n; i++) {
        const engine_stream *e = rows[i].rs.engine;
        const engine_dir_stats *a = engine_stats(e, 0), *b = engine_stats(e, 1);
        if (a->gaps + b->gaps + a->by_class[ENGINE_CLASS_CONFLICT] + b->by_class[ENGINE_CLASS_CONFLICT]) {
            g_string_append_printf(filter, "%s%u", sep, rows[i].rs.stream);
            sep = " ";
        }
    }
    g_string_append_c(filter, '}');
    keep_problems(w, NULL, *sep ? g_string_free(filter, FALSE) : (g_string_free(filter, TRUE), NULL));
}

static void retap(report_window *w)
{
    w->retapping = true;
    w->ops->retap_packets(w->ops->ops_id);
    w->retapping = false;
}

/* Retap every packet into the follower, then draw it once: Wireshark's own
 * draws (from a timer, even mid-retap) would stop it taking segments. */
static void retap_report(report_window *w, follower *f)
{
    follower_draw_on_demand(f);
    retap(w);
    follower_draw(f);
}

/* The same for the all-streams summary. */
static void retap_all(report_window *w, all_streams *all)
{
    all_streams_draw_on_demand(all);
    retap(w);
    all_streams_draw(all);
}

static void free_window(report_window *w)
{
    g_free(w->zarg);
    g_string_free(w->text, TRUE);
    g_free(w->gaps_filter);
    g_free(w);
}

static void on_close(void *data)
{
    report_window *w = data;
    w->closed = true;
    /* Our retap lets events through (its progress bar): the taps still point
     * at w until it returns, so open_report frees it then. */
    if (!w->retapping)
        free_window(w);
}

/* ---- the buttons ------------------------------------------------------------- */

/* The stream the buttons act on: the one drawn, else the one asked for. */
static uint32_t shown_stream(const report_window *w)
{
    return w->matched ? w->stream : w->req.stream;
}

static const char *format_extension(report_format fmt)
{
    switch (fmt) {
    case REPORT_FMT_JSON: return "json";
    case REPORT_FMT_CSV: return "csv";
    case REPORT_FMT_YAML: return "yaml";
    default: return "txt";
    }
}

/* "~/x" and relative paths are taken from the home directory: Wireshark's
 * working directory is nothing the user chose. */
static char *resolve_path(const char *path)
{
    if (g_path_is_absolute(path))
        return g_strdup(path);
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
        path += path[1] ? 2 : 1;
    return g_build_filename(g_get_home_dir(), path, NULL);
}

static void on_save_dialog(gchar **input, void *data)
{
    save_request *save = data;
    char *path = resolve_path(g_strstrip(input[0]));
    GError *error = NULL;
    char *message;
    if (g_file_set_contents(path, save->text, -1, &error))
        message = g_strdup_printf("Saved the report (%zu bytes) to\n%s\n", strlen(save->text), path);
    else
        message = g_strdup_printf("tcpfollowts: could not save the report: %s\n", error->message);
    show_notice(save->ops, GUI_TITLE ": save", message);
    g_clear_error(&error);
    g_free(message);
    g_free(path);
    g_strfreev(input);
}

static void free_save_request(void *data)
{
    save_request *save = data;
    g_free(save->text);
    g_free(save);
}

/* Funnel has no file chooser: ask for a path, pre-filled with the home
 * directory and a name that says which stream and format it holds. */
static tft_ws_bool on_save(funnel_text_window_t *tw, void *data)
{
    report_window *w = data;
    save_request *save = g_new0(save_request, 1);
    save->ops = w->ops;
    save->text = g_strdup(w->text->str);
    char *name = w->req.mode == ZARGS_ALL
                     ? g_strdup_printf("tcpfollowts-all.%s", format_extension(w->req.opts.fmt))
                     : g_strdup_printf("tcpfollowts-stream-%u.%s", shown_stream(w), format_extension(w->req.opts.fmt));
    char *path = g_build_filename(g_get_home_dir(), name, NULL);
    const gchar *names[] = {"Save the report to", NULL};
    const gchar *values[] = {path, NULL};
    w->ops->new_dialog(w->ops->ops_id, GUI_TITLE ": save", names, values, on_save_dialog, save,
                       free_save_request);
    g_free(path);
    g_free(name);
    return TRUE;
}

/* Replaces the display filter; the GUI then retaps, which redraws us unchanged. */
static void apply_filter(report_window *w, const char *filter)
{
    w->ops->set_filter(w->ops->ops_id, filter);
    w->ops->apply_filter(w->ops->ops_id);
}

static tft_ws_bool on_filter_stream(funnel_text_window_t *tw, void *data)
{
    report_window *w = data;
    if (!w->matched) {
        show_notice(w->ops, GUI_TITLE, "No TCP segment matched: there is no stream to filter on.\n");
        return TRUE;
    }
    char *filter = g_strdup_printf("tcp.stream eq %u", w->stream);
    apply_filter(w, filter);
    g_free(filter);
    return TRUE;
}

static void show_no_problem(const report_window *w)
{
    char *message = w->req.mode == ZARGS_ALL ? g_strdup("No TCP stream has gaps or conflicts.\n")
                    : w->matched ? g_strdup_printf("TCP stream %u has no gaps, retransmissions or conflicts.\n",
                                                   w->stream)
                                 : g_strdup("No TCP segment matched: there are no frames to filter on.\n");
    show_notice(w->ops, GUI_TITLE, message);
    g_free(message);
}

static tft_ws_bool on_filter_gaps(funnel_text_window_t *tw, void *data)
{
    report_window *w = data;
    if (w->gaps_filter) {
        apply_filter(w, w->gaps_filter);
        return TRUE;
    }
    show_no_problem(w);
    return TRUE;
}

static tft_ws_bool on_first_problem(funnel_text_window_t *tw, void *data)
{
    report_window *w = data;
    if (w->first_problem)
        plugin_if_goto_frame(w->first_problem);
    else
        show_no_problem(w);
    return TRUE;
}

/* The dialog again, with this window's stream and options (and those it has
 * no field for): OK opens a new window, so the two reports can be compared. */
static tft_ws_bool on_options(funnel_text_window_t *tw, void *data)
{
    report_window *w = data;
    char *stream = g_strdup_printf("%u", shown_stream(w));
    char **values = option_values(stream, &w->req.opts);
    char *unlisted = unlisted_options(w->zarg);
    ask_options(w->ops, (const char *const *)values, unlisted);
    g_free(unlisted);
    g_strfreev(values);
    g_free(stream);
    return TRUE;
}

/* Open graph: the HTML report of the window's stream in a temporary file,
 * opened by the desktop's browser. The window keeps no engine, so this retaps
 * into a follower of its own with fmt=html and the window's other options. */
typedef struct {
    char *path;
    char *error;
} graph_file;

static void write_graph(follower *f, const report_stream *rs, void *user)
{
    graph_file *g = user;
    if (!rs) {
        g->error = g_strdup("No TCP segment matched: there is no stream to draw.\n");
        return;
    }
    GString *html = g_string_new(NULL);
    report_sink sink;
    sink_init_string(&sink, html);
    report_render(rs, &follower_request(f)->opts, &sink, NULL);
    GError *error = NULL;
    char *name = g_strdup_printf("tcpfollowts-stream-%u-XXXXXX.html", rs->stream);
    int fd = g_file_open_tmp(name, &g->path, &error);
    if (fd >= 0) {
        close(fd);
        if (!g_file_set_contents(g->path, html->str, (gssize)html->len, &error))
            g_clear_pointer(&g->path, g_free);
    }
    if (error)
        g->error = g_strdup_printf("tcpfollowts: could not write the HTML report: %s\n", error->message);
    g_clear_error(&error);
    g_free(name);
    g_string_free(html, TRUE);
}

/* The HTML report of req's stream in the browser: from a window's button (w;
 * its retap keeps it alive) or from the Analyze menu (w NULL). */
static void open_graph(const funnel_ops_t *ops, zargs_request req, report_window *w)
{
    req.opts.fmt = REPORT_FMT_HTML;
    graph_file g = {NULL, NULL};
    follower *f = follower_start(&req, write_graph, &g, &g.error);
    if (f && w) {
        retap_report(w, f);
    } else if (f) {
        follower_draw_on_demand(f);
        ops->retap_packets(ops->ops_id);
        follower_draw(f);
    }
    if (f)
        follower_stop(f);
    if (g.path && ops->browser_open_data_file)
        ops->browser_open_data_file(g.path);
    else if (!w || !w->closed)
        show_notice(ops, GUI_TITLE ": graph", g.error ? g.error : "tcpfollowts: no browser to open the graph in\n");
    g_free(g.path);
    g_free(g.error);
}

static tft_ws_bool on_open_graph(funnel_text_window_t *tw, void *data)
{
    report_window *w = data;
    zargs_request req = w->req;
    if (w->matched) { /* an addr window: the stream it found */
        req.mode = ZARGS_STREAM;
        req.stream = w->stream;
    }
    open_graph(w->ops, req, w);
    if (w->closed)
        free_window(w);
    return TRUE;
}

void gui_open_graph_zarg(const char *arg)
{
    const funnel_ops_t *ops = ops_or_null();
    zargs_request req;
    if (ops && parse_for_window(ops, arg, &req))
        open_graph(ops, req, NULL);
}

/* The GUI frees each funnel_bt_t (newer versions with free_fcn) after the close
 * callback has run: the button's data is the window and needs no freeing. */
static void add_button(report_window *w, const char *label, funnel_bt_cb_t func)
{
    funnel_bt_t *bt = g_new0(funnel_bt_t, 1);
    bt->tw = w->tw;
    bt->func = func;
    bt->data = w;
    bt->free_fcn = g_free;
    w->ops->add_button(w->tw, bt, label);
}

/* The taps of a window: a follower for one stream, or the all-streams summary. */
static bool retap_window(report_window *w, char **error)
{
    if (w->req.mode == ZARGS_ALL) {
        all_streams *all = all_streams_start(&w->req, on_draw_all, w, error);
        if (all) {
            retap_all(w, all);
            all_streams_stop(all);
        }
        return all != NULL;
    }
    follower *f = follower_start(&w->req, on_draw, w, error);
    if (f) {
        retap_report(w, f);
        follower_stop(f);
    }
    return f != NULL;
}

static void open_report(const funnel_ops_t *ops, const zargs_request *req, const char *zarg)
{
    report_window *w = g_new0(report_window, 1);
    w->ops = ops;
    w->req = *req;
    w->zarg = g_strdup(zarg);
    w->text = g_string_new(NULL); /* the draw fills it, a message included */
    char *selection = req->mode == ZARGS_ALL ? g_strdup("all streams") : zargs_describe_selection(req);
    char *title = g_strdup_printf("TCP Stream Timeline: %s", selection);
    w->tw = ops->new_text_window(ops->ops_id, title);
    g_free(title);
    g_free(selection);
    ops->set_close_cb(w->tw, on_close, w);
    add_button(w, "Save report\u2026", on_save);
    if (req->mode != ZARGS_ALL)
        add_button(w, "Filter this stream", on_filter_stream);
    add_button(w, "Filter problems", on_filter_gaps);
    if (req->mode != ZARGS_ALL) {
        add_button(w, "Other options\u2026", on_options);
        add_button(w, "Open graph", on_open_graph);
        add_button(w, "Go to first problem", on_first_problem);
    }

    char *error = NULL;
    bool started = retap_window(w, &error);
    if (w->closed) {
        free_window(w);
        g_free(error);
        return;
    }
    if (!started) {
        g_string_assign(w->text, error);
        g_free(error);
    }
    /* Rich text, so that colours show; every character of the report is
     * escaped, payload included. */
    char *html = report_window_html(w->text->str, started && req->opts.fmt == REPORT_FMT_TEXT);
    ops->set_text(w->tw, html);
    g_free(html);
}

void gui_register(void)
{
    /* Not REGISTER_STAT_GROUP_GENERIC: the Qt main window has no place for
     * that group and drops the item (seen on 4.0). The unsorted packet group
     * is the Statistics menu's protocol section. No '&' mnemonic: Wireshark shows
     * funnel menu names literally. retap FALSE: the callback retaps once the
     * dialog is done. */
    funnel_register_menu(GUI_TITLE "\u2026", REGISTER_PACKET_STAT_GROUP_UNSORTED, on_menu, NULL, NULL, FALSE);
}
