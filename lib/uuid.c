/* uuid.c: see uuid.h.
 *
 * Random UUIDs come from a xorshift generator seeded once from getrandom():
 * OVSDB needs many UUIDs per transaction and unpredictability is not a
 * property anything here relies on, only uniqueness. */
#include <config.h>
#include "uuid.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static __thread uint64_t prng_state[2];

/* A forked child must not repeat its parent's UUIDs: forget the state in
 * the child, so that its first UUID reseeds from getrandom(). */
static void
prng_forget(void)
{
    prng_state[0] = prng_state[1] = 0;
}

static void __attribute__((constructor))
prng_init(void)
{
    pthread_atfork(NULL, NULL, prng_forget);
}

static uint64_t
prng_next(void)
{
    uint64_t s1 = prng_state[0];
    const uint64_t s0 = prng_state[1];

    if (!s1 && !s0) {
        if (getrandom(prng_state, sizeof prng_state, 0)
            != sizeof prng_state) {
            prng_state[0] = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 32);
            prng_state[1] = (uint64_t) clock() | 1;
        }
        s1 = prng_state[0];
    }
    prng_state[0] = s0;
    s1 ^= s1 << 23;
    prng_state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return prng_state[1] + s0;
}

void
uuid_generate(struct uuid *uuid)
{
    uint64_t a = prng_next(), b = prng_next();

    uuid->parts[0] = a;
    uuid->parts[1] = a >> 32;
    uuid->parts[2] = b;
    uuid->parts[3] = b >> 32;
    /* Version 4, variant 10xx. */
    uuid->parts[1] = (uuid->parts[1] & ~0xf000u) | 0x4000u;
    uuid->parts[2] = (uuid->parts[2] & ~0xc0000000u) | 0x80000000u;
}

void uuid_zero(struct uuid *uuid) { memset(uuid, 0, sizeof *uuid); }

bool
uuid_is_zero(const struct uuid *uuid)
{
    return !(uuid->parts[0] | uuid->parts[1] | uuid->parts[2]
             | uuid->parts[3]);
}

/* Positions of the hex digits of each 32-bit part of a UUID in its
 * canonical text, most significant first. */
static const unsigned char uuid_digit_pos[4][8] = {
    { 0, 1, 2, 3, 4, 5, 6, 7 },
    { 9, 10, 11, 12, 14, 15, 16, 17 },
    { 19, 20, 21, 22, 24, 25, 26, 27 },
    { 28, 29, 30, 31, 32, 33, 34, 35 },
};

/* Parsing and formatting use tables rather than sscanf()/snprintf():
 * the database writes two UUIDs per row and parses one per set element
 * when it loads, and the stdio versions were the largest single cost of
 * both. */
bool
uuid_from_string_prefix(struct uuid *uuid, const char *s)
{
    /* Each hex digit's value plus one: 0 marks everything else. */
    static const unsigned char hexval1[256] = {
        ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
        ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
        ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
        ['f'] = 16,
        ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
        ['F'] = 16,
    };
    uint32_t parts[4];
    int bad = 0;

    if (strnlen(s, UUID_LEN) != UUID_LEN
        || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
        return false;
    }
    for (int p = 0; p < 4; p++) {
        uint32_t x = 0;
        for (int d = 0; d < 8; d++) {
            int h = hexval1[(unsigned char) s[uuid_digit_pos[p][d]]] - 1;
            bad |= h;           /* Negative once any digit was not hex. */
            x = (x << 4) | (h & 15);
        }
        parts[p] = x;
    }
    if (bad < 0) {
        return false;
    }
    memcpy(uuid->parts, parts, sizeof parts);
    return true;
}

bool
uuid_from_string(struct uuid *uuid, const char *s)
{
    return s && strnlen(s, UUID_LEN + 1) == UUID_LEN
           && uuid_from_string_prefix(uuid, s);
}

void
uuid_format(const struct uuid *uuid, char buf[UUID_LEN])
{
    static const char hex[] = "0123456789abcdef";

    for (int p = 0; p < 4; p++) {
        uint32_t x = uuid->parts[p];
        for (int d = 7; d >= 0; d--) {
            buf[uuid_digit_pos[p][d]] = hex[x & 15];
            x >>= 4;
        }
    }
    buf[8] = buf[13] = buf[18] = buf[23] = '-';
}

void
uuid_to_string(const struct uuid *uuid, char buf[UUID_LEN + 1])
{
    uuid_format(uuid, buf);
    buf[UUID_LEN] = '\0';
}
