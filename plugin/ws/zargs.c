/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "zargs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

static const char *const tap_values[] = {"auto", "tree", NULL};
static const char *const forms =
    "tcpfollowts,stream,N | tcpfollowts,addr,A,B | tcpfollowts,all | tcpfollowts,help";

static bool fail(char **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static bool fail(char **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    *error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return false;
}

/* Decimal digits only, no sign, no blanks, within max. */
static bool parse_unsigned(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20)
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_endpoint(const char *s, zargs_endpoint *ep)
{
    char host[64];
    const char *port;
    memset(ep, 0, sizeof *ep);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            return false;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        port = close + 2;
        ep->family = 6;
        if (inet_pton(AF_INET6, host, ep->bytes) != 1)
            return false;
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host || strchr(s, ':') != colon)
            return false;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
        port = colon + 1;
        ep->family = 4;
        if (inet_pton(AF_INET, host, ep->bytes) != 1)
            return false;
    }
    uint64_t p;
    if (!parse_unsigned(port, 65535, &p))
        return false;
    ep->port = (uint16_t)p;
    return true;
}

static char *join_values(const char *const *values)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; values[i]; i++)
        g_string_append_printf(s, "%s%s", i ? "|" : "", values[i]);
    return g_string_free(s, FALSE);
}

static int find_value(const char *const *values, const char *v)
{
    for (int i = 0; values[i]; i++)
        if (strcmp(values[i], v) == 0)
            return i;
    return -1;
}

/* Keys after the report options' own: tap= (an enum) and stall= (seconds). */
enum { KEY_UNKNOWN = -1 };
#define KEY_TAP ((int)report_option_count)
#define KEY_STALL ((int)report_option_count + 1)

static int option_key(const char *key)
{
    for (size_t i = 0; i < report_option_count; i++)
        if (strcmp(key, report_option_specs[i].key) == 0)
            return (int)i;
    if (strcmp(key, "tap") == 0)
        return KEY_TAP;
    return strcmp(key, "stall") == 0 ? KEY_STALL : KEY_UNKNOWN;
}

static char *known_keys(void)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < report_option_count; i++)
        g_string_append_printf(s, "%s, ", report_option_specs[i].key);
    g_string_append(s, "stall, tap");
    return g_string_free(s, FALSE);
}

static bool parse_enum(const char *key, const char *value, const char *const *values, int *out, char **error)
{
    *out = find_value(values, value);
    if (*out >= 0)
        return true;
    char *expected = join_values(values);
    fail(error, "tcpfollowts: bad value '%s' for %s: expected %s", value, key, expected);
    g_free(expected);
    return false;
}

/* OPT=VAL; each key at most once. */
static bool parse_option(const char *token, zargs_request *req, guint *seen, char **error)
{
    const char *eq = strchr(token, '=');
    char *key = eq ? g_strndup(token, (gsize)(eq - token)) : g_strdup(token);
    const char *value = eq ? eq + 1 : "";
    int k = eq && eq != token ? option_key(key) : KEY_UNKNOWN;
    char *keys = known_keys();
    bool ok = true;
    int v;
    if (!eq || eq == token)
        ok = fail(error, "tcpfollowts: bad option '%s': expected KEY=VALUE with KEY one of %s", token, keys);
    else if (k == KEY_UNKNOWN)
        ok = fail(error, "tcpfollowts: unknown option '%s' in '%s': expected one of %s", key, token, keys);
    else if (*seen & (1u << k))
        ok = fail(error, "tcpfollowts: option '%s' given twice", key);
    else if (k == KEY_STALL)
        ok = report_parse_seconds(value, &req->opts.stall_ns) ||
             fail(error, "tcpfollowts: bad value '%s' for stall: expected seconds > 0 and <= 3600, "
                         "e.g. stall=0.5", value);
    else if (k == KEY_TAP && (ok = parse_enum(key, value, tap_values, &v, error)))
        req->tap = (zargs_tap)v;
    else if (k < KEY_TAP && (ok = parse_enum(key, value, report_option_specs[k].values, &v, error)))
        *report_option_field(&req->opts, (size_t)k) = v;
    *seen |= k >= 0 ? 1u << k : 0;
    g_free(keys);
    g_free(key);
    return ok;
}

