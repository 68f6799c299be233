// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers for AES-GCM with every key size, both directions, through
 * the debugfs raw hook: the test cases of McGrew and Viega, "The Galois/
 * Counter Mode of Operation (GCM)", with 96-bit IVs (1-4, 7-10, 13-16; the
 * card takes no other IV length). On encryption the card reads AAD || PT
 * and writes AAD || CT || tag; on decryption it reads AAD || CT || tag and
 * writes AAD || PT. Tags shortened to t bytes are the first t bytes of the
 * full tag (NIST SP 800-38D, 7.1). A message, AAD or tag changed in any
 * bit fails with EBADMSG and the destination is left untouched.
 */
#include "vcrypt_kat.h"
#include "kselftest_harness.h"

#define GCM_MAX_LEN	128
#define GCM_TAG_LEN	16
#define CANARY		0xa5

/* One operation: its buffers, laid out for the card */
struct gcm_op {
	struct vcrypt_dbg_raw r;
	__u8 key[32];
	__u8 iv[12];
	__u8 src[GCM_MAX_LEN];
	__u8 dst[GCM_MAX_LEN];
};

FIXTURE(gcm) {
	int fd;
};

FIXTURE_VARIANT(gcm) {
	const struct vt_cipher_kat *kat;
};

/* test case 1 (AES-128) */
FIXTURE_VARIANT_ADD(gcm, tc1) { .kat = &vk_gcm_tc1 };

/* test case 2 (AES-128) */
FIXTURE_VARIANT_ADD(gcm, tc2) { .kat = &vk_gcm_tc2 };

/* test case 3 (AES-128) */
FIXTURE_VARIANT_ADD(gcm, tc3) { .kat = &vk_gcm_tc3 };

/* test case 4 (AES-128) */
FIXTURE_VARIANT_ADD(gcm, tc4) { .kat = &vk_gcm_tc4 };

/* test case 7 (AES-192) */
FIXTURE_VARIANT_ADD(gcm, tc7) { .kat = &vk_gcm_tc7 };

/* test case 8 (AES-192) */
FIXTURE_VARIANT_ADD(gcm, tc8) { .kat = &vk_gcm_tc8 };

/* test case 9 (AES-192) */
FIXTURE_VARIANT_ADD(gcm, tc9) { .kat = &vk_gcm_tc9 };

/* test case 10 (AES-192) */
FIXTURE_VARIANT_ADD(gcm, tc10) { .kat = &vk_gcm_tc10 };

/* test case 13 (AES-256) */
FIXTURE_VARIANT_ADD(gcm, tc13) { .kat = &vk_gcm_tc13 };

/* test case 14 (AES-256) */
FIXTURE_VARIANT_ADD(gcm, tc14) { .kat = &vk_gcm_tc14 };

/* test case 15 (AES-256) */
FIXTURE_VARIANT_ADD(gcm, tc15) { .kat = &vk_gcm_tc15 };

/* test case 16 (AES-256) */
FIXTURE_VARIANT_ADD(gcm, tc16) { .kat = &vk_gcm_tc16 };

FIXTURE_SETUP(gcm)
{
	self->fd = vt_open_raw();
	ASSERT_LE(0, self->fd) TH_LOG("no vcrypt debugfs raw file");
}

FIXTURE_TEARDOWN(gcm)
{
	close(self->fd);
}

static void put(__u8 *buf, size_t *off, const struct vt_bytes *b, size_t len)
{
	memcpy(buf + *off, b->p, len);
	*off += len;
}

/*
 * Set up @g to encrypt (AAD || PT) or decrypt (AAD || CT || first @tag_len
 * bytes of the tag) the test case @k.
 */
static void gcm_prepare(struct gcm_op *g, const struct vt_cipher_kat *k,
			bool decrypt, unsigned int tag_len)
{
	size_t len = 0;

	memset(g, 0, sizeof(*g));
	memcpy(g->key, k->key.p, k->key.len);
	memcpy(g->iv, k->iv.p, k->iv.len);
	put(g->src, &len, &k->aad, k->aad.len);
	if (decrypt) {
		put(g->src, &len, &k->ct, k->ct.len);
		put(g->src, &len, &k->tag, tag_len);
	} else {
		put(g->src, &len, &k->pt, k->pt.len);
	}
	memset(g->dst, CANARY, sizeof(g->dst));

	g->r.op.alg = VCRYPT_ALG_AES_GCM;
	g->r.op.flags = decrypt ? VCRYPT_OP_DECRYPT : 0;
	g->r.op.key = vt_ptr(g->key);
	g->r.op.key_len = k->key.len;
	g->r.op.iv = vt_ptr(g->iv);
	g->r.op.iv_len = k->iv.len;
	g->r.op.src = vt_ptr(g->src);
	g->r.op.src_len = len;
	g->r.op.dst = vt_ptr(g->dst);
	g->r.op.dst_len = sizeof(g->dst);
	g->r.op.aad_len = k->aad.len;
	g->r.op.tag_len = tag_len;
}

