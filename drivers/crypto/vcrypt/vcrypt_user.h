/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcrypt: operations from user space: sessions, checks and user memory.
 */
#ifndef _VCRYPT_USER_H
#define _VCRYPT_USER_H

#include <linux/bits.h>
#include <linux/scatterlist.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <linux/vcrypt.h>

struct mm_struct;
struct page;
struct vcrypt_cmd;

/* Sessions per open file */
#define VCRYPT_SESSIONS_MAX	256

/* BIT(alg) of every algorithm of the user ABI */
#define VCRYPT_USER_ALGS	(BIT(VCRYPT_ALG_AES_CBC) | BIT(VCRYPT_ALG_AES_CTR) | \
				 BIT(VCRYPT_ALG_AES_XTS) | BIT(VCRYPT_ALG_AES_GCM) | \
				 BIT(VCRYPT_ALG_SHA256) | BIT(VCRYPT_ALG_SHA512) | \
				 BIT(VCRYPT_ALG_HMAC_SHA256))

/**
 * struct vcrypt_uop - one operation as user space describes it, less the key
 * @alg: VCRYPT_ALG_*
 * @flags: VCRYPT_OP_*
 * @iv: user pointer to the IV
 * @src: user pointer to the source
 * @dst: user pointer to the destination
 * @iv_len: IV length
 * @src_len: source length
 * @dst_len: destination room
 * @aad_len: AES-GCM associated data length
 * @tag_len: AES-GCM tag length
 */
struct vcrypt_uop {
	u32 alg;
	u32 flags;
	u64 iv;
	u64 src;
	u64 dst;
	u32 iv_len;
	u32 src_len;
	u32 dst_len;
	u32 aad_len;
	u32 tag_len;
};

/**
 * struct vcrypt_umem - a user buffer pinned for the card
 * @pages: the pinned pages, or NULL for an empty buffer
 * @npages: entries of @pages
 * @offset: of the buffer in its first page
 * @sgt: what the card accesses: the buffer's pages, after @head if any
 * @head: kernel copy of the buffer's first bytes, when the pages are more
 *	than the card's SG tables hold, or NULL
 * @head_len: bytes of @head
 * @len: buffer length
 */
struct vcrypt_umem {
	struct page **pages;
	unsigned int npages;
	unsigned int offset;
	struct sg_table sgt;
	void *head;
	u32 head_len;
	u32 len;
};

/**
 * struct vcrypt_umap - the user buffers of one request
 * @src: the source
 * @dst: the destination, as long as the result
 * @mm: the submitter's memory, whose pinned_vm @pinned is charged to, with
 *	a reference (mmgrab()) until the pages are unpinned; or NULL
 * @pinned: pages charged to @mm->pinned_vm
 */
struct vcrypt_umap {
	struct vcrypt_umem src;
	struct vcrypt_umem dst;
	struct mm_struct *mm;
	unsigned long pinned;
};

/**
 * struct vcrypt_sessions - the sessions of an open file
 * @xa: struct vcrypt_session by handle; its lock protects the keys
 */
struct vcrypt_sessions {
	struct xarray xa;
};

void vcrypt_sessions_init(struct vcrypt_sessions *ss);
void vcrypt_sessions_destroy(struct vcrypt_sessions *ss);
int vcrypt_session_new(struct vcrypt_sessions *ss, u32 caps,
		       struct vcrypt_session_new __user *usn);
int vcrypt_session_free(struct vcrypt_sessions *ss, u32 __user *uhandle);
int vcrypt_session_key(struct vcrypt_sessions *ss, u32 handle,
		       struct vcrypt_cmd *cmd, u32 *alg);

int vcrypt_user_check_alg(u32 caps, u32 alg);
int vcrypt_user_check_key(u32 alg, u32 key_len);
int vcrypt_user_check(const struct vcrypt_uop *op, u32 max_data);
u32 vcrypt_user_out_len(const struct vcrypt_uop *op);
int vcrypt_user_map(struct vcrypt_umap *map, struct vcrypt_cmd *cmd,
		    const struct vcrypt_uop *op, u32 max_sge);
void vcrypt_user_unmap(struct vcrypt_umap *map, u32 out_len);

#endif /* _VCRYPT_USER_H */
