# Busmaster - build, run and test. `make help` lists the targets.

BUILD         ?= build
CROSS_COMPILE ?=
CC            := $(CROSS_COMPILE)gcc
LD            := $(CROSS_COMPILE)ld
NM            := $(CROSS_COMPILE)nm
OBJCOPY       := $(CROSS_COMPILE)objcopy
HOSTCC        ?= gcc
PYTHON        ?= python3
VERSION       := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Short lines ("  CC  kernel/main.c") unless V=1 asks for full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n' $(1) $(2)
endif

# ---- the kernel ------------------------------------------------------------
KERNEL_CFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-ident \
	-O2 -g -Wall -Wextra -Werror -I. -MMD -MP \
	-DBUSMASTER_VERSION='"$(VERSION)"'
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-warn-rwx-segments -T linker.ld

KERNEL_SRCS := $(wildcard boot/*.S boot/*.c kernel/*.c kernel/*.S kernel/*/*.c \
	drivers/*.c drivers/*/*.c dma/*.c tests/kernel/*.c)
KERNEL_OBJS := $(patsubst %,$(BUILD)/k/%.o,$(KERNEL_SRCS))

.DEFAULT_GOAL := all
.PHONY: all kernel esp hosttests check test test-harness run run-pvh debug fuzz help clean deps-build deps-run deps-fuzz

all: kernel esp

kernel: $(BUILD)/kernel.elf

$(BUILD)/k/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S Makefile
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLER__ -c $< -o $@

# Two links: the first one's function addresses become the symbol table
# (.ksyms) of the second. The check proves that no function moved.
$(BUILD)/ksyms-empty.S: tools/gensyms.py
	@mkdir -p $(BUILD)
	$(Q)$(PYTHON) tools/gensyms.py < /dev/null > $@

$(BUILD)/%.o: $(BUILD)/%.S
	$(Q)$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLER__ -c $< -o $@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o linker.ld
	$(call say,LD,$@)
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o

$(BUILD)/ksyms.S: $(BUILD)/kernel.pass1.elf tools/gensyms.py
	$(call say,GEN,$@)
	$(Q)$(NM) -n -S --defined-only $< | $(PYTHON) tools/gensyms.py > $@

$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(BUILD)/ksyms.o linker.ld
	$(call say,LD,$@)
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@.tmp $(KERNEL_OBJS) $(BUILD)/ksyms.o
	@$(NM) -n -S --defined-only $@.tmp | $(PYTHON) tools/gensyms.py | cmp -s - $(BUILD)/ksyms.S \
		|| { echo "error: adding the symbol table moved code; check linker.ld" >&2; exit 1; }
	@mv $@.tmp $@

# ---- the UEFI loader and the ESP -------------------------------------------
include boot/uefi/uefi.mk

esp: $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI $(BUILD)/esp/EFI/BOOT/kernel.elf

$(BUILD)/esp/EFI/BOOT/kernel.elf: $(BUILD)/kernel.elf
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

# ---- PCI: the parts that reach configuration space only through a seam ----
PCI_PURE_SRCS := drivers/pci/access.c drivers/pci/probe.c drivers/pci/bar.c \
	drivers/pci/cap.c drivers/pci/show.c

# ---- host unit tests ---------------------------------------------------------
HOST_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-I. -DKTEST_HOST -MMD -MP
# The ACPI parsers are pure: the host tests and the fuzzers build them too.
ACPI_PURE_SRCS := kernel/acpi/table.c kernel/acpi/rsdp.c kernel/acpi/fadt.c \
	kernel/acpi/madt.c kernel/acpi/mcfg.c kernel/acpi/hpet.c kernel/acpi/dmar.c

HOST_SRCS := $(wildcard tests/host/*.c) kernel/ktest.c kernel/cmdline.c kernel/ksyms.c \
	kernel/device.c kernel/timer.c \
	dma/debug_ledger.c dma/debug_report.c dma/debug_checks.c dma/debug_sg.c \
	dma/debug_queries.c dma/pool.c dma/pool_debug.c dma/swiotlb.c dma/swiotlb_init.c \
	dma/swiotlb_slots.c dma/scatterlist.c \
	kernel/msi.c kernel/mm/pgtable.c kernel/mm/memmap.c kernel/mm/buddy.c \
	kernel/mm/page_alloc.c kernel/mm/kmalloc.c $(ACPI_PURE_SRCS) $(PCI_PURE_SRCS) \
	$(UEFI_HOST_SRCS)
HOST_OBJS := $(patsubst %,$(BUILD)/host/%.o,$(HOST_SRCS)) $(BUILD)/host/printf.o

hosttests: $(BUILD)/hosttests

$(BUILD)/host/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

# The kernel's formatter, renamed so the host test can compare it with libc.
$(BUILD)/host/printf.o: kernel/printf.c
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$<)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Dvsnprintf=bm_vsnprintf -Dsnprintf=bm_snprintf \
		-Dvformat=bm_vformat -c $< -o $@

$(BUILD)/hosttests: $(HOST_OBJS)
	$(call say,HOSTLD,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

# ---- fuzzing the parsers of firmware tables (libFuzzer, clang) ----------------
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := rsdp madt mcfg hpet fadt dmar
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-I. -DKTEST_HOST

$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.c tests/fuzz/fuzz.h \
		$(ACPI_PURE_SRCS) Makefile | deps-fuzz
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< tests/fuzz/fuzz_common.c $(ACPI_PURE_SRCS)

# tools/fuzz.sh runs each in turn and ends with
# "fuzz: N fuzzers run, N inputs tried, N crashes found".
fuzz: deps-fuzz $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_TARGETS))
	@tools/fuzz.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ---- running ---------------------------------------------------------------------
deps-build:
	@tools/deps.sh build
deps-run:
	@tools/deps.sh run
deps-fuzz:
	@FUZZ_CC="$(FUZZ_CC)" tools/deps.sh fuzz

MEMORY ?= 512M
SMP    ?= 1
RUN_ARGS = --cmdline "$(CMDLINE)" --memory "$(MEMORY)" --cpus "$(SMP)"

run: deps-run all
	$(PYTHON) tools/qemu.py run $(RUN_ARGS)

run-pvh: deps-run kernel
	$(PYTHON) tools/qemu.py run-pvh $(RUN_ARGS)

debug: deps-run kernel
	$(PYTHON) tools/qemu.py debug $(RUN_ARGS)

# ---- testing ---------------------------------------------------------------------
test-harness:
	$(PYTHON) -m unittest discover -s tools -p 'test_*.py'

# --units: the harness first runs build/hosttests and its own unit tests
# (tools/units.py), judges them like scenarios and puts them in the JUnit file.
check: deps-run all hosttests
	$(PYTHON) tools/harness.py --units --group quick

test: deps-run all hosttests
	$(PYTHON) tools/harness.py --units

help:
	@echo "Busmaster make targets:"
	@echo "  make run       boot through OVMF (UEFI) with NVMe, intel-iommu and edu; Ctrl-A x quits"
	@echo "  make run-pvh   the same machine, booted directly (PVH)"
	@echo "  make test      host unit tests, harness unit tests, then the whole QEMU scenario matrix"
	@echo "  make check     build + host tests + harness unit tests + one PVH boot (under a minute)"
	@echo "                 logs: build/test-logs/<scenario>.log (console), <scenario>.qemu.log (QEMU -D),"
	@echo "                 hosttests.log, harness-unittests.log; JUnit XML: build/test-results.xml"
	@echo "  scenarios      tests/scenarios.ini; keys (boot, cmdline, devices, expect*, require, allow_log,"
	@echo "                 trace, require_log, forbid_log, cpu_idle, serial_input, kill_at, disk_*, boots)"
	@echo "                 in docs/testing.md; tools/harness.py --list lists them, tools/harness.py NAME... runs some"
	@echo "  make debug     PVH boot with QEMU waiting for gdb; then: gdb -x tools/gdbinit"
	@echo "  make all       build build/kernel.elf and the ESP (build/esp/EFI/BOOT/BOOTX64.EFI)"
	@echo "  make hosttests build the host unit-test binary (build/hosttests)"
	@echo "  make fuzz      fuzz the ACPI/DMAR parsers with libFuzzer (FUZZ_SECONDS per target, default 60;"
	@echo "                 installs clang if missing); ends with fuzzers run, inputs tried, crashes found"
	@echo "  make clean     remove build/"
	@echo "Variables: CMDLINE='ktest=*' MEMORY=512M SMP=1 (run, run-pvh, debug)  CROSS_COMPILE=x86_64-elf-"
	@echo "           BUILD=dir  OVMF_CODE=path  QEMU=binary  V=1 (show full commands)"

clean:
	rm -rf $(BUILD)

-include $(KERNEL_OBJS:.o=.d) $(HOST_OBJS:.o=.d)
