// SPDX-License-Identifier: GPL-2.0
/*
 * Requests of many pages, up to the card's 1 MiB limit, so that the source
 * and destination are scatter-gather tables. Each is checked against a
 * published vector placed inside the long request, where the mode makes
 * the result at that place independent of the data around it:
 *   CTR: the SP 800-38A F.5.1 blocks at the start, across the 16 KiB
 *	boundary and at the end, with the initial counter moved back by the
 *	blocks before them; the counter written back is the one after the
 *	last block;
 *   CBC: F.2.1 at the start when encrypting; when decrypting, its IV and
 *	ciphertext as the last five blocks give its plaintext as the last
 *	four, whatever comes before;
 *   XTS: IEEE 1619 vector 4 as the first 512 bytes of a 64 KiB data unit;
 *   GCM: the ciphertext of GCM test case 3 as the first 64 bytes.
 * All data around the vectors is a fixed pattern; the whole output must be
 * the reference's (OpenSSL, vcrypt_ref.h), and decrypting the reference's
 * output must give back exactly what went in.
 */
#include <sys/mman.h>

#include "vcrypt_ref.h"
#include "kselftest_harness.h"

#define SZ_64K		(64 * 1024)
#define SZ_16K		(16 * 1024)
#define AES_BLOCK	16
#define GCM_TAG_LEN	16
#define GCM_AAD_LEN	20
#define VEC_LEN		64	/* the four blocks of SP 800-38A */
/* Buffers start 3 bytes into a page, so no request is page aligned */
#define MISALIGN	3
#define MAP_LEN		(VCRYPT_HW_DATA_MAX + 4096 + GCM_TAG_LEN)

/*
 * SP 800-38A's initial counter f0f1..feff moved back, or on, by a number
 * of blocks (counter arithmetic on the 128-bit big-endian block).
 */
#define CTR_MINUS_4092	/* 64 KiB ending with the F.5.1 blocks */ \
	"\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xef\x03"
#define CTR_MINUS_1022	/* the F.5.1 blocks across offset 16 KiB */ \
	"\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfb\x01"
#define CTR_MINUS_65532	/* 1 MiB ending with the F.5.1 blocks */ \
	"\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfc\xff\x03"
#define CTR_PLUS_4	/* after the last F.5.1 block */ \
	"\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xff\x03"
#define CTR_PLUS_4096	/* after 64 KiB from the F.5.1 counter */ \
	"\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfe\x0e\xff"
#define CTR_PLUS_3074	/* after 64 KiB from CTR_MINUS_1022 */ \
	"\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfe\x0b\x01"

/*
 * The buffers of a test: input, output, the reference's output and the
 * decryption of that
 */
struct bufs {
	int fd;
	__u8 *in;	/* MISALIGN bytes into a mapping of MAP_LEN */
	__u8 *out;
	__u8 *ref;
	__u8 *back;
	struct vcrypt_dbg_raw r;
	__u8 iv[AES_BLOCK];
};

FIXTURE(sg) {
	struct bufs b;
};

static __u8 *map_buf(void)
{
	__u8 *p = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p + MISALIGN;
}

FIXTURE_SETUP(sg)
{
	struct bufs *b = &self->b;

	b->fd = vt_open_raw();
	ASSERT_LE(0, b->fd) TH_LOG("no vcrypt debugfs raw file");
	b->in = map_buf();
	b->out = map_buf();
	b->ref = map_buf();
	b->back = map_buf();
	ASSERT_NE(NULL, b->in);
	ASSERT_NE(NULL, b->out);
	ASSERT_NE(NULL, b->ref);
	ASSERT_NE(NULL, b->back);
}

FIXTURE_TEARDOWN(sg)
{
	struct bufs *b = &self->b;

	munmap(b->in - MISALIGN, MAP_LEN);
	munmap(b->out - MISALIGN, MAP_LEN);
	munmap(b->ref - MISALIGN, MAP_LEN);
	munmap(b->back - MISALIGN, MAP_LEN);
	close(b->fd);
}

