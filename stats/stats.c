/*
 * stats.c - what the heap looks like: one snapshot of the whole node,
 * read under each zone's lock in turn and from every thread's plain
 * counters (racy while other threads run, exact once they are quiet),
 * and the four views made from it: mallinfo2, malloc_stats (glibc's
 * lines, then /proc/buddyinfo- and /proc/slabinfo-like tables),
 * malloc_info's XML, and the JSON dump. Every view is formatted with
 * report.c's writer; nothing here calls printf or allocates.
 *
 * Lock: each zone's lock, one at a time, only while copying its counts.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "../alloc/internal.h"
#include "stats.h"

void stats_snapshot(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < NR_ZONES; i++) {
		struct zone *z = &node.zones[i];
		struct zone_snap *zs = &s->zone[i];
		lock_acquire(&z->lock);
		zs->managed = z->managed_pages;
		zs->max_managed = z->max_managed;
		zs->free = z->free_pages;
		zs->dirty = z->free_dirty;
		for (int o = 0; o < MAX_ORDER; o++)
			zs->nr_free[o] = z->free_area[o].nr_free;
		if (i == ZONE_BRK)
			s->keepcost = __brk_keepcost(z);
		lock_release(&z->lock);
	}
	for (struct tcache *t = atomic_load(&tcache_registry); t; t = atomic_load(&t->next)) {
		const struct thread_counters *c = &t->stat;
#define X(name, doc) s->sum.name += c->name;
		THREAD_COUNTERS(X)
#undef X
		for (int k = 0; k < NR_CLASSES; k++) {
			s->sum.nmalloc[k] += c->nmalloc[k];
			s->sum.nfree[k] += c->nfree[k];
			s->sum.slabs[k] += c->slabs[k];
		}
		for (int zi = 0; zi < NR_ZONES; zi++)
			s->pcp_pages += t->pcp[zi].count;
		s->tcaches++;
		s->threads += atomic_load_explicit(&t->in_use, memory_order_relaxed) != 0;
	}
	for (int k = 0; k < NR_CLASSES; k++) {
		/* frees by threads without a cache (slab.c) */
		s->sum.nfree[k] += atomic_load_explicit(&slab_orphan_nfree[k], memory_order_relaxed);
		int64_t used = s->sum.nmalloc[k] - s->sum.nfree[k];
		s->class_used[k] = used > 0 ? (size_t)used : 0;
		s->class_slabs[k] = s->sum.slabs[k] > 0 ? (size_t)s->sum.slabs[k] : 0;
		size_t total = s->class_slabs[k] * sc_table[k].capacity;
		s->slab_used_bytes += s->class_used[k] * sc_table[k].size;
		s->slab_free_objs += total > s->class_used[k] ? total - s->class_used[k] : 0;
		s->slab_free_bytes += (total > s->class_used[k] ? total - s->class_used[k] : 0) * sc_table[k].size;
	}
#define X(name, doc) s->runs.name = atomic_load_explicit(&run_stat.name, memory_order_relaxed);
	RUN_COUNTERS(X)
#undef X
	s->run_bytes = s->runs.run_pages > 0 ? (size_t)s->runs.run_pages << PAGE_SHIFT : 0;
	large_stats(&s->large);
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		s->minflt = (size_t)ru.ru_minflt;
		s->majflt = (size_t)ru.ru_majflt;
	}
}

static size_t arena_bytes(const struct snapshot *s)
{
	return (s->zone[ZONE_BRK].managed + s->zone[ZONE_MMAP].managed) << PAGE_SHIFT;
}

static size_t in_use_bytes(const struct snapshot *s)
{
	size_t u = s->slab_used_bytes + s->run_bytes, a = arena_bytes(s);
	return u < a ? u : a;
}

struct mallinfo2 stats_mallinfo2(void)
{
	struct snapshot s;
	struct mallinfo2 mi = { 0 };
	stats_snapshot(&s);
	mi.arena = arena_bytes(&s);
	for (int i = 0; i < NR_ZONES; i++)
		for (int o = 0; o < MAX_ORDER; o++)
			mi.ordblks += s.zone[i].nr_free[o];
	mi.ordblks += s.large.cached;
	mi.smblks = s.slab_free_objs;
	mi.hblks = s.large.nr;
	mi.hblkhd = s.large.bytes;
	mi.usmblks = ((s.zone[ZONE_BRK].max_managed + s.zone[ZONE_MMAP].max_managed) << PAGE_SHIFT) +
		     s.large.max_bytes;
	mi.fsmblks = s.slab_free_bytes;
	mi.uordblks = in_use_bytes(&s);
	mi.fordblks = mi.arena - mi.uordblks;
	mi.keepcost = s.keepcost;
	return mi;
}

