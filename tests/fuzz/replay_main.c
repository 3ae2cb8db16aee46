/* replay_main.c — run the fuzz harness without libFuzzer: every FILE given, and
 * every regular file inside every DIR given (sorted by name), is passed once to
 * LLVMFuzzerTestOneInput. A violated invariant aborts (non-zero exit).
 *
 * Usage: fuzz_replay FILE|DIR...
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    gchar *buf = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        fprintf(stderr, "fuzz_replay: %s\n", err->message);
        g_error_free(err);
        return 1;
    }
    fprintf(stderr, "fuzz_replay: %s (%zu bytes)\n", path, (size_t)len);
    /* An exact-size heap copy, so that ASan sees reads past the end. */
    uint8_t *copy = g_malloc(len ? len : 1);
    memcpy(copy, buf, len);
    LLVMFuzzerTestOneInput(copy, len);
    g_free(copy);
    g_free(buf);
    return 0;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    int failures = 0, runs = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            failures += run_file(argv[i]);
            runs++;
            continue;
        }
        GError *err = NULL;
        GDir *dir = g_dir_open(argv[i], 0, &err);
        if (!dir) {
            fprintf(stderr, "fuzz_replay: %s\n", err->message);
            g_error_free(err);
            failures++;
            continue;
        }
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        const gchar *name;
        while ((name = g_dir_read_name(dir)) != NULL) {
            gchar *path = g_build_filename(argv[i], name, NULL);
            if (name[0] != '.' && g_file_test(path, G_FILE_TEST_IS_REGULAR))
                g_ptr_array_add(names, path);
            else
                g_free(path);
        }
        g_dir_close(dir);
        g_ptr_array_sort(names, cmp_str);
        for (guint k = 0; k < names->len; k++) {
            failures += run_file(g_ptr_array_index(names, k));
            runs++;
        }
        g_ptr_array_free(names, TRUE);
    }
    fprintf(stderr, "fuzz_replay: %d input(s) replayed, %d unreadable\n", runs, failures);
    return failures ? 1 : 0;
}
