// SPDX-License-Identifier: GPL-2.0
/*
 * Every algorithm of the driver in the kernel crypto API at every length,
 * through AF_ALG sockets bound by the generic names (so that the crypto
 * API picks the driver), against the reference (OpenSSL, vcrypt_ref.h):
 * cbc(aes), ctr(aes) and gcm(aes) with 128, 192 and 256-bit keys, xts(aes)
 * with 256, 384 and 512-bit keys, rfc4106(gcm(aes)), sha256, sha512 and
 * hmac(sha256) with keys shorter than, as long as and longer than the
 * block, up to longer than the card takes (the driver hashes those). Each:
 *
 * - lengths: every length from 0 to 1 KiB the algorithm takes, both
 *   directions; gcm(aes) with every tag size and AAD lengths from 0 to
 *   1 KiB, some decryptions with a changed bit (EBADMSG);
 * - boundaries: block and page multiples and a byte and a block either
 *   side, up to the card's 1 MiB (and over it: the software fallback);
 * - random: lengths drawn from a fixed seed up to 1 MiB;
 * - shapes: the input in several sendmsg() calls or spliced from user
 *   pages, the output in iovecs of odd sizes across pages: scatterlists
 *   of every shape, up to more entries than the card's SG tables hold
 *   (the software fallback).
 *
 * Every result is compared with the reference, and the host slice's
 * counters prove who did the work: completed_ops grows by exactly the
 * number of requests the card must have served, fallback_ops by those the
 * driver must run in software (hashes over 4 KiB, which the driver does
 * not collect for the card; data over 1 MiB or over 256 segments), and
 * the card's own card_ops by at least as many.
 */
#include <fcntl.h>
#include <linux/if_alg.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "vcrypt_ref.h"
#include "vcrypt_slice.h"
#include "kselftest_harness.h"

#ifndef SOL_ALG
#define SOL_ALG			279
#endif

#define RC_HOST_PREFIX		"vcrypt-host"
#define RC_MAX			(VCRYPT_HW_DATA_MAX + 64)
#define RC_BUF			(RC_MAX + 2 * 4096)
/* The most data a transform collects for one card digest */
#define RC_HASH_BUF		4096
#define RC_PARTS		300	/* iovecs at most */
#define RC_GAP			3	/* canary bytes between iovecs */
#define RC_CANARY		0xa5
#define RC_REPORT		8
/* Socket buffers for requests of up to 1 MiB in one piece */
#define RC_SOCKBUF		(8 << 20)
#define RC_RFC4106_SALT		4
#define RC_RFC4106_IV		8

/* How a request's data travels (sizes; 0 ends a list, the rest goes last) */
struct rc_shape {
	unsigned int send[8];	/* sendmsg() calls */
	unsigned int recv[8];	/* output iovecs */
	unsigned int recv_n;	/* or: this many iovecs of recv[0] bytes */
	bool splice;		/* input vmsplice()d from user pages */
};

struct rc {
	struct vs_card card;
	char host[VT_PATH_MAX];
	const char *name;
	const char *type;
	__u32 alg;
	bool rfc4106;
	int tfm;
	int op;
	__u8 key[256];
	__u32 key_len;
	__u32 tag_len;
	__u8 *in;		/* page aligned, RC_BUF each */
	__u8 *out;
	__u8 *want;
	__u8 *plain;
	__u32 seed;
	unsigned long checked;
	unsigned long wrong;
	unsigned long card_reqs;	/* the card must serve these */
	unsigned long soft_reqs;	/* the driver must run these */
	unsigned long soft_hashes;	/* hashes in software: >= 1 each */
	__u64 completed0;
	__u64 fallback0;
	__u64 card_ops0;
};

FIXTURE(ref) {
	struct rc s;
};

FIXTURE_VARIANT(ref) {
	const char *name;
	const char *type;
	__u32 alg;
	__u32 key_len;
	bool rfc4106;
};

FIXTURE_VARIANT_ADD(ref, cbc128) {
	.name = "cbc(aes)", .type = "skcipher",
	.alg = VCRYPT_ALG_AES_CBC, .key_len = 16,
};

FIXTURE_VARIANT_ADD(ref, cbc192) {
	.name = "cbc(aes)", .type = "skcipher",
	.alg = VCRYPT_ALG_AES_CBC, .key_len = 24,
};

