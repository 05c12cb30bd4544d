/*
 * ksyms.h - the kernel's own symbol table, for readable backtraces.
 *
 * The build links the kernel twice: the first link's function symbols
 * (from nm) become a table in section .ksyms (tools/gensyms.py) that the
 * second link includes. .ksyms sits after all code, so no function moves.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;   /* start of the function */
	uint32_t size;   /* its length in bytes, 0 if unknown */
	uint32_t name;   /* offset of its name in the names blob */
};

/* A symbol table: sorted by addr. */
struct ksym_table {
	const struct ksym *syms;
	size_t count;
	const char *names;
};

/**
 * ksym_find - the function containing @addr.
 * @tab: table to search
 * @addr: code address
 * @offset: set to @addr minus the function's start
 *
 * Return: the name, or NULL if @addr is before the first symbol or past the
 * end of the function it follows (when sizes are known).
 */
const char *ksym_find(const struct ksym_table *tab, uint64_t addr, uint64_t *offset);

/* Look up in the kernel's own table. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

/* Print "    #n 0x... name+0xoff" lines: the return address @ret, then the
 * %rbp chain from @rbp. */
void backtrace_print(uint64_t ret, uint64_t rbp);
/* The same for an interrupted context, which may not have a frame yet. */
void backtrace_print_trap(uint64_t rip, uint64_t rsp, uint64_t rbp);

#endif /* KERNEL_KSYMS_H */
