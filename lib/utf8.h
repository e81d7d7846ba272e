/* utf8.h: checking, decoding and encoding UTF-8.
 *
 * Well-formed UTF-8 here is RFC 3629's, as jansson checks it
 * (utf8_check_full()): no overlong forms (0xc0 0x80 for NUL, say), no
 * UTF-16 surrogates (U+D800 to U+DFFF), nothing above U+10FFFF.  Two
 * modules need that verdict and must agree on it: json-out.c, which must
 * refuse to write a string that jansson would refuse to read back, and
 * ovsdb-data.c, which checks string atoms (and counts their characters for
 * length constraints) with Open vSwitch's messages.  Each had its own
 * decoder with the same tables; utf8_decode() is the one they share, the
 * faster of the two: callers step over runs of ASCII in a tight loop of
 * their own and decode only the rest, and it is inline because the
 * serializer calls it for every non-ASCII character of every message.
 *
 * Nothing here allocates but utf8_validate()'s error message. */
#ifndef XSW_UTF8_H
#define XSW_UTF8_H 1

#include <stddef.h>
#include <stdint.h>

/* Why utf8_decode() refused a sequence (all negative). */
enum utf8_error {
    UTF8_BAD_LEAD = -1,         /* The first byte starts no sequence:
                                 * 0x80 to 0xc1, 0xf5 to 0xff. */
    UTF8_BAD_CONTINUATION = -2, /* A later byte is not 10xxxxxx. */
    UTF8_TRUNCATED = -3,        /* The bytes end inside the sequence. */
    UTF8_BAD_CODE_POINT = -4,   /* Overlong, or above U+10FFFF. */
    UTF8_SURROGATE = -5,        /* U+D800 to U+DFFF. */
};

/* Decodes the character at 's', of the 'n' bytes available (at least 1).
 * Returns its length in bytes (1 to 4), with its code point in '*cp', or a
 * negative enum utf8_error with, in '*cp', the code point decoded
 * (UTF8_BAD_CODE_POINT, UTF8_SURROGATE) or the offset of the bad byte
 * (UTF8_BAD_CONTINUATION). */
static inline int
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t len;

    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return UTF8_BAD_LEAD;
    }
    for (size_t i = 1; i < len; i++) {
        if (i >= n) {
            return UTF8_TRUNCATED;
        } else if ((s[i] & 0xc0) != 0x80) {
            *cp = i;
            return UTF8_BAD_CONTINUATION;
        }
        c = (c << 6) | (s[i] & 0x3f);
    }
    *cp = c;
    if (c < min || c > 0x10ffff) {
        return UTF8_BAD_CODE_POINT;
    } else if (c >= 0xd800 && c <= 0xdfff) {
        return UTF8_SURROGATE;
    }
    return len;
}

/* Checks that null-terminated 's' is well-formed UTF-8.  Returns NULL and
 * stores the number of characters in '*n_chars', or returns a message for
 * the caller to free that says what is wrong with the first bad sequence,
 * in Open vSwitch's words: "invalid UTF-8 sequence 0xc3 0x28" (the bytes up
 * to the bad one; a sequence that the end of the string cuts short ends in
 * 0x00), "invalid code point U+0000" (an overlong form, or above U+10FFFF),
 * "UTF-16 surrogate U+D800 not allowed". */
char *utf8_validate(const char *s, size_t *n_chars);

/* Stores the UTF-8 encoding of code point 'cp' (at most U+10FFFF) in 'buf'
 * and returns its length, 1 to 4. */
int utf8_encode(uint32_t cp, char buf[4]);

#endif /* utf8.h */
