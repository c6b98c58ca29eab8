/*
 * section.c - address -> section -> page descriptor.
 *
 * The user address space (47 bits) is cut into 4 MiB sections. A two-level
 * table maps a section number to the descriptor of what lives there: a
 * zone section (with its 1024 page descriptors) or a mapped chunk. The
 * first level is static (64 KiB of zero pages until used); a second-level
 * table (32 KiB) is mapped the first time one of its 4096 sections is.
 *
 * Lookups take no lock: entries are written with release stores after the
 * descriptor is complete, and second-level tables are installed with a
 * compare-and-swap, so a racing installer just unmaps its copy. Table
 * pages and section descriptors are never unmapped, so a lookup can never
 * read unmapped metadata: a section that leaves its zone leaves the table
 * first, and its descriptor goes on the spare list (heap.spare), to be
 * reused by the next section_create(). A spare descriptor costs no
 * resident memory: it goes back to the OS (madvise) and reads as zeros,
 * all PG_TAIL, when it is reused (section_retire).
 *
 * Lock: heap.spare.lock, inside the zone lock of the caller.
 */
#include "os.h"
#include "section.h"

#define L2_ENTRIES	((size_t)1 << SECTION_L2_BITS)

static struct sec_head **l2_get(uintptr_t a)
{
	_Atomic(struct sec_head **) *slot = &heap.section_l1[a >> (SECTION_SHIFT + SECTION_L2_BITS)];
	struct sec_head **l2 = atomic_load_explicit(slot, memory_order_acquire);
	if (l2)
		return l2;
	struct sec_head **fresh = os_map(L2_ENTRIES * sizeof(*fresh));
	if (!fresh)
		return NULL;
	if (atomic_compare_exchange_strong_explicit(slot, &l2, fresh,
			memory_order_acq_rel, memory_order_acquire))
		return fresh;
	os_unmap(fresh, L2_ENTRIES * sizeof(*fresh));
	return l2;
}

/* Points every section overlapping [base, base+len) at h (or clears them
 * when h is NULL). False when a table could not be mapped; then nothing
 * that was set stays set. */
static bool section_set(uintptr_t base, size_t len, struct sec_head *h)
{
	uintptr_t end = base + len;
	for (uintptr_t a = base & ~(SECTION_SIZE - 1); a < end; a += SECTION_SIZE) {
		struct sec_head **l2 = h ? l2_get(a) : atomic_load_explicit(
			&heap.section_l1[a >> (SECTION_SHIFT + SECTION_L2_BITS)], memory_order_acquire);
		if (!l2) {
			if (h && a > base)
				section_set(base, a - base, NULL);
			if (h)
				return false;
			continue;
		}
		__atomic_store_n(&l2[(a >> SECTION_SHIFT) & (L2_ENTRIES - 1)], h, __ATOMIC_RELEASE);
	}
	return true;
}

bool section_map(uintptr_t base, size_t len, struct sec_head *h)
{
	if ((base + len - 1) >> ADDRESS_BITS)
		return false;
	return section_set(base, len, h);
}

void section_unmap(uintptr_t base, size_t len)
{
	section_set(base, len, NULL);
}

/*
 * Describes the 4 MiB at base as a section of zone z. The caller holds
 * z->lock, frees the pages into the zone, and publishes the section on
 * the zone's list once it is whole.
 */
/* A retired descriptor, or NULL. */
static struct section *section_spare(void)
{
	struct section *sec = NULL;
	lock_acquire(&heap.spare.lock);
	if (heap.spare.n) {
		sec = heap.spare.slot[--heap.spare.n];
	} else if (heap.spare.more) {
		sec = heap.spare.more;
		heap.spare.more = sec->next;
	}
	lock_release(&heap.spare.lock);
	return sec;
}

/*
 * The descriptor of a section that left its zone (and the table). While
 * there is a slot for it, all of it goes back to the OS and reads as zeros
 * (kind 0: no section, every page PG_TAIL) until section_create() uses it
 * again; else it is linked through its first page, and only the page
 * descriptors go back.
 */
void section_retire(struct section *sec)
{
	lock_acquire(&heap.spare.lock);
	if (heap.spare.n < SPARE_SLOTS) {
		heap.spare.slot[heap.spare.n++] = sec;
		os_decommit(sec, align_up(sizeof(*sec), PAGE_SIZE));	/* the whole mapping */
	} else {
		sec->next = heap.spare.more;
		heap.spare.more = sec;
		os_decommit_inner(sec->pages, sizeof(sec->pages));
	}
	lock_release(&heap.spare.lock);
}

/* fork.c, in the child: a list whose lock a vanished thread held may be
 * half updated, so it is forgotten (its descriptors leak in the child). */
void section_fork_child(void)
{
	if (lock_is_held(&heap.spare.lock)) {
		heap.spare.n = 0;
		heap.spare.more = NULL;
	}
	lock_init(&heap.spare.lock);
}

struct section *section_create(struct zone *z, uintptr_t base)
{
	struct section *sec = section_spare();	/* a retired one: all PG_TAIL again */
	if (!sec)
		sec = os_map(sizeof(*sec));	/* fresh mappings are zero: all PG_TAIL */
	if (!sec)
		return NULL;
	sec->h.kind = SEC_ZONE;
	sec->zone = z;
	sec->base = base;
	sec->brk_pad = 0;
	sec->nr_online = PAGES_PER_SECTION;
	if (!section_map(base, SECTION_SIZE, &sec->h)) {
		section_retire(sec);
		return NULL;
	}
	return sec;
}
