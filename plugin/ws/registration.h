/* registration.h — what plugin.c registers once the tap system is ready.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPFOLLOWTS_REGISTRATION_H
#define TCPFOLLOWTS_REGISTRATION_H

/* -z tcpfollowts,... for tshark (and wireshark -z). */
void cli_register(void);

#endif
