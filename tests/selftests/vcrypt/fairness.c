// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler shares the card by weight, in card time. Four slices with
 * weights 1:2:3:4 (and 100:200:300:400), each with files that keep 64
 * requests of 64 KiB outstanding, get 10, 20, 30 and 40 % of the card
 * within 5 points; with only the first and the last slice busy, they
 * share the whole card 1:4 (20 and 80 %), and the card is busy at least
 * 80 % of the time, by its own busy counter (debugfs) and by the slices'
 * card time, which agree but for what is on the card when they are read.
 *
 * The backlog the shares need is made, not hoped for: the scheduler's
 * dispatch is held back (debugfs "paused") until every file's requests
 * wait in their slice, then resumed, and the window closes when the card
 * has served a fixed amount of card time, less than any slice had queued
 * before the resume. So every slice stays backlogged through the window
 * however slowly the guest feeds it; the test checks that this held.
 * Time limits are hang bounds only. With sched=fifo this test fails, as it
 * should.
 */
#include "vcrypt_load.h"
#include "kselftest_harness.h"

#define SLICES		4
#define FILES_MAX	4
#define DEPTH		64
/* Card time a window lasts */
#define WINDOW_NS	(150 * 1000000ULL)
/*
 * work_conserving's window: the card holds up to INFLIGHT_US of requests,
 * which come back in lumps that long; over four times the window they
 * move a share by a few points at most
 */
#define WIDE_WINDOW_NS	(4 * WINDOW_NS)
/* The cost model's error allowed: 1/COST_ERROR of the card's busy time */
#define COST_ERROR	10
/* Bound of the wait for a window or a backlog: a hang, not a speed */
#define HANG_MS		60000
#define TOLERANCE	5.0
#define MIN_BUSY	80.0
/* work_conserving: card time kept on the card, us (default 5000) */
#define INFLIGHT_US	20000

/* The card, its slices, and the files that load them */
struct fair_env {
	struct vs_card card;
	unsigned int old_slices;
	unsigned int n;
	__u64 old_inflight;
	__u64 job_ns;		/* card time of one request */
	struct vl_cases cases;
	struct vl_file files[SLICES * FILES_MAX];
	unsigned int nfiles;
	unsigned int dry;	/* slices with nothing queued at a sample */
};

FIXTURE(fair) {
	struct fair_env e;
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

static int inflight_path(struct vs_card *c, char *path, size_t len)
{
	return snprintf(path, len, "%s/inflight_us", c->dir) < (int)len ?
	       0 : -ENAMETOOLONG;
}

FIXTURE_SETUP(fair)
{
	char path[VT_PATH_MAX + 16];
	__u64 ops = 0, bytes = 0;
	unsigned int s;

	ASSERT_EQ(0, vs_card_open(&self->e.card))
		TH_LOG("no vcrypt card with %s/slices", self->e.card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->e.card, SLICES, &self->e.old_slices));
	ASSERT_EQ(0, vs_get_slices(&self->e.card, &self->e.n));
	/* 64 KiB only: 690 us of card time each at the default rates */
	ASSERT_EQ(0, vl_cases_sizes(&self->e.cases, 4));
	ASSERT_EQ(0, inflight_path(&self->e.card, path, sizeof(path)));
	ASSERT_EQ(0, vs_read_u64(path, &self->e.old_inflight));
	ASSERT_EQ(0, vs_card_stat(&self->e.card, "card_rate_ops", &ops));
	ASSERT_EQ(0, vs_card_stat(&self->e.card, "card_rate_bytes", &bytes));
	self->e.job_ns = vs_card_time(ops, bytes, 64 * 1024);
	ASSERT_LT(0, self->e.job_ns) TH_LOG("the card has no rate limit");
	for (s = 0; s < SLICES; s++)
		ASSERT_EQ(0, vs_set_weight(&self->e.card, s, variant->weight[s]));
}

FIXTURE_TEARDOWN(fair)
{
	char path[VT_PATH_MAX + 16];
	struct timespec deadline;
	unsigned int s, i;

	vs_pause(&self->e.card, false);
	for (i = 0; i < self->e.nfiles; i++)
		vl_stop(&self->e.files[i]);
	deadline = vl_deadline(HANG_MS);
	for (i = 0; i < self->e.nfiles; i++) {
		vl_join(&self->e.files[i], &deadline);
		vl_close(&self->e.files[i]);
	}
	if (!inflight_path(&self->e.card, path, sizeof(path)) &&
	    self->e.old_inflight)
		vs_write_u64(path, self->e.old_inflight);
	for (s = 0; s < self->e.n; s++)
		vs_set_weight(&self->e.card, s, VS_WEIGHT_DEFAULT);
	if (self->e.old_slices < SLICES)
		vs_set_slices(&self->e.card, self->e.old_slices);
}

struct sample {
	long long t;
	__u64 card_time[VS_SLICES_MAX];
	__u64 queued[VS_SLICES_MAX];
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
		if (!ret)
			ret = vs_attr(c, s, "queued", &sm->queued[s]);
		if (ret)
			return ret;
	}
	sm->have_busy = !vs_card_stat(c, "card_busy_ns", &sm->busy);
	return 0;
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

/*
 * With the dispatch held back, start @files files on each slice of @mask
 * and wait until all their requests wait in the slices; then the first
 * sample, the resume, and the second sample once the card served
 * @window_ns of card time. Requests keep coming meanwhile. Every sample
 * reads the slices' queued requests: a slice of @mask with none at a
 * sample is set in e->dry, it may have run dry.
 */
static void window(struct __test_metadata *_metadata, struct fair_env *e,
		   unsigned int mask, unsigned int files, __u64 window_ns,
		   struct sample *a, struct sample *b)
{
	long long end;
	struct vl_file *f;
	unsigned int i, s;
	__u64 q;

