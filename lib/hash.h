/* hash.h: hash functions for hash tables (not for security). */
#ifndef XSW_HASH_H
#define XSW_HASH_H 1

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Mixes 'data' into 'hash' (murmur3-style finalizing steps). */
static inline uint32_t
hash_add(uint32_t hash, uint32_t data)
{
    data *= 0xcc9e2d51;
    data = (data << 15) | (data >> 17);
    data *= 0x1b873593;
    hash ^= data;
    hash = (hash << 13) | (hash >> 19);
    return hash * 5 + 0xe6546b64;
}

static inline uint32_t
hash_finish(uint32_t hash, uint32_t final)
{
    hash ^= final;
    hash ^= hash >> 16;
    hash *= 0x85ebca6b;
    hash ^= hash >> 13;
    hash *= 0xc2b2ae35;
    hash ^= hash >> 16;
    return hash;
}

static inline uint32_t
hash_add64(uint32_t hash, uint64_t data)
{
    return hash_add(hash_add(hash, (uint32_t) data), (uint32_t) (data >> 32));
}

uint32_t hash_bytes(const void *, size_t n, uint32_t basis);

static inline uint32_t
hash_string(const char *s, uint32_t basis)
{
    return hash_bytes(s, strlen(s), basis);
}

static inline uint32_t
hash_int(uint32_t x, uint32_t basis)
{
    return hash_finish(hash_add(basis, x), 4);
}

static inline uint32_t
hash_pointer(const void *p, uint32_t basis)
{
    return hash_finish(hash_add64(basis, (uint64_t) (uintptr_t) p), 8);
}

#endif /* hash.h */
