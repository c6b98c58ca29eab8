#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NKEYS 40
static pthread_key_t keys[NKEYS];

static void *thread(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < NKEYS; i++)
		if (pthread_setspecific(keys[i], (void *)(id * 100 + i + 1)))
			exit(3);
	for (int r = 0; r < 1000; r++)
		free(malloc(100 + r));
	for (int i = 0; i < NKEYS; i++)
		if (pthread_getspecific(keys[i]) != (void *)(id * 100 + i + 1))
			exit(4);
	return NULL;
}

int main(void)
{
	pthread_t t[4];
	for (int i = 0; i < NKEYS; i++)
		if (pthread_key_create(&keys[i], NULL))
			return 2;
	for (long i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, thread, (void *)(i + 1)))
			return 2;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	puts("keys: ok");
	return 0;
}
