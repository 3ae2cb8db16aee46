/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "render_common.h"
void report_render_html(const report_stream *rs, const report_options *opt, report_sink *out) {}
