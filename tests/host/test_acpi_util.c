/*
 * test_acpi_util.c - loading captured tables, fake memory, and the host
 * side of the parsers' acpi_report() seam.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/acpi/internal.h"
#include "tests/host/test_acpi.h"

unsigned ta_errors, ta_warnings;
char ta_last_report[256];

/* The parsers speak here on the host: keep the last message, count them. */
void acpi_report(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ta_last_report, sizeof(ta_last_report), fmt, ap);
	va_end(ap);
	if (level <= LOG_ERR)
		ta_errors++;
	else
		ta_warnings++;
}

unsigned ta_alloc_fail_at, ta_allocs;

/* The parsers' memory on the host: calloc, except the allocation numbered
 * ta_alloc_fail_at (counting from 1 in ta_allocs), which fails. */
void *acpi_zalloc(size_t size)
{
	if (++ta_allocs == ta_alloc_fail_at)
		return NULL;
	return calloc(1, size);
}

void acpi_free(void *p)
{
	free(p);
}

void ta_reports_clear(void)
{
	ta_errors = ta_warnings = 0;
	ta_last_report[0] = '\0';
}

void *ta_load(const char *machine, const char *file, size_t *len)
{
	char path[256];
	FILE *f;
	long size;
	void *buf = NULL;

	snprintf(path, sizeof(path), "%s/%s/%s", TA_DATA_DIR, machine, file);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size);
		if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)size;
	}
	fclose(f);
	return buf;
}

void *ta_dup(const void *p, size_t len, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	memset(buf, 0, size);
	memcpy(buf, p, len < size ? len : size);
	return buf;
}

void ta_put16(void *table, size_t off, uint16_t v) { memcpy((uint8_t *)table + off, &v, 2); }
void ta_put32(void *table, size_t off, uint32_t v) { memcpy((uint8_t *)table + off, &v, 4); }
void ta_put64(void *table, size_t off, uint64_t v) { memcpy((uint8_t *)table + off, &v, 8); }

void ta_fix_checksum(void *table)
{
	uint8_t *t = table;
	uint32_t length;

	memcpy(&length, t + 4, sizeof(length));
	t[9] = 0;
	t[9] = (uint8_t)(0x100 - acpi_checksum(t, length));
}

void ta_set_length(void *table, uint32_t length)
{
	ta_put32(table, 4, length);
	ta_fix_checksum(table);
}

void ta_begin(struct ta_builder *b, const char *sig, size_t fixed_len)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->buf, sig, 4);
	memcpy(b->buf + 10, "BMTEST", 6);
	b->buf[8] = 1;  /* revision */
	b->len = fixed_len;
}

size_t ta_add(struct ta_builder *b, const void *bytes, size_t n)
{
	size_t off = b->len;

	if (n > sizeof(b->buf) - b->len)
		abort();  /* a test built too big a table: fix the test */
	memcpy(b->buf + off, bytes, n);
	b->len += n;
	return off;
}

uint8_t *ta_finish(struct ta_builder *b, size_t *len)
{
	ta_set_length(b->buf, (uint32_t)b->len);
	*len = b->len;
	return ta_dup(b->buf, b->len, b->len);
}

bool ta_all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* One line of tables.txt: "SIG 0xPHYS LEN FILE". */
static int image_add(struct ta_image *img, const char *machine, const char *line)
{
	struct ta_image_table *t = &img->tables[img->count];
	char file[64];
	unsigned long long phys;
	size_t len, got = 0;

	if (img->count == TA_MAX_IMAGE_TABLES ||
	    sscanf(line, "%4s %llx %zu %63s", t->signature, &phys, &len, file) != 4)
		return -1;
	t->phys = phys;
	t->data = ta_load(machine, file, &got);
	if (!t->data || got != len)
		return -1;
	t->len = len;
	if (strcmp(t->signature, "RSDP") == 0)
		img->rsdp_phys = phys;
	img->count++;
	return 0;
}

int ta_image_load(struct ta_image *img, const char *machine)
{
	char path[256], line[2048];  /* comment lines are long */
	FILE *f;
	int err = 0;

	memset(img, 0, sizeof(*img));
	snprintf(path, sizeof(path), "%s/%s/tables.txt", TA_DATA_DIR, machine);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (!err && fgets(line, sizeof(line), f))
		if (line[0] != '#')
			err = image_add(img, machine, line);
	fclose(f);
	return err || img->rsdp_phys == 0 ? -1 : 0;
}

void ta_image_free(struct ta_image *img)
{
	for (unsigned i = 0; i < img->count; i++)
		free(img->tables[i].data);
	memset(img, 0, sizeof(*img));
}

struct ta_image_table *ta_image_table(struct ta_image *img, const char *sig)
{
	for (unsigned i = 0; i < img->count; i++)
		if (strcmp(img->tables[i].signature, sig) == 0)
			return &img->tables[i];
	return NULL;
}

/* Only bytes inside one captured table exist: anything else is "no memory". */
static const void *image_map(void *ctx, uint64_t phys, uint64_t len)
{
	struct ta_image *img = ctx;

	for (unsigned i = 0; i < img->count; i++) {
		struct ta_image_table *t = &img->tables[i];

		if (phys >= t->phys && phys - t->phys <= t->len && len <= t->len - (phys - t->phys))
			return t->data + (phys - t->phys);
	}
	return NULL;
}

struct acpi_mem ta_image_mem(struct ta_image *img)
{
	return (struct acpi_mem){ image_map, img };
}
