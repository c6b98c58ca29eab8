/*
 * list.h - doubly linked lists of descriptors: free_area lists of pages,
 * a thread's partial slabs, a class's abandoned slabs. A list is a
 * pointer to its first element; the first element's prev is NULL.
 * Layer 0: one definition, made for struct page and for struct slab.
 */
#ifndef BUDDY_LIST_H
#define BUDDY_LIST_H

#include "types.h"

#define DEFINE_LIST(prefix, type)						\
static inline void prefix##_add(type **head, type *e)			\
{										\
	e->prev = NULL;								\
	e->next = *head;							\
	if (*head)								\
		(*head)->prev = e;						\
	*head = e;								\
}										\
static inline void prefix##_del(type **head, type *e)			\
{										\
	if (e->prev)								\
		e->prev->next = e->next;					\
	else									\
		*head = e->next;						\
	if (e->next)								\
		e->next->prev = e->prev;					\
	e->next = e->prev = NULL;						\
}

DEFINE_LIST(page_list, struct page)
DEFINE_LIST(slab_list, struct slab)

#endif
