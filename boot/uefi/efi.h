/*
 * efi.h - the UEFI tables and protocols BOOTX64.EFI calls through.
 *
 * Written from the UEFI 2.x specification for x64: "EFI System Table"
 * (EFI_TABLE_HEADER, EFI_SYSTEM_TABLE, EFI_BOOT_SERVICES), "Protocols -
 * EFI Loaded Image" (EFI_LOADED_IMAGE_PROTOCOL), "Protocols - Console
 * Support" (EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL) and "Protocols - Media Access"
 * (EFI_SIMPLE_FILE_SYSTEM_PROTOCOL, EFI_FILE_PROTOCOL).
 *
 * A table of services is an array of function pointers whose order is
 * fixed by the specification. Every slot is declared, in that order, even
 * the ones the loader never calls (as plain `void *`), because a missing
 * slot would shift all the ones after it; the _Static_asserts at the end
 * pin the offsets the loader depends on. Firmware functions use the
 * Microsoft x64 calling convention, hence EFIAPI on every pointer type.
 *
 * The plain data layouts (status codes, memory descriptors, GUIDs) are in
 * efi_types.h, which the host tests share.
 */
#ifndef BOOT_UEFI_EFI_H
#define BOOT_UEFI_EFI_H

#include <stddef.h>
#include "boot/uefi/efi_types.h"

#define EFIAPI __attribute__((ms_abi))

/* Types the loader only ever holds a pointer to. */
struct efi_runtime_services;
struct efi_simple_text_input_protocol;
struct efi_device_path_protocol;

/* ---- "EFI System Table": EFI_TABLE_HEADER ---- */
struct efi_table_header {
	uint64_t signature;
	uint32_t revision;
	uint32_t header_size;
	uint32_t crc32;
	uint32_t reserved;
};

/* ---- "Console Support": EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL ---- */
struct efi_simple_text_output_protocol;

typedef efi_status_t (EFIAPI *efi_text_string_t)(
	struct efi_simple_text_output_protocol *self, efi_char16_t *string);

struct efi_simple_text_output_protocol {
	void *reset;
	efi_text_string_t output_string;
	void *test_string;
	void *query_mode;
	void *set_mode;
	void *set_attribute;
	void *clear_screen;
	void *set_cursor_position;
	void *enable_cursor;
	void *mode;
};

/* ---- "Memory Allocation Services" ---- */
enum efi_allocate_type {
	EFI_ALLOCATE_ANY_PAGES   = 0,
	EFI_ALLOCATE_MAX_ADDRESS = 1,   /* anywhere at or below *memory */
	EFI_ALLOCATE_ADDRESS     = 2,   /* exactly at *memory */
};

typedef efi_status_t (EFIAPI *efi_allocate_pages_t)(enum efi_allocate_type type,
	enum efi_memory_type memory_type, efi_uintn_t pages, efi_phys_addr_t *memory);
typedef efi_status_t (EFIAPI *efi_free_pages_t)(efi_phys_addr_t memory,
	efi_uintn_t pages);
typedef efi_status_t (EFIAPI *efi_get_memory_map_t)(efi_uintn_t *map_size,
	struct efi_memory_descriptor *map, efi_uintn_t *map_key,
	efi_uintn_t *descriptor_size, uint32_t *descriptor_version);
typedef efi_status_t (EFIAPI *efi_allocate_pool_t)(enum efi_memory_type pool_type,
	efi_uintn_t size, void **buffer);
typedef efi_status_t (EFIAPI *efi_free_pool_t)(void *buffer);

/* ---- "Protocol Handler Services" and "Image Services" ---- */
#define EFI_OPEN_PROTOCOL_GET_PROTOCOL 0x00000002   /* look, do not take */

typedef efi_status_t (EFIAPI *efi_open_protocol_t)(efi_handle_t handle,
	const efi_guid_t *protocol, void **interface, efi_handle_t agent,
	efi_handle_t controller, uint32_t attributes);
typedef efi_status_t (EFIAPI *efi_exit_boot_services_t)(efi_handle_t image,
	efi_uintn_t map_key);

/* ---- "EFI System Table": EFI_BOOT_SERVICES, every slot in order ---- */
struct efi_boot_services {
	struct efi_table_header hdr;

	/* Task priority services */
	void *raise_tpl;
	void *restore_tpl;

	/* Memory services */
	efi_allocate_pages_t allocate_pages;
	efi_free_pages_t free_pages;
	efi_get_memory_map_t get_memory_map;
	efi_allocate_pool_t allocate_pool;
	efi_free_pool_t free_pool;

	/* Event and timer services */
	void *create_event;
	void *set_timer;
	void *wait_for_event;
	void *signal_event;
	void *close_event;
	void *check_event;

	/* Protocol handler services */
	void *install_protocol_interface;
	void *reinstall_protocol_interface;
	void *uninstall_protocol_interface;
	void *handle_protocol;
	void *reserved;
	void *register_protocol_notify;
	void *locate_handle;
	void *locate_device_path;
	void *install_configuration_table;

	/* Image services */
	void *load_image;
	void *start_image;
	void *exit;
	void *unload_image;
	efi_exit_boot_services_t exit_boot_services;

	/* Miscellaneous services */
	void *get_next_monotonic_count;
	void *stall;
	void *set_watchdog_timer;

	/* Driver support services (EFI 1.1) */
	void *connect_controller;
	void *disconnect_controller;

