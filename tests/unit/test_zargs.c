/* The -z parser: every form and every bad-argument message.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "zargs.h"

#include <glib.h>
#include <string.h>

static zargs_request parse_ok(const char *arg)
{
    zargs_request req;
    char *error = NULL;
    if (!zargs_parse(arg, &req, &error))
        g_error("'%s' rejected: %s", arg, error);
    return req;
}

/* Rejected, with a message naming `names`. */
static void parse_bad(const char *arg, const char *names)
{
    zargs_request req;
    char *error = NULL;
    g_assert_false(zargs_parse(arg, &req, &error));
    g_assert_nonnull(error);
    if (!strstr(error, names))
        g_error("message for '%s' does not name '%s': %s", arg, names, error);
    g_assert_null(strchr(error, '\n'));
    g_free(error);
}

static void test_forms(void)
{
    zargs_request r = parse_ok("tcpfollowts,stream,4");
    g_assert_cmpint(r.mode, ==, ZARGS_STREAM);
    g_assert_cmpuint(r.stream, ==, 4);
    g_assert_cmpint(r.opts.fmt, ==, REPORT_FMT_TEXT);
    g_assert_cmpint(r.opts.overlap, ==, ENGINE_OVERLAP_FIRST);

    r = parse_ok("tcpfollowts,stream,2,fmt=svg,dir=client,time=abs");
    g_assert_cmpint(r.opts.fmt, ==, REPORT_FMT_SVG);
    g_assert_cmpint(r.opts.dir, ==, REPORT_DIR_CLIENT);
    r = parse_ok("tcpfollowts,stream,2,fmt=html,stall=0.5");
    g_assert_cmpint(r.opts.fmt, ==, REPORT_FMT_HTML);

    r = parse_ok("tcpfollowts,stream,0,fmt=json,dir=server,time=epoch,overlap=last,data=hex,tap=tree");
    g_assert_cmpint(r.opts.fmt, ==, REPORT_FMT_JSON);
    g_assert_cmpint(r.opts.dir, ==, REPORT_DIR_SERVER);
    g_assert_cmpint(r.opts.time, ==, REPORT_TIME_EPOCH);
    g_assert_cmpint(r.opts.overlap, ==, ENGINE_OVERLAP_LAST);
    g_assert_cmpint(r.opts.data, ==, REPORT_DATA_HEX);
    g_assert_cmpint(r.tap, ==, ZARGS_TAP_TREE);

    r = parse_ok("tcpfollowts,addr,10.0.0.1:80,10.0.0.2:40000,fmt=csv");
    g_assert_cmpint(r.mode, ==, ZARGS_ADDR);
    g_assert_cmpint(r.ep[0].family, ==, 4);
    g_assert_cmpuint(r.ep[0].port, ==, 80);
    g_assert_cmpuint(r.ep[1].bytes[3], ==, 2);
    char *sel = zargs_describe_selection(&r);
    g_assert_cmpstr(sel, ==, "addr 10.0.0.1:80 10.0.0.2:40000");
    g_free(sel);

    r = parse_ok("tcpfollowts,addr,[2001:db8::1]:443,[2001:db8::2]:50000");
    g_assert_cmpint(r.ep[1].family, ==, 6);
    g_assert_cmpuint(r.ep[1].port, ==, 50000);

    r = parse_ok("tcpfollowts,stream,1,fmt=raw,dir=client");
    g_assert_cmpint(r.opts.fmt, ==, REPORT_FMT_RAW);

    r = parse_ok("tcpfollowts,all");
    g_assert_cmpint(r.mode, ==, ZARGS_ALL);
    r = parse_ok("tcpfollowts,all,fmt=csv,overlap=last,stall=1.5,time=epoch");
    g_assert_cmpint(r.opts.fmt, ==, REPORT_FMT_CSV);
    g_assert_cmpint(r.opts.stall_ns, ==, 1500000000);
    r = parse_ok("tcpfollowts,stream,2,stall=0.000001,table=losses");
    g_assert_cmpint(r.opts.stall_ns, ==, 1000);
    g_assert_cmpint(r.opts.table, ==, REPORT_TABLE_LOSSES);

    r = parse_ok("tcpfollowts,help");
    g_assert_cmpint(r.mode, ==, ZARGS_HELP);
    char *usage = zargs_usage();
    g_assert_nonnull(strstr(usage, "overlap=first|last"));
    g_free(usage);
}

