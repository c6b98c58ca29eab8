/*
 * s_handoff: producer/consumer pipelines of small objects.
 *
 * Two producers allocate small objects (a few slab classes, some of them
 * page-sized) as fast as they can and pass each one, through a lock-free
 * single-producer single-consumer ring, to a consumer thread that checks
 * and frees it at once. So nearly every free is a remote free into a slab
 * its owner is still filling: the frees race with the owner retiring its
 * full slabs, taking them back, and reusing the objects.
 * Proves that
 *  - every object arrives intact (every byte checked) and is freed without
 *    complaint: a valid remote free must never be reported as a double free
 *    or an invalid pointer, whatever the owner does at the same moment;
 *  - no object is handed out twice while live (each carries its own serial
 *    number, checked by the consumer);
 *  - after the producers exit, the consumers can still free their objects.
 */
#include "../common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#define NPAIRS 2
#define PER_PRODUCER 3000000
#define RING 1024		/* a power of two */
#define SALT 0x4a4au

struct ring {
	_Alignas(64) atomic_ulong head;	/* written by the producer */
	_Alignas(64) atomic_ulong tail;	/* written by the consumer */
	char *slot[RING];
	unsigned id;
};

static struct ring rings[NPAIRS];

static const size_t sizes[] = { 16, 24, 48, 64, 100, 256, 1000, 4096 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void *producer(void *arg)
{
	struct ring *q = arg;
	unsigned long i, head = 0;

	for (i = 0; i < PER_PRODUCER; i++) {
		size_t n = sizes[i % NSIZES];
		char *p = malloc(n);

		CHECK(p != NULL, "producer %u: malloc(%zu) failed", q->id, n);
		/* salted with the serial number, which the consumer knows */
		block_fill(p, n, SALT ^ i);
		while (head - atomic_load_explicit(&q->tail,
						   memory_order_acquire) == RING)
			sched_yield();	/* full */
		q->slot[head % RING] = p;
		atomic_store_explicit(&q->head, ++head, memory_order_release);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct ring *q = arg;
	unsigned long tail = 0;

	while (tail < PER_PRODUCER) {
		char *p;
		size_t n;

		while (atomic_load_explicit(&q->head, memory_order_acquire) ==
		       tail)
			sched_yield();	/* empty */
		p = q->slot[tail % RING];
		n = block_check(p, SALT ^ tail, 4096);
		CHECK(n == sizes[tail % NSIZES], "object %lu of producer %u "
		       "has size %zu, expected %zu", tail, q->id, n,
		       sizes[tail % NSIZES]);
		free(p);
		atomic_store_explicit(&q->tail, ++tail, memory_order_release);
	}
	return NULL;
}

int main(void)
{
	pthread_t prod[NPAIRS], cons[NPAIRS];
	unsigned i;

	watchdog(120);
	for (i = 0; i < NPAIRS; i++) {
		rings[i].id = i;
		CHECK(pthread_create(&cons[i], NULL, consumer, &rings[i]) == 0);
		CHECK(pthread_create(&prod[i], NULL, producer, &rings[i]) == 0);
	}
	for (i = 0; i < NPAIRS; i++) {
		CHECK(pthread_join(prod[i], NULL) == 0);
		CHECK(pthread_join(cons[i], NULL) == 0);
	}
	return 0;
}
