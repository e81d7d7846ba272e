/* test-utf8: the one UTF-8 decoder (lib/utf8.c), which the serializer
 * (json-out.c) and the data model (ovsdb-data.c) share.  Its verdict must be
 * jansson's, byte for byte: a string the serializer writes, jansson (and so
 * every peer that parses with it) must read back, and a string atom the
 * server accepts must be one ovsdb-server accepts. */
#include <config.h>

#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-out.h"
#include "utf8.h"
#include "util.h"

/* True if utf8_decode() takes all 'n' bytes at 's', character by
 * character. */
static bool
decodes_whole(const unsigned char *s, size_t n)
{
    while (n > 0) {
        uint32_t cp;
        int len = utf8_decode(s, n, &cp);
        if (len < 0) {
            return false;
        }
        s += len;
        n -= len;
    }
    return true;
}

/* Checks one byte string against jansson, through the decoder and through
 * the serializer (which must refuse what jansson refuses). */
static void
check_as_jansson(const unsigned char *s, size_t n)
{
    json_t *checked = json_stringn((const char *) s, n);
    bool valid = checked != NULL;
    json_decref(checked);

    bool decoded = decodes_whole(s, n);
    if (decoded != valid) {
        ck_abort_msg("%zu bytes %02x %02x %02x %02x: jansson says %s, "
                     "utf8_decode() says %s", n, s[0], n > 1 ? s[1] : 0,
                     n > 2 ? s[2] : 0, n > 3 ? s[3] : 0,
                     valid ? "valid" : "invalid",
                     decoded ? "valid" : "invalid");
    }

    json_t *array = json_pack("[o]", json_stringn_nocheck((const char *) s,
                                                          n));
    size_t len;
    char *text = json_out_serialize(array, &len);
    ck_assert_msg((text != NULL) == valid, "json_out_serialize() %s "
                  "%02x %02x %02x %02x (%zu bytes), jansson %s it",
                  text ? "wrote" : "refused", s[0], n > 1 ? s[1] : 0,
                  n > 2 ? s[2] : 0, n > 3 ? s[3] : 0, n,
                  valid ? "accepts" : "refuses");
    free(text);
    json_decref(array);
}

/* Every 1- and 2-byte string, and 3- and 4-byte strings for every lead
 * byte that starts one, with every second byte and third and fourth bytes
 * at the edges of the continuation range and outside it. */
START_TEST(test_same_verdict_as_jansson)
{
    static const unsigned char tails[] = { 0x00, 0x41, 0x7f, 0x80, 0xbf,
                                           0xc0, 0xff };
    unsigned char s[4];

    for (unsigned int a = 0; a < 256; a++) {
        s[0] = a;
        check_as_jansson(s, 1);
        for (unsigned int b = 0; b < 256; b++) {
            s[1] = b;
            check_as_jansson(s, 2);
            if (a < 0xe0 || a > 0xf7) {
                continue;
            }
            for (size_t c = 0; c < ARRAY_SIZE(tails); c++) {
                s[2] = tails[c];
                check_as_jansson(s, 3);
                if (a < 0xf0) {
                    continue;
                }
                for (size_t d = 0; d < ARRAY_SIZE(tails); d++) {
                    s[3] = tails[d];
                    check_as_jansson(s, 4);
                }
            }
        }
    }
}
END_TEST

/* Every code point encodes to a sequence that decodes back to it, in as
 * many bytes as the decoder says. */
START_TEST(test_encode_decode_round_trip)
{
    for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
        char buf[4];
        uint32_t back = 0;
        int n = utf8_encode(cp, buf);
        int len = utf8_decode((const unsigned char *) buf, n, &back);

        if (cp >= 0xd800 && cp <= 0xdfff) {
            ck_assert_int_eq(len, UTF8_SURROGATE);
        } else if (len != n || back != cp) {
            ck_abort_msg("U+%04X: encoded in %d bytes, decoded as U+%04X "
                         "in %d", (unsigned int) cp, n, (unsigned int) back,
                         len);
        }
    }
}
END_TEST

/* The messages users see for a bad string atom (Open vSwitch's words), one
 * per way a sequence can be bad, and the character count of a good one. */
START_TEST(test_validate_messages)
{
    static const struct {
        const char *s;
        const char *error;      /* NULL: valid. */
        size_t n_chars;
    } cases[] = {
        { "", NULL, 0 },
        { "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", NULL, 5 },
        { "ab\xff", "invalid UTF-8 sequence 0xff", 0 },
        { "\x80", "invalid UTF-8 sequence 0x80", 0 },
        { "\xf5\x80\x80\x80", "invalid UTF-8 sequence 0xf5", 0 },
        { "\xc3(", "invalid UTF-8 sequence 0xc3 0x28", 0 },
        { "\xf0\x9f\x98(", "invalid UTF-8 sequence 0xf0 0x9f 0x98 0x28", 0 },
        /* Cut short by the end of the string. */
        { "x\xe2\x82", "invalid UTF-8 sequence 0xe2 0x82 0x00", 0 },
        { "\xc0\x80", "invalid UTF-8 sequence 0xc0", 0 },
        { "\xe0\x80\x80", "invalid code point U+0000", 0 },
        { "\xf0\x8f\xbf\xbf", "invalid code point U+FFFF", 0 },
        { "\xf4\x90\x80\x80", "invalid code point U+110000", 0 },
        { "\xed\xa0\x80", "UTF-16 surrogate U+D800 not allowed", 0 },
        { "\xed\xbf\xbf", "UTF-16 surrogate U+DFFF not allowed", 0 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t n_chars = 12345;
        char *error = utf8_validate(cases[i].s, &n_chars);

        if (cases[i].error) {
            ck_assert_msg(error != NULL, "case %zu: no error", i);
            ck_assert_str_eq(error, cases[i].error);
        } else {
            ck_assert_msg(error == NULL, "case %zu: %s", i, error);
            ck_assert_uint_eq(n_chars, cases[i].n_chars);
        }
        free(error);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("utf8");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_same_verdict_as_jansson);
    tcase_add_test(tc, test_encode_decode_round_trip);
    tcase_add_test(tc, test_validate_messages);
    /* The exhaustive comparison takes about 0.3 s of CPU in the plain
     * build; 20 s is for a busy machine, not for a slower decoder. */
    tcase_set_timeout(tc, 20);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
