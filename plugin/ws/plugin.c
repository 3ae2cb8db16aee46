/* plugin.c — the plugin's entry points: version symbols and registration.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "ws_compat.h"

#include "postdissector.h"
#include "registration.h"

#include <epan/proto.h>
#include <epan/tap.h>

WS_DLL_PUBLIC_DEF const char plugin_version[] = TCPFOLLOWTS_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

#ifdef TFT_HAVE_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);
uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

static void register_listeners(void)
{
    cli_register();
    gui_register();
}

static void handoff(void)
{
    postdissector_handoff();
    gui_menu_register();
}

void plugin_register(void)
{
    static proto_plugin protocol = {postdissector_register, handoff};
    proto_register_plugin(&protocol);
    static tap_plugin plugin = {register_listeners};
    tap_register_plugin(&plugin);
}
