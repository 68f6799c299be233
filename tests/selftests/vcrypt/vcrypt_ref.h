/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The independent reference of the selftests: what the card must give for
 * any operation, computed by OpenSSL's libcrypto (Debian's libssl-dev,
 * linked statically), which shares no code with the card model, the
 * driver or the kernel. The tests compare the card with it wherever their
 * data goes beyond a published vector.
 *
 * OpenSSL has no XTS-AES-192: XTS is built here from its AES-ECB
 * (IEEE 1619, with ciphertext stealing) for every key size, and checked
 * against OpenSSL's own XTS-AES-128 and -256 by vr_self_test(), with the
 * derived XTS-AES-192 vector of vcrypt_kat.h besides.
 *
 * Operations are described as the card takes them (struct vr_op): for
 * AES-GCM the source is AAD || plaintext (encrypt) or AAD || ciphertext
 * || tag (decrypt), and so is the output; CBC and CTR also give the next
 * IV the card writes back. Random test data comes from vr_rand(), a
 * seeded xorshift generator, so that every run checks the same bytes.
 */
#ifndef VCRYPT_REF_H
#define VCRYPT_REF_H

#include <stdbool.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "vcrypt_kat.h"

#define VR_BLOCK	16
#define VR_GCM_IV_LEN	12
#define VR_GCM_TAG_MAX	16
#define VR_DIGEST_MAX	64

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* The GCM tag lengths the card takes */
static const unsigned int vr_gcm_tags[] = { 4, 8, 12, 13, 14, 15, 16 };

/**
 * struct vr_op - one operation as the card takes it
 * @alg: VCRYPT_ALG_*
 * @decrypt: the VCRYPT_OP_DECRYPT flag
 * @key: the key (both XTS keys, Key1 first), @key_len bytes
 * @iv: the IV (16 bytes; 12 for AES-GCM), or NULL for hashes
 * @src: the source, @src_len bytes, laid out as the card reads it
 * @aad_len: AES-GCM associated data length
 * @tag_len: AES-GCM tag length
 */
struct vr_op {
	__u32 alg;
	bool decrypt;
	const __u8 *key;
	__u32 key_len;
	const __u8 *iv;
	const __u8 *src;
	__u32 src_len;
	__u32 aad_len;
	__u32 tag_len;
};

/* The next value of the generator @s (never 0 once seeded non-zero) */
static inline __u32 vr_rand(__u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Fill @buf with @len bytes of the generator seeded with @seed */
static inline void vr_fill(void *buf, size_t len, __u32 seed)
{
	__u32 s = seed * 2654435761u | 1, r = 0;
	__u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i % 4))
			r = vr_rand(&s);
		p[i] = r >> (i % 4 * 8);
	}
}

/* Whether the card's operation @alg takes @len bytes of source */
static inline bool vr_len_ok(__u32 alg, __u32 len)
{
	switch (alg) {
	case VCRYPT_ALG_AES_CBC:
		return !(len % VR_BLOCK);
	case VCRYPT_ALG_AES_XTS:
		return len >= VR_BLOCK;
	default:
		return true;
	}
}

static inline bool vr_is_hash(__u32 alg)
{
	return alg == VCRYPT_ALG_SHA256 || alg == VCRYPT_ALG_SHA512 ||
	       alg == VCRYPT_ALG_HMAC_SHA256;
}

/* The IV length of @alg */
static inline __u32 vr_iv_len(__u32 alg)
{
	if (vr_is_hash(alg))
		return 0;
	return alg == VCRYPT_ALG_AES_GCM ? VR_GCM_IV_LEN : VR_BLOCK;
}

/* The bytes the card writes for @op (which must be valid) */
static inline __u32 vr_out_len(const struct vr_op *op)
{
	switch (op->alg) {
	case VCRYPT_ALG_SHA512:
		return 64;
	case VCRYPT_ALG_SHA256:
	case VCRYPT_ALG_HMAC_SHA256:
		return 32;
	case VCRYPT_ALG_AES_GCM:
		return op->decrypt ? op->src_len - op->tag_len :
				     op->src_len + op->tag_len;
	default:
		return op->src_len;
	}
}

