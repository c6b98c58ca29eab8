#include <stdlib.h>
#include <string.h>
char *plug_alloc(size_t n)
{
	char *p = malloc(n);
	if (p)
		memset(p, 0x5a, n);
	return p;
}
