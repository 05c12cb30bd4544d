/*
 * test_memmap.c - sanitizing the boot memory map, and the kernel's claims.
 *
 * Hand-made maps test one rule at a time; the maps QEMU really hands over
 * (captured from boot logs, PVH and UEFI, 512 MiB and 6 GiB) must come
 * out exactly as expected; and random maps are checked byte by byte
 * against a reference that computes each byte's type the slow, obvious
 * way.
 */
#include <stdlib.h>
#include <string.h>
#include "boot/boot_info.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/log.h"
#include "kernel/mm/memmap.h"
#include "kernel/mm/page_alloc.h"
#include "tests/host/host_stubs.h"

/* A region as the boot logs print it: first and last byte. */
#define R(first, last, type) { (first), (last) - (first) + 1, (type), 0 }
/* An expected region of the sanitized map: [base, end). */
#define E(base, end, type)   { (base), (end), (type) }

#define USABLE   BOOT_MEM_USABLE
#define RESERVED BOOT_MEM_RESERVED
#define ACPI     BOOT_MEM_ACPI_RECLAIM
#define NVS      BOOT_MEM_ACPI_NVS
#define BADRAM   BOOT_MEM_UNUSABLE
#define LOADER   BOOT_MEM_LOADER
#define KERNEL   MEMMAP_KERNEL
#define LOWMEM   MEMMAP_LOW_MEMORY
#define N(a)     ((uint32_t)(sizeof(a) / sizeof((a)[0])))

#define T_UNKNOWN_TYPE   0x1234      /* no such boot_mem_type */
#define T_KERNEL_AT      0x200000ULL /* where PVH loads the image */

static struct boot_info bi;  /* big: keep it off the stack */

/* Sanitize @count regions with the kernel image at [@kphys, + @ksize). */
static int t_init(const struct boot_mem_region *mem, uint32_t count,
		  uint64_t kphys, uint64_t ksize)
{
	memset(&bi, 0, sizeof(bi));
	bi.magic = BOOT_INFO_MAGIC;
	bi.version = BOOT_INFO_VERSION;
	bi.mem_count = count;
	memcpy(bi.mem, mem, count * sizeof(*mem));
	bi.kernel_phys = kphys;
	bi.kernel_size = ksize;
	return memmap_init(&bi);
}

/* The map must be exactly @want. */
static void t_expect_map(struct ktest *t, const struct memmap_region *want, uint32_t n)
{
	const struct memmap_region *r;
	uint32_t i;

	KT_EXPECT_EQ(t, memmap_count(), n);
	for (i = 0; i < n && i < memmap_count(); i++) {
		r = memmap_get(i);
		if (r->base != want[i].base || r->end != want[i].end || r->type != want[i].type) {
			ktest_fail_at(t, __FILE__, __LINE__,
				      "region %u is [0x%llx, 0x%llx) %s, "
				      "expected [0x%llx, 0x%llx) %s", i,
				      (unsigned long long)r->base, (unsigned long long)r->end,
				      memmap_type_name(r->type),
				      (unsigned long long)want[i].base,
				      (unsigned long long)want[i].end,
				      memmap_type_name(want[i].type));
			return;
		}
	}
}

/* Sorted, disjoint, merged, and allocatable RAM in whole pages. */
static void t_expect_sane(struct ktest *t)
{
	const struct memmap_region *r, *prev = NULL;
	uint32_t i;

	for (i = 0; i < memmap_count(); prev = r, i++) {
		r = memmap_get(i);
		KT_EXPECT_ULT(t, r->base, r->end);
		if (prev) {
			KT_EXPECT_UGE(t, r->base, prev->end);
			KT_EXPECT_FALSE(t, r->base == prev->end && r->type == prev->type);
		}
		if (r->type == USABLE || r->type == LOADER) {
			KT_EXPECT_UEQ(t, r->base % PAGE_SIZE, 0);
			KT_EXPECT_UEQ(t, r->end % PAGE_SIZE, 0);
		}
	}
}