static inline const EVP_CIPHER *vr_evp(__u32 alg, __u32 key_len)
{
	switch (alg) {
	case VCRYPT_ALG_AES_CBC:
		return key_len == 16 ? EVP_aes_128_cbc() :
		       key_len == 24 ? EVP_aes_192_cbc() :
		       key_len == 32 ? EVP_aes_256_cbc() : NULL;
	case VCRYPT_ALG_AES_CTR:
		return key_len == 16 ? EVP_aes_128_ctr() :
		       key_len == 24 ? EVP_aes_192_ctr() :
		       key_len == 32 ? EVP_aes_256_ctr() : NULL;
	case VCRYPT_ALG_AES_GCM:
		return key_len == 16 ? EVP_aes_128_gcm() :
		       key_len == 24 ? EVP_aes_192_gcm() :
		       key_len == 32 ? EVP_aes_256_gcm() : NULL;
	case VCRYPT_ALG_AES_XTS:
		/* ECB of one half: XTS is built on it below */
		return key_len == 32 ? EVP_aes_128_ecb() :
		       key_len == 48 ? EVP_aes_192_ecb() :
		       key_len == 64 ? EVP_aes_256_ecb() : NULL;
	default:
		return NULL;
	}
}

/*
 * @len bytes of @in through @cipher (no padding) into @out; 0 or -1.
 * @iv may be NULL (ECB).
 */
static inline int vr_evp_run(const EVP_CIPHER *cipher, bool decrypt,
			     const __u8 *key, const __u8 *iv, const __u8 *in,
			     size_t len, __u8 *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	if (!ctx)
		return -1;
	ok = EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, !decrypt) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     (!len || EVP_CipherUpdate(ctx, out, &n, in, len)) &&
	     EVP_CipherFinal_ex(ctx, out + n, &m) && (size_t)(n + m) == len;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* XTS: multiply the tweak by alpha in GF(2^128), little-endian */
static inline void vr_xts_mul(__u8 *t)
{
	__u8 carry = 0, c;
	int i;

	for (i = 0; i < VR_BLOCK; i++) {
		c = t[i] >> 7;
		t[i] = t[i] << 1 | carry;
		carry = c;
	}
	if (carry)
		t[0] ^= 0x87;
}

/* XTS: one block, C = E(Key1, P ^ T) ^ T (or D for decryption) */
static inline int vr_xts_block(const EVP_CIPHER *ecb, bool decrypt,
			       const __u8 *key1, const __u8 *t,
			       const __u8 *in, __u8 *out)
{
	__u8 x[VR_BLOCK];
	int i;

	for (i = 0; i < VR_BLOCK; i++)
		x[i] = in[i] ^ t[i];
	if (vr_evp_run(ecb, decrypt, key1, NULL, x, VR_BLOCK, x))
		return -1;
	for (i = 0; i < VR_BLOCK; i++)
		out[i] = x[i] ^ t[i];
	return 0;
}

/*
 * IEEE 1619 XTS-AES of one data unit of @len >= 16 bytes, with ciphertext
 * stealing for a partial last block; @key is Key1 || Key2. The whole
 * blocks go through one ECB call between two XORs with their tweaks, the
 * stolen pair block by block. 0 or -1.
 */
static inline int vr_xts(bool decrypt, const __u8 *key, __u32 key_len,
			 const __u8 *iv, const __u8 *in, __u32 len, __u8 *out)
{
	const EVP_CIPHER *ecb = vr_evp(VCRYPT_ALG_AES_XTS, key_len);
	__u32 full = len / VR_BLOCK, rest = len % VR_BLOCK, bulk, j, i;
	__u8 t[VR_BLOCK], t2[VR_BLOCK], pp[VR_BLOCK], *tw;
	const __u8 *key1 = key, *key2 = key + key_len / 2;
	int ret = -1;

	if (!ecb || len < VR_BLOCK ||
	    vr_evp_run(ecb, false, key2, NULL, iv, VR_BLOCK, t))
		return -1;
	bulk = rest ? full - 1 : full;
	tw = malloc(bulk * VR_BLOCK + 1);
	if (!tw)
		return -1;
	for (j = 0; j < bulk; j++) {
		memcpy(tw + j * VR_BLOCK, t, VR_BLOCK);
		vr_xts_mul(t);
	}
	for (i = 0; i < bulk * VR_BLOCK; i++)
		out[i] = in[i] ^ tw[i];
	if (vr_evp_run(ecb, decrypt, key1, NULL, out, bulk * VR_BLOCK, out))
		goto out;
	for (i = 0; i < bulk * VR_BLOCK; i++)
		out[i] ^= tw[i];
	ret = 0;
	if (!rest)
		goto out;
	/* ciphertext stealing: the last full block j and the partial one */
	j = bulk;
	memcpy(t2, t, VR_BLOCK);
	vr_xts_mul(t2);
	ret = -1;
	if (vr_xts_block(ecb, decrypt, key1, decrypt ? t2 : t,
			 in + j * VR_BLOCK, pp))
		goto out;
	memcpy(out + (j + 1) * VR_BLOCK, pp, rest);
	memcpy(pp, in + (j + 1) * VR_BLOCK, rest);
	ret = vr_xts_block(ecb, decrypt, key1, decrypt ? t : t2, pp,
			   out + j * VR_BLOCK);
out:
	free(tw);
	return ret;
}

