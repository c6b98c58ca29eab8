#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile int stop;

static void *work(void *arg)
{
	unsigned seed = (unsigned)(long)arg;
	unsigned char *keep[256] = { 0 };
	size_t len[256] = { 0 };
	while (!stop) {
		int k = rand_r(&seed) & 255;
		if (keep[k]) {
			for (size_t i = 0; i < len[k]; i++)
				if (keep[k][i] != (unsigned char)(k ^ i))
					exit(5);
			free(keep[k]);
		}
		len[k] = 16 + (rand_r(&seed) % 20000);
		keep[k] = malloc(len[k]);
		for (size_t i = 0; i < len[k]; i++)
			keep[k][i] = (unsigned char)(k ^ i);
	}
	for (int k = 0; k < 256; k++)
		free(keep[k]);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[4];
	int n = strcmp(argv[1], "signals") == 0 ? 4 : 3;
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, work, (void *)(i + 1)))
			return 2;
	for (int r = 0; r < 300 && n == 3; r++) {
		void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
		char *(*fn)(size_t) = h ? (char *(*)(size_t))dlsym(h, "plug_alloc") : NULL;
		char *p = fn ? fn(1000 + (size_t)r) : NULL;
		if (!p || p[999] != 0x5a)
			return 6;
		free(p);
		dlclose(h);
	}
	for (int r = 0; r < 200 && n == 4; r++) {
		kill(getpid(), SIGUSR2);
		usleep(2000);
	}
	stop = 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	puts("load: ok");
	return 0;
}