/* An already clean map passes through; the first MiB and the kernel are claimed. */
static void clean_map_and_claims(struct ktest *t)
{
	static const struct boot_mem_region in[] = {
		R(0x0, 0x9ffff, USABLE),
		R(0x100000, 0x3ffffff, USABLE),
		R(0xfffc0000, 0xffffffff, RESERVED),
	};
	static const struct memmap_region want[] = {
		E(0x0, 0xa0000, LOWMEM),
		E(0x100000, T_KERNEL_AT, USABLE),
		E(T_KERNEL_AT, 0x222000, KERNEL),     /* 0x21234 bytes, rounded up */
		E(0x222000, 0x4000000, USABLE),
		E(0xfffc0000, 0x100000000, RESERVED),
	};

	KT_ASSERT_EQ(t, t_init(in, N(in), T_KERNEL_AT, 0x21234), 0);
	t_expect_map(t, want, N(want));
	KT_EXPECT_UEQ(t, memmap_ram_end(), 0x4000000);
	KT_EXPECT_UEQ(t, memmap_bytes(USABLE, 0, UINT64_MAX), 0x4000000 - 0x100000 - 0x22000);
}

/* Order of the input does not matter. */
static void unsorted_input(struct ktest *t)
{
	static const struct boot_mem_region in[] = {
		R(0xfffc0000, 0xffffffff, RESERVED),
		R(0x100000, 0x3ffffff, USABLE),
		R(0x8000000, 0x8ffffff, NVS),
		R(0x0, 0x9ffff, USABLE),
	};
	static const struct memmap_region want[] = {
		E(0x0, 0xa0000, LOWMEM),
		E(0x100000, 0x4000000, USABLE),
		E(0x8000000, 0x9000000, NVS),
		E(0xfffc0000, 0x100000000, RESERVED),
	};

	KT_ASSERT_EQ(t, t_init(in, N(in), 0, 0), 0);
	t_expect_map(t, want, N(want));
}

/* Where types overlap, the more restrictive one wins, whatever the order. */
static void overlap_most_restrictive_wins(struct ktest *t)
{
	static const uint32_t weakest_first[] = {
		USABLE, LOADER, ACPI, NVS, BADRAM, RESERVED,
	};
	struct boot_mem_region in[2];
	uint32_t a, b;

	for (a = 0; a < N(weakest_first); a++) {
		for (b = a + 1; b < N(weakest_first); b++) {
			/* weak [16M, 48M), strong [32M, 64M): the overlap is strong's */
			struct memmap_region want[] = {
				E(0x1000000, 0x2000000, weakest_first[a]),
				E(0x2000000, 0x4000000, weakest_first[b]),
			};
			in[0] = (struct boot_mem_region)R(0x2000000, 0x3ffffff, weakest_first[b]);
			in[1] = (struct boot_mem_region)R(0x1000000, 0x2ffffff, weakest_first[a]);
			t_init(in, 2, 0, 0);
			t_expect_map(t, want, N(want));
			in[0] = (struct boot_mem_region)R(0x1000000, 0x2ffffff, weakest_first[a]);
			in[1] = (struct boot_mem_region)R(0x2000000, 0x3ffffff, weakest_first[b]);
			t_init(in, 2, 0, 0);
			t_expect_map(t, want, N(want));
		}
	}
}

/* A hole punched in the middle splits a region; nested duplicates collapse. */
static void nested_regions(struct ktest *t)
{
	static const struct boot_mem_region in[] = {
		R(0x1000000, 0x1ffffff, USABLE),
		R(0x1400000, 0x17fffff, RESERVED),
		R(0x1400000, 0x17fffff, RESERVED),
		R(0x1500000, 0x15fffff, USABLE),     /* inside the reserved: loses */
		R(0x1000000, 0x1ffffff, USABLE),
	};
	static const struct memmap_region want[] = {
		E(0x1000000, 0x1400000, USABLE),
		E(0x1400000, 0x1800000, RESERVED),
		E(0x1800000, 0x2000000, USABLE),
	};

	KT_ASSERT_EQ(t, t_init(in, N(in), 0, 0), 0);
	t_expect_map(t, want, N(want));
}

/* Empty regions vanish; touching regions of one type merge. */
static void empty_and_touching(struct ktest *t)
{
	static const struct boot_mem_region in[] = {
		R(0x1000000, 0x17fffff, USABLE),
		{ 0x1800000, 0, RESERVED, 0 },        /* empty: must not split */
		R(0x1800000, 0x1ffffff, USABLE),
		{ 0x3000000, 0, USABLE, 0 },
		R(0x2000000, 0x2000fff, NVS),
		R(0x2001000, 0x2001fff, NVS),
	};
	static const struct memmap_region want[] = {
		E(0x1000000, 0x2000000, USABLE),
		E(0x2000000, 0x2002000, NVS),
	};

	KT_ASSERT_EQ(t, t_init(in, N(in), 0, 0), 0);
	t_expect_map(t, want, N(want));
}

