/*
 * boot_test.c - what the boot path handed over: the same on PVH and UEFI.
 */
#include "boot/boot_info.h"
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/string.h"

#define RSDP_SIGNATURE   "RSD PTR "
#define RSDP_V1_LENGTH   20       /* bytes covered by the ACPI 1.0 checksum */

extern struct boot_info boot_info;

static void info_header(struct ktest *t)
{
	KT_EXPECT_UEQ(t, boot_info.magic, BOOT_INFO_MAGIC);
	KT_EXPECT_EQ(t, boot_info.version, BOOT_INFO_VERSION);
	KT_EXPECT_TRUE(t, boot_info.boot_path == BOOT_PATH_PVH ||
			  boot_info.boot_path == BOOT_PATH_UEFI);
	KT_EXPECT_GT(t, strlen(boot_info.firmware), 0);
	KT_EXPECT_UEQ(t, boot_info.kernel_phys % BOOT_KERNEL_ALIGN, 0);
}

/* Frames the page allocator manages, in bytes: all from the map's RAM. */
static uint64_t managed_bytes(void)
{
	struct zone_stats zs;
	uint64_t bytes = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		page_alloc_zone_stats((enum zone_type)z, &zs);
		bytes += zs.present_pages * PAGE_SIZE;
	}
	return bytes;
}

/* Sorted, non-overlapping, and holding the RAM the kernel runs in: the
 * image and every frame the page allocator manages (whatever -m says;
 * no minimum is assumed). */
static void memory_map_sane(struct ktest *t)
{
	uint64_t usable = 0;

	KT_ASSERT_GT(t, boot_info.mem_count, 0);
	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		KT_EXPECT_GT(t, r->length, 0);
		if (i > 0)
			KT_EXPECT_UGE(t, r->base, boot_info.mem[i - 1].base +
						     boot_info.mem[i - 1].length);
		if (r->type == BOOT_MEM_USABLE || r->type == BOOT_MEM_LOADER)
			usable += r->length;
	}
	KT_EXPECT_GT(t, managed_bytes(), 0);
	KT_EXPECT_UGE(t, usable, managed_bytes() + boot_info.kernel_size);
	ktest_printf("    # %s: %llu KiB usable, %llu KiB managed by the page allocator\n",
		     t->name, (unsigned long long)(usable >> 10),
		     (unsigned long long)(managed_bytes() >> 10));
}

/* The image must sit in RAM the map calls usable or loader-owned. */
static void kernel_in_ram(struct ktest *t)
{
	uint64_t lo = boot_info.kernel_phys, hi = lo + boot_info.kernel_size;
	bool inside = false;

	for (uint32_t i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		if ((r->type == BOOT_MEM_USABLE || r->type == BOOT_MEM_LOADER) &&
		    r->base <= lo && hi <= r->base + r->length)
			inside = true;
	}
	KT_EXPECT_TRUE(t, inside);
}

/* The kernel mapping and the direct map agree on where the image is:
 * this holds wherever the loader put it. */
static void kernel_mapping_matches_direct_map(struct ktest *t)
{
	static volatile uint64_t marker = 0x5a5aa5a5deadbeefULL;
	volatile uint64_t *alias = phys_to_virt(virt_to_phys((const void *)&marker));

	KT_ASSERT_TRUE(t, (const void *)alias != (const void *)&marker);
	KT_EXPECT_UEQ(t, *alias, 0x5a5aa5a5deadbeefULL);
	*alias = 0x0123456789abcdefULL;
	KT_EXPECT_UEQ(t, marker, 0x0123456789abcdefULL);
	KT_EXPECT_UEQ(t, virt_to_phys(__kernel_start), boot_info.kernel_phys);
}

/* The firmware's RSDP: signature and ACPI 1.0 checksum. A scenario
 * whose firmware builds no ACPI tables (-machine acpi=off under OVMF)
 * says so with ktest.acpi=absent: then there must be none. */
static void rsdp_found(struct ktest *t)
{
	const char *acpi = cmdline_get(&kernel_cmdline, "ktest.acpi");
	const uint8_t *p;
	uint8_t sum = 0;

	if (acpi && strcmp(acpi, "absent") == 0) {
		KT_EXPECT_UEQ(t, boot_info.rsdp_phys, 0);
		KT_SKIP(t, "the scenario's firmware builds no ACPI tables (ktest.acpi=absent)");
	}
	KT_ASSERT_NE(t, boot_info.rsdp_phys, 0);
	p = phys_to_virt(boot_info.rsdp_phys);
	KT_EXPECT_MEMEQ(t, p, RSDP_SIGNATURE, 8);
	for (int i = 0; i < RSDP_V1_LENGTH; i++)
		sum += p[i];
	KT_EXPECT_EQ(t, sum, 0);
}

KTEST_SUITE(boot, KTEST_CASE(info_header), KTEST_CASE(memory_map_sane),
	    KTEST_CASE(kernel_in_ram), KTEST_CASE(kernel_mapping_matches_direct_map),
	    KTEST_CASE(rsdp_found));
