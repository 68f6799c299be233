// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: card commands and their DMA mappings.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/scatterlist.h>
#include <linux/string.h>
#include <crypto/sha2.h>

#include "vcrypt.h"

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

/*
 * Bytes the card's specification says a successful @cmd writes, or
 * U64_MAX for an operation the driver does not know or lengths with which
 * no operation succeeds.
 */
static u64 vcrypt_cmd_out_len(const struct vcrypt_cmd *cmd)
{
	switch (cmd->op) {
	case VCRYPT_HW_OP_AES_CBC:
	case VCRYPT_HW_OP_AES_CTR:
	case VCRYPT_HW_OP_AES_XTS:
		return cmd->src_len;
	case VCRYPT_HW_OP_AES_GCM:
		if (!(cmd->flags & VCRYPT_HW_DF_DECRYPT))
			return (u64)cmd->src_len + cmd->tag_len;
		if (cmd->src_len < cmd->tag_len)
			return U64_MAX;
		return cmd->src_len - cmd->tag_len;
	case VCRYPT_HW_OP_SHA256:
	case VCRYPT_HW_OP_HMAC_SHA256:
		return SHA256_DIGEST_SIZE;
	case VCRYPT_HW_OP_SHA512:
		return SHA512_DIGEST_SIZE;
	default:
		return U64_MAX;
	}
}

/**
 * vcrypt_cqe_valid() - whether a completion is one the card may post
 * @cmd: the command it completes
 * @hw_status: its status, VCRYPT_HW_ST_*
 * @flags: its flags
 * @out_len: the bytes it says the card wrote
 *
 * The card is not trusted: a completion is valid only if its flags hold
 * nothing but the phase bit, its status is one the specification defines
 * (AUTH only for an AES-GCM decryption) and its out_len is 0 for an error
 * and, for success, exactly what the operation produces, within the
 * destination. Any other completion fails its command with -EIO, so that
 * a short out_len never passes for a result.
 *
 * Return: true if it is valid.
 */
