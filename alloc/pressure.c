/*
 * pressure.c - the window after a failed request (pressure.h): opened by
 * reclaim.c's node_reclaim_failed(), read by the layers that keep freed
 * memory for reuse, closed by the first reader after it ends. The clock
 * is read only inside a window.
 */
#include "os.h"
#include "pressure.h"

void pressure_start(uint64_t span_ms)
{
	atomic_store_explicit(&heap.pressure_until, os_now_ms() + span_ms, memory_order_relaxed);
}

bool pressure_check(void)
{
	uint64_t until = atomic_load_explicit(&heap.pressure_until, memory_order_relaxed);
	if (!until)
		return false;
	if (os_now_ms() < until)
		return true;
	atomic_compare_exchange_strong(&heap.pressure_until, &until, 0);
	return false;
}