/* Usable and loader RAM shrink to whole pages; other types stay exact. */
static void unaligned_ram_trimmed(struct ktest *t)
{
	static const struct boot_mem_region in[] = {
		R(0x1000800, 0x1005bff, USABLE),     /* -> [0x1001000, 0x1005000) */
		R(0x1005c00, 0x1006fff, ACPI),       /* exact */
		R(0x1007000, 0x10077ff, USABLE),     /* less than a page: gone */
		R(0x1010100, 0x1012eff, LOADER),     /* -> [0x1011000, 0x1012000) */
		R(0x1020000, 0x1020fff, USABLE),     /* half of it taken by... */
		R(0x1020800, 0x10217ff, RESERVED),   /* ...this: [0x1020000, 0x1020800) is cut */
	};
	static const struct memmap_region want[] = {
		E(0x1001000, 0x1005000, USABLE),
		E(0x1005c00, 0x1007000, ACPI),
		E(0x1011000, 0x1012000, LOADER),
		E(0x1020800, 0x1021800, RESERVED),
	};

	KT_ASSERT_EQ(t, t_init(in, N(in), 0, 0), 0);
	t_expect_map(t, want, N(want));
}

/* Unknown types are reserved; a length running past 2^64 is cut at the top. */
static void unknown_type_and_overflow(struct ktest *t)
{
	static const struct boot_mem_region in[] = {
		R(0x1000000, 0x1ffffff, USABLE),
		R(0x1800000, 0x18fffff, T_UNKNOWN_TYPE),
		{ 0xffffffff00000000ULL, UINT64_MAX, RESERVED, 0 },
	};
	static const struct memmap_region want[] = {
		E(0x1000000, 0x1800000, USABLE),
		E(0x1800000, 0x1900000, RESERVED),
		E(0x1900000, 0x2000000, USABLE),
		E(0xffffffff00000000ULL, UINT64_MAX, RESERVED),
	};

	KT_ASSERT_EQ(t, t_init(in, N(in), 0, 0), 0);
	t_expect_map(t, want, N(want));
	KT_EXPECT_UEQ(t, memmap_ram_end(), 0x2000000);
}

/* No usable RAM at all is an error, not a crash. */
static void no_usable_ram(struct ktest *t)
{
	static const struct boot_mem_region in[] = {
		R(0x0, 0x9ffff, RESERVED),
		R(0x100000, 0x1ffffff, NVS),
	};
	unsigned long errs = log_count(LOG_ERR);

	KT_EXPECT_EQ(t, t_init(in, N(in), 0, 0), -ENOMEM);
	KT_EXPECT_EQ(t, t_init(in, 0, 0, 0), -ENOMEM);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 2);
}

/* Claims change only usable and loader RAM, never holes or firmware memory. */
static void claims_cover_only_ram(struct ktest *t)
{
	static const struct boot_mem_region in[] = {
		R(0x1000000, 0x1ffffff, USABLE),
		R(0x2000000, 0x2ffffff, NVS),
		R(0x4000000, 0x4ffffff, LOADER),
	};
	static const struct memmap_region want[] = {
		E(0x1000000, 0x1800000, USABLE),
		E(0x1800000, 0x2000000, MEMMAP_PAGE_ARRAY),
		E(0x2000000, 0x3000000, NVS),
		E(0x4000000, 0x4800000, MEMMAP_PAGE_ARRAY),
		E(0x4800000, 0x5000000, LOADER),
	};

	KT_ASSERT_EQ(t, t_init(in, N(in), 0, 0), 0);
	KT_EXPECT_EQ(t, memmap_claim(0x1800000, 0x3000000, MEMMAP_PAGE_ARRAY), 0);
	t_expect_map(t, want, N(want));
	KT_EXPECT_EQ(t, memmap_claim(0x1000000, 0x1000, USABLE), -EINVAL);
	t_expect_map(t, want, N(want));
}

