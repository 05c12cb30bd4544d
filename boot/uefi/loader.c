/*
 * loader.c - BOOTX64.EFI: load \EFI\BOOT\kernel.elf and start it.
 *
 * The UEFI half of Busmaster's boot (the other half is QEMU's PVH direct
 * boot). OVMF finds no boot variable for a fresh disk, so its boot manager
 * runs the removable-media default, \EFI\BOOT\BOOTX64.EFI on the ESP
 * (UEFI 2.x, "Boot Manager", "Boot Option Variables Default Boot
 * Behavior"). efi_main() then works through these steps:
 *
 *   1. open the volume the loader came from ("EFI Loaded Image Protocol",
 *      "Simple File System Protocol") and read kernel.elf from it;
 *   2. check the ELF and copy it to fresh 2 MiB aligned memory below 4 GiB
 *      ("Memory Allocation Services"; elf_load.c);
 *   3. fill struct boot_info: ACPI RSDP from the configuration table,
 *      firmware name, and the command line from LoadOptions or from
 *      \EFI\BOOT\cmdline.txt (text.c);
 *   4. build the kernel's page tables (pagetable.c);
 *   5. ExitBootServices() with a fresh memory map key, convert that map
 *      (memmap.c) and jump to the kernel (enter.S).
 *
 * Progress and errors go to ConOut, which OVMF mirrors to COM1, so they
 * land in the serial log. Every failure before ExitBootServices() prints
 * one "busmaster-loader: error:" line, undoes what was done and returns
 * the status to the firmware. After ExitBootServices() nothing here calls
 * the firmware again.
 */
#include <stdbool.h>
#include "boot/boot_info.h"
#include "boot/uefi/efi.h"
#include "boot/uefi/elf_load.h"
#include "boot/uefi/memmap.h"
#include "boot/uefi/pagetable.h"
#include "boot/uefi/text.h"

#define UEFI_LOG_PREFIX     "busmaster-loader: "
#define UEFI_KERNEL_PATH    "\\EFI\\BOOT\\kernel.elf"
#define UEFI_CMDLINE_PATH   "\\EFI\\BOOT\\cmdline.txt"
#define UEFI_PATH_MAX       64       /* UCS-2 units for a file name */
#define UEFI_MSG_MAX        256      /* one console message */
#define UEFI_CON_CHUNK      64       /* UCS-2 units per OutputString() call */
#define UEFI_BELOW_4G       (BOOT_MIN_MAPPED - 1)  /* highest address to allocate */
#define UEFI_MAP_SLACK      8        /* spare descriptors: allocating splits regions */
#define UEFI_MAP_TRIES      4        /* buffer regrowths for GetMemoryMap() */
#define UEFI_EXIT_TRIES     4        /* ExitBootServices() attempts */
#define X86_CR4_LA57        (1ULL << 12)   /* 5-level paging is on */

/* Provided by enter.S; does not return. */
void uefi_enter_kernel(uint64_t pml4_phys, uint64_t boot_info_phys,
		       uint64_t entry) __attribute__((noreturn));

static const efi_guid_t uefi_loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static const efi_guid_t uefi_file_system_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static const efi_guid_t uefi_acpi20_guid = EFI_ACPI_20_TABLE_GUID;
static const efi_guid_t uefi_acpi10_guid = EFI_ACPI_10_TABLE_GUID;

/* Everything the steps share, from firmware handles to the final map. */
struct uefi_loader {
	efi_handle_t image;
	struct efi_system_table *st;
	struct efi_boot_services *bs;
	struct efi_loaded_image_protocol *loaded;
	struct efi_file_protocol *root;       /* the ESP's root directory */

	struct elf_plan plan;                 /* where kernel.elf's bytes go */
	efi_phys_addr_t kernel_phys;          /* plan.span bytes, 2 MiB aligned */
	struct boot_info *info;               /* identity-mapped, below 4 GiB */
	struct uefi_pt_layout pt;
	efi_phys_addr_t tables_phys;          /* pt.pages pages of tables */
	uint64_t pml4_phys;                   /* the value for CR3 */

