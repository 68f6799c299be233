// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers through the slices, on every slice of the card (at least
 * four): each published vector of vcrypt_slice.h (AES-CBC, AES-CTR,
 * AES-XTS, AES-GCM, SHA-256, SHA-512, HMAC-SHA-256, both directions)
 * through VCRYPT_IOC_OP, with the next IV written back for CBC and CTR,
 * and through VCRYPT_IOC_SUBMIT and read(2), as one batch per slice and on
 * all slices at once, with the IV left alone.
 */
#include "vcrypt_slice.h"
#include "kselftest_harness.h"

#define MIN_SLICES	4
#define NKATS		ARRAY_SIZE(vs_kats)

FIXTURE(kat) {
	struct vs_card card;
	unsigned int old_slices;
	unsigned int n;
};

FIXTURE_SETUP(kat)
{
	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, MIN_SLICES,
				    &self->old_slices));
	ASSERT_EQ(0, vs_get_slices(&self->card, &self->n));
}

FIXTURE_TEARDOWN(kat)
{
	if (self->old_slices < MIN_SLICES)
		vs_set_slices(&self->card, self->old_slices);
}

TEST_F(kat, op_every_slice)
{
	struct vcrypt_info info;
	struct vs_kat_buf b;
	struct vcrypt_op op;
	unsigned int s, i;
	int fd;

	for (s = 0; s < self->n; s++) {
		fd = vs_open(&self->card, s, 0);
		ASSERT_LE(0, fd) TH_LOG("slice %u: %s", s, strerror(-fd));
		ASSERT_EQ(0, vs_info(fd, &info));
		EXPECT_EQ(self->card.base + s, info.slice);
		for (i = 0; i < NKATS; i++) {
			vs_kat_op(&vs_kats[i], &b, &op);
			ASSERT_EQ(0, vs_ioctl(fd, VCRYPT_IOC_OP, &op))
				TH_LOG("slice %u: %s", s, vs_kats[i].name);
			EXPECT_EQ(NULL, vs_kat_check(&vs_kats[i], &b,
						     op.out_len, true))
				TH_LOG("slice %u: %s", s, vs_kats[i].name);
		}
		close(fd);
	}
}

/* One file with a session and a request per known answer */
struct kat_file {
	int fd;
	__u32 handle[NKATS];
	struct vs_kat_buf b[NKATS];
	struct vcrypt_request r[NKATS];
	struct vcrypt_completion c[NKATS + 1];
};

static void kat_file_submit(struct __test_metadata *_metadata,
			    struct vs_card *card, unsigned int s,
			    struct kat_file *kf)
{
	struct vcrypt_info info;
	unsigned int i, queued = 0;
	__u32 done, cnt;

	kf->fd = vs_open(card, s, 0);
	ASSERT_LE(0, kf->fd) TH_LOG("slice %u: %s", s, strerror(-kf->fd));
	ASSERT_EQ(0, vs_info(kf->fd, &info));
	for (i = 0; i < NKATS; i++) {
		ASSERT_EQ(0, vs_session(kf->fd, vs_kats[i].alg,
					vs_kats[i].key.p, vs_kats[i].key.len,
					&kf->handle[i]))
			TH_LOG("slice %u: %s", s, vs_kats[i].name);
		/* tags that cannot be mistaken for an index alone */
		vs_kat_req(&vs_kats[i], &kf->b[i], kf->handle[i],
			   0xc0de000000000000ull | (__u64)s << 16 | i,
			   &kf->r[i]);
	}
	while (queued < NKATS) {
		cnt = NKATS - queued;
		if (cnt > info.max_batch)
			cnt = info.max_batch;
		ASSERT_EQ(0, vs_submit(kf->fd, kf->r + queued, cnt, &done))
			TH_LOG("slice %u", s);
		ASSERT_EQ(cnt, done);
		queued += done;
	}
}

static void kat_file_check(struct __test_metadata *_metadata, unsigned int s,
			   struct kat_file *kf)
{
	bool seen[NKATS] = { false };
	unsigned int i, k;
	__u64 tag;

	ASSERT_EQ(NKATS, vs_read_all(kf->fd, kf->c, NKATS))
		TH_LOG("slice %u", s);
	EXPECT_TRUE(vs_quiet(kf->fd)) TH_LOG("slice %u: extra completion", s);
	for (i = 0; i < NKATS; i++) {
		tag = kf->c[i].tag;
		k = tag & 0xffff;
		ASSERT_EQ(0xc0de000000000000ull | (__u64)s << 16 | k, tag)
			TH_LOG("slice %u: unknown tag %#llx", s, tag);
		ASSERT_GT(NKATS, k);
		EXPECT_FALSE(seen[k]) TH_LOG("slice %u: %s completed twice",
					     s, vs_kats[k].name);
		seen[k] = true;
		EXPECT_EQ(0, kf->c[i].status)
			TH_LOG("slice %u: %s", s, vs_kats[k].name);
		EXPECT_EQ(NULL, vs_kat_check(&vs_kats[k], &kf->b[k],
					     kf->c[i].out_len, false))
			TH_LOG("slice %u: %s", s, vs_kats[k].name);
	}
	for (i = 0; i < NKATS; i++)
		EXPECT_EQ(0, vs_session_free(kf->fd, kf->handle[i]));
	close(kf->fd);
}

TEST_F(kat, submit_every_slice)
{
	struct kat_file *kf = calloc(1, sizeof(*kf));
	unsigned int s;

	ASSERT_NE(NULL, kf);
	for (s = 0; s < self->n; s++) {
		kat_file_submit(_metadata, &self->card, s, kf);
		kat_file_check(_metadata, s, kf);
	}
	free(kf);
}

/* Every slice has a batch queued before any completion is read. */
TEST_F(kat, submit_all_slices_at_once)
{
	struct kat_file *kf = calloc(self->n, sizeof(*kf));
	unsigned int s;

	ASSERT_NE(NULL, kf);
	for (s = 0; s < self->n; s++)
		kat_file_submit(_metadata, &self->card, s, &kf[s]);
	for (s = self->n; s-- > 0;)
		kat_file_check(_metadata, s, &kf[s]);
	free(kf);
}

/* Three files of one slice: each reads its own completions only. */
TEST_F(kat, files_of_one_slice)
{
	struct kat_file *kf = calloc(3, sizeof(*kf));
	unsigned int i;

	ASSERT_NE(NULL, kf);
	for (i = 0; i < 3; i++)
		kat_file_submit(_metadata, &self->card, 1, &kf[i]);
	for (i = 0; i < 3; i++)
		kat_file_check(_metadata, 1, &kf[i]);
	free(kf);
}

TEST_HARNESS_MAIN
