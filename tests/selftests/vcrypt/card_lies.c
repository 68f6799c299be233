// SPDX-License-Identifier: GPL-2.0
/*
 * A card that lies. The QEMU model's fault injection (card-spec.rst,
 * "Fault injection"), set through QEMU's monitor while the test runs,
 * makes the card post completions that break its specification, or write
 * less than it says. The driver must not pass any of it on:
 *
 * - a successful completion whose out_len is not exactly what the
 *   operation produces (one byte short, one byte long) fails the request
 *   with EIO: through a slice (SUBMIT and OP) and through the crypto API
 *   (AF_ALG hash and skcipher); nothing but the caller's own bytes and
 *   what the card wrote is in the destination, no IV is written back;
 * - a status the specification does not define, AUTH for anything but an
 *   AES-GCM decryption, an error with an out_len, reserved flag bits: EIO;
 * - every such completion counts in the card's bad_results (debugfs) and
 *   in the slice's errors;
 * - bytes the card leaves unwritten reach the caller as zeros, never as
 *   what a kernel buffer held before: the head copy of a large misaligned
 *   destination, the digest buffer of the crypto API hash;
 * - limits registers that claim more than the descriptor and the driver
 *   can use are clamped when the card is bound.
 *
 * Without the monitor (no /dev/ttyS2 to it) the tests skip.
 */
#include <linux/if_alg.h>
#include <sys/socket.h>

#include "vcrypt_slice.h"
#include "vcrypt_qmp.h"
#include "kselftest_harness.h"

#define HASH_DST	64
#define PCI_DRIVER	"/sys/bus/pci/drivers/vcrypt"
/* A misaligned 1 MiB buffer spans 257 pages: its head is copied */
#define BIG		0x100000
#define BIG_OFF		100
#define BIG_PAGES	258

static const char * const knobs[][2] = {
	{ "fault-out-len-delta", "0" },
	{ "fault-dst-skip", "0" },
	{ "fault-cqe-status", "0" },
	{ "fault-cqe-flags", "0" },
	{ "fault-lie-limits", "false" },
};

FIXTURE(lies) {
	struct vs_card card;
	unsigned int old_slices;
	int fd;
	__u32 sha;	/* SHA-256 session of fd */
};

FIXTURE_SETUP(lies)
{
	self->fd = -1;
	if (!vq_available())
		SKIP(return, "no QMP monitor on " VQ_TTY);
	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, 1, &self->old_slices));
	self->fd = vs_open(&self->card, 0, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vs_session(self->fd, VCRYPT_ALG_SHA256, NULL, 0,
				&self->sha));
}

FIXTURE_TEARDOWN(lies)
{
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		vq_card_set(knobs[i][0], knobs[i][1]);
	if (self->fd >= 0)
		close(self->fd);
	/* a test that failed between unbind and bind leaves the card alone */
	if (stat(self->card.dir, &st))
		vs_write_str(PCI_DRIVER "/bind", self->card.bdf);
	if (self->old_slices < 1)
		vs_set_slices(&self->card, self->old_slices);
}

/* Set a fault-injection property of the card */
static void knob(struct __test_metadata *_metadata, const char *name,
		 const char *json)
{
	ASSERT_EQ(0, vq_card_set(name, json))
		TH_LOG("qom-set %s %s", name, json);
}

#define KNOB(name, json) knob(_metadata, name, json)

static __u64 bad_results(struct vs_card *c)
{
	__u64 v = ~0ull;

	vs_card_stat(c, "bad_results", &v);
	return v;
}

/* Every byte of @buf is @want's or @canary */
static bool only(const __u8 *buf, const __u8 *want, size_t len, __u8 canary)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != want[i] && buf[i] != canary)
			return false;
	return true;
}

/* SHA-256 of "abc" by SUBMIT: the completion's status; @dst gets it */
static int sha_submit(struct __test_metadata *_metadata, int fd, __u32 h,
		      __u8 *dst, __u32 *out_len)
{
	struct vcrypt_completion comp;
	struct vcrypt_request r = {
		.tag = 77, .session = h,
		.src = vt_ptr("abc"), .src_len = 3,
		.dst = vt_ptr(dst), .dst_len = HASH_DST,
	};
	__u32 done;

	memset(dst, VS_CANARY, HASH_DST);
	if (vs_submit(fd, &r, 1, &done))
		return -1000;
	if (vs_read_all(fd, &comp, 1) != 1)
		return -1001;
	EXPECT_EQ(77, comp.tag);
	*out_len = comp.out_len;
	return comp.status;
}

