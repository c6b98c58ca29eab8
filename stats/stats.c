/*
 * stats.c - what the heap looks like: one snapshot, taken through each
 * module's own snapshot function (zone_snapshot under each zone's lock in
 * turn, tcache_sum over every thread's plain counters: racy while other
 * threads run, exact once they are quiet), and the views made from it:
 * mallinfo2, malloc_stats (glibc's lines, then /proc/buddyinfo- and
 * /proc/slabinfo-like tables, then every figure of STAT_LIST), malloc_info's
 * XML, and the JSON dump. Every view takes one snapshot and formats it
 * with report.c's writer; nothing here calls printf or allocates.
 *
 * Lock: none of its own; each zone's lock, one at a time, inside zone_snapshot.
 */
#include <string.h>
#include <sys/resource.h>

#include "../alloc/large.h"
#include "../alloc/os.h"
#include "../alloc/sizeclass.h"
#include "../alloc/tcache.h"
#include "stats.h"

const struct stat_def stat_table[NR_STATS] = {
#define X(name, kind, doc) { #name, kind, doc },
	STAT_LIST(X)
#undef X
};

static void snap_classes(struct snapshot *s, const struct tcache_snap *t)
{
	int64_t free_objs = 0, free_bytes = 0, used_bytes = 0;
	for (unsigned k = 0; k < NR_CLASSES; k++) {
		int64_t used = t->sum.nmalloc[k] - t->sum.nfree[k] - slab_orphan_frees(k);
		s->class_used[k] = used > 0 ? (size_t)used : 0;
		s->class_slabs[k] = t->sum.slabs[k] > 0 ? (size_t)t->sum.slabs[k] : 0;
		s->class_slow[k] = (size_t)t->sum.nslow[k];
		size_t total = s->class_slabs[k] * sc_table[k].capacity;
		size_t avail = total > s->class_used[k] ? total - s->class_used[k] : 0;
		used_bytes += (int64_t)(s->class_used[k] * sc_table[k].size);
		free_objs += (int64_t)avail;
		free_bytes += (int64_t)(avail * sc_table[k].size);
	}
	s->cur[STAT_slab_free_objs] = free_objs;
	s->cur[STAT_slab_free_bytes] = free_bytes;
	s->cur[STAT_in_use_bytes] = used_bytes;		/* runs added by the caller */
}

void stats_snapshot(struct snapshot *s)
{
	struct tcache_snap t;
	struct large_stats ls;
	int64_t runs[NR_RUN_COUNTERS], sys[NR_OS_COUNTERS];
	struct rusage ru;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < NR_ZONES; i++) {
		struct zone_snap *zs = &s->zone[i];
		zone_snapshot((enum zone_type)i, zs);
		s->cur[STAT_arena_bytes] += (int64_t)(zs->managed << PAGE_SHIFT);
		s->peak[STAT_arena_bytes] += (int64_t)(zs->max_managed << PAGE_SHIFT);
		s->cur[STAT_keepcost] += (int64_t)zs->keepcost;
		for (int o = 0; o < MAX_ORDER; o++)
			s->cur[STAT_free_blocks] += (int64_t)zs->nr_free[o];
	}
	tcache_sum(&t);
#define X(name, kind, doc) s->cur[STAT_##name] = t.sum.name;
	THREAD_COUNTERS(X)
#undef X
	s->cur[STAT_pcp_pages] = (int64_t)t.pcp_pages;
	s->cur[STAT_threads] = (int64_t)t.threads;
	s->cur[STAT_tcaches] = (int64_t)t.tcaches;
	snap_classes(s, &t);
	zone_run_counters(runs);
#define X(name, kind, doc) s->cur[STAT_##name] = runs[RUN_##name];
	RUN_COUNTERS(X)
#undef X
	os_counters(sys);
#define X(name, kind, doc) s->cur[STAT_##name] = sys[OS_##name];
	OS_COUNTERS(X)
