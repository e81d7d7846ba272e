/* hmap.h: an intrusive hash map.
 *
 * The caller embeds a struct hmap_node in each element and computes the hash
 * itself; the map never allocates elements, only its bucket array, so the
 * owner of an element is always whoever inserted it.  Several elements may
 * have the same hash: lookups walk HMAP_FOR_EACH_WITH_HASH and compare keys.
 *
 *     struct port { struct hmap_node node; char *name; };
 *     hmap_insert(&ports, &port->node, hash_string(port->name, 0));
 *     HMAP_FOR_EACH_WITH_HASH (p, node, hash_string(name, 0), &ports) {
 *         if (!strcmp(p->name, name)) return p;
 *     }
 */
#ifndef XSW_HMAP_H
#define XSW_HMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct hmap_node {
    size_t hash;
    struct hmap_node *next;
};

struct hmap {
    struct hmap_node **buckets;  /* 'mask' + 1 buckets; &one when mask == 0. */
    struct hmap_node *one;
    size_t mask;
    size_t n;
};

#define HMAP_INITIALIZER(HMAP) { &(HMAP)->one, NULL, 0, 0 }

void hmap_init(struct hmap *);
void hmap_destroy(struct hmap *);   /* Frees buckets, not elements. */
void hmap_swap(struct hmap *, struct hmap *);
void hmap_expand(struct hmap *);

static inline size_t hmap_count(const struct hmap *h) { return h->n; }
static inline bool hmap_is_empty(const struct hmap *h) { return h->n == 0; }

static inline void
hmap_insert_fast(struct hmap *h, struct hmap_node *node, size_t hash)
{
    struct hmap_node **bucket = &h->buckets[hash & h->mask];
    node->hash = hash;
    node->next = *bucket;
    *bucket = node;
    h->n++;
}

static inline void
hmap_insert(struct hmap *h, struct hmap_node *node, size_t hash)
{
    hmap_insert_fast(h, node, hash);
    if (h->n / 2 > h->mask) {
        hmap_expand(h);
    }
}

static inline void
hmap_remove(struct hmap *h, struct hmap_node *node)
{
    struct hmap_node **bucket = &h->buckets[node->hash & h->mask];
    while (*bucket != node) {
        bucket = &(*bucket)->next;
    }
    *bucket = node->next;
    h->n--;
}

/* Puts 'new' where 'old' was; both must have the same hash. */
static inline void
hmap_replace(struct hmap *h, const struct hmap_node *old,
             struct hmap_node *new)
{
    struct hmap_node **bucket = &h->buckets[old->hash & h->mask];
    while (*bucket != old) {
        bucket = &(*bucket)->next;
    }
    *bucket = new;
    new->hash = old->hash;
    new->next = old->next;
}

static inline struct hmap_node *
hmap_first_with_hash(const struct hmap *h, size_t hash)
{
    struct hmap_node *node = h->buckets[hash & h->mask];
    while (node && node->hash != hash) {
        node = node->next;
    }
    return node;
}

static inline struct hmap_node *
hmap_next_with_hash(const struct hmap_node *node)
{
    size_t hash = node->hash;
    for (node = node->next; node && node->hash != hash; node = node->next) {
        continue;
    }
    return (struct hmap_node *) node;
}

struct hmap_node *hmap_first(const struct hmap *);
struct hmap_node *hmap_next(const struct hmap *, const struct hmap_node *);

#define HMAP_NODE_TO(NODE, OBJECT, MEMBER) \
    ((NODE) ? OBJECT_CONTAINING(NODE, OBJECT, MEMBER) : NULL)

#define HMAP_FOR_EACH_WITH_HASH(NODE, MEMBER, HASH, HMAP)                   \
    for (NODE = HMAP_NODE_TO(hmap_first_with_hash(HMAP, HASH), NODE, MEMBER); \
         NODE;                                                              \
         NODE = HMAP_NODE_TO(hmap_next_with_hash(&(NODE)->MEMBER), NODE,   \
                             MEMBER))

#define HMAP_FOR_EACH(NODE, MEMBER, HMAP)                                   \
    for (NODE = HMAP_NODE_TO(hmap_first(HMAP), NODE, MEMBER);               \
         NODE;                                                              \
         NODE = HMAP_NODE_TO(hmap_next(HMAP, &(NODE)->MEMBER), NODE, MEMBER))

/* Safe against removal (and freeing) of NODE inside the loop. */
#define HMAP_FOR_EACH_SAFE(NODE, NEXT, MEMBER, HMAP)                        \
    for (NODE = HMAP_NODE_TO(hmap_first(HMAP), NODE, MEMBER);               \
         (NODE ? (NEXT = HMAP_NODE_TO(hmap_next(HMAP, &(NODE)->MEMBER),     \
                                      NODE, MEMBER), 1) : 0);               \
         NODE = NEXT)

/* Removes each element in turn; the body must take ownership of NODE and
 * must not insert into the map.  The bucket cursor makes emptying a map
 * linear: restarting from bucket 0 for every element would be quadratic in
 * a large, emptying table. */
static inline struct hmap_node *
hmap_pop_from__(struct hmap *h, size_t *bucket)
{
    for (; *bucket <= h->mask; (*bucket)++) {
        struct hmap_node *node = h->buckets[*bucket];
        if (node) {
            hmap_remove(h, node);
            return node;
        }
    }
    return NULL;
}

#define HMAP_FOR_EACH_POP(NODE, MEMBER, HMAP)                               \
    for (struct { size_t bucket; struct hmap_node *node; } pop__ = { 0, NULL };\
         (pop__.node = hmap_pop_from__(HMAP, &pop__.bucket)) != NULL        \
         && (NODE = OBJECT_CONTAINING(pop__.node, NODE, MEMBER), 1); )

#endif /* hmap.h */
