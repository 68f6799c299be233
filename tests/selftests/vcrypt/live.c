// SPDX-License-Identifier: GPL-2.0
/*
 * Changes under load: four slices stay busy (two files each, every result
 * checked, see vcrypt_load.h) while their weights change every 20 ms, and
 * while two more slices are added, loaded, reweighted and removed again,
 * five times. The removed slices' files end with ENODEV and nothing else;
 * no call hangs; the surviving slices see no error and every request they
 * submitted completes, as their sysfs counters agree.
 */
#include "vcrypt_load.h"
#include "kselftest_harness.h"

#define SURVIVORS	4
#define DOOMED		2
#define FILES		2
#define DEPTH		16
#define CHURN_MS	3000
#define CYCLES		5

FIXTURE(live) {
	struct vs_card card;
	unsigned int old_slices;
	unsigned int n;
	struct vl_cases cases;
	struct vl_file surv[SURVIVORS * FILES];
	struct vl_file doomed[DOOMED * FILES];
};

FIXTURE_SETUP(live)
{
	char why[256] = "";

	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, SURVIVORS, &self->old_slices));
	ASSERT_EQ(0, vs_get_slices(&self->card, &self->n));
	ASSERT_GE(VS_SLICES_MAX, self->n + DOOMED);
	ASSERT_EQ(0, vl_cases_init(&self->cases, true, why, sizeof(why)))
		TH_LOG("%s", why);
}

FIXTURE_TEARDOWN(live)
{
	unsigned int s;

	vs_set_slices(&self->card, self->n);
	for (s = 0; s < self->n; s++)
		vs_set_weight(&self->card, s, VS_WEIGHT_DEFAULT);
	if (self->old_slices < SURVIVORS)
		vs_set_slices(&self->card, self->old_slices);
}

static int start_files(struct vl_file *files, unsigned int count,
		       struct vs_card *card, unsigned int first_slice,
		       unsigned int nslices, const struct vl_cases *cases,
		       bool doomed, unsigned int seed)
{
	struct vl_file *f;
	unsigned int i;

	for (i = 0; i < count; i++) {
		f = &files[i];
		memset(f, 0, sizeof(*f));
		f->card = card;
		f->slice = first_slice + i % nslices;
		f->depth = DEPTH;
		f->big_pct = 20;
		f->verify = true;
		f->tolerate_enodev = doomed;
		f->cases = cases;
		f->seed = seed + i;
		if (vl_start(f))
			return -1;
	}
	return 0;
}

/* Set random weights on slices @first.. for @ms, every 20 ms */
static int churn(struct vs_card *card, unsigned int first, unsigned int n,
		 unsigned int ms, unsigned int *seed)
{
	long long end = vs_now_ns() + ms * 1000000LL;
	unsigned int s;
	__u64 w;
	int ret;

	while (vs_now_ns() < end) {
		s = first + vl_rand(seed) % n;
		w = 1 + vl_rand(seed) % VS_WEIGHT_MAX;
		ret = vs_set_weight(card, s, w);
		if (ret)
			return ret;
		if (vs_attr_val(card, s, "weight") != w)
			return -EIO;
		vs_sleep_ms(20);
	}
	return 0;
}

