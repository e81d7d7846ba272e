/* hash.c: see hash.h. */
#include <config.h>
#include "hash.h"

uint32_t
hash_bytes(const void *p_, size_t n, uint32_t basis)
{
    const uint8_t *p = p_;
    uint32_t hash = basis;
    size_t i;

    for (i = 0; i + 4 <= n; i += 4) {
        uint32_t word;
        memcpy(&word, p + i, 4);
        hash = hash_add(hash, word);
    }
    if (i < n) {
        uint32_t word = 0;
        memcpy(&word, p + i, n - i);
        hash = hash_add(hash, word);
    }
    return hash_finish(hash, (uint32_t) n);
}
