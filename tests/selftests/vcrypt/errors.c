// SPDX-License-Identifier: GPL-2.0
/*
 * Bad requests. Through the debugfs raw hook the card validates each
 * descriptor itself: every status it can be made to return from here
 * (BAD_OP, BAD_KEY, BAD_LEN, AUTH) arrives with its errno, the card's
 * status in hw_status, and nothing written to the destination. The driver
 * itself refuses what a descriptor cannot hold or what user memory does
 * not allow (EINVAL, E2BIG, EFAULT) without going to the card, and unknown
 * ioctls (ENOTTY). The card keeps working afterwards and counts every
 * error.
 */
#include <sys/mman.h>

#include "vcrypt_test.h"
#include "vcrypt_vectors.h"
#include "kselftest_harness.h"

#define CANARY		0xa5
#define BUF_LEN		4096
/* What the driver stages for one raw request (2 * VCRYPT_HW_DATA_MAX) */
#define RAW_DATA_MAX	(2 * VCRYPT_HW_DATA_MAX)

FIXTURE(bad) {
	int fd;
	__u8 key[256];	/* as long as any key a descriptor can name */
	__u8 iv[16];
	__u8 src[BUF_LEN];
	__u8 dst[BUF_LEN];
	struct vcrypt_dbg_raw r;
};

/*
 * A good AES-128-CBC encryption of one page starting with the SP 800-38A
 * F.2.1 plaintext; each test spoils one thing.
 */
FIXTURE_SETUP(bad)
{
	self->fd = vt_open_raw();
	ASSERT_LE(0, self->fd) TH_LOG("no vcrypt debugfs raw file");
	memcpy(self->key, SP800_38A_KEY128, 16);
	memcpy(self->iv, SP800_38A_CBC_IV, 16);
	vt_pattern(self->src, sizeof(self->src), 0);
	memcpy(self->src, SP800_38A_PT, 64);
	memset(self->dst, CANARY, sizeof(self->dst));

	memset(&self->r, 0, sizeof(self->r));
	self->r.op.alg = VCRYPT_ALG_AES_CBC;
	self->r.op.key = vt_ptr(self->key);
	self->r.op.key_len = 16;
	self->r.op.iv = vt_ptr(self->iv);
	self->r.op.iv_len = 16;
	self->r.op.src = vt_ptr(self->src);
	self->r.op.src_len = sizeof(self->src);
	self->r.op.dst = vt_ptr(self->dst);
	self->r.op.dst_len = sizeof(self->dst);
}

FIXTURE_TEARDOWN(bad)
{
	close(self->fd);
}

static bool dst_untouched(const __u8 *dst)
{
	size_t i;

	for (i = 0; i < BUF_LEN; i++)
		if (dst[i] != CANARY)
			return false;
	return true;
}

/* The card refuses the request with @status, the driver with @err */
static void card_refuses(struct __test_metadata *_metadata, int fd,
			 struct vcrypt_dbg_raw *r, const __u8 *dst, int err,
			 __u32 status)
{
	ASSERT_EQ(-err, vt_raw(fd, r));
	EXPECT_EQ(status, r->hw_status);
	EXPECT_EQ(0, r->op.out_len);
	EXPECT_TRUE(dst_untouched(dst)) TH_LOG("destination written");
}

/* The driver refuses the request with @err before the card sees it */
static void driver_refuses(struct __test_metadata *_metadata, int fd,
			   struct vcrypt_dbg_raw *r, const __u8 *dst, int err)
{
	r->hw_status = VCRYPT_HW_ST_OK;
	ASSERT_EQ(-err, vt_raw(fd, r));
	EXPECT_TRUE(r->hw_status == VCRYPT_HW_ST_OK ||
		    r->hw_status == VCRYPT_DBG_NO_HW_STATUS)
		TH_LOG("card status %u for a request it never saw",
		       r->hw_status);
	EXPECT_TRUE(dst_untouched(dst)) TH_LOG("destination written");
}

#define CARD_REFUSES(err, status) \
	card_refuses(_metadata, self->fd, &self->r, self->dst, err, status)
#define DRIVER_REFUSES(err) \
	driver_refuses(_metadata, self->fd, &self->r, self->dst, err)

/* The unchanged request works: the tests below change one thing each */
TEST_F(bad, baseline)
{
	ASSERT_EQ(0, vt_raw(self->fd, &self->r));
	ASSERT_EQ(VCRYPT_HW_ST_OK, self->r.hw_status);
	ASSERT_EQ(BUF_LEN, self->r.op.out_len);
	EXPECT_EQ(-1, vt_diff(self->dst, SP800_38A_CBC128_CT, 16));
}

TEST_F(bad, unknown_op)
{
	self->r.op.alg = 0x7f;
	CARD_REFUSES(EOPNOTSUPP, VCRYPT_HW_ST_BAD_OP);
}

TEST_F(bad, op_zero)
{
	self->r.op.alg = 0;
	CARD_REFUSES(EOPNOTSUPP, VCRYPT_HW_ST_BAD_OP);
}

