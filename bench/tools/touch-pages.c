/*
 * touch-pages - a program whose cost buddystat's test knows in advance.
 *
 *   touch-pages PAGES [CHILDREN]
 *
 * maps PAGES fresh anonymous pages and writes one byte in each, so it takes
 * at least PAGES minor faults and its peak RSS is at least PAGES pages.  With
 * CHILDREN, it first forks that many children which each do the same and
 * waits for them, so a tool that measures the whole process tree must see
 * (CHILDREN + 1) * PAGES faults.  No malloc is involved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int touch(long pages)
{
	long psz = sysconf(_SC_PAGESIZE), i;
	volatile char *p = mmap(NULL, (size_t)(pages * psz), PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("touch-pages: mmap");
		return 1;
	}
	for (i = 0; i < pages; i++)
		p[i * psz] = 1;
	return 0;
}

int main(int argc, char **argv)
{
	long pages, children = 0, i;
	int status, rc = 0;

	if (argc < 2 || argc > 3 || (pages = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: touch-pages PAGES [CHILDREN]\n");
		return 2;
	}
	if (argc == 3)
		children = atol(argv[2]);
	for (i = 0; i < children; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(touch(pages));
		if (pid < 0) {
			perror("touch-pages: fork");
			return 1;
		}
	}
	for (i = 0; i < children; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			rc = 1;
	return touch(pages) | rc;
}