/* v right-aligned in `width` columns. */
static void num_w(struct out *o, size_t v, size_t width)
{
	char num[24];
	size_t n = fmt_u64(num, v, false);
	for (size_t i = n; i < width; i++)
		out_str(o, " ");
	out_mem(o, num, n);
}

/* "name = value" with glibc's column layout. */
static void line(struct out *o, const char *name, size_t v)
{
	out_str(o, name);
	num_w(o, v, 10);
	out_str(o, "\n");
}

static void stats_text(struct out *o, const struct snapshot *s)
{
	size_t arena = arena_bytes(s), used = in_use_bytes(s);
	out_str(o, "Arena 0:\n");
	line(o, "system bytes     = ", arena);
	line(o, "in use bytes     = ", used);
	out_str(o, "Total (incl. mmap):\n");
	line(o, "system bytes     = ", arena + s->large.bytes);
	line(o, "in use bytes     = ", used + s->large.bytes);
	line(o, "max mmap regions = ", s->large.max_nr);
	line(o, "max mmap bytes   = ", s->large.max_bytes);

	out_str(o, "libbuddymalloc: free blocks per order (like /proc/buddyinfo)\n");
	for (int i = 0; i < NR_ZONES; i++) {
		out_str(o, "Node 0, zone ");
		for (size_t pad = strlen(node.zones[i].name); pad < 8; pad++)
			out_str(o, " ");
		out_str(o, node.zones[i].name);
		for (int k = 0; k < MAX_ORDER; k++)
			num_w(o, s->zone[i].nr_free[k], 7);
		out_str(o, "\n");
	}
	for (int i = 0; i < NR_ZONES; i++) {
		out_str(o, "zone ");
		out_str(o, node.zones[i].name);
		out_str(o, ": pages managed ");
		out_u64(o, s->zone[i].managed);
		out_str(o, ", free ");
		out_u64(o, s->zone[i].free);
		out_str(o, " (resident ");
		out_u64(o, s->zone[i].dirty);
		out_str(o, "), watermarks min/low/high ");
		out_u64(o, opt.wmark_min >> PAGE_SHIFT);
		out_str(o, "/");
		out_u64(o, opt.wmark_low >> PAGE_SHIFT);
		out_str(o, "/");
		out_u64(o, opt.wmark_high >> PAGE_SHIFT);
		out_str(o, " pages\n");
	}
	out_str(o, "libbuddymalloc: slabs (like /proc/slabinfo)\n");
	out_str(o, "# name      <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> <slabs>\n");
	for (int k = 0; k < NR_CLASSES; k++) {
		if (!s->class_slabs[k] && !s->class_used[k])
			continue;
		out_str(o, "size-");
		out_u64(o, sc_table[k].size);
		out_pad(o, 14);
		out_u64(o, s->class_used[k]);
		out_pad(o, 28);
		out_u64(o, s->class_slabs[k] * sc_table[k].capacity);
		out_pad(o, 40);
		out_u64(o, sc_table[k].size);
		out_pad(o, 50);
		out_u64(o, sc_table[k].capacity);
		out_pad(o, 58);
		out_u64(o, (size_t)1 << sc_table[k].order);
		out_pad(o, 66);
		out_u64(o, s->class_slabs[k]);
		out_str(o, "\n");
	}
	out_str(o, "libbuddymalloc: page caches: ");
	out_u64(o, s->pcp_pages);
	out_str(o, " pages in ");
	out_u64(o, s->threads);
	out_str(o, " threads (high ");
	out_u64(o, opt.pcp_high);
	out_str(o, ", batch ");
	out_u64(o, opt.pcp_batch);
	out_str(o, "); mapped chunks: ");
	out_u64(o, s->large.nr);
	out_str(o, " live, ");
	out_u64(o, s->large.cached);
	out_str(o, " cached (");
	out_u64(o, s->large.cached_bytes);
	out_str(o, " bytes); keepcost ");
	out_u64(o, s->keepcost);
	out_str(o, "\nlibbuddymalloc: events:");
#define X(name, doc) out_str(o, " " #name " "); out_i64(o, s->sum.name);
	THREAD_COUNTERS(X)
#undef X
#define X(name, doc) out_str(o, " " #name " "); out_i64(o, s->runs.name);
	RUN_COUNTERS(X)
#undef X
	out_str(o, "\nlibbuddymalloc: faults: minflt ");
	out_u64(o, s->minflt);
	out_str(o, " majflt ");
	out_u64(o, s->majflt);
	out_str(o, "\n");
}

