/* options.h — how a report is shown: the OPT=VAL options of the contract.
 *
 * The value names live here once; the -z parser, the GUI dialog and the help
 * text all read them from these tables.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPFOLLOWTS_OPTIONS_H
#define TCPFOLLOWTS_OPTIONS_H

#include "engine.h"

typedef enum { REPORT_FMT_TEXT, REPORT_FMT_JSON, REPORT_FMT_CSV, REPORT_FMT_RAW, REPORT_FMT_SVG,
               REPORT_FMT_HTML, REPORT_FMT_YAML } report_format;
typedef enum { REPORT_DIR_BOTH, REPORT_DIR_CLIENT, REPORT_DIR_SERVER } report_dirs;
typedef enum { REPORT_TIME_REL, REPORT_TIME_ABS, REPORT_TIME_EPOCH, REPORT_TIME_DELTA } report_time;
typedef enum { REPORT_DATA_ASCII, REPORT_DATA_HEX, REPORT_DATA_NONE } report_data;
/* What fmt=csv lists: a row per segment, turn, stall, or loss. */
typedef enum { REPORT_TABLE_SEGMENTS, REPORT_TABLE_TURNS, REPORT_TABLE_STALLS, REPORT_TABLE_LOSSES } report_table;
/* The text timeline's columns: with the per-segment diagnosis or without. */
typedef enum { REPORT_COLS_DIAG, REPORT_COLS_PLAIN } report_cols;

typedef struct {
    report_format fmt;
    report_dirs dir;
    report_time time;
    report_data data;
    engine_overlap_policy overlap;
    report_table table;
    report_cols cols;
    int64_t stall_ns;    /* pauses longer than this inside a turn are stalls (stall=SECONDS) */
} report_options;

/* One OPT=VAL option: its key, its value names (index = enum value, NULL
 * ends the list), its help, and whether it applies to the all-streams summary. */
typedef struct {
    const char *key;
    const char *const *values;
    const char *help;
    bool for_all_streams;
} report_option_spec;

/* The options in the order they are documented; defaults are values[0]. */
extern const report_option_spec report_option_specs[];
extern const size_t report_option_count;

/* The enum field of opts that option i sets. */
int *report_option_field(report_options *opts, size_t i);

void report_options_default(report_options *opts);

/* The value names of fmt= and time=: "text", "json", ...; "rel", "abs", ... */
const char *report_format_name(report_format fmt);
const char *report_time_name(report_time time);

/* Parse a stall= value: seconds, decimal, > 0 and at most an hour. */
bool report_parse_seconds(const char *text, int64_t *ns);

/* "fmt=text dir=both ..." for headers and logs, only the options that apply
 * (all_streams: those of the all-streams summary); g_free it. */
char *report_options_describe(const report_options *opts, bool all_streams);

#endif
