// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: operations from user space: checks and user memory.
 *
 * The card reads the source and writes the destination in the caller's
 * own pages: they are pinned when the request is queued and unpinned when
 * it completes, so that completion needs nothing of the caller's process.
 * The pins are long-term (FOLL_LONGTERM: a request may wait behind other
 * slices for as long as they keep the card busy) and are charged to the
 * submitting process's RLIMIT_MEMLOCK through its mm->pinned_vm, as vfio,
 * io_uring and RDMA charge theirs; the charge is dropped when the pages
 * are unpinned, in whatever context. Kernel memory a request needs (page
 * arrays, SG tables, head copies) is charged to the submitter's memory
 * cgroup.
 * A buffer over more discontiguous pages than the card's SG tables hold (a
 * misaligned buffer of nearly MAX_DATA) has the bytes of its first pages
 * in a kernel copy, so that the rest fits: copied from the pinned pages
 * when queued (source), or to them on completion (destination).
 */
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <crypto/sha2.h>

#include "vcrypt.h"
#include "vcrypt_user.h"

#define VCRYPT_AES_BLOCK	16
#define VCRYPT_AES_IV_LEN	16
#define VCRYPT_GCM_IV_LEN	12

/**
 * vcrypt_user_check_alg() - check an algorithm of the user ABI
 * @caps: the card's VCRYPT_REG_CAPS
 * @alg: VCRYPT_ALG_*
 *
 * Return: 0; -EINVAL if @alg is unknown; -EOPNOTSUPP if the card lacks it.
 */
int vcrypt_user_check_alg(u32 caps, u32 alg)
{
	if (alg >= 32 || !(VCRYPT_USER_ALGS & BIT(alg)))
		return -EINVAL;
	if (!(caps & BIT(alg)))
		return -EOPNOTSUPP;
	return 0;
}

/**
 * vcrypt_user_check_key() - check a key length
 * @alg: a known VCRYPT_ALG_*
 * @key_len: key length in bytes
 *
 * HMAC keys longer than VCRYPT_HW_KEY_MAX are refused, not hashed.
 *
 * Return: 0 or -EINVAL.
 */
int vcrypt_user_check_key(u32 alg, u32 key_len)
{
	switch (alg) {
	case VCRYPT_ALG_AES_CBC:
	case VCRYPT_ALG_AES_CTR:
	case VCRYPT_ALG_AES_GCM:
		return key_len == 16 || key_len == 24 || key_len == 32 ?
		       0 : -EINVAL;
	case VCRYPT_ALG_AES_XTS:
		return key_len == 32 || key_len == 48 || key_len == 64 ?
		       0 : -EINVAL;
	case VCRYPT_ALG_HMAC_SHA256:
		return key_len <= VCRYPT_HW_KEY_MAX ? 0 : -EINVAL;
	default:
		return key_len ? -EINVAL : 0;
	}
}

static bool vcrypt_user_is_hash(u32 alg)
{
	return alg == VCRYPT_ALG_SHA256 || alg == VCRYPT_ALG_SHA512 ||
	       alg == VCRYPT_ALG_HMAC_SHA256;
}

static u32 vcrypt_user_iv_len(u32 alg)
{
	switch (alg) {
	case VCRYPT_ALG_AES_CBC:
	case VCRYPT_ALG_AES_CTR:
	case VCRYPT_ALG_AES_XTS:
		return VCRYPT_AES_IV_LEN;
	case VCRYPT_ALG_AES_GCM:
		return VCRYPT_GCM_IV_LEN;
	default:
		return 0;
	}
}

static bool vcrypt_user_gcm_tag_ok(u32 tag_len)
{
	return tag_len == 4 || tag_len == 8 || (tag_len >= 12 && tag_len <= 16);
}

/**
 * vcrypt_user_out_len() - bytes the card writes to the destination
 * @op: an operation that passed vcrypt_user_check()
 *
 * Return: the result length.
 */
u32 vcrypt_user_out_len(const struct vcrypt_uop *op)
{
	switch (op->alg) {
	case VCRYPT_ALG_SHA256:
	case VCRYPT_ALG_HMAC_SHA256:
		return SHA256_DIGEST_SIZE;
	case VCRYPT_ALG_SHA512:
		return SHA512_DIGEST_SIZE;
	case VCRYPT_ALG_AES_GCM:
		if (op->flags & VCRYPT_OP_DECRYPT)
			return op->src_len - op->tag_len;
		return op->src_len + op->tag_len;
	default:
		return op->src_len;
	}
}