#undef X
	if (runs[RUN_run_pages] > 0)
		s->cur[STAT_in_use_bytes] += runs[RUN_run_pages] << PAGE_SHIFT;
	if (s->cur[STAT_in_use_bytes] > s->cur[STAT_arena_bytes])
		s->cur[STAT_in_use_bytes] = s->cur[STAT_arena_bytes];
	large_stats(&ls);
	s->cur[STAT_chunks] = (int64_t)ls.nr;
	s->peak[STAT_chunks] = (int64_t)ls.max_nr;
	s->cur[STAT_chunk_bytes] = (int64_t)ls.bytes;
	s->peak[STAT_chunk_bytes] = (int64_t)ls.max_bytes;
	s->cur[STAT_cached_chunks] = (int64_t)ls.cached;
	s->cur[STAT_cached_chunk_bytes] = (int64_t)ls.cached_bytes;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		s->cur[STAT_minflt] = ru.ru_minflt;
		s->cur[STAT_majflt] = ru.ru_majflt;
	}
}

static size_t val(const struct snapshot *s, enum stat_id id)
{
	return s->cur[id] > 0 ? (size_t)s->cur[id] : 0;
}

struct mallinfo2 stats_mallinfo2(const struct snapshot *s)
{
	struct mallinfo2 mi = { 0 };
	mi.arena = val(s, STAT_arena_bytes);
	mi.ordblks = val(s, STAT_free_blocks) + val(s, STAT_cached_chunks);
	mi.smblks = val(s, STAT_slab_free_objs);
	mi.hblks = val(s, STAT_chunks);
	mi.hblkhd = val(s, STAT_chunk_bytes);
	mi.usmblks = (size_t)(s->peak[STAT_arena_bytes] + s->peak[STAT_chunk_bytes]);
	mi.fsmblks = val(s, STAT_slab_free_bytes);
	mi.uordblks = val(s, STAT_in_use_bytes);
	mi.fordblks = mi.arena - mi.uordblks;
	mi.keepcost = val(s, STAT_keepcost);
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
	size_t arena = val(s, STAT_arena_bytes), used = val(s, STAT_in_use_bytes);
	size_t mapped = val(s, STAT_chunk_bytes);
	out_str(o, "Arena 0:\n");
	line(o, "system bytes     = ", arena);
	line(o, "in use bytes     = ", used);
	out_str(o, "Total (incl. mmap):\n");
	line(o, "system bytes     = ", arena + mapped);
	line(o, "in use bytes     = ", used + mapped);
	line(o, "max mmap regions = ", (size_t)s->peak[STAT_chunks]);
	line(o, "max mmap bytes   = ", (size_t)s->peak[STAT_chunk_bytes]);