/* Early allocations come from the top of usable RAM below the limit. */
static void early_alloc_takes_highest(struct ktest *t)
{
	static const struct boot_mem_region in[] = {
		R(0x100000, 0x7fffff, USABLE),
		R(0x800000, 0x8fffff, NVS),
		R(0x900000, 0x9fffff, USABLE),
		R(0x100000000ULL, 0x1ffffffffULL, USABLE),
	};
	uint64_t phys;

	KT_ASSERT_EQ(t, t_init(in, N(in), T_KERNEL_AT, 0x100000), 0);
	KT_ASSERT_EQ(t, memmap_alloc_early(0x1800, BOOT_MIN_MAPPED, MEMMAP_PAGE_ARRAY, &phys), 0);
	KT_EXPECT_UEQ(t, phys, 0x9fe000);                   /* two pages, at the top */
	KT_ASSERT_EQ(t, memmap_alloc_early(0x200000, BOOT_MIN_MAPPED, MEMMAP_PAGE_ARRAY, &phys), 0);
	KT_EXPECT_UEQ(t, phys, 0x600000);                   /* the rest is too small */
	KT_EXPECT_UEQ(t, memmap_bytes(MEMMAP_PAGE_ARRAY, 0, UINT64_MAX), 0x202000);
	KT_EXPECT_EQ(t, memmap_alloc_early(0x800000, BOOT_MIN_MAPPED, MEMMAP_PAGE_ARRAY, &phys),
		     -ENOMEM);                              /* the kernel splits the rest */
	KT_ASSERT_EQ(t, memmap_alloc_early(0x800000, UINT64_MAX, MEMMAP_PAGE_ARRAY, &phys), 0);
	KT_EXPECT_UEQ(t, phys, 0x1ff800000ULL);
	t_expect_sane(t);
}

/* QEMU 7.2, PVH, -m 512M: the E820 map SeaBIOS builds. */
static const struct boot_mem_region qemu_pvh_512m[] = {
	R(0x0000000000000000, 0x000000000009fbff, USABLE),
	R(0x000000000009fc00, 0x000000000009ffff, RESERVED),
	R(0x00000000000f0000, 0x00000000000fffff, RESERVED),
	R(0x0000000000100000, 0x000000001ffdffff, USABLE),
	R(0x000000001ffe0000, 0x000000001fffffff, RESERVED),
	R(0x00000000b0000000, 0x00000000bfffffff, RESERVED),
	R(0x00000000fed1c000, 0x00000000fed1ffff, RESERVED),
	R(0x00000000fffc0000, 0x00000000ffffffff, RESERVED),
	R(0x000000fd00000000, 0x000000ffffffffff, RESERVED),
};

static void qemu_pvh_512m_map(struct ktest *t)
{
	static const struct memmap_region want[] = {
		E(0x0, 0x9f000, LOWMEM),               /* 0x9fc00 trimmed to a page */
		E(0x9fc00, 0xa0000, RESERVED),
		E(0xf0000, 0x100000, RESERVED),
		E(0x100000, 0x200000, USABLE),
		E(0x200000, 0x221000, KERNEL),
		E(0x221000, 0x1ffe0000, USABLE),
		E(0x1ffe0000, 0x20000000, RESERVED),
		E(0xb0000000, 0xc0000000, RESERVED),
		E(0xfed1c000, 0xfed20000, RESERVED),
		E(0xfffc0000, 0x100000000, RESERVED),
		E(0xfd00000000, 0x10000000000, RESERVED),
	};

	KT_ASSERT_EQ(t, t_init(qemu_pvh_512m, N(qemu_pvh_512m), 0x200000, 132 * HOST_KIB), 0);
	t_expect_map(t, want, N(want));
	KT_EXPECT_UEQ(t, memmap_ram_end(), 0x1ffe0000);
}

/* QEMU 7.2, PVH, -m 6G: RAM at 0-2 GiB and 4-8 GiB. */
static const struct boot_mem_region qemu_pvh_6g[] = {
	R(0x0000000000000000, 0x000000000009fbff, USABLE),
	R(0x000000000009fc00, 0x000000000009ffff, RESERVED),
	R(0x00000000000f0000, 0x00000000000fffff, RESERVED),
	R(0x0000000000100000, 0x000000007ffdffff, USABLE),
	R(0x000000007ffe0000, 0x000000007fffffff, RESERVED),
	R(0x00000000b0000000, 0x00000000bfffffff, RESERVED),
	R(0x00000000fed1c000, 0x00000000fed1ffff, RESERVED),
	R(0x00000000fffc0000, 0x00000000ffffffff, RESERVED),
	R(0x0000000100000000, 0x00000001ffffffff, USABLE),
	R(0x000000fd00000000, 0x000000ffffffffff, RESERVED),
};

