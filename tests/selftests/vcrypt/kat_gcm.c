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
#include "vcrypt_test.h"
#include "vcrypt_vectors.h"
#include "kselftest_harness.h"

#define GCM_MAX_LEN	128
#define GCM_TAG_LEN	16
#define CANARY		0xa5

struct gcm_kat {
	struct vt_bytes key;
	struct vt_bytes iv;
	struct vt_bytes aad;
	struct vt_bytes pt;
	struct vt_bytes ct;
	struct vt_bytes tag;
};

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
	struct gcm_kat kat;
};

#define GCM_K0_128 \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

#define GCM_K0_192 \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00"

#define GCM_K0_256 \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

#define GCM_IV0 \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

#define GCM_P0 \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

#define GCM_KF_192 \
	"\xfe\xff\xe9\x92\x86\x65\x73\x1c\x6d\x6a\x8f\x94\x67\x30\x83\x08" \
	"\xfe\xff\xe9\x92\x86\x65\x73\x1c"

#define GCM_KF_256 \
	"\xfe\xff\xe9\x92\x86\x65\x73\x1c\x6d\x6a\x8f\x94\x67\x30\x83\x08" \
	"\xfe\xff\xe9\x92\x86\x65\x73\x1c\x6d\x6a\x8f\x94\x67\x30\x83\x08"

#define GCM_AAD \
	"\xfe\xed\xfa\xce\xde\xad\xbe\xef\xfe\xed\xfa\xce\xde\xad\xbe\xef" \
	"\xab\xad\xda\xd2"

#define GCM_TC1_TAG \
	"\x58\xe2\xfc\xce\xfa\x7e\x30\x61\x36\x7f\x1d\x57\xa4\xe7\x45\x5a"

#define GCM_TC2_CT \
	"\x03\x88\xda\xce\x60\xb6\xa3\x92\xf3\x28\xc2\xb9\x71\xb2\xfe\x78"

#define GCM_TC2_TAG \
	"\xab\x6e\x47\xd4\x2c\xec\x13\xbd\xf5\x3a\x67\xb2\x12\x57\xbd\xdf"

#define GCM_TC3_TAG \
	"\x4d\x5c\x2a\xf3\x27\xcd\x64\xa6\x2c\xf3\x5a\xbd\x2b\xa6\xfa\xb4"

#define GCM_TC4_CT \
	"\x42\x83\x1e\xc2\x21\x77\x74\x24\x4b\x72\x21\xb7\x84\xd0\xd4\x9c" \
	"\xe3\xaa\x21\x2f\x2c\x02\xa4\xe0\x35\xc1\x7e\x23\x29\xac\xa1\x2e" \
	"\x21\xd5\x14\xb2\x54\x66\x93\x1c\x7d\x8f\x6a\x5a\xac\x84\xaa\x05" \
	"\x1b\xa3\x0b\x39\x6a\x0a\xac\x97\x3d\x58\xe0\x91"

#define GCM_TC4_TAG \
	"\x5b\xc9\x4f\xbc\x32\x21\xa5\xdb\x94\xfa\xe9\x5a\xe7\x12\x1a\x47"

#define GCM_TC7_TAG \
	"\xcd\x33\xb2\x8a\xc7\x73\xf7\x4b\xa0\x0e\xd1\xf3\x12\x57\x24\x35"

#define GCM_TC8_CT \
	"\x98\xe7\x24\x7c\x07\xf0\xfe\x41\x1c\x26\x7e\x43\x84\xb0\xf6\x00"

#define GCM_TC8_TAG \
	"\x2f\xf5\x8d\x80\x03\x39\x27\xab\x8e\xf4\xd4\x58\x75\x14\xf0\xfb"

#define GCM_TC9_CT \
	"\x39\x80\xca\x0b\x3c\x00\xe8\x41\xeb\x06\xfa\xc4\x87\x2a\x27\x57" \
	"\x85\x9e\x1c\xea\xa6\xef\xd9\x84\x62\x85\x93\xb4\x0c\xa1\xe1\x9c" \
	"\x7d\x77\x3d\x00\xc1\x44\xc5\x25\xac\x61\x9d\x18\xc8\x4a\x3f\x47" \
	"\x18\xe2\x44\x8b\x2f\xe3\x24\xd9\xcc\xda\x27\x10\xac\xad\xe2\x56"

#define GCM_TC9_TAG \
	"\x99\x24\xa7\xc8\x58\x73\x36\xbf\xb1\x18\x02\x4d\xb8\x67\x4a\x14"

