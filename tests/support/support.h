/*
 * tests/support/support.h - the test-support library (libtestsupport.a)
 * that every program of tests/ and bench/ links: one random generator
 * (rng.h), one byte-pattern scheme (pattern.h), one reader of the
 * process's size and faults (proc.h) and one CHECK (check.h). Plain libc,
 * never linked with libbuddymalloc: programs get the allocator through
 * LD_PRELOAD, or (unit tests) by linking alloc/ directly.
 */
#ifndef SUPPORT_H
#define SUPPORT_H

#include "check.h"
#include "pattern.h"
#include "proc.h"
#include "rng.h"

#endif
