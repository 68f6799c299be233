/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The published test cases of the known-answer tests, made of the vectors
 * of vcrypt_vectors.h, each defined once: kat_aes.c, kat_gcm.c and
 * kat_hash.c run them on the card through the debugfs raw hook, crypto.c
 * through the kernel crypto API, each test in both directions.
 */
#ifndef VCRYPT_KAT_H
#define VCRYPT_KAT_H

#include "vcrypt_test.h"
#include "vcrypt_vectors.h"

/* The first @n bytes of the string literal @s */
#define VT_PART(s, n)		{ .p = (const __u8 *)(s), .len = (n) }
/* The last 16-byte block of a string literal */
#define VT_LAST_BLOCK(s)	{ .p = (const __u8 *)(s) + sizeof(s) - 17, \
				  .len = 16 }

/**
 * struct vt_cipher_kat - a published test case of a cipher or an AEAD
 * @alg: the card's algorithm, VCRYPT_ALG_* (0: the card has none)
 * @name: the algorithm's name in the kernel crypto API
 * @key: the key
 * @iv: the IV, or the XTS tweak
 * @aad: the associated data (AEAD)
 * @pt: the plaintext
 * @ct: the ciphertext, as long as @pt
 * @tag: the tag (AEAD)
 * @next_iv: CBC, CTR: the IV after the last block, which the card writes
 *	back; .len 0: the IV stays as it was
 */
struct vt_cipher_kat {
	__u32 alg;
	const char *name;
	struct vt_bytes key;
	struct vt_bytes iv;
	struct vt_bytes aad;
	struct vt_bytes pt;
	struct vt_bytes ct;
	struct vt_bytes tag;
	struct vt_bytes next_iv;
};

/**
 * struct vt_hash_kat - a published test case of a hash or an HMAC
 * @alg: the card's algorithm, VCRYPT_ALG_*
 * @name: the algorithm's name in the kernel crypto API
 * @key: the HMAC key (.len 0: a hash)
 * @msg: the message (one million "a": empty, the test makes it)
 * @digest: the digest or the MAC
 */
struct vt_hash_kat {
	__u32 alg;
	const char *name;
	struct vt_bytes key;
	struct vt_bytes msg;
	struct vt_bytes digest;
};

/* SP 800-38A F.2.1 and F.2.2 */
static const struct vt_cipher_kat vk_cbc128 = {
	.alg = VCRYPT_ALG_AES_CBC,
	.name = "cbc(aes)",
	.key = VT_BYTES(SP800_38A_KEY128),
	.iv = VT_BYTES(SP800_38A_CBC_IV),
	.pt = VT_BYTES(SP800_38A_PT),
	.ct = VT_BYTES(SP800_38A_CBC128_CT),
	.next_iv = VT_LAST_BLOCK(SP800_38A_CBC128_CT),
};

/* SP 800-38A F.2.3 and F.2.4 */
static const struct vt_cipher_kat vk_cbc192 = {
	.alg = VCRYPT_ALG_AES_CBC,
	.name = "cbc(aes)",
	.key = VT_BYTES(SP800_38A_KEY192),
	.iv = VT_BYTES(SP800_38A_CBC_IV),
	.pt = VT_BYTES(SP800_38A_PT),
	.ct = VT_BYTES(SP800_38A_CBC192_CT),
	.next_iv = VT_LAST_BLOCK(SP800_38A_CBC192_CT),
};

/* SP 800-38A F.2.5 and F.2.6 */
static const struct vt_cipher_kat vk_cbc256 = {
	.alg = VCRYPT_ALG_AES_CBC,
	.name = "cbc(aes)",
	.key = VT_BYTES(SP800_38A_KEY256),
	.iv = VT_BYTES(SP800_38A_CBC_IV),
	.pt = VT_BYTES(SP800_38A_PT),
	.ct = VT_BYTES(SP800_38A_CBC256_CT),
	.next_iv = VT_LAST_BLOCK(SP800_38A_CBC256_CT),
};

