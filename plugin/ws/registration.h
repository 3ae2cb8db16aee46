/* registration.h — what plugin.c registers once the tap system is ready, and
 * the little that the -z glue (cli.c) and the GUI glue (gui.c) share.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPFOLLOWTS_REGISTRATION_H
#define TCPFOLLOWTS_REGISTRATION_H

#include "follow_tap.h"

/* -z tcpfollowts,... for tshark (and wireshark -z). */
void cli_register(void);

/* Statistics > TCP Stream Timeline (tcpfollowts)... in Wireshark. */
void gui_register(void);

/* Whether a GUI runs us: tshark's command-line funnel ops have neither
 * dialogs nor retap. */
bool gui_available(void);

/* wireshark -z tcpfollowts,...: the report in a window, like the menu item's. */
void gui_open_zarg(const char *arg);

/* The HTML report (fmt=html) of -z arg's stream in the desktop's browser, as
 * the report window's Open graph button opens it. */
void gui_open_graph_zarg(const char *arg);

/* Analyze > TCP Stream Timeline (tcpfollowts), its toolbar and the packet
 * list's context menu (gui_menu.c); needs the post-dissector's protocol. */
void gui_menu_register(void);

/* A short message in a window of its own (plain text). */
void gui_show_notice(const char *text);

/* Whether a report window can show value `value` of report option `option`
 * (fmt=raw writes bytes, for tshark's stdout only). */
bool gui_window_shows(size_t option, int value);

/* A follower's result as tshark prints it: the report on out, notices (the
 * "no such stream" message of text/csv, payload-read failures) on notes. */
void follow_render(follower *f, const report_stream *rs, report_sink *out, report_sink *notes);

#endif
