/* utf8.c: see utf8.h. */
#include <config.h>
#include "utf8.h"

#include <inttypes.h>
#include <string.h>

#include "ds.h"
#include "util.h"

char *
utf8_validate(const char *s, size_t *n_chars)
{
    const unsigned char *p = (const unsigned char *) s;
    /* The terminator counts as available, so that a sequence it cuts short
     * fails on it as on any other byte that continues nothing. */
    const unsigned char *end = p + strlen(s) + 1;
    size_t n = 0;

    for (;;) {
        while (*p && *p < 0x80) {
            p++;
            n++;
        }
        if (!*p) {
            *n_chars = n;
            return NULL;
        }

        uint32_t cp;
        int len = utf8_decode(p, end - p, &cp);
        if (len > 0) {
            p += len;
            n++;
            continue;
        }

        struct ds b = DS_EMPTY_INITIALIZER;
        switch ((enum utf8_error) len) {
        case UTF8_BAD_CONTINUATION:
            ds_put_cstr(&b, "invalid UTF-8 sequence");
            for (uint32_t i = 0; i <= cp; i++) {
                ds_put_format(&b, " 0x%02x", p[i]);
            }
            break;
        case UTF8_BAD_CODE_POINT:
            ds_put_format(&b, "invalid code point U+%04"PRIX32, cp);
            break;
        case UTF8_SURROGATE:
            ds_put_format(&b, "UTF-16 surrogate U+%04"PRIX32" not allowed",
                          cp);
            break;
        case UTF8_BAD_LEAD:
        case UTF8_TRUNCATED:    /* Cannot happen: see 'end'. */
        default:
            ds_put_format(&b, "invalid UTF-8 sequence 0x%02x", p[0]);
            break;
        }
        return ds_steal_cstr(&b);
    }
}

int
utf8_encode(uint32_t cp, char buf[4])
{
    if (cp < 0x80) {
        buf[0] = cp;
        return 1;
    } else if (cp < 0x800) {
        buf[0] = 0xc0 | (cp >> 6);
        buf[1] = 0x80 | (cp & 0x3f);
        return 2;
    } else if (cp < 0x10000) {
        buf[0] = 0xe0 | (cp >> 12);
        buf[1] = 0x80 | ((cp >> 6) & 0x3f);
        buf[2] = 0x80 | (cp & 0x3f);
        return 3;
    } else {
        buf[0] = 0xf0 | (cp >> 18);
        buf[1] = 0x80 | ((cp >> 12) & 0x3f);
        buf[2] = 0x80 | ((cp >> 6) & 0x3f);
        buf[3] = 0x80 | (cp & 0x3f);
        return 4;
    }
}