/**
 * vcrypt_user_check() - check an operation before it is queued
 * @op: the operation, of a known algorithm
 * @max_data: the card's largest source
 *
 * Return: 0; -E2BIG if the source is larger than @max_data; -EINVAL if a
 * flag, a length or the destination room is wrong for the algorithm.
 */
int vcrypt_user_check(const struct vcrypt_uop *op, u32 max_data)
{
	bool decrypt = op->flags & VCRYPT_OP_DECRYPT;

	if (op->flags & ~VCRYPT_OP_DECRYPT)
		return -EINVAL;
	if (op->src_len > max_data)
		return -E2BIG;
	if (decrypt && vcrypt_user_is_hash(op->alg))
		return -EINVAL;
	if (op->iv_len != vcrypt_user_iv_len(op->alg))
		return -EINVAL;
	if (op->alg != VCRYPT_ALG_AES_GCM && (op->aad_len || op->tag_len))
		return -EINVAL;

	switch (op->alg) {
	case VCRYPT_ALG_AES_CBC:
		if (op->src_len % VCRYPT_AES_BLOCK)
			return -EINVAL;
		break;
	case VCRYPT_ALG_AES_XTS:
		if (op->src_len < VCRYPT_AES_BLOCK)
			return -EINVAL;
		break;
	case VCRYPT_ALG_AES_GCM:
		if (!vcrypt_user_gcm_tag_ok(op->tag_len) ||
		    op->aad_len > op->src_len)
			return -EINVAL;
		if (decrypt &&
		    (u64)op->aad_len + op->tag_len > op->src_len)
			return -EINVAL;
		break;
	}

	if (op->dst_len < vcrypt_user_out_len(op))
		return -EINVAL;
	return 0;
}

/* Copies @len bytes between the head copy and the first user pages. */
static void vcrypt_umem_copy_head(struct vcrypt_umem *um, u32 len,
				  bool to_user)
{
	unsigned int off = um->offset, i;
	u8 *head = um->head;
	u32 n;

	for (i = 0; len; i++) {
		n = min_t(u32, len, PAGE_SIZE - off);
		if (to_user)
			memcpy_to_page(um->pages[i], off, head, n);
		else
			memcpy_from_page(head, um->pages[i], off, n);
		head += n;
		len -= n;
		off = 0;
	}
}

/*
 * Builds a scatterlist of at most @max_sge entries for a buffer over more
 * discontiguous pages: a kernel copy of the bytes in its first pages, then
 * one entry per remaining page.
 */
static int vcrypt_umem_head(struct vcrypt_umem *um, bool write, u32 max_sge)
{
	unsigned int k = um->npages - max_sge + 1, i;
	struct scatterlist *sg;
	u32 left;
	int ret;

	um->head_len = min_t(u32, um->len, k * PAGE_SIZE - um->offset);
	/*
	 * Zeroed: a destination's head goes back to user space as the card
	 * left it, and a card that writes less than it reports must not
	 * hand out what the allocator had there.
	 */
	um->head = kzalloc(um->head_len, GFP_KERNEL_ACCOUNT);
	if (!um->head)
		return -ENOMEM;

	ret = sg_alloc_table(&um->sgt, um->npages - k + 1, GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(um->head);
		um->head = NULL;
		return ret;
	}

	sg = um->sgt.sgl;
	sg_set_buf(sg, um->head, um->head_len);
	left = um->len - um->head_len;
	for (i = k; i < um->npages; i++) {
		sg = sg_next(sg);
		sg_set_page(sg, um->pages[i], min_t(u32, left, PAGE_SIZE), 0);
		left -= sg->length;
	}

	if (!write)
		vcrypt_umem_copy_head(um, um->head_len, false);
	return 0;
}

/*
 * Charges @npages to the pinned_vm of the caller's mm, within its
 * RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK; the map keeps the mm.
 */
static int vcrypt_umap_charge(struct vcrypt_umap *map, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 pinned;

	if (!map->mm) {
		map->mm = current->mm;
		mmgrab(map->mm);
	}
	pinned = atomic64_add_return(npages, &map->mm->pinned_vm);
	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &map->mm->pinned_vm);
		return -ENOMEM;
	}
	map->pinned += npages;
	return 0;
}

/* Drops the charge of every page of @map; any context that may sleep. */
static void vcrypt_umap_uncharge(struct vcrypt_umap *map)
{
	if (!map->mm)
		return;
	atomic64_sub(map->pinned, &map->mm->pinned_vm);
	mmdrop(map->mm);
	map->mm = NULL;
	map->pinned = 0;
}

