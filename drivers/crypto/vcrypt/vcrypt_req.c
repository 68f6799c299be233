// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: request objects and their DMA mappings.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/errno.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "vcrypt.h"

static struct kmem_cache *vcrypt_req_cache;

/**
 * vcrypt_req_cache_create() - create the slab cache of requests
 *
 * The key and the IV of a request may be copied from and to user space.
 *
 * Return: 0 or -ENOMEM.
 */
int vcrypt_req_cache_create(void)
{
	size_t start = offsetof(struct vcrypt_req, key);
	size_t end = offsetofend(struct vcrypt_req, iv);

	vcrypt_req_cache =
		kmem_cache_create_usercopy("vcrypt_req", sizeof(struct vcrypt_req),
					   __alignof__(struct vcrypt_req), 0,
					   start, end - start, NULL);
	return vcrypt_req_cache ? 0 : -ENOMEM;
}

/**
 * vcrypt_req_cache_destroy() - destroy the slab cache of requests
 */
void vcrypt_req_cache_destroy(void)
{
	kmem_cache_destroy(vcrypt_req_cache);
}

/**
 * vcrypt_req_alloc() - allocate a zeroed request
 * @gfp: allocation flags
 *
 * Return: the request, or NULL.
 */
struct vcrypt_req *vcrypt_req_alloc(gfp_t gfp)
{
	return kmem_cache_zalloc(vcrypt_req_cache, gfp);
}

/**
 * vcrypt_req_free() - free a request that is not in flight
 * @req: the request
 *
 * The key is wiped first.
 */
void vcrypt_req_free(struct vcrypt_req *req)
{
	memzero_explicit(req->key, sizeof(req->key));
	kmem_cache_free(vcrypt_req_cache, req);
}

/**
 * vcrypt_hw_status_errno() - errno of a card completion status
 * @hw_status: VCRYPT_HW_ST_*
 *
 * Return: 0 or a negative errno; -EIO for a status the driver does not know.
 */
