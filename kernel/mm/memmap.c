/*
 * memmap.c - sanitize the firmware's memory map and record the kernel's claims.
 *
 * The map is rebuilt by a sweep over region boundaries. Every region, as
 * the firmware or a claim gives it, becomes two events: "a region of type
 * T starts here" and "... ends here". Sorted by address, the events are
 * replayed left to right while a counter per type says how many regions
 * of that type cover the current address. Between two consecutive event
 * addresses nothing changes, so that stretch gets one type: the most
 * restrictive one whose counter is not zero, or none at all (a hole).
 * Stretches that touch and share a type come out merged.
 *
 *   firmware:  |---- usable ----|              events at a, b, c, d
 *                       |-- reserved --|       a ........ b .... c ........ d
 *   sanitized: |usable |-- reserved --|        usable    reserved  reserved
 *              a       b              d
 *
 * Precedence (least to most restrictive) is the order of
 * memmap_precedence[] below. Unknown firmware types count as reserved.
 * After the sweep, usable and loader RAM is trimmed inward to whole pages:
 * the page allocator hands out pages, and a page that is only partly RAM
 * is not RAM.
 *
 * A claim (memmap_claim) adds events of a kernel type clipped to the
 * usable and loader regions it covers, and sweeps again: the map stays
 * the single record of who owns what. The map is small (a few dozen
 * regions on real machines), so the insertion sort and the rebuild on
 * each claim cost nothing worth optimizing; claims happen a handful of
 * times during boot.
 *
 * Everything here is pure logic over static arrays: the host tests
 * (tests/host/test_memmap.c) run it on maps captured from QEMU.
 */
#define LOG_PREFIX "mm"
#include "kernel/errno.h"
#include "kernel/log.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc.h"

/* A region becomes two events; a claim may double the regions. */
#define MEMMAP_MAX_EVENTS   (4 * MEMMAP_MAX_REGIONS)
#define MEMMAP_PAGE_FLOOR(x) ((x) & PAGE_MASK)
#define MEMMAP_TOP_PAGE     MEMMAP_PAGE_FLOOR(UINT64_MAX)  /* highest page start */
#define MEMMAP_KIB          1024ULL
#define MEMMAP_MIB          (1024ULL * 1024)
#define MEMMAP_LOG_MIB_FROM (10 * MEMMAP_MIB)  /* sizes from here on print in MiB */

/*
 * Types from least to most restrictive: where regions overlap, the one
 * further down this list wins.
 */
static const uint32_t memmap_precedence[] = {
	BOOT_MEM_USABLE,        /* free RAM: yields to anything */
	BOOT_MEM_LOADER,        /* RAM once the loader's data is dead */
	MEMMAP_LOW_MEMORY,      /* kernel claims: RAM the kernel keeps */
	MEMMAP_PAGE_ARRAY,
	MEMMAP_KERNEL,
	BOOT_MEM_ACPI_RECLAIM,  /* ACPI tables: kept for the ACPI code */
	BOOT_MEM_ACPI_NVS,      /* firmware's across sleep: never reuse */
	BOOT_MEM_UNUSABLE,      /* broken RAM */
	BOOT_MEM_RESERVED,      /* firmware, MMIO: never touch */
};

#define MEMMAP_NR_RANKS (sizeof(memmap_precedence) / sizeof(memmap_precedence[0]))
#define MEMMAP_NO_RANK  (-1)

/* The sweep's input: each region becomes a start and an end event. */
struct memmap_event {
	uint64_t addr;   /* where a region starts or ends */
	uint32_t rank;   /* the region type's index in memmap_precedence[] */
	int32_t delta;   /* +1 where it starts, -1 where it ends */
};

/* The sanitized map, the only state this file keeps between calls. */
static struct {
	struct memmap_region regions[MEMMAP_MAX_REGIONS]; /* sorted, disjoint */
	uint32_t count;                     /* regions in use */
	bool truncated;                     /* regions were dropped for lack of room */
} memmap;

/* Scratch space for one rebuild. */
static struct {
	struct memmap_event events[MEMMAP_MAX_EVENTS]; /* unsorted until the sweep */
	uint32_t count;                     /* events in use */
	int live[MEMMAP_NR_RANKS];          /* regions of each rank covering the sweep */
} sweep;

