// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite vcrypt_user: the checks of operations from user space.
 *
 * The expected results are the rules of Documentation/uapi.rst, written
 * out again here: the table of algorithms (key, IV and source lengths),
 * the AES-GCM rules (aad_len <= src_len, tag_len 4, 8 or 12 to 16, a
 * decryption's source at least aad_len + tag_len), the output lengths,
 * dst_len >= out_len, src_len <= max_data (E2BIG), and EINVAL or
 * EOPNOTSUPP for the rest. Each case has one fault, so that no case
 * depends on which check comes first.
 */
#include <kunit/test.h>
#include <linux/vcrypt.h>

#include "../vcrypt.h"
#include "../vcrypt_user.h"

#define MAX_DATA	0x100000u	/* the card's MAX_DATA, 1 MiB */

/* The table of Documentation/uapi.rst */
static const struct user_alg {
	u32 alg;
	const char *name;
	u32 iv_len;
	u32 digest;	/* hashes: the output length */
} user_algs[] = {
	{ VCRYPT_ALG_AES_CBC, "aes-cbc", 16, 0 },
	{ VCRYPT_ALG_AES_CTR, "aes-ctr", 16, 0 },
	{ VCRYPT_ALG_AES_XTS, "aes-xts", 16, 0 },
	{ VCRYPT_ALG_AES_GCM, "aes-gcm", 12, 0 },
	{ VCRYPT_ALG_SHA256, "sha256", 0, 32 },
	{ VCRYPT_ALG_SHA512, "sha512", 0, 64 },
	{ VCRYPT_ALG_HMAC_SHA256, "hmac-sha256", 0, 32 },
};

static bool user_key_ok(u32 alg, u32 key_len)
{
	switch (alg) {
	case VCRYPT_ALG_AES_CBC:
	case VCRYPT_ALG_AES_CTR:
	case VCRYPT_ALG_AES_GCM:
		return key_len == 16 || key_len == 24 || key_len == 32;
	case VCRYPT_ALG_AES_XTS:
		return key_len == 32 || key_len == 48 || key_len == 64;
	case VCRYPT_ALG_HMAC_SHA256:
		return key_len <= 128;
	default:
		return key_len == 0;
	}
}

/* src_len rule of the table, for every algorithm but AES-GCM */
static bool user_src_ok(u32 alg, u32 src_len)
{
	switch (alg) {
	case VCRYPT_ALG_AES_CBC:
		return src_len % 16 == 0;
	case VCRYPT_ALG_AES_XTS:
		return src_len >= 16;
	default:
		return true;
	}
}

static bool user_tag_ok(u32 tag_len)
{
	return tag_len == 4 || tag_len == 8 ||
	       (tag_len >= 12 && tag_len <= 16);
}

/* out_len: the digest, src_len, or src_len -/+ tag_len for AES-GCM */
static u32 user_expected_out(const struct user_alg *a, u32 flags,
			     u32 src_len, u32 tag_len)
{
	if (a->digest)
		return a->digest;
	if (a->alg == VCRYPT_ALG_AES_GCM)
		return flags & VCRYPT_OP_DECRYPT ? src_len - tag_len :
		       src_len + tag_len;
	return src_len;
}

/* An operation of @src_len with exactly the room it needs; AES-GCM: tag 16 */
static struct vcrypt_uop user_op(const struct user_alg *a, u32 flags,
				 u32 src_len)
{
	u32 tag_len = a->alg == VCRYPT_ALG_AES_GCM ? 16 : 0;

	return (struct vcrypt_uop) {
		.alg = a->alg,
		.flags = flags,
		.iv_len = a->iv_len,
		.src_len = src_len,
		.tag_len = tag_len,
		.dst_len = user_expected_out(a, flags, src_len, tag_len),
	};
}

/* Known algorithms, those the card lacks, unknown numbers */
static void user_check_alg(struct kunit *test)
{
	u32 all = 0, alg, caps;
	int want, got;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(user_algs); i++)
		all |= BIT(user_algs[i].alg);

	for (alg = 0; alg < 300; alg++) {
		want = alg < 32 && all & BIT(alg) ? 0 : -EINVAL;
		KUNIT_EXPECT_EQ_MSG(test, vcrypt_user_check_alg(all, alg), want,
				    "alg %#x", alg);
		/* A card that claims every bit adds no algorithm */
		KUNIT_EXPECT_EQ_MSG(test, vcrypt_user_check_alg(U32_MAX, alg),
				    want, "alg %#x", alg);
		got = vcrypt_user_check_alg(0, alg);
		KUNIT_EXPECT_EQ_MSG(test, got, want ? -EINVAL : -EOPNOTSUPP,
				    "alg %#x on a card without it", alg);
	}
	KUNIT_EXPECT_EQ(test, vcrypt_user_check_alg(all, U32_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcrypt_user_check_alg(all, BIT(31)), -EINVAL);

	/* A card with AES-CBC only */
	caps = BIT(VCRYPT_ALG_AES_CBC);
	for (i = 0; i < ARRAY_SIZE(user_algs); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    vcrypt_user_check_alg(caps, user_algs[i].alg),
				    user_algs[i].alg == VCRYPT_ALG_AES_CBC ?
				    0 : -EOPNOTSUPP, "%s", user_algs[i].name);
}

/* Every key length of every algorithm up to 300, and U32_MAX */
static void user_check_key(struct kunit *test)
{
	const struct user_alg *a;
	unsigned int i;
	u32 len;

	for (i = 0; i < ARRAY_SIZE(user_algs); i++) {
		a = &user_algs[i];
		for (len = 0; len <= 300; len++)
			KUNIT_EXPECT_EQ_MSG(test,
					    vcrypt_user_check_key(a->alg, len),
					    user_key_ok(a->alg, len) ? 0 : -EINVAL,
					    "%s, key_len %u", a->name, len);
		KUNIT_EXPECT_EQ_MSG(test, vcrypt_user_check_key(a->alg, U32_MAX),
				    -EINVAL, "%s", a->name);
	}
}

/* The output length of each algorithm, both directions */
static void user_out_len(struct kunit *test)
{
	struct vcrypt_uop op;
	const struct user_alg *a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(user_algs); i++) {
		a = &user_algs[i];
		op = user_op(a, 0, 4096);
		KUNIT_EXPECT_EQ_MSG(test, vcrypt_user_out_len(&op),
				    a->digest ?: a->alg == VCRYPT_ALG_AES_GCM ?
				    4112 : 4096, "%s", a->name);
		if (a->digest)
			continue;
		op.flags = VCRYPT_OP_DECRYPT;
		KUNIT_EXPECT_EQ_MSG(test, vcrypt_user_out_len(&op),
				    a->alg == VCRYPT_ALG_AES_GCM ? 4080 : 4096,
				    "%s decrypt", a->name);
	}
}