/*
 * Run @alg over @len bytes of @src into @dst (room: @len + @extra) with
 * @key and b->iv; returns 0 or -errno, the output length in *@out_len.
 */
static int run(struct bufs *b, __u32 alg, bool decrypt,
	       const char *key, unsigned int key_len, unsigned int iv_len,
	       const __u8 *src, __u32 len, __u8 *dst, __u32 extra,
	       __u32 *out_len)
{
	struct vcrypt_dbg_raw *r = &b->r;
	int ret;

	memset(r, 0, sizeof(*r));
	r->op.alg = alg;
	r->op.flags = decrypt ? VCRYPT_OP_DECRYPT : 0;
	r->op.key = vt_ptr(key);
	r->op.key_len = key_len;
	r->op.iv = vt_ptr(b->iv);
	r->op.iv_len = iv_len;
	r->op.src = vt_ptr(src);
	r->op.src_len = len;
	r->op.dst = vt_ptr(dst);
	r->op.dst_len = len + extra;
	if (alg == VCRYPT_ALG_AES_GCM) {
		r->op.aad_len = GCM_AAD_LEN;
		r->op.tag_len = GCM_TAG_LEN;
	}
	ret = vt_raw(b->fd, r);
	*out_len = r->op.out_len;
	return ret;
}

/*
 * The reference's result of encrypting (or decrypting) @len bytes of
 * b->in (@aad_len of them AAD) with @key and @iv into b->ref; the card's
 * output b->out, of @out_len bytes, must be the same.
 */
static void ref_check(struct __test_metadata *_metadata, struct bufs *b,
		      __u32 alg, bool decrypt, const char *key,
		      unsigned int key_len, const void *iv, __u32 len,
		      __u32 aad_len, __u32 out_len)
{
	struct vr_op op = {
		.alg = alg,
		.decrypt = decrypt,
		.key = (const __u8 *)key,
		.key_len = key_len,
		.iv = iv,
		.src = b->in,
		.src_len = len,
		.aad_len = aad_len,
		.tag_len = alg == VCRYPT_ALG_AES_GCM ? GCM_TAG_LEN : 0,
	};

	EXPECT_EQ(0, vr_run(&op, b->ref, NULL));
	EXPECT_EQ(vr_out_len(&op), out_len);
	EXPECT_EQ(-1, vt_diff(b->out, b->ref, vr_out_len(&op)))
		TH_LOG("the card differs from the reference");
}

/*
 * CTR over @len bytes with the F.5.1 plaintext at @at, starting from
 * counter @iv: the F.5.1 ciphertext at @at (as much of it as fits), the
 * counter @next written back, the reference's output, and decrypting
 * that gives the input back.
 */
static void ctr_check(struct __test_metadata *_metadata,
		      struct bufs *b, __u32 len, __u32 at,
		      const char *iv, const char *next)
{
	__u32 n = len - at < VEC_LEN ? len - at : VEC_LEN;
	__u32 out_len;

	vt_pattern(b->in, len, 1);
	memcpy(b->in + at, SP800_38A_PT, n);
	memcpy(b->iv, iv, AES_BLOCK);
	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_CTR, false, SP800_38A_KEY128, 16,
			 AES_BLOCK, b->in, len, b->out, 0, &out_len));
	ASSERT_EQ(len, out_len);
	EXPECT_EQ(-1, vt_diff(b->out + at, SP800_38A_CTR128_CT, n));
	EXPECT_EQ(-1, vt_diff(b->iv, next, AES_BLOCK)) TH_LOG("next IV");
	ref_check(_metadata, b, VCRYPT_ALG_AES_CTR, false, SP800_38A_KEY128, 16,
		  iv, len, 0, out_len);

	memcpy(b->iv, iv, AES_BLOCK);
	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_CTR, true, SP800_38A_KEY128, 16,
			 AES_BLOCK, b->ref, len, b->back, 0, &out_len));
	ASSERT_EQ(len, out_len);
	EXPECT_EQ(-1, vt_diff(b->back, b->in, len));
	EXPECT_EQ(-1, vt_diff(b->iv, next, AES_BLOCK)) TH_LOG("next IV");
}