void stats_print(struct out *o)
{
	struct snapshot s;
	stats_snapshot(&s);
	stats_text(o, &s);
	out_flush(o);
}

static void xml_size(struct out *o, size_t from, size_t to, size_t count)
{
	out_str(o, "<size from=\"");
	out_u64(o, from);
	out_str(o, "\" to=\"");
	out_u64(o, to);
	out_str(o, "\" total=\"");
	out_u64(o, to * count);
	out_str(o, "\" count=\"");
	out_u64(o, count);
	out_str(o, "\"/>\n");
}

static void xml_total(struct out *o, const char *tag, const char *type, size_t count, size_t size, bool with_count)
{
	out_str(o, "<");
	out_str(o, tag);
	out_str(o, " type=\"");
	out_str(o, type);
	if (with_count) {
		out_str(o, "\" count=\"");
		out_u64(o, count);
	}
	out_str(o, "\" size=\"");
	out_u64(o, size);
	out_str(o, "\"/>\n");
}

/* glibc's shape: one <heap> per zone, then the totals. */
void stats_xml(struct out *o)
{
	struct snapshot s;
	size_t free_blocks = 0, free_bytes = 0;
	stats_snapshot(&s);
	out_str(o, "<malloc version=\"1\">\n");
	for (int i = 0; i < NR_ZONES; i++) {
		size_t n = 0, bytes = 0;
		out_str(o, "<heap nr=\"");
		out_u64(o, (uint64_t)i);
		out_str(o, "\">\n<sizes>\n");
		if (i == 0)
			for (int k = 0; k < NR_CLASSES; k++) {
				size_t total = s.class_slabs[k] * sc_table[k].capacity;
				if (total > s.class_used[k])
					xml_size(o, k ? sc_table[k - 1].size + 1 : 1, sc_table[k].size,
						 total - s.class_used[k]);
			}
		for (int k = 0; k < MAX_ORDER; k++) {
			if (!s.zone[i].nr_free[k])
				continue;
			xml_size(o, ((PAGE_SIZE << k) >> 1) + 1, PAGE_SIZE << k, s.zone[i].nr_free[k]);
			n += s.zone[i].nr_free[k];
			bytes += s.zone[i].nr_free[k] * (PAGE_SIZE << k);
		}
		out_str(o, "</sizes>\n");
		xml_total(o, "total", "fast", i ? 0 : s.slab_free_objs, i ? 0 : s.slab_free_bytes, true);
		xml_total(o, "total", "rest", n, bytes, true);
		xml_total(o, "system", "current", 0, s.zone[i].managed << PAGE_SHIFT, false);
		xml_total(o, "system", "max", 0, s.zone[i].max_managed << PAGE_SHIFT, false);
		xml_total(o, "aspace", "total", 0, s.zone[i].managed << PAGE_SHIFT, false);
		xml_total(o, "aspace", "mprotect", 0, s.zone[i].managed << PAGE_SHIFT, false);
		out_str(o, "</heap>\n");
		free_blocks += n;
		free_bytes += bytes;
	}
	xml_total(o, "total", "fast", s.slab_free_objs, s.slab_free_bytes, true);
	xml_total(o, "total", "rest", free_blocks, free_bytes, true);
	xml_total(o, "total", "mmap", s.large.nr, s.large.bytes, true);
	/* as glibc: the heaps (our zones); mapped chunks are in "mmap" above */
	xml_total(o, "system", "current", 0, arena_bytes(&s), false);
	xml_total(o, "system", "max", 0, (s.zone[0].max_managed + s.zone[1].max_managed) << PAGE_SHIFT, false);
	xml_total(o, "aspace", "total", 0, arena_bytes(&s), false);
	xml_total(o, "aspace", "mprotect", 0, arena_bytes(&s), false);
	out_str(o, "</malloc>\n");
	out_flush(o);
}