#define GCM_TC10_CT \
	"\x39\x80\xca\x0b\x3c\x00\xe8\x41\xeb\x06\xfa\xc4\x87\x2a\x27\x57" \
	"\x85\x9e\x1c\xea\xa6\xef\xd9\x84\x62\x85\x93\xb4\x0c\xa1\xe1\x9c" \
	"\x7d\x77\x3d\x00\xc1\x44\xc5\x25\xac\x61\x9d\x18\xc8\x4a\x3f\x47" \
	"\x18\xe2\x44\x8b\x2f\xe3\x24\xd9\xcc\xda\x27\x10"

#define GCM_TC10_TAG \
	"\x25\x19\x49\x8e\x80\xf1\x47\x8f\x37\xba\x55\xbd\x6d\x27\x61\x8c"

#define GCM_TC13_TAG \
	"\x53\x0f\x8a\xfb\xc7\x45\x36\xb9\xa9\x63\xb4\xf1\xc4\xcb\x73\x8b"

#define GCM_TC14_CT \
	"\xce\xa7\x40\x3d\x4d\x60\x6b\x6e\x07\x4e\xc5\xd3\xba\xf3\x9d\x18"

#define GCM_TC14_TAG \
	"\xd0\xd1\xc8\xa7\x99\x99\x6b\xf0\x26\x5b\x98\xb5\xd4\x8a\xb9\x19"

#define GCM_TC15_CT \
	"\x52\x2d\xc1\xf0\x99\x56\x7d\x07\xf4\x7f\x37\xa3\x2a\x84\x42\x7d" \
	"\x64\x3a\x8c\xdc\xbf\xe5\xc0\xc9\x75\x98\xa2\xbd\x25\x55\xd1\xaa" \
	"\x8c\xb0\x8e\x48\x59\x0d\xbb\x3d\xa7\xb0\x8b\x10\x56\x82\x88\x38" \
	"\xc5\xf6\x1e\x63\x93\xba\x7a\x0a\xbc\xc9\xf6\x62\x89\x80\x15\xad"

#define GCM_TC15_TAG \
	"\xb0\x94\xda\xc5\xd9\x34\x71\xbd\xec\x1a\x50\x22\x70\xe3\xcc\x6c"

#define GCM_TC16_CT \
	"\x52\x2d\xc1\xf0\x99\x56\x7d\x07\xf4\x7f\x37\xa3\x2a\x84\x42\x7d" \
	"\x64\x3a\x8c\xdc\xbf\xe5\xc0\xc9\x75\x98\xa2\xbd\x25\x55\xd1\xaa" \
	"\x8c\xb0\x8e\x48\x59\x0d\xbb\x3d\xa7\xb0\x8b\x10\x56\x82\x88\x38" \
	"\xc5\xf6\x1e\x63\x93\xba\x7a\x0a\xbc\xc9\xf6\x62"

#define GCM_TC16_TAG \
	"\x76\xfc\x6e\xce\x0f\x4e\x17\x68\xcd\xdf\x88\x53\xbb\x2d\x55\x1b"

/* test case 1 (AES-128) */
FIXTURE_VARIANT_ADD(gcm, tc1) {
	.kat = {
		.key = VT_BYTES(GCM_K0_128),
		.iv = VT_BYTES(GCM_IV0),
		.tag = VT_BYTES(GCM_TC1_TAG),
	},
};

/* test case 2 (AES-128) */
FIXTURE_VARIANT_ADD(gcm, tc2) {
	.kat = {
		.key = VT_BYTES(GCM_K0_128),
		.iv = VT_BYTES(GCM_IV0),
		.pt = VT_BYTES(GCM_P0),
		.ct = VT_BYTES(GCM_TC2_CT),
		.tag = VT_BYTES(GCM_TC2_TAG),
	},
};

/* test case 3 (AES-128) */
FIXTURE_VARIANT_ADD(gcm, tc3) {
	.kat = {
		.key = VT_BYTES(GCM_KF_128),
		.iv = VT_BYTES(GCM_IVF),
		.pt = VT_BYTES(GCM_P64),
		.ct = VT_BYTES(GCM_TC3_CT),
		.tag = VT_BYTES(GCM_TC3_TAG),
	},
};

/* test case 4 (AES-128) */
FIXTURE_VARIANT_ADD(gcm, tc4) {
	.kat = {
		.key = VT_BYTES(GCM_KF_128),
		.iv = VT_BYTES(GCM_IVF),
		.aad = VT_BYTES(GCM_AAD),
		.pt = { .p = (const __u8 *)GCM_P64, .len = 60 },
		.ct = VT_BYTES(GCM_TC4_CT),
		.tag = VT_BYTES(GCM_TC4_TAG),
	},
};