TEST_F(bad, unknown_flag)
{
	self->r.op.flags = 1u << 1;
	CARD_REFUSES(EOPNOTSUPP, VCRYPT_HW_ST_BAD_OP);
}

TEST_F(bad, decrypt_sha256)
{
	self->r.op.alg = VCRYPT_ALG_SHA256;
	self->r.op.flags = VCRYPT_OP_DECRYPT;
	self->r.op.key_len = 0;
	self->r.op.iv_len = 0;
	CARD_REFUSES(EOPNOTSUPP, VCRYPT_HW_ST_BAD_OP);
}

TEST_F(bad, aes_key_17)
{
	self->r.op.key_len = 17;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_KEY);
}

TEST_F(bad, xts_key_16)
{
	self->r.op.alg = VCRYPT_ALG_AES_XTS;
	self->r.op.key_len = 16;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_KEY);
}

TEST_F(bad, sha256_with_key)
{
	self->r.op.alg = VCRYPT_ALG_SHA256;
	self->r.op.iv_len = 0;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_KEY);
}

TEST_F(bad, hmac_key_129)
{
	self->r.op.alg = VCRYPT_ALG_HMAC_SHA256;
	self->r.op.key_len = VCRYPT_HW_KEY_MAX + 1;
	self->r.op.iv_len = 0;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_KEY);
}

TEST_F(bad, cbc_len_15)
{
	self->r.op.src_len = 15;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, cbc_iv_8)
{
	self->r.op.iv_len = 8;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, cbc_with_aad)
{
	self->r.op.aad_len = 16;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, xts_len_8)
{
	self->r.op.alg = VCRYPT_ALG_AES_XTS;
	self->r.op.key_len = 32;
	self->r.op.src_len = 8;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

/* GCM requests below leave room for the tag: each has one thing wrong */
TEST_F(bad, gcm_iv_16)
{
	self->r.op.alg = VCRYPT_ALG_AES_GCM;
	self->r.op.tag_len = 16;
	self->r.op.src_len = BUF_LEN - 16;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, gcm_tag_3)
{
	self->r.op.alg = VCRYPT_ALG_AES_GCM;
	self->r.op.iv_len = 12;
	self->r.op.tag_len = 3;
	self->r.op.src_len = BUF_LEN - 16;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, gcm_tag_17)
{
	self->r.op.alg = VCRYPT_ALG_AES_GCM;
	self->r.op.iv_len = 12;
	self->r.op.tag_len = 17;
	self->r.op.src_len = BUF_LEN - 32;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, gcm_decrypt_shorter_than_tag)
{
	self->r.op.alg = VCRYPT_ALG_AES_GCM;
	self->r.op.flags = VCRYPT_OP_DECRYPT;
	self->r.op.iv_len = 12;
	self->r.op.tag_len = 16;
	self->r.op.src_len = 15;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, gcm_aad_past_source)
{
	self->r.op.alg = VCRYPT_ALG_AES_GCM;
	self->r.op.iv_len = 12;
	self->r.op.tag_len = 16;
	self->r.op.src_len = BUF_LEN - 16;
	self->r.op.aad_len = BUF_LEN - 15;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, gcm_dst_no_room_for_tag)
{
	self->r.op.alg = VCRYPT_ALG_AES_GCM;
	self->r.op.iv_len = 12;
	self->r.op.tag_len = 16;
	self->r.op.src_len = BUF_LEN - 8;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, dst_too_small)
{
	self->r.op.dst_len = BUF_LEN - 16;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, sha256_dst_31)
{
	self->r.op.alg = VCRYPT_ALG_SHA256;
	self->r.op.key_len = 0;
	self->r.op.iv_len = 0;
	self->r.op.dst_len = 31;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

TEST_F(bad, sha512_with_iv)
{
	self->r.op.alg = VCRYPT_ALG_SHA512;
	self->r.op.key_len = 0;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
}

/* Over the card's 1 MiB but within what the driver stages: the card says no */
TEST_F(bad, src_over_1m)
{
	__u8 *big = mmap(NULL, VCRYPT_HW_DATA_MAX + 16, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, big);
	self->r.op.alg = VCRYPT_ALG_AES_CTR;
	self->r.op.src = vt_ptr(big);
	self->r.op.src_len = VCRYPT_HW_DATA_MAX + 16;
	CARD_REFUSES(EINVAL, VCRYPT_HW_ST_BAD_LEN);
	munmap(big, VCRYPT_HW_DATA_MAX + 16);
}

TEST_F(bad, src_over_driver_limit)
{
	self->r.op.src_len = RAW_DATA_MAX + 16;
	DRIVER_REFUSES(E2BIG);
}

TEST_F(bad, dst_over_driver_limit)
{
	self->r.op.dst_len = RAW_DATA_MAX + 16;
	DRIVER_REFUSES(E2BIG);
}

/* Every reserved word of struct vcrypt_op, and of the ioctl argument */
TEST_F(bad, reserved_fields)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(self->r.op.reserved); i++) {
		self->r.op.reserved[i] = 1;
		DRIVER_REFUSES(EINVAL);
		self->r.op.reserved[i] = 0;
	}
	self->r.reserved = 1;
	DRIVER_REFUSES(EINVAL);
}