FIXTURE_VARIANT_ADD(ref, cbc256) {
	.name = "cbc(aes)", .type = "skcipher",
	.alg = VCRYPT_ALG_AES_CBC, .key_len = 32,
};

FIXTURE_VARIANT_ADD(ref, ctr128) {
	.name = "ctr(aes)", .type = "skcipher",
	.alg = VCRYPT_ALG_AES_CTR, .key_len = 16,
};

FIXTURE_VARIANT_ADD(ref, ctr192) {
	.name = "ctr(aes)", .type = "skcipher",
	.alg = VCRYPT_ALG_AES_CTR, .key_len = 24,
};

FIXTURE_VARIANT_ADD(ref, ctr256) {
	.name = "ctr(aes)", .type = "skcipher",
	.alg = VCRYPT_ALG_AES_CTR, .key_len = 32,
};

FIXTURE_VARIANT_ADD(ref, xts256) {
	.name = "xts(aes)", .type = "skcipher",
	.alg = VCRYPT_ALG_AES_XTS, .key_len = 32,
};

FIXTURE_VARIANT_ADD(ref, xts384) {
	.name = "xts(aes)", .type = "skcipher",
	.alg = VCRYPT_ALG_AES_XTS, .key_len = 48
};

FIXTURE_VARIANT_ADD(ref, xts512) {
	.name = "xts(aes)", .type = "skcipher",
	.alg = VCRYPT_ALG_AES_XTS, .key_len = 64
};

FIXTURE_VARIANT_ADD(ref, gcm128) {
	.name = "gcm(aes)", .type = "aead",
	.alg = VCRYPT_ALG_AES_GCM, .key_len = 16,
};

FIXTURE_VARIANT_ADD(ref, gcm192) {
	.name = "gcm(aes)", .type = "aead",
	.alg = VCRYPT_ALG_AES_GCM, .key_len = 24,
};

FIXTURE_VARIANT_ADD(ref, gcm256) {
	.name = "gcm(aes)", .type = "aead",
	.alg = VCRYPT_ALG_AES_GCM, .key_len = 32,
};

FIXTURE_VARIANT_ADD(ref, rfc4106_128) {
	.name = "rfc4106(gcm(aes))", .type = "aead",
	.alg = VCRYPT_ALG_AES_GCM, .key_len = 16, .rfc4106 = true,
};

FIXTURE_VARIANT_ADD(ref, rfc4106_256) {
	.name = "rfc4106(gcm(aes))", .type = "aead",
	.alg = VCRYPT_ALG_AES_GCM, .key_len = 32, .rfc4106 = true,
};

FIXTURE_VARIANT_ADD(ref, sha256) {
	.name = "sha256", .type = "hash",
	.alg = VCRYPT_ALG_SHA256, .key_len = 0,
};

FIXTURE_VARIANT_ADD(ref, sha512) {
	.name = "sha512", .type = "hash",
	.alg = VCRYPT_ALG_SHA512, .key_len = 0,
};

/* keys of 32, 64, 100, 128 and 131 bytes in turn */
FIXTURE_VARIANT_ADD(ref, hmac_sha256) {
	.name = "hmac(sha256)", .type = "hash",
	.alg = VCRYPT_ALG_HMAC_SHA256, .key_len = 32,
};