/* SP 800-38A F.5.1 and F.5.2 */
static const struct vt_cipher_kat vk_ctr128 = {
	.alg = VCRYPT_ALG_AES_CTR,
	.name = "ctr(aes)",
	.key = VT_BYTES(SP800_38A_KEY128),
	.iv = VT_BYTES(SP800_38A_CTR_IV),
	.pt = VT_BYTES(SP800_38A_PT),
	.ct = VT_BYTES(SP800_38A_CTR128_CT),
	.next_iv = VT_BYTES(SP800_38A_CTR_NEXT_IV),
};

/* SP 800-38A F.5.3 and F.5.4 */
static const struct vt_cipher_kat vk_ctr192 = {
	.alg = VCRYPT_ALG_AES_CTR,
	.name = "ctr(aes)",
	.key = VT_BYTES(SP800_38A_KEY192),
	.iv = VT_BYTES(SP800_38A_CTR_IV),
	.pt = VT_BYTES(SP800_38A_PT),
	.ct = VT_BYTES(SP800_38A_CTR192_CT),
	.next_iv = VT_BYTES(SP800_38A_CTR_NEXT_IV),
};

/* SP 800-38A F.5.5 and F.5.6 */
static const struct vt_cipher_kat vk_ctr256 = {
	.alg = VCRYPT_ALG_AES_CTR,
	.name = "ctr(aes)",
	.key = VT_BYTES(SP800_38A_KEY256),
	.iv = VT_BYTES(SP800_38A_CTR_IV),
	.pt = VT_BYTES(SP800_38A_PT),
	.ct = VT_BYTES(SP800_38A_CTR256_CT),
	.next_iv = VT_BYTES(SP800_38A_CTR_NEXT_IV),
};

/* IEEE 1619 vector 2 */
static const struct vt_cipher_kat vk_xts128_v2 = {
	.alg = VCRYPT_ALG_AES_XTS,
	.name = "xts(aes)",
	.key = VT_BYTES(IEEE1619_V2_KEY),
	.iv = VT_BYTES(IEEE1619_DUSN_3333333333),
	.pt = VT_BYTES(IEEE1619_V2_PT),
	.ct = VT_BYTES(IEEE1619_V2_CT),
};

/* IEEE 1619 vector 3 */
static const struct vt_cipher_kat vk_xts128_v3 = {
	.alg = VCRYPT_ALG_AES_XTS,
	.name = "xts(aes)",
	.key = VT_BYTES(IEEE1619_V3_KEY),
	.iv = VT_BYTES(IEEE1619_DUSN_3333333333),
	.pt = VT_BYTES(IEEE1619_V2_PT),
	.ct = VT_BYTES(IEEE1619_V3_CT),
};

/* IEEE 1619 vector 4 */
static const struct vt_cipher_kat vk_xts128_v4 = {
	.alg = VCRYPT_ALG_AES_XTS,
	.name = "xts(aes)",
	.key = VT_BYTES(IEEE1619_V4_KEY),
	.iv = VT_BYTES(IEEE1619_DUSN_0),
	.pt = VT_BYTES(IEEE1619_PT512),
	.ct = VT_BYTES(IEEE1619_V4_CT),
};

/* IEEE 1619 vector 15: 17 bytes, ciphertext stealing */
static const struct vt_cipher_kat vk_xts128_v15 = {
	.alg = VCRYPT_ALG_AES_XTS,
	.name = "xts(aes)",
	.key = VT_BYTES(IEEE1619_V15_KEY),
	.iv = VT_BYTES(IEEE1619_DUSN_123456789A),
	.pt = VT_BYTES(IEEE1619_V15_PT),
	.ct = VT_BYTES(IEEE1619_V15_CT),
};

/* IEEE 1619 vector 18: 20 bytes, ciphertext stealing */
static const struct vt_cipher_kat vk_xts128_v18 = {
	.alg = VCRYPT_ALG_AES_XTS,
	.name = "xts(aes)",
	.key = VT_BYTES(IEEE1619_V15_KEY),
	.iv = VT_BYTES(IEEE1619_DUSN_123456789A),
	.pt = VT_BYTES(IEEE1619_V18_PT),
	.ct = VT_BYTES(IEEE1619_V18_CT),
};

