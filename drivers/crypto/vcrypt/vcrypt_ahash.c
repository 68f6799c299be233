// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: hashes in the kernel crypto API: sha256, sha512, hmac(sha256).
 *
 * The card computes one-shot digests only; it keeps no partial state. So
 * every request also keeps the state of a software hash (the transform's
 * synchronous fallback), and the card serves what can be one shot:
 *
 * - digest runs on the card over req->src.
 * - After init, updates are collected in the request context, up to
 *   VCRYPT_AHASH_BUF_SIZE bytes in all, and final or finup hashes the
 *   message on the card (finup directly after init: over req->src). AF_ALG
 *   users such as libkcapi always hash that way: init, update, final.
 * - A message that outgrows the buffer goes to the software hash, what was
 *   collected first, and so does everything after export or import; each
 *   such call counts as a fallback operation of the card. export and
 *   import are the software hash's, so the state format is that of the
 *   generic implementations.
 * - The core runs requests in software as well when they do not fit
 *   the card (more than 1 MiB of data, more than 256 SG entries, no card,
 *   the card lacks the operation), and when the card fails one for want of
 *   memory.
 *
 * The card writes the digest to a bounce buffer in the request context,
 * zeroed before, copied to req->result when it completes. hmac(sha256)
 * keys longer than the card takes (VCRYPT_HW_KEY_MAX) are replaced by
 * their SHA-256, which gives the same HMAC (RFC 2104).
 */
#include <crypto/internal/hash.h>
#include <crypto/scatterwalk.h>
#include <crypto/sha2.h>
#include <linux/array_size.h>
#include <linux/cache.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "vcrypt_crypto.h"

/**
 * struct vcrypt_ahash_alg - a vcrypt hash algorithm
 * @alg: the crypto API algorithm
 * @op: the card's operation, VCRYPT_HW_OP_*
 */
struct vcrypt_ahash_alg {
	struct ahash_alg alg;
	u8 op;
};

/**
 * struct vcrypt_ahash_ctx - transform context
 * @vt: the card side
 * @fallback: the software hash, for partial hashes and what the card
 *	cannot take
 * @op: the card's operation, VCRYPT_HW_OP_*
 * @key_len: bytes of @key (hmac only)
 * @key: the HMAC key as the card takes it
 */
struct vcrypt_ahash_ctx {
	struct vcrypt_tfm vt;
	struct crypto_shash *fallback;
	u8 op;
	unsigned int key_len;
	u8 key[VCRYPT_HW_KEY_MAX];
};

/* Message bytes a request collects for one card digest at final or finup */
#define VCRYPT_AHASH_BUF_SIZE	4096

/**
 * struct vcrypt_ahash_rctx - request context
 * @treq: the card side
 * @sg: scatterlist of @digest, the card command's destination
 * @buf_sg: scatterlist of @buf, the card command's source
 * @buffering: since init, the message went to @buf only, not to the
 *	software hash: final and finup can use the card
 * @buflen: bytes in @buf
 * @digest: the card writes the digest here; alone in its DMA cache lines
 * @buf: the message so far, while @buffering
 * @desc: the software hash's state (followed by its context)
 */
struct vcrypt_ahash_rctx {
	struct vcrypt_tfm_req treq;
	struct scatterlist sg;
	struct scatterlist buf_sg;
	bool buffering;
	unsigned int buflen;
	u8 digest[SHA512_DIGEST_SIZE] __aligned(ARCH_DMA_MINALIGN);
	u8 buf[VCRYPT_AHASH_BUF_SIZE] __aligned(ARCH_DMA_MINALIGN);
	struct shash_desc desc __aligned(ARCH_DMA_MINALIGN);
};

static void vcrypt_ahash_finish(struct vcrypt_tfm_req *treq)
{
	struct vcrypt_ahash_rctx *rctx =
		container_of(treq, struct vcrypt_ahash_rctx, treq);
	struct ahash_request *req = ahash_request_cast(treq->areq);

	memcpy(req->result, rctx->digest,
	       crypto_ahash_digestsize(crypto_ahash_reqtfm(req)));
}