	ASSERT_EQ(0, vs_pause(&e->card, true));
	for (i = 0; i < SLICES * files; i++) {
		if (!(mask & 1u << (i % SLICES)))
			continue;
		f = &e->files[e->nfiles++];
		memset(f, 0, sizeof(*f));
		f->card = &e->card;
		f->slice = i % SLICES;
		f->depth = DEPTH;
		f->cases = &e->cases;
		f->seed = i + 1;
		ASSERT_EQ(0, vl_start(f)) TH_LOG("%s", f->err);
	}
	for (s = 0; s < SLICES; s++) {
		if (!(mask & 1u << s))
			continue;
		ASSERT_EQ(0, vs_wait_attr(&e->card, s, "queued",
					  files * DEPTH, &q))
			TH_LOG("slice %u: %llu of %u requests queued", s, q,
			       files * DEPTH);
	}
	ASSERT_EQ(0, take(&e->card, e->n, a));
	ASSERT_EQ(0, vs_pause(&e->card, false));
	e->dry = 0;
	end = vs_now_ns() + HANG_MS * 1000000LL;
	do {
		vs_sleep_ms(5);
		ASSERT_EQ(0, take(&e->card, e->n, b));
		for (s = 0; s < SLICES; s++)
			if (mask & 1u << s && !b->queued[s])
				e->dry |= 1u << s;
		ASSERT_GT(end, b->t) TH_LOG("the card served %llu ns in %d ms",
					    card_total(a, b, e->n),
					    HANG_MS);
	} while (card_total(a, b, e->n) < window_ns);
	for (i = 0; i < e->nfiles; i++)
		EXPECT_FALSE(e->files[i].failed)
			TH_LOG("%s", e->files[i].err);
}

/* @share within TOLERANCE points of @want */
static bool near(double share, double want)
{
	return share - want <= TOLERANCE && want - share <= TOLERANCE;
}

/*
 * Slice @s was backlogged through the window: it had requests queued at
 * every sample (the files refill it as their requests complete).
 */
static void expect_backlogged(struct __test_metadata *_metadata,
			      const struct fair_env *e, unsigned int s)
{
	EXPECT_FALSE(e->dry & 1u << s)
		TH_LOG("slice %u may have run dry: nothing queued at a sample",
		       s);
}

TEST_F_TIMEOUT(fair, weighted_shares, 180)
{
	const unsigned int files = 2;
	struct sample a, b;
	__u64 total, wsum = 0;
	double share, want;
	unsigned int s;

	window(_metadata, &self->e, (1u << SLICES) - 1, files, WINDOW_NS,
	       &a, &b);
	total = card_total(&a, &b, self->e.n);
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
		expect_backlogged(_metadata, &self->e, s);
	}
	TH_LOG("%llu ms of card time in %lld ms", total / 1000000,
	       (b.t - a.t) / 1000000);
}

/*
 * Only slices 0 and 3 busy: they share the whole card by their weights,
 * and the card is busy at least MIN_BUSY % of the window. Its in-flight
 * budget is raised to INFLIGHT_US for the test, so that the scheduler
 * thread keeps it busy through the pauses an emulated guest on a loaded
 * host has.
 */
TEST_F_TIMEOUT(fair, work_conserving, 180)
{
	const unsigned int hi = SLICES - 1, files = 4;
	char path[VT_PATH_MAX + 16];
	double share0, share3, want0, busy, charged;
	struct sample a, b;
	__u64 total, wall, busy_ns, diff;

	ASSERT_EQ(0, inflight_path(&self->e.card, path, sizeof(path)));
	ASSERT_EQ(0, vs_write_u64(path, INFLIGHT_US));
	window(_metadata, &self->e, 1u << 0 | 1u << hi, files, WIDE_WINDOW_NS,
	       &a, &b);
	total = card_total(&a, &b, self->e.n);
	share0 = 100.0 * (b.card_time[0] - a.card_time[0]) / total;
	share3 = 100.0 * (b.card_time[hi] - a.card_time[hi]) / total;
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
	expect_backlogged(_metadata, &self->e, 0);
	expect_backlogged(_metadata, &self->e, hi);

	wall = b.t - a.t;
	charged = 100.0 * total / wall;
	TH_LOG("%.1f %% of %llu ms charged", charged, wall / 1000000);
	EXPECT_TRUE(charged >= MIN_BUSY)
		TH_LOG("card time charged %.1f %% < %.0f %%", charged,
		       MIN_BUSY);
	ASSERT_TRUE(a.have_busy && b.have_busy)
		TH_LOG("no card_busy_ns in the card's debugfs stats");
	busy_ns = b.busy - a.busy;
	busy = 100.0 * busy_ns / wall;
	TH_LOG("card busy (its own counter): %.1f %%", busy);
	/*
	 * What the slices are charged is what the card did, but for the
	 * requests on the card at either sample, which one counter may have
	 * counted and the other not yet (at most the in-flight budget at
	 * each of the two samples), and the error of the scheduler's cost
	 * model, which predicts a request's card time from the card's rates
	 * (COST_ERROR of the card's busy time).
	 */
	diff = total > busy_ns ? total - busy_ns : busy_ns - total;
	EXPECT_GE(2 * INFLIGHT_US * 1000ULL + busy_ns / COST_ERROR, diff)
		TH_LOG("charged %llu ns, busy %llu ns: too far apart",
		       total, busy_ns);
	EXPECT_TRUE(busy >= MIN_BUSY)
		TH_LOG("card busy %.1f %% < %.0f %%", busy, MIN_BUSY);
}

TEST_HARNESS_MAIN
