// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: AES-CBC, AES-CTR and AES-XTS as crypto API skciphers.
 *
 * A request is one card operation on the request's scatterlists, with the
 * key and the IV copied into the card command. The card writes the next
 * IV back for CBC and CTR, which goes back to the request's IV as the API
 * requires. Requests the card cannot take run in a software skcipher of
 * the same algorithm (see vcrypt_tfm_submit()).
 */
#include <crypto/aes.h>
#include <crypto/internal/skcipher.h>
#include <crypto/xts.h>
#include <linux/module.h>
#include <linux/string.h>

#include "vcrypt_crypto.h"

/**
 * struct vcrypt_skcipher_alg - a vcrypt skcipher
 * @alg: the crypto API algorithm
 * @op: the card's operation, VCRYPT_HW_OP_AES_*
 */
struct vcrypt_skcipher_alg {
	struct skcipher_alg alg;
	u8 op;
};

/**
 * struct vcrypt_skcipher_ctx - a transform
 * @vt: the card side
 * @fallback: the software skcipher
 * @op: the card's operation
 * @key_len: bytes of @key
 * @key: the key (both AES keys for XTS)
 */
struct vcrypt_skcipher_ctx {
	struct vcrypt_tfm vt;
	struct crypto_skcipher *fallback;
	u8 op;
	u8 key_len;
	u8 key[2 * AES_MAX_KEY_SIZE];
};

/**
 * struct vcrypt_skcipher_rctx - a request
 * @treq: the card side
 * @fallback_req: the request to the software skcipher; its context follows
 */
struct vcrypt_skcipher_rctx {
	struct vcrypt_tfm_req treq;
	struct skcipher_request fallback_req;
};

static int vcrypt_skcipher_setkey(struct crypto_skcipher *tfm, const u8 *key,
				  unsigned int key_len)
{
	struct vcrypt_skcipher_ctx *ctx = crypto_skcipher_ctx(tfm);
	int ret;

	if (ctx->op == VCRYPT_HW_OP_AES_XTS) {
		ret = xts_verify_key(tfm, key, key_len);
		if (!ret)
			ret = aes_check_keylen(key_len / 2);
	} else {
		ret = aes_check_keylen(key_len);
	}
	if (ret)
		return ret;

	crypto_skcipher_clear_flags(ctx->fallback, CRYPTO_TFM_REQ_MASK);
	crypto_skcipher_set_flags(ctx->fallback, crypto_skcipher_get_flags(tfm) &
				  CRYPTO_TFM_REQ_MASK);
	ret = crypto_skcipher_setkey(ctx->fallback, key, key_len);
	if (ret)
		return ret;

	memcpy(ctx->key, key, key_len);
	ctx->key_len = key_len;
	return 0;
}

static void vcrypt_skcipher_finish(struct vcrypt_tfm_req *treq)
{
	struct skcipher_request *req = skcipher_request_cast(treq->areq);

	memcpy(req->iv, treq->job.cmd.iv, AES_BLOCK_SIZE);
}

static int vcrypt_skcipher_fallback(struct vcrypt_tfm_req *treq)
{
	struct skcipher_request *req = skcipher_request_cast(treq->areq);
	struct vcrypt_skcipher_rctx *rctx =
		container_of(treq, struct vcrypt_skcipher_rctx, treq);
	struct crypto_skcipher *tfm = crypto_skcipher_reqtfm(req);
	struct vcrypt_skcipher_ctx *ctx = crypto_skcipher_ctx(tfm);
	struct skcipher_request *sub = &rctx->fallback_req;

	skcipher_request_set_tfm(sub, ctx->fallback);
	skcipher_request_set_callback(sub, 0, NULL, NULL);
	skcipher_request_set_crypt(sub, req->src, req->dst, req->cryptlen,
				   req->iv);
	if (treq->job.cmd.flags & VCRYPT_HW_DF_DECRYPT)
		return crypto_skcipher_decrypt(sub);
	return crypto_skcipher_encrypt(sub);
}

static int vcrypt_skcipher_crypt(struct skcipher_request *req, bool decrypt)
{
	struct crypto_skcipher *tfm = crypto_skcipher_reqtfm(req);
	struct vcrypt_skcipher_ctx *ctx = crypto_skcipher_ctx(tfm);
	struct vcrypt_skcipher_rctx *rctx = skcipher_request_ctx_dma(req);
	struct vcrypt_tfm_req *treq = &rctx->treq;
	struct vcrypt_cmd *cmd = &treq->job.cmd;

	switch (ctx->op) {
	case VCRYPT_HW_OP_AES_CBC:
		if (!IS_ALIGNED(req->cryptlen, AES_BLOCK_SIZE))
			return -EINVAL;
		break;
	case VCRYPT_HW_OP_AES_XTS:
		if (req->cryptlen < AES_BLOCK_SIZE)
			return -EINVAL;
		break;
	}
	if (!req->cryptlen)
		return 0;

	memset(cmd, 0, offsetof(struct vcrypt_cmd, key));
	cmd->op = ctx->op;
	cmd->flags = decrypt ? VCRYPT_HW_DF_DECRYPT : 0;
	cmd->key_len = ctx->key_len;
	memcpy(cmd->key, ctx->key, ctx->key_len);
	cmd->iv_len = AES_BLOCK_SIZE;
	memcpy(cmd->iv, req->iv, AES_BLOCK_SIZE);
	cmd->src = req->src;
	cmd->dst = req->dst;
	cmd->src_len = req->cryptlen;
	cmd->dst_len = req->cryptlen;

	treq->areq = &req->base;
	treq->vt = &ctx->vt;
	treq->finish = ctx->op == VCRYPT_HW_OP_AES_XTS ? NULL :
		       vcrypt_skcipher_finish;
	treq->fallback = vcrypt_skcipher_fallback;
	return vcrypt_tfm_submit(treq);
}

