// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: AES-GCM in the kernel crypto API, gcm(aes) and rfc4106(gcm(aes)).
 *
 * The card's AES-GCM operation takes the Linux AEAD layout: the source is
 * AAD || plaintext (encrypt) or AAD || ciphertext || tag (decrypt), and the
 * destination mirrors it. gcm(aes) hands the request's scatterlists to the
 * card as they are, with the request's 12-byte IV.
 *
 * rfc4106(gcm(aes)) (IPsec ESP) keys are an AES key followed by a 4-byte
 * salt; the nonce is salt || the request's 8-byte IV. The request's
 * associated data (16 or 20 bytes) is the real AAD followed by that IV,
 * which GCM does not authenticate. As crypto/gcm.c does, the AAD is copied
 * into the request context and the card gets scatterlists made of that
 * copy followed by the request's data past the IV: the card reads and
 * rewrites the copy, and leaves the IV in the destination alone.
 *
 * Requests the card cannot take (no card, too long, too many SG entries)
 * and requests the card fails for want of memory run in a synchronous
 * software "gcm(aes)" or "rfc4106(gcm(aes))", on the original request.
 * vcrypt_tfm_submit() decides. The fallback has the transform's key and
 * tag size: setkey and setauthsize set both.
 */
#include <crypto/aes.h>
#include <crypto/gcm.h>
#include <crypto/internal/aead.h>
#include <crypto/scatterwalk.h>
#include <linux/array_size.h>
#include <linux/cache.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "vcrypt_crypto.h"

/* rfc4106: bytes of salt at the end of the key */
#define VCRYPT_RFC4106_SALT_SIZE	4
/* rfc4106: bytes of real AAD at most (associated data of 20 bytes) */
#define VCRYPT_RFC4106_AAD_MAX		(20 - GCM_RFC4106_IV_SIZE)

/**
 * struct vcrypt_aead_ctx - transform context
 * @vt: the card side
 * @fallback: the software implementation of the same algorithm
 * @key_len: bytes of @key
 * @salt_len: bytes of @salt: 0 for gcm(aes), 4 for rfc4106(gcm(aes))
 * @key: the AES key
 * @salt: the leading bytes of the nonce (rfc4106)
 */
struct vcrypt_aead_ctx {
	struct vcrypt_tfm vt;
	struct crypto_aead *fallback;
	unsigned int key_len;
	unsigned int salt_len;
	u8 key[AES_MAX_KEY_SIZE];
	u8 salt[VCRYPT_RFC4106_SALT_SIZE];
};

/**
 * struct vcrypt_aead_rctx - request context
 * @treq: the card side
 * @src: rfc4106: the AAD copy chained to the source data
 * @dst: rfc4106: the AAD copy chained to the destination data
 * @aad: rfc4106: the copy of the AAD; the card reads and writes it, so it
 *	has cache lines of its own
 * @subreq: the fallback's request (its context follows)
 */
struct vcrypt_aead_rctx {
	struct vcrypt_tfm_req treq;
	struct scatterlist src[3];
	struct scatterlist dst[3];
	u8 aad[VCRYPT_RFC4106_AAD_MAX] __aligned(ARCH_DMA_MINALIGN);
	struct aead_request subreq __aligned(ARCH_DMA_MINALIGN);
};

static int vcrypt_aead_setkey(struct crypto_aead *tfm, const u8 *key,
			      unsigned int keylen, unsigned int salt_len)
{
	struct vcrypt_aead_ctx *ctx = crypto_aead_ctx(tfm);
	unsigned int key_len = keylen - salt_len;
	int err;

	err = aes_check_keylen(key_len);
	if (err)
		return err;

	crypto_aead_clear_flags(ctx->fallback, CRYPTO_TFM_REQ_MASK);
	crypto_aead_set_flags(ctx->fallback,
			      crypto_aead_get_flags(tfm) & CRYPTO_TFM_REQ_MASK);
	err = crypto_aead_setkey(ctx->fallback, key, keylen);
	if (err)
		return err;

	memcpy(ctx->key, key, key_len);
	ctx->key_len = key_len;
	memcpy(ctx->salt, key + key_len, salt_len);
	ctx->salt_len = salt_len;
	return 0;
}

static int vcrypt_gcm_setkey(struct crypto_aead *tfm, const u8 *key,
			     unsigned int keylen)
{
	return vcrypt_aead_setkey(tfm, key, keylen, 0);
}

static int vcrypt_rfc4106_setkey(struct crypto_aead *tfm, const u8 *key,
				 unsigned int keylen)
{
	if (keylen < VCRYPT_RFC4106_SALT_SIZE)
		return -EINVAL;
	return vcrypt_aead_setkey(tfm, key, keylen, VCRYPT_RFC4106_SALT_SIZE);
}

