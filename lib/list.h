/* list.h: an intrusive, circular doubly linked list.
 *
 * An empty list is a head node pointing at itself; elements embed a
 * struct ovs_list.  Like hmap, the list owns nothing but its links. */
#ifndef XSW_LIST_H
#define XSW_LIST_H 1

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct ovs_list {
    struct ovs_list *prev, *next;
};

#define OVS_LIST_INITIALIZER(L) { L, L }

static inline void ovs_list_init(struct ovs_list *l) { l->prev = l->next = l; }
static inline bool ovs_list_is_empty(const struct ovs_list *l) { return l->next == l; }

/* Inserts 'elem' just before 'before'. */
static inline void
ovs_list_insert(struct ovs_list *before, struct ovs_list *elem)
{
    elem->prev = before->prev;
    elem->next = before;
    before->prev->next = elem;
    before->prev = elem;
}

static inline void ovs_list_push_back(struct ovs_list *l, struct ovs_list *e) { ovs_list_insert(l, e); }
static inline void ovs_list_push_front(struct ovs_list *l, struct ovs_list *e) { ovs_list_insert(l->next, e); }

static inline struct ovs_list *
ovs_list_remove(struct ovs_list *elem)
{
    elem->prev->next = elem->next;
    elem->next->prev = elem->prev;
    return elem->next;
}

static inline struct ovs_list *
ovs_list_pop_front(struct ovs_list *l)
{
    struct ovs_list *front = l->next;
    ovs_list_remove(front);
    return front;
}

static inline size_t
ovs_list_size(const struct ovs_list *l)
{
    size_t n = 0;
    for (const struct ovs_list *e = l->next; e != l; e = e->next) {
        n++;
    }
    return n;
}

#define LIST_FOR_EACH(ITER, MEMBER, LIST)                                   \
    for (ITER = OBJECT_CONTAINING((LIST)->next, ITER, MEMBER);              \
         &(ITER)->MEMBER != (LIST);                                         \
         ITER = OBJECT_CONTAINING((ITER)->MEMBER.next, ITER, MEMBER))

#define LIST_FOR_EACH_SAFE(ITER, NEXT, MEMBER, LIST)                        \
    for (ITER = OBJECT_CONTAINING((LIST)->next, ITER, MEMBER);              \
         (&(ITER)->MEMBER != (LIST)                                         \
          ? (NEXT = OBJECT_CONTAINING((ITER)->MEMBER.next, ITER, MEMBER), 1)\
          : 0);                                                             \
         ITER = NEXT)

#define LIST_FOR_EACH_POP(ITER, MEMBER, LIST)                               \
    while (!ovs_list_is_empty(LIST)                                         \
           && (ITER = OBJECT_CONTAINING(ovs_list_pop_front(LIST), ITER,     \
                                        MEMBER), 1))

#endif /* list.h */
