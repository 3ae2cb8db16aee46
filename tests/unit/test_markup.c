/* markup.h and sink_fixed: what capture bytes become in a page, and how
 * coordinates are written.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "markup.h"

#include <glib.h>
#include <string.h>

typedef void (*writer)(report_sink *out, const void *arg, size_t len);

static char *render(writer w, const void *arg, size_t len)
{
    GString *s = g_string_new(NULL);
    report_sink sink;
    sink_init_string(&sink, s);
    w(&sink, arg, len);
    sink_flush(&sink);
    return g_string_free(s, FALSE);
}

static void text(report_sink *out, const void *arg, size_t len) { markup_text(out, arg); }
static void payload(report_sink *out, const void *arg, size_t len) { markup_payload(out, arg, len); }
static void json(report_sink *out, const void *arg, size_t len) { markup_json_string(out, arg); }

static void expect(writer w, const char *in, size_t len, const char *want)
{
    char *got = render(w, in, len);
    if (strcmp(got, want) != 0)
        g_error("'%s' became '%s', expected '%s'", in, got, want);
    g_free(got);
}

static void test_text(void)
{
    expect(text, "plain 10.0.0.1:80", 0, "plain 10.0.0.1:80");
    expect(text, "<script>\"a\" & 'b'</script>", 0,
           "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
    expect(text, "]]>", 0, "]]&gt;");
}

static void test_payload(void)
{
    static const char attack[] = "<img src=x onerror=\"alert(1)\">\r\n</textarea>\t]]>\x00\x7f\xff\xc3\x28\r";
    expect(payload, attack, sizeof attack - 1,
           "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;\n&lt;/textarea&gt;\t]]&gt;....(.");
    /* valid UTF-8 is not ASCII either: Follow's ASCII view shows dots */
    expect(payload, "\xc3\xa9", 2, "..");
    expect(payload, "", 0, "");
    /* long input crosses the internal buffer: every byte still escaped */
    GString *big = g_string_new(NULL), *want = g_string_new(NULL);
    for (int i = 0; i < 3000; i++) {
        g_string_append(big, "a<");
        g_string_append(want, "a&lt;");
    }
    expect(payload, big->str, big->len, want->str);
    g_string_free(big, TRUE);
    g_string_free(want, TRUE);
}

static void test_json(void)
{
    expect(json, "plain", 0, "\"plain\"");
    expect(json, "</script><!-- \"\\ &\n\x01\xff", 0,
           "\"\\u003c/script\\u003e\\u003c!-- \\\"\\\\ \\u0026\\u000a\\u0001\\u00ff\"");
}

static void fixed(report_sink *out, const void *arg, size_t decimals)
{
    sink_fixed(out, *(const double *)arg, (int)decimals);
}

static void expect_fixed(double v, int decimals, const char *want)
{
    char *got = render(fixed, &v, (size_t)decimals);
    if (strcmp(got, want) != 0)
        g_error("%.12g with %d decimals became '%s', expected '%s'", v, decimals, got, want);
    g_free(got);
}

static void test_fixed(void)
{
    expect_fixed(12.5, 2, "12.5");
    expect_fixed(12.0, 2, "12");
    expect_fixed(0.25, 2, "0.25");
    expect_fixed(0.05, 1, "0.1");
    expect_fixed(-3.004, 2, "-3");
    expect_fixed(-0.001, 2, "0");
    expect_fixed(-0.5, 1, "-0.5");
    expect_fixed(1090, 0, "1090");
    expect_fixed(340.123456789, 9, "340.123456789");
    expect_fixed(0, 2, "0");
}

int main(int argc, char **argv)
{
    static const struct {
        const char *path;
        GTestFunc test;
    } tests[] = {{"/markup/text", test_text}, {"/markup/payload", test_payload}, {"/markup/json", test_json},
                 {"/markup/fixed", test_fixed}};
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++)
        g_test_add_func(tests[i].path, tests[i].test);
    return g_test_run();
}