	void *map;                            /* memory map buffer (pool) */
	efi_uintn_t map_capacity;             /* bytes allocated */
	efi_uintn_t map_size;                 /* bytes GetMemoryMap() filled */
	efi_uintn_t map_key;
	efi_uintn_t desc_size;
	uint32_t desc_version;
};

/* ---- console ---- */

/* Write ASCII to ConOut, turning "\n" into the "\r\n" a terminal needs. */
static void uefi_print(struct uefi_loader *ldr, const char *s)
{
	struct efi_simple_text_output_protocol *con = ldr->st->con_out;
	efi_char16_t chunk[UEFI_CON_CHUNK + 1];
	size_t n = 0;

	if (!con)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			chunk[n++] = '\r';
		chunk[n++] = (uint8_t)*s;
		if (n >= UEFI_CON_CHUNK - 1 || !s[1]) {
			chunk[n] = 0;
			con->output_string(con, chunk);
			n = 0;
		}
	}
}

/* One progress line: the prefix, @what, @detail (may be NULL), any length. */
static void uefi_say(struct uefi_loader *ldr, const char *what, const char *detail)
{
	uefi_print(ldr, UEFI_LOG_PREFIX);
	uefi_print(ldr, what);
	if (detail)
		uefi_print(ldr, detail);
	uefi_print(ldr, "\n");
}

/* Print an error line naming @what and @status; return @status to pass up. */
static efi_status_t uefi_fail(struct uefi_loader *ldr, efi_status_t status,
			      const char *what, const char *detail)
{
	char msg[UEFI_MSG_MAX];
	struct uefi_strbuf sb;

	uefi_sb_init(&sb, msg, sizeof(msg));
	uefi_sb_puts(&sb, UEFI_LOG_PREFIX "error: ");
	uefi_sb_puts(&sb, what);
	if (detail)
		uefi_sb_puts(&sb, detail);
	uefi_sb_puts(&sb, " (EFI status ");
	uefi_sb_put_hex(&sb, status);
	uefi_sb_puts(&sb, ")");
	uefi_print(ldr, msg);
	uefi_print(ldr, "\n");
	return status;
}

/* ---- memory ---- */

/* Whole 4 KiB pages needed for @bytes. */
static efi_uintn_t uefi_pages(uint64_t bytes)
{
	return (bytes + EFI_PAGE_SIZE - 1) >> EFI_PAGE_SHIFT;
}

/* Zeroed EfiLoaderData pages below 4 GiB, where the kernel can reach them. */
static efi_status_t uefi_alloc_low(struct uefi_loader *ldr, efi_uintn_t pages,
				   efi_phys_addr_t *phys, const char *what)
{
	efi_status_t status;

	*phys = UEFI_BELOW_4G;
	status = ldr->bs->allocate_pages(EFI_ALLOCATE_MAX_ADDRESS, EFI_LOADER_DATA,
					 pages, phys);
	if (EFI_IS_ERROR(status))
		return uefi_fail(ldr, status, "cannot allocate memory below 4 GiB for ", what);
	__builtin_memset((void *)(uintptr_t)*phys, 0, pages * EFI_PAGE_SIZE);
	return EFI_SUCCESS;
}

/*
 * @bytes (a multiple of 2 MiB) of EfiLoaderData below 4 GiB at a 2 MiB
 * boundary. UEFI can only promise 4 KiB alignment, so take 2 MiB - 4 KiB
 * more than needed and give back the unaligned head and the tail.
 */