/* XTS-AES-192, derived as kat_aes.c shows */
static const struct vt_cipher_kat vk_xts192 = {
	.alg = VCRYPT_ALG_AES_XTS,
	.name = "xts(aes)",
	.key = VT_BYTES(XTS192_KEY),
	.iv = VT_BYTES(XTS192_TWEAK),
	.pt = VT_BYTES(XTS192_PT),
	.ct = VT_BYTES(XTS192_CT),
};

/* IEEE 1619 vector 10 */
static const struct vt_cipher_kat vk_xts256_v10 = {
	.alg = VCRYPT_ALG_AES_XTS,
	.name = "xts(aes)",
	.key = VT_BYTES(IEEE1619_V10_KEY),
	.iv = VT_BYTES(IEEE1619_DUSN_FF),
	.pt = VT_BYTES(IEEE1619_PT512),
	.ct = VT_BYTES(IEEE1619_V10_CT),
};

/*
 * The GCM test cases of McGrew and Viega: @alg and @name, and the key and
 * the IV of the all-zero cases (1, 2, 7, 8, 13, 14) and of the others
 */
#define VK_GCM			.alg = VCRYPT_ALG_AES_GCM, .name = "gcm(aes)"
#define VK_GCM_K0(bits)		VK_GCM, .key = VT_BYTES(GCM_K0_##bits), \
				.iv = VT_BYTES(GCM_IV0)
#define VK_GCM_KF(bits)		VK_GCM, .key = VT_BYTES(GCM_KF_##bits), \
				.iv = VT_BYTES(GCM_IVF)

/* test case 1 (AES-128) */
static const struct vt_cipher_kat vk_gcm_tc1 = {
	VK_GCM_K0(128),
	.tag = VT_BYTES(GCM_TC1_TAG),
};

/* test case 2 (AES-128) */
static const struct vt_cipher_kat vk_gcm_tc2 = {
	VK_GCM_K0(128),
	.pt = VT_BYTES(GCM_P0),
	.ct = VT_BYTES(GCM_TC2_CT),
	.tag = VT_BYTES(GCM_TC2_TAG),
};

/* test case 3 (AES-128) */
static const struct vt_cipher_kat vk_gcm_tc3 = {
	VK_GCM_KF(128),
	.pt = VT_BYTES(GCM_P64),
	.ct = VT_BYTES(GCM_TC3_CT),
	.tag = VT_BYTES(GCM_TC3_TAG),
};

/* test case 4 (AES-128, with AAD) */
static const struct vt_cipher_kat vk_gcm_tc4 = {
	VK_GCM_KF(128),
	.aad = VT_BYTES(GCM_AAD),
	.pt = VT_PART(GCM_P64, 60),
	.ct = VT_PART(GCM_TC3_CT, 60),
	.tag = VT_BYTES(GCM_TC4_TAG),
};

/* test case 7 (AES-192) */
static const struct vt_cipher_kat vk_gcm_tc7 = {
	VK_GCM_K0(192),
	.tag = VT_BYTES(GCM_TC7_TAG),
};

/* test case 8 (AES-192) */
static const struct vt_cipher_kat vk_gcm_tc8 = {
	VK_GCM_K0(192),
	.pt = VT_BYTES(GCM_P0),
	.ct = VT_BYTES(GCM_TC8_CT),
	.tag = VT_BYTES(GCM_TC8_TAG),
};

/* test case 9 (AES-192) */
static const struct vt_cipher_kat vk_gcm_tc9 = {
	VK_GCM_KF(192),
	.pt = VT_BYTES(GCM_P64),
	.ct = VT_BYTES(GCM_TC9_CT),
	.tag = VT_BYTES(GCM_TC9_TAG),
};

