/* postdissector.h — the analysis on every TCP packet: the tcpfollowts protocol.
 *
 * A post-dissector adds to each TCP segment's packet what became of its bytes
 * (tcpfollowts.class, .new_bytes, .conflict_bytes, .kept_frame), the pause it
 * ended (.stall), the bytes in flight after it (.in_flight), the bytes never
 * captured next to it (.gap_before, .gap_after), its RTT sample (.rtt) and the
 * loss episode it repaired (.episode.cause, .episode.lost), with Expert
 * Information entries, so that display filters, colouring rules and columns
 * can use them. Each stream is followed by marks.h: a lean engine (the payload
 * held follows the unacknowledged data) and the diagnosis.
 *
 * It only works when asked: in Wireshark, when a field of it is named (a
 * display filter, a column, -e, a colouring rule), when Expert Information is
 * listened to, when a packet's tree is printed (-V), or always with the
 * preference tcpfollowts.fields:always; never with tcpfollowts.fields:never.
 * Otherwise it costs tshark nothing: no protocol tree is built for it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_POSTDISSECTOR_H
#define TCPFOLLOWTS_POSTDISSECTOR_H

#include "ws_compat.h"

/* proto_register_plugin's two steps. */
void postdissector_register(void);
void postdissector_handoff(void);

/* The protocol id (-1 before registration): what ext_menubar needs. */
int postdissector_proto(void);

/* The nearest frame worth a look in TCP stream `stream` (a conflict, a stall,
 * bytes never captured next to it) before (forward false) or after frame, or 0. */
uint32_t postdissector_next_problem(uint32_t stream, uint32_t frame, bool forward);

#endif
