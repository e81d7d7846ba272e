/* uuid.h: RFC 4122 version 4 UUIDs. */
#ifndef XSW_UUID_H
#define XSW_UUID_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uuid {
    uint32_t parts[4];  /* parts[0] holds the first 8 hex digits, etc. */
};

#define UUID_LEN 36
#define UUID_FMT "%08x-%04x-%04x-%04x-%04x%08x"
#define UUID_ARGS(U)                           \
    ((U)->parts[0]),                           \
    ((U)->parts[1] >> 16),                     \
    ((U)->parts[1] & 0xffff),                  \
    ((U)->parts[2] >> 16),                     \
    ((U)->parts[2] & 0xffff),                  \
    ((U)->parts[3])

void uuid_generate(struct uuid *);   /* Random (version 4). */
void uuid_zero(struct uuid *);
bool uuid_is_zero(const struct uuid *);

/* Inline: sets of references are compared and merged element by element,
 * and these calls were a tenth of a transaction's instructions. */
static inline bool
uuid_equals(const struct uuid *a, const struct uuid *b)
{
    return ((a->parts[0] ^ b->parts[0]) | (a->parts[1] ^ b->parts[1])
            | (a->parts[2] ^ b->parts[2]) | (a->parts[3] ^ b->parts[3])) == 0;
}

static inline int
uuid_compare_3way(const struct uuid *a, const struct uuid *b)
{
    for (int i = 0; i < 4; i++) {
        if (a->parts[i] != b->parts[i]) {
            return a->parts[i] < b->parts[i] ? -1 : 1;
        }
    }
    return 0;
}

static inline uint32_t
uuid_hash(const struct uuid *uuid)
{
    return uuid->parts[0];  /* Random already. */
}
/* Parses exactly 36 characters of canonical text (either case); false if
 * malformed. */
bool uuid_from_string(struct uuid *, const char *);
bool uuid_from_string_prefix(struct uuid *, const char *);
/* Writes UUID_LEN + 1 bytes (with the terminating null) into 'buf'. */
void uuid_to_string(const struct uuid *, char buf[UUID_LEN + 1]);
/* Writes exactly UUID_LEN bytes, no null. */
void uuid_format(const struct uuid *, char buf[UUID_LEN]);

#endif /* uuid.h */