/* test case 10 (AES-192, with AAD) */
static const struct vt_cipher_kat vk_gcm_tc10 = {
	VK_GCM_KF(192),
	.aad = VT_BYTES(GCM_AAD),
	.pt = VT_PART(GCM_P64, 60),
	.ct = VT_PART(GCM_TC9_CT, 60),
	.tag = VT_BYTES(GCM_TC10_TAG),
};

/* test case 13 (AES-256) */
static const struct vt_cipher_kat vk_gcm_tc13 = {
	VK_GCM_K0(256),
	.tag = VT_BYTES(GCM_TC13_TAG),
};

/* test case 14 (AES-256) */
static const struct vt_cipher_kat vk_gcm_tc14 = {
	VK_GCM_K0(256),
	.pt = VT_BYTES(GCM_P0),
	.ct = VT_BYTES(GCM_TC14_CT),
	.tag = VT_BYTES(GCM_TC14_TAG),
};

/* test case 15 (AES-256) */
static const struct vt_cipher_kat vk_gcm_tc15 = {
	VK_GCM_KF(256),
	.pt = VT_BYTES(GCM_P64),
	.ct = VT_BYTES(GCM_TC15_CT),
	.tag = VT_BYTES(GCM_TC15_TAG),
};

/* test case 16 (AES-256, with AAD) */
static const struct vt_cipher_kat vk_gcm_tc16 = {
	VK_GCM_KF(256),
	.aad = VT_BYTES(GCM_AAD),
	.pt = VT_PART(GCM_P64, 60),
	.ct = VT_PART(GCM_TC15_CT, 60),
	.tag = VT_BYTES(GCM_TC16_TAG),
};

/* NIST CAVS, associated data only: the output is the AAD and the tag */
static const struct vt_cipher_kat vk_gcm_aad_only = {
	VK_GCM,
	.key = VT_BYTES(GCMVS_AAD_KEY),
	.iv = VT_BYTES(GCMVS_AAD_IV),
	.aad = VT_BYTES(GCMVS_AAD_AAD),
	.tag = VT_BYTES(GCMVS_AAD_TAG),
};

/*
 * The RFC 4106 examples of draft-mcgrew-gcm-test-01, as the crypto API
 * takes them: the associated data followed by the IV. The card has no
 * such algorithm.
 */