TEST_F(sg, ctr_64k_head)
{
	ctr_check(_metadata, &self->b, SZ_64K, 0, SP800_38A_CTR_IV,
		  CTR_PLUS_4096);
}

TEST_F(sg, ctr_64k_across_16k)
{
	ctr_check(_metadata, &self->b, SZ_64K, SZ_16K - 2 * AES_BLOCK,
		  CTR_MINUS_1022, CTR_PLUS_3074);
}

TEST_F(sg, ctr_64k_tail)
{
	ctr_check(_metadata, &self->b, SZ_64K, SZ_64K - VEC_LEN, CTR_MINUS_4092,
		  CTR_PLUS_4);
}

/* The last block is 12 bytes: the counter still moves on by one */
TEST_F(sg, ctr_partial_tail)
{
	ctr_check(_metadata, &self->b, SZ_64K - 4, SZ_64K - VEC_LEN,
		  CTR_MINUS_4092, CTR_PLUS_4);
}

TEST_F(sg, ctr_1m_tail)
{
	ctr_check(_metadata, &self->b, VCRYPT_HW_DATA_MAX,
		  VCRYPT_HW_DATA_MAX - VEC_LEN, CTR_MINUS_65532, CTR_PLUS_4);
}

TEST_F(sg, cbc_64k_encrypt_head)
{
	struct bufs *b = &self->b;
	__u32 out_len;

	vt_pattern(b->in, SZ_64K, 2);
	memcpy(b->in, SP800_38A_PT, VEC_LEN);
	memcpy(b->iv, SP800_38A_CBC_IV, AES_BLOCK);
	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_CBC, false, SP800_38A_KEY128, 16,
			 AES_BLOCK, b->in, SZ_64K, b->out, 0, &out_len));
	ASSERT_EQ(SZ_64K, out_len);
	EXPECT_EQ(-1, vt_diff(b->out, SP800_38A_CBC128_CT, VEC_LEN));
	ref_check(_metadata, b, VCRYPT_ALG_AES_CBC, false, SP800_38A_KEY128, 16,
		  SP800_38A_CBC_IV, SZ_64K, 0, out_len);
	/* the chaining value written back is the last ciphertext block */
	EXPECT_EQ(-1, vt_diff(b->iv, b->ref + SZ_64K - AES_BLOCK,
			      AES_BLOCK));

	memcpy(b->iv, SP800_38A_CBC_IV, AES_BLOCK);
	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_CBC, true, SP800_38A_KEY128, 16,
			 AES_BLOCK, b->ref, SZ_64K, b->back, 0, &out_len));
	ASSERT_EQ(SZ_64K, out_len);
	EXPECT_EQ(-1, vt_diff(b->back, b->in, SZ_64K));
}

TEST_F(sg, cbc_64k_decrypt_tail)
{
	struct bufs *b = &self->b;
	static const __u8 zero_iv[AES_BLOCK];
	const __u32 tail = SZ_64K - VEC_LEN;
	__u32 out_len;

	vt_pattern(b->in, SZ_64K, 3);
	memcpy(b->in + tail - AES_BLOCK, SP800_38A_CBC_IV, AES_BLOCK);
	memcpy(b->in + tail, SP800_38A_CBC128_CT, VEC_LEN);
	memcpy(b->iv, zero_iv, AES_BLOCK);
	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_CBC, true, SP800_38A_KEY128, 16,
			 AES_BLOCK, b->in, SZ_64K, b->out, 0, &out_len));
	ASSERT_EQ(SZ_64K, out_len);
	EXPECT_EQ(-1, vt_diff(b->out + tail, SP800_38A_PT, VEC_LEN));
	EXPECT_EQ(-1, vt_diff(b->iv, SP800_38A_CBC128_CT + VEC_LEN - AES_BLOCK,
			      AES_BLOCK)) TH_LOG("next IV");
	ref_check(_metadata, b, VCRYPT_ALG_AES_CBC, true, SP800_38A_KEY128, 16,
		  zero_iv, SZ_64K, 0, out_len);

	memcpy(b->iv, zero_iv, AES_BLOCK);
	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_CBC, false, SP800_38A_KEY128, 16,
			 AES_BLOCK, b->ref, SZ_64K, b->back, 0, &out_len));
	ASSERT_EQ(SZ_64K, out_len);
	EXPECT_EQ(-1, vt_diff(b->back, b->in, SZ_64K));
}

