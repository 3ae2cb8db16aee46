/* gui_menu.c — Analyze › TCP Stream Timeline (tcpfollowts), its toolbar and
 * (Wireshark 4.4 and later) the packet list's context menu.
 *
 * The menu items act on the selected packet's TCP stream, no number to type;
 * the report options are chosen from the toolbar's lists (View › Additional
 * Toolbars on 4.0) and reach every report the menu opens. The toolbar's
 * Previous / Next problem buttons move the selection to the previous or next
 * frame worth a look in the selected packet's stream, as the post-dissector
 * found them (a conflict, a stall, bytes never captured next to it).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ws_compat.h"

#include "postdissector.h"
#include "registration.h"

#include <cfile.h>
#include <epan/epan_dissect.h>
#include <epan/funnel.h>
#include <epan/plugin_if.h>
#include <epan/proto.h>

#define MENU_TITLE "TCP Stream Timeline (tcpfollowts)"

static report_options choices;  /* what the toolbar says; the defaults until changed */
static int hf_tcp_stream = -1;

/* The selected packet, as the packet details show it. */
typedef struct {
    bool has_stream;
    uint32_t stream;
    uint32_t frame;
} selection;

static void *read_selection(capture_file *cf, void *user)
{
    selection *sel = user;
    if (!cf || !cf->current_frame || !cf->edt || !cf->edt->tree)
        return NULL;
    sel->frame = cf->current_frame->num;
    GPtrArray *found = proto_find_first_finfo(cf->edt->tree, hf_tcp_stream);
    if (found && found->len) {
        sel->stream = fvalue_get_uinteger(TFT_FIELD_VALUE((field_info *)g_ptr_array_index(found, 0)));
        sel->has_stream = true;
    }
    if (found)
        g_ptr_array_free(found, TRUE);
    return NULL;
}

static bool selected_stream(selection *sel)
{
    *sel = (selection){false, 0, 0};
    plugin_if_get_capture_file(read_selection, sel);
    if (!sel->has_stream)
        gui_show_notice("Select a TCP packet first: the item acts on the selected packet's TCP stream.\n");
    return sel->has_stream;
}

/* "tcpfollowts,stream,4,fmt=text,dir=both,...": the toolbar's options, those
 * that apply to the selection. */
static char *zarg_for(const char *selection_words, bool all_streams)
{
    char *options = report_options_describe(&choices, all_streams); /* "fmt=text dir=both ... stall=0.2" */
    g_strdelimit(options, " ", ',');
    char *zarg = g_strdup_printf(ZARGS_TAP_NAME ",%s,%s", selection_words, options);
    g_free(options);
    return zarg;
}

static void open_stream(uint32_t stream)
{
    char *words = g_strdup_printf("stream,%u", stream);
    char *zarg = zarg_for(words, false);
    gui_open_zarg(zarg);
    g_free(zarg);
    g_free(words);
}

static void on_follow(ext_menubar_gui_type gui, gpointer object, gpointer data)
{
    selection sel;
    if (selected_stream(&sel))
        open_stream(sel.stream);
}

/* The toolbar's fmt does not apply: the graph is the HTML report. */
static void on_graph(ext_menubar_gui_type gui, gpointer object, gpointer data)
{
    selection sel;
    if (!selected_stream(&sel))
        return;
    report_options keep = choices;
    choices.fmt = REPORT_FMT_TEXT;
    char *words = g_strdup_printf("stream,%u", sel.stream);
    char *zarg = zarg_for(words, false);
    choices = keep;
    gui_open_graph_zarg(zarg);
    g_free(zarg);
    g_free(words);
}

static void on_all_streams(ext_menubar_gui_type gui, gpointer object, gpointer data)
{
    char *zarg = zarg_for("all", true);
    gui_open_zarg(zarg);
    g_free(zarg);
}

/* ---- the toolbar -------------------------------------------------------------- */

/* A selector's value: the option's field is its user data. */
static void on_choice(gpointer item, gpointer item_data, gpointer user_data)
{
    const ext_toolbar_value_t *value = item_data;
    size_t option = GPOINTER_TO_SIZE(user_data);
    const report_option_spec *spec = &report_option_specs[option];
    for (int v = 0; value && spec->values[v]; v++)
        if (strcmp(spec->values[v], value->value) == 0)
            *report_option_field(&choices, option) = v;
}

static void on_stall(gpointer item, gpointer item_data, gpointer user_data)
{
    char *text = item_data; /* the toolbar hands over a copy */
    int64_t ns;
    if (text && report_parse_seconds(text, &ns))
        choices.stall_ns = ns;
    g_free(text);
}

