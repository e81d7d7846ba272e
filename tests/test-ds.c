/* test-ds: the growable string that xsw's text output is built in. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds.h"

/* An empty ds reads as "" and steals as a fresh "". */
START_TEST(test_empty)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ck_assert_str_eq(ds_cstr(&ds), "");
    ds_clear(&ds);
    ds_truncate(&ds, 0);
    char *s = ds_steal_cstr(&ds);
    ck_assert_str_eq(s, "");
    free(s);
    ds_destroy(&ds);
}
END_TEST

/* Every put keeps the string terminated, across many reallocations, and
 * formatted pieces longer than the room left come out whole. */
START_TEST(test_put_and_grow)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    char expected[20000];
    size_t n = 0;

    for (int i = 0; i < 1000; i++) {
        char piece[32];
        int len = snprintf(piece, sizeof piece, "%d,", i);

        switch (i % 4) {
        case 0: ds_put_format(&ds, "%d,", i); break;
        case 1: ds_put_cstr(&ds, piece); break;
        case 2: ds_put_buffer(&ds, piece, len); break;
        case 3:
            for (int j = 0; j < len; j++) {
                ds_put_char(&ds, piece[j]);
            }
            break;
        }
        memcpy(expected + n, piece, len + 1);
        n += len;
        ck_assert_uint_eq(ds.len, n);
        ck_assert_str_eq(ds_cstr(&ds), expected);
    }

    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ds_put_format(&ds, "<%s>", big);
    ck_assert_uint_eq(ds.len, n + sizeof big + 1);
    ck_assert_int_eq(ds_cstr(&ds)[ds.len - 1], '>');
    ck_assert_int_eq(ds_cstr(&ds)[ds.len], '\0');
    ds_destroy(&ds);
    ck_assert_ptr_null(ds.s);
}
END_TEST

/* Truncating cuts and terminates; it never lengthens.  Clearing keeps the
 * allocation; stealing hands it over and leaves the ds empty. */
START_TEST(test_truncate_clear_steal)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    ds_put_cstr(&ds, "abcdef");
    ds_truncate(&ds, 3);
    ck_assert_str_eq(ds_cstr(&ds), "abc");
    ds_truncate(&ds, 10);
    ck_assert_str_eq(ds_cstr(&ds), "abc");

    char *before = ds.s;
    ds_clear(&ds);
    ck_assert_str_eq(ds_cstr(&ds), "");
    ck_assert_ptr_eq(ds.s, before);
    ds_put_char(&ds, 'z');

    char *s = ds_steal_cstr(&ds);
    ck_assert_str_eq(s, "z");
    ck_assert_ptr_null(ds.s);
    ck_assert_uint_eq(ds.len, 0);
    ck_assert_str_eq(ds_cstr(&ds), "");
    free(s);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("ds");
    TCase *tc = tcase_create("ds");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_put_and_grow);
    tcase_add_test(tc, test_truncate_clear_steal);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