/* @len bytes of @buf from @off on are all CANARY */
static bool untouched(const __u8 *buf, size_t off, size_t len)
{
	size_t i;

	for (i = off; i < len; i++)
		if (buf[i] != CANARY)
			return false;
	return true;
}

static void check_encrypt(struct __test_metadata *_metadata, int fd,
			  const struct vt_cipher_kat *k, unsigned int tag_len)
{
	size_t ct_end = k->aad.len + k->ct.len;
	struct gcm_op g;

	gcm_prepare(&g, k, false, tag_len);
	ASSERT_EQ(0, vt_raw(fd, &g.r)) TH_LOG("card status %u", g.r.hw_status);
	ASSERT_EQ(VCRYPT_HW_ST_OK, g.r.hw_status);
	ASSERT_EQ(ct_end + tag_len, g.r.op.out_len);
	EXPECT_EQ(-1, vt_diff(g.dst, k->aad.p, k->aad.len)) TH_LOG("AAD");
	EXPECT_EQ(-1, vt_diff(g.dst + k->aad.len, k->ct.p, k->ct.len))
		TH_LOG("ciphertext");
	EXPECT_EQ(-1, vt_diff(g.dst + ct_end, k->tag.p, tag_len)) TH_LOG("tag");
	EXPECT_TRUE(untouched(g.dst, ct_end + tag_len, sizeof(g.dst)));
	EXPECT_EQ(-1, vt_diff(g.iv, k->iv.p, k->iv.len)) TH_LOG("IV changed");
}

static void check_decrypt(struct __test_metadata *_metadata, int fd,
			  const struct vt_cipher_kat *k, unsigned int tag_len)
{
	size_t pt_end = k->aad.len + k->pt.len;
	struct gcm_op g;

	gcm_prepare(&g, k, true, tag_len);
	ASSERT_EQ(0, vt_raw(fd, &g.r)) TH_LOG("card status %u", g.r.hw_status);
	ASSERT_EQ(VCRYPT_HW_ST_OK, g.r.hw_status);
	ASSERT_EQ(pt_end, g.r.op.out_len);
	EXPECT_EQ(-1, vt_diff(g.dst, k->aad.p, k->aad.len)) TH_LOG("AAD");
	EXPECT_EQ(-1, vt_diff(g.dst + k->aad.len, k->pt.p, k->pt.len))
		TH_LOG("plaintext");
	EXPECT_TRUE(untouched(g.dst, pt_end, sizeof(g.dst)));
}

/* Decrypt with bit @bit of source byte @off flipped: refused, no output */
static void check_tampered(struct __test_metadata *_metadata, int fd,
			   const struct vt_cipher_kat *k, size_t off, int bit)
{
	struct gcm_op g;

	gcm_prepare(&g, k, true, GCM_TAG_LEN);
	g.src[off] ^= 1 << bit;
	ASSERT_EQ(-EBADMSG, vt_raw(fd, &g.r));
	EXPECT_EQ(VCRYPT_HW_ST_AUTH, g.r.hw_status);
	EXPECT_TRUE(untouched(g.dst, 0, sizeof(g.dst)))
		TH_LOG("destination written after a failed tag check");
}

TEST_F(gcm, encrypt)
{
	check_encrypt(_metadata, self->fd, variant->kat, GCM_TAG_LEN);
}

TEST_F(gcm, decrypt)
{
	check_decrypt(_metadata, self->fd, variant->kat, GCM_TAG_LEN);
}

/* Every tag length the card accepts below 16 bytes, both directions */
TEST_F(gcm, short_tags)
{
	static const unsigned int lens[] = { 4, 8, 12, 13, 14, 15 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		check_encrypt(_metadata, self->fd, variant->kat, lens[i]);
		check_decrypt(_metadata, self->fd, variant->kat, lens[i]);
	}
}

TEST_F(gcm, bad_tag)
{
	const struct vt_cipher_kat *k = variant->kat;
	size_t tag = k->aad.len + k->ct.len;

	check_tampered(_metadata, self->fd, k, tag, 0);
	check_tampered(_metadata, self->fd, k, tag + GCM_TAG_LEN - 1, 7);
}

TEST_F(gcm, bad_message)
{
	const struct vt_cipher_kat *k = variant->kat;
	size_t len = k->aad.len + k->ct.len;
	struct gcm_op g;

	if (len) {
		/* the first byte of the AAD, or else of the ciphertext */
		check_tampered(_metadata, self->fd, k, 0, 3);
		/* the last byte before the tag */
		check_tampered(_metadata, self->fd, k, len - 1, 5);
		return;
	}
	/* nothing to change: one byte of AAD put in front instead */
	gcm_prepare(&g, k, true, GCM_TAG_LEN);
	memmove(g.src + 1, g.src, g.r.op.src_len);
	g.src[0] = 0;
	g.r.op.src_len++;
	g.r.op.aad_len = 1;
	ASSERT_EQ(-EBADMSG, vt_raw(self->fd, &g.r));
	EXPECT_EQ(VCRYPT_HW_ST_AUTH, g.r.hw_status);
	EXPECT_TRUE(untouched(g.dst, 0, sizeof(g.dst)));
}

TEST_HARNESS_MAIN
