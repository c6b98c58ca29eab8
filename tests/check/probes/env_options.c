/*
 * env_options.c - the probe of tests/check/env_options.sh: shows in
 * behaviour what the environment set. Prints, one "key=value" a line:
 *   chunk300k  how many mapped chunks (mallinfo2 hblks) a 300 KiB block added
 *   chunk1m    the same for a 1 MiB block
 *   newbyte    a byte in the middle of a new 1000-byte block (perturb)
 * With argument "mallopt" it first sets M_MMAP_THRESHOLD to 1 MiB at run
 * time (exit 3 if mallopt refuses). Writes nothing on stderr.
 */
#include "../../common.h"

int main(int argc, char **argv)
{
	struct mallinfo2 a, b;
	unsigned char *p, *q, *r;

	if (argc > 1 && strcmp(argv[1], "mallopt") == 0 &&
	    mallopt(M_MMAP_THRESHOLD, 1 << 20) != 1)
		return 3;
	a = mallinfo2();
	p = opaque_ptr(malloc(300 * KIB));
	b = mallinfo2();
	printf("chunk300k=%zu\n", b.hblks - a.hblks);
	a = b;
	q = opaque_ptr(malloc(MIB));
	b = mallinfo2();
	printf("chunk1m=%zu\n", b.hblks - a.hblks);
	r = opaque_ptr(malloc(1000));
	printf("newbyte=%d\n", r[500]);
	free(p);
	free(q);
	free(r);
	return 0;
}