TEST_F(sg, xts_64k_head)
{
	struct bufs *b = &self->b;
	const __u32 v4_len = sizeof(IEEE1619_PT512) - 1;
	__u32 out_len;

	vt_pattern(b->in, SZ_64K, 4);
	memcpy(b->in, IEEE1619_PT512, v4_len);
	memset(b->iv, 0, AES_BLOCK);
	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_XTS, false, IEEE1619_V4_KEY, 32,
			 AES_BLOCK, b->in, SZ_64K, b->out, 0, &out_len));
	ASSERT_EQ(SZ_64K, out_len);
	EXPECT_EQ(-1, vt_diff(b->out, IEEE1619_V4_CT, v4_len));
	ref_check(_metadata, b, VCRYPT_ALG_AES_XTS, false, IEEE1619_V4_KEY, 32,
		  IEEE1619_DUSN_0, SZ_64K, 0, out_len);

	memset(b->iv, 0, AES_BLOCK);
	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_XTS, true, IEEE1619_V4_KEY, 32,
			 AES_BLOCK, b->ref, SZ_64K, b->back, 0, &out_len));
	ASSERT_EQ(SZ_64K, out_len);
	EXPECT_EQ(-1, vt_diff(b->back, b->in, SZ_64K));
}

TEST_F(sg, gcm_64k_head)
{
	struct bufs *b = &self->b;
	const __u32 len = GCM_AAD_LEN + SZ_64K;
	__u32 out_len;

	vt_pattern(b->in, len, 5);
	memcpy(b->in + GCM_AAD_LEN, GCM_P64, VEC_LEN);
	memcpy(b->iv, GCM_IVF, 12);
	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_GCM, false, GCM_KF_128, 16, 12,
			 b->in, len, b->out, GCM_TAG_LEN, &out_len));
	ASSERT_EQ(len + GCM_TAG_LEN, out_len);
	EXPECT_EQ(-1, vt_diff(b->out, b->in, GCM_AAD_LEN)) TH_LOG("AAD");
	EXPECT_EQ(-1, vt_diff(b->out + GCM_AAD_LEN, GCM_TC3_CT, VEC_LEN));
	ref_check(_metadata, b, VCRYPT_ALG_AES_GCM, false, GCM_KF_128, 16,
		  GCM_IVF, len, GCM_AAD_LEN, out_len);

	ASSERT_EQ(0, run(b, VCRYPT_ALG_AES_GCM, true, GCM_KF_128, 16, 12,
			 b->ref, len + GCM_TAG_LEN, b->back, 0, &out_len));
	ASSERT_EQ(len, out_len);
	EXPECT_EQ(-1, vt_diff(b->back, b->in, len));

	/* one bit changed deep inside the message: refused */
	b->ref[GCM_AAD_LEN + SZ_16K + 5] ^= 0x10;
	ASSERT_EQ(-EBADMSG, run(b, VCRYPT_ALG_AES_GCM, true, GCM_KF_128, 16,
				12, b->ref, len + GCM_TAG_LEN, b->back, 0,
				&out_len));
	EXPECT_EQ(VCRYPT_HW_ST_AUTH, b->r.hw_status);
}

TEST_HARNESS_MAIN
