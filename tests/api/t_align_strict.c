/*
 * t_align_strict: alignments that are not a power of two.
 *
 * DESIGN.md (issue 12): aligned_alloc refuses such an alignment with EINVAL
 * (glibc 2.38, C17); memalign rounds it up to the next power of two, as
 * glibc 2.36 does, and refuses only one above SIZE_MAX / 2 + 1 (which
 * cannot be rounded) with EINVAL. This test needs the library itself and
 * fails unless it is preloaded.
 *
 * Proves that aligned_alloc with an alignment that is not a power of two
 * returns NULL with errno EINVAL, for sizes on every path; that memalign
 * with the same alignments returns a block aligned to the next power of
 * two that holds its bytes (or EINVAL past SIZE_MAX / 2 + 1); that
 * aligned_alloc(0, n) fails while memalign(0, n) is malloc(n); and that
 * after all these calls ordinary allocation still works.
 */
#include "../common.h"

int main(void)
{
	static const size_t bad[] = {
		3, 5, 6, 7, 12, 24, 48, 100, 4095, 4097, 3 * 4096,
		((size_t)1 << 20) + 16, ((size_t)1 << 22) + 4096, SIZE_MAX,
		SIZE_MAX - 1, ((size_t)1 << 63) + 1,
	};
	static const size_t sizes[] = { 1, 100, 5000, 50000, 200000 };
	size_t i, s;
	char *p;

	watchdog(60);
	require_buddymalloc();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t a = opaque_size(bad[i]), n = sizes[s];

			errno = 0;
			p = memalign(a, opaque_size(n));
			if (a > SIZE_MAX / 2 + 1) {
				CHECK(p == NULL && errno == EINVAL, "memalign(%zu, "
				       "%zu) = %p errno %d; expected NULL, EINVAL",
				       a, n, (void *)p, errno);
			} else {
				size_t up = (size_t)1 << (64 - __builtin_clzl(a));

				CHECK(p != NULL && (uintptr_t)p % up == 0,
				       "memalign(%zu, %zu) = %p errno %d; expected"
				       " a block aligned to %zu", a, n, (void *)p,
				       errno, up);
				CHECK(malloc_usable_size(p) >= n, "memalign(%zu, "
				       "%zu): usable size %zu", a, n,
				       malloc_usable_size(p));
				pattern_fill(p, n, a ^ n);
				CHECK_PATTERN(p, n, a ^ n, "memalign(odd a, n) block");
				free(p);
			}
			errno = 0;
			p = aligned_alloc(a, opaque_size(n));
			CHECK(p == NULL && errno == EINVAL, "aligned_alloc(%zu, "
			       "%zu) = %p errno %d; expected NULL, EINVAL", a, n,
			       (void *)p, errno);
		}
	}
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];

		errno = 0;
		p = aligned_alloc(opaque_size(0), opaque_size(n));
		CHECK(p == NULL && errno == EINVAL, "aligned_alloc(0, %zu) = %p "
		       "errno %d; expected NULL, EINVAL", n, (void *)p, errno);
		p = memalign(opaque_size(0), opaque_size(n));
		CHECK(p != NULL && (uintptr_t)p % 16 == 0, "memalign(0, %zu) = "
		       "%p; expected a block like malloc's", n, (void *)p);
		pattern_fill(p, n, n);
		CHECK_PATTERN(p, n, n, "memalign(0, n) block");
		free(p);
		p = malloc(opaque_size(n));
		CHECK(p != NULL, "malloc(%zu) failed after refused alignments",
		       n);
		free(p);
	}
	return 0;
}