static int vcrypt_ahash_fallback(struct vcrypt_tfm_req *treq)
{
	struct vcrypt_ahash_rctx *rctx =
		container_of(treq, struct vcrypt_ahash_rctx, treq);
	struct ahash_request *req = ahash_request_cast(treq->areq);

	/* the message collected in @buf (none: the empty message) */
	if (!treq->job.cmd.src || treq->job.cmd.src == &rctx->buf_sg)
		return crypto_shash_digest(&rctx->desc, rctx->buf, rctx->buflen,
					   req->result);

	return shash_ahash_digest(req, &rctx->desc);
}

/* The digest of @nbytes of @src on the card; @src NULL: of nothing */
static int vcrypt_ahash_card(struct ahash_request *req,
			     struct scatterlist *src, unsigned int nbytes)
{
	struct crypto_ahash *tfm = crypto_ahash_reqtfm(req);
	struct vcrypt_ahash_ctx *ctx = crypto_ahash_ctx(tfm);
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);
	struct vcrypt_cmd *cmd = &rctx->treq.job.cmd;
	unsigned int digestsize = crypto_ahash_digestsize(tfm);

	memset(cmd, 0, offsetof(struct vcrypt_cmd, key));
	cmd->op = ctx->op;
	cmd->key_len = ctx->key_len;
	memcpy(cmd->key, ctx->key, ctx->key_len);
	cmd->src = src;
	cmd->src_len = nbytes;
	/* Only what the card writes here may reach the caller. */
	memset(rctx->digest, 0, sizeof(rctx->digest));
	sg_init_one(&rctx->sg, rctx->digest, digestsize);
	cmd->dst = &rctx->sg;
	cmd->dst_len = digestsize;

	rctx->treq.areq = &req->base;
	rctx->treq.vt = &ctx->vt;
	rctx->treq.finish = vcrypt_ahash_finish;
	rctx->treq.fallback = vcrypt_ahash_fallback;
	return vcrypt_tfm_submit(&rctx->treq);
}

/* The digest of the message collected in @buf, on the card */
static int vcrypt_ahash_card_buf(struct ahash_request *req)
{
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);

	if (!rctx->buflen)
		return vcrypt_ahash_card(req, NULL, 0);
	sg_init_one(&rctx->buf_sg, rctx->buf, rctx->buflen);
	return vcrypt_ahash_card(req, &rctx->buf_sg, rctx->buflen);
}

/* Appends @req's data to @buf if it fits; true if it did. */
static bool vcrypt_ahash_collect(struct ahash_request *req)
{
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);

	if (req->nbytes > VCRYPT_AHASH_BUF_SIZE - rctx->buflen)
		return false;
	scatterwalk_map_and_copy(rctx->buf + rctx->buflen, req->src, 0,
				 req->nbytes, 0);
	rctx->buflen += req->nbytes;
	return true;
}

/* From now on the message goes to the software hash, @buf first. */
static int vcrypt_ahash_flush(struct vcrypt_ahash_rctx *rctx)
{
	if (!rctx->buffering)
		return 0;
	rctx->buffering = false;
	return crypto_shash_update(&rctx->desc, rctx->buf, rctx->buflen);
}

static int vcrypt_ahash_init(struct ahash_request *req)
{
	struct vcrypt_ahash_ctx *ctx =
		crypto_ahash_ctx(crypto_ahash_reqtfm(req));
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);

	rctx->desc.tfm = ctx->fallback;
	rctx->buffering = true;
	rctx->buflen = 0;
	return crypto_shash_init(&rctx->desc);
}

static int vcrypt_ahash_update(struct ahash_request *req)
{
	struct vcrypt_ahash_ctx *ctx =
		crypto_ahash_ctx(crypto_ahash_reqtfm(req));
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);
	int ret;

	if (!req->nbytes)
		return 0;
	if (rctx->buffering && vcrypt_ahash_collect(req))
		return 0;

	ret = vcrypt_ahash_flush(rctx);
	if (ret)
		return ret;
	vcrypt_count_fallback(&ctx->vt);
	return shash_ahash_update(req, &rctx->desc);
}