static void json_key(struct out *o, const char *k, bool *first)
{
	out_str(o, *first ? "\"" : ", \"");
	out_str(o, k);
	out_str(o, "\": ");
	*first = false;
}

static void json_num(struct out *o, const char *k, int64_t v, bool *first)
{
	json_key(o, k, first);
	out_i64(o, v);
}

void stats_json(struct out *o)
{
	struct snapshot s;
	struct mallinfo2 mi = stats_mallinfo2();
	bool first = true;
	stats_snapshot(&s);
	out_str(o, "{\"mallinfo2\": {");
#define F(f) json_num(o, #f, (int64_t)mi.f, &first);
	F(arena) F(ordblks) F(smblks) F(hblks) F(hblkhd) F(usmblks) F(fsmblks) F(uordblks) F(fordblks) F(keepcost)
#undef F
	out_str(o, "}, \"zones\": [");
	for (int i = 0; i < NR_ZONES; i++) {
		first = true;
		out_str(o, i ? ", {" : "{");
		json_key(o, "name", &first);
		out_str(o, "\"");
		out_str(o, node.zones[i].name);
		out_str(o, "\"");
		json_num(o, "managed_pages", (int64_t)s.zone[i].managed, &first);
		json_num(o, "free_pages", (int64_t)s.zone[i].free, &first);
		json_num(o, "resident_free_pages", (int64_t)s.zone[i].dirty, &first);
		json_key(o, "nr_free", &first);
		for (int k = 0; k < MAX_ORDER; k++) {
			out_str(o, k ? ", " : "[");
			out_u64(o, s.zone[i].nr_free[k]);
		}
		out_str(o, "]}");
	}
	out_str(o, "], \"classes\": [");
	bool any = false;
	for (int k = 0; k < NR_CLASSES; k++) {
		if (!s.class_slabs[k] && !s.class_used[k])
			continue;
		first = true;
		out_str(o, any ? ", {" : "{");
		any = true;
		json_num(o, "size", sc_table[k].size, &first);
		json_num(o, "active_objs", (int64_t)s.class_used[k], &first);
		json_num(o, "num_objs", (int64_t)(s.class_slabs[k] * sc_table[k].capacity), &first);
		json_num(o, "objperslab", sc_table[k].capacity, &first);
		json_num(o, "pagesperslab", 1 << sc_table[k].order, &first);
		json_num(o, "slabs", (int64_t)s.class_slabs[k], &first);
		out_str(o, "}");
	}
	first = true;
	out_str(o, "], \"chunks\": {");
	json_num(o, "live", (int64_t)s.large.nr, &first);
	json_num(o, "live_bytes", (int64_t)s.large.bytes, &first);
	json_num(o, "cached", (int64_t)s.large.cached, &first);
	json_num(o, "cached_bytes", (int64_t)s.large.cached_bytes, &first);
	json_num(o, "max_regions", (int64_t)s.large.max_nr, &first);
	json_num(o, "max_bytes", (int64_t)s.large.max_bytes, &first);
	first = true;
	out_str(o, "}, \"events\": {");
#define X(name, doc) json_num(o, #name, s.sum.name, &first);
	THREAD_COUNTERS(X)
#undef X
#define X(name, doc) json_num(o, #name, s.runs.name, &first);
	RUN_COUNTERS(X)
#undef X
	first = true;
	out_str(o, "}, \"threads\": {");
	json_num(o, "live", (int64_t)s.threads, &first);
	json_num(o, "caches", (int64_t)s.tcaches, &first);
	json_num(o, "page_cache_pages", (int64_t)s.pcp_pages, &first);
	first = true;
	out_str(o, "}, \"faults\": {");
	json_num(o, "minflt", (int64_t)s.minflt, &first);
	json_num(o, "majflt", (int64_t)s.majflt, &first);
	out_str(o, "}}\n");
	out_flush(o);
}
