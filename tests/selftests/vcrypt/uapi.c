// SPDX-License-Identifier: GPL-2.0
/*
 * The user ABI of the slices (/dev/vcryptN, include/uapi/linux/vcrypt.h):
 * every ioctl, read(2) and poll(2), with the errors each bad input must
 * give: ENOTTY for an unknown ioctl, EINVAL for a reserved field or an
 * unknown flag or algorithm or a bad length, E2BIG above max_data, ENOENT
 * for a session handle the file does not own, ENOSPC past max_sessions,
 * EFAULT for each bad user pointer, EAGAIN and blocking on empty and full
 * queues, EINTR, and ENODEV on every call once the slice is removed.
 */
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include "vcrypt_ref.h"
#include "vcrypt_slice.h"
#include "kselftest_harness.h"

#define HASH_DST	64

FIXTURE(slice) {
	struct vs_card card;
	unsigned int old_slices;
	int fd;
	struct vcrypt_info info;
	void *bad;
	struct vs_kat_buf b;
};

FIXTURE_SETUP(slice)
{
	self->fd = -1;
	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, 2, &self->old_slices));
	self->fd = vs_open(&self->card, 0, 0);
	ASSERT_LE(0, self->fd) TH_LOG("open slice 0: %s", strerror(-self->fd));
	ASSERT_EQ(0, vs_info(self->fd, &self->info));
	self->bad = vs_bad_page();
	ASSERT_NE(NULL, self->bad);
}

FIXTURE_TEARDOWN(slice)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->old_slices < 2)
		vs_set_slices(&self->card, self->old_slices);
	if (self->bad)
		munmap(self->bad, 4096);
}

static const struct vs_kat *kat_by_alg(__u32 alg, __u32 flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vs_kats); i++)
		if (vs_kats[i].alg == alg && vs_kats[i].flags == flags)
			return &vs_kats[i];
	return NULL;
}

/* AES-128-CBC encryption of the SP 800-38A example, on @b */
static void cbc_op(struct vs_kat_buf *b, struct vcrypt_op *op)
{
	vs_kat_op(kat_by_alg(VCRYPT_ALG_AES_CBC, 0), b, op);
}

/* A session for @k on @fd; 0 if it fails */
static __u32 kat_session(int fd, const struct vs_kat *k)
{
	__u32 h = 0;

	if (vs_session(fd, k->alg, k->key.p, k->key.len, &h))
		return 0;
	return h;
}

/* SHA-256 of "abc" in session @h into @dst (HASH_DST bytes) */
static void sha_req(struct vcrypt_request *r, __u32 h, __u64 tag,
		    const __u8 *src, __u8 *dst)
{
	memset(r, 0, sizeof(*r));
	r->tag = tag;
	r->session = h;
	r->src = vt_ptr(src);
	r->src_len = 3;
	r->dst = vt_ptr(dst);
	r->dst_len = HASH_DST;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* SIGALRM (no SA_RESTART) in @ms, to interrupt a blocking call */
static int arm_signal(unsigned int ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL))
		return -errno;
	return setitimer(ITIMER_REAL, &it, NULL) ? -errno : 0;
}

static void disarm_signal(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* Wait until slice @s has nothing queued nor on the card; 0 or -ETIMEDOUT */
static int wait_idle(struct vs_card *c, unsigned int s)
{
	long long end = vs_now_ns() + VS_TIMEOUT_MS * 1000000LL;

	while (vs_attr_val(c, s, "queued") || vs_attr_val(c, s, "in_flight")) {
		if (vs_now_ns() > end)
			return -ETIMEDOUT;
		vs_sleep_ms(10);
	}
	return 0;
}

/* Submit @n requests in batches of at most @batch; returns how many fit */
static __u32 submit_n(int fd, struct vcrypt_request *reqs, __u32 n,
		      __u32 batch)
{
	__u32 queued = 0, cnt, done;

	while (queued < n) {
		cnt = n - queued < batch ? n - queued : batch;
		if (vs_submit(fd, reqs + queued, cnt, &done))
			break;
		queued += done;
		if (done < cnt)
			break;
	}
	return queued;
}

TEST_F(slice, info)
{
	struct vcrypt_info info;
	__u64 w, max_data = VCRYPT_HW_DATA_MAX;
	unsigned int i;

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, vs_ioctl(self->fd, VCRYPT_IOC_INFO, &info));
	EXPECT_EQ(VCRYPT_ABI_VERSION, info.version);
	EXPECT_EQ(VS_ALGS_ALL, info.algs);
	EXPECT_EQ(self->card.base + 0, info.slice);
	ASSERT_EQ(0, vs_attr(&self->card, 0, "weight", &w));
	EXPECT_EQ(w, info.weight);
	EXPECT_LE(1, info.max_queue);
	EXPECT_LE(1, info.max_batch);
	EXPECT_GE(info.max_queue, info.max_batch);
	vs_card_stat(&self->card, "card_max_data", &max_data);
	EXPECT_LE(16, info.max_data);
	EXPECT_GE(max_data, info.max_data)
		TH_LOG("max_data %u is more than the card takes", info.max_data);
	EXPECT_LE(1, info.max_sessions);
	EXPECT_LE(2 * info.max_data, info.max_bytes);
	EXPECT_EQ(vs_attr_val(&self->card, 0, "max_files"),
		  info.slice_max_files);
	EXPECT_EQ(vs_attr_val(&self->card, 0, "max_bytes"),
		  info.slice_max_bytes);
	for (i = 0; i < ARRAY_SIZE(info.reserved); i++)
		EXPECT_EQ(0, info.reserved[i]) TH_LOG("reserved[%u]", i);
	if (info.max_queue != 256 || info.max_batch != 64 ||
	    info.max_data != 1 << 20 || info.max_sessions != 256)
		TH_LOG("limits differ from the defaults: queue %u batch %u data %u sessions %u",
		       info.max_queue, info.max_batch, info.max_data,
		       info.max_sessions);
}

TEST_F(slice, info_per_slice)
{
	struct vcrypt_info info;
	int fd;

	fd = vs_open(&self->card, 1, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vs_info(fd, &info));
	EXPECT_EQ(self->card.base + 1, info.slice);
	EXPECT_EQ(VCRYPT_ABI_VERSION, info.version);
	EXPECT_EQ(self->info.algs, info.algs);
	close(fd);
}

/* A weight written to sysfs shows at once in INFO of an open file. */
TEST_F(slice, info_weight_live)
{
	struct vcrypt_info info;

	ASSERT_EQ(0, vs_set_weight(&self->card, 0, 250));
	ASSERT_EQ(0, vs_info(self->fd, &info));
	EXPECT_EQ(250, info.weight);
	ASSERT_EQ(0, vs_set_weight(&self->card, 0, VS_WEIGHT_DEFAULT));
	ASSERT_EQ(0, vs_info(self->fd, &info));
	EXPECT_EQ(VS_WEIGHT_DEFAULT, info.weight);
}

TEST_F(slice, info_efault)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_INFO, NULL));
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_INFO, self->bad));
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_INFO, ro));
	munmap(ro, 4096);
}

TEST_F(slice, unknown_ioctl)
{
	static const unsigned long cmds[] = {
		_IO(VCRYPT_IOC_MAGIC, 0x05),
		_IOWR(VCRYPT_IOC_MAGIC, 0x05, struct vcrypt_op),
		_IOWR(VCRYPT_IOC_MAGIC, 0x7f, struct vcrypt_op),
		/* a known number with the wrong size or direction */
		_IOR(VCRYPT_IOC_MAGIC, 0x00, __u32),
		_IOW(VCRYPT_IOC_MAGIC, 0x00, struct vcrypt_info),
		_IOR(VCRYPT_IOC_MAGIC, 0x03, struct vcrypt_op),
		_IOWR(VCRYPT_IOC_MAGIC, 0x04, struct vcrypt_op),
		_IOW(VCRYPT_IOC_MAGIC, 0x02, __u64),
		/* the debugfs hook is not a slice ioctl */
		VCRYPT_DBG_IOC_RAW,
		_IOWR('T', 0x01, int),
		0x5401,	/* TCGETS */
	};
	__u8 arg[512] = { 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		EXPECT_EQ(-ENOTTY, vs_ioctl(self->fd, cmds[i], arg))
			TH_LOG("ioctl %#lx", cmds[i]);
}

/* Every algorithm of the card takes a session; handles differ. */
TEST_F(slice, session_each_alg)
{
	__u32 h[ARRAY_SIZE(vs_kats)];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(vs_kats); i++) {
		const struct vs_kat *k = &vs_kats[i];
		struct vcrypt_session_new s = {
			.alg = k->alg,
			.key = k->key.len ? vt_ptr(k->key.p) : 0,
			.key_len = k->key.len,
		};

		ASSERT_EQ(0, vs_ioctl(self->fd, VCRYPT_IOC_SESSION_NEW, &s))
			TH_LOG("%s", k->name);
		EXPECT_NE(0, s.handle);
		for (j = 0; j < ARRAY_SIZE(s.reserved); j++)
			EXPECT_EQ(0, s.reserved[j]);
		h[i] = s.handle;
		for (j = 0; j < i; j++)
			EXPECT_NE(h[j], h[i]) TH_LOG("handle %u given twice", h[i]);
	}
	for (i = 0; i < ARRAY_SIZE(vs_kats); i++)
		EXPECT_EQ(0, vs_session_free(self->fd, h[i]));
}

