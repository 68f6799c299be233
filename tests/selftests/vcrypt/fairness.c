// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler shares the card by weight, in card time. Four slices with
 * weights 1:2:3:4 (and 100:200:300:400) are kept backlogged, each by two
 * files with 64 requests of 4 KiB to 64 KiB outstanding; after a warm-up,
 * the growth of each slice's card_time_ns over a window of 3 s must give
 * it 10, 20, 30 and 40 % of the card, within 5 points. With only the first
 * and the last slice busy, they share the whole card 1:4 (20 and 80 %),
 * and the card is busy at least 80 % of the time (in the best of three
 * windows), by its own busy counter (debugfs) and by the slices' card
 * time, which agree.
 *
 * The card is the bottleneck: at its default rates (20000 requests and
 * 100 MB/s per second) these requests take 90 us to 700 us each.
 */
#include "vcrypt_load.h"
#include "kselftest_harness.h"

#define SLICES		4
#define FILES		2
#define DEPTH		64
#define WARMUP_MS	1000
#define WINDOW_MS	3000
#define TOLERANCE	5.0
#define MIN_BUSY	80.0

FIXTURE(fair) {
	struct vs_card card;
	unsigned int old_slices;
	unsigned int n;
	struct vl_cases cases;
	struct vl_file files[SLICES * FILES];
};

FIXTURE_VARIANT(fair) {
	__u64 weight[SLICES];
};

FIXTURE_VARIANT_ADD(fair, w1_2_3_4) {
	.weight = { 1, 2, 3, 4 },
};

FIXTURE_VARIANT_ADD(fair, w100_200_300_400) {
	.weight = { 100, 200, 300, 400 },
};

FIXTURE_SETUP(fair)
{
	unsigned int s;

	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, SLICES, &self->old_slices));
	ASSERT_EQ(0, vs_get_slices(&self->card, &self->n));
	ASSERT_EQ(0, vl_cases_sizes(&self->cases, 0));
	for (s = 0; s < SLICES; s++)
		ASSERT_EQ(0, vs_set_weight(&self->card, s, variant->weight[s]));
}

FIXTURE_TEARDOWN(fair)
{
	unsigned int s;

	for (s = 0; s < self->n; s++)
		vs_set_weight(&self->card, s, VS_WEIGHT_DEFAULT);
	if (self->old_slices < SLICES)
		vs_set_slices(&self->card, self->old_slices);
}

struct sample {
	long long t;
	__u64 card_time[VS_SLICES_MAX];
	/* requests of slices 0..SLICES-1 waiting in the driver, on the card */
	__u64 queued;
	__u64 in_flight;
	__u64 busy;
	bool have_busy;
};

static int take(struct vs_card *c, unsigned int n, struct sample *sm)
{
	unsigned int s;
	int ret;

	sm->t = vs_now_ns();
	for (s = 0; s < n; s++) {
		ret = vs_attr(c, s, "card_time_ns", &sm->card_time[s]);
		if (ret)
			return ret;
	}
	sm->queued = 0;
	sm->in_flight = 0;
	for (s = 0; s < SLICES; s++) {
		sm->queued += vs_attr_val(c, s, "queued");
		sm->in_flight += vs_attr_val(c, s, "in_flight");
	}
	sm->have_busy = !vs_card_stat(c, "card_busy_ns", &sm->busy);
	return 0;
}

/*
 * Keep the slices of @mask backlogged and take @ns samples, WINDOW_MS
 * apart, after the warm-up.
 */
static void measure(struct __test_metadata *_metadata, struct vs_card *card,
		    unsigned int n, struct vl_file *files,
		    const struct vl_cases *cases, unsigned int mask,
		    struct sample *sm, unsigned int ns)
{
	struct timespec deadline;
	struct vl_file *f;
	unsigned int i, k = 0;

	for (i = 0; i < SLICES * FILES; i++) {
		if (!(mask & 1u << (i % SLICES)))
			continue;
		f = &files[k++];
		memset(f, 0, sizeof(*f));
		f->card = card;
		f->slice = i % SLICES;
		f->depth = DEPTH;
		f->cases = cases;
		f->seed = i + 1;
		ASSERT_EQ(0, vl_start(f)) TH_LOG("%s", f->err);
	}
	vs_sleep_ms(WARMUP_MS);
	for (i = 0; i < ns; i++) {
		if (i)
			vs_sleep_ms(WINDOW_MS);
		ASSERT_EQ(0, take(card, n, &sm[i]));
	}
	for (i = 0; i < k; i++)
		vl_stop(&files[i]);
	deadline = vl_deadline(3 * VS_TIMEOUT_MS);
	for (i = 0; i < k; i++) {
		f = &files[i];
		ASSERT_EQ(0, vl_join(f, &deadline))
			TH_LOG("a file of slice %u hangs", f->slice);
		EXPECT_FALSE(f->failed) TH_LOG("%s", f->err);
		EXPECT_EQ(f->submitted, f->completed);
		vl_close(f);
	}
}

/* @share within TOLERANCE points of @want */
static bool near(double share, double want)
{
	return share - want <= TOLERANCE && want - share <= TOLERANCE;
}

