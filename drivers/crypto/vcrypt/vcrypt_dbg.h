/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vcrypt: the debugfs test hook, vcrypt/<PCI address>/raw.
 *
 * Root only and not a stable ABI, so not in include/uapi/: it runs one
 * operation on the card with no checks by the driver, so that the card's
 * own validation can be tested. vcrypt-raw and the selftests use it;
 * Documentation/debugfs.rst describes it.
 */
#ifndef _VCRYPT_DBG_H
#define _VCRYPT_DBG_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/vcrypt.h>

/* struct vcrypt_dbg_raw.hw_status when the card did not complete the op */
#define VCRYPT_DBG_NO_HW_STATUS	0xffffffffu

/**
 * struct vcrypt_dbg_raw - one operation for VCRYPT_DBG_IOC_RAW
 * @op: the operation; its fields go into the card's descriptor unchecked
 *	except that what the descriptor cannot encode is refused
 * @hw_status: set by the kernel: the card's completion status
 *	(VCRYPT_HW_ST_*), or VCRYPT_DBG_NO_HW_STATUS if the driver failed
 *	the operation without a completion from the card
 * @reserved: must be zero
 */
struct vcrypt_dbg_raw {
	struct vcrypt_op op;
	__u32 hw_status;
	__u32 reserved;
};

#define VCRYPT_DBG_IOC_RAW	_IOWR(VCRYPT_IOC_MAGIC, 0xf0, \
				      struct vcrypt_dbg_raw)

#endif /* _VCRYPT_DBG_H */