TEST_F(slice, session_reserved_and_flags)
{
	struct vcrypt_session_new s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s.reserved) + 2; i++) {
		memset(&s, 0, sizeof(s));
		s.alg = VCRYPT_ALG_AES_CBC;
		s.key = vt_ptr(SP800_38A_KEY128);
		s.key_len = 16;
		if (i < ARRAY_SIZE(s.reserved))
			s.reserved[i] = 1;
		else
			s.flags = i == ARRAY_SIZE(s.reserved) ? 1 : 0x80000000u;
		EXPECT_EQ(-EINVAL, vs_ioctl(self->fd, VCRYPT_IOC_SESSION_NEW,
					    &s))
			TH_LOG("case %u", i);
	}
}

TEST_F(slice, session_unknown_alg)
{
	static const __u32 algs[] = { 0, 0x05, 0x0f, 0x13, 0x7f, 0xff, 0x100,
				      0xffffffffu };
	__u32 h;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(algs); i++)
		EXPECT_EQ(-EINVAL, vs_session(self->fd, algs[i],
					      SP800_38A_KEY128, 16, &h))
			TH_LOG("alg %#x", algs[i]);
}

TEST_F(slice, session_bad_key_len)
{
	static const struct { __u32 alg, len; } bad[] = {
		{ VCRYPT_ALG_AES_CBC, 0 }, { VCRYPT_ALG_AES_CBC, 8 },
		{ VCRYPT_ALG_AES_CBC, 15 }, { VCRYPT_ALG_AES_CBC, 17 },
		{ VCRYPT_ALG_AES_CBC, 33 }, { VCRYPT_ALG_AES_CBC, 64 },
		{ VCRYPT_ALG_AES_CTR, 0 }, { VCRYPT_ALG_AES_CTR, 31 },
		{ VCRYPT_ALG_AES_XTS, 0 }, { VCRYPT_ALG_AES_XTS, 16 },
		{ VCRYPT_ALG_AES_XTS, 24 }, { VCRYPT_ALG_AES_XTS, 33 },
		{ VCRYPT_ALG_AES_XTS, 65 }, { VCRYPT_ALG_AES_GCM, 0 },
		{ VCRYPT_ALG_AES_GCM, 12 }, { VCRYPT_ALG_AES_GCM, 40 },
		{ VCRYPT_ALG_SHA256, 16 }, { VCRYPT_ALG_SHA512, 1 },
		{ VCRYPT_ALG_HMAC_SHA256, 129 },
		{ VCRYPT_ALG_HMAC_SHA256, 256 },
	};
	__u8 key[256];
	unsigned int i;
	__u32 h;

	vt_pattern(key, sizeof(key), 1);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, vs_session(self->fd, bad[i].alg, key,
					      bad[i].len, &h))
			TH_LOG("alg %#x key_len %u", bad[i].alg, bad[i].len);
	/* the limits themselves are good */
	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_HMAC_SHA256, key, 128,
				&h));
	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_HMAC_SHA256, key, 0, &h));
	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_AES_XTS, key, 64, &h));
}

TEST_F(slice, session_efault)
{
	__u32 h;

	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SESSION_NEW, NULL));
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SESSION_NEW,
				    self->bad));
	EXPECT_EQ(-EFAULT, vs_session(self->fd, VCRYPT_ALG_AES_CBC, NULL, 16,
				      &h));
	EXPECT_EQ(-EFAULT, vs_session(self->fd, VCRYPT_ALG_AES_CBC, self->bad,
				      16, &h));
	EXPECT_EQ(-EFAULT, vs_session(self->fd, VCRYPT_ALG_HMAC_SHA256,
				      self->bad, 64, &h));
}

/* max_sessions per file, then ENOSPC; each file has its own sessions. */
TEST_F(slice, session_limit)
{
	__u32 n = self->info.max_sessions, *h, extra;
	unsigned int i;
	int fd2;

	h = calloc(n, sizeof(*h));
	ASSERT_NE(NULL, h);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_AES_CBC,
					SP800_38A_KEY128, 16, &h[i]))
			TH_LOG("session %u of %u", i + 1, n);
	EXPECT_EQ(-ENOSPC, vs_session(self->fd, VCRYPT_ALG_AES_CBC,
				      SP800_38A_KEY128, 16, &extra));
	EXPECT_EQ(-ENOSPC, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0,
				      &extra));

	fd2 = vs_open(&self->card, 0, 0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, vs_session(fd2, VCRYPT_ALG_SHA256, NULL, 0, &extra));
	close(fd2);

	ASSERT_EQ(0, vs_session_free(self->fd, h[n / 2]));
	EXPECT_EQ(0, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0, &extra));
	EXPECT_EQ(-ENOSPC, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0,
				      &extra));
	free(h);
}

TEST_F(slice, session_free_bad_handle)
{
	__u32 h;

	EXPECT_EQ(-ENOENT, vs_session_free(self->fd, 0));
	EXPECT_EQ(-ENOENT, vs_session_free(self->fd, 0xffffffffu));
	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0, &h));
	EXPECT_EQ(-ENOENT, vs_session_free(self->fd, h + 1000));
	EXPECT_EQ(0, vs_session_free(self->fd, h));
	EXPECT_EQ(-ENOENT, vs_session_free(self->fd, h));
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SESSION_FREE, NULL));
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SESSION_FREE,
				    self->bad));
}

/*
 * A handle is meaningful in its own file only: another file of the same
 * slice, or of another slice, neither frees nor uses it (ENOENT), and it
 * still works in its own file afterwards.
 */
static void foreign_handle(struct __test_metadata *_metadata,
			   struct vs_card *card, int fd, unsigned int slice)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_SHA256, 0);
	struct vs_kat_buf *b = calloc(1, sizeof(*b));
	struct vcrypt_completion comp;
	struct vcrypt_request r;
	__u32 h, h2, done;
	int fd2;

	ASSERT_NE(NULL, b);
	fd2 = vs_open(card, slice, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, vs_session(fd, k->alg, NULL, 0, &h));
	/* the other file gets sessions of its own, which may reuse numbers */
	ASSERT_EQ(0, vs_session(fd2, VCRYPT_ALG_SHA512, NULL, 0, &h2));
	if (h2 != h) {
		EXPECT_EQ(-ENOENT, vs_session_free(fd2, h));
		vs_kat_req(k, b, h, 1, &r);
		EXPECT_EQ(-ENOENT, vs_submit(fd2, &r, 1, &done));
		EXPECT_TRUE(vs_quiet(fd2)) TH_LOG("a completion arrived");
	}
	ASSERT_EQ(0, vs_session_free(fd2, h2));
	EXPECT_EQ(-ENOENT, vs_session_free(fd2, h));
	vs_kat_req(k, b, h, 1, &r);
	EXPECT_EQ(-ENOENT, vs_submit(fd2, &r, 1, &done));

	/* still good in its own file */
	vs_kat_req(k, b, h, 2, &r);
	ASSERT_EQ(0, vs_submit(fd, &r, 1, &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(1, vs_read_all(fd, &comp, 1));
	EXPECT_EQ(2, comp.tag);
	EXPECT_EQ(0, comp.status);
	EXPECT_EQ(NULL, vs_kat_check(k, b, comp.out_len, false));
	EXPECT_EQ(0, vs_session_free(fd, h));
	close(fd2);
	free(b);
}

TEST_F(slice, session_handle_other_file)
{
	foreign_handle(_metadata, &self->card, self->fd, 0);
}

TEST_F(slice, session_handle_other_slice)
{
	foreign_handle(_metadata, &self->card, self->fd, 1);
}

/* A freed handle is refused by SUBMIT. */
TEST_F(slice, session_freed_handle)
{
	struct vcrypt_request r;
	__u32 h, done;

	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0, &h));
	ASSERT_EQ(0, vs_session_free(self->fd, h));
	vs_kat_req(kat_by_alg(VCRYPT_ALG_SHA256, 0), &self->b, h, 1, &r);
	EXPECT_EQ(-ENOENT, vs_submit(self->fd, &r, 1, &done));
	r.session = 0;
	EXPECT_EQ(-ENOENT, vs_submit(self->fd, &r, 1, &done));
	EXPECT_TRUE(vs_quiet(self->fd));
}