static efi_status_t uefi_alloc_kernel_span(struct uefi_loader *ldr,
					   uint64_t bytes, efi_phys_addr_t *phys)
{
	efi_uintn_t pages = uefi_pages(bytes + BOOT_KERNEL_ALIGN - EFI_PAGE_SIZE);
	efi_phys_addr_t base = UEFI_BELOW_4G, aligned;
	efi_uintn_t head, tail;
	efi_status_t status;

	status = ldr->bs->allocate_pages(EFI_ALLOCATE_MAX_ADDRESS, EFI_LOADER_DATA,
					 pages, &base);
	if (EFI_IS_ERROR(status))
		return uefi_fail(ldr, status, "cannot allocate 2 MiB aligned memory "
				 "below 4 GiB for the kernel image", NULL);
	aligned = (base + BOOT_KERNEL_ALIGN - 1) & ~(BOOT_KERNEL_ALIGN - 1);
	head = uefi_pages(aligned - base);
	tail = pages - head - uefi_pages(bytes);
	if (head)
		ldr->bs->free_pages(base, head);
	if (tail)
		ldr->bs->free_pages(aligned + bytes, tail);
	*phys = aligned;
	return EFI_SUCCESS;
}

/* ---- files ---- */

/* Find the file system the loader itself was read from and open its root. */
static efi_status_t uefi_open_volume(struct uefi_loader *ldr)
{
	struct efi_simple_file_system_protocol *fs;
	efi_status_t status;

	status = ldr->bs->open_protocol(ldr->image, &uefi_loaded_image_guid,
					(void **)&ldr->loaded, ldr->image, NULL,
					EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	if (EFI_IS_ERROR(status))
		return uefi_fail(ldr, status, "no EFI_LOADED_IMAGE_PROTOCOL on the loader", NULL);
	status = ldr->bs->open_protocol(ldr->loaded->device_handle,
					&uefi_file_system_guid, (void **)&fs,
					ldr->image, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL);
	if (EFI_IS_ERROR(status))
		return uefi_fail(ldr, status, "the boot device has no "
				 "EFI_SIMPLE_FILE_SYSTEM_PROTOCOL", NULL);
	status = fs->open_volume(fs, &ldr->root);
	if (EFI_IS_ERROR(status))
		return uefi_fail(ldr, status, "cannot open the boot volume", NULL);
	return EFI_SUCCESS;
}

/* Open the ASCII @path read-only, relative to the volume root. */
static efi_status_t uefi_file_open(struct uefi_loader *ldr, const char *path,
				   struct efi_file_protocol **file)
{
	efi_char16_t name[UEFI_PATH_MAX];
	size_t i;

	for (i = 0; path[i] && i < UEFI_PATH_MAX - 1; i++)
		name[i] = (uint8_t)path[i];
	name[i] = 0;
	return ldr->root->open(ldr->root, file, name, EFI_FILE_MODE_READ, 0);
}

/* A file's size: seek to the end, ask where that is, seek back. */
static efi_status_t uefi_file_size(struct efi_file_protocol *file, uint64_t *size)
{
	efi_status_t status;

	status = file->set_position(file, EFI_FILE_POSITION_END);
	if (!EFI_IS_ERROR(status))
		status = file->get_position(file, size);
	if (!EFI_IS_ERROR(status))
		status = file->set_position(file, 0);
	return status;
}

/* Read exactly @size bytes: Read() may return fewer than asked. */
static efi_status_t uefi_file_read_all(struct efi_file_protocol *file,
				       void *buf, uint64_t size)
{
	uint8_t *p = buf;
	efi_uintn_t got;
	efi_status_t status;

	while (size) {
		got = size;
		status = file->read(file, &got, p);
		if (EFI_IS_ERROR(status))
			return status;
		if (got == 0)
			return EFI_END_OF_FILE;   /* shorter than it said */
		p += got;
		size -= got;
	}
	return EFI_SUCCESS;
}

/*
 * Read all of @path into pool memory the caller frees. A missing file is
 * an error unless @optional, when EFI_NOT_FOUND comes back silently.
 */
static efi_status_t uefi_read_file(struct uefi_loader *ldr, const char *path,
				   bool optional, void **buf, uint64_t *size)
{
	struct efi_file_protocol *file;
	efi_status_t status;

	status = uefi_file_open(ldr, path, &file);
	if (status == EFI_NOT_FOUND && optional)
		return status;
	if (EFI_IS_ERROR(status))
		return uefi_fail(ldr, status, "cannot open ", path);
	status = uefi_file_size(file, size);
	if (EFI_IS_ERROR(status)) {
		uefi_fail(ldr, status, "cannot find the size of ", path);
		goto close;
	}
	status = ldr->bs->allocate_pool(EFI_LOADER_DATA, *size ? *size : 1, buf);
	if (EFI_IS_ERROR(status)) {
		uefi_fail(ldr, status, "out of memory reading ", path);
		goto close;
	}
	status = uefi_file_read_all(file, *buf, *size);
	if (EFI_IS_ERROR(status)) {
		uefi_fail(ldr, status, "cannot read ", path);
		goto free;
	}
	goto close;

free:
	ldr->bs->free_pool(*buf);
	*buf = NULL;
close:
	file->close(file);
	return status;
}

/* ---- kernel image ---- */

/* Say which ELF field made kernel.elf unacceptable. */
static efi_status_t uefi_fail_elf(struct uefi_loader *ldr, enum elf_error err)
{
	char what[UEFI_MSG_MAX];
	struct uefi_strbuf sb;

	uefi_sb_init(&sb, what, sizeof(what));
	uefi_sb_puts(&sb, UEFI_KERNEL_PATH ": ");
	if (ldr->plan.bad_phdr >= 0) {
		uefi_sb_puts(&sb, "program header ");
		uefi_sb_put_dec(&sb, (uint64_t)ldr->plan.bad_phdr);
		uefi_sb_puts(&sb, ": ");
	}
	return uefi_fail(ldr, EFI_LOAD_ERROR, what, elf_error_string(err));
}

/* Read kernel.elf, check it, and copy it into 2 MiB aligned memory. */
static efi_status_t uefi_load_kernel(struct uefi_loader *ldr)
{
	enum elf_error err;
	efi_status_t status;
	uint64_t size;
	void *file;

	status = uefi_read_file(ldr, UEFI_KERNEL_PATH, false, &file, &size);
	if (EFI_IS_ERROR(status))
		return status;
	err = elf_plan_image(file, size, &ldr->plan);
	if (err != ELF_OK) {
		status = uefi_fail_elf(ldr, err);
		goto free_file;
	}
	status = uefi_alloc_kernel_span(ldr, ldr->plan.span, &ldr->kernel_phys);
	if (EFI_IS_ERROR(status))
		goto free_file;
	elf_copy_image(file, &ldr->plan, (void *)(uintptr_t)ldr->kernel_phys);

free_file:
	ldr->bs->free_pool(file);
	return status;
}

/* ---- boot_info ---- */

/* True if two GUIDs are the same 128 bits. */
static bool uefi_guid_equal(const efi_guid_t *a, const efi_guid_t *b)
{
	const uint8_t *pa = (const uint8_t *)a, *pb = (const uint8_t *)b;
	size_t i;

	for (i = 0; i < sizeof(*a); i++)
		if (pa[i] != pb[i])
			return false;
	return true;
}

/* The ACPI RSDP: the ACPI 2.0 table if the firmware has one, else 1.0, else 0. */
static uint64_t uefi_find_rsdp(const struct efi_system_table *st)
{
	uint64_t rsdp_v1 = 0;
	efi_uintn_t i;

	for (i = 0; i < st->number_of_table_entries; i++) {
		const struct efi_configuration_table *ct = &st->configuration_table[i];

		if (uefi_guid_equal(&ct->vendor_guid, &uefi_acpi20_guid))
			return (uintptr_t)ct->vendor_table;
		if (uefi_guid_equal(&ct->vendor_guid, &uefi_acpi10_guid))
			rsdp_v1 = (uintptr_t)ct->vendor_table;
	}
	return rsdp_v1;
}

/* Allocate boot_info and fill in all but the command line and memory map. */
static efi_status_t uefi_build_boot_info(struct uefi_loader *ldr)
{
	struct boot_info *info;
	efi_phys_addr_t phys;
	efi_status_t status;

	status = uefi_alloc_low(ldr, uefi_pages(sizeof(*info)), &phys, "boot_info");
	if (EFI_IS_ERROR(status))
		return status;
	info = (struct boot_info *)(uintptr_t)phys;
	info->magic = BOOT_INFO_MAGIC;
	info->version = BOOT_INFO_VERSION;
	info->boot_path = BOOT_PATH_UEFI;
	info->rsdp_phys = uefi_find_rsdp(ldr->st);
	info->kernel_phys = ldr->kernel_phys;
	info->kernel_size = ldr->plan.span;
	uefi_firmware_describe(ldr->st->firmware_vendor, ldr->st->firmware_revision,
			       info->firmware, sizeof(info->firmware));
	ldr->info = info;
	return EFI_SUCCESS;
}

/* Report (without failing the boot) a command line cut to fit boot_info. */
static void uefi_fail_truncated(struct uefi_loader *ldr, const char *source)
{
	char what[UEFI_MSG_MAX];
	struct uefi_strbuf sb;

	uefi_sb_init(&sb, what, sizeof(what));
	uefi_sb_puts(&sb, "the command line from ");
	uefi_sb_puts(&sb, source);
	uefi_sb_puts(&sb, " is longer than ");
	uefi_sb_put_dec(&sb, BOOT_CMDLINE_MAX - 1);
	uefi_sb_puts(&sb, " bytes; truncated");
	uefi_fail(ldr, EFI_BAD_BUFFER_SIZE, what, NULL);
}

/* The command line: LoadOptions if they hold text, else cmdline.txt, else "". */
static efi_status_t uefi_load_cmdline(struct uefi_loader *ldr)
{
	char *out = ldr->info->cmdline;
	const char *source = "load options";
	enum uefi_cmdline_result res;
	efi_status_t status;
	uint64_t size;
	void *text;

	res = uefi_cmdline_from_options(ldr->loaded->load_options,
					ldr->loaded->load_options_size,
					out, BOOT_CMDLINE_MAX);
	if (res == UEFI_CMDLINE_NONE) {
		source = UEFI_CMDLINE_PATH;
		status = uefi_read_file(ldr, UEFI_CMDLINE_PATH, true, &text, &size);
		if (status == EFI_NOT_FOUND)
			return EFI_SUCCESS;      /* no file: an empty command line */
		if (EFI_IS_ERROR(status))
			return status;
		res = uefi_cmdline_from_file(text, size, out, BOOT_CMDLINE_MAX);
		ldr->bs->free_pool(text);
	}
	if (res == UEFI_CMDLINE_TRUNCATED)
		uefi_fail_truncated(ldr, source);
	if (res != UEFI_CMDLINE_NONE)
		uefi_say(ldr, "cmdline: ", out);
	return EFI_SUCCESS;
}

/* ---- page tables and the memory map ---- */

/* Read the memory map into the buffer as it stands: no allocation, no output. */
static efi_status_t uefi_map_fetch(struct uefi_loader *ldr)
{
	ldr->map_size = ldr->map_capacity;
	return ldr->bs->get_memory_map(&ldr->map_size, ldr->map, &ldr->map_key,
				       &ldr->desc_size, &ldr->desc_version);
}

/* (Re)allocate the map buffer: the current size plus a few spare descriptors. */
static efi_status_t uefi_map_reserve(struct uefi_loader *ldr)
{
	efi_uintn_t need = 0, key, desc_size;
	uint32_t desc_version;
	efi_status_t status;

	status = ldr->bs->get_memory_map(&need, NULL, &key, &desc_size, &desc_version);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status;
	if (ldr->map)
		ldr->bs->free_pool(ldr->map);
	ldr->map = NULL;
	ldr->map_capacity = need + UEFI_MAP_SLACK * desc_size;
	return ldr->bs->allocate_pool(EFI_LOADER_DATA, ldr->map_capacity, &ldr->map);
}

/* The current memory map, growing the buffer as needed. Boot services only. */
static efi_status_t uefi_map_get(struct uefi_loader *ldr)
{
	efi_status_t status = ldr->map ? uefi_map_fetch(ldr) : EFI_BUFFER_TOO_SMALL;
	unsigned int tries;

	for (tries = 0; status == EFI_BUFFER_TOO_SMALL && tries < UEFI_MAP_TRIES; tries++) {
		status = uefi_map_reserve(ldr);
		if (!EFI_IS_ERROR(status))
			status = uefi_map_fetch(ldr);
	}
	if (EFI_IS_ERROR(status))
		return uefi_fail(ldr, status, "cannot get the memory map", NULL);
	return EFI_SUCCESS;
}

/* Read CR4 to see whether the firmware runs 5-level paging. */
static bool uefi_paging_is_5_level(void)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	return (cr4 & X86_CR4_LA57) != 0;
}

