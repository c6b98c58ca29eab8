/*
 * malloc_info_xml.c - the probe of tests/check/malloc_info_xml.sh:
 * `malloc_info_xml XMLFILE MIFILE`. Holds 3 mapped chunks (300000 bytes),
 * small objects and page runs, frees some, then writes malloc_info(0, fp)
 * to XMLFILE and mallinfo2's fields ("name=value" a line) to MIFILE, with
 * nothing allocated in between (the XML file's buffer is allocated first).
 * Exit 2 on a bad command line or file, 3 if malloc_info fails.
 */
#include "../../common.h"

static void *chunk[3], *small[400], *run[8];	/* held while reported */

int main(int argc, char **argv)
{
	FILE *xml, *mi;
	struct mallinfo2 m;
	int i;

	if (argc < 3)
		return 2;
	xml = fopen(argv[1], "w");
	mi = fopen(argv[2], "w");
	if (!xml || !mi)
		return 2;
	setvbuf(xml, NULL, _IOFBF, 1 << 16);	/* buffers allocated now */
	fputc(' ', xml);
	fflush(xml);
	for (i = 0; i < 3; i++)
		chunk[i] = opaque_ptr(malloc(300000));
	for (i = 0; i < 400; i++)
		small[i] = opaque_ptr(malloc(16 + i * 5));
	for (i = 0; i < 8; i++)
		run[i] = opaque_ptr(malloc(40000 + i * 4096));
	for (i = 0; i < 400; i += 2)
		free(small[i]);
	for (i = 0; i < 8; i += 2)
		free(run[i]);
	m = mallinfo2();
	if (malloc_info(0, xml) != 0)
		return 3;
	fclose(xml);
	fprintf(mi, "arena=%zu\nordblks=%zu\nsmblks=%zu\nhblks=%zu\nhblkhd=%zu\n"
		"fsmblks=%zu\nuordblks=%zu\nfordblks=%zu\n", m.arena, m.ordblks,
		m.smblks, m.hblks, m.hblkhd, m.fsmblks, m.uordblks, m.fordblks);
	fclose(mi);
	return 0;
}