static void qemu_pvh_6g_map(struct ktest *t)
{
	KT_ASSERT_EQ(t, t_init(qemu_pvh_6g, N(qemu_pvh_6g), 0x200000, 132 * HOST_KIB), 0);
	t_expect_sane(t);
	KT_EXPECT_EQ(t, memmap_count(), 12);
	KT_EXPECT_UEQ(t, memmap_ram_end(), 8 * HOST_GIB);
	KT_EXPECT_UEQ(t, memmap_bytes(USABLE, 4 * HOST_GIB, UINT64_MAX), 4 * HOST_GIB);
	KT_EXPECT_UEQ(t, memmap_bytes(USABLE, 0, 4 * HOST_GIB),
		      0x7ffe0000 - 0x100000 - 0x21000);
	KT_EXPECT_UEQ(t, memmap_bytes(KERNEL, 0, UINT64_MAX), 0x21000);
}

/* QEMU 7.2, OVMF, -m 512M: the map after ExitBootServices, as our loader converts it. */
static const struct boot_mem_region qemu_uefi_512m[] = {
	R(0x0000000000000000, 0x000000000009ffff, USABLE),
	R(0x0000000000100000, 0x00000000007fffff, USABLE),
	R(0x0000000000800000, 0x0000000000807fff, NVS),
	R(0x0000000000808000, 0x000000000080afff, USABLE),
	R(0x000000000080b000, 0x000000000080bfff, NVS),
	R(0x000000000080c000, 0x000000000080ffff, USABLE),
	R(0x0000000000810000, 0x00000000008fffff, NVS),
	R(0x0000000000900000, 0x000000001dffffff, USABLE),
	R(0x000000001e000000, 0x000000001e1fffff, LOADER),
	R(0x000000001e200000, 0x000000001e2d4fff, USABLE),
	R(0x000000001e2d5000, 0x000000001e2e6fff, LOADER),
	R(0x000000001e2e7000, 0x000000001e2e7fff, USABLE),
	R(0x000000001e2e8000, 0x000000001e2ebfff, LOADER),
	R(0x000000001e2ec000, 0x000000001eeb6fff, USABLE),
	R(0x000000001eeb7000, 0x000000001ef77fff, RESERVED),
	R(0x000000001ef78000, 0x000000001f8ecfff, USABLE),
	R(0x000000001f8ed000, 0x000000001fb6cfff, RESERVED),
	R(0x000000001fb6d000, 0x000000001fb7efff, ACPI),
	R(0x000000001fb7f000, 0x000000001fbfefff, NVS),
	R(0x000000001fbff000, 0x000000001ff57fff, USABLE),
	R(0x000000001ff58000, 0x000000001ff77fff, RESERVED),
	R(0x000000001ff78000, 0x000000001fffffff, NVS),
	R(0x00000000b0000000, 0x00000000bfffffff, RESERVED),
};