	out_str(o, "libbuddymalloc: free blocks per order (like /proc/buddyinfo)\n");
	for (int i = 0; i < NR_ZONES; i++) {
		const char *name = s->zone[i].name;
		out_str(o, "Node 0, zone ");
		for (size_t pad = strlen(name); pad < 8; pad++)
			out_str(o, " ");
		out_str(o, name);
		for (int k = 0; k < MAX_ORDER; k++)
			num_w(o, s->zone[i].nr_free[k], 7);
		out_str(o, "\n");
	}
	for (int i = 0; i < NR_ZONES; i++) {
		out_str(o, "zone ");
		out_str(o, s->zone[i].name);
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
		out_str(o, " pages; lock taken ");
		out_u64(o, s->zone[i].lock_acquired);
		out_str(o, " times, ");
		out_u64(o, s->zone[i].lock_contended);
		out_str(o, " of them contended\n");
	}
	out_str(o, "libbuddymalloc: slabs (like /proc/slabinfo)\n");
	out_str(o, "# name      <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> <slabs> <slow_allocs>\n");
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
		out_pad(o, 74);
		out_u64(o, s->class_slow[k]);
		out_str(o, "\n");
	}
	out_str(o, "libbuddymalloc: page caches: ");
	out_u64(o, val(s, STAT_pcp_pages));
	out_str(o, " pages in ");
	out_u64(o, val(s, STAT_threads));
	out_str(o, " threads (high ");
	out_u64(o, opt.pcp_high);
	out_str(o, ", batch ");
	out_u64(o, opt.pcp_batch);
	out_str(o, "); mapped chunks: ");
	out_u64(o, val(s, STAT_chunks));
	out_str(o, " live, ");
	out_u64(o, val(s, STAT_cached_chunks));
	out_str(o, " cached (");
	out_u64(o, val(s, STAT_cached_chunk_bytes));
	out_str(o, " bytes); keepcost ");
	out_u64(o, val(s, STAT_keepcost));
	out_str(o, "\nlibbuddymalloc: gauges:");
	for (int id = 0; id < NR_STATS; id++) {
		if (stat_table[id].kind == STAT_EVENT)
			continue;
		out_str(o, " ");
		out_str(o, stat_table[id].name);
		out_str(o, " ");
		out_i64(o, s->cur[id]);
		if (stat_table[id].kind == STAT_GAUGE_PEAK) {
			out_str(o, " (peak ");
			out_i64(o, s->peak[id]);
			out_str(o, ")");
		}
	}
	out_str(o, "\nlibbuddymalloc: events:");
	for (int id = 0; id < NR_STATS; id++) {
		if (stat_table[id].kind != STAT_EVENT)
			continue;
		out_str(o, " ");
		out_str(o, stat_table[id].name);
		out_str(o, " ");
		out_i64(o, s->cur[id]);
	}
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
		xml_total(o, "total", "fast", i ? 0 : val(&s, STAT_slab_free_objs), i ? 0 : val(&s, STAT_slab_free_bytes), true);
		xml_total(o, "total", "rest", n, bytes, true);
		xml_total(o, "system", "current", 0, s.zone[i].managed << PAGE_SHIFT, false);
		xml_total(o, "system", "max", 0, s.zone[i].max_managed << PAGE_SHIFT, false);
		xml_total(o, "aspace", "total", 0, s.zone[i].managed << PAGE_SHIFT, false);
		xml_total(o, "aspace", "mprotect", 0, s.zone[i].managed << PAGE_SHIFT, false);
		out_str(o, "</heap>\n");
		free_blocks += n;
		free_bytes += bytes;
	}
	xml_total(o, "total", "fast", val(&s, STAT_slab_free_objs), val(&s, STAT_slab_free_bytes), true);
	xml_total(o, "total", "rest", free_blocks, free_bytes, true);
	xml_total(o, "total", "mmap", val(&s, STAT_chunks), val(&s, STAT_chunk_bytes), true);
	/* as glibc: the heaps (our zones); mapped chunks are in "mmap" above */
	xml_total(o, "system", "current", 0, val(&s, STAT_arena_bytes), false);
	xml_total(o, "system", "max", 0, (size_t)s.peak[STAT_arena_bytes], false);
	xml_total(o, "aspace", "total", 0, val(&s, STAT_arena_bytes), false);
	xml_total(o, "aspace", "mprotect", 0, val(&s, STAT_arena_bytes), false);
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

static void json_zones(struct out *o, const struct snapshot *s)
{
	out_str(o, "\"zones\": [");
	for (int i = 0; i < NR_ZONES; i++) {
		bool first = true;
		out_str(o, i ? ", {" : "{");
		json_key(o, "name", &first);
		out_str(o, "\"");
		out_str(o, s->zone[i].name);
		out_str(o, "\"");
		json_num(o, "managed_pages", (int64_t)s->zone[i].managed, &first);
		json_num(o, "free_pages", (int64_t)s->zone[i].free, &first);
		json_num(o, "resident_free_pages", (int64_t)s->zone[i].dirty, &first);
		json_num(o, "lock_acquired", (int64_t)s->zone[i].lock_acquired, &first);
		json_num(o, "lock_contended", (int64_t)s->zone[i].lock_contended, &first);
		json_key(o, "nr_free", &first);
		for (int k = 0; k < MAX_ORDER; k++) {
			out_str(o, k ? ", " : "[");
			out_u64(o, s->zone[i].nr_free[k]);
		}
		out_str(o, "]}");
	}
	out_str(o, "]");
}

