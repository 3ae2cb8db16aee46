/* ws_compat.h — the only place that knows which Wireshark minor version we
 * build against, for 4.0-4.6:
 *   >= 4.2  field_info's value is a pointer; the TCP tap takes a segment
 *           whose options the capture cut;
 *   >= 4.4  wsutil/plugins.h exists and plugins describe themselves;
 *           plugins can add to the packet list's context menu;
 *   >= 4.6  the stat_tap_ui init callback returns bool instead of exiting.
 * (and tft_ws_bool below for callbacks typed with 4.4's C99 bool).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_WS_COMPAT_H
#define TCPFOLLOWTS_WS_COMPAT_H

#include <wireshark.h>

#define TFT_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

#if TFT_WS_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#define TFT_HAVE_PLUGIN_DESCRIBE 1
/* funnel_register_packet_menu: the packet list's context menu */
#define TFT_HAVE_PACKET_MENU 1
#endif

/* 4.4 switched the GLib typedefs of the epan headers to C99 types, so a
 * callback must use the boolean type of the headers it is built against:
 * e.g. funnel_bt_cb_t (funnel_ops_t add_button) returns gboolean before 4.4
 * and bool from 4.4 on. Declare such callbacks as returning tft_ws_bool. */
#if TFT_WS_AT_LEAST(4, 4)
typedef bool tft_ws_bool;
#else
typedef gboolean tft_ws_bool;
#endif

/* Whether the TCP dissector taps a segment whose options the capture cut
 * (frame 87 of ndpi_reasm_crash_anon.pcapng): 4.0 does not, 4.4 and 4.6 do,
 * as a segment of unknown length. 4.2 is untested; guessed like 4.4. */
#if TFT_WS_AT_LEAST(4, 2)
#define TFT_TCP_TAPS_CUT_OPTIONS 1
#else
#define TFT_TCP_TAPS_CUT_OPTIONS 0
#endif

/* 4.2 made field_info's value a pointer. */
#if TFT_WS_AT_LEAST(4, 2)
#define TFT_FIELD_VALUE(fi) ((fi)->value)
#else
#define TFT_FIELD_VALUE(fi) (&(fi)->value)
#endif

#if TFT_WS_AT_LEAST(4, 6)
#define TFT_INIT_RESULT bool
#define TFT_INIT_SUCCEED() return true
/* 4.6 reports the failure and exits non-zero itself. */
#define TFT_INIT_FAIL() return false
#else
#define TFT_INIT_RESULT void
#define TFT_INIT_SUCCEED() return
/* Before 4.6 the init callback cannot report failure: a bad -z must stop
 * tshark here, or it would run the whole capture for nothing and exit 0. */
#define TFT_INIT_FAIL() exit(1)
#endif

#endif
