/* The report window's HTML: escaping and Follow-style colours.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "report.h"

#include <glib.h>
#include <string.h>

#define CLIENT "<span style=\"color:#7f0000;background-color:#fbeded\">"
#define SERVER "<span style=\"color:#00007f;background-color:#ededfb\">"

static void expect_html(const char *text, bool colour, const char *html)
{
    char *got = report_window_html(text, colour);
    g_assert_cmpstr(got, ==, html);
    g_free(got);
}

static void test_payload_is_text(void)
{
    /* a payload line holding markup and entities */
    expect_html("        5 0.000948     ->           1           5      4 AP    new\n"
                "            | <script>alert(1)</script> &amp; <b>\n",
                true,
                "<pre>" CLIENT "        5 0.000948     -&gt;           1           5      4 AP    new</span>\n"
                CLIENT "            | &lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &lt;b&gt;</span>\n\n</pre>");
    expect_html("{\"a\": \"<&>\"}\n", false, "<pre>{\"a\": \"&lt;&amp;&gt;\"}\n\n</pre>");
    expect_html("no newline", false, "<pre>no newline</pre>");
}

static void test_directions_and_marks(void)
{
    expect_html("  client  1.1.1.1:12345          base seq 1\n"
                "        2 0.000259     <-           0           1      0 SA    control\n"
                "~       6 0.001912     ->           2           5      3 A     retransmission\n"
                "!   gap <- seq 11647 len 630 not captured (after frame 869, before 872)\n"
                "summary          client -> server\n",
                true,
                "<pre>  client  1.1.1.1:12345          base seq 1\n"
                SERVER "        2 0.000259     &lt;-           0           1      0 SA    control</span>\n"
                "<span style=\"color:#7f0000;background-color:#fbeded;font-weight:bold\">"
                "~       6 0.001912     -&gt;           2           5      3 A     retransmission</span>\n"
                "<span style=\"color:#00007f;background-color:#ededfb;font-weight:bold;background-color:#ffd27f\">"
                "!   gap &lt;- seq 11647 len 630 not captured (after frame 869, before 872)</span>\n"
                "summary          client -&gt; server\n\n</pre>");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/window-html/payload-is-text", test_payload_is_text);
    g_test_add_func("/window-html/directions-marks", test_directions_and_marks);
    return g_test_run();
}
