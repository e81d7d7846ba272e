/* shash.h: a map from strings to pointers.
 *
 * The map owns each node and a copy of its name; it never owns 'data'. */
#ifndef XSW_SHASH_H
#define XSW_SHASH_H 1

#include "hmap.h"

struct shash_node {
    struct hmap_node node;
    char *name;
    void *data;
};

struct shash {
    struct hmap map;
};

#define SHASH_INITIALIZER(SHASH) { HMAP_INITIALIZER(&(SHASH)->map) }

#define SHASH_FOR_EACH(NODE, SHASH) \
    HMAP_FOR_EACH (NODE, node, &(SHASH)->map)
#define SHASH_FOR_EACH_SAFE(NODE, NEXT, SHASH) \
    HMAP_FOR_EACH_SAFE (NODE, NEXT, node, &(SHASH)->map)

void shash_init(struct shash *);
void shash_destroy(struct shash *);            /* Frees nodes, not data. */
void shash_destroy_free_data(struct shash *);  /* Also free()s each data. */
static inline size_t shash_count(const struct shash *s) { return hmap_count(&s->map); }
static inline bool shash_is_empty(const struct shash *s) { return hmap_is_empty(&s->map); }

/* Adds NAME -> DATA even if NAME is already present. */
struct shash_node *shash_add(struct shash *, const char *name, const void *data);
/* Adds NAME -> DATA if NAME is absent; returns false if it was present. */
bool shash_add_once(struct shash *, const char *name, const void *data);
/* Sets NAME -> DATA, returning the old data or NULL. */
void *shash_replace(struct shash *, const char *name, const void *data);
void shash_delete(struct shash *, struct shash_node *);
/* Removes NAME, returning its data, or NULL if absent. */
void *shash_find_and_delete(struct shash *, const char *name);

struct shash_node *shash_find(const struct shash *, const char *name);
void *shash_find_data(const struct shash *, const char *name);

/* Returns the nodes sorted by name in a new array the caller frees. */
const struct shash_node **shash_sort(const struct shash *);

#endif /* shash.h */
