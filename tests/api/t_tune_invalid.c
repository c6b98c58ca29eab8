/*
 * t_tune_invalid: what an invalid or double free does, as set at run time
 * with mallopt (M_BUDDY_INVALID_FREE, and glibc's M_CHECK_ACTION, whose
 * bit 1 means abort). t_invalid_free covers the cases themselves and the
 * environment; this one covers the knob. Needs the library itself.
 *
 * Each case runs in a forked child, stderr captured. Proves that
 *  - by default a double free of a slab object writes one line and the
 *    child dies of SIGABRT;
 *  - after mallopt(M_BUDDY_INVALID_FREE, 1) (warn): a double free of a
 *    slab object, of a page run and of a mapped chunk, and a free of a stack
 *    address, each write exactly one line naming "double free" / "invalid
 *    pointer" and the address (then only the call's stack), free returns,
 *    and malloc still works;
 *  - after mallopt(M_BUDDY_INVALID_FREE, 1) then (..., 0): abort again;
 *  - mallopt(M_CHECK_ACTION, 1): warn; mallopt(M_CHECK_ACTION, 3): abort.
 */
#include "../common.h"
#include "tune_util.h"

static int setting;	/* 0 default, 1 warn, 2 warn then abort, 3 CA 1, 4 CA 3 */

static void set_mode(void)
{
	switch (setting) {
	case 1:
		CHECK(mallopt(M_BUDDY_INVALID_FREE, 1) == 1);
		break;
	case 2:
		CHECK(mallopt(M_BUDDY_INVALID_FREE, 1) == 1);
		CHECK(mallopt(M_BUDDY_INVALID_FREE, 0) == 1);
		break;
	case 3:
		CHECK(mallopt(M_CHECK_ACTION, 1) == 1);
		break;
	case 4:
		CHECK(mallopt(M_CHECK_ACTION, 3) == 1);
		break;
	}
}

static int double_free(void *arg)
{
	size_t n = *(size_t *)arg;
	void *p, *q;

	set_mode();
	p = malloc(opaque_size(n));
	q = malloc(opaque_size(n));	/* keeps the slab / pins the break */
	if (!p || !q)
		return 10;
	void *again = opaque_ptr(p);

	free(p);
	free(again);
	/* still working */
	for (int i = 0; i < 100; i++) {
		void *r = malloc(opaque_size(n));
		if (!r)
			return 11;
		memset(r, 1, n);
		free(r);
	}
	free(q);
	return 0;
}

static int stack_free(void *arg)
{
	char buf[64];

	(void)arg;
	set_mode();
	free(opaque_ptr(buf + 16));
	return 0;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void expect(const char *what, int (*fn)(void *), size_t n, int aborts,
		   const char *word)
{
	struct child_result r;
	char line[256];
	const char *first;

	run_child(fn, &n, 20, &r);
	printf("%-52s %s; stderr: %s", what, child_how(&r),
	       r.err_len ? r.err : "(empty)\n");
	if (aborts)
		CHECK(!r.exited && r.signo == SIGABRT, "%s: the child ended with "
		       "%s, expected SIGABRT", what, child_how(&r));
	else
		CHECK(r.exited && r.status == 0, "%s: the child ended with %s, "
		       "expected exit 0 (warn only)", what, child_how(&r));
	first = strchr(r.err, '\n');
	snprintf(line, sizeof(line), "%.*s", first ? (int)(first - r.err + 1) : 0, r.err);
	CHECK(count_lines(line) == 1 && strstr(line, word) && strstr(line, "buddymalloc") &&
	       report_is(r.err, line), "%s: expected exactly one line with \"%s\" "
	       "and the call's stack on stderr, got: %s", what, word, r.err);
}

int main(void)
{
	static const size_t slab = 48, run = 64 * KIB, chunk = 300 * KIB;

	setvbuf(stdout, NULL, _IONBF, 0);	/* nothing lost if a check fails */

	require_buddymalloc();
	setting = 0;
	expect("default, double free of a slab object", double_free, slab, 1,
	       "double free");
	setting = 1;
	expect("invalid_free=warn, double free of a slab object", double_free,
	       slab, 0, "double free");
	expect("invalid_free=warn, double free of a page run", double_free, run,
	       0, "double free");
	expect("invalid_free=warn, double free of a mapped chunk", double_free,
	       chunk, 0, "double free");
	expect("invalid_free=warn, free of a stack address", stack_free, 0, 0,
	       "invalid pointer");
	setting = 2;
	expect("invalid_free=warn then abort, double free", double_free, slab,
	       1, "double free");
	setting = 3;
	expect("M_CHECK_ACTION 1, double free", double_free, slab, 0,
	       "double free");
	setting = 4;
	expect("M_CHECK_ACTION 3, double free", double_free, slab, 1,
	       "double free");
	printf("invalid_free as expected\n");
	return 0;
}