static int vcrypt_skcipher_encrypt(struct skcipher_request *req)
{
	return vcrypt_skcipher_crypt(req, false);
}

static int vcrypt_skcipher_decrypt(struct skcipher_request *req)
{
	return vcrypt_skcipher_crypt(req, true);
}

static int vcrypt_skcipher_init(struct crypto_skcipher *tfm)
{
	struct vcrypt_skcipher_alg *valg =
		container_of(crypto_skcipher_alg(tfm),
			     struct vcrypt_skcipher_alg, alg);
	struct vcrypt_skcipher_ctx *ctx = crypto_skcipher_ctx(tfm);
	struct crypto_skcipher *fallback;

	fallback = crypto_alloc_skcipher(crypto_tfm_alg_name(&tfm->base), 0,
					 VCRYPT_FALLBACK_MASK);
	if (IS_ERR(fallback))
		return PTR_ERR(fallback);

	vcrypt_tfm_init(&ctx->vt);
	ctx->fallback = fallback;
	ctx->op = valg->op;
	crypto_skcipher_set_reqsize_dma(tfm,
					sizeof(struct vcrypt_skcipher_rctx) +
					crypto_skcipher_reqsize(fallback));
	return 0;
}

static void vcrypt_skcipher_exit(struct crypto_skcipher *tfm)
{
	struct vcrypt_skcipher_ctx *ctx = crypto_skcipher_ctx(tfm);

	vcrypt_tfm_exit(&ctx->vt);
	crypto_free_skcipher(ctx->fallback);
	memzero_explicit(ctx->key, sizeof(ctx->key));
}

#define VCRYPT_SKCIPHER(_op, _name, _drv, _bs, _min, _max)		\
	{								\
		.op = _op,						\
		.alg = {						\
			.base = {					\
				.cra_name = _name,			\
				.cra_driver_name = _drv,		\
				.cra_priority = VCRYPT_CRA_PRIORITY,	\
				.cra_flags = VCRYPT_CRA_FLAGS,		\
				.cra_blocksize = _bs,			\
				.cra_ctxsize =				\
				sizeof(struct vcrypt_skcipher_ctx),	\
				.cra_module = THIS_MODULE,		\
			},						\
			.min_keysize = _min,				\
			.max_keysize = _max,				\
			.ivsize = AES_BLOCK_SIZE,			\
			.chunksize = AES_BLOCK_SIZE,			\
			.setkey = vcrypt_skcipher_setkey,		\
			.encrypt = vcrypt_skcipher_encrypt,		\
			.decrypt = vcrypt_skcipher_decrypt,		\
			.init = vcrypt_skcipher_init,			\
			.exit = vcrypt_skcipher_exit,			\
		},							\
	}

static struct vcrypt_skcipher_alg vcrypt_skciphers[] = {
	VCRYPT_SKCIPHER(VCRYPT_HW_OP_AES_CBC, "cbc(aes)", "vcrypt-cbc-aes",
			AES_BLOCK_SIZE, AES_MIN_KEY_SIZE, AES_MAX_KEY_SIZE),
	VCRYPT_SKCIPHER(VCRYPT_HW_OP_AES_CTR, "ctr(aes)", "vcrypt-ctr-aes",
			1, AES_MIN_KEY_SIZE, AES_MAX_KEY_SIZE),
	VCRYPT_SKCIPHER(VCRYPT_HW_OP_AES_XTS, "xts(aes)", "vcrypt-xts-aes",
			AES_BLOCK_SIZE, 2 * AES_MIN_KEY_SIZE,
			2 * AES_MAX_KEY_SIZE),
};

/**
 * vcrypt_skcipher_register() - register the skciphers
 *
 * Return: 0, or a negative errno and none is registered.
 */
int vcrypt_skcipher_register(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(vcrypt_skciphers); i++) {
		ret = crypto_register_skcipher(&vcrypt_skciphers[i].alg);
		if (ret)
			goto err;
	}
	for (i = 0; i < ARRAY_SIZE(vcrypt_skciphers); i++)
		vcrypt_alg_wait_tested(&vcrypt_skciphers[i].alg.base);
	return 0;

err:
	while (i--)
		crypto_unregister_skcipher(&vcrypt_skciphers[i].alg);
	return ret;
}

/**
 * vcrypt_skcipher_unregister() - unregister the skciphers
 */
void vcrypt_skcipher_unregister(void)
{
	int i;

	for (i = ARRAY_SIZE(vcrypt_skciphers) - 1; i >= 0; i--)
		crypto_unregister_skcipher(&vcrypt_skciphers[i].alg);
}