/*
 * AES-GCM of @op into @out (AAD copied first); a decryption whose tag
 * does not match gives -EBADMSG and writes nothing.
 */
static inline int vr_gcm(const struct vr_op *op, __u8 *out)
{
	const EVP_CIPHER *cipher = vr_evp(op->alg, op->key_len);
	__u32 text = op->src_len - op->aad_len -
		     (op->decrypt ? op->tag_len : 0);
	const __u8 *in = op->src + op->aad_len;
	EVP_CIPHER_CTX *ctx;
	__u8 *buf, tag[VR_GCM_TAG_MAX];
	int n = 0, m = 0, ok, ret = -1;

	buf = malloc(text + VR_GCM_TAG_MAX);
	ctx = EVP_CIPHER_CTX_new();
	if (!cipher || !buf || !ctx)
		goto out;
	ok = EVP_CipherInit_ex(ctx, cipher, NULL, op->key, op->iv,
			       !op->decrypt) &&
	     (!op->aad_len ||
	      EVP_CipherUpdate(ctx, NULL, &n, op->src, op->aad_len)) &&
	     (!text || EVP_CipherUpdate(ctx, buf, &n, in, text));
	if (!ok)
		goto out;
	if (op->decrypt) {
		memcpy(tag, in + text, op->tag_len);
		if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
					 op->tag_len, tag))
			goto out;
		if (!EVP_CipherFinal_ex(ctx, buf + n, &m)) {
			ret = -EBADMSG;
			goto out;
		}
	} else if (!EVP_CipherFinal_ex(ctx, buf + n, &m) ||
		   !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
					op->tag_len, buf + text)) {
		goto out;
	}
	memcpy(out, op->src, op->aad_len);
	memcpy(out + op->aad_len, buf,
	       op->decrypt ? text : text + op->tag_len);
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	free(buf);
	return ret;
}

/* @iv plus @n as one 128-bit big-endian number, into @out */
static inline void vr_ctr_add(const __u8 *iv, __u64 n, __u8 *out)
{
	unsigned int carry = 0, i;

	for (i = VR_BLOCK; i--; ) {
		carry += iv[i] + (n & 0xff);
		out[i] = carry;
		carry >>= 8;
		n >>= 8;
	}
}

/*
 * What the card must give for @op: the output into @out (vr_out_len()
 * bytes) and, unless NULL, for CBC and CTR the IV it writes back into
 * @next_iv. Returns 0, -EBADMSG for an AES-GCM tag that does not match,
 * or -1 if the reference itself failed.
 */