/* Fields a descriptor holds in one byte */
TEST_F(bad, fields_over_a_byte)
{
	self->r.op.alg = VCRYPT_ALG_AES_CBC | 0x100;
	DRIVER_REFUSES(EINVAL);
	self->r.op.alg = VCRYPT_ALG_AES_CBC;
	self->r.op.key_len = 16 + 0x100;
	DRIVER_REFUSES(EINVAL);
	self->r.op.key_len = 16;
	self->r.op.iv_len = 16 + 0x100;
	DRIVER_REFUSES(EINVAL);
	self->r.op.iv_len = 16;
	self->r.op.flags = 0x100;
	DRIVER_REFUSES(EINVAL);
}

TEST_F(bad, src_unmapped)
{
	self->r.op.src = 8;
	DRIVER_REFUSES(EFAULT);
}

TEST_F(bad, key_unmapped)
{
	self->r.op.key = 8;
	DRIVER_REFUSES(EFAULT);
}

TEST_F(bad, iv_unmapped)
{
	self->r.op.iv = 8;
	DRIVER_REFUSES(EFAULT);
}

TEST_F(bad, dst_kernel_address)
{
	self->r.op.dst = 0xffff888000000000ull;
	DRIVER_REFUSES(EFAULT);
}

/* The card did the work but the result cannot be written back */
TEST_F(bad, dst_read_only)
{
	__u8 *ro = mmap(NULL, BUF_LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	self->r.op.dst = vt_ptr(ro);
	ASSERT_EQ(-EFAULT, vt_raw(self->fd, &self->r));
	munmap(ro, BUF_LEN);
}

TEST_F(bad, arg_unmapped)
{
	ASSERT_EQ(-1, ioctl(self->fd, VCRYPT_DBG_IOC_RAW, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(bad, unknown_ioctl)
{
	ASSERT_EQ(-1, ioctl(self->fd, _IOWR(VCRYPT_IOC_MAGIC, 0xf1,
					    struct vcrypt_dbg_raw), &self->r));
	EXPECT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IO(VCRYPT_IOC_MAGIC, 0xf0)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_TRUE(dst_untouched(self->dst));
}

/* Reads counter @name from the card's debugfs stats file */
static long long read_stat(const char *name)
{
	char bdf[VT_NAME_MAX], path[VT_PATH_MAX], key[64];
	long long val, found = -1;
	FILE *f;

	if (vt_find_card(bdf))
		return -1;
	snprintf(path, sizeof(path), VT_DEBUGFS "/%s/stats", bdf);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lli", key, &val) == 2)
		if (!strcmp(key, name))
			found = val;
	fclose(f);
	return found;
}

/*
 * After a run of errors the card still works, and its counters saw every
 * descriptor: 3 refused by the card, 2 done (only their bytes count),
 * 1 never sent.
 */
TEST_F(bad, card_survives_and_counts)
{
	long long ops = read_stat("card_ops");
	long long errors = read_stat("card_errors");
	long long bytes = read_stat("card_bytes");

	ASSERT_LE(0, ops);
	ASSERT_LE(0, errors);
	ASSERT_LE(0, bytes);

	self->r.op.alg = 0x7f;
	ASSERT_EQ(-EOPNOTSUPP, vt_raw(self->fd, &self->r));
	self->r.op.alg = VCRYPT_ALG_AES_CBC;
	self->r.op.key_len = 17;
	ASSERT_EQ(-EINVAL, vt_raw(self->fd, &self->r));
	self->r.op.key_len = 16;
	self->r.op.src_len = 15;
	ASSERT_EQ(-EINVAL, vt_raw(self->fd, &self->r));
	self->r.op.src_len = BUF_LEN;
	self->r.op.reserved[0] = 1;
	ASSERT_EQ(-EINVAL, vt_raw(self->fd, &self->r));
	self->r.op.reserved[0] = 0;

	ASSERT_EQ(0, vt_raw(self->fd, &self->r));
	EXPECT_EQ(-1, vt_diff(self->dst, SP800_38A_CBC128_CT, 16));
	memcpy(self->iv, SP800_38A_CBC_IV, 16);
	ASSERT_EQ(0, vt_raw(self->fd, &self->r));
	EXPECT_EQ(-1, vt_diff(self->dst, SP800_38A_CBC128_CT, 16));

	EXPECT_EQ(ops + 5, read_stat("card_ops"));
	EXPECT_EQ(errors + 3, read_stat("card_errors"));
	EXPECT_EQ(bytes + 2 * BUF_LEN, read_stat("card_bytes"));
	EXPECT_EQ(0, read_stat("in_flight"));
}

TEST_HARNESS_MAIN