static void qemu_uefi_512m_map(struct ktest *t)
{
	static const struct memmap_region want[] = {
		E(0x0, 0xa0000, LOWMEM),
		E(0x100000, 0x800000, USABLE),
		E(0x800000, 0x808000, NVS),
		E(0x808000, 0x80b000, USABLE),
		E(0x80b000, 0x80c000, NVS),
		E(0x80c000, 0x810000, USABLE),
		E(0x810000, 0x900000, NVS),
		E(0x900000, 0x1e000000, USABLE),
		E(0x1e000000, 0x1e200000, KERNEL),     /* the whole first loader region */
		E(0x1e200000, 0x1e2d5000, USABLE),
		E(0x1e2d5000, 0x1e2e7000, LOADER),
		E(0x1e2e7000, 0x1e2e8000, USABLE),
		E(0x1e2e8000, 0x1e2ec000, LOADER),
		E(0x1e2ec000, 0x1eeb7000, USABLE),
		E(0x1eeb7000, 0x1ef78000, RESERVED),
		E(0x1ef78000, 0x1f8ed000, USABLE),
		E(0x1f8ed000, 0x1fb6d000, RESERVED),
		E(0x1fb6d000, 0x1fb7f000, ACPI),
		E(0x1fb7f000, 0x1fbff000, NVS),
		E(0x1fbff000, 0x1ff58000, USABLE),
		E(0x1ff58000, 0x1ff78000, RESERVED),
		E(0x1ff78000, 0x20000000, NVS),
		E(0xb0000000, 0xc0000000, RESERVED),
	};

	KT_ASSERT_EQ(t, t_init(qemu_uefi_512m, N(qemu_uefi_512m), 0x1e000000, 2 * HOST_MIB), 0);
	t_expect_map(t, want, N(want));
	KT_EXPECT_UEQ(t, memmap_ram_end(), 0x20000000);
	KT_EXPECT_UEQ(t, memmap_bytes(LOADER, 0, UINT64_MAX), 0x12000 + 0x4000);
}

/* QEMU 7.2, OVMF, -m 6G: RAM above 4 GiB, and a loader region up there too. */
static const struct boot_mem_region qemu_uefi_6g[] = {
	R(0x0000000000000000, 0x000000000009ffff, USABLE),
	R(0x0000000000100000, 0x00000000007fffff, USABLE),
	R(0x0000000000800000, 0x0000000000807fff, NVS),
	R(0x0000000000808000, 0x000000000080afff, USABLE),
	R(0x000000000080b000, 0x000000000080bfff, NVS),
	R(0x000000000080c000, 0x000000000080ffff, USABLE),
	R(0x0000000000810000, 0x00000000008fffff, NVS),
	R(0x0000000000900000, 0x000000007dffffff, USABLE),
	R(0x000000007e000000, 0x000000007e1fffff, LOADER),
	R(0x000000007e200000, 0x000000007e2d7fff, USABLE),
	R(0x000000007e2d8000, 0x000000007e2e5fff, LOADER),
	R(0x000000007e2e6000, 0x000000007e2e7fff, USABLE),
	R(0x000000007e2e8000, 0x000000007e2e9fff, LOADER),
	R(0x000000007e2ea000, 0x000000007eeb6fff, USABLE),
	R(0x000000007eeb7000, 0x000000007ef77fff, RESERVED),
	R(0x000000007ef78000, 0x000000007f8ecfff, USABLE),
	R(0x000000007f8ed000, 0x000000007fb6cfff, RESERVED),
	R(0x000000007fb6d000, 0x000000007fb7efff, ACPI),
	R(0x000000007fb7f000, 0x000000007fbfefff, NVS),
	R(0x000000007fbff000, 0x000000007ff57fff, USABLE),
	R(0x000000007ff58000, 0x000000007ff77fff, RESERVED),
	R(0x000000007ff78000, 0x000000007fffffff, NVS),
	R(0x00000000b0000000, 0x00000000bfffffff, RESERVED),
	R(0x0000000100000000, 0x000000013fffffff, USABLE),
	R(0x0000000140000000, 0x0000000140009fff, LOADER),
	R(0x000000014000a000, 0x00000001ffffffff, USABLE),
};

static void qemu_uefi_6g_map(struct ktest *t)
{
	KT_ASSERT_EQ(t, t_init(qemu_uefi_6g, N(qemu_uefi_6g), 0x7e000000, 2 * HOST_MIB), 0);
	t_expect_sane(t);
	KT_EXPECT_EQ(t, memmap_count(), 26);
	KT_EXPECT_UEQ(t, memmap_ram_end(), 8 * HOST_GIB);
	KT_EXPECT_UEQ(t, memmap_bytes(USABLE, 4 * HOST_GIB, UINT64_MAX), 4 * HOST_GIB - 0xa000);
	KT_EXPECT_UEQ(t, memmap_bytes(LOADER, 4 * HOST_GIB, UINT64_MAX), 0xa000);
	KT_EXPECT_UEQ(t, memmap_bytes(KERNEL, 0x7e000000, 0x7e200000), 2 * HOST_MIB);
	KT_EXPECT_UEQ(t, memmap_bytes(LOWMEM, 0, UINT64_MAX), 0xa0000);
}

