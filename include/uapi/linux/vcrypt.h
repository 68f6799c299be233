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
 * Slices: /dev/vcryptN. Every open file of a slice has its own request and
 * completion queues; see Documentation/uapi.rst.
 */
#define VCRYPT_ABI_VERSION	0x00010001	/* major << 16 | minor */

/**
 * struct vcrypt_info - VCRYPT_IOC_INFO: what this file and its card offer
 * @version: VCRYPT_ABI_VERSION of the driver
 * @algs: BIT(VCRYPT_ALG_*) for each algorithm the card supports
 * @slice: N of /dev/vcryptN
 * @weight: the slice's scheduling weight
 * @max_queue: requests one open file may have outstanding: queued, on the
 *	card, or completed and not yet read
 * @max_batch: requests per VCRYPT_IOC_SUBMIT call
 * @max_data: source bytes per request
 * @max_sessions: sessions per open file
 * @max_bytes: source plus output bytes (src_len + out_len, the user
 *	memory pinned) one open file may have outstanding; a request is
 *	queued only while the file has less
 * @slice_max_files: files the slice may have open at once (ABI 1.1)
 * @slice_max_bytes: source plus output bytes all open files of the slice
 *	may have outstanding; a request is queued only while they have less
 *	(ABI 1.1)
 * @reserved: zero
 */
struct vcrypt_info {
	__u32 version;
	__u32 algs;
	__u32 slice;
	__u32 weight;
	__u32 max_queue;
	__u32 max_batch;
	__u32 max_data;
	__u32 max_sessions;
	__u32 max_bytes;
	__u32 slice_max_files;
	__u32 slice_max_bytes;
	__u32 reserved[5];
};

/**
 * struct vcrypt_session_new - VCRYPT_IOC_SESSION_NEW: set up a key once
 * @alg: VCRYPT_ALG_*
 * @flags: must be zero
 * @key: user pointer to @key_len bytes of key; the kernel keeps its own
 *	copy, never returns it, and wipes it when the session or the file
 *	is closed
 * @key_len: key length in bytes (0 for plain hashes)
 * @handle: set by the kernel: non-zero, meaningful in this open file only
 * @reserved: must be zero
 */
struct vcrypt_session_new {
	__u32 alg;
	__u32 flags;
	__u64 key;
	__u32 key_len;
	__u32 handle;
	__u32 reserved[4];
};

/**
 * struct vcrypt_request - one asynchronous request (VCRYPT_IOC_SUBMIT)
 * @tag: the caller's value, returned in the completion
 * @session: handle from VCRYPT_IOC_SESSION_NEW on the same file
 * @flags: VCRYPT_OP_*
 * @iv: user pointer to @iv_len bytes of IV, read at submission; the next
 *	IV is not written back (use VCRYPT_IOC_OP for that)
 * @src: user pointer to @src_len bytes of input, laid out as for
 *	struct vcrypt_op
 * @dst: user pointer to @dst_len bytes of room for the output; written by
 *	the time the completion can be read
 * @iv_len: IV length in bytes
 * @src_len: input length in bytes
 * @dst_len: output room in bytes
 * @aad_len: AES-GCM associated data length; 0 otherwise
 * @tag_len: AES-GCM tag length; 0 otherwise
 * @reserved: must be zero
 */
struct vcrypt_request {
	__u64 tag;
	__u32 session;
	__u32 flags;
	__u64 iv;
	__u64 src;
	__u64 dst;
	__u32 iv_len;
	__u32 src_len;
	__u32 dst_len;
	__u32 aad_len;
	__u32 tag_len;
	__u32 reserved[3];
};

/**
 * struct vcrypt_submit - VCRYPT_IOC_SUBMIT: queue a batch of requests
 * @reqs: user pointer to an array of @count struct vcrypt_request
 * @count: requests in the array, 1 to max_batch
 * @done: set by the kernel: requests queued, from the start of the array
 * @reserved: must be zero
 */
struct vcrypt_submit {
	__u64 reqs;
	__u32 count;
	__u32 done;
	__u32 reserved[4];
};

/**
 * struct vcrypt_completion - one finished request, as read(2) returns it
 * @tag: the request's tag
 * @status: 0, or a negative errno
 * @out_len: bytes written to the request's dst
 */
struct vcrypt_completion {
	__u64 tag;
	__s32 status;
	__u32 out_len;
};

#define VCRYPT_IOC_INFO		_IOR(VCRYPT_IOC_MAGIC, 0x00, struct vcrypt_info)
#define VCRYPT_IOC_SESSION_NEW	_IOWR(VCRYPT_IOC_MAGIC, 0x01, \
				      struct vcrypt_session_new)
#define VCRYPT_IOC_SESSION_FREE	_IOW(VCRYPT_IOC_MAGIC, 0x02, __u32)
#define VCRYPT_IOC_OP		_IOWR(VCRYPT_IOC_MAGIC, 0x03, struct vcrypt_op)
#define VCRYPT_IOC_SUBMIT	_IOWR(VCRYPT_IOC_MAGIC, 0x04, \
				      struct vcrypt_submit)

#endif /* _UAPI_LINUX_VCRYPT_H */