/* Every known answer through VCRYPT_IOC_OP, with the IV written back */
TEST_F(slice, op_kat)
{
	struct vcrypt_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vs_kats); i++) {
		vs_kat_op(&vs_kats[i], &self->b, &op);
		op.out_len = 0xdead;
		ASSERT_EQ(0, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op))
			TH_LOG("%s", vs_kats[i].name);
		EXPECT_EQ(NULL, vs_kat_check(&vs_kats[i], &self->b, op.out_len,
					     true))
			TH_LOG("%s", vs_kats[i].name);
	}
}

/*
 * The op of @op is refused with @err: it leaves dst and the IV alone.
 * EBADMSG is the card's verdict (one operation of the card); anything else
 * the driver's, which never reaches the card (its card_ops stays).
 */
static void op_refused(struct __test_metadata *_metadata,
		       struct vs_card *card, int fd, struct vcrypt_op *op,
		       struct vs_kat_buf *b, int err, const char *what)
{
	__u64 ops0 = ~0ull, ops1 = 0;
	__u8 iv[16];
	unsigned int i;

	memcpy(iv, b->iv, sizeof(iv));
	ASSERT_EQ(0, vs_card_stat(card, "card_ops", &ops0));
	EXPECT_EQ(-err, vs_ioctl(fd, VCRYPT_IOC_OP, op)) TH_LOG("%s", what);
	ASSERT_EQ(0, vs_card_stat(card, "card_ops", &ops1));
	EXPECT_EQ(ops0 + (err == EBADMSG), ops1)
		TH_LOG("%s: %llu card operations", what, ops1 - ops0);
	for (i = 0; i < sizeof(b->dst); i++)
		if (b->dst[i] != VS_CANARY)
			break;
	EXPECT_EQ(sizeof(b->dst), i) TH_LOG("%s: destination written", what);
	EXPECT_EQ(-1, vt_diff(iv, b->iv, sizeof(iv)))
		TH_LOG("%s: IV written", what);
}

#define OP_REFUSED(err, what) \
	op_refused(_metadata, &self->card, self->fd, &op, &self->b, err, what)

TEST_F(slice, op_reserved)
{
	struct vcrypt_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(op.reserved); i++) {
		cbc_op(&self->b, &op);
		op.reserved[i] = 1;
		OP_REFUSED(EINVAL, "reserved");
	}
}

TEST_F(slice, op_unknown_flag_alg)
{
	static const __u32 flags[] = { 1u << 1, 1u << 7, 1u << 31 };
	static const __u32 algs[] = { 0, 0x05, 0x0f, 0x13, 0xff, 0x101 };
	struct vcrypt_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		cbc_op(&self->b, &op);
		op.flags |= flags[i];
		OP_REFUSED(EINVAL, "unknown flag");
	}
	for (i = 0; i < ARRAY_SIZE(algs); i++) {
		cbc_op(&self->b, &op);
		op.alg = algs[i];
		OP_REFUSED(EINVAL, "unknown alg");
	}
}

TEST_F(slice, op_bad_key_len)
{
	static const __u32 lens[] = { 0, 1, 15, 17, 20, 31, 33, 64, 128 };
	struct vcrypt_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		cbc_op(&self->b, &op);
		op.key_len = lens[i];
		OP_REFUSED(EINVAL, "AES-CBC key length");
	}
	vs_kat_op(kat_by_alg(VCRYPT_ALG_AES_XTS, 0), &self->b, &op);
	op.key_len = 16;
	OP_REFUSED(EINVAL, "AES-XTS key length 16");
	vs_kat_op(kat_by_alg(VCRYPT_ALG_SHA256, 0), &self->b, &op);
	op.key = vt_ptr(self->b.key);
	op.key_len = 16;
	OP_REFUSED(EINVAL, "SHA-256 with a key");
	vs_kat_op(kat_by_alg(VCRYPT_ALG_HMAC_SHA256, 0), &self->b, &op);
	op.key = vt_ptr(self->b.key);
	op.key_len = 129;
	OP_REFUSED(EINVAL, "HMAC key of 129 bytes");
}

TEST_F(slice, op_bad_lengths)
{
	const struct vs_kat *gcm_dec = kat_by_alg(VCRYPT_ALG_AES_GCM,
						  VCRYPT_OP_DECRYPT);
	const struct vs_kat *gcm = kat_by_alg(VCRYPT_ALG_AES_GCM, 0);
	const struct vs_kat *xts = kat_by_alg(VCRYPT_ALG_AES_XTS, 0);
	const struct vs_kat *ctr = kat_by_alg(VCRYPT_ALG_AES_CTR, 0);
	const struct vs_kat *sha = kat_by_alg(VCRYPT_ALG_SHA256, 0);
	static const __u32 tags[] = { 0, 1, 3, 5, 11, 17, 32 };
	struct vcrypt_op op;
	unsigned int i;

	cbc_op(&self->b, &op);
	op.iv_len = 0;
	OP_REFUSED(EINVAL, "CBC iv_len 0");
	cbc_op(&self->b, &op);
	op.iv_len = 12;
	OP_REFUSED(EINVAL, "CBC iv_len 12");
	cbc_op(&self->b, &op);
	op.src_len = 63;
	OP_REFUSED(EINVAL, "CBC src_len 63");
	cbc_op(&self->b, &op);
	op.src_len = 8;
	OP_REFUSED(EINVAL, "CBC src_len 8");
	cbc_op(&self->b, &op);
	op.dst_len = 48;
	OP_REFUSED(EINVAL, "CBC dst_len < src_len");
	cbc_op(&self->b, &op);
	op.tag_len = 16;
	OP_REFUSED(EINVAL, "CBC with tag_len");
	vs_kat_op(ctr, &self->b, &op);
	op.aad_len = 16;
	OP_REFUSED(EINVAL, "CTR with aad_len");
	vs_kat_op(ctr, &self->b, &op);
	op.dst_len = 0;
	OP_REFUSED(EINVAL, "CTR dst_len 0");
	vs_kat_op(xts, &self->b, &op);
	op.src_len = 0;
	OP_REFUSED(EINVAL, "XTS src_len 0");
	vs_kat_op(xts, &self->b, &op);
	op.src_len = 15;
	OP_REFUSED(EINVAL, "XTS src_len 15");
	vs_kat_op(xts, &self->b, &op);
	op.iv_len = 8;
	OP_REFUSED(EINVAL, "XTS iv_len 8");
	vs_kat_op(gcm, &self->b, &op);
	op.iv_len = 16;
	OP_REFUSED(EINVAL, "GCM iv_len 16");
	for (i = 0; i < ARRAY_SIZE(tags); i++) {
		vs_kat_op(gcm, &self->b, &op);
		op.tag_len = tags[i];
		OP_REFUSED(EINVAL, "GCM tag_len");
	}
	vs_kat_op(gcm, &self->b, &op);
	op.aad_len = op.src_len + 1;
	OP_REFUSED(EINVAL, "GCM aad_len > src_len");
	vs_kat_op(gcm, &self->b, &op);
	op.dst_len = op.src_len;
	OP_REFUSED(EINVAL, "GCM encrypt without room for the tag");
	vs_kat_op(gcm_dec, &self->b, &op);
	op.src_len = 15;
	OP_REFUSED(EINVAL, "GCM decrypt shorter than the tag");
	vs_kat_op(gcm_dec, &self->b, &op);
	op.aad_len = op.src_len - 8;
	OP_REFUSED(EINVAL, "GCM decrypt aad_len + tag_len > src_len");
	vs_kat_op(sha, &self->b, &op);
	op.dst_len = 31;
	OP_REFUSED(EINVAL, "SHA-256 dst_len 31");
	vs_kat_op(sha, &self->b, &op);
	op.iv = vt_ptr(self->b.iv);
	op.iv_len = 16;
	OP_REFUSED(EINVAL, "SHA-256 with an IV");
	vs_kat_op(sha, &self->b, &op);
	op.flags = VCRYPT_OP_DECRYPT;
	OP_REFUSED(EINVAL, "SHA-256 decrypt");
}

/* Zero-length data where the algorithm allows it */
TEST_F(slice, op_zero_length)
{
	struct vcrypt_op op;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (i)
			vs_kat_op(kat_by_alg(VCRYPT_ALG_AES_CTR, 0), &self->b,
				  &op);
		else
			cbc_op(&self->b, &op);
		op.src_len = 0;
		op.out_len = 0xdead;
		ASSERT_EQ(0, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op))
			TH_LOG("%s", i ? "CTR" : "CBC");
		EXPECT_EQ(0, op.out_len);
		/* nothing is written, not even the IV */
		EXPECT_EQ(VS_CANARY, self->b.dst[0]);
		EXPECT_EQ(-1, vt_diff(self->b.iv, i ? SP800_38A_CTR_IV :
				      SP800_38A_CBC_IV, 16));
	}
}

