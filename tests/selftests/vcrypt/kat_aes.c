// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers for AES-CBC, AES-CTR and AES-XTS with every key size, both
 * directions, run on the card through the debugfs raw hook:
 *   CBC, CTR: NIST SP 800-38A appendix F (F.2.1-F.2.6, F.5.1-F.5.6);
 *   XTS-AES-128 and XTS-AES-256: IEEE Std 1619-2007 annex B;
 *   XTS-AES-192: derived from published AES-192 results, see its variant.
 * CBC and CTR write the next IV back (CBC: the last ciphertext block; CTR:
 * the counter after the last block), XTS leaves the IV alone; the output
 * is exactly as long as the input and nothing past it is written.
 */
#include "vcrypt_kat.h"
#include "kselftest_harness.h"

#define AES_MAX_LEN	512
#define CANARY		0xa5

FIXTURE(aes) {
	int fd;
};

FIXTURE_VARIANT(aes) {
	const struct vt_cipher_kat *kat;
};

/* SP 800-38A F.2.1 and F.2.2 */
FIXTURE_VARIANT_ADD(aes, cbc128) { .kat = &vk_cbc128 };

/* SP 800-38A F.2.3 and F.2.4 */
FIXTURE_VARIANT_ADD(aes, cbc192) { .kat = &vk_cbc192 };

/* SP 800-38A F.2.5 and F.2.6 */
FIXTURE_VARIANT_ADD(aes, cbc256) { .kat = &vk_cbc256 };

/* SP 800-38A F.5.1 and F.5.2 */
FIXTURE_VARIANT_ADD(aes, ctr128) { .kat = &vk_ctr128 };

/* SP 800-38A F.5.3 and F.5.4 */
FIXTURE_VARIANT_ADD(aes, ctr192) { .kat = &vk_ctr192 };

/* SP 800-38A F.5.5 and F.5.6 */
FIXTURE_VARIANT_ADD(aes, ctr256) { .kat = &vk_ctr256 };

/* IEEE 1619 vector 2 */
FIXTURE_VARIANT_ADD(aes, xts128_v2) { .kat = &vk_xts128_v2 };

/* IEEE 1619 vector 3 */
FIXTURE_VARIANT_ADD(aes, xts128_v3) { .kat = &vk_xts128_v3 };

/* IEEE 1619 vector 4 */
FIXTURE_VARIANT_ADD(aes, xts128_v4) { .kat = &vk_xts128_v4 };

/* IEEE 1619 vector 15: 17 bytes, ciphertext stealing */
FIXTURE_VARIANT_ADD(aes, xts128_v15) { .kat = &vk_xts128_v15 };

/* IEEE 1619 vector 18: 20 bytes, ciphertext stealing */
FIXTURE_VARIANT_ADD(aes, xts128_v18) { .kat = &vk_xts128_v18 };

/*
 * XTS-AES-192. IEEE 1619 has no vector for it; this one follows from
 * published AES-192 results and the XTS definition (IEEE 1619 XTS-AES-blockEnc:
 * C_j = AES(Key1, P_j ^ T_j) ^ T_j, T_j = AES(Key2, i) * alpha^j):
 *   Key1 = the SP 800-38A key, Key2 = the FIPS-197 C.2 key,
 *   i = the FIPS-197 C.2 plaintext, so T_0 = dda97ca4864cdfe06eaf70a0ec0d7191
 *   (FIPS-197 C.2) and T_1..T_3 = 3d53f9480d99bec1dd5ee140d91be222,
 *   7aa6f2911a327d83bbbdc281b237c445, f44ce5233564fa06777b8503656f888b;
 *   P_j = X_j ^ T_j and C_j = Y_j ^ T_j, where X_j -> Y_j are the four
 *   blocks of SP 800-38A F.1.3 (ECB-AES192.Encrypt).
 */
FIXTURE_VARIANT_ADD(aes, xts192) { .kat = &vk_xts192 };

/* IEEE 1619 vector 10 */
FIXTURE_VARIANT_ADD(aes, xts256_v10) { .kat = &vk_xts256_v10 };

FIXTURE_SETUP(aes)
{
	self->fd = vt_open_raw();
	ASSERT_LE(0, self->fd) TH_LOG("no vcrypt debugfs raw file");
}

FIXTURE_TEARDOWN(aes)
{
	close(self->fd);
}

static void run_aes(struct __test_metadata *_metadata, int fd,
		    const struct vt_cipher_kat *v, bool decrypt)
{
	const struct vt_bytes *in = decrypt ? &v->ct : &v->pt;
	const struct vt_bytes *want = decrypt ? &v->pt : &v->ct;
	const struct vt_bytes *next_iv = v->next_iv.len ? &v->next_iv : &v->iv;
	__u8 key[64], iv[16], src[AES_MAX_LEN], dst[AES_MAX_LEN + 16];
	struct vcrypt_dbg_raw r;
	size_t i;

	memcpy(key, v->key.p, v->key.len);
	memcpy(iv, v->iv.p, v->iv.len);
	memcpy(src, in->p, in->len);
	memset(dst, CANARY, sizeof(dst));

	memset(&r, 0, sizeof(r));
	r.op.alg = v->alg;
	r.op.flags = decrypt ? VCRYPT_OP_DECRYPT : 0;
	r.op.key = vt_ptr(key);
	r.op.key_len = v->key.len;
	r.op.iv = vt_ptr(iv);
	r.op.iv_len = v->iv.len;
	r.op.src = vt_ptr(src);
	r.op.src_len = in->len;
	r.op.dst = vt_ptr(dst);
	r.op.dst_len = sizeof(dst);

	ASSERT_EQ(0, vt_raw(fd, &r)) TH_LOG("card status %u", r.hw_status);
	ASSERT_EQ(VCRYPT_HW_ST_OK, r.hw_status);
	ASSERT_EQ(want->len, r.op.out_len);
	EXPECT_EQ(-1, vt_diff(dst, want->p, want->len));
	for (i = want->len; i < sizeof(dst); i++)
		ASSERT_EQ(CANARY, dst[i]) TH_LOG("byte %zu written", i);
	EXPECT_EQ(-1, vt_diff(iv, next_iv->p, v->iv.len))
		TH_LOG("IV written back wrong");
	EXPECT_EQ(-1, vt_diff(src, in->p, in->len));
}

TEST_F(aes, encrypt)
{
	run_aes(_metadata, self->fd, variant->kat, false);
}

TEST_F(aes, decrypt)
{
	run_aes(_metadata, self->fd, variant->kat, true);
}

TEST_HARNESS_MAIN