static int vcrypt_ahash_final(struct ahash_request *req)
{
	struct vcrypt_ahash_ctx *ctx =
		crypto_ahash_ctx(crypto_ahash_reqtfm(req));
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);

	if (rctx->buffering)
		return vcrypt_ahash_card_buf(req);

	vcrypt_count_fallback(&ctx->vt);
	return crypto_shash_final(&rctx->desc, req->result);
}

static int vcrypt_ahash_finup(struct ahash_request *req)
{
	struct vcrypt_ahash_ctx *ctx =
		crypto_ahash_ctx(crypto_ahash_reqtfm(req));
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);
	int ret;

	if (rctx->buffering) {
		if (!rctx->buflen)
			return vcrypt_ahash_card(req, req->src, req->nbytes);
		if (vcrypt_ahash_collect(req))
			return vcrypt_ahash_card_buf(req);
	}

	ret = vcrypt_ahash_flush(rctx);
	if (ret)
		return ret;
	vcrypt_count_fallback(&ctx->vt);
	return shash_ahash_finup(req, &rctx->desc);
}

static int vcrypt_ahash_digest(struct ahash_request *req)
{
	struct vcrypt_ahash_ctx *ctx =
		crypto_ahash_ctx(crypto_ahash_reqtfm(req));
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);

	/* the fallback initialises the state itself */
	rctx->desc.tfm = ctx->fallback;
	rctx->buflen = 0;
	return vcrypt_ahash_card(req, req->src, req->nbytes);
}

static int vcrypt_ahash_export(struct ahash_request *req, void *out)
{
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);
	int ret;

	/* The exported state is the software hash's. */
	ret = vcrypt_ahash_flush(rctx);
	if (ret)
		return ret;
	return crypto_shash_export(&rctx->desc, out);
}

static int vcrypt_ahash_import(struct ahash_request *req, const void *in)
{
	struct vcrypt_ahash_ctx *ctx =
		crypto_ahash_ctx(crypto_ahash_reqtfm(req));
	struct vcrypt_ahash_rctx *rctx = ahash_request_ctx_dma(req);

	rctx->desc.tfm = ctx->fallback;
	rctx->buffering = false;
	return crypto_shash_import(&rctx->desc, in);
}

static int vcrypt_hmac_setkey(struct crypto_ahash *tfm, const u8 *key,
			      unsigned int keylen)
{
	struct vcrypt_ahash_ctx *ctx = crypto_ahash_ctx(tfm);
	int ret;

	crypto_shash_clear_flags(ctx->fallback, CRYPTO_TFM_REQ_MASK);
	crypto_shash_set_flags(ctx->fallback, crypto_ahash_get_flags(tfm) &
			       CRYPTO_TFM_REQ_MASK);
	ret = crypto_shash_setkey(ctx->fallback, key, keylen);
	if (ret)
		return ret;

	if (keylen > VCRYPT_HW_KEY_MAX) {
		sha256(key, keylen, ctx->key);
		keylen = SHA256_DIGEST_SIZE;
	} else {
		memcpy(ctx->key, key, keylen);
	}
	ctx->key_len = keylen;
	return 0;
}

static int vcrypt_ahash_init_tfm(struct crypto_ahash *tfm)
{
	struct vcrypt_ahash_alg *valg =
		container_of(crypto_ahash_alg(tfm), struct vcrypt_ahash_alg,
			     alg);
	struct vcrypt_ahash_ctx *ctx = crypto_ahash_ctx(tfm);
	struct crypto_shash *fallback;

	fallback = crypto_alloc_shash(crypto_ahash_alg_name(tfm), 0,
				      VCRYPT_FALLBACK_MASK);
	if (IS_ERR(fallback))
		return PTR_ERR(fallback);

	/* export and import are the fallback's: its state must be ours */
	if (crypto_shash_statesize(fallback) != crypto_ahash_statesize(tfm)) {
		crypto_free_shash(fallback);
		return -EINVAL;
	}

	vcrypt_tfm_init(&ctx->vt);
	ctx->fallback = fallback;
	ctx->op = valg->op;
	crypto_ahash_set_reqsize_dma(tfm, sizeof(struct vcrypt_ahash_rctx) +
				     crypto_shash_descsize(fallback));
	return 0;
}