/* max_data is the limit: one byte more is E2BIG, exactly it works. */
TEST_F(slice, op_oversize)
{
	const struct vs_kat *ctr = kat_by_alg(VCRYPT_ALG_AES_CTR, 0);
	__u32 max = self->info.max_data;
	struct vcrypt_op op;
	__u8 *src, *dst;

	src = malloc(max + 4096);
	dst = malloc(max + 4096);
	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, dst);
	vt_pattern(src, max + 4096, 3);
	memcpy(src, SP800_38A_PT, 64);

	vs_kat_op(ctr, &self->b, &op);
	op.src = vt_ptr(src);
	op.dst = vt_ptr(dst);
	op.src_len = max + 1;
	op.dst_len = max + 4096;
	EXPECT_EQ(-E2BIG, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));
	op.src_len = max + 16;
	EXPECT_EQ(-E2BIG, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));
	op.src_len = 0xffffffffu;
	EXPECT_EQ(-E2BIG, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));
	cbc_op(&self->b, &op);
	op.src = vt_ptr(src);
	op.dst = vt_ptr(dst);
	op.src_len = (max + 16) & ~15u;
	op.dst_len = max + 4096;
	EXPECT_EQ(-E2BIG, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));

	vs_kat_op(ctr, &self->b, &op);
	op.src = vt_ptr(src);
	op.dst = vt_ptr(dst);
	op.src_len = max;
	op.dst_len = max;
	ASSERT_EQ(0, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));
	EXPECT_EQ(max, op.out_len);
	/* CTR is a stream: the example's blocks come first */
	EXPECT_EQ(-1, vt_diff(dst, SP800_38A_CTR128_CT, 64));
	free(src);
	free(dst);
}

TEST_F(slice, op_efault)
{
	struct vcrypt_op op;

	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_OP, NULL));
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_OP, self->bad));
	cbc_op(&self->b, &op);
	op.key = 0;
	OP_REFUSED(EFAULT, "key NULL");
	cbc_op(&self->b, &op);
	op.key = vt_ptr(self->bad);
	OP_REFUSED(EFAULT, "key unmapped");
	cbc_op(&self->b, &op);
	op.iv = vt_ptr(self->bad);
	OP_REFUSED(EFAULT, "iv unmapped");
	cbc_op(&self->b, &op);
	op.src = 0;
	OP_REFUSED(EFAULT, "src NULL");
	cbc_op(&self->b, &op);
	op.src = vt_ptr(self->bad);
	OP_REFUSED(EFAULT, "src unmapped");
	cbc_op(&self->b, &op);
	op.dst = vt_ptr(self->bad);
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op))
		TH_LOG("dst unmapped");
	cbc_op(&self->b, &op);
	op.dst = 0;
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op))
		TH_LOG("dst NULL");
}

/* A spoilt GCM tag: EBADMSG, and no unauthenticated plaintext leaks. */
TEST_F(slice, op_gcm_bad_tag)
{
	struct vcrypt_op op;

	vs_kat_op(kat_by_alg(VCRYPT_ALG_AES_GCM, VCRYPT_OP_DECRYPT), &self->b,
		  &op);
	self->b.src[op.src_len - 1] ^= 1;
	OP_REFUSED(EBADMSG, "GCM tag mismatch");
	vs_kat_op(kat_by_alg(VCRYPT_ALG_AES_GCM, VCRYPT_OP_DECRYPT), &self->b,
		  &op);
	self->b.src[0] ^= 0x80;
	OP_REFUSED(EBADMSG, "GCM ciphertext changed");
}

TEST_F(slice, submit_read)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_AES_CBC, 0);
	struct vcrypt_completion comp[2];
	struct vcrypt_request r;
	__u32 h, done = 0xdead;

	h = kat_session(self->fd, k);
	ASSERT_NE(0, h);
	vs_kat_req(k, &self->b, h, 0x0123456789abcdefull, &r);
	ASSERT_EQ(0, vs_submit(self->fd, &r, 1, &done));
	ASSERT_EQ(1, done);
	memset(comp, 0xff, sizeof(comp));
	ASSERT_EQ(1, vs_read_wait(self->fd, comp, 2, VS_TIMEOUT_MS));
	EXPECT_EQ(0x0123456789abcdefull, comp[0].tag);
	EXPECT_EQ(0, comp[0].status);
	EXPECT_EQ(NULL, vs_kat_check(k, &self->b, comp[0].out_len, false));
	/* only one completion per request */
	EXPECT_TRUE(vs_quiet(self->fd));
}

/* The IV of a request is read when it is submitted. */
TEST_F(slice, submit_iv_read_at_submission)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_AES_CBC, 0);
	struct vcrypt_completion comp;
	struct vcrypt_request r;
	__u32 h, done;

	h = kat_session(self->fd, k);
	ASSERT_NE(0, h);
	vs_kat_req(k, &self->b, h, 7, &r);
	ASSERT_EQ(0, vs_submit(self->fd, &r, 1, &done));
	ASSERT_EQ(1, done);
	memset(self->b.iv, 0x5c, sizeof(self->b.iv));
	ASSERT_EQ(1, vs_read_all(self->fd, &comp, 1));
	EXPECT_EQ(0, comp.status);
	EXPECT_EQ(k->out.len, comp.out_len);
	EXPECT_EQ(-1, vt_diff(self->b.dst, k->out.p, k->out.len));
}

/*
 * A full batch of requests with distinct tags and distinct messages: each
 * tag comes back exactly once, with the digest of its own message (the
 * reference's)
 */
TEST_F(slice, submit_count)
{
	__u32 n = self->info.max_batch + 1, h, done, i, t;
	struct vcrypt_completion *comps;
	struct vcrypt_request *reqs;
	struct vcrypt_submit sub;
	__u8 *dst, *msgs, *want;
	bool *seen;

	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0, &h));
	reqs = calloc(n, sizeof(*reqs));
	comps = calloc(n, sizeof(*comps));
	dst = calloc(n, HASH_DST);
	msgs = calloc(n, n);
	want = calloc(n, HASH_DST);
	seen = calloc(n, sizeof(*seen));
	ASSERT_NE(NULL, reqs);
	ASSERT_NE(NULL, comps);
	ASSERT_NE(NULL, dst);
	ASSERT_NE(NULL, msgs);
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, seen);
	/* request i: tag 1000 + 7i, the i + 1 bytes of message i */
	vr_fill(msgs, (size_t)n * n, 77);
	for (i = 0; i < n; i++) {
		struct vr_op op = {
			.alg = VCRYPT_ALG_SHA256,
			.src = msgs + (size_t)i * n,
			.src_len = i + 1,
		};

		sha_req(&reqs[i], h, 1000 + 7 * i, op.src, dst + i * HASH_DST);
		reqs[i].src_len = op.src_len;
		ASSERT_EQ(0, vr_run(&op, want + i * HASH_DST, NULL));
	}

	memset(&sub, 0, sizeof(sub));
	sub.reqs = vt_ptr(reqs);
	EXPECT_EQ(-EINVAL, vs_ioctl(self->fd, VCRYPT_IOC_SUBMIT, &sub));
	sub.count = n;
	EXPECT_EQ(-EINVAL, vs_ioctl(self->fd, VCRYPT_IOC_SUBMIT, &sub));
	sub.count = 0xffffffffu;
	EXPECT_EQ(-EINVAL, vs_ioctl(self->fd, VCRYPT_IOC_SUBMIT, &sub));
	EXPECT_TRUE(vs_quiet(self->fd));

	/* a full batch; the queue holds at least one */
	ASSERT_EQ(0, vs_submit(self->fd, reqs, n - 1, &done));
	EXPECT_EQ(n - 1, done);
	ASSERT_EQ((int)done, vs_read_all(self->fd, comps, done));
	for (i = 0; i < done; i++) {
		t = (comps[i].tag - 1000) / 7;
		ASSERT_EQ(1000 + 7 * t, comps[i].tag)
			TH_LOG("completion %u: tag %llu was not submitted", i,
			       comps[i].tag);
		ASSERT_GT(done, t) TH_LOG("tag %llu was not submitted",
					  comps[i].tag);
		EXPECT_FALSE(seen[t]) TH_LOG("tag %llu twice", comps[i].tag);
		seen[t] = true;
		EXPECT_EQ(0, comps[i].status);
		EXPECT_EQ(32, comps[i].out_len);
		EXPECT_EQ(-1, vt_diff(dst + t * HASH_DST, want + t * HASH_DST,
				      32)) TH_LOG("tag %llu", comps[i].tag);
	}
	for (i = 0; i < done; i++)
		EXPECT_TRUE(seen[i]) TH_LOG("no completion of tag %u",
					    1000 + 7 * i);
	EXPECT_TRUE(vs_quiet(self->fd));
	free(reqs);
	free(comps);
	free(dst);
	free(msgs);
	free(want);
	free(seen);
}

