/*
 * errno.h - error numbers, with Linux's values so that messages and
 * return codes read the same as in the kernel users learn from.
 * Functions return 0 or a negative errno.
 */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#define ENOENT     2   /* no such thing */
#define EIO        5   /* device or transfer error */
#define ENXIO      6   /* no such device or address */
#define E2BIG      7   /* argument list too long */
#define ENOMEM    12   /* out of memory */
#define EFAULT    14   /* bad address */
#define EBUSY     16   /* resource busy */
#define EEXIST    17   /* already exists */
#define ENODEV    19   /* no such device */
#define EINVAL    22   /* invalid argument */
#define ENOSPC    28   /* no space left */
#define ERANGE    34   /* result out of range */
#define ENOSYS    38   /* not implemented */
#define EOVERFLOW 75   /* value too large */
#define ETIMEDOUT 110  /* timed out */

#endif /* KERNEL_ERRNO_H */