	/* Open and close protocol services (EFI 1.1) */
	efi_open_protocol_t open_protocol;
	void *close_protocol;
	void *open_protocol_information;

	/* Library services (EFI 1.1) */
	void *protocols_per_handle;
	void *locate_handle_buffer;
	void *locate_protocol;
	void *install_multiple_protocol_interfaces;
	void *uninstall_multiple_protocol_interfaces;

	/* 32-bit CRC services (EFI 1.1) */
	void *calculate_crc32;

	/* Miscellaneous services (EFI 1.1, UEFI 2.0) */
	void *copy_mem;
	void *set_mem;
	void *create_event_ex;
};

/* ---- "EFI System Table": EFI_SYSTEM_TABLE ---- */
struct efi_system_table {
	struct efi_table_header hdr;
	efi_char16_t *firmware_vendor;        /* NUL-terminated UCS-2 */
	uint32_t firmware_revision;
	efi_handle_t console_in_handle;
	struct efi_simple_text_input_protocol *con_in;
	efi_handle_t console_out_handle;
	struct efi_simple_text_output_protocol *con_out;
	efi_handle_t standard_error_handle;
	struct efi_simple_text_output_protocol *std_err;
	struct efi_runtime_services *runtime_services;
	struct efi_boot_services *boot_services;
	efi_uintn_t number_of_table_entries;
	struct efi_configuration_table *configuration_table;
};

/* ---- "EFI Loaded Image": EFI_LOADED_IMAGE_PROTOCOL ---- */
#define EFI_LOADED_IMAGE_PROTOCOL_GUID \
	{ 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }

struct efi_loaded_image_protocol {
	uint32_t revision;
	efi_handle_t parent_handle;
	struct efi_system_table *system_table;
	efi_handle_t device_handle;           /* the volume the image came from */
	struct efi_device_path_protocol *file_path;
	void *reserved;
	uint32_t load_options_size;           /* bytes */
	void *load_options;                   /* usually UCS-2 text */
	void *image_base;
	uint64_t image_size;
	enum efi_memory_type image_code_type;
	enum efi_memory_type image_data_type;
	void *unload;
};

/* ---- "Media Access": EFI_FILE_PROTOCOL ---- */
#define EFI_FILE_MODE_READ 0x0000000000000001ULL

struct efi_file_protocol;

typedef efi_status_t (EFIAPI *efi_file_open_t)(struct efi_file_protocol *self,
	struct efi_file_protocol **new_handle, const efi_char16_t *file_name,
	uint64_t open_mode, uint64_t attributes);
typedef efi_status_t (EFIAPI *efi_file_close_t)(struct efi_file_protocol *self);
typedef efi_status_t (EFIAPI *efi_file_read_t)(struct efi_file_protocol *self,
	efi_uintn_t *buffer_size, void *buffer);
typedef efi_status_t (EFIAPI *efi_file_get_position_t)(
	struct efi_file_protocol *self, uint64_t *position);
typedef efi_status_t (EFIAPI *efi_file_set_position_t)(
	struct efi_file_protocol *self, uint64_t position);

struct efi_file_protocol {
	uint64_t revision;
	efi_file_open_t open;
	efi_file_close_t close;
	void *delete;
	efi_file_read_t read;
	void *write;
	efi_file_get_position_t get_position;
	efi_file_set_position_t set_position;
	void *get_info;
	void *set_info;
	void *flush;
	void *open_ex;      /* revision 2 */
	void *read_ex;
	void *write_ex;
	void *flush_ex;
};

/* SetPosition() to this moves to the end of the file. */
#define EFI_FILE_POSITION_END 0xffffffffffffffffULL

/* ---- "Media Access": EFI_SIMPLE_FILE_SYSTEM_PROTOCOL ---- */
#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID \
	{ 0x964e5b22, 0x6459, 0x11d2, { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }

struct efi_simple_file_system_protocol;

typedef efi_status_t (EFIAPI *efi_open_volume_t)(
	struct efi_simple_file_system_protocol *self, struct efi_file_protocol **root);

struct efi_simple_file_system_protocol {
	uint64_t revision;
	efi_open_volume_t open_volume;
};

/* The offsets the specification fixes, checked at compile time. */
_Static_assert(offsetof(struct efi_boot_services, allocate_pages) == 0x28, "AllocatePages");
_Static_assert(offsetof(struct efi_boot_services, get_memory_map) == 0x38, "GetMemoryMap");
_Static_assert(offsetof(struct efi_boot_services, exit_boot_services) == 0xe8,
	       "ExitBootServices");
_Static_assert(offsetof(struct efi_boot_services, open_protocol) == 0x118, "OpenProtocol");
_Static_assert(sizeof(struct efi_boot_services) == 0x178, "EFI_BOOT_SERVICES size");
_Static_assert(offsetof(struct efi_system_table, boot_services) == 0x60, "BootServices");
_Static_assert(offsetof(struct efi_system_table, configuration_table) == 0x70,
	       "ConfigurationTable");
_Static_assert(offsetof(struct efi_loaded_image_protocol, load_options) == 0x38, "LoadOptions");
_Static_assert(offsetof(struct efi_file_protocol, set_position) == 0x38, "SetPosition");
_Static_assert(sizeof(struct efi_memory_descriptor) == 40, "EFI_MEMORY_DESCRIPTOR");

#endif /* BOOT_UEFI_EFI_H */
