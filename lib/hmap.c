/* hmap.c: see hmap.h. */
#include <config.h>
#include "hmap.h"

#include <stdlib.h>

void
hmap_init(struct hmap *h)
{
    h->buckets = &h->one;
    h->one = NULL;
    h->mask = 0;
    h->n = 0;
}

/* A map with one bucket keeps it inside itself ('one'), so a byte copy of
 * the struct (a map returned or assigned by value) points into the
 * original, often a dead stack frame.  Caught here, where it is cheap (not
 * on lookups), before free() of a pointer into the stack.  (A zeroed map,
 * never initialized, has no buckets at all and is fine to destroy.) */
static void
check_not_moved(const struct hmap *h)
{
    if (!h->mask && h->buckets && h->buckets != &h->one) {
        xsw_fatal("hmap %p was copied by value: its bucket points to %p",
                  (const void *) h, (const void *) h->buckets);
    }
}

void
hmap_destroy(struct hmap *h)
{
    if (h) {
        check_not_moved(h);
    }
    if (h && h->buckets != &h->one) {
        free(h->buckets);
    }
}

void
hmap_swap(struct hmap *a, struct hmap *b)
{
    check_not_moved(a);
    check_not_moved(b);
    struct hmap tmp = *a;
    *a = *b;
    *b = tmp;
    if (a->buckets == &b->one) {
        a->buckets = &a->one;
    }
    if (b->buckets == &a->one) {
        b->buckets = &b->one;
    }
}

static void
resize(struct hmap *h, size_t new_mask)
{
    struct hmap tmp;

    check_not_moved(h);
    tmp.n = 0;
    tmp.mask = new_mask;
    if (new_mask) {
        tmp.buckets = xcalloc(new_mask + 1, sizeof *tmp.buckets);
    } else {
        tmp.buckets = &tmp.one;
        tmp.one = NULL;
    }
    for (size_t i = 0; i <= h->mask; i++) {
        struct hmap_node *node, *next;
        for (node = h->buckets[i]; node; node = next) {
            next = node->next;
            hmap_insert_fast(&tmp, node, node->hash);
        }
    }
    hmap_swap(h, &tmp);
    hmap_destroy(&tmp);
}

/* Smallest mask (2**k - 1) whose table holds 'capacity' at load factor 2. */
static size_t
calc_mask(size_t capacity)
{
    size_t mask = capacity / 2;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
#if SIZE_MAX > UINT32_MAX
    mask |= mask >> 32;
#endif
    /* Keep a few buckets for tiny maps to avoid constant resizing. */
    return mask ? mask : 0;
}

void
hmap_expand(struct hmap *h)
{
    size_t new_mask = calc_mask(h->n);
    if (new_mask > h->mask) {
        resize(h, new_mask);
    }
}

static struct hmap_node *
first_from(const struct hmap *h, size_t start)
{
    for (size_t i = start; i <= h->mask; i++) {
        if (h->buckets[i]) {
            return h->buckets[i];
        }
    }
    return NULL;
}

struct hmap_node *
hmap_first(const struct hmap *h)
{
    return first_from(h, 0);
}

struct hmap_node *
hmap_next(const struct hmap *h, const struct hmap_node *node)
{
    return node->next ? node->next : first_from(h, (node->hash & h->mask) + 1);
}