TEST_F(slice, submit_reserved)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_SHA256, 0);
	static const __u32 flags[] = { 1u << 1, 1u << 31 };
	struct vcrypt_submit sub;
	struct vcrypt_request r;
	unsigned int i;
	__u32 h, done;

	h = kat_session(self->fd, k);
	ASSERT_NE(0, h);
	for (i = 0; i < ARRAY_SIZE(sub.reserved); i++) {
		vs_kat_req(k, &self->b, h, 1, &r);
		memset(&sub, 0, sizeof(sub));
		sub.reqs = vt_ptr(&r);
		sub.count = 1;
		sub.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, vs_ioctl(self->fd, VCRYPT_IOC_SUBMIT, &sub))
			TH_LOG("submit reserved[%u]", i);
	}
	for (i = 0; i < ARRAY_SIZE(r.reserved); i++) {
		vs_kat_req(k, &self->b, h, 1, &r);
		r.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done))
			TH_LOG("request reserved[%u]", i);
	}
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		vs_kat_req(k, &self->b, h, 1, &r);
		r.flags = flags[i];
		EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done))
			TH_LOG("request flags %#x", flags[i]);
	}
	EXPECT_TRUE(vs_quiet(self->fd)) TH_LOG("a refused request completed");
	EXPECT_EQ(VS_CANARY, self->b.dst[0]);
}

TEST_F(slice, submit_bad_lengths)
{
	const struct vs_kat *cbc = kat_by_alg(VCRYPT_ALG_AES_CBC, 0);
	const struct vs_kat *xts = kat_by_alg(VCRYPT_ALG_AES_XTS, 0);
	const struct vs_kat *gcm = kat_by_alg(VCRYPT_ALG_AES_GCM, 0);
	__u32 hc, hx, hg, done;
	struct vcrypt_request r;
	__u8 *big;

	hc = kat_session(self->fd, cbc);
	hx = kat_session(self->fd, xts);
	hg = kat_session(self->fd, gcm);
	ASSERT_NE(0, hc);
	ASSERT_NE(0, hx);
	ASSERT_NE(0, hg);

	big = calloc(2, self->info.max_data + 16);
	ASSERT_NE(NULL, big);
	vs_kat_req(cbc, &self->b, hc, 1, &r);
	r.src = vt_ptr(big);
	r.dst = vt_ptr(big + self->info.max_data + 16);
	r.src_len = self->info.max_data + 16;
	r.dst_len = r.src_len;
	EXPECT_EQ(-E2BIG, vs_submit(self->fd, &r, 1, &done));
	free(big);
	vs_kat_req(cbc, &self->b, hc, 1, &r);
	r.src_len = 15;
	EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done));
	vs_kat_req(cbc, &self->b, hc, 1, &r);
	r.iv_len = 12;
	EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done));
	vs_kat_req(cbc, &self->b, hc, 1, &r);
	r.dst_len = 16;
	EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done));
	vs_kat_req(cbc, &self->b, hc, 1, &r);
	r.aad_len = 16;
	EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done));
	vs_kat_req(xts, &self->b, hx, 1, &r);
	r.src_len = 0;
	EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done));
	vs_kat_req(gcm, &self->b, hg, 1, &r);
	r.tag_len = 3;
	EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done));
	vs_kat_req(gcm, &self->b, hg, 1, &r);
	r.aad_len = r.src_len + 1;
	EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done));
	vs_kat_req(gcm, &self->b, hg, 1, &r);
	r.dst_len = r.src_len;
	EXPECT_EQ(-EINVAL, vs_submit(self->fd, &r, 1, &done));
	EXPECT_TRUE(vs_quiet(self->fd)) TH_LOG("a refused request completed");
}

/*
 * A request with a bad user buffer: either SUBMIT fails with EFAULT and
 * nothing is queued, or (for buffers the driver only touches later) the
 * request is queued and completes with status -EFAULT.
 */
static void req_efault(struct __test_metadata *_metadata, int fd,
		       struct vcrypt_request *r, bool at_submit,
		       const char *what)
{
	struct vcrypt_completion comp;
	__u32 done = 0;
	int ret;

	ret = vs_submit(fd, r, 1, &done);
	if (ret == -EFAULT) {
		EXPECT_TRUE(vs_quiet(fd)) TH_LOG("%s: completion after EFAULT",
						 what);
		return;
	}
	EXPECT_FALSE(at_submit) TH_LOG("%s: SUBMIT gave %d, expected -EFAULT",
				       what, ret);
	ASSERT_EQ(0, ret) TH_LOG("%s", what);
	ASSERT_EQ(1, done) TH_LOG("%s", what);
	ASSERT_EQ(1, vs_read_all(fd, &comp, 1)) TH_LOG("%s", what);
	EXPECT_EQ(-EFAULT, comp.status) TH_LOG("%s", what);
	EXPECT_EQ(0, comp.out_len) TH_LOG("%s", what);
}

TEST_F(slice, submit_efault)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_AES_CBC, 0);
	struct vcrypt_submit sub = { .count = 1 };
	struct vcrypt_request r;
	__u32 h;

	h = kat_session(self->fd, k);
	ASSERT_NE(0, h);
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SUBMIT, NULL));
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SUBMIT, self->bad));
	sub.reqs = 0;
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SUBMIT, &sub));
	sub.reqs = vt_ptr(self->bad);
	EXPECT_EQ(-EFAULT, vs_ioctl(self->fd, VCRYPT_IOC_SUBMIT, &sub));
	EXPECT_TRUE(vs_quiet(self->fd));

	vs_kat_req(k, &self->b, h, 1, &r);
	r.iv = vt_ptr(self->bad);
	req_efault(_metadata, self->fd, &r, true, "iv unmapped");
	vs_kat_req(k, &self->b, h, 2, &r);
	r.iv = 0;
	req_efault(_metadata, self->fd, &r, true, "iv NULL");
	vs_kat_req(k, &self->b, h, 3, &r);
	r.src = vt_ptr(self->bad);
	req_efault(_metadata, self->fd, &r, false, "src unmapped");
	vs_kat_req(k, &self->b, h, 4, &r);
	r.dst = vt_ptr(self->bad);
	req_efault(_metadata, self->fd, &r, false, "dst unmapped");
	vs_kat_req(k, &self->b, h, 5, &r);
	r.dst = 0;
	req_efault(_metadata, self->fd, &r, false, "dst NULL");
}

/*
 * A bad request after a good one in the same batch: whatever the driver
 * does, it says so consistently: the requests it reports queued complete,
 * the others do not.
 */
TEST_F(slice, submit_bad_request_in_batch)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_SHA256, 0);
	struct vcrypt_completion comp[2];
	struct vcrypt_request r[2];
	struct vs_kat_buf *b2;
	__u32 h, done = 0;
	int ret, n;

	b2 = calloc(1, sizeof(*b2));
	ASSERT_NE(NULL, b2);
	h = kat_session(self->fd, k);
	ASSERT_NE(0, h);
	vs_kat_req(k, &self->b, h, 1, &r[0]);
	vs_kat_req(k, b2, h, 2, &r[1]);
	r[1].reserved[0] = 1;
	ret = vs_submit(self->fd, r, 2, &done);
	if (ret) {
		EXPECT_EQ(-EINVAL, ret);
		EXPECT_TRUE(vs_quiet(self->fd));
		TH_LOG("the batch was refused as a whole");
	} else {
		EXPECT_EQ(1, done);
		n = vs_read_wait(self->fd, comp, 2, VS_TIMEOUT_MS);
		EXPECT_EQ(1, n);
		EXPECT_EQ(1, comp[0].tag);
		EXPECT_EQ(0, comp[0].status);
		EXPECT_TRUE(vs_quiet(self->fd));
		TH_LOG("the good request was queued, the bad one not");
	}
	EXPECT_EQ(VS_CANARY, b2->dst[0]);
	free(b2);
}