int vcrypt_hw_status_errno(u32 hw_status)
{
	switch (hw_status) {
	case VCRYPT_HW_ST_OK:
		return 0;
	case VCRYPT_HW_ST_BAD_OP:
		return -EOPNOTSUPP;
	case VCRYPT_HW_ST_BAD_KEY:
	case VCRYPT_HW_ST_BAD_LEN:
	case VCRYPT_HW_ST_BAD_DESC:
		return -EINVAL;
	case VCRYPT_HW_ST_AUTH:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

static int vcrypt_map_sg(struct vcrypt_dev *vd, struct scatterlist *sgl,
			 u32 len, enum dma_data_direction dir, int *nents)
{
	int n, count;

	if (!len)
		return 0;

	n = sg_nents_for_len(sgl, len);
	if (n < 0)
		return n;

	count = dma_map_sg(vd->dev, sgl, n, dir);
	if (!count)
		return -ENOMEM;

	*nents = n;
	return count;
}

static int vcrypt_set_data(struct vcrypt_dev *vd, struct scatterlist *sgl,
			   int count, u32 len, __le64 *addr, __le16 *nsge,
			   struct vcrypt_hw_sge **sge, dma_addr_t *sge_dma)
{
	struct vcrypt_hw_sge *tbl;
	struct scatterlist *sg;
	int i, n = 0;

	if (!len)
		return 0;

	if (sg_dma_len(sgl) >= len) {
		*addr = cpu_to_le64(sg_dma_address(sgl));
		return 0;
	}

	if (count > vd->max_sge)
		return -EINVAL;

	tbl = dma_pool_alloc(vd->ring.sge_pool, GFP_ATOMIC, sge_dma);
	if (!tbl)
		return -ENOMEM;

	/* Empty segments, which the card refuses, are left out. */
	for_each_sg(sgl, sg, count, i) {
		u32 seg = min(sg_dma_len(sg), len);

		if (!len)
			break;
		if (!seg)
			continue;
		tbl[n].addr = cpu_to_le64(sg_dma_address(sg));
		tbl[n].len = cpu_to_le32(seg);
		tbl[n].rsvd = 0;
		n++;
		len -= seg;
	}

	*sge = tbl;
	*addr = cpu_to_le64(*sge_dma);
	*nsge = cpu_to_le16(n);
	return 0;
}

static void vcrypt_unmap_data(struct vcrypt_dev *vd, struct vcrypt_req *req)
{
	if (req->src_sge)
		dma_pool_free(vd->ring.sge_pool, req->src_sge,
			      req->src_sge_dma);
	if (req->dst_sge)
		dma_pool_free(vd->ring.sge_pool, req->dst_sge,
			      req->dst_sge_dma);
	req->src_sge = NULL;
	req->dst_sge = NULL;

	if (req->src == req->dst) {
		if (req->src_nents)
			dma_unmap_sg(vd->dev, req->src, req->src_nents,
				     DMA_BIDIRECTIONAL);
	} else {
		if (req->src_nents)
			dma_unmap_sg(vd->dev, req->src, req->src_nents,
				     DMA_TO_DEVICE);
		if (req->dst_nents)
			dma_unmap_sg(vd->dev, req->dst, req->dst_nents,
				     DMA_FROM_DEVICE);
	}
	req->src_nents = 0;
	req->dst_nents = 0;
}

static int vcrypt_map_data(struct vcrypt_dev *vd, struct vcrypt_req *req)
{
	struct vcrypt_hw_desc *desc = &req->desc;
	int src_count, dst_count, ret;

	if (req->src == req->dst) {
		ret = vcrypt_map_sg(vd, req->src,
				    max(req->src_len, req->dst_len),
				    DMA_BIDIRECTIONAL, &req->src_nents);
		if (ret < 0)
			return ret;
		src_count = ret;
		dst_count = ret;
	} else {
		ret = vcrypt_map_sg(vd, req->src, req->src_len,
				    DMA_TO_DEVICE, &req->src_nents);
		if (ret < 0)
			return ret;
		src_count = ret;
		ret = vcrypt_map_sg(vd, req->dst, req->dst_len,
				    DMA_FROM_DEVICE, &req->dst_nents);
		if (ret < 0)
			goto err;
		dst_count = ret;
	}

	ret = vcrypt_set_data(vd, req->src, src_count, req->src_len,
			      &desc->src_addr, &desc->src_nsge,
			      &req->src_sge, &req->src_sge_dma);
	if (ret)
		goto err;

	ret = vcrypt_set_data(vd, req->dst, dst_count, req->dst_len,
			      &desc->dst_addr, &desc->dst_nsge,
			      &req->dst_sge, &req->dst_sge_dma);
	if (ret)
		goto err;

	return 0;

err:
	vcrypt_unmap_data(vd, req);
	return ret;
}

/**
 * vcrypt_req_map() - map a request for DMA and build its descriptor
 * @vd: the card
 * @req: the request
 *
 * Maps the key and the source to the card, the destination from it and the
 * IV both ways, and builds SG tables for multi-segment data. Any context.
 *
 * Return: 0 or a negative errno, and then nothing stays mapped.
 */
int vcrypt_req_map(struct vcrypt_dev *vd, struct vcrypt_req *req)
{
	struct vcrypt_hw_desc *desc = &req->desc;
	int ret;

	memset(desc, 0, sizeof(*desc));
	desc->op = req->op;
	desc->flags = req->flags;
	desc->key_len = req->key_len;
	desc->iv_len = req->iv_len;
	desc->tag_len = req->tag_len;
	desc->src_len = cpu_to_le32(req->src_len);
	desc->dst_len = cpu_to_le32(req->dst_len);
	desc->aad_len = cpu_to_le32(req->aad_len);

	if (req->key_len) {
		req->key_dma = dma_map_single(vd->dev, req->key, req->key_len,
					      DMA_TO_DEVICE);
		if (dma_mapping_error(vd->dev, req->key_dma))
			return -ENOMEM;
		desc->key_addr = cpu_to_le64(req->key_dma);
	}

	if (req->iv_len) {
		req->iv_dma = dma_map_single(vd->dev, req->iv, req->iv_len,
					     DMA_BIDIRECTIONAL);
		if (dma_mapping_error(vd->dev, req->iv_dma)) {
			ret = -ENOMEM;
			goto err_key;
		}
		desc->iv_addr = cpu_to_le64(req->iv_dma);
	}

	ret = vcrypt_map_data(vd, req);
	if (ret)
		goto err_iv;

	return 0;

err_iv:
	if (req->iv_len)
		dma_unmap_single(vd->dev, req->iv_dma, req->iv_len,
				 DMA_BIDIRECTIONAL);
err_key:
	if (req->key_len)
		dma_unmap_single(vd->dev, req->key_dma, req->key_len,
				 DMA_TO_DEVICE);
	return ret;
}

/**
 * vcrypt_req_unmap() - undo vcrypt_req_map()
 * @vd: the card
 * @req: the request, which the card no longer accesses
 *
 * Afterwards the CPU sees what the card wrote to the destination and the IV.
 */
void vcrypt_req_unmap(struct vcrypt_dev *vd, struct vcrypt_req *req)
{
	vcrypt_unmap_data(vd, req);
	if (req->iv_len)
		dma_unmap_single(vd->dev, req->iv_dma, req->iv_len,
				 DMA_BIDIRECTIONAL);
	if (req->key_len)
		dma_unmap_single(vd->dev, req->key_dma, req->key_len,
				 DMA_TO_DEVICE);
}