/* Refuse a machine whose memory the tables cannot cover, saying how far it reaches. */
static efi_status_t uefi_fail_pt(struct uefi_loader *ldr, enum uefi_pt_error err,
				 uint64_t mem_top)
{
	char what[UEFI_MSG_MAX];
	struct uefi_strbuf sb;

	if (err != UEFI_PT_ERR_TOO_MUCH_RAM)
		return uefi_fail(ldr, EFI_UNSUPPORTED, "the kernel image range "
				 "cannot be mapped", NULL);
	uefi_sb_init(&sb, what, sizeof(what));
	uefi_sb_puts(&sb, "the memory map reaches ");
	uefi_sb_put_hex(&sb, mem_top);
	uefi_sb_puts(&sb, ", past the 512 GiB the loader's page tables can map");
	return uefi_fail(ldr, EFI_UNSUPPORTED, what, NULL);
}

/* Size the tables from the memory map, allocate them and fill them in. */
static efi_status_t uefi_build_page_tables(struct uefi_loader *ldr)
{
	enum uefi_pt_error err;
	efi_status_t status;
	uint64_t mem_top;

	if (uefi_paging_is_5_level())
		return uefi_fail(ldr, EFI_UNSUPPORTED, "the firmware runs 5-level "
				 "paging (CR4.LA57); this loader builds 4-level tables", NULL);
	status = uefi_map_get(ldr);
	if (EFI_IS_ERROR(status))
		return status;
	mem_top = uefi_memmap_top(ldr->map, ldr->map_size, ldr->desc_size);
	err = uefi_pt_plan(&ldr->pt, mem_top, ldr->plan.min_vaddr, ldr->plan.span);
	if (err != UEFI_PT_OK)
		return uefi_fail_pt(ldr, err, mem_top);
	status = uefi_alloc_low(ldr, ldr->pt.pages, &ldr->tables_phys, "page tables");
	if (EFI_IS_ERROR(status))
		return status;
	ldr->pml4_phys = uefi_pt_build(&ldr->pt, (void *)(uintptr_t)ldr->tables_phys,
				       ldr->tables_phys, ldr->kernel_phys);
	return EFI_SUCCESS;
}