/* Position of @type in the precedence list; unknown types rank as reserved. */
static uint32_t memmap_rank(uint32_t type)
{
	uint32_t r;

	for (r = 0; r < MEMMAP_NR_RANKS; r++)
		if (memmap_precedence[r] == type)
			return r;
	return MEMMAP_NR_RANKS - 1;
}

/* RAM the page allocator may eventually own. */
static bool memmap_is_allocatable(uint32_t type)
{
	return type == BOOT_MEM_USABLE || type == BOOT_MEM_LOADER;
}

/* Types memmap_claim() accepts. */
static bool memmap_is_kernel_type(uint32_t type)
{
	return type == MEMMAP_LOW_MEMORY || type == MEMMAP_PAGE_ARRAY ||
	       type == MEMMAP_KERNEL;
}

/* Memory the direct map must reach: everything but holes, MMIO, bad RAM. */
static bool memmap_is_ram(uint32_t type)
{
	return type != BOOT_MEM_RESERVED && type != BOOT_MEM_UNUSABLE;
}

/* One past the last byte of [@base, + @length), saturating at the top. */
static uint64_t memmap_end_of(uint64_t base, uint64_t length)
{
	return length > UINT64_MAX - base ? UINT64_MAX : base + length;
}

/* Round up to a page without wrapping past the highest page. */
static uint64_t memmap_page_ceil(uint64_t x)
{
	return x > MEMMAP_TOP_PAGE ? MEMMAP_TOP_PAGE : PAGE_ALIGN(x);
}

/* Queue [@base, @end) of @type for the next sweep; empty ranges vanish. */
static void memmap_event_add(uint64_t base, uint64_t end, uint32_t type)
{
	uint32_t rank = memmap_rank(type);

	if (base >= end)
		return;
	if (sweep.count + 2 > MEMMAP_MAX_EVENTS) {
		pr_err("more than %u range events (MEMMAP_MAX_EVENTS): [mem %#llx-%#llx] %s "
		       "dropped", MEMMAP_MAX_EVENTS, (unsigned long long)base,
		       (unsigned long long)end - 1, memmap_type_name(type));
		return;
	}
	sweep.events[sweep.count++] = (struct memmap_event){ base, rank, +1 };
	sweep.events[sweep.count++] = (struct memmap_event){ end, rank, -1 };
}

/* Sort events by address: boot maps come almost sorted, where insertion sort is linear. */
static void memmap_events_sort(void)
{
	uint32_t i, j;
	struct memmap_event e;

	for (i = 1; i < sweep.count; i++) {
		e = sweep.events[i];
		for (j = i; j > 0 && sweep.events[j - 1].addr > e.addr; j--)
			sweep.events[j] = sweep.events[j - 1];
		sweep.events[j] = e;
	}
}

/* The most restrictive rank covering the sweep position, or MEMMAP_NO_RANK. */
static int memmap_top_rank(void)
{
	int r;

	for (r = (int)MEMMAP_NR_RANKS - 1; r >= 0; r--)
		if (sweep.live[r] > 0)
			return r;
	return MEMMAP_NO_RANK;
}

/* Append [@base, @end) of @type to the map, merging with a touching twin. */
static void memmap_emit(uint64_t base, uint64_t end, uint32_t type)
{
	struct memmap_region *last = memmap.count ? &memmap.regions[memmap.count - 1] : NULL;

	if (last && last->end == base && last->type == type) {
		last->end = end;
		return;
	}
	if (memmap.count == MEMMAP_MAX_REGIONS) {
		memmap.truncated = true;
		return;
	}
	memmap.regions[memmap.count++] = (struct memmap_region){ base, end, type };
}

/* Replay the sorted events into a fresh map (see the comment at the top). */
static void memmap_sweep(void)
{
	uint32_t i = 0, r;
	uint64_t at;
	int top;

	memmap.count = 0;
	memmap.truncated = false;
	for (r = 0; r < MEMMAP_NR_RANKS; r++)
		sweep.live[r] = 0;
	while (i < sweep.count) {
		at = sweep.events[i].addr;
		for (; i < sweep.count && sweep.events[i].addr == at; i++)
			sweep.live[sweep.events[i].rank] += sweep.events[i].delta;
		top = memmap_top_rank();
		if (i < sweep.count && top != MEMMAP_NO_RANK)
			memmap_emit(at, sweep.events[i].addr, memmap_precedence[top]);
	}
}