static void json_classes(struct out *o, const struct snapshot *s)
{
	bool any = false;
	out_str(o, "\"classes\": [");
	for (int k = 0; k < NR_CLASSES; k++) {
		bool first = true;
		if (!s->class_slabs[k] && !s->class_used[k])
			continue;
		out_str(o, any ? ", {" : "{");
		any = true;
		json_num(o, "size", sc_table[k].size, &first);
		json_num(o, "active_objs", (int64_t)s->class_used[k], &first);
		json_num(o, "num_objs", (int64_t)(s->class_slabs[k] * sc_table[k].capacity), &first);
		json_num(o, "objperslab", sc_table[k].capacity, &first);
		json_num(o, "pagesperslab", 1 << sc_table[k].order, &first);
		json_num(o, "slabs", (int64_t)s->class_slabs[k], &first);
		json_num(o, "slow_allocs", (int64_t)s->class_slow[k], &first);
		out_str(o, "}");
	}
	out_str(o, "]");
}

/* Every row of STAT_LIST: events and gauges by name, peaks as NAME_peak. */
static void json_figures(struct out *o, const struct snapshot *s, bool events)
{
	bool first = true;
	out_str(o, events ? "\"events\": {" : "\"gauges\": {");
	for (int id = 0; id < NR_STATS; id++) {
		if ((stat_table[id].kind == STAT_EVENT) != events)
			continue;
		json_num(o, stat_table[id].name, s->cur[id], &first);
		if (stat_table[id].kind == STAT_GAUGE_PEAK) {
			out_str(o, ", \"");
			out_str(o, stat_table[id].name);
			out_str(o, "_peak\": ");
			out_i64(o, s->peak[id]);
		}
	}
	out_str(o, "}");
}

void stats_json(struct out *o)
{
	struct snapshot s;
	bool first = true;
	stats_snapshot(&s);
	struct mallinfo2 mi = stats_mallinfo2(&s);
	out_str(o, "{\"mallinfo2\": {");
#define F(f) json_num(o, #f, (int64_t)mi.f, &first);
	F(arena) F(ordblks) F(smblks) F(hblks) F(hblkhd) F(usmblks) F(fsmblks) F(uordblks) F(fordblks) F(keepcost)
#undef F
	out_str(o, "}, ");
	json_zones(o, &s);
	out_str(o, ", ");
	json_classes(o, &s);
	first = true;
	out_str(o, ", \"chunks\": {");
	json_num(o, "live", s.cur[STAT_chunks], &first);
	json_num(o, "live_bytes", s.cur[STAT_chunk_bytes], &first);
	json_num(o, "cached", s.cur[STAT_cached_chunks], &first);
	json_num(o, "cached_bytes", s.cur[STAT_cached_chunk_bytes], &first);
	json_num(o, "max_regions", s.peak[STAT_chunks], &first);
	json_num(o, "max_bytes", s.peak[STAT_chunk_bytes], &first);
	out_str(o, "}, ");
	json_figures(o, &s, false);
	out_str(o, ", ");
	json_figures(o, &s, true);
	first = true;
	out_str(o, ", \"threads\": {");
	json_num(o, "live", s.cur[STAT_threads], &first);
	json_num(o, "caches", s.cur[STAT_tcaches], &first);
	json_num(o, "page_cache_pages", s.cur[STAT_pcp_pages], &first);
	first = true;
	out_str(o, "}, \"faults\": {");
	json_num(o, "minflt", s.cur[STAT_minflt], &first);
	json_num(o, "majflt", s.cur[STAT_majflt], &first);
	out_str(o, "}}\n");
	out_flush(o);
}