static int vcrypt_gcm_setauthsize(struct crypto_aead *tfm,
				  unsigned int authsize)
{
	struct vcrypt_aead_ctx *ctx = crypto_aead_ctx(tfm);
	int err;

	err = crypto_gcm_check_authsize(authsize);
	if (err)
		return err;
	return crypto_aead_setauthsize(ctx->fallback, authsize);
}

static int vcrypt_rfc4106_setauthsize(struct crypto_aead *tfm,
				      unsigned int authsize)
{
	struct vcrypt_aead_ctx *ctx = crypto_aead_ctx(tfm);
	int err;

	err = crypto_rfc4106_check_authsize(authsize);
	if (err)
		return err;
	return crypto_aead_setauthsize(ctx->fallback, authsize);
}

/*
 * Runs the original request in software. Not with the request's
 * CRYPTO_TFM_REQ_MAY_SLEEP: the core may run it from another request's
 * submission, in that request's context.
 */
static int vcrypt_aead_fallback(struct vcrypt_tfm_req *treq)
{
	struct vcrypt_aead_rctx *rctx =
		container_of(treq, struct vcrypt_aead_rctx, treq);
	struct aead_request *req = aead_request_cast(treq->areq);
	struct vcrypt_aead_ctx *ctx = crypto_aead_ctx(crypto_aead_reqtfm(req));
	struct aead_request *subreq = &rctx->subreq;

	aead_request_set_tfm(subreq, ctx->fallback);
	aead_request_set_callback(subreq, 0, NULL, NULL);
	aead_request_set_crypt(subreq, req->src, req->dst, req->cryptlen,
			       req->iv);
	aead_request_set_ad(subreq, req->assoclen);
	if (treq->job.cmd.flags & VCRYPT_HW_DF_DECRYPT)
		return crypto_aead_decrypt(subreq);
	return crypto_aead_encrypt(subreq);
}

/*
 * Submits @req to the card with @src and @dst, which start with @aad_len
 * bytes of AAD followed by the request's data.
 */
static int vcrypt_aead_submit(struct aead_request *req, bool decrypt,
			      struct scatterlist *src, struct scatterlist *dst,
			      unsigned int aad_len)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	struct vcrypt_aead_ctx *ctx = crypto_aead_ctx(tfm);
	struct vcrypt_aead_rctx *rctx = aead_request_ctx_dma(req);
	unsigned int authsize = crypto_aead_authsize(tfm);
	struct vcrypt_tfm_req *treq = &rctx->treq;
	struct vcrypt_cmd *cmd = &treq->job.cmd;
	u64 src_len = (u64)aad_len + req->cryptlen;

	if (decrypt && req->cryptlen < authsize)
		return -EINVAL;

	treq->areq = &req->base;
	treq->vt = &ctx->vt;
	treq->finish = NULL;
	treq->fallback = vcrypt_aead_fallback;

	memset(cmd, 0, offsetof(struct vcrypt_cmd, key));
	cmd->op = VCRYPT_HW_OP_AES_GCM;
	cmd->flags = decrypt ? VCRYPT_HW_DF_DECRYPT : 0;
	cmd->key_len = ctx->key_len;
	memcpy(cmd->key, ctx->key, ctx->key_len);
	cmd->iv_len = GCM_AES_IV_SIZE;
	memcpy(cmd->iv, ctx->salt, ctx->salt_len);
	memcpy(cmd->iv + ctx->salt_len, req->iv, crypto_aead_ivsize(tfm));
	cmd->tag_len = authsize;
	cmd->aad_len = aad_len;
	cmd->src = src;
	cmd->dst = dst;
	/*
	 * Lengths no descriptor can hold (the card takes far less) go to
	 * software before they can wrap.
	 */
	if (src_len + authsize > U32_MAX)
		return vcrypt_tfm_fallback(treq);
	cmd->src_len = src_len;
	cmd->dst_len = decrypt ? src_len - authsize : src_len + authsize;
	return vcrypt_tfm_submit(treq);
}

static int vcrypt_gcm_encrypt(struct aead_request *req)
{
	return vcrypt_aead_submit(req, false, req->src, req->dst,
				  req->assoclen);
}

static int vcrypt_gcm_decrypt(struct aead_request *req)
{
	return vcrypt_aead_submit(req, true, req->src, req->dst,
				  req->assoclen);
}

/*
 * Makes @sg the AAD copy @aad followed by @data past its associated data;
 * returns @sg.
 */
static struct scatterlist *vcrypt_rfc4106_sg(struct scatterlist sg[3],
					     u8 *aad, unsigned int aad_len,
					     struct scatterlist *data,
					     unsigned int assoclen)
{
	struct scatterlist *rest;

	sg_init_table(sg, 3);
	sg_set_buf(sg, aad, aad_len);
	rest = scatterwalk_ffwd(sg + 1, data, assoclen);
	if (rest != sg + 1)
		sg_chain(sg, 2, rest);
	return sg;
}