/* Shrink allocatable RAM to whole pages and drop what is left empty. */
static void memmap_trim_ram(void)
{
	uint32_t i, kept = 0;
	struct memmap_region r;

	for (i = 0; i < memmap.count; i++) {
		r = memmap.regions[i];
		if (memmap_is_allocatable(r.type)) {
			r.base = memmap_page_ceil(r.base);
			r.end = MEMMAP_PAGE_FLOOR(r.end);
		}
		if (r.base < r.end)
			memmap.regions[kept++] = r;
	}
	memmap.count = kept;
}

/* Turn the queued events into the new map, then forget them. */
static void memmap_settle(void)
{
	memmap_events_sort();
	memmap_sweep();
	memmap_trim_ram();
	sweep.count = 0;
}

/* Queue every region of the current map, so a claim can be swept over it. */
static void memmap_requeue(void)
{
	uint32_t i;

	for (i = 0; i < memmap.count; i++)
		memmap_event_add(memmap.regions[i].base, memmap.regions[i].end,
				 memmap.regions[i].type);
}

/* Pick a unit so a size reads naturally in the log: bytes, KiB or MiB. */
static unsigned long long memmap_human(uint64_t bytes, const char **unit)
{
	if (bytes >= MEMMAP_LOG_MIB_FROM) {
		*unit = "MiB";
		return bytes / MEMMAP_MIB;
	}
	if (bytes >= MEMMAP_KIB) {
		*unit = "KiB";
		return bytes / MEMMAP_KIB;
	}
	*unit = "bytes";
	return bytes;
}

/**
 * memmap_type_name - a short name for a region type, as the log prints it.
 * @type: an enum boot_mem_type or enum memmap_kernel_type
 *
 * Return: a static string; "unknown" for anything else.
 */
const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE:       return "usable";
	case BOOT_MEM_RESERVED:     return "reserved";
	case BOOT_MEM_ACPI_RECLAIM: return "ACPI data";
	case BOOT_MEM_ACPI_NVS:     return "ACPI NVS";
	case BOOT_MEM_UNUSABLE:     return "unusable";
	case BOOT_MEM_LOADER:       return "loader";
	case MEMMAP_LOW_MEMORY:     return "low memory (first MiB)";
	case MEMMAP_PAGE_ARRAY:     return "page array";
	case MEMMAP_KERNEL:         return "kernel image";
	default:                    return "unknown";
	}
}

/**
 * memmap_log - print the map, one line per region, under a title line.
 * @title: what this map is ("memory map (sanitized)")
 */
void memmap_log(const char *title)
{
	const struct memmap_region *r;
	const char *unit;
	unsigned long long size;
	uint32_t i;

	pr_info("%s: %u regions%s", title, memmap.count,
		memmap.truncated ? " (truncated: the highest were dropped)" : "");
	for (i = 0; i < memmap.count; i++) {
		r = &memmap.regions[i];
		size = memmap_human(r->end - r->base, &unit);
		pr_info("  [mem 0x%016llx-0x%016llx] %-10s %6llu %s",
			(unsigned long long)r->base, (unsigned long long)(r->end - 1),
			memmap_type_name(r->type), size, unit);
	}
}

/* Queue the boot path's regions, with end and type made safe to sweep. */
static void memmap_queue_boot_map(const struct boot_info *bi)
{
	uint32_t i, n = bi->mem_count < BOOT_MEMMAP_MAX ? bi->mem_count : BOOT_MEMMAP_MAX;
	const struct boot_mem_region *r;

	for (i = 0; i < n; i++) {
		r = &bi->mem[i];
		memmap_event_add(r->base, memmap_end_of(r->base, r->length),
				 r->type >= BOOT_MEM_USABLE && r->type <= BOOT_MEM_LOADER ?
				 r->type : BOOT_MEM_RESERVED);
	}
}