/* test case 7 (AES-192) */
FIXTURE_VARIANT_ADD(gcm, tc7) {
	.kat = {
		.key = VT_BYTES(GCM_K0_192),
		.iv = VT_BYTES(GCM_IV0),
		.tag = VT_BYTES(GCM_TC7_TAG),
	},
};

/* test case 8 (AES-192) */
FIXTURE_VARIANT_ADD(gcm, tc8) {
	.kat = {
		.key = VT_BYTES(GCM_K0_192),
		.iv = VT_BYTES(GCM_IV0),
		.pt = VT_BYTES(GCM_P0),
		.ct = VT_BYTES(GCM_TC8_CT),
		.tag = VT_BYTES(GCM_TC8_TAG),
	},
};

/* test case 9 (AES-192) */
FIXTURE_VARIANT_ADD(gcm, tc9) {
	.kat = {
		.key = VT_BYTES(GCM_KF_192),
		.iv = VT_BYTES(GCM_IVF),
		.pt = VT_BYTES(GCM_P64),
		.ct = VT_BYTES(GCM_TC9_CT),
		.tag = VT_BYTES(GCM_TC9_TAG),
	},
};

/* test case 10 (AES-192) */
FIXTURE_VARIANT_ADD(gcm, tc10) {
	.kat = {
		.key = VT_BYTES(GCM_KF_192),
		.iv = VT_BYTES(GCM_IVF),
		.aad = VT_BYTES(GCM_AAD),
		.pt = { .p = (const __u8 *)GCM_P64, .len = 60 },
		.ct = VT_BYTES(GCM_TC10_CT),
		.tag = VT_BYTES(GCM_TC10_TAG),
	},
};

/* test case 13 (AES-256) */
FIXTURE_VARIANT_ADD(gcm, tc13) {
	.kat = {
		.key = VT_BYTES(GCM_K0_256),
		.iv = VT_BYTES(GCM_IV0),
		.tag = VT_BYTES(GCM_TC13_TAG),
	},
};

/* test case 14 (AES-256) */
FIXTURE_VARIANT_ADD(gcm, tc14) {
	.kat = {
		.key = VT_BYTES(GCM_K0_256),
		.iv = VT_BYTES(GCM_IV0),
		.pt = VT_BYTES(GCM_P0),
		.ct = VT_BYTES(GCM_TC14_CT),
		.tag = VT_BYTES(GCM_TC14_TAG),
	},
};

/* test case 15 (AES-256) */
FIXTURE_VARIANT_ADD(gcm, tc15) {
	.kat = {
		.key = VT_BYTES(GCM_KF_256),
		.iv = VT_BYTES(GCM_IVF),
		.pt = VT_BYTES(GCM_P64),
		.ct = VT_BYTES(GCM_TC15_CT),
		.tag = VT_BYTES(GCM_TC15_TAG),
	},
};

/* test case 16 (AES-256) */
FIXTURE_VARIANT_ADD(gcm, tc16) {
	.kat = {
		.key = VT_BYTES(GCM_KF_256),
		.iv = VT_BYTES(GCM_IVF),
		.aad = VT_BYTES(GCM_AAD),
		.pt = { .p = (const __u8 *)GCM_P64, .len = 60 },
		.ct = VT_BYTES(GCM_TC16_CT),
		.tag = VT_BYTES(GCM_TC16_TAG),
	},
};

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
static void gcm_prepare(struct gcm_op *g, const struct gcm_kat *k,
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
			  const struct gcm_kat *k, unsigned int tag_len)
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
			  const struct gcm_kat *k, unsigned int tag_len)
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
			   const struct gcm_kat *k, size_t off, int bit)
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
	check_encrypt(_metadata, self->fd, &variant->kat, GCM_TAG_LEN);
}

TEST_F(gcm, decrypt)
{
	check_decrypt(_metadata, self->fd, &variant->kat, GCM_TAG_LEN);
}

/* Every tag length the card accepts below 16 bytes, both directions */
TEST_F(gcm, short_tags)
{
	static const unsigned int lens[] = { 4, 8, 12, 13, 14, 15 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		check_encrypt(_metadata, self->fd, &variant->kat, lens[i]);
		check_decrypt(_metadata, self->fd, &variant->kat, lens[i]);
	}
}

TEST_F(gcm, bad_tag)
{
	const struct gcm_kat *k = &variant->kat;
	size_t tag = k->aad.len + k->ct.len;

	check_tampered(_metadata, self->fd, k, tag, 0);
	check_tampered(_metadata, self->fd, k, tag + GCM_TAG_LEN - 1, 7);
}

TEST_F(gcm, bad_message)
{
	const struct gcm_kat *k = &variant->kat;
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
