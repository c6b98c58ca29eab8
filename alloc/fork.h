/*
 * fork.h - the child side of fork (fork.c). Layer 7, over reclaim: walks the whole heap; alloc.c installs it.
 */
#ifndef BUDDY_FORK_H
#define BUDDY_FORK_H

void fork_child(void);

#endif
