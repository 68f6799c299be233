// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers for SHA-256, SHA-512 and HMAC-SHA-256 through the debugfs
 * raw hook: the examples of FIPS 180-2 appendices B and C (one block, two
 * blocks, one million times "a") and the empty message; HMAC-SHA-256 test
 * cases 1-4 of RFC 4231 and the three HMAC-SHA-256 examples NIST publishes
 * for keys shorter than, as long as and longer than the block. RFC 4231
 * cases 6 and 7 use a 131-byte key, over the card's limit of
 * VCRYPT_HW_KEY_MAX (128) bytes: the card must refuse it.
 * The card writes exactly the digest and nothing after it.
 */
#include <sys/mman.h>

#include "vcrypt_kat.h"
#include "kselftest_harness.h"

#define DIGEST_MAX	64
#define CANARY		0xa5
#define MILLION		1000000

FIXTURE(hash) {
	int fd;
};

FIXTURE_VARIANT(hash) {
	const struct vt_hash_kat *kat;
};

/* FIPS 180-2 B.1 */
FIXTURE_VARIANT_ADD(hash, sha256_abc) { .kat = &vk_sha256_abc };

/* the empty message */
FIXTURE_VARIANT_ADD(hash, sha256_empty) { .kat = &vk_sha256_empty };

/* FIPS 180-2 B.2: two blocks */
FIXTURE_VARIANT_ADD(hash, sha256_448bit) { .kat = &vk_sha256_448bit };

/* FIPS 180-2 C.1 */
FIXTURE_VARIANT_ADD(hash, sha512_abc) { .kat = &vk_sha512_abc };

/* the empty message */
FIXTURE_VARIANT_ADD(hash, sha512_empty) { .kat = &vk_sha512_empty };

/* FIPS 180-2 C.2: two blocks */
FIXTURE_VARIANT_ADD(hash, sha512_896bit) { .kat = &vk_sha512_896bit };

/* RFC 4231 test case 1 */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_1) { .kat = &vk_hmac_rfc4231_1 };

/* RFC 4231 test case 2: key shorter than the digest */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_2) { .kat = &vk_hmac_rfc4231_2 };

/* RFC 4231 test case 3 */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_3) { .kat = &vk_hmac_rfc4231_3 };

/* RFC 4231 test case 4 */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_4) { .kat = &vk_hmac_rfc4231_4 };

/* NIST HMAC example, HMAC-SHA-256 with keylen < blocklen (32 bytes) */
FIXTURE_VARIANT_ADD(hash, hmac_nist_key32) { .kat = &vk_hmac_nist_key32 };

/* NIST HMAC example, HMAC-SHA-256 with keylen = blocklen (64 bytes) */
FIXTURE_VARIANT_ADD(hash, hmac_nist_key64) { .kat = &vk_hmac_nist_key64 };

/* NIST HMAC example, HMAC-SHA-256 with keylen > blocklen (100 bytes) */
FIXTURE_VARIANT_ADD(hash, hmac_nist_key100) { .kat = &vk_hmac_nist_key100 };

FIXTURE_SETUP(hash)
{
	self->fd = vt_open_raw();
	ASSERT_LE(0, self->fd) TH_LOG("no vcrypt debugfs raw file");
}

FIXTURE_TEARDOWN(hash)
{
	close(self->fd);
}

/* Hash @msg (@len bytes) as @k says and compare with @k's digest */
static void check_hash(struct __test_metadata *_metadata, int fd,
		       const struct vt_hash_kat *k, const __u8 *msg, size_t len)
{
	__u8 key[VCRYPT_HW_KEY_MAX], dst[2 * DIGEST_MAX];
	struct vcrypt_dbg_raw r;
	size_t i;

	memcpy(key, k->key.p, k->key.len);
	memset(dst, CANARY, sizeof(dst));
	memset(&r, 0, sizeof(r));
	r.op.alg = k->alg;
	r.op.key = vt_ptr(key);
	r.op.key_len = k->key.len;
	r.op.src = vt_ptr(msg);
	r.op.src_len = len;
	r.op.dst = vt_ptr(dst);
	r.op.dst_len = sizeof(dst);

	ASSERT_EQ(0, vt_raw(fd, &r)) TH_LOG("card status %u", r.hw_status);
	ASSERT_EQ(VCRYPT_HW_ST_OK, r.hw_status);
	ASSERT_EQ(k->digest.len, r.op.out_len);
	EXPECT_EQ(-1, vt_diff(dst, k->digest.p, k->digest.len));
	for (i = k->digest.len; i < sizeof(dst); i++)
		ASSERT_EQ(CANARY, dst[i]) TH_LOG("byte %zu written", i);
}

TEST_F(hash, digest)
{
	const struct vt_hash_kat *k = variant->kat;

	check_hash(_metadata, self->fd, k, k->msg.p, k->msg.len);
}

/* One million times "a": the source spans many pages */
static void check_million_a(struct __test_metadata *_metadata,
			    const struct vt_hash_kat *k)
{
	int fd = vt_open_raw();
	__u8 *msg;

	ASSERT_LE(0, fd);
	msg = mmap(NULL, MILLION, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, msg);
	memset(msg, 'a', MILLION);
	check_hash(_metadata, fd, k, msg, MILLION);
	munmap(msg, MILLION);
	close(fd);
}

/* FIPS 180-2 B.3 */
TEST(sha256_million_a)
{
	check_million_a(_metadata, &vk_sha256_million_a);
}

/* FIPS 180-2 C.3 */
TEST(sha512_million_a)
{
	check_million_a(_metadata, &vk_sha512_million_a);
}

/* RFC 4231 test cases 6 and 7: a 131-byte key is over the card's limit */
TEST(hmac_key_over_card_limit)
{
	__u8 key[] = RFC4231_6_KEY, msg[] = RFC4231_6_MSG, dst[DIGEST_MAX];
	struct vcrypt_dbg_raw r;
	int fd = vt_open_raw();

	ASSERT_LE(0, fd);
	memset(&r, 0, sizeof(r));
	r.op.alg = VCRYPT_ALG_HMAC_SHA256;
	r.op.key = vt_ptr(key);
	r.op.key_len = sizeof(key) - 1;
	r.op.src = vt_ptr(msg);
	r.op.src_len = sizeof(msg) - 1;
	r.op.dst = vt_ptr(dst);
	r.op.dst_len = sizeof(dst);
	ASSERT_LT(VCRYPT_HW_KEY_MAX, r.op.key_len);
	EXPECT_EQ(-EINVAL, vt_raw(fd, &r));
	EXPECT_EQ(VCRYPT_HW_ST_BAD_KEY, r.hw_status);
	close(fd);
}

TEST_HARNESS_MAIN
