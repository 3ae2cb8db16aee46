/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "options.h"

#include "analysis.h"

#include <glib.h>
#include <string.h>

static const char *const fmt_values[] = {"text", "json", "csv", "raw", "svg", "html", "yaml", NULL};
static const char *const dir_values[] = {"both", "client", "server", NULL};
static const char *const time_values[] = {"rel", "abs", "epoch", "delta", NULL};
static const char *const data_values[] = {"ascii", "hex", "none", NULL};
static const char *const overlap_values[] = {"first", "last", NULL};
static const char *const table_values[] = {"segments", "turns", "stalls", "losses", NULL};
static const char *const cols_values[] = {"diag", "plain", NULL};

const report_option_spec report_option_specs[] = {
    {"fmt", fmt_values, "text: timeline + summary; json: full report; csv: a row per segment; "
                        "raw: one direction's kept bytes (needs dir=client|server); svg: time-sequence graph; "
                        "html: one offline page (see below); yaml: -z follow,tcp,yaml's peers and packets, plus our "
                        "fields and the gaps", true},
    {"dir", dir_values, "which direction(s) to show", false},
    {"time", time_values, "times in text/csv/html and on the graph's time axis: seconds since the stream's "
                          "first segment, UTC date, epoch seconds, or since the previous segment shown", true},
    {"overlap", overlap_values, "which copy of overlapping bytes is kept: first or last captured", true},
    {"data", data_values, "payload shown in the text timeline and in the html page", false},
    {"table", table_values, "what fmt=csv lists: a row per segment, turn, stall or loss", false},
    {"cols", cols_values, "text timeline columns: with bytes in flight, peer window and RTT, or without",
     false},
};
const size_t report_option_count = G_N_ELEMENTS(report_option_specs);

int *report_option_field(report_options *opts, size_t i)
{
    switch (i) {
    case 0: return (int *)&opts->fmt;
    case 1: return (int *)&opts->dir;
    case 2: return (int *)&opts->time;
    case 3: return (int *)&opts->overlap;
    case 4: return (int *)&opts->data;
    case 5: return (int *)&opts->table;
    default: return (int *)&opts->cols;
    }
}

void report_options_default(report_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->stall_ns = ANALYSIS_DEFAULT_STALL_NS;
}

const char *report_format_name(report_format fmt)
{
    return fmt_values[fmt];
}

const char *report_time_name(report_time time)
{
    return time_values[time];
}

bool report_parse_seconds(const char *text, int64_t *ns)
{
    /* digits with at most one '.', up to 9 decimals: exact, no locale, no exponent */
    int64_t whole = 0, frac = 0, scale = 1000000000;
    const char *p = text;
    bool digits = false;
    for (; *p >= '0' && *p <= '9'; p++, digits = true)
        if ((whole = whole * 10 + (*p - '0')) > 3600)
            return false;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, digits = true) {
            if (scale == 1)
                return false;
            scale /= 10;
            frac += (*p - '0') * scale;
        }
    if (*p || !digits)
        return false;
    *ns = whole * 1000000000 + frac;
    return *ns > 0 && *ns <= INT64_C(3600000000000);
}

char *report_options_describe(const report_options *opts, bool all_streams)
{
    GString *s = g_string_new(NULL);
    report_options copy = *opts;
    for (size_t i = 0; i < report_option_count; i++)
        if (report_option_specs[i].for_all_streams || !all_streams)
            g_string_append_printf(s, "%s=%s ", report_option_specs[i].key,
                                   report_option_specs[i].values[*report_option_field(&copy, i)]);
    g_string_append_printf(s, "stall=%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT, opts->stall_ns / 1000000000,
                           opts->stall_ns % 1000000000);
    while (s->str[s->len - 1] == '0')
        g_string_truncate(s, s->len - 1);
    if (s->str[s->len - 1] == '.')
        g_string_truncate(s, s->len - 1);
    return g_string_free(s, FALSE);
}
