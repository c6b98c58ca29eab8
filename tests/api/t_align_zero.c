/*
 * t_align_zero: a request of size 0 with any valid alignment, however
 * large, returns a unique, aligned pointer that free() takes back
 * (DESIGN.md; jemalloc's posix_memalign test asks posix_memalign(&p,
 * 8 MiB, 0)).
 *
 * Proves, for memalign, aligned_alloc and posix_memalign and every power of
 * two alignment from 16 B to 64 MiB, with size 0: success (posix_memalign:
 * 0, and *memptr set); the pointer is aligned as asked; two live results of
 * the same call are different pointers; malloc_usable_size does not fail
 * on them; free takes each back without a report (stderr is checked in a
 * child); and the address space does not grow without bound over 200
 * rounds of the 8 MiB case (the blocks really go back).
 */
#include "../common.h"

enum { MEMALIGN, ALIGNED_ALLOC, POSIX_MEMALIGN, NR_FNS };
static const char *const fn_name[NR_FNS] = {
	"memalign", "aligned_alloc", "posix_memalign",
};

static void *zero_aligned(int fn, size_t a)
{
	void *p = NULL;
	int rc;

	errno = 0;
	switch (fn) {
	case MEMALIGN:
		p = memalign(opaque_size(a), opaque_size(0));
		break;
	case ALIGNED_ALLOC:
		p = aligned_alloc(opaque_size(a), opaque_size(0));
		break;
	default:
		rc = posix_memalign(&p, opaque_size(a), opaque_size(0));
		CHECK(rc == 0, "posix_memalign(&p, %zu, 0) = %d", a, rc);
	}
	CHECK(p != NULL, "%s(%zu, 0) = NULL, errno %d", fn_name[fn], a, errno);
	CHECK((uintptr_t)p % a == 0, "%s(%zu, 0) = %p: not aligned",
	       fn_name[fn], a, p);
	return p;
}

static int all_sizes(void *arg)
{
	(void)arg;
	for (int fn = 0; fn < NR_FNS; fn++) {
		for (size_t a = 16; a <= 64 * MIB; a <<= 1) {
			void *p = zero_aligned(fn, a), *q = zero_aligned(fn, a);

			CHECK(p != q, "%s(%zu, 0) returned %p twice", fn_name[fn],
			       a, p);
			(void)malloc_usable_size(p);
			free(q);
			free(p);
		}
	}
	return 0;
}

static void no_growth(void)
{
	long before = vm_kib();

	for (int i = 0; i < 200; i++) {
		for (int fn = 0; fn < NR_FNS; fn++)
			free(zero_aligned(fn, 8 * MIB));
	}
	CHECK(vm_kib() - before < 256 * 1024, "200 rounds of 8 MiB-aligned "
	       "zero-size blocks grew the address space by %ld KiB",
	       vm_kib() - before);
}

int main(void)
{
	struct child_result r;

	watchdog(120);
	require_buddymalloc();
	run_child(all_sizes, NULL, 60, &r);
	CHECK(r.exited && r.status == 0, "zero-size aligned calls: %s; stderr:"
	       " %s", child_how(&r), r.err);
	CHECK(r.err_len == 0, "zero-size aligned calls printed: %s", r.err);
	no_growth();
	return 0;
}