/* The last line before the console goes away: where the kernel is and starts. */
static void uefi_say_start(struct uefi_loader *ldr)
{
	char msg[UEFI_MSG_MAX];
	struct uefi_strbuf sb;

	uefi_sb_init(&sb, msg, sizeof(msg));
	uefi_sb_puts(&sb, "kernel at phys ");
	uefi_sb_put_hex(&sb, ldr->kernel_phys);
	uefi_sb_puts(&sb, " (");
	uefi_sb_put_hex(&sb, ldr->plan.span);
	uefi_sb_puts(&sb, " bytes), entry ");
	uefi_sb_put_hex(&sb, ldr->plan.entry);
	uefi_sb_puts(&sb, ", identity map to ");
	uefi_sb_put_hex(&sb, ldr->pt.map_top);
	uefi_sb_puts(&sb, "; exiting boot services");
	uefi_say(ldr, msg, NULL);
}

/*
 * ExitBootServices() with the key of the map just read. If the map changed
 * in between (a timer event may allocate), the call fails with
 * EFI_INVALID_PARAMETER; from then on only GetMemoryMap() may be called,
 * so read the map again into the same buffer and retry. Prints nothing.
 */
static efi_status_t uefi_exit_boot_services(struct uefi_loader *ldr)
{
	efi_status_t status;
	unsigned int tries;

	for (tries = 1; ; tries++) {
		status = ldr->bs->exit_boot_services(ldr->image, ldr->map_key);
		if (status != EFI_INVALID_PARAMETER || tries == UEFI_EXIT_TRIES)
			return status;
		status = uefi_map_fetch(ldr);
		if (EFI_IS_ERROR(status))
			return status;
	}
}