TEST_F(slice, submit_gcm_bad_tag)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_AES_GCM,
					    VCRYPT_OP_DECRYPT);
	struct vcrypt_completion comp;
	struct vcrypt_request r;
	unsigned int i;
	__u32 h, done;

	h = kat_session(self->fd, k);
	ASSERT_NE(0, h);
	vs_kat_req(k, &self->b, h, 9, &r);
	self->b.src[r.src_len - 1] ^= 1;
	ASSERT_EQ(0, vs_submit(self->fd, &r, 1, &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(1, vs_read_all(self->fd, &comp, 1));
	EXPECT_EQ(9, comp.tag);
	EXPECT_EQ(-EBADMSG, comp.status);
	EXPECT_EQ(0, comp.out_len);
	for (i = 0; i < sizeof(self->b.dst); i++)
		if (self->b.dst[i] != VS_CANARY)
			break;
	EXPECT_EQ(sizeof(self->b.dst), i) TH_LOG("destination written");
}

struct delayed {
	int fd;
	unsigned int ms;
	struct vcrypt_request *req;
	int ret;
};

/* After @ms, submit @req on @fd (or, without @req, read one completion) */
static void *delayed_call(void *arg)
{
	struct delayed *d = arg;
	struct vcrypt_completion comp;
	__u32 done;

	vs_sleep_ms(d->ms);
	if (d->req)
		d->ret = vs_submit(d->fd, d->req, 1, &done);
	else
		d->ret = vs_read_wait(d->fd, &comp, 1, VS_TIMEOUT_MS);
	return NULL;
}

/*
 * max_queue outstanding requests per file (queued, on the card, or
 * completed and not read): a batch that does not fit is cut short; with
 * no room at all SUBMIT fails with EAGAIN under O_NONBLOCK and otherwise
 * blocks, interruptibly; POLLOUT says whether there is room.
 */
TEST_F(slice, queue_full)
{
	__u32 n = self->info.max_queue, batch = self->info.max_batch;
	struct vcrypt_completion *comps;
	struct vcrypt_request *reqs;
	struct pollfd pfd = { .fd = self->fd, .events = POLLOUT };
	__u32 h, done, i, cnt;
	long long t;
	__u8 *dst, *seen;
	int ret;

	ASSERT_LE(3, batch) TH_LOG("max_batch %u too small for this test", batch);
	ASSERT_LE(3, n);
	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0, &h));
	reqs = calloc(n + 8, sizeof(*reqs));
	comps = calloc(n + 8, sizeof(*comps));
	dst = calloc(n + 8, HASH_DST);
	seen = calloc(n + 8, 1);
	ASSERT_NE(NULL, reqs);
	ASSERT_NE(NULL, comps);
	ASSERT_NE(NULL, dst);
	ASSERT_NE(NULL, seen);
	for (i = 0; i < n + 8; i++)
		sha_req(&reqs[i], h, i, (const __u8 *)"abc", dst + i * HASH_DST);

	ASSERT_EQ(n - 2, submit_n(self->fd, reqs, n - 2, batch));
	/* five requests, room for two: no sleeping once one is queued */
	ASSERT_EQ(0, arm_signal(2000));
	t = vs_now_ns();
	ret = vs_submit(self->fd, reqs + n - 2, 5, &done);
	t = vs_now_ns() - t;
	disarm_signal();
	ASSERT_EQ(0, ret);
	ASSERT_EQ(2, done);
	EXPECT_GT(1000000000LL, t)
		TH_LOG("a batch that does not fit slept %lld ms", t / 1000000);
	/* completed but unread requests still count */
	ASSERT_EQ(0, wait_idle(&self->card, 0));
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("POLLOUT on a full queue");
	EXPECT_EQ(0, pfd.revents & POLLOUT);

	ASSERT_EQ(0, vs_nonblock(self->fd, true));
	EXPECT_EQ(-EAGAIN, vs_submit(self->fd, reqs + n, 1, &done));
	ASSERT_EQ(0, vs_nonblock(self->fd, false));

	ASSERT_EQ(0, arm_signal(200));
	t = vs_now_ns();
	ret = vs_submit(self->fd, reqs + n, 1, &done);
	t = vs_now_ns() - t;
	disarm_signal();
	EXPECT_EQ(-EINTR, ret);
	EXPECT_LE(150000000LL, t) TH_LOG("SUBMIT returned after %lld ns", t);

	/* one read makes room for one */
	ASSERT_EQ(1, vs_read_wait(self->fd, comps, 1, VS_TIMEOUT_MS));
	EXPECT_EQ(1, poll(&pfd, 1, VS_TIMEOUT_MS));
	EXPECT_TRUE(pfd.revents & POLLOUT);
	ASSERT_EQ(0, vs_submit(self->fd, reqs + n, 3, &done));
	ASSERT_EQ(1, done);

	/* all n + 1 requests complete once, with the right result */
	cnt = 1 + vs_read_all(self->fd, comps + 1, n);
	ASSERT_EQ(n + 1, cnt);
	EXPECT_TRUE(vs_quiet(self->fd));
	for (i = 0; i < cnt; i++) {
		ASSERT_GE(n, comps[i].tag);
		EXPECT_EQ(0, seen[comps[i].tag]) TH_LOG("tag %llu twice",
							comps[i].tag);
		seen[comps[i].tag] = 1;
		EXPECT_EQ(0, comps[i].status);
		EXPECT_EQ(32, comps[i].out_len);
		EXPECT_EQ(-1, vt_diff(dst + comps[i].tag * HASH_DST,
				      SHA256_ABC, 32));
	}
	free(reqs);
	free(comps);
	free(dst);
	free(seen);
}

/* A SUBMIT blocked on a full queue goes on when a read makes room. */
TEST_F(slice, submit_blocked_woken_by_read)
{
	__u32 n = self->info.max_queue, h, done, i;
	struct delayed d = { .fd = self->fd, .ms = 300 };
	struct vcrypt_completion *comps;
	struct vcrypt_request *reqs;
	pthread_t th;
	long long t;
	__u8 *dst;
	int ret;

	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0, &h));
	reqs = calloc(n + 1, sizeof(*reqs));
	comps = calloc(n + 1, sizeof(*comps));
	dst = calloc(n + 1, HASH_DST);
	ASSERT_NE(NULL, reqs);
	ASSERT_NE(NULL, comps);
	ASSERT_NE(NULL, dst);
	for (i = 0; i < n + 1; i++)
		sha_req(&reqs[i], h, i, (const __u8 *)"abc", dst + i * HASH_DST);
	ASSERT_EQ(n, submit_n(self->fd, reqs, n, self->info.max_batch));

	ASSERT_EQ(0, pthread_create(&th, NULL, delayed_call, &d));
	ASSERT_EQ(0, arm_signal(VS_TIMEOUT_MS));
	t = vs_now_ns();
	ret = vs_submit(self->fd, reqs + n, 1, &done);
	t = vs_now_ns() - t;
	disarm_signal();
	pthread_join(th, NULL);
	ASSERT_EQ(0, ret) TH_LOG("blocked SUBMIT not woken by the read");
	EXPECT_EQ(1, done);
	EXPECT_EQ(1, d.ret);
	EXPECT_LE(200000000LL, t) TH_LOG("SUBMIT did not block (%lld ns)", t);
	EXPECT_EQ(n, (__u32)vs_read_all(self->fd, comps, n));
	free(reqs);
	free(comps);
	free(dst);
}

/*
 * max_queue counts requests, whatever their size: a file takes max_queue
 * requests of max_data bytes each (here all on one buffer, in place).
 */
/*
 * Requests of max_data bytes, in place, each count 2 * max_data against
 * max_bytes, the file's, and slice_max_bytes, the slice's: the file takes
 * them while it has less than the lower of the two outstanding, then says
 * EAGAIN.
 */
TEST_F_TIMEOUT(slice, queue_byte_budget, 60)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_AES_CTR, 0);
	__u32 per = 2 * self->info.max_data;
	__u32 budget = self->info.max_bytes < self->info.slice_max_bytes ?
		       self->info.max_bytes : self->info.slice_max_bytes;
	__u32 n = (budget + per - 1) / per, h, queued, i;
	struct vcrypt_completion *comps;
	struct vcrypt_request *reqs;
	__u8 *buf;

	buf = calloc(1, self->info.max_data);
	reqs = calloc(n, sizeof(*reqs));
	comps = calloc(n, sizeof(*comps));
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, reqs);
	ASSERT_NE(NULL, comps);
	h = kat_session(self->fd, k);
	ASSERT_NE(0, h);
	for (i = 0; i < n; i++) {
		reqs[i].tag = i;
		reqs[i].session = h;
		reqs[i].iv = vt_ptr(k->iv.p);
		reqs[i].iv_len = 16;
		reqs[i].src = vt_ptr(buf);
		reqs[i].src_len = self->info.max_data;
		reqs[i].dst = vt_ptr(buf);
		reqs[i].dst_len = self->info.max_data;
	}
	ASSERT_GE(self->info.max_queue, n + 1);
	ASSERT_EQ(0, vs_nonblock(self->fd, true));
	queued = submit_n(self->fd, reqs, n, self->info.max_batch);
	EXPECT_EQ(n, queued)
		TH_LOG("%u of %u requests of max_data %u bytes queued",
		       queued, n, self->info.max_data);
	/* completed but unread requests still count */
	EXPECT_EQ(-EAGAIN, vs_submit(self->fd, reqs, 1, &i));
	ASSERT_EQ(0, vs_nonblock(self->fd, false));
	ASSERT_EQ((int)queued, vs_read_all(self->fd, comps, queued));
	for (i = 0; i < queued; i++)
		EXPECT_EQ(0, comps[i].status);
	free(buf);
	free(reqs);
	free(comps);
}

