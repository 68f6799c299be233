// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile tenant against the slice's calls: argument structures that can
 * be read but not written back, and a second thread freeing the session
 * handles the first one is being given. A call whose result cannot be
 * written back fails with EFAULT before it has any effect: no session is
 * published (so none can be freed twice or taken back from another), no
 * request queued, no operation run. Sessions stay what they were: each
 * handle keeps its own key (RFC 4231 known answers), and no handle leaks.
 *
 * The race runs a fixed number of calls (RACE_CALLS); a kernel that
 * publishes a session before writing its handle back fails the FREE
 * counts here and, with slab debugging or KASAN, reports a double free.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "vcrypt_slice.h"
#include "kselftest_harness.h"

#define RACE_CALLS	20000
#define HASH_DST	64

/* RFC 4231 test cases 1 to 4: four keys and what each gives */
static const struct { struct vt_bytes key, msg, mac; } hmacs[] = {
	{ VT_BYTES(RFC4231_1_KEY), VT_BYTES(RFC4231_1_MSG),
	  VT_BYTES(RFC4231_1_MAC) },
	{ VT_BYTES(RFC4231_2_KEY), VT_BYTES(RFC4231_2_MSG),
	  VT_BYTES(RFC4231_2_MAC) },
	{ VT_BYTES(RFC4231_3_KEY), VT_BYTES(RFC4231_3_MSG),
	  VT_BYTES(RFC4231_3_MAC) },
	{ VT_BYTES(RFC4231_4_KEY), VT_BYTES(RFC4231_4_MSG),
	  VT_BYTES(RFC4231_4_MAC) },
};

FIXTURE(race) {
	struct vs_card card;
	unsigned int old_slices;
	int fd;
	struct vcrypt_info info;
	void *ro;	/* a page that reads but does not write */
};

FIXTURE_SETUP(race)
{
	self->fd = -1;
	self->ro = MAP_FAILED;
	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, 1, &self->old_slices));
	self->fd = vs_open(&self->card, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vs_info(self->fd, &self->info));
	self->ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ro);
}

FIXTURE_TEARDOWN(race)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->ro != MAP_FAILED)
		munmap(self->ro, 4096);
	if (self->old_slices < 1)
		vs_set_slices(&self->card, self->old_slices);
}

/* Put @len bytes of @arg at the start of the page, then make it read-only */
static int make_ro(void *page, const void *arg, size_t len)
{
	memcpy(page, arg, len);
	return mprotect(page, 4096, PROT_READ) ? -errno : 0;
}

/* Sessions of the four keys, in order: handles 1 to 4 of a new file */
static void hmac_sessions(struct __test_metadata *_metadata, int fd,
			  __u32 *h)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hmacs); i++) {
		ASSERT_EQ(0, vs_session(fd, VCRYPT_ALG_HMAC_SHA256,
					hmacs[i].key.p, hmacs[i].key.len,
					&h[i]));
		EXPECT_EQ(i + 1, h[i]) TH_LOG("handles are not the lowest free");
	}
}

/* Each handle still gives its own key's MAC, by a request */
static void check_hmacs(struct __test_metadata *_metadata, int fd,
			const __u32 *h)
{
	struct vcrypt_completion comp;
	struct vcrypt_request r;
	__u8 dst[HASH_DST];
	unsigned int i;
	__u32 done;

	for (i = 0; i < ARRAY_SIZE(hmacs); i++) {
		memset(dst, VS_CANARY, sizeof(dst));
		memset(&r, 0, sizeof(r));
		r.tag = i;
		r.session = h[i];
		r.src = vt_ptr(hmacs[i].msg.p);
		r.src_len = hmacs[i].msg.len;
		r.dst = vt_ptr(dst);
		r.dst_len = sizeof(dst);
		ASSERT_EQ(0, vs_submit(fd, &r, 1, &done))
			TH_LOG("session %u (RFC 4231 case %u) is gone", h[i],
			       i + 1);
		ASSERT_EQ(1, vs_read_all(fd, &comp, 1));
		EXPECT_EQ(i, comp.tag);
		EXPECT_EQ(0, comp.status);
		EXPECT_EQ(32, comp.out_len);
		EXPECT_EQ(-1, vt_diff(dst, hmacs[i].mac.p, 32))
			TH_LOG("session %u does not have its key any more",
			       h[i]);
	}
}