/* Checks @op, and @op with one byte less room than its output needs */
static void user_expect(struct kunit *test, struct vcrypt_uop op, int want,
			u32 max_data, const char *name)
{
	KUNIT_EXPECT_EQ_MSG(test, vcrypt_user_check(&op, max_data), want,
			    "%s, flags %#x, src_len %u, aad_len %u, tag_len %u, dst_len %u",
			    name, op.flags, op.src_len, op.aad_len, op.tag_len,
			    op.dst_len);
	if (want || !op.dst_len)
		return;
	op.dst_len--;
	KUNIT_EXPECT_EQ_MSG(test, vcrypt_user_check(&op, max_data), -EINVAL,
			    "%s, flags %#x, src_len %u, aad_len %u, tag_len %u, dst_len %u",
			    name, op.flags, op.src_len, op.aad_len, op.tag_len,
			    op.dst_len);
}

/*
 * Every source length from 0 to 1 KiB and around MAX_DATA, both
 * directions, of every algorithm but AES-GCM.
 */
static void user_src_lengths(struct kunit *test)
{
	static const u32 big[] = { MAX_DATA - 17, MAX_DATA - 16, MAX_DATA - 1,
				   MAX_DATA };
	const struct user_alg *a;
	unsigned int i, j, d;
	u32 len, flags;
	int want;

	for (i = 0; i < ARRAY_SIZE(user_algs); i++) {
		a = &user_algs[i];
		if (a->alg == VCRYPT_ALG_AES_GCM)
			continue;
		for (d = 0; d < 2; d++) {
			flags = d ? VCRYPT_OP_DECRYPT : 0;
			for (len = 0; len <= 1024 + ARRAY_SIZE(big); len++) {
				u32 src_len = len <= 1024 ? len : big[len - 1025];

				if (d && a->digest)	/* hashes do not decrypt */
					want = -EINVAL;
				else
					want = user_src_ok(a->alg, src_len) ?
					       0 : -EINVAL;
				user_expect(test, user_op(a, flags, src_len),
					    want, MAX_DATA, a->name);
			}
			/* Above MAX_DATA, and at the end of the range */
			for (j = 0; j < 2 && !(d && a->digest); j++) {
				len = j ? 0xfffffff0 : MAX_DATA + 16;
				user_expect(test, user_op(a, flags, len), -E2BIG,
					    MAX_DATA, a->name);
			}
		}
	}
}

/*
 * AES-GCM: every tag length up to 32 and U32_MAX; every source length up
 * to 80 with every AAD length up to 2 past it, the valid tag lengths,
 * both directions.
 */
