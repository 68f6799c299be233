/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vcrypt card: the hardware interface.
 *
 * PCI identity, BAR0 register map, request descriptors, scatter-gather
 * entries and completion entries of the vcrypt crypto card. This is the one
 * definition of that interface: the Linux driver and the QEMU device model
 * both include this file. Documentation/card-spec.rst specifies the
 * behaviour behind every value here.
 *
 * All multi-byte fields in guest memory are little-endian.
 */
#ifndef _VCRYPT_HW_H
#define _VCRYPT_HW_H

#include <linux/types.h>

/* PCI identity */
#define VCRYPT_HW_VENDOR_ID		0x1234
#define VCRYPT_HW_DEVICE_ID		0x7c01
#define VCRYPT_HW_REVISION		0x01
#define VCRYPT_HW_CLASS			0x1080	/* encryption controller, other */

#define VCRYPT_HW_BAR_REGS		0	/* 4 KiB of registers */
#define VCRYPT_HW_BAR_MSIX		2	/* MSI-X table and PBA */
#define VCRYPT_HW_REGS_SIZE		0x1000

/* MSI-X vectors */
#define VCRYPT_HW_VEC_CQ		0	/* new completion entries */
#define VCRYPT_HW_VEC_ERROR		1	/* STATUS.ERROR became set */
#define VCRYPT_HW_NR_VECS		2

/* Identification */
#define VCRYPT_HW_MAGIC			0x59524356	/* "VCRY" */
#define VCRYPT_HW_VERSION_MAJOR		1
#define VCRYPT_HW_VERSION_MINOR		0

/*
 * BAR0 registers. All are 32 bits wide unless noted; 64-bit registers
 * may be read with one 8-byte access or two 4-byte accesses (low first).
 */
#define VCRYPT_REG_MAGIC		0x000	/* RO: VCRYPT_HW_MAGIC */
#define VCRYPT_REG_VERSION		0x004	/* RO: major << 16 | minor */
#define VCRYPT_REG_CAPS			0x008	/* RO: BIT(op) per supported op */
#define VCRYPT_REG_MAX_RING		0x00c	/* RO: max entries per ring */
#define VCRYPT_REG_MAX_DATA		0x010	/* RO: max src_len, bytes */
#define VCRYPT_REG_MAX_SGE		0x014	/* RO: max entries per SG table */
#define VCRYPT_REG_CTRL			0x020	/* RW: VCRYPT_CTRL_* */
#define VCRYPT_REG_STATUS		0x024	/* RO: VCRYPT_STATUS_* */
#define VCRYPT_REG_ERROR		0x028	/* RO: VCRYPT_HW_ERR_* */

#define VCRYPT_REG_RQ_BASE_LO		0x040	/* RW while disabled */
#define VCRYPT_REG_RQ_BASE_HI		0x044	/* RW while disabled */
#define VCRYPT_REG_RQ_SIZE		0x048	/* RW while disabled: entries */
#define VCRYPT_REG_RQ_TAIL		0x04c	/* RW: doorbell, producer index */
#define VCRYPT_REG_RQ_HEAD		0x050	/* RO: next entry to fetch */

#define VCRYPT_REG_CQ_BASE_LO		0x060	/* RW while disabled */
#define VCRYPT_REG_CQ_BASE_HI		0x064	/* RW while disabled */
#define VCRYPT_REG_CQ_SIZE		0x068	/* RW while disabled: entries */
#define VCRYPT_REG_CQ_HEAD		0x06c	/* RW: consumer index */
#define VCRYPT_REG_CQ_TAIL		0x070	/* RO: next entry to write */

#define VCRYPT_REG_STAT_OPS		0x100	/* RO 64: descriptors completed */
#define VCRYPT_REG_STAT_BYTES		0x108	/* RO 64: source bytes processed */
#define VCRYPT_REG_STAT_ERRORS		0x110	/* RO 64: completions with error */
#define VCRYPT_REG_STAT_BUSY_NS		0x118	/* RO 64: engine busy time, ns */
#define VCRYPT_REG_RATE_OPS		0x120	/* RO 64: ops/s limit, 0: none */
#define VCRYPT_REG_RATE_BYTES		0x128	/* RO 64: bytes/s limit, 0: none */

/* CTRL */
#define VCRYPT_CTRL_ENABLE		0x00000001u	/* process the rings */
#define VCRYPT_CTRL_RESET		0x00000002u	/* write 1: full reset */

/* STATUS */
#define VCRYPT_STATUS_ENABLED		0x00000001u	/* rings are live */
#define VCRYPT_STATUS_ERROR		0x00000002u	/* halted; see ERROR */