/* The all-streams summary has a row per stream: options about one stream's
 * timeline, bytes or direction do not apply. */
static bool check_all_options(const zargs_request *req, guint seen, char **error)
{
    for (size_t i = 0; i < report_option_count; i++)
        if (!report_option_specs[i].for_all_streams && (seen & (1u << i)))
            return fail(error, "tcpfollowts: option '%s' applies to one stream, not to tcpfollowts,all",
                        report_option_specs[i].key);
    report_format fmt = req->opts.fmt;
    if (fmt == REPORT_FMT_RAW || fmt == REPORT_FMT_SVG || fmt == REPORT_FMT_HTML || fmt == REPORT_FMT_YAML)
        return fail(error, "tcpfollowts: fmt=%s shows one stream: use tcpfollowts,stream,N,fmt=%s",
                    report_format_name(fmt), report_format_name(fmt));
    return true;
}

bool zargs_parse(const char *arg, zargs_request *req, char **error)
{
    memset(req, 0, sizeof *req);
    report_options_default(&req->opts);
    *error = NULL;
    gchar **tok = g_strsplit(arg ? arg : "", ",", -1);
    guint n = g_strv_length(tok);
    bool ok = true;
    guint first_option = 0;

    /* -z matching is a prefix match: "tcpfollowtsX" also lands here. */
    if (n == 0 || strcmp(tok[0], ZARGS_TAP_NAME) != 0) {
        ok = fail(error, "tcpfollowts: unknown statistic '%s': expected %s", n ? tok[0] : "", forms);
    } else if (n < 2 || tok[1][0] == '\0') {
        ok = fail(error, "tcpfollowts: missing selection after 'tcpfollowts': expected %s", forms);
    } else if (strcmp(tok[1], "help") == 0) {
        req->mode = ZARGS_HELP;
        ok = n == 2 || fail(error, "tcpfollowts: unexpected '%s' after help", tok[2]);
    } else if (strcmp(tok[1], "stream") == 0) {
        uint64_t v;
        req->mode = ZARGS_STREAM;
        if (n < 3 || tok[2][0] == '\0')
            ok = fail(error, "tcpfollowts: missing stream index after 'stream': expected a tcp.stream "
                             "number, e.g. tcpfollowts,stream,4");
        else if (!parse_unsigned(tok[2], UINT32_MAX - 1, &v))
            ok = fail(error, "tcpfollowts: bad stream index '%s': expected a tcp.stream number "
                             "0..%u", tok[2], UINT32_MAX - 1);
        else
            req->stream = (uint32_t)v;
        first_option = 3;
    } else if (strcmp(tok[1], "addr") == 0) {
        req->mode = ZARGS_ADDR;
        if (n < 4)
            ok = fail(error, "tcpfollowts: 'addr' needs two endpoints: expected "
                             "tcpfollowts,addr,A,B with A and B as ip:port or [ipv6]:port");
        for (guint i = 0; ok && i < 2; i++)
            if (!parse_endpoint(tok[2 + i], &req->ep[i]))
                ok = fail(error, "tcpfollowts: bad endpoint '%s': expected ip:port or [ipv6]:port",
                          tok[2 + i]);
        if (ok && req->ep[0].family != req->ep[1].family)
            ok = fail(error, "tcpfollowts: endpoints '%s' and '%s' mix IPv4 and IPv6", tok[2], tok[3]);
        first_option = 4;
    } else if (strcmp(tok[1], "all") == 0) {
        req->mode = ZARGS_ALL;
        first_option = 2;
    } else {
        ok = fail(error, "tcpfollowts: unknown selection '%s': expected stream, addr, all or help", tok[1]);
    }

    guint seen = 0;
    for (guint i = first_option; ok && first_option && i < n; i++)
        ok = parse_option(tok[i], req, &seen, error);
    if (ok && req->mode == ZARGS_ALL)
        ok = check_all_options(req, seen, error);
    else if (ok && req->opts.fmt == REPORT_FMT_RAW && req->opts.dir == REPORT_DIR_BOTH)
        ok = fail(error, "tcpfollowts: fmt=raw shows one direction: add dir=client or dir=server");
    g_strfreev(tok);
    return ok;
}