/* Every captured map keeps every RAM byte the firmware reported, except the trimmed slivers. */
static void qemu_maps_keep_ram(struct ktest *t)
{
	static const struct { const struct boot_mem_region *map; uint32_t n; } maps[] = {
		{ qemu_pvh_512m, N(qemu_pvh_512m) }, { qemu_pvh_6g, N(qemu_pvh_6g) },
		{ qemu_uefi_512m, N(qemu_uefi_512m) }, { qemu_uefi_6g, N(qemu_uefi_6g) },
	};
	uint64_t fw, kept;
	uint32_t m, i;

	for (m = 0; m < N(maps); m++) {
		fw = 0;
		for (i = 0; i < maps[m].n; i++)
			if (maps[m].map[i].type == USABLE || maps[m].map[i].type == LOADER)
				fw += maps[m].map[i].length & PAGE_MASK;
		KT_ASSERT_EQ(t, t_init(maps[m].map, maps[m].n, 0, 0), 0);
		kept = memmap_bytes(USABLE, 0, UINT64_MAX) + memmap_bytes(LOADER, 0, UINT64_MAX) +
		       memmap_bytes(LOWMEM, 0, UINT64_MAX);
		KT_EXPECT_UEQ(t, kept, fw);
	}
}

/* ---- random maps against a byte-by-byte reference ---- */

#define RND_BASE    0x1000000ULL   /* above the first MiB: no low-memory claim */
#define RND_SPAN    0x10000        /* 16 pages of address space, byte granular */
#define RND_MAPS    1500
#define RND_REGIONS 40
#define RND_SEED    0x5eed0001ULL
#define HOLE        0

static uint8_t ref_type[RND_SPAN], got_type[RND_SPAN];

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	return host_xorshift(&rnd_state);
}

/* Restrictiveness as the sanitizer documents it: higher wins. */
static int ref_rank(uint32_t type)
{
	static const uint32_t order[] = { HOLE, USABLE, LOADER, ACPI, NVS, BADRAM, RESERVED };
	int r;

	for (r = 0; r < (int)N(order); r++)
		if (order[r] == type)
			return r;
	return (int)N(order) - 1;
}

/* The slow, obvious answer: each byte's winning type, then partial pages of RAM dropped. */
static void ref_build(const struct boot_mem_region *in, uint32_t n)
{
	uint32_t i, type;
	uint64_t b, p;
	bool whole;

	memset(ref_type, HOLE, sizeof(ref_type));
	for (i = 0; i < n; i++) {
		type = ref_rank(in[i].type) == ref_rank(RESERVED) ? RESERVED : in[i].type;
		for (b = in[i].base - RND_BASE; b < in[i].base - RND_BASE + in[i].length; b++)
			if (ref_rank(type) > ref_rank(ref_type[b]))
				ref_type[b] = (uint8_t)type;
	}
	for (p = 0; p < RND_SPAN; p += PAGE_SIZE) {
		whole = memcmp(ref_type + p, ref_type + p + 1, PAGE_SIZE - 1) == 0;
		for (b = p; b < p + PAGE_SIZE && !whole; b++)
			if (ref_type[b] == USABLE || ref_type[b] == LOADER)
				ref_type[b] = HOLE;
	}
}

/* Paint the sanitized map over the test window. */
static void got_build(void)
{
	const struct memmap_region *r;
	uint64_t b, e;
	uint32_t i;

	memset(got_type, HOLE, sizeof(got_type));
	for (i = 0; (r = memmap_get(i)) != NULL; i++) {
		b = r->base < RND_BASE ? RND_BASE : r->base;
		e = r->end > RND_BASE + RND_SPAN ? RND_BASE + RND_SPAN : r->end;
		if (b < e)
			memset(got_type + (b - RND_BASE), (int)r->type, e - b);
	}
}

/* One random region inside the window; some empty, some of unknown type. */
static struct boot_mem_region rnd_region(void)
{
	static const uint32_t types[] = {
		USABLE, USABLE, USABLE, LOADER, ACPI, NVS, BADRAM, RESERVED, T_UNKNOWN_TYPE,
	};
	uint64_t off = rnd() % RND_SPAN;
	uint64_t len = rnd() % 4 == 0 ? rnd() % 64 : rnd() % (RND_SPAN - off + 1);

