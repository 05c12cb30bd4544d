# boot/uefi/uefi.mk - build BOOTX64.EFI, the UEFI loader, as a PE32+ image.
#
# Included by the top-level Makefile, which provides $(BUILD), $(CC) and
# $(LD) (honouring CROSS_COMPILE). The loader compiles as ordinary
# freestanding x86-64 ELF objects; GNU ld's i386pep emulation then links
# them straight into a PE32+ EFI application (subsystem 10) with base
# relocations, so the firmware may load it anywhere. -fno-ident and -s keep
# .comment out of the image: OVMF refuses images that carry it.
#
#   make $(UEFI_EFI)     builds $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI
#
# UEFI_HOST_SRCS lists the loader's pure files (no firmware calls, no libc)
# for the host unit-test binary. UEFI_LD may name a different linker: a
# bare x86_64-elf binutils is often built without i386pep, while the
# distribution's native x86-64 ld has it (`ld -V` lists the emulations).

UEFI_EFI        := $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI
UEFI_HOST_SRCS  := boot/uefi/elf_load.c boot/uefi/memmap.c \
                   boot/uefi/pagetable.c boot/uefi/text.c
UEFI_SRCS       := $(UEFI_HOST_SRCS) boot/uefi/loader.c boot/uefi/builtins.c \
                   boot/uefi/enter.S
UEFI_OBJS       := $(patsubst boot/uefi/%,$(BUILD)/uefi/%.o,$(UEFI_SRCS))
UEFI_LD         ?= $(LD)

UEFI_CFLAGS     := -std=gnu11 -ffreestanding -fpie -fno-stack-protector \
                   -fno-ident -mno-red-zone -mgeneral-regs-only -fshort-wchar \
                   -fno-asynchronous-unwind-tables \
                   -Wall -Wextra -Werror -O2 -I. -MMD -MP
UEFI_LDFLAGS    := -m i386pep --subsystem 10 -e efi_main -nostdlib -s

# A rule in an included fragment must not become the default goal.
uefi_saved_goal := $(.DEFAULT_GOAL)

$(UEFI_EFI): $(UEFI_OBJS)
	@mkdir -p $(dir $@)
	@$(UEFI_LD) -V | grep -qw i386pep || { echo "error: $(UEFI_LD) cannot \
	link PE32+ (no i386pep emulation); run make with UEFI_LD=ld" >&2; exit 1; }
	$(call say,LD,$@)
	$(Q)$(UEFI_LD) $(UEFI_LDFLAGS) -o $@ $(UEFI_OBJS)

$(BUILD)/uefi/%.c.o: boot/uefi/%.c boot/uefi/uefi.mk
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(UEFI_CFLAGS) -c -o $@ $<

$(BUILD)/uefi/%.S.o: boot/uefi/%.S boot/uefi/uefi.mk
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(UEFI_CFLAGS) -c -o $@ $<

.DEFAULT_GOAL := $(uefi_saved_goal)

-include $(UEFI_OBJS:.o=.d)