char *zargs_describe_selection(const zargs_request *req)
{
    if (req->mode == ZARGS_ALL)
        return g_strdup("all");
    if (req->mode != ZARGS_ADDR)
        return g_strdup_printf("stream %u", req->stream);
    GString *s = g_string_new("addr");
    for (int i = 0; i < 2; i++) {
        char host[INET6_ADDRSTRLEN];
        const zargs_endpoint *ep = &req->ep[i];
        inet_ntop(ep->family == 6 ? AF_INET6 : AF_INET, ep->bytes, host, sizeof host);
        g_string_append_printf(s, ep->family == 6 ? " [%s]:%u" : " %s:%u", host, ep->port);
    }
    return g_string_free(s, FALSE);
}

char *zargs_usage(void)
{
    GString *s = g_string_new(
        "tcpfollowts: follow a TCP stream with the time, frame and fate of every byte\n"
        "\n"
        "  -z tcpfollowts,stream,N[,OPT=VAL...]    one stream by tcp.stream index\n"
        "  -z tcpfollowts,addr,A,B[,OPT=VAL...]    A, B = ip:port or [ipv6]:port, either order\n"
        "  -z tcpfollowts,all[,OPT=VAL...]         a summary row per TCP stream, one pass\n"
        "  -z tcpfollowts,help                     this text\n"
        "\n"
        "options (default first):\n");
    for (size_t i = 0; i < report_option_count; i++) {
        char *values = join_values(report_option_specs[i].values);
        g_string_append_printf(s, "  %s=%s\n      %s\n", report_option_specs[i].key, values,
                               report_option_specs[i].help);
        g_free(values);
    }
    g_string_append(s,
        "  stall=0.2\n"
        "      a pause longer than this many seconds inside a turn is reported as a stall\n"
        "  tap=auto|tree\n"
        "      auto: fast payload tap, checked at run time; tree: the public protocol-tree path\n"
        "\n"
        "segment classes: new, retransmission, overlap, out-of-order, conflict, keep-alive,\n"
        "  zero-window-probe, control, unknown-length (see docs/report.md)\n"
        "Gaps are reported out of band and never written into the data.\n"
        "\n"
        "diagnosis (every stream report; all: per direction):\n"
        "  per segment in_flight, peer_win, rtt (Karn); loss episodes with a cause\n"
        "  (fast-retransmit, timeout, reordering, spurious, unrepaired) and where the bytes\n"
        "  were lost (after-capture, before-capture); zero-window periods with probes; each\n"
        "  direction's active time split into zero_window, timeout, loss_recovery,\n"
        "  window_limited, sender_idle and transfer; SYN re-sends and setup time; an\n"
        "  unresponsive peer; the capture point. The text report ends with it in words.\n"
        "\n"
        "pictures (one stream; dir, time, overlap, stall apply; html also data):\n"
        "  fmt=svg   the time-sequence graph, a panel per direction: x time, y relative seq;\n"
        "            every data segment a bar coloured by class (each that is not in-order new\n"
        "            data is an element with data-frame=N), the peer's ACK and window lines,\n"
        "            gaps, stalls, zero windows and timeouts shaded, turn starts marked\n"
        "  fmt=html  one offline page: that graph (wheel zoom, drag, tooltips, a click shows\n"
        "            the segment), the diagnosis, summary, turns, stalls, losses, the segment\n"
        "            table, and the kept bytes coloured as in Follow TCP Stream; no network,\n"
        "            only its own script (CSP)\n"
        "  e.g. tshark -r CAP -q -z tcpfollowts,stream,4,fmt=html > stream4.html\n"
        "\n"
        "packet fields (protocol tcpfollowts, on every TCP packet, no -z needed):\n"
        "  tcpfollowts.class, .new_bytes, .conflict_bytes, .kept_frame, .stall, .in_flight,\n"
        "  and with the whole capture read (-2, or Wireshark): .gap_before, .gap_after,\n"
        "  .rtt, .episode.cause, .episode.lost; Expert Information entries\n"
        "  e.g. tshark -r CAP -Y 'tcpfollowts.class == \"conflict\"'\n"
        "       tshark -r CAP -2 -T fields -e frame.number -e tcpfollowts.class -e tcpfollowts.rtt\n");
    return g_string_free(s, FALSE);
}