static __u8 *rc_map(void)
{
	void *p = mmap(NULL, RC_BUF, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int rc_host_attr(struct rc *s, const char *attr, __u64 *val)
{
	char path[VT_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", s->host, attr);
	return vs_read_u64(path, val);
}

FIXTURE_SETUP(ref)
{
	struct rc *s = &self->s;
	const char *why = vr_self_test();
	struct dirent *de;
	DIR *d;

	ASSERT_EQ(NULL, why) TH_LOG("the reference: %s", why);
	memset(s, 0, sizeof(*s));
	s->tfm = -1;
	s->op = -1;
	ASSERT_EQ(0, vs_card_open(&s->card))
		TH_LOG("no vcrypt card with %s/slices", s->card.dir);
	d = opendir(VS_CLASS);
	ASSERT_NE(NULL, d);
	de = vs_class_next(d, RC_HOST_PREFIX, s->card.bdf);
	if (de)
		snprintf(s->host, sizeof(s->host), VS_CLASS "/%s",
			 de->d_name);
	closedir(d);
	ASSERT_NE(NULL, de) TH_LOG("no host slice of the card");
	s->name = variant->name;
	s->type = variant->type;
	s->alg = variant->alg;
	s->rfc4106 = variant->rfc4106;
	s->seed = variant->alg << 8 | variant->key_len | variant->rfc4106;
	s->in = rc_map();
	s->out = rc_map();
	s->want = rc_map();
	s->plain = rc_map();
	ASSERT_NE(NULL, s->in);
	ASSERT_NE(NULL, s->out);
	ASSERT_NE(NULL, s->want);
	ASSERT_NE(NULL, s->plain);
	ASSERT_EQ(0, rc_host_attr(s, "completed_ops", &s->completed0));
	ASSERT_EQ(0, rc_host_attr(s, "fallback_ops", &s->fallback0));
	ASSERT_EQ(0, vs_card_stat(&s->card, "card_ops", &s->card_ops0));
}

FIXTURE_TEARDOWN(ref)
{
	struct rc *s = &self->s;

	if (s->op >= 0)
		close(s->op);
	if (s->tfm >= 0)
		close(s->tfm);
	munmap(s->in, RC_BUF);
	munmap(s->out, RC_BUF);
	munmap(s->want, RC_BUF);
	munmap(s->plain, RC_BUF);
}

/*
 * A new transform with a key of @key_len bytes (random, or the variant's
 * length when 0) and tag size @tag_len (AEADs), and its operation socket
 */
static void rc_tfm(struct __test_metadata *_metadata, struct rc *s,
		   __u32 key_len, __u32 tag_len)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int size = RC_SOCKBUF;

	if (s->op >= 0)
		close(s->op);
	if (s->tfm >= 0)
		close(s->tfm);
	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", s->type);
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", s->name);
	s->tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s->tfm);
	ASSERT_EQ(0, bind(s->tfm, (struct sockaddr *)&sa, sizeof(sa)))
		TH_LOG("%s: %s", s->name, strerror(errno));
	s->key_len = key_len + (s->rfc4106 ? RC_RFC4106_SALT : 0);
	vr_fill(s->key, s->key_len, s->seed++);
	if (s->key_len)
		ASSERT_EQ(0, setsockopt(s->tfm, SOL_ALG, ALG_SET_KEY, s->key,
					s->key_len))
			TH_LOG("%s: key of %u bytes: %s", s->name, s->key_len,
			       strerror(errno));
	s->tag_len = tag_len;
	if (tag_len)
		ASSERT_EQ(0, setsockopt(s->tfm, SOL_ALG,
					ALG_SET_AEAD_AUTHSIZE, NULL, tag_len))
			TH_LOG("%s: tag of %u bytes: %s", s->name, tag_len,
			       strerror(errno));
	s->op = accept4(s->tfm, NULL, 0, SOCK_CLOEXEC);
	ASSERT_LE(0, s->op);
	/* room for 1 MiB in one request (root may force it) */
	ASSERT_EQ(0, setsockopt(s->op, SOL_SOCKET, SO_SNDBUFFORCE, &size,
				sizeof(size)));
	ASSERT_EQ(0, setsockopt(s->op, SOL_SOCKET, SO_RCVBUFFORCE, &size,
				sizeof(size)));
}

/* sendmsg() of @len bytes at @buf, first with the request's cmsgs */
static ssize_t rc_sendmsg(struct rc *s, bool first, bool decrypt,
			  const __u8 *iv, __u32 iv_len, int assoclen,
			  const void *buf, size_t len, int flags)
{
	union {
		char buf[2 * CMSG_SPACE(sizeof(__u32)) +
			 CMSG_SPACE(sizeof(struct af_alg_iv) + VR_BLOCK)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct af_alg_iv *aiv;
	struct cmsghdr *c;
	__u32 v;
	ssize_t n;

	if (first && strcmp(s->type, "hash")) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_OP;
		c->cmsg_len = CMSG_LEN(sizeof(v));
		v = decrypt ? ALG_OP_DECRYPT : ALG_OP_ENCRYPT;
		memcpy(CMSG_DATA(c), &v, sizeof(v));
		c = CMSG_NXTHDR(&msg, c);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_IV;
		c->cmsg_len = CMSG_LEN(sizeof(*aiv) + iv_len);
		aiv = (struct af_alg_iv *)CMSG_DATA(c);
		aiv->ivlen = iv_len;
		memcpy(aiv->iv, iv, iv_len);
		c = CMSG_NXTHDR(&msg, c);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
		c->cmsg_len = CMSG_LEN(sizeof(v));
		v = assoclen;
		memcpy(CMSG_DATA(c), &v, sizeof(v));
	}
	n = sendmsg(s->op, &msg, flags);
	return n < 0 ? -errno : n;
}

/* The size of part @k of @parts (8 at most) with @left bytes left */
static size_t rc_part(const unsigned int *parts, unsigned int k, size_t left)
{
	if (k + 1 < 8 && parts[k] && parts[k] < left)
		return parts[k];
	return left;
}

/* Send @len bytes of s->in as @shape says; 0 or -errno */
static int rc_send(struct rc *s, const struct rc_shape *shape, bool decrypt,
		   const __u8 *iv, __u32 iv_len, int assoclen, size_t len)
{
	struct iovec iov[8];
	unsigned int k = 0;
	size_t done = 0, part;
	ssize_t n;
	int p[2];

	if (!len && !strcmp(s->type, "hash"))
		return 0;
	if (!shape->splice) {
		do {
			part = rc_part(shape->send, k++, len - done);
			n = rc_sendmsg(s, !done, decrypt, iv, iv_len, assoclen,
				       s->in + done, part,
				       done + part < len ? MSG_MORE : 0);
			if (n < 0)
				return n;
			if ((size_t)n != part)
				return -EIO;
			done += part;
		} while (done < len);
		return 0;
	}
	/* spliced: the source is a scatterlist of these very pages */
	do {
		part = rc_part(shape->send, k, len - done);
		iov[k].iov_base = s->in + done;
		iov[k++].iov_len = part;
		done += part;
	} while (done < len);
	n = rc_sendmsg(s, true, decrypt, iv, iv_len, assoclen, NULL, 0,
		       MSG_MORE);
	if (n < 0)
		return n;
	if (pipe(p))
		return -errno;
	n = vmsplice(p[1], iov, k, 0);
	if (n >= 0 && (size_t)n == len)
		n = splice(p[0], NULL, s->op, NULL, len, 0);
	n = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(p[0]);
	close(p[1]);
	return n;
}

/*
 * Receive @len bytes into iovecs of s->out as @shape says, RC_GAP canary
 * bytes apart, the first @off bytes into a page, and gather them at
 * s->plain (a hash: read the digest there). Returns the length, -errno,
 * or -ERANGE if a byte outside the iovecs changed.
 */
static ssize_t rc_recv(struct rc *s, const struct rc_shape *shape,
		       size_t len, unsigned int off)
{
	static struct iovec iov[RC_PARTS];
	struct msghdr msg = { .msg_iov = iov };
	size_t done = 0, pos = off, part, end, i;
	unsigned int k = 0, n;
	ssize_t ret;

	if (!strcmp(s->type, "hash")) {
		ret = read(s->op, s->plain, len);
		return ret < 0 ? -errno : ret;
	}
	n = shape->recv_n ? shape->recv_n : 8;
	end = off + len + RC_PARTS * RC_GAP;
	memset(s->out, RC_CANARY, end);
	do {
		if (shape->recv_n)
			part = k + 1 < n && shape->recv[0] < len - done ?
			       shape->recv[0] : len - done;
		else
			part = rc_part(shape->recv, k, len - done);
		iov[k].iov_base = s->out + pos;
		iov[k++].iov_len = part;
		pos += part + RC_GAP;
		done += part;
	} while (done < len);
	msg.msg_iovlen = k;
	ret = recvmsg(s->op, &msg, 0);
	if (ret < 0)
		return -errno;
	/* gather, and check every byte between and around the iovecs */
	for (i = 0, done = 0, pos = 0; i < k; i++) {
		for (; s->out + pos < (__u8 *)iov[i].iov_base; pos++)
			if (s->out[pos] != RC_CANARY)
				return -ERANGE;
		memcpy(s->plain + done, iov[i].iov_base, iov[i].iov_len);
		done += iov[i].iov_len;
		pos += iov[i].iov_len;
	}
	for (; pos < end; pos++)
		if (s->out[pos] != RC_CANARY)
			return -ERANGE;
	return ret;
}

static void rc_fail(struct __test_metadata *_metadata, struct rc *s,
		    bool decrypt, __u32 len, __u32 aad, const char *what,
		    long at)
{
	s->wrong++;
	if (s->wrong <= RC_REPORT)
		TH_LOG("%s%s, key %u, tag %u, %u bytes, aad %u: %s (%ld)",
		       s->name, decrypt ? " decrypt" : "", s->key_len,
		       s->tag_len, len, aad, what, at);
}

/*
 * One request of @len bytes of text (AEAD: after @aad bytes of AAD)
 * through the transform, shaped by @shape, the output @off bytes into a
 * page; @tamper flips a bit of a decryption's input. Counts what the card
 * and the software must have done.
 */
static void rc_one(struct __test_metadata *_metadata, struct rc *s,
		   bool decrypt, __u32 len, __u32 aad,
		   const struct rc_shape *shape, unsigned int off, bool tamper)
{
	static const struct rc_shape flat;
	__u8 iv[VR_BLOCK], nonce[VR_GCM_IV_LEN];
	__u32 iv_len = vr_iv_len(s->alg), lead = 0, in_len;
	struct vr_op op = {
		.alg = s->alg,
		.decrypt = decrypt,
		.key = s->key,
		.key_len = s->key_len,
		.tag_len = s->tag_len,
		.aad_len = aad,
	};
	int assoclen = aad, status;
	ssize_t n;
	long at;

	if (!shape)
		shape = &flat;
	vr_fill(iv, sizeof(iv), s->seed++);
	op.iv = iv;
	if (s->rfc4106) {
		/*
		 * The key's last 4 bytes are the salt, the nonce salt || IV;
		 * the IV follows the AAD in the request, unauthenticated
		 */
		op.key_len -= RC_RFC4106_SALT;
		memcpy(nonce, s->key + op.key_len, RC_RFC4106_SALT);
		memcpy(nonce + RC_RFC4106_SALT, iv, RC_RFC4106_IV);
		op.iv = nonce;
		iv_len = RC_RFC4106_IV;
		lead = RC_RFC4106_IV;
		assoclen = aad + RC_RFC4106_IV;
	}
	/* the input: AAD [|| IV] || text, the IV not in the reference's */
	ASSERT_EQ(0, vr_input(&op, s->plain, len, s->seed++));
	memcpy(s->in, s->plain, aad);
	memcpy(s->in + aad, iv, lead);
	memcpy(s->in + aad + lead, s->plain + aad, op.src_len - aad);
	in_len = op.src_len + lead;
	if (tamper && in_len)
		s->in[s->seed % in_len] ^= 0x04;
	memcpy(s->plain + aad, s->in + aad + lead, op.src_len - aad);
	memcpy(s->plain, s->in, aad);
	op.src = s->plain;
	status = vr_run(&op, s->want + lead, NULL);
	ASSERT_NE(-1, status);
	if (tamper && s->rfc4106 && s->seed % in_len >= aad &&
	    s->seed % in_len < aad + lead)
		status = 0;	/* the IV is not authenticated: a new nonce */
	memmove(s->want, s->want + lead, aad);
	memcpy(s->want + aad, s->in + aad, lead);

	/* what the card gets: the source without the in-band IV */
	s->checked++;
	if (!strcmp(s->type, "hash") && len > RC_HASH_BUF)
		s->soft_hashes++;
	else if (op.src_len > VCRYPT_HW_DATA_MAX ||
		 (shape->recv_n && shape->recv_n > VCRYPT_HW_SGE_MAX))
		s->soft_reqs++;
	else
		s->card_reqs++;

	n = rc_send(s, shape, decrypt, iv, iv_len, assoclen, in_len);
	if (n) {
		rc_fail(_metadata, s, decrypt, len, aad, "send", n);
		return;
	}
	n = rc_recv(s, shape, vr_out_len(&op) + lead, off);
	if (status) {
		if (n != status)
			rc_fail(_metadata, s, decrypt, len, aad,
				"a changed bit not refused", n);
		return;
	}
	if (n != (ssize_t)(vr_out_len(&op) + lead)) {
		rc_fail(_metadata, s, decrypt, len, aad, "length", n);
		return;
	}
	at = vt_diff(s->plain, s->want, n);
	if (at >= 0)
		rc_fail(_metadata, s, decrypt, len, aad,
			"output differs from the reference", at);
}

/* @len bytes both ways (hashes: once), AEADs with @aad bytes of AAD */
static void rc_both(struct __test_metadata *_metadata, struct rc *s,
		    __u32 len, __u32 aad, const struct rc_shape *shape,
		    unsigned int off, bool tamper)
{
	/* an empty skcipher request reaches no driver: AF_ALG has none */
	if (!vr_len_ok(s->alg, len) || (!len && !strcmp(s->type, "skcipher")))
		return;
	rc_one(_metadata, s, false, len, aad, shape, off, false);
	if (strcmp(s->type, "hash"))
		rc_one(_metadata, s, true, len, aad, shape, off, tamper);
}

/*
 * The counters agree: exactly the requests that must have reached the
 * card did, the card counted them, the software ran the others
 */
static void rc_end(struct __test_metadata *_metadata, struct rc *s)
{
	__u64 completed, fallback, card_ops;

	ASSERT_EQ(0, rc_host_attr(s, "completed_ops", &completed));
	ASSERT_EQ(0, rc_host_attr(s, "fallback_ops", &fallback));
	ASSERT_EQ(0, vs_card_stat(&s->card, "card_ops", &card_ops));
	TH_LOG("%lu requests checked against the reference: %llu on the card, %llu in software",
	       s->checked, completed - s->completed0,
	       fallback - s->fallback0);
	EXPECT_LT(0, s->checked);
	EXPECT_EQ(0, s->wrong);
	EXPECT_EQ(s->card_reqs, completed - s->completed0);
	EXPECT_LE(s->card_reqs, card_ops - s->card_ops0);
	if (s->soft_hashes) {
		EXPECT_LE(s->soft_reqs + s->soft_hashes,
			  fallback - s->fallback0);
	} else {
		EXPECT_EQ(s->soft_reqs, fallback - s->fallback0);
	}
}

/* The tag sizes of the variant's AEAD */
static const __u32 rc_gcm_tags[] = { 4, 8, 12, 13, 14, 15, 16 };
static const __u32 rc_rfc4106_tags[] = { 8, 12, 16 };
/* HMAC keys: below, at and over the block, over the card's 128 bytes */
static const __u32 rc_hmac_keys[] = { 32, 64, 100, 128, 131 };

/* How many transforms a test makes, and the key and tag of the @i-th */
static unsigned int rc_tfms(struct rc *s)
{
	if (s->alg == VCRYPT_ALG_HMAC_SHA256)
		return ARRAY_SIZE(rc_hmac_keys);
	if (s->rfc4106)
		return ARRAY_SIZE(rc_rfc4106_tags);
	if (s->alg == VCRYPT_ALG_AES_GCM)
		return ARRAY_SIZE(rc_gcm_tags);
	return 1;
}

static void rc_tfm_i(struct __test_metadata *_metadata, struct rc *s,
		     __u32 key_len, unsigned int i)
{
	if (s->alg == VCRYPT_ALG_HMAC_SHA256)
		rc_tfm(_metadata, s, rc_hmac_keys[i], 0);
	else if (s->rfc4106)
		rc_tfm(_metadata, s, key_len, rc_rfc4106_tags[i]);
	else if (s->alg == VCRYPT_ALG_AES_GCM)
		rc_tfm(_metadata, s, key_len, rc_gcm_tags[i]);
	else
		rc_tfm(_metadata, s, key_len, 0);
}

/* The AAD of the @k-th request of @len bytes */
static __u32 rc_aad(struct rc *s, unsigned int k)
{
	if (s->rfc4106)
		return k % 2 ? 8 : 12;	/* associated data of 16 or 20 */
	if (s->alg == VCRYPT_ALG_AES_GCM)
		return (k * 7) % 45;
	return 0;
}

TEST_F_TIMEOUT(ref, lengths, 600)
{
	struct rc *s = &self->s;
	unsigned int i, k = 0, n = rc_tfms(s);
	__u32 len;

	for (i = 0; i < n; i++) {
		rc_tfm_i(_metadata, s, variant->key_len, i);
		/* the AEADs: a share of the lengths for each tag size */
		for (len = 0; len <= 1024; len++) {
			if (n > 1 && s->alg == VCRYPT_ALG_AES_GCM &&
			    len % n != i)
				continue;
			rc_both(_metadata, s, len, rc_aad(s, k),
				NULL, (k * 61) % 4096, k % 17 == 5);
			k++;
		}
	}
	if (s->alg == VCRYPT_ALG_AES_GCM && !s->rfc4106) {
		/* every AAD length up to 1 KiB */
		rc_tfm_i(_metadata, s, variant->key_len, 6);
		for (k = 0; k <= 1024; k++)
			rc_both(_metadata, s, (k * 13) % 67, k, NULL, k % 4096,
				k % 19 == 3);
	}
	rc_end(_metadata, s);
}

/* Block and page multiples, a byte and a block either side, and over */
TEST_F_TIMEOUT(ref, boundaries, 600)
{
	static const __u32 base[] = {
		16, 32, 64, 128, 256, 4096, 8192, 16384, 65536, 262144,
		VCRYPT_HW_DATA_MAX,
	};
	static const int delta[] = { -17, -16, -1, 0, 1, 16, 17 };
	struct rc *s = &self->s;
	unsigned int i, j, k = 0;
	__s64 len;

	rc_tfm_i(_metadata, s, variant->key_len, rc_tfms(s) - 1);
	for (i = 0; i < ARRAY_SIZE(base); i++) {
		for (j = 0; j < ARRAY_SIZE(delta); j++) {
			len = (__s64)base[i] + delta[j];
			if (len < 0 || len > VCRYPT_HW_DATA_MAX + 17)
				continue;
			if (s->alg == VCRYPT_ALG_AES_GCM &&
			    len + rc_aad(s, k) > VCRYPT_HW_DATA_MAX)
				len = VCRYPT_HW_DATA_MAX - rc_aad(s, k) -
				      (j % 2 ? 0 : 1);
			rc_both(_metadata, s, len, rc_aad(s, k), NULL, 0,
				false);
			k++;
		}
	}
	rc_end(_metadata, s);
}

/* Lengths drawn up to 1 MiB (a fixed seed: the same every run) */
TEST_F_TIMEOUT(ref, random, 600)
{
	struct rc *s = &self->s;
	__u32 len, r = 4106;
	unsigned int k;

	rc_tfm_i(_metadata, s, variant->key_len, 0);
	for (k = 0; k < 16; k++) {
		len = vr_rand(&r) % (k % 3 ? 65536 : VCRYPT_HW_DATA_MAX -
				     64);
		if (s->alg == VCRYPT_ALG_AES_CBC)
			len &= ~(VR_BLOCK - 1);
		rc_both(_metadata, s, len, rc_aad(s, k), NULL,
			vr_rand(&r) % 4096, false);
	}
	rc_end(_metadata, s);
}

/*
 * Scatterlists of every shape: the input in pieces or spliced from user
 * pages at odd offsets, the output in iovecs of odd sizes across pages,
 * one byte each, and more of them than the card's SG tables take
 */
TEST_F_TIMEOUT(ref, shapes, 600)
{
	static const struct rc_shape shapes[] = {
		{ .send = { 1, 7, 16 }, .recv = { 5, 3, 24 } },
		{ .send = { 4091, 1, 16 }, .recv = { 4093, 5, 1 } },
		{ .send = { 15, 17 }, .recv = { 1, 1, 1, 1, 1, 1, 1 } },
		{ .send = { 3, 100, 1 }, .recv = { 33 }, .splice = true },
		{ .send = { 4095, 2 }, .recv = { 17, 4096 }, .splice = true },
		{ .recv = { 16 }, .recv_n = 200 },
		{ .recv = { 1 }, .recv_n = VCRYPT_HW_SGE_MAX + 16 },
	};
	static const __u32 lens[] = { 16, 17, 31, 64, 100, 4096, 8191, 9000 };
	struct rc *s = &self->s;
	unsigned int i, j, k = 0;
	__u32 len;

	rc_tfm_i(_metadata, s, variant->key_len, rc_tfms(s) - 1);
	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		/* a hash has no output to shape */
		if (shapes[i].recv_n && !strcmp(s->type, "hash"))
			continue;
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			len = lens[j];
			if (shapes[i].recv_n)
				len = shapes[i].recv_n * shapes[i].recv[0];
			rc_both(_metadata, s, len, rc_aad(s, k), &shapes[i],
				(k * 37) % 4096, k % 5 == 2);
			k++;
			if (shapes[i].recv_n)
				break;
		}
	}
	rc_end(_metadata, s);
}

TEST_HARNESS_MAIN