struct racer {
	int fd;
	void *arg;		/* SESSION_NEW: its read-only struct */
	__u32 victim;		/* SESSION_FREE: the handle */
	pthread_barrier_t *start;
	atomic_bool *stop;
	unsigned int calls;
	unsigned int ok;	/* calls that succeeded */
	unsigned int efault;	/* NEW: EFAULT */
	unsigned int enoent;	/* FREE: ENOENT */
	int other;		/* another result, or 0 */
};

static void *session_creator(void *arg)
{
	struct racer *r = arg;
	unsigned int i;
	int ret;

	pthread_barrier_wait(r->start);
	for (i = 0; i < RACE_CALLS; i++) {
		ret = ioctl(r->fd, VCRYPT_IOC_SESSION_NEW, r->arg) ? -errno : 0;
		r->calls++;
		if (!ret)
			r->ok++;
		else if (ret == -EFAULT)
			r->efault++;
		else
			r->other = ret;
	}
	atomic_store(r->stop, true);
	return NULL;
}

static void *session_freer(void *arg)
{
	struct racer *r = arg;
	int ret;

	pthread_barrier_wait(r->start);
	while (!atomic_load(r->stop)) {
		ret = vs_session_free(r->fd, r->victim);
		r->calls++;
		if (!ret)
			r->ok++;
		else if (ret == -ENOENT)
			r->enoent++;
		else
			r->other = ret;
	}
	return NULL;
}

/*
 * One thread creates sessions whose struct is read-only: the key is read,
 * the handle cannot be written back. The other frees the handle that the
 * first is given each time (the lowest free one, after the four sessions
 * made first). No session may ever be seen by the second thread, the four
 * others keep their keys, and every handle but theirs is free afterwards.
 */
TEST_F_TIMEOUT(race, session_new_readonly_vs_free, 300)
{
	struct vcrypt_session_new sn = {
		.alg = VCRYPT_ALG_HMAC_SHA256,
		.key = vt_ptr(hmacs[1].key.p),
		.key_len = hmacs[1].key.len,
	};
	struct racer creator = { .fd = self->fd }, freer = { .fd = self->fd };
	pthread_barrier_t start;
	atomic_bool stop = false;
	pthread_t th[2];
	__u32 h[ARRAY_SIZE(hmacs)], extra, first = 0, n = 0;
	long long t;

	hmac_sessions(_metadata, self->fd, h);
	ASSERT_EQ(0, make_ro(self->ro, &sn, sizeof(sn)));

	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 2));
	creator.arg = self->ro;
	freer.victim = ARRAY_SIZE(hmacs) + 1;
	creator.start = &start;
	freer.start = &start;
	creator.stop = &stop;
	freer.stop = &stop;
	t = vs_now_ns();
	ASSERT_EQ(0, pthread_create(&th[0], NULL, session_creator, &creator));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, session_freer, &freer));
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	t = vs_now_ns() - t;
	pthread_barrier_destroy(&start);
	TH_LOG("%u SESSION_NEW and %u SESSION_FREE in %lld ms",
	       creator.calls, freer.calls, t / 1000000);

	EXPECT_EQ(RACE_CALLS, creator.efault)
		TH_LOG("%u succeeded, other error %d", creator.ok,
		       creator.other);
	EXPECT_EQ(0, freer.ok)
		TH_LOG("%u times a session was published before its handle was written back",
		       freer.ok);
	EXPECT_EQ(freer.calls, freer.enoent) TH_LOG("other error %d",
						    freer.other);
	EXPECT_LT(0, freer.calls);

	check_hmacs(_metadata, self->fd, h);
	/* nothing leaked: the other handles are all free, lowest first */
	while (!vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0, &extra)) {
		if (!n++)
			first = extra;
	}
	EXPECT_EQ(ARRAY_SIZE(hmacs) + 1, first);
	EXPECT_EQ(self->info.max_sessions - ARRAY_SIZE(hmacs), n);
}

