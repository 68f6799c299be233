/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vcrypt: user ABI.
 *
 * Documentation/uapi.rst describes every structure and call here.
 */
#ifndef _UAPI_LINUX_VCRYPT_H
#define _UAPI_LINUX_VCRYPT_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VCRYPT_IOC_MAGIC	0xC7

/* Algorithms (struct vcrypt_op.alg); same values as the card's opcodes */
#define VCRYPT_ALG_AES_CBC	0x01
#define VCRYPT_ALG_AES_CTR	0x02
#define VCRYPT_ALG_AES_XTS	0x03
#define VCRYPT_ALG_AES_GCM	0x04
#define VCRYPT_ALG_SHA256	0x10
#define VCRYPT_ALG_SHA512	0x11
#define VCRYPT_ALG_HMAC_SHA256	0x12

/* struct vcrypt_op.flags */
#define VCRYPT_OP_DECRYPT	(1u << 0)

/**
 * struct vcrypt_op - one complete cryptographic operation
 * @alg: VCRYPT_ALG_*
 * @flags: VCRYPT_OP_*
 * @key: user pointer to @key_len bytes of key
 * @iv: user pointer to @iv_len bytes of IV; for CBC and CTR the next IV
 *	(chaining value) is written back here
 * @src: user pointer to @src_len bytes of input; for AES-GCM the first
 *	@aad_len bytes are the associated data and, when decrypting, the
 *	last @tag_len bytes are the tag
 * @dst: user pointer to @dst_len bytes of room for the output
 * @key_len: key length in bytes
 * @iv_len: IV length in bytes
 * @src_len: input length in bytes
 * @dst_len: output room in bytes
 * @aad_len: AES-GCM associated data length; 0 otherwise
 * @tag_len: AES-GCM tag length; 0 otherwise
 * @out_len: set by the kernel: bytes written to @dst
 * @reserved: must be zero
 */
struct vcrypt_op {
	__u32 alg;
	__u32 flags;
	__u64 key;
	__u64 iv;
	__u64 src;
	__u64 dst;
	__u32 key_len;
	__u32 iv_len;
	__u32 src_len;
	__u32 dst_len;
	__u32 aad_len;
	__u32 tag_len;
	__u32 out_len;
	__u32 reserved[5];
};

/*
 * Debug interface, debugfs only (vcrypt/<PCI address>/raw), root only,
 * not a stable ABI: runs one operation on the card with no checks by the
 * driver, so that the card's own validation can be tested.
 */

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

#endif /* _UAPI_LINUX_VCRYPT_H */
