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

bool
uuid_equals(const struct uuid *a, const struct uuid *b)
{
    return !memcmp(a, b, sizeof *a);
}

int
uuid_compare_3way(const struct uuid *a, const struct uuid *b)
{
    for (int i = 0; i < 4; i++) {
        if (a->parts[i] != b->parts[i]) {
            return a->parts[i] < b->parts[i] ? -1 : 1;
        }
    }
    return 0;
}

uint32_t
uuid_hash(const struct uuid *uuid)
{
    return uuid->parts[0];  /* Random already. */
}

static int
hexit(int c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

bool
uuid_from_string_prefix(struct uuid *uuid, const char *s)
{
    /* Positions of the dashes in canonical form. */
    static const int dash[] = { 8, 13, 18, 23 };
    uint32_t parts[4] = { 0, 0, 0, 0 };
    int digit = 0;

    for (int i = 0; i < UUID_LEN; i++) {
        if (i == dash[0] || i == dash[1] || i == dash[2] || i == dash[3]) {
            if (s[i] != '-') {
                return false;
            }
            continue;
        }
        int h = hexit((unsigned char) s[i]);
        if (h < 0) {
            return false;
        }
        parts[digit / 8] = (parts[digit / 8] << 4) | h;
        digit++;
    }
    memcpy(uuid->parts, parts, sizeof parts);
    return true;
}

bool
uuid_from_string(struct uuid *uuid, const char *s)
{
    return strlen(s) == UUID_LEN && uuid_from_string_prefix(uuid, s);
}

void
uuid_to_string(const struct uuid *uuid, char buf[UUID_LEN + 1])
{
    snprintf(buf, UUID_LEN + 1, UUID_FMT, UUID_ARGS(uuid));
}

bool
uuid_is_partial_string(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefABCDEF-");
    return n >= 4 && s[n] == '\0';
}
