/*
 * background.h - the background_reclaim thread (background.c). Layer 8,
 * beside alloc.c: over reclaim. Called at start-up, exit and fork only.
 */
#ifndef BUDDY_BACKGROUND_H
#define BUDDY_BACKGROUND_H

void background_start(void);		/* when the option asks; idempotent */
void background_stop(void);		/* ends and joins the thread */
void background_fork_child(void);	/* the thread is gone in a child */

#endif