bool vcrypt_cqe_valid(const struct vcrypt_cmd *cmd, u16 hw_status, u16 flags,
		      u32 out_len)
{
	if (flags & ~VCRYPT_HW_CQE_PHASE || hw_status > VCRYPT_HW_ST_AUTH)
		return false;
	if (hw_status == VCRYPT_HW_ST_AUTH &&
	    (cmd->op != VCRYPT_HW_OP_AES_GCM ||
	     !(cmd->flags & VCRYPT_HW_DF_DECRYPT)))
		return false;
	if (hw_status != VCRYPT_HW_ST_OK)
		return !out_len;
	return out_len == vcrypt_cmd_out_len(cmd) && out_len <= cmd->dst_len;
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

static void vcrypt_unmap_data(struct vcrypt_dev *vd, struct vcrypt_cmd *cmd)
{
	if (cmd->src_sge)
		dma_pool_free(vd->ring.sge_pool, cmd->src_sge,
			      cmd->src_sge_dma);
	if (cmd->dst_sge)
		dma_pool_free(vd->ring.sge_pool, cmd->dst_sge,
			      cmd->dst_sge_dma);
	cmd->src_sge = NULL;
	cmd->dst_sge = NULL;

	if (cmd->src == cmd->dst) {
		if (cmd->src_nents)
			dma_unmap_sg(vd->dev, cmd->src, cmd->src_nents,
				     DMA_BIDIRECTIONAL);
	} else {
		if (cmd->src_nents)
			dma_unmap_sg(vd->dev, cmd->src, cmd->src_nents,
				     DMA_TO_DEVICE);
		if (cmd->dst_nents)
			dma_unmap_sg(vd->dev, cmd->dst, cmd->dst_nents,
				     DMA_FROM_DEVICE);
	}
	cmd->src_nents = 0;
	cmd->dst_nents = 0;
}

static int vcrypt_map_data(struct vcrypt_dev *vd, struct vcrypt_cmd *cmd)
{
	struct vcrypt_hw_desc *desc = &cmd->desc;
	int src_count, dst_count, ret;

	if (cmd->src == cmd->dst) {
		ret = vcrypt_map_sg(vd, cmd->src,
				    max(cmd->src_len, cmd->dst_len),
				    DMA_BIDIRECTIONAL, &cmd->src_nents);
		if (ret < 0)
			return ret;
		src_count = ret;
		dst_count = ret;
	} else {
		ret = vcrypt_map_sg(vd, cmd->src, cmd->src_len,
				    DMA_TO_DEVICE, &cmd->src_nents);
		if (ret < 0)
			return ret;
		src_count = ret;
		ret = vcrypt_map_sg(vd, cmd->dst, cmd->dst_len,
				    DMA_FROM_DEVICE, &cmd->dst_nents);
		if (ret < 0)
			goto err;
		dst_count = ret;
	}

	ret = vcrypt_set_data(vd, cmd->src, src_count, cmd->src_len,
			      &desc->src_addr, &desc->src_nsge,
			      &cmd->src_sge, &cmd->src_sge_dma);
	if (ret)
		goto err;

	ret = vcrypt_set_data(vd, cmd->dst, dst_count, cmd->dst_len,
			      &desc->dst_addr, &desc->dst_nsge,
			      &cmd->dst_sge, &cmd->dst_sge_dma);
	if (ret)
		goto err;

	return 0;

err:
	vcrypt_unmap_data(vd, cmd);
	return ret;
}

/**
 * vcrypt_cmd_map() - map a command for DMA and build its descriptor
 * @vd: the card
 * @cmd: the command
 *
 * Maps the key and the source to the card, the destination from it and the
 * IV both ways, and builds SG tables for multi-segment data. Any context.
 *
 * Return: 0 or a negative errno, and then nothing stays mapped.
 */
int vcrypt_cmd_map(struct vcrypt_dev *vd, struct vcrypt_cmd *cmd)
{
	struct vcrypt_hw_desc *desc = &cmd->desc;
	int ret;

	memset(desc, 0, sizeof(*desc));
	desc->op = cmd->op;
	desc->flags = cmd->flags;
	desc->key_len = cmd->key_len;
	desc->iv_len = cmd->iv_len;
	desc->tag_len = cmd->tag_len;
	desc->src_len = cpu_to_le32(cmd->src_len);
	desc->dst_len = cpu_to_le32(cmd->dst_len);
	desc->aad_len = cpu_to_le32(cmd->aad_len);

	if (cmd->key_len) {
		cmd->key_dma = dma_map_single(vd->dev, cmd->key, cmd->key_len,
					      DMA_TO_DEVICE);
		if (dma_mapping_error(vd->dev, cmd->key_dma))
			return -ENOMEM;
		desc->key_addr = cpu_to_le64(cmd->key_dma);
	}

	if (cmd->iv_len) {
		cmd->iv_dma = dma_map_single(vd->dev, cmd->iv, cmd->iv_len,
					     DMA_BIDIRECTIONAL);
		if (dma_mapping_error(vd->dev, cmd->iv_dma)) {
			ret = -ENOMEM;
			goto err_key;
		}
		desc->iv_addr = cpu_to_le64(cmd->iv_dma);
	}

	ret = vcrypt_map_data(vd, cmd);
	if (ret)
		goto err_iv;

	return 0;

err_iv:
	if (cmd->iv_len)
		dma_unmap_single(vd->dev, cmd->iv_dma, cmd->iv_len,
				 DMA_BIDIRECTIONAL);
err_key:
	if (cmd->key_len)
		dma_unmap_single(vd->dev, cmd->key_dma, cmd->key_len,
				 DMA_TO_DEVICE);
	return ret;
}

/**
 * vcrypt_cmd_unmap() - undo vcrypt_cmd_map()
 * @vd: the card
 * @cmd: the command, which the card no longer accesses
 *
 * Afterwards the CPU sees what the card wrote to the destination and the IV.
 */
void vcrypt_cmd_unmap(struct vcrypt_dev *vd, struct vcrypt_cmd *cmd)
{
	vcrypt_unmap_data(vd, cmd);
	if (cmd->iv_len)
		dma_unmap_single(vd->dev, cmd->iv_dma, cmd->iv_len,
				 DMA_BIDIRECTIONAL);
	if (cmd->key_len)
		dma_unmap_single(vd->dev, cmd->key_dma, cmd->key_len,
				 DMA_TO_DEVICE);
}