/* After ExitBootServices(): the final map into boot_info, then the kernel. */
static void __attribute__((noreturn)) uefi_start_kernel(struct uefi_loader *ldr)
{
	struct boot_info *info = ldr->info;
	bool truncated;

	info->mem_count = uefi_memmap_convert(ldr->map, ldr->map_size, ldr->desc_size,
					      info->mem, BOOT_MEMMAP_MAX, &truncated);
	info->mem_truncated = truncated;
	uefi_enter_kernel(ldr->pml4_phys, (uintptr_t)info, ldr->plan.entry);
}

/* Steps 1-3, everything read from the ESP; on failure nothing stays allocated. */
static efi_status_t uefi_load_inputs(struct uefi_loader *ldr)
{
	efi_status_t status = uefi_open_volume(ldr);

	if (EFI_IS_ERROR(status))
		return status;
	status = uefi_load_kernel(ldr);
	if (EFI_IS_ERROR(status))
		goto close_volume;
	status = uefi_build_boot_info(ldr);
	if (EFI_IS_ERROR(status))
		goto free_kernel;
	status = uefi_load_cmdline(ldr);
	if (EFI_IS_ERROR(status))
		goto free_info;
	goto close_volume;      /* success: all files are read */

free_info:
	ldr->bs->free_pages((uintptr_t)ldr->info, uefi_pages(sizeof(*ldr->info)));
free_kernel:
	ldr->bs->free_pages(ldr->kernel_phys, uefi_pages(ldr->plan.span));
close_volume:
	ldr->root->close(ldr->root);
	ldr->root = NULL;
	return status;
}