static inline int vr_run(const struct vr_op *op, __u8 *out, __u8 *next_iv)
{
	static const __u8 no_key[1];
	unsigned int md_len;

	switch (op->alg) {
	case VCRYPT_ALG_AES_CBC:
	case VCRYPT_ALG_AES_CTR:
		if (vr_evp_run(vr_evp(op->alg, op->key_len), op->decrypt,
			       op->key, op->iv, op->src, op->src_len, out))
			return -1;
		if (!next_iv)
			return 0;
		if (op->alg == VCRYPT_ALG_AES_CTR)
			vr_ctr_add(op->iv, (op->src_len + VR_BLOCK - 1) /
				   VR_BLOCK, next_iv);
		else if (!op->src_len)
			memcpy(next_iv, op->iv, VR_BLOCK);
		else
			memcpy(next_iv, (op->decrypt ? op->src : out) +
			       op->src_len - VR_BLOCK, VR_BLOCK);
		return 0;
	case VCRYPT_ALG_AES_XTS:
		return vr_xts(op->decrypt, op->key, op->key_len, op->iv,
			      op->src, op->src_len, out);
	case VCRYPT_ALG_AES_GCM:
		return vr_gcm(op, out);
	case VCRYPT_ALG_SHA256:
	case VCRYPT_ALG_SHA512:
		return EVP_Digest(op->src, op->src_len, out, &md_len,
				  op->alg == VCRYPT_ALG_SHA256 ?
				  EVP_sha256() : EVP_sha512(), NULL) ? 0 : -1;
	case VCRYPT_ALG_HMAC_SHA256:
		/* HMAC() takes no NULL key, even of length 0 */
		return HMAC(EVP_sha256(), op->key_len ? op->key : no_key,
			    op->key_len, op->src, op->src_len, out,
			    &md_len) ? 0 : -1;
	default:
		return -1;
	}
}

/*
 * The source of @op for @len bytes of text (AES-GCM: after @op->aad_len
 * bytes of AAD) into @src, and @op->src, @op->src_len set: random bytes
 * of @seed to encrypt or hash, or, to decrypt, the reference's encryption
 * of those (with the tag). @op has everything else set. 0 or -1.
 */
static inline int vr_input(struct vr_op *op, __u8 *src, __u32 len,
			   __u32 seed)
{
	struct vr_op enc = *op;
	__u8 *plain;
	int ret;

	enc.decrypt = false;
	enc.src_len = len + (op->alg == VCRYPT_ALG_AES_GCM ? op->aad_len : 0);
	op->src = src;
	op->src_len = enc.src_len;
	if (!op->decrypt || vr_is_hash(op->alg)) {
		vr_fill(src, enc.src_len, seed);
		return 0;
	}
	plain = malloc(enc.src_len + 1);
	if (!plain)
		return -1;
	vr_fill(plain, enc.src_len, seed);
	enc.src = plain;
	ret = vr_run(&enc, src, NULL);
	op->src_len = vr_out_len(&enc);
	free(plain);
	return ret;
}

/*
 * Check the reference itself: OpenSSL's XTS-AES-128 and -256 against the
 * XTS built here at lengths with and without stealing, and the published
 * XTS-AES-128 (ciphertext stealing) and derived XTS-AES-192 vectors.
 * Returns NULL or what is wrong.
 */
static inline const char *vr_self_test(void)
{
	static const __u32 lens[] = { 16, 17, 31, 32, 33, 100, 512, 527 };
	__u8 key[64], iv[VR_BLOCK], in[527], a[527], b[527];
	unsigned int i, k;

	for (k = 0; k < 2; k++) {
		const EVP_CIPHER *x = k ? EVP_aes_256_xts() : EVP_aes_128_xts();
		__u32 key_len = k ? 64 : 32;

		vr_fill(key, sizeof(key), 11 + k);
		vr_fill(iv, sizeof(iv), 13 + k);
		vr_fill(in, sizeof(in), 17 + k);
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			if (vr_xts(false, key, key_len, iv, in, lens[i], a) ||
			    vr_evp_run(x, false, key, iv, in, lens[i], b) ||
			    memcmp(a, b, lens[i]))
				return "XTS encryption differs from OpenSSL's";
			if (vr_xts(true, key, key_len, iv, a, lens[i], b) ||
			    memcmp(b, in, lens[i]))
				return "XTS decryption does not invert encryption";
		}
	}
	if (vr_xts(false, vk_xts128_v15.key.p, vk_xts128_v15.key.len,
		   vk_xts128_v15.iv.p, vk_xts128_v15.pt.p,
		   vk_xts128_v15.pt.len, a) ||
	    memcmp(a, vk_xts128_v15.ct.p, vk_xts128_v15.ct.len))
		return "XTS-AES-128 differs from IEEE 1619 vector 15";
	if (vr_xts(false, vk_xts192.key.p, vk_xts192.key.len, vk_xts192.iv.p,
		   vk_xts192.pt.p, vk_xts192.pt.len, a) ||
	    memcmp(a, vk_xts192.ct.p, vk_xts192.ct.len))
		return "XTS-AES-192 differs from the derived vector";
	return NULL;
}

#endif /* VCRYPT_REF_H */