static __u64 card_total(const struct sample *a, const struct sample *b,
			unsigned int n)
{
	__u64 sum = 0;
	unsigned int s;

	for (s = 0; s < n; s++)
		sum += b->card_time[s] - a->card_time[s];
	return sum;
}

TEST_F_TIMEOUT(fair, weighted_shares, 120)
{
	struct sample sm[2], a, b;
	__u64 total, wsum = 0;
	double share, want;
	unsigned int s;

	measure(_metadata, &self->card, self->n, self->files, &self->cases,
		(1u << SLICES) - 1, sm, 2);
	a = sm[0];
	b = sm[1];
	total = card_total(&a, &b, self->n);
	ASSERT_LT(0, total) TH_LOG("no card time charged");
	for (s = 0; s < SLICES; s++)
		wsum += variant->weight[s];
	for (s = 0; s < SLICES; s++) {
		share = 100.0 * (b.card_time[s] - a.card_time[s]) / total;
		want = 100.0 * variant->weight[s] / wsum;
		TH_LOG("slice %u weight %llu: %.1f %% of the card (%.1f %% due)",
		       s, variant->weight[s], share, want);
		EXPECT_TRUE(near(share, want))
			TH_LOG("slice %u: %.1f %% is not within %.0f points of %.1f %%",
			       s, share, TOLERANCE, want);
	}
	TH_LOG("card time charged: %.1f %% of %lld ms", 100.0 * total /
	       (b.t - a.t), (b.t - a.t) / 1000000);
}

/*
 * Only slices 0 and 3 busy, with requests of 32 and 64 KiB: they share the
 * whole card by their weights, over three windows, and the card is busy
 * at least MIN_BUSY % of the time in one window at least (another guest or
 * build on the host can hold up this guest's threads for a while, and the
 * card with them). The requests waiting in the driver at the end of each
 * window tell the two apart: an idle card with requests queued is the
 * scheduler's fault, with none queued the feeding threads were too slow.
 */
TEST_F_TIMEOUT(fair, work_conserving, 120)
{
	const unsigned int hi = SLICES - 1, nw = 3;
	double share0, share3, want0, busy, charged;
	double best_busy = 0, best_charged = 0;
	struct sample sm[4], *a, *b;
	struct vl_cases large;
	__u64 total, wall;
	unsigned int w;

	/* 32 and 64 KiB: less work for the guest per second of the card */
	ASSERT_EQ(0, vl_cases_sizes(&large, 3));
	measure(_metadata, &self->card, self->n, self->files, &large,
		1u << 0 | 1u << hi, sm, nw + 1);
	a = &sm[0];
	b = &sm[nw];
	total = card_total(a, b, self->n);
	ASSERT_LT(0, total) TH_LOG("no card time charged");
	share0 = 100.0 * (b->card_time[0] - a->card_time[0]) / total;
	share3 = 100.0 * (b->card_time[hi] - a->card_time[hi]) / total;
	want0 = 100.0 * variant->weight[0] /
		(variant->weight[0] + variant->weight[hi]);
	TH_LOG("slice 0: %.1f %%, slice %u: %.1f %% (%.1f and %.1f due)",
	       share0, hi, share3, want0, 100.0 - want0);
	EXPECT_TRUE(near(share0, want0))
		TH_LOG("slice 0: %.1f %% is not within %.0f points of %.1f %%",
		       share0, TOLERANCE, want0);
	EXPECT_TRUE(near(share3, 100.0 - want0))
		TH_LOG("slice %u: %.1f %% is not within %.0f points of %.1f %%",
		       hi, share3, TOLERANCE, 100.0 - want0);

	for (w = 0; w < nw; w++) {
		a = &sm[w];
		b = &sm[w + 1];
		wall = b->t - a->t;
		charged = 100.0 * card_total(a, b, self->n) / wall;
		if (charged > best_charged)
			best_charged = charged;
		TH_LOG("window %u: %.1f %% of %llu ms charged; then %llu queued, %llu on the card",
		       w, charged, wall / 1000000, b->queued, b->in_flight);
		if (!a->have_busy || !b->have_busy)
			continue;
		busy = 100.0 * (b->busy - a->busy) / wall;
		if (busy > best_busy)
			best_busy = busy;
		TH_LOG("window %u: card busy (its own counter): %.1f %%", w,
		       busy);
		/* what the slices are charged is what the card did */
		EXPECT_TRUE(charged - busy <= 5.0 && busy - charged <= 5.0)
			TH_LOG("window %u: charged %.1f %% but busy %.1f %%", w,
			       charged, busy);
	}
	EXPECT_TRUE(best_charged >= MIN_BUSY)
		TH_LOG("card time charged at most %.1f %% < %.0f %%",
		       best_charged, MIN_BUSY);
	if (sm[0].have_busy) {
		EXPECT_TRUE(best_busy >= MIN_BUSY)
			TH_LOG("card busy at most %.1f %% < %.0f %%", best_busy,
			       MIN_BUSY);
	} else {
		TH_LOG("no card_busy_ns in the card's debugfs stats");
	}
}

TEST_HARNESS_MAIN