#define VK_RFC4106(n)		.name = "rfc4106(gcm(aes))", \
				.key = VT_BYTES(RFC4106_##n##_KEY), \
				.iv = VT_BYTES(RFC4106_##n##_IV), \
				.aad = VT_BYTES(RFC4106_##n##_AAD \
						RFC4106_##n##_IV), \
				.pt = VT_BYTES(RFC4106_##n##_PT), \
				.ct = VT_BYTES(RFC4106_##n##_CT), \
				.tag = VT_BYTES(RFC4106_##n##_TAG)

/* draft-mcgrew-gcm-test-01 page 6: AES-128, extended sequence number */
static const struct vt_cipher_kat vk_rfc4106_128 = { VK_RFC4106(128) };

/* draft-mcgrew-gcm-test-01 test case 7: AES-192 */
static const struct vt_cipher_kat vk_rfc4106_192 = { VK_RFC4106(192) };

/* draft-mcgrew-gcm-test-01 page 8: AES-256 */
static const struct vt_cipher_kat vk_rfc4106_256 = { VK_RFC4106(256) };

#define VK_SHA256		.alg = VCRYPT_ALG_SHA256, .name = "sha256"
#define VK_SHA512		.alg = VCRYPT_ALG_SHA512, .name = "sha512"
#define VK_HMAC_SHA256		.alg = VCRYPT_ALG_HMAC_SHA256, \
				.name = "hmac(sha256)"

/* FIPS 180-2 B.1 */
static const struct vt_hash_kat vk_sha256_abc = {
	VK_SHA256,
	.msg = VT_BYTES("abc"),
	.digest = VT_BYTES(SHA256_ABC),
};

/* the empty message */
static const struct vt_hash_kat vk_sha256_empty = {
	VK_SHA256,
	.digest = VT_BYTES(SHA256_EMPTY),
};

/* FIPS 180-2 B.2: two blocks */
static const struct vt_hash_kat vk_sha256_448bit = {
	VK_SHA256,
	.msg = VT_BYTES(MSG_448),
	.digest = VT_BYTES(SHA256_448),
};

/* FIPS 180-2 B.3: one million "a" */
static const struct vt_hash_kat vk_sha256_million_a = {
	VK_SHA256,
	.digest = VT_BYTES(SHA256_MILLION_A),
};

/* FIPS 180-2 C.1 */
static const struct vt_hash_kat vk_sha512_abc = {
	VK_SHA512,
	.msg = VT_BYTES("abc"),
	.digest = VT_BYTES(SHA512_ABC),
};

/* the empty message */
static const struct vt_hash_kat vk_sha512_empty = {
	VK_SHA512,
	.digest = VT_BYTES(SHA512_EMPTY),
};

/* FIPS 180-2 C.2: two blocks */
static const struct vt_hash_kat vk_sha512_896bit = {
	VK_SHA512,
	.msg = VT_BYTES(MSG_896),
	.digest = VT_BYTES(SHA512_896),
};

/* FIPS 180-2 C.3: one million "a" */
static const struct vt_hash_kat vk_sha512_million_a = {
	VK_SHA512,
	.digest = VT_BYTES(SHA512_MILLION_A),
};

/* RFC 4231 test case @n */
#define VK_RFC4231(n)		VK_HMAC_SHA256, \
				.key = VT_BYTES(RFC4231_##n##_KEY), \
				.msg = VT_BYTES(RFC4231_##n##_MSG), \
				.digest = VT_BYTES(RFC4231_##n##_MAC)

/* RFC 4231 test case 1 */
static const struct vt_hash_kat vk_hmac_rfc4231_1 = { VK_RFC4231(1) };

/* RFC 4231 test case 2: key shorter than the digest */
static const struct vt_hash_kat vk_hmac_rfc4231_2 = { VK_RFC4231(2) };

/* RFC 4231 test case 3 */
static const struct vt_hash_kat vk_hmac_rfc4231_3 = { VK_RFC4231(3) };

/* RFC 4231 test case 4 */
static const struct vt_hash_kat vk_hmac_rfc4231_4 = { VK_RFC4231(4) };

/*
 * RFC 4231 test case 6: a key of 131 bytes, over the card's limit: the
 * card refuses it, the crypto API driver must hash it first
 */
static const struct vt_hash_kat vk_hmac_rfc4231_6 = { VK_RFC4231(6) };

/* RFC 4231 test case 7: the same key, a message longer than the block */
static const struct vt_hash_kat vk_hmac_rfc4231_7 = { VK_RFC4231(7) };

/* NIST HMAC example, HMAC-SHA-256 with keylen < blocklen (32 bytes) */
static const struct vt_hash_kat vk_hmac_nist_key32 = {
	VK_HMAC_SHA256,
	.key = VT_PART(NIST_HMAC_KEY, 32),
	.msg = VT_BYTES(NIST_HMAC_LT_MSG),
	.digest = VT_BYTES(NIST_HMAC_LT_MAC),
};

/* NIST HMAC example, HMAC-SHA-256 with keylen = blocklen (64 bytes) */
static const struct vt_hash_kat vk_hmac_nist_key64 = {
	VK_HMAC_SHA256,
	.key = VT_PART(NIST_HMAC_KEY, 64),
	.msg = VT_BYTES(NIST_HMAC_EQ_MSG),
	.digest = VT_BYTES(NIST_HMAC_EQ_MAC),
};

/*
 * NIST HMAC example, HMAC-SHA-256 with keylen > blocklen (100 bytes): the
 * card hashes the key first, as HMAC requires
 */
static const struct vt_hash_kat vk_hmac_nist_key100 = {
	VK_HMAC_SHA256,
	.key = VT_PART(NIST_HMAC_KEY, 100),
	.msg = VT_BYTES(NIST_HMAC_EQ_MSG),
	.digest = VT_BYTES(NIST_HMAC_GT_MAC),
};

#endif /* VCRYPT_KAT_H */