/* Submit SHA-256 requests tagged 0..n-1 and wait for all to complete */
static void complete_n(struct __test_metadata *_metadata, int fd,
		       struct vs_card *card, unsigned int n, __u8 *dst)
{
	struct vcrypt_request r[8];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned int i;
	__u32 h, done;

	ASSERT_GE(8, n);
	ASSERT_EQ(0, vs_session(fd, VCRYPT_ALG_SHA256, NULL, 0, &h));
	for (i = 0; i < n; i++)
		sha_req(&r[i], h, i, (const __u8 *)"abc", dst + i * HASH_DST);
	ASSERT_EQ(0, vs_submit(fd, r, n, &done));
	ASSERT_EQ(n, done);
	ASSERT_EQ(1, poll(&pfd, 1, VS_TIMEOUT_MS));
	ASSERT_EQ(0, wait_idle(card, 0));
}

TEST_F(slice, read_short_buffer)
{
	struct vcrypt_completion comp[2];
	static const size_t lens[] = { 0, 1, 8, sizeof(comp[0]) - 1 };
	__u8 dst[HASH_DST];
	unsigned int i;

	complete_n(_metadata, self->fd, &self->card, 1, dst);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		errno = 0;
		EXPECT_EQ(-1, read(self->fd, comp, lens[i]))
			TH_LOG("read of %zu bytes", lens[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("read of %zu bytes", lens[i]);
	}
	/* the completion is still there */
	ASSERT_EQ(1, vs_read_wait(self->fd, comp, 2, 0));
	EXPECT_EQ(0, comp[0].tag);
	EXPECT_EQ(0, comp[0].status);
	EXPECT_EQ(-1, vt_diff(dst, SHA256_ABC, 32));
}

TEST_F(slice, read_as_many_as_fit)
{
	struct vcrypt_completion comp[4];
	__u8 dst[3 * HASH_DST];
	ssize_t n;

	complete_n(_metadata, self->fd, &self->card, 3, dst);
	n = read(self->fd, comp, 2 * sizeof(comp[0]) + sizeof(comp[0]) / 2);
	EXPECT_EQ(2 * sizeof(comp[0]), n);
	n = read(self->fd, comp + 2, 2 * sizeof(comp[0]));
	EXPECT_EQ(sizeof(comp[0]), n);
	EXPECT_EQ(3, comp[0].tag + comp[1].tag + comp[2].tag);
	EXPECT_TRUE(vs_quiet(self->fd));
}

TEST_F(slice, read_nonblock_empty)
{
	struct vcrypt_completion comp;
	int fd;

	fd = vs_open(&self->card, 0, O_NONBLOCK);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, read(fd, &comp, sizeof(comp)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
	ASSERT_EQ(0, vs_nonblock(self->fd, true));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, &comp, sizeof(comp)));
	EXPECT_EQ(EAGAIN, errno);
}

/* A blocking read waits for the completion of a request submitted later. */
TEST_F(slice, read_blocking_woken)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_AES_CTR, 0);
	struct delayed d = { .fd = self->fd, .ms = 300 };
	struct vcrypt_completion comp;
	struct vcrypt_request r;
	pthread_t th;
	long long t;
	ssize_t n;
	__u32 h;

	h = kat_session(self->fd, k);
	ASSERT_NE(0, h);
	vs_kat_req(k, &self->b, h, 42, &r);
	d.req = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, delayed_call, &d));
	ASSERT_EQ(0, arm_signal(VS_TIMEOUT_MS));
	t = vs_now_ns();
	n = read(self->fd, &comp, sizeof(comp));
	t = vs_now_ns() - t;
	disarm_signal();
	pthread_join(th, NULL);
	ASSERT_EQ(sizeof(comp), n) TH_LOG("read: %s", strerror(errno));
	EXPECT_EQ(0, d.ret);
	EXPECT_LE(200000000LL, t) TH_LOG("read did not block (%lld ns)", t);
	EXPECT_EQ(42, comp.tag);
	EXPECT_EQ(0, comp.status);
	EXPECT_EQ(NULL, vs_kat_check(k, &self->b, comp.out_len, false));
}

TEST_F(slice, read_interrupted)
{
	struct vcrypt_completion comp;
	long long t;
	ssize_t n;

	ASSERT_EQ(0, arm_signal(200));
	t = vs_now_ns();
	n = read(self->fd, &comp, sizeof(comp));
	t = vs_now_ns() - t;
	disarm_signal();
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINTR, errno);
	EXPECT_LE(150000000LL, t);
}

TEST_F(slice, read_efault)
{
	__u8 dst[HASH_DST];

	complete_n(_metadata, self->fd, &self->card, 1, dst);
	errno = 0;
	EXPECT_EQ(-1, syscall(SYS_read, self->fd, NULL,
			      sizeof(struct vcrypt_completion)));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->bad,
			   sizeof(struct vcrypt_completion)));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(slice, poll_readiness)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };
	struct vcrypt_completion comp;
	__u8 dst[HASH_DST];

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLOUT);
	EXPECT_FALSE(pfd.revents & (POLLIN | POLLERR | POLLHUP));

	complete_n(_metadata, self->fd, &self->card, 1, dst);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_TRUE(pfd.revents & POLLOUT);

	ASSERT_EQ(1, vs_read_wait(self->fd, &comp, 1, 0));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_FALSE(pfd.revents & POLLIN);
	EXPECT_TRUE(pfd.revents & POLLOUT);
}

TEST_F(slice, epoll_select_readiness)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out[2];
	struct timeval tv = { 0 };
	struct vcrypt_completion comp;
	fd_set rd, wr;
	__u8 dst[HASH_DST];
	int ep;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.fd = self->fd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 0));
	EXPECT_EQ(EPOLLOUT, out[0].events);

	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(self->fd, &rd);
	FD_SET(self->fd, &wr);
	ASSERT_EQ(1, select(self->fd + 1, &rd, &wr, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(self->fd, &wr));
	EXPECT_FALSE(FD_ISSET(self->fd, &rd));

	complete_n(_metadata, self->fd, &self->card, 1, dst);
	ASSERT_EQ(1, epoll_wait(ep, out, 2, VS_TIMEOUT_MS));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, out[0].events);
	FD_ZERO(&rd);
	FD_SET(self->fd, &rd);
	tv.tv_sec = 0;
	ASSERT_EQ(1, select(self->fd + 1, &rd, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(self->fd, &rd));

	ASSERT_EQ(1, vs_read_wait(self->fd, &comp, 1, 0));
	ASSERT_EQ(1, epoll_wait(ep, out, 2, 0));
	EXPECT_EQ(EPOLLOUT, out[0].events);
	close(ep);
}

/* poll(2) and epoll_wait(2) sleeping for POLLIN wake on a completion. */
TEST_F(slice, poll_woken)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_SHA512, 0);
	struct delayed d = { .fd = self->fd, .ms = 300 };
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct vcrypt_completion comp;
	struct vcrypt_request r;
	pthread_t th;
	long long t;
	__u32 h;
	int ep;

	h = kat_session(self->fd, k);
	ASSERT_NE(0, h);
	vs_kat_req(k, &self->b, h, 5, &r);
	d.req = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, delayed_call, &d));
	t = vs_now_ns();
	EXPECT_EQ(1, poll(&pfd, 1, VS_TIMEOUT_MS));
	t = vs_now_ns() - t;
	pthread_join(th, NULL);
	EXPECT_EQ(POLLIN, pfd.revents & (POLLIN | POLLERR | POLLHUP));
	EXPECT_LE(200000000LL, t);
	ASSERT_EQ(1, vs_read_wait(self->fd, &comp, 1, 0));

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	vs_kat_req(k, &self->b, h, 6, &r);
	ASSERT_EQ(0, pthread_create(&th, NULL, delayed_call, &d));
	t = vs_now_ns();
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, VS_TIMEOUT_MS));
	t = vs_now_ns() - t;
	pthread_join(th, NULL);
	EXPECT_EQ(EPOLLIN, out.events);
	EXPECT_LE(200000000LL, t);
	ASSERT_EQ(1, vs_read_wait(self->fd, &comp, 1, 0));
	EXPECT_EQ(6, comp.tag);
	EXPECT_EQ(NULL, vs_kat_check(k, &self->b, comp.out_len, false));
	close(ep);
}

/*
 * A slice removed (through sysfs) while a file is open on it: every call
 * on the file fails with ENODEV, poll reports POLLERR | POLLHUP, close
 * works, the node is gone, callers blocked in the driver are woken.
 */
FIXTURE(removed) {
	struct vs_card card;
	unsigned int old_slices;
	unsigned int s;
	char node[64];
	int fd;
	__u32 handle;
};