TEST_F_TIMEOUT(live, weights_and_slices_under_load, 300)
{
	__u64 ops0[SURVIVORS], err0[SURVIVORS];
	unsigned long done[SURVIVORS] = { 0 }, gone = 0, kept = 0;
	unsigned int seed = 12345, c, i, s;
	struct timespec deadline;
	struct vl_file *f;
	char path[64];

	for (s = 0; s < SURVIVORS; s++) {
		ASSERT_EQ(0, vs_attr(&self->card, s, "completed_ops", &ops0[s]));
		ASSERT_EQ(0, vs_attr(&self->card, s, "errors", &err0[s]));
	}
	ASSERT_EQ(0, start_files(self->surv, SURVIVORS * FILES, &self->card,
				 0, SURVIVORS, &self->cases, false, 1))
		TH_LOG("%s", self->surv[0].err);

	/* weights change while every slice is busy */
	ASSERT_EQ(0, churn(&self->card, 0, SURVIVORS, CHURN_MS, &seed));

	/*
	 * Slices come and go while busy: they work for 200 ms with the
	 * same weight as the others, then all weights change for 300 ms
	 * (which may starve them), then they are removed.
	 */
	for (c = 0; c < CYCLES; c++) {
		for (s = 0; s < SURVIVORS; s++)
			ASSERT_EQ(0, vs_set_weight(&self->card, s,
						   VS_WEIGHT_DEFAULT));
		ASSERT_EQ(0, vs_set_slices(&self->card, self->n + DOOMED));
		ASSERT_EQ(0, start_files(self->doomed, DOOMED * FILES,
					 &self->card, self->n, DOOMED,
					 &self->cases, true, 100 * (c + 1)))
			TH_LOG("cycle %u: %s", c, self->doomed[0].err);
		vs_sleep_ms(200);
		ASSERT_EQ(0, churn(&self->card, 0, self->n + DOOMED, 300,
				   &seed));
		ASSERT_EQ(0, vs_set_slices(&self->card, self->n));
		deadline = vl_deadline(VS_TIMEOUT_MS);
		for (i = 0; i < DOOMED * FILES; i++) {
			f = &self->doomed[i];
			ASSERT_EQ(0, vl_join(f, &deadline))
				TH_LOG("cycle %u: a file of removed slice %u hangs",
				       c, f->slice);
			EXPECT_FALSE(f->failed)
				TH_LOG("cycle %u: %s", c, f->err);
			EXPECT_TRUE(f->enodev)
				TH_LOG("cycle %u: slice %u ended without ENODEV",
				       c, f->slice);
			EXPECT_LT(0, f->completed)
				TH_LOG("cycle %u: slice %u completed nothing",
				       c, f->slice);
			gone += f->completed;
			vl_close(f);
		}
		for (s = self->n; s < self->n + DOOMED; s++) {
			vs_node_path(&self->card, s, path, sizeof(path));
			EXPECT_EQ(0, vs_wait_path(path, false, 1000))
				TH_LOG("%s still there", path);
		}
		for (i = 0; i < SURVIVORS * FILES; i++)
			ASSERT_FALSE(self->surv[i].failed)
				TH_LOG("cycle %u: %s", c, self->surv[i].err);
	}

	ASSERT_EQ(0, churn(&self->card, 0, SURVIVORS, 500, &seed));
	for (i = 0; i < SURVIVORS * FILES; i++)
		vl_stop(&self->surv[i]);
	deadline = vl_deadline(3 * VS_TIMEOUT_MS);
	for (i = 0; i < SURVIVORS * FILES; i++) {
		f = &self->surv[i];
		ASSERT_EQ(0, vl_join(f, &deadline))
			TH_LOG("a file of slice %u hangs", f->slice);
		EXPECT_FALSE(f->failed) TH_LOG("%s", f->err);
		EXPECT_FALSE(f->enodev);
		EXPECT_EQ(f->submitted, f->completed)
			TH_LOG("slice %u: %lu submitted, %lu completed",
			       f->slice, f->submitted, f->completed);
		EXPECT_LT(0, f->completed);
		done[f->slice] += f->completed;
		kept += f->completed;
		vl_close(f);
	}
	TH_LOG("%lu requests on the four slices, %lu on removed slices before their removal",
	       kept, gone);
	for (s = 0; s < SURVIVORS; s++) {
		EXPECT_EQ(ops0[s] + done[s],
			  vs_attr_val(&self->card, s, "completed_ops"))
			TH_LOG("slice %u", s);
		EXPECT_EQ(err0[s], vs_attr_val(&self->card, s, "errors"));
		EXPECT_EQ(0, vs_attr_val(&self->card, s, "queued"));
		EXPECT_EQ(0, vs_attr_val(&self->card, s, "in_flight"));
		EXPECT_EQ(0, vs_attr_val(&self->card, s, "open_files"));
	}
}

TEST_HARNESS_MAIN
