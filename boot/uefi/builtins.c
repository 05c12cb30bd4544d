/*
 * builtins.c - memcpy, memmove, memset and memcmp for the loader image.
 *
 * GCC may emit calls to these four even in freestanding code (struct
 * copies, zeroing loops, __builtin_memset), and BOOTX64.EFI links against
 * no library. x86 string instructions do the work. Loader-only: the host
 * test build uses the C library's versions instead.
 */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Forward byte copy; the regions must not overlap. */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;

	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return ret;
}

/* Copy that tolerates overlap: backwards (DF set) when dst is above src. */
void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d;
	const uint8_t *s;

	if (n == 0 || (uintptr_t)dst <= (uintptr_t)src ||
	    (uintptr_t)dst >= (uintptr_t)src + n)
		return memcpy(dst, src, n);
	d = (uint8_t *)dst + n - 1;
	s = (const uint8_t *)src + n - 1;
	__asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

/* Fill with the low byte of @c. */
void *memset(void *dst, int c, size_t n)
{
	void *ret = dst;

	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
	return ret;
}

/* Compare bytes as unsigned char, as C requires. */
int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *pa = a, *pb = b;

	for (; n; n--, pa++, pb++)
		if (*pa != *pb)
			return *pa - *pb;
	return 0;
}