/* Undo a successful uefi_load_inputs(): give back boot_info and the image. */
static void uefi_free_inputs(struct uefi_loader *ldr)
{
	ldr->bs->free_pages((uintptr_t)ldr->info, uefi_pages(sizeof(*ldr->info)));
	ldr->bs->free_pages(ldr->kernel_phys, uefi_pages(ldr->plan.span));
}

/**
 * efi_main - the loader's entry point, called by the firmware's StartImage().
 * @image: this image's handle
 * @st: the EFI system table
 *
 * Return: does not return on success; otherwise the EFI status of the step
 * that failed, after an error line on the console and after freeing what
 * the earlier steps allocated.
 */
efi_status_t EFIAPI efi_main(efi_handle_t image, struct efi_system_table *st)
{
	struct uefi_loader ldr = { .image = image, .st = st, .bs = st->boot_services };
	efi_status_t status;

	uefi_say(&ldr, "loading ", UEFI_KERNEL_PATH);
	status = uefi_load_inputs(&ldr);
	if (EFI_IS_ERROR(status))
		return status;
	status = uefi_build_page_tables(&ldr);
	if (EFI_IS_ERROR(status))
		goto free_map;
	uefi_say_start(&ldr);
	status = uefi_map_get(&ldr);    /* the last allocation and the last output */
	if (EFI_IS_ERROR(status))
		goto free_tables;
	status = uefi_exit_boot_services(&ldr);
	if (EFI_IS_ERROR(status))
		return status;    /* boot services may be half gone: touch nothing */
	uefi_start_kernel(&ldr);

free_tables:
	ldr.bs->free_pages(ldr.tables_phys, ldr.pt.pages);
free_map:
	if (ldr.map)
		ldr.bs->free_pool(ldr.map);
	uefi_free_inputs(&ldr);
	return status;
}