static void user_gcm_lengths(struct kunit *test)
{
	static const u32 tags[] = { 4, 8, 12, 13, 14, 15, 16 };
	const struct user_alg *gcm = &user_algs[3];
	struct vcrypt_uop op;
	u32 src, aad, tag, flags;
	unsigned int t, d;
	int want;

	KUNIT_ASSERT_EQ(test, gcm->alg, VCRYPT_ALG_AES_GCM);
	for (tag = 0; tag <= 33; tag++) {
		op = user_op(gcm, 0, 64);
		op.tag_len = tag == 33 ? U32_MAX : tag;
		op.dst_len = 64 + (user_tag_ok(op.tag_len) ? tag : 16);
		user_expect(test, op, user_tag_ok(op.tag_len) ? 0 : -EINVAL,
			    MAX_DATA, "aes-gcm");
	}

	for (d = 0; d < 2; d++) {
		flags = d ? VCRYPT_OP_DECRYPT : 0;
		for (src = 0; src <= 80; src++) {
			for (aad = 0; aad <= src + 2; aad++) {
				for (t = 0; t < ARRAY_SIZE(tags); t++) {
					tag = tags[t];
					op = user_op(gcm, flags, src);
					op.aad_len = aad;
					op.tag_len = tag;
					want = aad <= src &&
					       (!d || src >= aad + tag) ?
					       0 : -EINVAL;
					op.dst_len = want ? 200 :
						user_expected_out(gcm, flags,
								  src, tag);
					user_expect(test, op, want, MAX_DATA,
						    "aes-gcm");
				}
			}
		}
	}

	/* At MAX_DATA, and past it */
	op = user_op(gcm, 0, MAX_DATA);
	user_expect(test, op, 0, MAX_DATA, "aes-gcm");
	op.src_len = MAX_DATA + 1;
	op.dst_len = MAX_DATA + 17;
	user_expect(test, op, -E2BIG, MAX_DATA, "aes-gcm");
}

/*
 * aad_len + tag_len must not wrap around 2^32: with a source of 4 GiB - 1
 * (a card whose MAX_DATA allows it), an AAD of 4 GiB - 16 and a tag of 16
 * add up to more than the source.
 */
static void user_gcm_wrap(struct kunit *test)
{
	struct vcrypt_uop op = user_op(&user_algs[3], VCRYPT_OP_DECRYPT,
				       U32_MAX);

	op.aad_len = U32_MAX - 16;	/* aad + tag = src: allowed */
	op.dst_len = U32_MAX - 16;
	user_expect(test, op, 0, U32_MAX, "aes-gcm");
	op.aad_len = U32_MAX - 15;	/* one more: wraps to 0 in 32 bits */
	user_expect(test, op, -EINVAL, U32_MAX, "aes-gcm");
	op.aad_len = U32_MAX;
	op.tag_len = 4;
	user_expect(test, op, -EINVAL, U32_MAX, "aes-gcm");
}

/* IV lengths other than the algorithm's, AAD or tag outside AES-GCM */
static void user_iv_aad_tag(struct kunit *test)
{
	const struct user_alg *a;
	struct vcrypt_uop op;
	unsigned int i;
	u32 len;

	for (i = 0; i < ARRAY_SIZE(user_algs); i++) {
		a = &user_algs[i];
		for (len = 0; len <= 300; len++) {
			op = user_op(a, 0, 32);
			op.iv_len = len;
			user_expect(test, op, len == a->iv_len ? 0 : -EINVAL,
				    MAX_DATA, a->name);
		}
		if (a->alg == VCRYPT_ALG_AES_GCM)
			continue;
		op = user_op(a, 0, 32);
		op.aad_len = 16;
		user_expect(test, op, -EINVAL, MAX_DATA, a->name);
		op = user_op(a, 0, 32);
		op.tag_len = 16;
		op.dst_len += 16;
		user_expect(test, op, -EINVAL, MAX_DATA, a->name);
	}
}

/* Any flag but VCRYPT_OP_DECRYPT */
static void user_flags(struct kunit *test)
{
	const struct user_alg *a;
	unsigned int i, bit;

	for (i = 0; i < ARRAY_SIZE(user_algs); i++) {
		a = &user_algs[i];
		for (bit = 1; bit < 32; bit++)
			user_expect(test, user_op(a, BIT(bit), 32), -EINVAL,
				    MAX_DATA, a->name);
	}
}

static struct kunit_case user_cases[] = {
	KUNIT_CASE(user_check_alg),
	KUNIT_CASE(user_check_key),
	KUNIT_CASE(user_out_len),
	KUNIT_CASE(user_src_lengths),
	KUNIT_CASE(user_gcm_lengths),
	KUNIT_CASE(user_gcm_wrap),
	KUNIT_CASE(user_iv_aad_tag),
	KUNIT_CASE(user_flags),
	{}
};

static struct kunit_suite user_suite = {
	.name = "vcrypt_user",
	.test_cases = user_cases,
};

kunit_test_suite(user_suite);