/* An AF_ALG operation socket for @type/@name keyed with @key; or -errno */
static int alg_open(const char *type, const char *name, const void *key,
		    unsigned int key_len, int *tfm)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int op;

	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", type);
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", name);
	*tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (*tfm < 0)
		return -errno;
	if (bind(*tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (key && setsockopt(*tfm, SOL_ALG, ALG_SET_KEY, key, key_len)))
		goto err;
	op = accept4(*tfm, NULL, 0, SOCK_CLOEXEC);
	if (op >= 0)
		return op;
err:
	op = -errno;
	close(*tfm);
	return op;
}

/* sha256 of "abc" by the crypto API into @out (32 bytes); 0 or -errno */
static int alg_sha256(__u8 *out)
{
	int tfm, op, ret = 0;

	op = alg_open("hash", "sha256", NULL, 0, &tfm);
	if (op < 0)
		return op;
	if (send(op, "abc", 3, 0) != 3 || read(op, out, 32) != 32)
		ret = -errno;
	close(op);
	close(tfm);
	return ret;
}

/* cbc(aes) encryption of SP 800-38A F.2.1 into @out (64 bytes) */
static int alg_cbc(__u8 *out)
{
	union {
		char buf[CMSG_SPACE(sizeof(__u32)) +
			 CMSG_SPACE(sizeof(struct af_alg_iv) + 16)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)SP800_38A_PT, .iov_len = 64 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct af_alg_iv *aiv;
	struct cmsghdr *c;
	int tfm, op, ret = 0;
	__u32 dir = ALG_OP_ENCRYPT;

	op = alg_open("skcipher", "cbc(aes)", SP800_38A_KEY128, 16, &tfm);
	if (op < 0)
		return op;
	memset(&cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(dir));
	memcpy(CMSG_DATA(c), &dir, sizeof(dir));
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*aiv) + 16);
	aiv = (struct af_alg_iv *)CMSG_DATA(c);
	aiv->ivlen = 16;
	memcpy(aiv->iv, SP800_38A_CBC_IV, 16);
	if (sendmsg(op, &msg, 0) != 64 || read(op, out, 64) != 64)
		ret = -errno;
	close(op);
	close(tfm);
	return ret;
}

/* The host slice's attribute @attr (vcrypt-host<c> of the card) */
static __u64 host_attr(struct vs_card *c, const char *attr)
{
	char path[VT_PATH_MAX];
	struct dirent *de;
	__u64 v = ~0ull;
	DIR *d;

	d = opendir(VS_CLASS);
	if (!d)
		return v;
	de = vs_class_next(d, "vcrypt-host", c->bdf);
	if (de) {
		snprintf(path, sizeof(path), VS_CLASS "/%s/%s", de->d_name,
			 attr);
		vs_read_u64(path, &v);
	}
	closedir(d);
	return v;
}

/*
 * out_len one byte short (the card also writes one byte less) or long:
 * EIO everywhere, counted, and only the caller's own bytes or the card's
 * in the destination.
 */
static void wrong_out_len(struct __test_metadata *_metadata,
			  struct vs_card *card, int fd, __u32 sha, int delta)
{
	const struct vs_kat *cbc = &vs_kats[0];
	__u64 bad, errors, host_ops, host_errors;
	__u8 dst[HASH_DST], out[64];
	struct vs_kat_buf b;
	struct vcrypt_op op;
	__u32 out_len = 1;
	char v[16];

	ASSERT_EQ(VCRYPT_ALG_AES_CBC, cbc->alg);
	snprintf(v, sizeof(v), "%d", delta);
	KNOB("fault-out-len-delta", v);
	bad = bad_results(card);
	errors = vs_attr_val(card, 0, "errors");
	host_ops = host_attr(card, "completed_ops");
	host_errors = host_attr(card, "errors");

	EXPECT_EQ(-EIO, sha_submit(_metadata, fd, sha, dst,
				   &out_len));
	EXPECT_EQ(0, out_len);
	EXPECT_TRUE(only(dst, (const __u8 *)SHA256_ABC, 32, VS_CANARY));
	EXPECT_EQ(VS_CANARY, dst[32]);

	vs_kat_op(cbc, &b, &op);
	op.out_len = 1;
	EXPECT_EQ(-EIO, vs_ioctl(fd, VCRYPT_IOC_OP, &op));
	EXPECT_EQ(0, op.out_len);
	EXPECT_EQ(-1, vt_diff(b.iv, cbc->iv.p, 16)) TH_LOG("IV written back");
	EXPECT_TRUE(only(b.dst, cbc->out.p, 64, VS_CANARY));

	memset(out, VS_CANARY, sizeof(out));
	EXPECT_EQ(-EIO, alg_sha256(out));
	EXPECT_TRUE(only(out, (const __u8 *)SHA256_ABC, 32, VS_CANARY));
	memset(out, VS_CANARY, sizeof(out));
	EXPECT_EQ(-EIO, alg_cbc(out));