/* ERROR: why the card halted; cleared only by reset */
#define VCRYPT_HW_ERR_NONE		0
#define VCRYPT_HW_ERR_RING_CONFIG	1	/* bad base/size at enable */
#define VCRYPT_HW_ERR_DOORBELL		2	/* RQ_TAIL/CQ_HEAD out of range */
#define VCRYPT_HW_ERR_RQ_DMA		3	/* descriptor fetch failed */
#define VCRYPT_HW_ERR_CQ_DMA		4	/* completion write failed */
#define VCRYPT_HW_ERR_INJECTED		5	/* fault injection */

/* Limits reported by the MAX_* registers of this version */
#define VCRYPT_HW_RING_MAX		4096
#define VCRYPT_HW_DATA_MAX		0x00100000u	/* 1 MiB */
#define VCRYPT_HW_SGE_MAX		256
#define VCRYPT_HW_KEY_MAX		128	/* HMAC; AES keys per op */

/* Operations (descriptor op field) */
#define VCRYPT_HW_OP_AES_CBC		0x01
#define VCRYPT_HW_OP_AES_CTR		0x02
#define VCRYPT_HW_OP_AES_XTS		0x03
#define VCRYPT_HW_OP_AES_GCM		0x04
#define VCRYPT_HW_OP_SHA256		0x10
#define VCRYPT_HW_OP_SHA512		0x11
#define VCRYPT_HW_OP_HMAC_SHA256	0x12

/* Descriptor flags */
#define VCRYPT_HW_DF_DECRYPT		0x01u	/* cipher ops only */
#define VCRYPT_HW_DF_MASK		VCRYPT_HW_DF_DECRYPT

/**
 * struct vcrypt_hw_sge - one scatter-gather table entry
 * @addr: bus address of the segment
 * @len: segment length in bytes, non-zero
 * @rsvd: must be zero
 */
struct vcrypt_hw_sge {
	__le64 addr;
	__le32 len;
	__le32 rsvd;
};

/**
 * struct vcrypt_hw_desc - one request ring entry (64 bytes)
 * @cookie: opaque to the card, copied into the completion entry
 * @op: VCRYPT_HW_OP_*
 * @flags: VCRYPT_HW_DF_*
 * @key_len: bytes at @key_addr (0 for plain hashes)
 * @iv_len: bytes at @iv_addr (0 for hashes)
 * @tag_len: AES-GCM tag length; 0 otherwise
 * @rsvd0: must be zero
 * @key_addr: bus address of the key
 * @iv_addr: bus address of the IV; CBC and CTR write the next IV back
 * @src_addr: bus address of the source, or of an SG table if @src_nsge
 * @dst_addr: bus address of the destination, or of an SG table if @dst_nsge
 * @src_len: source length in bytes (sum of its SG entries)
 * @dst_len: destination capacity in bytes (sum of its SG entries)
 * @aad_len: AES-GCM: leading bytes of the source that are AAD
 * @src_nsge: entries in the source SG table; 0: flat buffer
 * @dst_nsge: entries in the destination SG table; 0: flat buffer
 */
struct vcrypt_hw_desc {
	__le64 cookie;
	__u8 op;
	__u8 flags;
	__u8 key_len;
	__u8 iv_len;
	__u8 tag_len;
	__u8 rsvd0[3];
	__le64 key_addr;
	__le64 iv_addr;
	__le64 src_addr;
	__le64 dst_addr;
	__le32 src_len;
	__le32 dst_len;
	__le32 aad_len;
	__le16 src_nsge;
	__le16 dst_nsge;
};

/* Completion status (struct vcrypt_hw_cqe.status) */
#define VCRYPT_HW_ST_OK			0
#define VCRYPT_HW_ST_BAD_OP		1	/* unknown op or flags */
#define VCRYPT_HW_ST_BAD_KEY		2	/* key length */
#define VCRYPT_HW_ST_BAD_LEN		3	/* data, IV, tag, AAD or dst length */
#define VCRYPT_HW_ST_BAD_DESC		4	/* reserved field, SG table */
#define VCRYPT_HW_ST_DMA		5	/* DMA to or from memory failed */
#define VCRYPT_HW_ST_AUTH		6	/* AES-GCM tag mismatch */

#define VCRYPT_HW_CQE_PHASE		0x0001u

/**
 * struct vcrypt_hw_cqe - one completion ring entry (16 bytes)
 * @cookie: the request descriptor's cookie
 * @out_len: bytes written to the destination
 * @status: VCRYPT_HW_ST_*
 * @flags: VCRYPT_HW_CQE_PHASE: 1 on the card's first pass over the ring,
 *	inverted on every wrap
 */
struct vcrypt_hw_cqe {
	__le64 cookie;
	__le32 out_len;
	__le16 status;
	__le16 flags;
};

#endif /* _VCRYPT_HW_H */