FIXTURE_SETUP(removed)
{
	self->fd = -1;
	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_get_slices(&self->card, &self->old_slices));
	ASSERT_GT(VS_SLICES_MAX, self->old_slices);
	self->s = self->old_slices;
	ASSERT_EQ(0, vs_set_slices(&self->card, self->s + 1));
	vs_node_path(&self->card, self->s, self->node, sizeof(self->node));
	ASSERT_EQ(0, vs_wait_path(self->node, true, 1000))
		TH_LOG("%s did not appear", self->node);
	self->fd = vs_open(&self->card, self->s, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0,
				&self->handle));
}

FIXTURE_TEARDOWN(removed)
{
	if (self->fd >= 0)
		close(self->fd);
	vs_set_slices(&self->card, self->old_slices);
}

/* Remove the highest slices down to @n; wait until @node is gone */
static int remove_slices(struct vs_card *card, unsigned int n,
			 const char *node)
{
	int ret = vs_set_slices(card, n);

	return ret ? ret : vs_wait_path(node, false, 1000);
}

TEST_F(removed, every_call_enodev)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_SHA256, 0);
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };
	struct vcrypt_completion comp;
	struct vcrypt_info info;
	struct vcrypt_request r;
	struct vs_kat_buf b;
	struct vcrypt_op op;
	char path[VT_PATH_MAX];
	unsigned int n;
	struct stat st;
	__u32 h, done;

	/* a completion waits to be read when the slice goes */
	vs_kat_req(k, &b, self->handle, 1, &r);
	ASSERT_EQ(0, vs_submit(self->fd, &r, 1, &done));
	ASSERT_EQ(1, poll(&pfd, 1, VS_TIMEOUT_MS));

	ASSERT_EQ(0, remove_slices(&self->card, self->old_slices,
				   self->node))
		TH_LOG("%s still there", self->node);
	ASSERT_EQ(0, vs_get_slices(&self->card, &n));
	EXPECT_EQ(self->old_slices, n);
	vs_attr_path(&self->card, self->s, "", path, sizeof(path));
	EXPECT_NE(0, stat(path, &st)) TH_LOG("%s still there", path);

	EXPECT_EQ(-ENODEV, vs_info(self->fd, &info));
	EXPECT_EQ(-ENODEV, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0,
				      &h));
	EXPECT_EQ(-ENODEV, vs_session_free(self->fd, self->handle));
	vs_kat_op(k, &b, &op);
	EXPECT_EQ(-ENODEV, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));
	vs_kat_req(k, &b, self->handle, 2, &r);
	EXPECT_EQ(-ENODEV, vs_submit(self->fd, &r, 1, &done));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, &comp, sizeof(comp)));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_EQ(0, vs_nonblock(self->fd, true));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, &comp, sizeof(comp)));
	EXPECT_EQ(ENODEV, errno);
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLERR | POLLHUP, pfd.revents & (POLLERR | POLLHUP));

	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
	errno = 0;
	EXPECT_EQ(-1, open(self->node, O_RDWR));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * A removed slice's read(2) fails with ENODEV whatever it is asked, even
 * what it would refuse on a live slice: a buffer too short for a
 * completion; an unknown ioctl likewise.
 */
TEST_F(removed, short_read_enodev)
{
	struct vcrypt_completion comp;
	char c;

	ASSERT_EQ(0, remove_slices(&self->card, self->old_slices,
				   self->node));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, &c, 1));
	EXPECT_EQ(ENODEV, errno);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, &comp, sizeof(comp) - 1));
	EXPECT_EQ(ENODEV, errno);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, NULL, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-ENODEV, vs_ioctl(self->fd, _IO(VCRYPT_IOC_MAGIC, 0x7f),
				    NULL));
}

struct blocked {
	int fd;
	int what;	/* 0: read, 1: poll, 2: submit */
	struct vcrypt_request *req;
	int ret;
	short revents;
};

static void *blocked_call(void *arg)
{
	struct blocked *b = arg;
	struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
	struct vcrypt_completion comp;
	__u32 done;

	switch (b->what) {
	case 0:
		b->ret = read(b->fd, &comp, sizeof(comp)) < 0 ? -errno : 0;
		break;
	case 1:
		b->ret = poll(&pfd, 1, 2 * VS_TIMEOUT_MS);
		b->revents = pfd.revents;
		break;
	default:
		b->ret = vs_submit(b->fd, b->req, 1, &done);
		break;
	}
	return NULL;
}

TEST_F(removed, blocked_callers_woken)
{
	struct blocked bl[3] = { { .what = 0 }, { .what = 1 }, { .what = 2 } };
	struct vcrypt_request *reqs;
	struct vcrypt_info info;
	struct timespec ts;
	pthread_t th[3];
	__u32 h, i, n;
	__u8 *dst;
	int fd2;

	/* a second file with a full queue, for a blocked SUBMIT */
	fd2 = vs_open(&self->card, self->s, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, vs_info(fd2, &info));
	n = info.max_queue;
	ASSERT_EQ(0, vs_session(fd2, VCRYPT_ALG_SHA256, NULL, 0, &h));
	reqs = calloc(n + 1, sizeof(*reqs));
	dst = calloc(n + 1, HASH_DST);
	ASSERT_NE(NULL, reqs);
	ASSERT_NE(NULL, dst);
	for (i = 0; i < n + 1; i++)
		sha_req(&reqs[i], h, i, (const __u8 *)"abc", dst + i * HASH_DST);
	ASSERT_EQ(n, submit_n(fd2, reqs, n, info.max_batch));

	bl[0].fd = self->fd;
	bl[1].fd = self->fd;
	bl[2].fd = fd2;
	bl[2].req = reqs + n;
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, blocked_call, &bl[i]));
	vs_sleep_ms(300);
	ASSERT_EQ(0, remove_slices(&self->card, self->old_slices,
				   self->node));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += VS_TIMEOUT_MS / 1000;
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_timedjoin_np(th[i], NULL, &ts))
			TH_LOG("caller %u still blocked after the removal", i);
	EXPECT_EQ(-ENODEV, bl[0].ret) TH_LOG("read");
	EXPECT_EQ(1, bl[1].ret) TH_LOG("poll");
	EXPECT_EQ(POLLERR | POLLHUP, bl[1].revents & (POLLERR | POLLHUP));
	EXPECT_EQ(-ENODEV, bl[2].ret) TH_LOG("SUBMIT");
	EXPECT_EQ(0, close(fd2));
	free(reqs);
	free(dst);
}

/*
 * A slice added again after a removal is a new slice, even while a file
 * of the removed one is still open: default weight, counters at zero.
 */
TEST_F(removed, added_again_is_new)
{
	const struct vs_kat *k = kat_by_alg(VCRYPT_ALG_SHA256, 0);
	struct vcrypt_completion comp;
	struct vcrypt_request r;
	struct vcrypt_info info;
	struct vs_kat_buf b;
	__u32 h, done;
	int fd2;

	vs_kat_req(k, &b, self->handle, 1, &r);
	ASSERT_EQ(0, vs_submit(self->fd, &r, 1, &done));
	ASSERT_EQ(1, vs_read_all(self->fd, &comp, 1));
	ASSERT_EQ(0, vs_set_weight(&self->card, self->s, 7));
	ASSERT_EQ(0, remove_slices(&self->card, self->old_slices,
				   self->node));

	ASSERT_EQ(0, vs_set_slices(&self->card, self->s + 1));
	ASSERT_EQ(0, vs_wait_path(self->node, true, 1000));
	fd2 = vs_open(&self->card, self->s, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, vs_info(fd2, &info));
	EXPECT_EQ(self->card.base + self->s, info.slice);
	EXPECT_EQ(VS_WEIGHT_DEFAULT, info.weight);
	EXPECT_EQ(VS_WEIGHT_DEFAULT, vs_attr_val(&self->card, self->s,
						 "weight"));
	EXPECT_EQ(1, vs_attr_val(&self->card, self->s, "open_files"));
	EXPECT_EQ(0, vs_attr_val(&self->card, self->s, "completed_ops"));
	EXPECT_EQ(0, vs_attr_val(&self->card, self->s, "card_time_ns"));
	/* the old file still fails, the new one works */
	EXPECT_EQ(-ENODEV, vs_info(self->fd, &info));
	ASSERT_EQ(0, vs_session(fd2, k->alg, NULL, 0, &h));
	vs_kat_req(k, &b, h, 3, &r);
	ASSERT_EQ(0, vs_submit(fd2, &r, 1, &done));
	ASSERT_EQ(1, vs_read_all(fd2, &comp, 1));
	EXPECT_EQ(0, comp.status);
	EXPECT_EQ(NULL, vs_kat_check(k, &b, comp.out_len, false));
	close(fd2);
}

TEST_HARNESS_MAIN