	EXPECT_EQ(bad + 4, bad_results(card));
	EXPECT_EQ(errors + 2, vs_attr_val(card, 0, "errors"));
	EXPECT_EQ(host_ops + 2, host_attr(card, "completed_ops"))
		TH_LOG("the crypto API did not use the card");
	EXPECT_EQ(host_errors + 2, host_attr(card, "errors"));

	/* an honest card again */
	KNOB("fault-out-len-delta", "0");
	EXPECT_EQ(0, sha_submit(_metadata, fd, sha, dst,
				&out_len));
	EXPECT_EQ(32, out_len);
	EXPECT_EQ(-1, vt_diff(dst, SHA256_ABC, 32));
	EXPECT_EQ(0, alg_sha256(out));
	EXPECT_EQ(-1, vt_diff(out, SHA256_ABC, 32));
	EXPECT_EQ(bad + 4, bad_results(card));
}

TEST_F(lies, out_len_short)
{
	wrong_out_len(_metadata, &self->card, self->fd, self->sha, -1);
}

TEST_F(lies, out_len_long)
{
	wrong_out_len(_metadata, &self->card, self->fd, self->sha, 1);
}

/*
 * Statuses and flags the specification does not allow fail with EIO; a
 * lie the driver cannot see through (an error status on a success) gives
 * that error.
 */
TEST_F(lies, bad_status_and_flags)
{
	static const struct {
		const char *knob, *value, *delta;
		int err;
	} cases[] = {
		{ "fault-cqe-status", "127", "0", -EIO },	/* undefined */
		{ "fault-cqe-status", "6", "0", -EIO },	/* AUTH on SHA-256 */
		{ "fault-cqe-status", "3", "4", -EIO },	/* error + out_len */
		{ "fault-cqe-status", "3", "0", -EINVAL },	/* BAD_LEN */
		{ "fault-cqe-flags", "2", "0", -EIO },
		{ "fault-cqe-flags", "32768", "0", -EIO },
	};
	__u8 dst[HASH_DST];
	__u32 out_len;
	unsigned int i;
	__u64 bad;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KNOB(cases[i].knob, cases[i].value);
		KNOB("fault-out-len-delta", cases[i].delta);
		bad = bad_results(&self->card);
		out_len = 1;
		EXPECT_EQ(cases[i].err, sha_submit(_metadata, self->fd,
						   self->sha, dst, &out_len))
			TH_LOG("%s %s, out_len delta %s", cases[i].knob,
			       cases[i].value, cases[i].delta);
		EXPECT_EQ(0, out_len);
		EXPECT_EQ(bad + (cases[i].err == -EIO),
			  bad_results(&self->card));
		KNOB(cases[i].knob, "0");
	}
	KNOB("fault-out-len-delta", "0");
	EXPECT_EQ(0, sha_submit(_metadata, self->fd, self->sha, dst,
				&out_len));
}

/*
 * AUTH is what an AES-GCM decryption may fail with: a card that claims it
 * for a decryption that succeeded cannot be told from an honest one, and
 * the operation fails with EBADMSG.
 */
TEST_F(lies, auth_on_gcm_decrypt)
{
	const struct vs_kat *gcm = &vs_kats[7];
	struct vs_kat_buf b;
	struct vcrypt_op op;
	__u64 bad;

	ASSERT_EQ(VCRYPT_ALG_AES_GCM, gcm->alg);
	ASSERT_EQ(VCRYPT_OP_DECRYPT, gcm->flags);
	KNOB("fault-cqe-status", "6");
	bad = bad_results(&self->card);
	vs_kat_op(gcm, &b, &op);
	EXPECT_EQ(-EBADMSG, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));
	EXPECT_EQ(bad, bad_results(&self->card));
}

/*
 * Bytes the card leaves unwritten reach the caller as zeros: the head copy
 * of a misaligned 1 MiB destination on pages none of which is next to the
 * one before (so that it needs more SG entries than the card takes: a CTR
 * round trip, the first 64 bytes of the decryption are zeros, the rest is
 * the plaintext), and the digest buffer of the crypto API's sha256 (the
 * first 16 bytes are zeros, the rest is the published digest).
 */