/* A SESSION_NEW that cannot write its handle back uses none up. */
TEST_F(race, session_new_readonly)
{
	struct vcrypt_session_new sn = {
		.alg = VCRYPT_ALG_HMAC_SHA256,
		.key = vt_ptr(hmacs[0].key.p),
		.key_len = hmacs[0].key.len,
	};
	__u32 h[ARRAY_SIZE(hmacs)];
	unsigned int i;

	ASSERT_EQ(0, make_ro(self->ro, &sn, sizeof(sn)));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SESSION_NEW,
					    self->ro));
	EXPECT_EQ(-ENOENT, vs_session_free(self->fd, 1));
	hmac_sessions(_metadata, self->fd, h);
	check_hmacs(_metadata, self->fd, h);
}

/*
 * A SUBMIT whose done count cannot be written back queues nothing: no
 * request reaches the card, no completion comes, the session's key is
 * still used as before.
 */
TEST_F(race, submit_readonly)
{
	const struct vs_kat *k = &vs_kats[8];	/* SHA-256 of "abc" */
	struct vcrypt_completion comp;
	struct vcrypt_submit sub;
	struct vcrypt_request r;
	struct vs_kat_buf b;
	__u64 ops;
	__u32 h, done;

	ASSERT_EQ(VCRYPT_ALG_SHA256, k->alg);
	ASSERT_EQ(0, vs_session(self->fd, k->alg, NULL, 0, &h));
	vs_kat_req(k, &b, h, 7, &r);
	sub = (struct vcrypt_submit){ .reqs = vt_ptr(&r), .count = 1 };
	ASSERT_EQ(0, make_ro(self->ro, &sub, sizeof(sub)));
	ops = vs_attr_val(&self->card, 0, "completed_ops");
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SUBMIT, self->ro));
	EXPECT_TRUE(vs_quiet(self->fd)) TH_LOG("a completion arrived");
	EXPECT_EQ(ops, vs_attr_val(&self->card, 0, "completed_ops"));
	EXPECT_EQ(VS_CANARY, b.dst[0]) TH_LOG("the request ran");

	ASSERT_EQ(0, vs_submit(self->fd, &r, 1, &done));
	ASSERT_EQ(1, vs_read_all(self->fd, &comp, 1));
	EXPECT_EQ(0, comp.status);
	EXPECT_EQ(NULL, vs_kat_check(k, &b, comp.out_len, false));
}

/*
 * An OP whose out_len cannot be written back does not run: destination
 * and IV are left alone, the card sees nothing.
 */
TEST_F(race, op_readonly)
{
	const struct vs_kat *k = &vs_kats[0];	/* AES-128-CBC encrypt */
	struct vcrypt_op op;
	struct vs_kat_buf b;
	__u64 ops;

	ASSERT_EQ(VCRYPT_ALG_AES_CBC, k->alg);
	vs_kat_op(k, &b, &op);
	ASSERT_EQ(0, make_ro(self->ro, &op, sizeof(op)));
	ops = vs_attr_val(&self->card, 0, "completed_ops");
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_OP, self->ro));
	EXPECT_EQ(ops, vs_attr_val(&self->card, 0, "completed_ops"));
	EXPECT_EQ(VS_CANARY, b.dst[0]) TH_LOG("the operation ran");
	EXPECT_EQ(-1, vt_diff(b.iv, k->iv.p, k->iv.len)) TH_LOG("IV written");

	vs_kat_op(k, &b, &op);
	ASSERT_EQ(0, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));
	EXPECT_EQ(NULL, vs_kat_check(k, &b, op.out_len, true));
}

/*
 * read(2) into a read-only buffer fails with EFAULT and keeps the
 * completion for the next read.
 */
TEST_F(race, read_readonly)
{
	const struct vs_kat *k = &vs_kats[8];
	struct vcrypt_completion comp;
	struct vcrypt_request r;
	struct vs_kat_buf b;
	__u32 h, done;

	ASSERT_EQ(0, vs_session(self->fd, k->alg, NULL, 0, &h));
	vs_kat_req(k, &b, h, 9, &r);
	ASSERT_EQ(0, vs_submit(self->fd, &r, 1, &done));
	ASSERT_FALSE(vs_quiet(self->fd));
	ASSERT_EQ(0, mprotect(self->ro, 4096, PROT_READ));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->ro, sizeof(comp)));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(1, vs_read_wait(self->fd, &comp, 1, 0));
	EXPECT_EQ(9, comp.tag);
	EXPECT_EQ(0, comp.status);
	EXPECT_EQ(NULL, vs_kat_check(k, &b, comp.out_len, false));
}

TEST_HARNESS_MAIN
