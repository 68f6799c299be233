// SPDX-License-Identifier: GPL-2.0
/*
 * Many threads on many files on several slices at once: 4 slices, 4 files
 * each, every file driven by a submitting and a reading thread with up to
 * 32 requests outstanding, plus one thread per slice running synchronous
 * VCRYPT_IOC_OP calls; 16000 asynchronous requests of every algorithm,
 * from 3 bytes to 64 KiB. Every result is checked (see vcrypt_load.h);
 * every completion arrives once; the slices' counters add up.
 */
#include "vcrypt_load.h"
#include "kselftest_harness.h"

#define SLICES		4
#define FILES		4
#define PER_FILE	1000
#define DEPTH		32
#define OPS_PER_SLICE	100
#define DEADLINE_MS	240000

struct op_worker {
	struct vs_card *card;
	unsigned int slice;
	const struct vl_cases *cases;
	pthread_t th;
	unsigned int done;
	unsigned long long bytes;
	bool failed;
	char err[256];
};

/* Synchronous operations on a file of its own, each result checked */
static void *op_worker(void *arg)
{
	struct op_worker *w = arg;
	unsigned int seed = 77 + w->slice, i;
	const struct vl_case *c;
	struct vcrypt_op op;
	__u8 iv[16], *dst;
	int fd, ret;

	dst = malloc(VL_DST_MAX);
	fd = vs_open(w->card, w->slice, 0);
	if (!dst || fd < 0) {
		snprintf(w->err, sizeof(w->err), "slice %u: open: %s", w->slice,
			 strerror(-fd));
		w->failed = true;
		free(dst);
		return NULL;
	}
	for (i = 0; i < OPS_PER_SLICE; i++) {
		c = &w->cases->c[vl_rand(&seed) % w->cases->n];
		vl_op_fill(&op, c, iv, dst);
		ret = vs_ioctl(fd, VCRYPT_IOC_OP, &op);
		if (ret || op.out_len != c->out_len ||
		    vt_diff(dst, c->out, c->out_len) >= 0) {
			snprintf(w->err, sizeof(w->err),
				 "slice %u: VCRYPT_IOC_OP %s: %s", w->slice,
				 c->name, ret ? strerror(-ret) : "wrong result");
			w->failed = true;
			break;
		}
		w->done++;
		w->bytes += c->src_len;
	}
	close(fd);
	free(dst);
	return NULL;
}

FIXTURE(stress) {
	struct vs_card card;
	unsigned int old_slices;
	struct vl_cases cases;
	struct vl_file files[SLICES * FILES];
	struct op_worker ops[SLICES];
};

FIXTURE_SETUP(stress)
{
	char why[256] = "";

	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, SLICES, &self->old_slices));
	ASSERT_EQ(0, vl_cases_init(&self->cases, true, why, sizeof(why)))
		TH_LOG("%s", why);
}

FIXTURE_TEARDOWN(stress)
{
	if (self->old_slices < SLICES)
		vs_set_slices(&self->card, self->old_slices);
}

TEST_F_TIMEOUT(stress, slices_files_threads, 300)
{
	__u64 ops0[SLICES], bytes0[SLICES], err0[SLICES];
	unsigned long long bytes[SLICES] = { 0 };
	unsigned long long ops[SLICES] = { 0 };
	struct timespec deadline;
	struct vl_file *f;
	unsigned int i, s;
	long long t;

	for (s = 0; s < SLICES; s++) {
		ASSERT_EQ(0, vs_attr(&self->card, s, "completed_ops", &ops0[s]));
		ASSERT_EQ(0, vs_attr(&self->card, s, "completed_bytes",
				     &bytes0[s]));
		ASSERT_EQ(0, vs_attr(&self->card, s, "errors", &err0[s]));
	}

	t = vs_now_ns();
	for (i = 0; i < SLICES * FILES; i++) {
		f = &self->files[i];
		f->card = &self->card;
		f->slice = i % SLICES;
		f->depth = DEPTH;
		f->total = PER_FILE;
		f->big_pct = 20;
		f->verify = true;
		f->cases = &self->cases;
		f->seed = i + 1;
		ASSERT_EQ(0, vl_start(f)) TH_LOG("%s", f->err);
	}
	for (s = 0; s < SLICES; s++) {
		self->ops[s].card = &self->card;
		self->ops[s].slice = s;
		self->ops[s].cases = &self->cases;
		ASSERT_EQ(0, pthread_create(&self->ops[s].th, NULL, op_worker,
					    &self->ops[s]));
	}

	deadline = vl_deadline(DEADLINE_MS);
	for (s = 0; s < SLICES; s++)
		ASSERT_EQ(0, pthread_timedjoin_np(self->ops[s].th, NULL,
						  &deadline))
			TH_LOG("VCRYPT_IOC_OP thread of slice %u hangs", s);
	for (i = 0; i < SLICES * FILES; i++) {
		f = &self->files[i];
		ASSERT_EQ(0, vl_join(f, &deadline))
			TH_LOG("file %u (slice %u) hangs: %lu of %u completed",
			       i, f->slice, f->completed, PER_FILE);
	}
	t = vs_now_ns() - t;

	for (i = 0; i < SLICES * FILES; i++) {
		f = &self->files[i];
		EXPECT_FALSE(f->failed) TH_LOG("file %u: %s", i, f->err);
		EXPECT_EQ(PER_FILE, f->submitted) TH_LOG("file %u", i);
		EXPECT_EQ(PER_FILE, f->completed) TH_LOG("file %u", i);
		EXPECT_TRUE(vs_quiet(f->fd)) TH_LOG("file %u: extra completion", i);
		ops[f->slice] += f->completed;
		bytes[f->slice] += f->bytes;
		vl_close(f);
	}
	for (s = 0; s < SLICES; s++) {
		EXPECT_FALSE(self->ops[s].failed) TH_LOG("%s", self->ops[s].err);
		EXPECT_EQ(OPS_PER_SLICE, self->ops[s].done);
		ops[s] += self->ops[s].done;
		bytes[s] += self->ops[s].bytes;
	}
	TH_LOG("%u requests in %lld ms", SLICES * (FILES * PER_FILE +
						   OPS_PER_SLICE),
	       t / 1000000);

	/* every request of the slice counted once, none as an error */
	for (s = 0; s < SLICES; s++) {
		EXPECT_EQ(ops0[s] + ops[s],
			  vs_attr_val(&self->card, s, "completed_ops"))
			TH_LOG("slice %u", s);
		EXPECT_EQ(bytes0[s] + bytes[s],
			  vs_attr_val(&self->card, s, "completed_bytes"))
			TH_LOG("slice %u", s);
		EXPECT_EQ(err0[s], vs_attr_val(&self->card, s, "errors"));
		EXPECT_EQ(0, vs_attr_val(&self->card, s, "queued"));
		EXPECT_EQ(0, vs_attr_val(&self->card, s, "in_flight"));
		EXPECT_EQ(0, vs_attr_val(&self->card, s, "open_files"));
	}
}

TEST_HARNESS_MAIN
