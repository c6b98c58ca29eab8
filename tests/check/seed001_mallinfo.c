/*
 * seed001_mallinfo.c - the mallinfo example program of seed 001
 * (/work/shared/seeds/001_*.txt, section 3), as printed in the article, with
 * only what the page lost put back so that it compiles:
 *   - the straight quotes (the page has curly ones);
 *   - the '*' of "heap_malloc_total*1024" and its neighbours (the page's
 *     markup ate them);
 *   - the header names of the first #include lines (the page shows bare
 *     "#include"): stdlib.h, stdio.h, string.h, unistd.h and malloc.h.
 * Everything else is the article's, including printing mallinfo's int
 * fields with %lu and returning 1 from main. Used by
 * tests/check/seed_mallinfo.sh.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <malloc.h>



size_t heap_malloc_total, heap_free_total,mmap_total, mmap_count;



void print_info()
{
struct mallinfo mi = mallinfo();
printf("count by itself:\n");
printf("\theap_malloc_total=%lu heap_free_total=%lu heap_in_use=%lu\n\tmmap_total=%lu mmap_count=%lu\n",
heap_malloc_total*1024, heap_free_total*1024, heap_malloc_total*1024-heap_free_total*1024,
mmap_total*1024, mmap_count);
printf("count by mallinfo:\n");
printf("\theap_malloc_total=%lu heap_free_total=%lu heap_in_use=%lu\n\tmmap_total=%lu mmap_count=%lu\n",
mi.arena, mi.fordblks, mi.uordblks,
mi.hblkhd, mi.hblks);
printf("from malloc_stats:\n");
malloc_stats();
}



#define ARRAY_SIZE 200
int main(int argc, char** argv)
{
char** ptr_arr[ARRAY_SIZE];
int i;

for( i = 0; i < ARRAY_SIZE; i++)
{
ptr_arr[i] = malloc(i * 1024);

if ( i < 128) //glibc默认128k以上使用mmap
{
heap_malloc_total += i;
}
else
{
mmap_total += i;
mmap_count++;
}
}

print_info();



for( i = 0; i < ARRAY_SIZE; i++) 
{
if ( i % 2 == 0)
continue;
free(ptr_arr[i]);

if ( i < 128)
{
heap_free_total += i;
}
else
{
mmap_total -= i;
mmap_count--;
}
}
printf("\nafter free\n");
print_info();

return 1; }
