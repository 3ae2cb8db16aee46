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

/* A follower's result as tshark prints it: the report on out, notices (the
 * "no such stream" message of text/csv, payload-read failures) on notes. */
void follow_render(follower *f, const report_stream *rs, report_sink *out, report_sink *notes);

#endif
