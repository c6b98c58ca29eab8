/*
 * t_align_strict: alignments that are not a power of two are refused.
 *
 * glibc 2.36 rounds such an alignment up for memalign and aligned_alloc;
 * libbuddymalloc refuses it (as newer glibc does for aligned_alloc), so this
 * test needs the library itself and fails unless it is preloaded.
 *
 * Proves that memalign and aligned_alloc with an alignment that is not a
 * power of two return NULL with errno EINVAL, for sizes on every path; that
 * aligned_alloc(0, n) fails the same way while memalign(0, n) is malloc(n);
 * and that after all these refusals ordinary allocation still works.
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
			CHECK(p == NULL && errno == EINVAL, "memalign(%zu, %zu)"
			       " = %p errno %d; expected NULL, EINVAL", a, n,
			       (void *)p, errno);
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