	/* Half of the bases on a page boundary, so whole pages actually occur. */
	if (rnd() % 2)
		off &= PAGE_MASK;
	if (off + len > RND_SPAN)
		len = RND_SPAN - off;
	return (struct boot_mem_region){ RND_BASE + off, len, types[rnd() % N(types)], 0 };
}

static void random_maps_match_reference(struct ktest *t)
{
	struct boot_mem_region in[RND_REGIONS];
	uint32_t m, i, n;
	uint64_t at;

	rnd_state = RND_SEED;
	for (m = 0; m < RND_MAPS; m++) {
		n = 1 + (uint32_t)(rnd() % RND_REGIONS);
		for (i = 0; i < n; i++)
			in[i] = rnd_region();
		t_init(in, n, 0, 0);
		ref_build(in, n);
		got_build();
		t_expect_sane(t);
		if (memcmp(ref_type, got_type, RND_SPAN) != 0) {
			for (at = 0; ref_type[at] == got_type[at]; at++)
				;
			KT_FAIL(t, "map %u: byte 0x%llx is %s, the reference says %s", m,
				(unsigned long long)(RND_BASE + at), memmap_type_name(got_type[at]),
				memmap_type_name(ref_type[at]));
		}
	}
}

/*
 * A full boot_info whose regions cut each other into 2N - 1 pieces still
 * fits; a claim that would overflow the map is reported, keeping the
 * lowest regions.
 */
static void worst_case_fills_the_map(struct ktest *t)
{
	static struct boot_mem_region in[BOOT_MEMMAP_MAX];
	unsigned long errs = log_count(LOG_ERR);
	uint32_t i;

	/* usable over 767 pages, and a reserved page at 2, 5, 8, ... 764 */
	in[0] = (struct boot_mem_region){ RND_BASE, 767 * PAGE_SIZE, USABLE, 0 };
	for (i = 1; i < BOOT_MEMMAP_MAX; i++)
		in[i] = (struct boot_mem_region){ RND_BASE + (3 * i - 1) * PAGE_SIZE,
						  PAGE_SIZE, RESERVED, 0 };
	KT_ASSERT_EQ(t, t_init(in, BOOT_MEMMAP_MAX, 0, 0), 0);
	t_expect_sane(t);
	KT_EXPECT_EQ(t, memmap_count(), 2 * BOOT_MEMMAP_MAX - 1);
	KT_EXPECT_EQ(t, memmap_claim(RND_BASE, PAGE_SIZE, MEMMAP_KERNEL), 0);
	KT_EXPECT_EQ(t, memmap_count(), MEMMAP_MAX_REGIONS);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs);
	KT_EXPECT_EQ(t, memmap_claim(RND_BASE + 3 * PAGE_SIZE, PAGE_SIZE, MEMMAP_KERNEL), -E2BIG);
	KT_EXPECT_EQ(t, memmap_count(), MEMMAP_MAX_REGIONS);
	KT_EXPECT_EQ(t, log_count(LOG_ERR), errs + 1);
	KT_EXPECT_SUBSTR(t, host_log_last(), "memory map full (512 regions, MEMMAP_MAX_REGIONS)");
	KT_EXPECT_UEQ(t, memmap_get(0)->base, RND_BASE);
	t_expect_sane(t);
}

KTEST_SUITE(memmap,
	    KTEST_CASE(clean_map_and_claims),
	    KTEST_CASE(unsorted_input),
	    KTEST_CASE(overlap_most_restrictive_wins),
	    KTEST_CASE(nested_regions),
	    KTEST_CASE(empty_and_touching),
	    KTEST_CASE(unaligned_ram_trimmed),
	    KTEST_CASE(unknown_type_and_overflow),
	    KTEST_CASE(no_usable_ram),
	    KTEST_CASE(claims_cover_only_ram),
	    KTEST_CASE(early_alloc_takes_highest),
	    KTEST_CASE(qemu_pvh_512m_map),
	    KTEST_CASE(qemu_pvh_6g_map),
	    KTEST_CASE(qemu_uefi_512m_map),
	    KTEST_CASE(qemu_uefi_6g_map),
	    KTEST_CASE(qemu_maps_keep_ram),
	    KTEST_CASE(random_maps_match_reference),
	    KTEST_CASE(worst_case_fills_the_map));
