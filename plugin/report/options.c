/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "options.h"

#include <glib.h>
#include <string.h>

static const char *const fmt_values[] = {"text", "json", "csv", "raw", NULL};
static const char *const dir_values[] = {"both", "client", "server", NULL};
static const char *const time_values[] = {"rel", "abs", "epoch", "delta", NULL};
static const char *const data_values[] = {"ascii", "hex", "none", NULL};
static const char *const overlap_values[] = {"first", "last", NULL};

const report_option_spec report_option_specs[] = {
    {"fmt", fmt_values, "text: timeline + summary; json: full report; csv: a row per segment; "
                        "raw: one direction's kept bytes (needs dir=client|server)"},
    {"dir", dir_values, "which direction(s) to show"},
    {"time", time_values, "times in text/csv: seconds since the stream's first segment, UTC date, "
                          "epoch seconds, or since the previous segment shown"},
    {"overlap", overlap_values, "which copy of overlapping bytes is kept: first or last captured"},
    {"data", data_values, "payload shown in the text timeline"},
};
const size_t report_option_count = G_N_ELEMENTS(report_option_specs);

int *report_option_field(report_options *opts, size_t i)
{
    switch (i) {
    case 0: return (int *)&opts->fmt;
    case 1: return (int *)&opts->dir;
    case 2: return (int *)&opts->time;
    case 3: return (int *)&opts->overlap;
    default: return (int *)&opts->data;
    }
}

void report_options_default(report_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

char *report_options_describe(const report_options *opts)
{
    GString *s = g_string_new(NULL);
    report_options copy = *opts;
    for (size_t i = 0; i < report_option_count; i++)
        g_string_append_printf(s, "%s%s=%s", i ? " " : "", report_option_specs[i].key,
                               report_option_specs[i].values[*report_option_field(&copy, i)]);
    return g_string_free(s, FALSE);
}