/* Start from the boot path's map; claim what the kernel already occupies. */
int memmap_init(const struct boot_info *bi)
{
	sweep.count = 0;
	memmap_queue_boot_map(bi);
	memmap_settle();
	memmap_log("memory map (sanitized)");
	if (bi->mem_truncated)
		pr_warn("the boot path's memory map had more than %u regions (BOOT_MEMMAP_MAX): "
			"RAM may be missing", BOOT_MEMMAP_MAX);
	if (memmap_bytes(BOOT_MEM_USABLE, 0, UINT64_MAX) == 0) {
		pr_err("the memory map holds no usable RAM");
		return -ENOMEM;
	}
	memmap_claim(0, MEMMAP_LOW_MEMORY_END, MEMMAP_LOW_MEMORY);
	memmap_claim(bi->kernel_phys, bi->kernel_size, MEMMAP_KERNEL);
	return 0;
}

/* Queue the map, plus @type over the usable and loader RAM inside [@lo, @hi). */
static void memmap_queue_claim(uint64_t lo, uint64_t hi, uint32_t type)
{
	const struct memmap_region *r;
	uint32_t i;

	memmap_requeue();
	for (i = 0; i < memmap.count; i++) {
		r = &memmap.regions[i];
		if (memmap_is_allocatable(r->type))
			memmap_event_add(r->base > lo ? r->base : lo,
					 r->end < hi ? r->end : hi, type);
	}
}

/* Record a kernel claim in the map itself, so the allocator never sees that RAM as free. */
int memmap_claim(uint64_t base, uint64_t size, uint32_t type)
{
	uint64_t lo = MEMMAP_PAGE_FLOOR(base);
	uint64_t hi = memmap_page_ceil(memmap_end_of(base, size));
	uint64_t claimed = memmap_bytes(BOOT_MEM_USABLE, lo, hi) +
			   memmap_bytes(BOOT_MEM_LOADER, lo, hi);
	const char *unit;
	unsigned long long shown;

	if (!memmap_is_kernel_type(type))
		return -EINVAL;
	if (lo >= hi)
		return 0;
	memmap_queue_claim(lo, hi, type);
	memmap_settle();
	shown = memmap_human(claimed, &unit);
	pr_info("reserved [mem 0x%016llx-0x%016llx] %s: %llu %s of RAM",
		(unsigned long long)lo, (unsigned long long)(hi - 1),
		memmap_type_name(type), shown, unit);
	if (memmap.truncated)
		pr_err("memory map full (%u regions, MEMMAP_MAX_REGIONS): regions above 0x%llx "
		       "were dropped", MEMMAP_MAX_REGIONS,
		       (unsigned long long)memmap.regions[memmap.count - 1].end);
	return memmap.truncated ? -E2BIG : 0;
}

/* Search from the top: low memory is what narrow DMA masks need. */
int memmap_alloc_early(uint64_t size, uint64_t below, uint32_t type, uint64_t *phys)
{
	uint64_t need = memmap_page_ceil(size), top;
	const struct memmap_region *r;
	uint32_t i;

	if (!memmap_is_kernel_type(type))
		return -EINVAL;
	for (i = memmap.count; i-- > 0;) {
		r = &memmap.regions[i];
		top = MEMMAP_PAGE_FLOOR(r->end < below ? r->end : below);
		if (r->type != BOOT_MEM_USABLE || top <= r->base || top - r->base < need)
			continue;
		*phys = top - need;
		memmap_claim(*phys, need, type);
		return 0;
	}
	return -ENOMEM;
}

/* Sum a type over a range: for logs, checks and tests. */
uint64_t memmap_bytes(uint32_t type, uint64_t lo, uint64_t hi)
{
	uint64_t total = 0, b, e;
	uint32_t i;

	for (i = 0; i < memmap.count; i++) {
		if (memmap.regions[i].type != type)
			continue;
		b = memmap.regions[i].base > lo ? memmap.regions[i].base : lo;
		e = memmap.regions[i].end < hi ? memmap.regions[i].end : hi;
		if (b < e)
			total += e - b;
	}
	return total;
}

/* The highest RAM region decides how far the direct map must reach. */
uint64_t memmap_ram_end(void)
{
	uint32_t i;

	for (i = memmap.count; i-- > 0;)
		if (memmap_is_ram(memmap.regions[i].type))
			return memmap_page_ceil(memmap.regions[i].end);
	return 0;
}

/* Readers walk the map by index: memmap_get(0 .. memmap_count() - 1). */
uint32_t memmap_count(void)
{
	return memmap.count;
}

/* Bounds-checked, so a loop may simply run until NULL. */
const struct memmap_region *memmap_get(uint32_t i)
{
	return i < memmap.count ? &memmap.regions[i] : NULL;
}