static void vcrypt_ahash_exit_tfm(struct crypto_ahash *tfm)
{
	struct vcrypt_ahash_ctx *ctx = crypto_ahash_ctx(tfm);

	vcrypt_tfm_exit(&ctx->vt);
	crypto_free_shash(ctx->fallback);
}

#define VCRYPT_AHASH_ALG(_name, _driver_name, _op, _setkey, _digestsize, \
			 _statesize, _blocksize)				\
	{								\
		.op = _op,						\
		.alg = {						\
			.init = vcrypt_ahash_init,			\
			.update = vcrypt_ahash_update,			\
			.final = vcrypt_ahash_final,			\
			.finup = vcrypt_ahash_finup,			\
			.digest = vcrypt_ahash_digest,			\
			.export = vcrypt_ahash_export,			\
			.import = vcrypt_ahash_import,			\
			.setkey = _setkey,				\
			.init_tfm = vcrypt_ahash_init_tfm,		\
			.exit_tfm = vcrypt_ahash_exit_tfm,		\
			.halg.digestsize = _digestsize,			\
			.halg.statesize = _statesize,			\
			.halg.base = {					\
				.cra_name = _name,			\
				.cra_driver_name = _driver_name,	\
				.cra_priority = VCRYPT_CRA_PRIORITY,	\
				.cra_flags = VCRYPT_CRA_FLAGS,		\
				.cra_blocksize = _blocksize,		\
				.cra_ctxsize =				\
					sizeof(struct vcrypt_ahash_ctx), \
				.cra_module = THIS_MODULE,		\
			},						\
		},							\
	}

static struct vcrypt_ahash_alg vcrypt_ahash_algs[] = {
	VCRYPT_AHASH_ALG("sha256", "vcrypt-sha256", VCRYPT_HW_OP_SHA256,
			 NULL, SHA256_DIGEST_SIZE,
			 sizeof(struct sha256_state), SHA256_BLOCK_SIZE),
	VCRYPT_AHASH_ALG("sha512", "vcrypt-sha512", VCRYPT_HW_OP_SHA512,
			 NULL, SHA512_DIGEST_SIZE,
			 sizeof(struct sha512_state), SHA512_BLOCK_SIZE),
	VCRYPT_AHASH_ALG("hmac(sha256)", "vcrypt-hmac-sha256",
			 VCRYPT_HW_OP_HMAC_SHA256, vcrypt_hmac_setkey,
			 SHA256_DIGEST_SIZE, sizeof(struct sha256_state),
			 SHA256_BLOCK_SIZE),
};

/**
 * vcrypt_ahash_register() - register the hash algorithms
 *
 * Called once, when the first card is bound.
 *
 * Return: 0, or a negative errno and then nothing is registered.
 */
int vcrypt_ahash_register(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(vcrypt_ahash_algs); i++) {
		ret = crypto_register_ahash(&vcrypt_ahash_algs[i].alg);
		if (ret)
			goto err;
	}
	for (i = 0; i < ARRAY_SIZE(vcrypt_ahash_algs); i++)
		vcrypt_alg_wait_tested(&vcrypt_ahash_algs[i].alg.halg.base);
	return 0;

err:
	while (i--)
		crypto_unregister_ahash(&vcrypt_ahash_algs[i].alg);
	return ret;
}

/**
 * vcrypt_ahash_unregister() - unregister the hash algorithms
 *
 * Called at module exit, after a successful vcrypt_ahash_register(), when
 * no transform of them exists.
 */
void vcrypt_ahash_unregister(void)
{
	int i;

	for (i = ARRAY_SIZE(vcrypt_ahash_algs) - 1; i >= 0; i--)
		crypto_unregister_ahash(&vcrypt_ahash_algs[i].alg);
}