static int vcrypt_rfc4106_crypt(struct aead_request *req, bool decrypt)
{
	struct vcrypt_aead_rctx *rctx = aead_request_ctx_dma(req);
	unsigned int aad_len = req->assoclen - GCM_RFC4106_IV_SIZE;
	struct scatterlist *src, *dst;
	int err;

	err = crypto_ipsec_check_assoclen(req->assoclen);
	if (err)
		return err;

	scatterwalk_map_and_copy(rctx->aad, req->src, 0, aad_len, 0);
	src = vcrypt_rfc4106_sg(rctx->src, rctx->aad, aad_len, req->src,
				req->assoclen);
	dst = src;
	if (req->dst != req->src)
		dst = vcrypt_rfc4106_sg(rctx->dst, rctx->aad, aad_len,
					req->dst, req->assoclen);
	return vcrypt_aead_submit(req, decrypt, src, dst, aad_len);
}

static int vcrypt_rfc4106_encrypt(struct aead_request *req)
{
	return vcrypt_rfc4106_crypt(req, false);
}

static int vcrypt_rfc4106_decrypt(struct aead_request *req)
{
	return vcrypt_rfc4106_crypt(req, true);
}

static int vcrypt_aead_init_tfm(struct crypto_aead *tfm)
{
	struct vcrypt_aead_ctx *ctx = crypto_aead_ctx(tfm);
	struct crypto_aead *fallback;

	fallback = crypto_alloc_aead(crypto_tfm_alg_name(crypto_aead_tfm(tfm)),
				     0, VCRYPT_FALLBACK_MASK);
	if (IS_ERR(fallback))
		return PTR_ERR(fallback);

	vcrypt_tfm_init(&ctx->vt);
	ctx->fallback = fallback;
	crypto_aead_set_reqsize_dma(tfm, sizeof(struct vcrypt_aead_rctx) +
				    crypto_aead_reqsize(fallback));
	return 0;
}

static void vcrypt_aead_exit_tfm(struct crypto_aead *tfm)
{
	struct vcrypt_aead_ctx *ctx = crypto_aead_ctx(tfm);

	vcrypt_tfm_exit(&ctx->vt);
	crypto_free_aead(ctx->fallback);
}

#define VCRYPT_AEAD(_name, _drv, _pfx, _ivsize)				\
	{								\
		.setkey = _pfx##_setkey,				\
		.setauthsize = _pfx##_setauthsize,			\
		.encrypt = _pfx##_encrypt,				\
		.decrypt = _pfx##_decrypt,				\
		.init = vcrypt_aead_init_tfm,				\
		.exit = vcrypt_aead_exit_tfm,				\
		.ivsize = _ivsize,					\
		.maxauthsize = AES_BLOCK_SIZE,				\
		.chunksize = AES_BLOCK_SIZE,				\
		.base = {						\
			.cra_name = _name,				\
			.cra_driver_name = _drv,			\
			.cra_priority = VCRYPT_CRA_PRIORITY,		\
			.cra_flags = VCRYPT_CRA_FLAGS,			\
			.cra_blocksize = 1,				\
			.cra_ctxsize = sizeof(struct vcrypt_aead_ctx),	\
			.cra_module = THIS_MODULE,			\
		},							\
	}

static struct aead_alg vcrypt_aead_algs[] = {
	VCRYPT_AEAD("gcm(aes)", "vcrypt-gcm-aes", vcrypt_gcm, GCM_AES_IV_SIZE),
	VCRYPT_AEAD("rfc4106(gcm(aes))", "vcrypt-rfc4106-gcm-aes",
		    vcrypt_rfc4106, GCM_RFC4106_IV_SIZE),
};

/**
 * vcrypt_aead_register() - register the AEAD algorithms
 *
 * Return: 0, or a negative errno with nothing registered.
 */
int vcrypt_aead_register(void)
{
	int i, ret;

	ret = crypto_register_aeads(vcrypt_aead_algs,
				    ARRAY_SIZE(vcrypt_aead_algs));
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(vcrypt_aead_algs); i++)
		vcrypt_alg_wait_tested(&vcrypt_aead_algs[i].base);
	return 0;
}

/**
 * vcrypt_aead_unregister() - unregister the AEAD algorithms
 *
 * Called once, after a successful vcrypt_aead_register(), when no transform
 * of them is left.
 */
void vcrypt_aead_unregister(void)
{
	crypto_unregister_aeads(vcrypt_aead_algs, ARRAY_SIZE(vcrypt_aead_algs));
}
