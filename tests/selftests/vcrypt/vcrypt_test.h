/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vcrypt selftests: find the card, run one operation
 * through the driver's debugfs hook, compare results.
 */
#ifndef VCRYPT_TEST_H
#define VCRYPT_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vcrypt.h>
#include "vcrypt_dbg.h"
#include "vcrypt_hw.h"

#define VT_PCI_DEVICES	"/sys/bus/pci/devices"
#define VT_NOBODY	65534	/* the user and group nobody */
#define VT_DEBUGFS	"/sys/kernel/debug/vcrypt"

/* Room for a PCI address, and for a path below one of the dirs above */
#define VT_NAME_MAX	256
#define VT_PATH_MAX	1024

/*
 * Find the first vcrypt card (PCI 1234:7c01): its address goes to @bdf,
 * which has room for VT_NAME_MAX bytes. Returns 0, or -1 if there is none.
 */
static inline int vt_find_card(char *bdf)
{
	unsigned int vendor, device;
	struct dirent *de;
	char path[VT_PATH_MAX];
	int ret = -1;
	FILE *f;
	DIR *d;

	d = opendir(VT_PCI_DEVICES);
	if (!d)
		return -1;
	while (ret && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), VT_PCI_DEVICES "/%s/vendor",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%x", &vendor) != 1)
			vendor = 0;
		fclose(f);
		snprintf(path, sizeof(path), VT_PCI_DEVICES "/%s/device",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%x", &device) != 1)
			device = 0;
		fclose(f);
		if (vendor == VCRYPT_HW_VENDOR_ID &&
		    device == VCRYPT_HW_DEVICE_ID) {
			snprintf(bdf, VT_NAME_MAX, "%s", de->d_name);
			ret = 0;
		}
	}
	closedir(d);
	return ret;
}

/* Open the debugfs raw file of the first card; returns an fd or -1. */
static inline int vt_open_raw(void)
{
	char bdf[VT_NAME_MAX], path[VT_PATH_MAX];

	if (vt_find_card(bdf))
		return -1;
	snprintf(path, sizeof(path), VT_DEBUGFS "/%s/raw", bdf);
	return open(path, O_RDWR);
}

/* A byte string of a test vector: a string literal, which may hold NULs */
struct vt_bytes {
	const __u8 *p;
	unsigned int len;
};

#define VT_BYTES(s)	{ .p = (const __u8 *)(s), .len = sizeof(s) - 1 }

static inline __u64 vt_ptr(const void *p)
{
	return (uintptr_t)p;
}

/*
 * Run @raw on the card. Returns 0 or -errno; @raw->hw_status and
 * @raw->op.out_len are as the driver left them.
 */
static inline int vt_raw(int fd, struct vcrypt_dbg_raw *raw)
{
	return ioctl(fd, VCRYPT_DBG_IOC_RAW, raw) ? -errno : 0;
}

/* The first offset at which @a and @b differ, or -1 */
static inline long vt_diff(const void *a, const void *b, size_t len)
{
	const __u8 *x = a, *y = b;
	size_t i;

	for (i = 0; i < len; i++)
		if (x[i] != y[i])
			return i;
	return -1;
}

/* Fill @buf with a fixed pattern that differs from one offset to the next. */
static inline void vt_pattern(__u8 *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (__u8)(i * 7 + (i >> 8) * 13 + seed);
}

#endif /* VCRYPT_TEST_H */
