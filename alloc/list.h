/*
 * list.h - the doubly linked lists of page descriptors (free_area lists,
 * a thread's partial slabs, a class's abandoned slabs). A list is a
 * pointer to its first page; the first page's prev is NULL.
 */
#ifndef BUDDY_LIST_H
#define BUDDY_LIST_H

#include "types.h"

static inline void page_list_add(struct page **head, struct page *pg)
{
	pg->prev = NULL;
	pg->next = *head;
	if (*head)
		(*head)->prev = pg;
	*head = pg;
}

static inline void page_list_del(struct page **head, struct page *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		*head = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
}

#endif