static int vcrypt_umem_get(struct vcrypt_umap *map, struct vcrypt_umem *um,
			   u64 uaddr, u32 len, bool write, u32 max_sge)
{
	unsigned int gup = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	unsigned int n;
	int pinned, ret;

	if (!len)
		return 0;
	if (!access_ok(u64_to_user_ptr(uaddr), len))
		return -EFAULT;

	um->offset = offset_in_page(uaddr);
	n = DIV_ROUND_UP(um->offset + len, PAGE_SIZE);
	ret = vcrypt_umap_charge(map, n);
	if (ret)
		return ret;
	um->pages = kvmalloc_array(n, sizeof(*um->pages), GFP_KERNEL_ACCOUNT);
	if (!um->pages)
		return -ENOMEM;

	pinned = pin_user_pages_fast(uaddr & PAGE_MASK, n, gup, um->pages);
	if (pinned != n) {
		ret = pinned < 0 ? pinned : -EFAULT;
		if (pinned > 0)
			unpin_user_pages(um->pages, pinned);
		goto err_free;
	}
	um->npages = n;
	um->len = len;

	ret = sg_alloc_table_from_pages_segment(&um->sgt, um->pages, n,
						um->offset, len, UINT_MAX,
						GFP_KERNEL_ACCOUNT);
	if (!ret && um->sgt.orig_nents > max_sge) {
		sg_free_table(&um->sgt);
		ret = vcrypt_umem_head(um, write, max_sge);
	}
	if (ret)
		goto err_unpin;
	return 0;

err_unpin:
	unpin_user_pages(um->pages, n);
err_free:
	kvfree(um->pages);
	um->pages = NULL;
	return ret;
}

static void vcrypt_umem_put(struct vcrypt_umem *um, bool write, u32 out_len)
{
	if (!um->pages)
		return;

	if (um->head) {
		if (write)
			vcrypt_umem_copy_head(um, min(out_len, um->head_len),
					      true);
		kfree(um->head);
		um->head = NULL;
	}
	sg_free_table(&um->sgt);
	unpin_user_pages_dirty_lock(um->pages, um->npages, write);
	kvfree(um->pages);
	um->pages = NULL;
}

static struct scatterlist *vcrypt_umem_sg(struct vcrypt_umem *um)
{
	return um->pages ? um->sgt.sgl : NULL;
}

/**
 * vcrypt_user_map() - fill in a card command from a user operation
 * @map: the operation's buffers, zeroed
 * @cmd: the command; the caller sets its key
 * @op: the operation, which passed vcrypt_user_check()
 * @max_sge: entries of the card's SG tables
 *
 * Copies the IV and pins the source and as much of the destination as the
 * result needs, charging the pages to the caller's RLIMIT_MEMLOCK. Process
 * context, in the caller's process.
 *
 * Return: 0, or a negative errno (-EFAULT for a bad user pointer, -ENOMEM
 * past RLIMIT_MEMLOCK without CAP_IPC_LOCK) and then nothing is left
 * pinned or charged.
 */
int vcrypt_user_map(struct vcrypt_umap *map, struct vcrypt_cmd *cmd,
		    const struct vcrypt_uop *op, u32 max_sge)
{
	u32 out_len = vcrypt_user_out_len(op);
	int ret;

	if (copy_from_user(cmd->iv, u64_to_user_ptr(op->iv), op->iv_len))
		return -EFAULT;

	cmd->op = op->alg;
	cmd->flags = op->flags & VCRYPT_OP_DECRYPT ? VCRYPT_HW_DF_DECRYPT : 0;
	cmd->iv_len = op->iv_len;
	cmd->tag_len = op->tag_len;
	cmd->aad_len = op->aad_len;
	cmd->src_len = op->src_len;
	cmd->dst_len = out_len;

	ret = vcrypt_umem_get(map, &map->src, op->src, op->src_len, false,
			      max_sge);
	if (!ret)
		ret = vcrypt_umem_get(map, &map->dst, op->dst, out_len, true,
				      max_sge);
	if (ret) {
		vcrypt_umem_put(&map->src, false, 0);
		vcrypt_umap_uncharge(map);
		return ret;
	}

	cmd->src = vcrypt_umem_sg(&map->src);
	cmd->dst = vcrypt_umem_sg(&map->dst);
	return 0;
}

/**
 * vcrypt_user_unmap() - release the user buffers of a finished request
 * @map: the buffers
 * @out_len: bytes of result to deliver to the destination
 *
 * Unpins the pages and drops their charge. Process context; any process.
 */
void vcrypt_user_unmap(struct vcrypt_umap *map, u32 out_len)
{
	vcrypt_umem_put(&map->src, false, 0);
	vcrypt_umem_put(&map->dst, true, out_len);
	vcrypt_umap_uncharge(map);
}