static void go_to_problem(bool forward)
{
    selection sel;
    if (!selected_stream(&sel))
        return;
    uint32_t frame = postdissector_next_problem(sel.stream, sel.frame, forward);
    if (frame) {
        plugin_if_goto_frame(frame);
        return;
    }
    char *message = g_strdup_printf("No %s problem in TCP stream %u (a conflict, a stall, bytes never "
                                    "captured) %s frame %u.\n", forward ? "later" : "earlier", sel.stream,
                                    forward ? "after" : "before", sel.frame);
    gui_show_notice(message);
    g_free(message);
}

static void on_previous_problem(gpointer item, gpointer item_data, gpointer user_data)
{
    go_to_problem(false);
}

static void on_next_problem(gpointer item, gpointer item_data, gpointer user_data)
{
    go_to_problem(true);
}

/* The window shows text: no fmt=raw (and, as the dialog, the values a window
 * can show). The default is the first value, marked by no is_default: 4.0's
 * toolbar selects the item after the one marked. */
static void add_selector(ext_toolbar_t *bar, size_t option)
{
    const report_option_spec *spec = &report_option_specs[option];
    GList *values = NULL;
    for (int v = 0; spec->values[v]; v++)
        if (gui_window_shows(option, v))
            values = ext_toolbar_add_val(values, (gchar *)spec->values[v], (gchar *)spec->values[v], FALSE);
    ext_toolbar_add_entry(bar, EXT_TOOLBAR_SELECTOR, spec->key, NULL, spec->help, FALSE, values, FALSE, NULL,
                          on_choice, GSIZE_TO_POINTER(option));
    g_list_free(values); /* the toolbar keeps a copy of the list (g_list_copy), and the values */
}

static void register_toolbar(void)
{
    ext_toolbar_t *bar = ext_toolbar_register_toolbar(MENU_TITLE);
    for (size_t i = 0; i < report_option_count; i++)
        if (strcmp(report_option_specs[i].key, "table") != 0) /* csv tables: for tshark */
            add_selector(bar, i);
    char *stall = report_options_describe(&choices, true);
    ext_toolbar_add_entry(bar, EXT_TOOLBAR_STRING, "stall", strstr(stall, "stall=") + strlen("stall="),
                          "Pauses inside a turn longer than this many seconds are stalls (0 < s <= 3600, "
                          "up to 9 decimals); Enter applies it", FALSE, NULL, TRUE,
                          "^[0-9]*(\\.[0-9]{0,9})?$", on_stall, NULL);
    g_free(stall);
    ext_toolbar_add_entry(bar, EXT_TOOLBAR_BUTTON, "Previous problem", NULL,
                          "Select the previous conflict, stall or gap of the selected packet's stream", FALSE,
                          NULL, FALSE, NULL, on_previous_problem, NULL);
    ext_toolbar_add_entry(bar, EXT_TOOLBAR_BUTTON, "Next problem", NULL,
                          "Select the next conflict, stall or gap of the selected packet's stream", FALSE, NULL,
                          FALSE, NULL, on_next_problem, NULL);
}

#ifdef TFT_HAVE_PACKET_MENU
/* The packet list's context menu: the stream of the packet clicked (the GUI
 * hands over every field of the packet). */
static void on_packet_menu(void *data, GPtrArray *fields)
{
    for (guint i = 0; fields && i < fields->len; i++) {
        field_info *fi = g_ptr_array_index(fields, i);
        if (fi->hfinfo->id == hf_tcp_stream) {
            open_stream(fvalue_get_uinteger(TFT_FIELD_VALUE(fi)));
            return;
        }
    }
}
#endif

void gui_menu_register(void)
{
    report_options_default(&choices);
    hf_tcp_stream = proto_registrar_get_id_byname("tcp.stream");
    ext_menu_t *menu = ext_menubar_register_menu(postdissector_proto(), MENU_TITLE, TRUE);
    ext_menubar_set_parentmenu(menu, "Analyze");
    ext_menubar_add_entry(menu, "Follow this stream with timing",
                          "The timeline report of the selected packet's TCP stream, with the toolbar's options",
                          on_follow, NULL);
    ext_menubar_add_entry(menu, "Graph this stream",
                          "The selected packet's TCP stream as the HTML report (time-sequence graph, diagnosis, "
                          "tables, bytes) in the browser", on_graph, NULL);
    ext_menubar_add_entry(menu, "All streams", "A summary row per TCP stream, with the toolbar's options",
                          on_all_streams, NULL);
    register_toolbar();
#ifdef TFT_HAVE_PACKET_MENU
    funnel_register_packet_menu(MENU_TITLE "/Follow this stream with timing", "tcp.stream", on_packet_menu, NULL,
                                FALSE);
#endif
}
