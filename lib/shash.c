/* shash.c: see shash.h. */
#include <config.h>
#include "shash.h"

#include <stdlib.h>
#include <string.h>
#include "hash.h"

void
shash_init(struct shash *s)
{
    hmap_init(&s->map);
}

static void
shash_clear(struct shash *s)
{
    struct shash_node *node;

    HMAP_FOR_EACH_POP (node, node, &s->map) {
        free(node->name);
        free(node);
    }
}

void
shash_destroy(struct shash *s)
{
    if (s) {
        shash_clear(s);
        hmap_destroy(&s->map);
    }
}

void
shash_destroy_free_data(struct shash *s)
{
    if (s) {
        struct shash_node *node;

        HMAP_FOR_EACH_POP (node, node, &s->map) {
            free(node->data);
            free(node->name);
            free(node);
        }
        hmap_destroy(&s->map);
    }
}

struct shash_node *
shash_add(struct shash *s, const char *name, const void *data)
{
    struct shash_node *node = xmalloc(sizeof *node);

    node->name = xstrdup(name);
    node->data = (void *) data;
    hmap_insert(&s->map, &node->node, hash_string(name, 0));
    return node;
}

bool
shash_add_once(struct shash *s, const char *name, const void *data)
{
    if (shash_find(s, name)) {
        return false;
    }
    shash_add(s, name, data);
    return true;
}

void *
shash_replace(struct shash *s, const char *name, const void *data)
{
    struct shash_node *node = shash_find(s, name);
    void *old;

    if (!node) {
        shash_add(s, name, data);
        return NULL;
    }
    old = node->data;
    node->data = (void *) data;
    return old;
}

void
shash_delete(struct shash *s, struct shash_node *node)
{
    hmap_remove(&s->map, &node->node);
    free(node->name);
    free(node);
}

void *
shash_find_and_delete(struct shash *s, const char *name)
{
    struct shash_node *node = shash_find(s, name);
    void *data;

    if (!node) {
        return NULL;
    }
    data = node->data;
    shash_delete(s, node);
    return data;
}

static struct shash_node *
shash_find_len(const struct shash *s, const char *name, size_t len)
{
    struct shash_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, node, hash_bytes(name, len, 0), &s->map) {
        if (!strncmp(node->name, name, len) && !node->name[len]) {
            return node;
        }
    }
    return NULL;
}

struct shash_node *
shash_find(const struct shash *s, const char *name)
{
    return shash_find_len(s, name, strlen(name));
}

void *
shash_find_data(const struct shash *s, const char *name)
{
    struct shash_node *node = shash_find(s, name);
    return node ? node->data : NULL;
}

static int
compare_nodes_by_name(const void *a_, const void *b_)
{
    const struct shash_node *const *a = a_;
    const struct shash_node *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

const struct shash_node **
shash_sort(const struct shash *s)
{
    size_t n = shash_count(s), i = 0;
    const struct shash_node **nodes = xmalloc((n ? n : 1) * sizeof *nodes);
    struct shash_node *node;

    SHASH_FOR_EACH (node, s) {
        nodes[i++] = node;
    }
    qsort(nodes, n, sizeof *nodes, compare_nodes_by_name);
    return nodes;
}