TEST_F(lies, unwritten_bytes_are_zeros)
{
	const struct vs_kat *ctr = &vs_kats[2];
	struct vcrypt_op op;
	struct vs_kat_buf b;
	__u8 *pt, *ct, *out, digest[32];
	unsigned int i;

	ASSERT_EQ(VCRYPT_ALG_AES_CTR, ctr->alg);
	pt = malloc(BIG + BIG_OFF);
	ct = malloc(BIG + BIG_OFF);
	out = vs_scattered(BIG_PAGES);
	ASSERT_NE(NULL, pt);
	ASSERT_NE(NULL, ct);
	ASSERT_NE(NULL, out) TH_LOG("no scattered destination");
	for (i = 1; i < BIG_PAGES; i++)
		ASSERT_NE(vs_pfn(out + (i - 1) * VS_PAGE) + 1,
			  vs_pfn(out + i * VS_PAGE));
	vt_pattern(pt + BIG_OFF, BIG, 9);
	memcpy(pt + BIG_OFF, SP800_38A_PT, 64);

	vs_kat_op(ctr, &b, &op);
	op.src = vt_ptr(pt + BIG_OFF);
	op.dst = vt_ptr(ct + BIG_OFF);
	op.src_len = BIG;
	op.dst_len = BIG;
	ASSERT_EQ(0, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));
	EXPECT_EQ(-1, vt_diff(ct + BIG_OFF, SP800_38A_CTR128_CT, 64));

	KNOB("fault-dst-skip", "64");
	memset(out, VS_CANARY, BIG + BIG_OFF);
	vs_kat_op(ctr, &b, &op);
	op.flags = VCRYPT_OP_DECRYPT;
	op.src = vt_ptr(ct + BIG_OFF);
	op.dst = vt_ptr(out + BIG_OFF);
	op.src_len = BIG;
	op.dst_len = BIG;
	ASSERT_EQ(0, vs_ioctl(self->fd, VCRYPT_IOC_OP, &op));
	EXPECT_EQ(BIG, op.out_len);
	for (i = 0; i < 64; i++)
		if (out[BIG_OFF + i])
			break;
	EXPECT_EQ(64, i) TH_LOG("byte %u of the head is %#x", i,
				out[BIG_OFF + i]);
	EXPECT_EQ(-1, vt_diff(out + BIG_OFF + 64, pt + BIG_OFF + 64,
			      BIG - 64));

	KNOB("fault-dst-skip", "16");
	memset(digest, VS_CANARY, sizeof(digest));
	EXPECT_EQ(0, alg_sha256(digest));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, digest[i]) TH_LOG("digest byte %u", i);
	EXPECT_EQ(-1, vt_diff(digest + 16, SHA256_ABC + 16, 16));
	free(pt);
	free(ct);
	munmap(out, BIG_PAGES * VS_PAGE);
}

/* Unbind and bind @card; the file *@fd is closed first */
static int rebind(struct vs_card *card, int *fd)
{
	int ret;

	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	ret = vs_write_str(PCI_DRIVER "/unbind", card->bdf);
	if (!ret)
		ret = vs_write_str(PCI_DRIVER "/bind", card->bdf);
	if (!ret)
		ret = vs_card_open(card);
	return ret;
}

/*
 * MAX_RING, MAX_DATA and MAX_SGE of 0xffffffff: the driver takes 4096
 * entries, 1 MiB and 256 entries, what it and the descriptor can use, and
 * a request of more than 1 MiB is E2BIG.
 */
TEST_F(lies, limits_clamped)
{
	const struct vs_kat *ctr = &vs_kats[2];
	struct vcrypt_info info;
	struct vs_kat_buf b;
	struct vcrypt_op op;
	__u64 v = 0;
	__u8 *buf;
	int fd;

	buf = malloc(BIG + 4096);
	ASSERT_NE(NULL, buf);
	KNOB("fault-lie-limits", "true");
	ASSERT_EQ(0, rebind(&self->card, &self->fd));
	ASSERT_EQ(0, vs_card_stat(&self->card, "card_max_ring", &v));
	EXPECT_EQ(4096, v);
	ASSERT_EQ(0, vs_card_stat(&self->card, "card_max_data", &v));
	EXPECT_EQ(BIG, v);
	ASSERT_EQ(0, vs_card_stat(&self->card, "card_max_sge", &v));
	EXPECT_EQ(256, v);
	fd = vs_open(&self->card, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vs_info(fd, &info));
	EXPECT_EQ(BIG, info.max_data);
	vs_kat_op(ctr, &b, &op);
	op.src = vt_ptr(buf);
	op.dst = vt_ptr(buf);
	op.src_len = BIG + 16;
	op.dst_len = BIG + 16;
	EXPECT_EQ(-E2BIG, vs_ioctl(fd, VCRYPT_IOC_OP, &op));
	op.src_len = BIG;
	EXPECT_EQ(0, vs_ioctl(fd, VCRYPT_IOC_OP, &op));
	close(fd);

	KNOB("fault-lie-limits", "false");
	ASSERT_EQ(0, rebind(&self->card, &self->fd));
	self->fd = vs_open(&self->card, 0, 0);
	ASSERT_LE(0, self->fd);
	free(buf);
}

TEST_HARNESS_MAIN