static void test_bad_arguments(void)
{
    parse_bad("tcpfollowtsX,stream,1", "tcpfollowtsX");
    parse_bad("tcpfollowts", "missing selection");
    parse_bad("tcpfollowts,", "missing selection");
    parse_bad("tcpfollowts,streams,1", "streams");
    parse_bad("tcpfollowts,stream", "missing stream index");
    parse_bad("tcpfollowts,stream,", "missing stream index");
    parse_bad("tcpfollowts,stream,-1", "'-1'");
    parse_bad("tcpfollowts,stream,4294967295", "'4294967295'");
    parse_bad("tcpfollowts,stream,99999999999999999999999", "'99999999999999999999999'");
    parse_bad("tcpfollowts,stream,1x", "'1x'");
    parse_bad("tcpfollowts,stream, 1", "' 1'");
    parse_bad("tcpfollowts,stream,1,fmt=xml", "expected text|json|csv|raw|svg|html");
    parse_bad("tcpfollowts,stream,1,fmt=", "bad value ''");
    parse_bad("tcpfollowts,stream,1,color=red", "unknown option 'color'");
    parse_bad("tcpfollowts,stream,1,fmt", "bad option 'fmt'");
    parse_bad("tcpfollowts,stream,1,=json", "bad option '=json'");
    parse_bad("tcpfollowts,stream,1,,fmt=json", "bad option ''");
    parse_bad("tcpfollowts,stream,1,fmt=json,fmt=csv", "'fmt' given twice");
    parse_bad("tcpfollowts,stream,1,fmt=raw", "dir=client");
    parse_bad("tcpfollowts,stream,1,tap=slow", "expected auto|tree");
    parse_bad("tcpfollowts,addr,10.0.0.1:80", "two endpoints");
    parse_bad("tcpfollowts,addr,10.0.0.1,10.0.0.2:80", "'10.0.0.1'");
    parse_bad("tcpfollowts,addr,10.0.0.300:1,10.0.0.2:80", "'10.0.0.300:1'");
    parse_bad("tcpfollowts,addr,10.0.0.1:65536,10.0.0.2:80", "'10.0.0.1:65536'");
    parse_bad("tcpfollowts,addr,2001:db8::1:80,10.0.0.2:80", "'2001:db8::1:80'");
    parse_bad("tcpfollowts,addr,[2001:db8::1]:80,10.0.0.2:80", "mix IPv4 and IPv6");
    parse_bad("tcpfollowts,addr,[zz::1]:80,[::1]:80", "'[zz::1]:80'");
    parse_bad("tcpfollowts,help,extra", "'extra'");
    parse_bad("tcpfollowts,all,dir=client", "'dir' applies to one stream");
    parse_bad("tcpfollowts,all,data=hex", "'data' applies to one stream");
    parse_bad("tcpfollowts,all,fmt=raw", "fmt=raw shows one stream");
    parse_bad("tcpfollowts,all,fmt=svg", "fmt=svg shows one stream: use tcpfollowts,stream,N,fmt=svg");
    parse_bad("tcpfollowts,all,fmt=html", "fmt=html shows one stream");
    parse_bad("tcpfollowts,all,3", "bad option '3'");
    parse_bad("tcpfollowts,stream,1,stall=0", "bad value '0' for stall");
    parse_bad("tcpfollowts,stream,1,stall=-1", "bad value '-1' for stall");
    parse_bad("tcpfollowts,stream,1,stall=1e3", "bad value '1e3' for stall");
    parse_bad("tcpfollowts,stream,1,stall=3601", "bad value '3601' for stall");
    parse_bad("tcpfollowts,stream,1,stall=0.0000000001", "bad value '0.0000000001' for stall");
    parse_bad("tcpfollowts,stream,1,stall=.", "bad value '.' for stall");
    parse_bad("tcpfollowts,stream,1,stall=1,stall=2", "'stall' given twice");
    parse_bad("tcpfollowts,stream,1,table=rows", "expected segments|turns|stalls|losses");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/zargs/forms", test_forms);
    g_test_add_func("/zargs/bad", test_bad_arguments);
    return g_test_run();
}
