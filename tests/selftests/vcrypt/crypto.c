// SPDX-License-Identifier: GPL-2.0
/*
 * The card in the kernel crypto API, through AF_ALG sockets bound by the
 * generic algorithm names, so that the crypto API chooses the driver:
 *
 * - /proc/crypto lists every vcrypt algorithm from the module vcrypt,
 *   tested, with priority 1500, above every other implementation of its
 *   name, with the right type;
 * - published known answers, every algorithm and key size, both
 *   directions, come from the card: the host slice's completed_ops and the
 *   card's own card_ops (debugfs stats) grow by at least one per request
 *   and the host slice's fallback_ops does not; also with the input in
 *   several sendmsg() calls and the output in iovecs of odd sizes and
 *   offsets, in place with the input spliced from user pages, and with
 *   the IV carried from one request to the next;
 * - errors: a GCM tag, ciphertext or AAD that does not match (EBADMSG, from
 *   the card), bad key lengths (EINVAL at ALG_SET_KEY), bad tag sizes,
 *   RFC 4106 associated data of a bad length, CBC of partial blocks and
 *   XTS shorter than a block (EINVAL, with nothing sent anywhere);
 * - partial hashes (sendmsg() with MSG_MORE, a state exported to a new
 *   socket) run in software, give the published digests and count in
 *   fallback_ops;
 * - the host slice has a weight like any slice: weight 300 against a
 *   tenant slice of weight 100 gets 75 % of the card's time while both are
 *   backlogged;
 * - with the host slice's queue_len 1, requests wait in the backlog and all
 *   complete correctly; bad values of queue_len are refused;
 * - the module cannot be unloaded while a transform exists, and a closed
 *   transform leaves no reference behind;
 * - unbinding the card with requests in flight (or in the backlog) fails
 *   them with ENODEV or lets them finish, within a time limit; later
 *   requests on the same transforms, and on new ones, run in software; a
 *   new transform after the next bind uses the card.
 *
 * Every expected result is a published test vector, or, for the long
 * requests, a published vector at the start of the data and the output of
 * the reference (OpenSSL, vcrypt_ref.h) for all of it.
 *
 * Worker threads never use the harness's ASSERT: they record the first
 * error in their struct cr_worker, which the test checks after joining
 * them.
 */
#include <fcntl.h>
#include <linux/if_alg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "vcrypt_load.h"
#include "kselftest_harness.h"

#define CR_PROC_CRYPTO		"/proc/crypto"
#define CR_REFCNT		"/sys/module/vcrypt/refcnt"
#define CR_MODULE		"/sys/module/vcrypt"
#define CR_PCI_DRIVER		"/sys/bus/pci/drivers/vcrypt"
#define CR_HOST_PREFIX		"vcrypt-host"
#define CR_PRIORITY		1500
#define CR_QUEUE_LEN_DEFAULT	512
#define CR_QUEUE_LEN_MAX	4096

/* Room for any known answer's input or output */
#define CR_KAT_MAX		1024
/* Sizes in a struct cr_shape */
#define CR_PARTS_MAX		8
/* The first output iovec starts this far into a page (crosses its end) */
#define CR_ODD_START		(4096 - 5)
/* Canary bytes between and after the output iovecs */
#define CR_GAP			3
#define CR_TAIL			32
#define CR_CANARY		0xa5
/* Size of the long requests, and the threads that send them */
#define CR_BIG			(64 * 1024)
#define CR_THREADS		8
#define CR_MILLION		1000000

/* The algorithms the driver registers */
static const struct cr_driver {
	const char *name;
	const char *driver;
	const char *type;
} cr_drivers[] = {
	{ "cbc(aes)", "vcrypt-cbc-aes", "skcipher" },
	{ "ctr(aes)", "vcrypt-ctr-aes", "skcipher" },
	{ "xts(aes)", "vcrypt-xts-aes", "skcipher" },
	{ "gcm(aes)", "vcrypt-gcm-aes", "aead" },
	{ "rfc4106(gcm(aes))", "vcrypt-rfc4106-gcm-aes", "aead" },
	{ "sha256", "vcrypt-sha256", "ahash" },
	{ "sha512", "vcrypt-sha512", "ahash" },
	{ "hmac(sha256)", "vcrypt-hmac-sha256", "ahash" },
};

/* The card, its host slice in sysfs and its debugfs stats */
struct cr_env {
	struct vs_card card;
	char host[VT_PATH_MAX];
};

/*
 * The devices of class vcrypt whose name starts with @prefix and that
 * belong to the card @bdf: how many, and the sysfs directory of the first
 * into @dir (unless NULL).
 */
static unsigned int cr_class_scan(const char *bdf, const char *prefix,
				  char *dir, size_t len)
{
	unsigned int found = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(VS_CLASS);
	if (!d)
		return 0;
	while ((de = vs_class_next(d, prefix, bdf))) {
		if (dir && !found)
			snprintf(dir, len, VS_CLASS "/%s", de->d_name);
		found++;
	}
	closedir(d);
	return found;
}

/* The host slice of the card @bdf: its sysfs directory into @dir */
static int cr_find_host(const char *bdf, char *dir, size_t len)
{
	return cr_class_scan(bdf, CR_HOST_PREFIX, dir, len) ? 0 : -ENOENT;
}

/* Find the card and its host slice; 0 or -errno */
static int cr_env_open(struct cr_env *e)
{
	if (vs_card_open(&e->card))
		return -ENODEV;
	return cr_find_host(e->card.bdf, e->host, sizeof(e->host));
}

/* The fixtures' setup: the card and its host slice */
static void cr_setup(struct __test_metadata *_metadata, struct cr_env *e)
{
	int ret = cr_env_open(e);

	ASSERT_EQ(0, ret) TH_LOG("no vcrypt card with a host slice in "
				 VS_CLASS ": %s", strerror(-ret));
}

static int cr_host_attr(const struct cr_env *e, const char *attr, __u64 *val)
{
	char path[VT_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", e->host, attr);
	return vs_read_u64(path, val);
}

static int cr_set_host_attr(const struct cr_env *e, const char *attr,
			    __u64 val)
{
	char path[VT_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", e->host, attr);
	return vs_write_u64(path, val);
}

static int cr_set_host_weight(const struct cr_env *e, __u64 weight)
{
	return cr_set_host_attr(e, "weight", weight);
}

/* What shows which requests the card did */
struct cr_counts {
	__u64 completed;	/* host slice: completed_ops */
	__u64 fallback;		/* host slice: fallback_ops */
	__u64 card_ops;		/* the card's own counter */
};

static void cr_counts(struct __test_metadata *_metadata, struct cr_env *e,
		      struct cr_counts *c)
{
	ASSERT_EQ(0, cr_host_attr(e, "completed_ops", &c->completed))
		TH_LOG("%s/completed_ops", e->host);
	ASSERT_EQ(0, cr_host_attr(e, "fallback_ops", &c->fallback))
		TH_LOG("%s/fallback_ops", e->host);
	ASSERT_EQ(0, vs_card_stat(&e->card, "card_ops", &c->card_ops))
		TH_LOG("no card_ops in the card's debugfs stats");
}

/*
 * The card did at least @n requests between @a and @b, and none ran in
 * software.
 */
static void cr_expect_card(struct __test_metadata *_metadata,
			   const struct cr_counts *a, const struct cr_counts *b,
			   unsigned int n)
{
	EXPECT_LE(a->completed + n, b->completed)
		TH_LOG("host slice completed_ops %llu -> %llu, %u requests",
		       a->completed, b->completed, n);
	EXPECT_LE(a->card_ops + n, b->card_ops)
		TH_LOG("card_ops %llu -> %llu, %u requests", a->card_ops,
		       b->card_ops, n);
	EXPECT_EQ(a->fallback, b->fallback)
		TH_LOG("fallback_ops %llu -> %llu", a->fallback, b->fallback);
}

/* Nothing reached the card or the fallback between @a and @b */
static void cr_expect_nothing(struct __test_metadata *_metadata,
			      const struct cr_counts *a,
			      const struct cr_counts *b)
{
	EXPECT_EQ(a->completed, b->completed);
	EXPECT_EQ(a->card_ops, b->card_ops);
	EXPECT_EQ(a->fallback, b->fallback);
}

/*
 * A transform: an AF_ALG socket of @type ("skcipher", "aead", "hash")
 * bound to @name, with @key (unless NULL) and, for an AEAD, the tag size
 * @authsize (0: the default). Its fd, or -errno.
 */
static int cr_tfm(const char *type, const char *name, const void *key,
		  unsigned int key_len, unsigned int authsize)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int fd, ret;

	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", type);
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", name);
	fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto err;
	if (key && setsockopt(fd, SOL_ALG, ALG_SET_KEY, key, key_len))
		goto err;
	if (authsize &&
	    setsockopt(fd, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, authsize))
		goto err;
	return fd;

err:
	ret = -errno;
	close(fd);
	return ret;
}

/*
 * An operation socket accepted from @fd: a transform, or a hash operation
 * socket whose partial state the new one takes. Its fd or -errno.
 */
static int cr_op(int fd)
{
	fd = accept4(fd, NULL, 0, SOCK_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Both sockets of a transform, keyed; 0 or -errno */
static int cr_open(const char *type, const char *name, const void *key,
		   unsigned int key_len, unsigned int authsize, int *tfm,
		   int *op)
{
	*tfm = cr_tfm(type, name, key, key_len, authsize);
	if (*tfm < 0)
		return *tfm;
	*op = cr_op(*tfm);
	if (*op < 0) {
		close(*tfm);
		return *op;
	}
	return 0;
}

static void cr_close(int tfm, int op)
{
	if (op >= 0)
		close(op);
	if (tfm >= 0)
		close(tfm);
}

/*
 * sendmsg() of @len bytes of @buf on operation socket @op; with
 * @dir >= 0 (ALG_OP_*) the first of a request, with its direction, the
 * IV @iv (unless NULL or empty) and, with @assoclen >= 0, the length of
 * the AEAD associated data. Returns the bytes sent or -errno.
 */
static ssize_t cr_sendmsg(int op, int dir, const struct vt_bytes *iv,
			  int assoclen, const void *buf, size_t len, int flags)
{
	union {
		char buf[2 * CMSG_SPACE(sizeof(__u32)) +
			 CMSG_SPACE(sizeof(struct af_alg_iv) + 16)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct af_alg_iv *aiv;
	struct cmsghdr *c;
	size_t clen = 0;
	__u32 v;
	ssize_t n;

	if (dir >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_OP;
		c->cmsg_len = CMSG_LEN(sizeof(v));
		v = dir;
		memcpy(CMSG_DATA(c), &v, sizeof(v));
		clen += CMSG_SPACE(sizeof(v));
		if (iv && iv->len && iv->len <= 16) {
			c = CMSG_NXTHDR(&msg, c);
			c->cmsg_level = SOL_ALG;
			c->cmsg_type = ALG_SET_IV;
			c->cmsg_len = CMSG_LEN(sizeof(*aiv) + iv->len);
			aiv = (struct af_alg_iv *)CMSG_DATA(c);
			aiv->ivlen = iv->len;
			memcpy(aiv->iv, iv->p, iv->len);
			clen += CMSG_SPACE(sizeof(*aiv) + iv->len);
		}
		if (assoclen >= 0) {
			c = CMSG_NXTHDR(&msg, c);
			c->cmsg_level = SOL_ALG;
			c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
			c->cmsg_len = CMSG_LEN(sizeof(v));
			v = assoclen;
			memcpy(CMSG_DATA(c), &v, sizeof(v));
			clen += CMSG_SPACE(sizeof(v));
		}
		msg.msg_controllen = clen;
	}
	n = sendmsg(op, &msg, flags);
	return n < 0 ? -errno : n;
}

/*
 * How a request's data travels: the sizes of the sendmsg() calls the
 * input is split into, and of the iovecs the output is received into.
 * Each list ends at a 0 or at CR_PARTS_MAX entries; a part too long for
 * what is left, or the last one, takes the rest. An empty list: one call,
 * one iovec.
 */
struct cr_shape {
	unsigned int send[CR_PARTS_MAX];
	unsigned int recv[CR_PARTS_MAX];
};

/* The size of part @k of @parts when @left bytes are left */
static size_t cr_part(const unsigned int *parts, unsigned int k, size_t left)
{
	if (k + 1 < CR_PARTS_MAX && parts[k] && parts[k] < left)
		return parts[k];
	return left;
}

/* Send the input of one request as @parts says; its length or -errno */
static ssize_t cr_send(int op, int dir, const struct vt_bytes *iv,
		       int assoclen, const __u8 *in, size_t len,
		       const unsigned int *parts)
{
	size_t done = 0, size;
	unsigned int k = 0;
	ssize_t n;

	do {
		size = cr_part(parts, k, len - done);
		n = cr_sendmsg(op, k ? -1 : dir, iv, assoclen, in + done, size,
			       done + size < len ? MSG_MORE : 0);
		if (n < 0)
			return n;
		if ((size_t)n != size)
			return -EIO;
		done += size;
		k++;
	} while (done < len);
	return done;
}

/*
 * A buffer holding iovecs of the sizes in @parts for @len bytes, the first
 * starting CR_ODD_START bytes into a page, each followed by CR_GAP canary
 * bytes, the last by CR_TAIL. Returns the buffer (free() it) and fills
 * @iov, @n; NULL if out of memory.
 */
static __u8 *cr_iovecs(size_t len, const unsigned int *parts,
		       struct iovec *iov, unsigned int *n)
{
	size_t size = CR_ODD_START + len + CR_PARTS_MAX * CR_GAP + CR_TAIL;
	size_t done = 0, pos = CR_ODD_START, part;
	__u8 *buf;

	buf = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
	if (!buf)
		return NULL;
	memset(buf, CR_CANARY, size);
	*n = 0;
	do {
		part = cr_part(parts, *n, len - done);
		iov[*n].iov_base = buf + pos;
		iov[*n].iov_len = part;
		pos += part + CR_GAP;
		done += part;
		(*n)++;
	} while (done < len);
	return buf;
}

/* Every byte of @buf outside the iovecs is still a canary byte */
static bool cr_canaries(const __u8 *buf, const struct iovec *iov,
			unsigned int n)
{
	const __u8 *p = buf, *end;
	unsigned int k;

	for (k = 0; k < n; k++) {
		for (; p < (const __u8 *)iov[k].iov_base; p++)
			if (*p != CR_CANARY)
				return false;
		p += iov[k].iov_len;
	}
	for (end = p + CR_TAIL; p < end; p++)
		if (*p != CR_CANARY)
			return false;
	return true;
}

/*
 * Receive @len bytes of output into iovecs of the sizes in @parts and copy
 * them to @out. Returns what recvmsg() returned, -errno, or -ERANGE when
 * a byte outside the iovecs changed.
 */
static ssize_t cr_recv(int op, __u8 *out, size_t len,
		       const unsigned int *parts)
{
	struct iovec iov[CR_PARTS_MAX];
	struct msghdr msg = { .msg_iov = iov };
	unsigned int n, k;
	size_t done = 0;
	ssize_t ret;
	__u8 *buf;

	buf = cr_iovecs(len, parts, iov, &n);
	if (!buf)
		return -ENOMEM;
	msg.msg_iovlen = n;
	ret = recvmsg(op, &msg, 0);
	if (ret < 0) {
		ret = -errno;
	} else if (!cr_canaries(buf, iov, n)) {
		ret = -ERANGE;
	} else {
		for (k = 0; k < n; k++) {
			memcpy(out + done, iov[k].iov_base, iov[k].iov_len);
			done += iov[k].iov_len;
		}
	}
	free(buf);
	return ret;
}

/*
 * One request on operation socket @op: @in (@in_len bytes) in, @out_len
 * bytes out, shaped by @shape (NULL: one call each way). @assoclen < 0:
 * not an AEAD. Returns the output length or -errno.
 */
static ssize_t cr_crypt(int op, int dir, const struct vt_bytes *iv,
			int assoclen, const __u8 *in, size_t in_len,
			__u8 *out, size_t out_len,
			const struct cr_shape *shape)
{
	static const struct cr_shape flat;
	ssize_t n;

	if (!shape)
		shape = &flat;
	n = cr_send(op, dir, iv, assoclen, in, in_len, shape->send);
	if (n < 0)
		return n;
	return cr_recv(op, out, out_len, shape->recv);
}

/*
 * A digest of @len bytes of @msg on operation socket @op, the message in
 * one sendmsg() with iovecs of the sizes in @parts (NULL: one); the
 * digest (@dlen bytes) into @digest. 0 or -errno.
 */
static int cr_digest(int op, const void *msg_data, size_t len,
		     const unsigned int *parts, __u8 *digest, size_t dlen)
{
	static const unsigned int one[CR_PARTS_MAX];
	struct iovec iov[CR_PARTS_MAX];
	struct msghdr msg = { .msg_iov = iov };
	unsigned int n, k;
	size_t done = 0;
	ssize_t ret = 0;
	__u8 *buf;

	if (len) {
		buf = cr_iovecs(len, parts ? parts : one, iov, &n);
		if (!buf)
			return -ENOMEM;
		for (k = 0; k < n; k++) {
			memcpy(iov[k].iov_base, (const __u8 *)msg_data + done,
			       iov[k].iov_len);
			done += iov[k].iov_len;
		}
		msg.msg_iovlen = n;
		ret = sendmsg(op, &msg, 0);
		if (ret < 0)
			ret = -errno;
		else if ((size_t)ret != len)
			ret = -EIO;
		free(buf);
		if (ret < 0)
			return ret;
	}
	ret = read(op, digest, dlen);
	if (ret < 0)
		return -errno;
	return (size_t)ret == dlen ? 0 : -EIO;
}

/* Copy string @src into @dst of @len bytes, cut if need be */
static void cr_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* One entry of /proc/crypto */
struct cr_alg {
	char name[128];
	char driver[128];
	char module[64];
	char selftest[32];
	char type[32];
	long priority;
};

#define CR_ALGS_MAX	1024

/* Read /proc/crypto into @algs; the number of entries, or -errno */
static int cr_proc_crypto(struct cr_alg *algs, int max)
{
	char line[512], key[64], val[256];
	struct cr_alg *a = NULL;
	int n = 0;
	FILE *f;

	f = fopen(CR_PROC_CRYPTO, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s : %255[^\n]", key, val) != 2)
			continue;
		if (!strcmp(key, "name")) {
			if (n == max)
				break;
			a = &algs[n++];
			memset(a, 0, sizeof(*a));
			a->priority = -1;
			cr_copy(a->name, sizeof(a->name), val);
		} else if (!a) {
			continue;
		} else if (!strcmp(key, "driver")) {
			cr_copy(a->driver, sizeof(a->driver), val);
		} else if (!strcmp(key, "module")) {
			cr_copy(a->module, sizeof(a->module), val);
		} else if (!strcmp(key, "selftest")) {
			cr_copy(a->selftest, sizeof(a->selftest), val);
		} else if (!strcmp(key, "type")) {
			cr_copy(a->type, sizeof(a->type), val);
		} else if (!strcmp(key, "priority")) {
			a->priority = strtol(val, NULL, 10);
		}
	}
	fclose(f);
	return n;
}

/* The entry of driver @driver, or NULL */
static const struct cr_alg *cr_find_driver(const struct cr_alg *algs, int n,
					   const char *driver)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(algs[i].driver, driver))
			return &algs[i];
	return NULL;
}

/* Every vcrypt algorithm is in /proc/crypto */
static void cr_expect_registered(struct __test_metadata *_metadata)
{
	struct cr_alg *algs = calloc(CR_ALGS_MAX, sizeof(*algs));
	const char *driver;
	unsigned int i;
	bool found;
	int n;

	ASSERT_NE(NULL, algs);
	n = cr_proc_crypto(algs, CR_ALGS_MAX);
	ASSERT_LT(0, n) TH_LOG("cannot read " CR_PROC_CRYPTO);
	for (i = 0; i < ARRAY_SIZE(cr_drivers); i++) {
		driver = cr_drivers[i].driver;
		found = cr_find_driver(algs, n, driver);
		EXPECT_TRUE(found) TH_LOG("%s not in " CR_PROC_CRYPTO, driver);
	}
	free(algs);
}

/*
 * A known answer of a cipher (skcipher or AEAD, which has a tag) as a test
 * runs it: the published case @v, of which the first @len bytes of text
 * (0: all of it) and, for an AEAD, the first @tag_len bytes of the tag
 * (0: all of it) are used. For an AEAD, @v->aad is the request's
 * associated data.
 */
struct cr_kat {
	const struct vt_cipher_kat *v;
	unsigned int len;
	unsigned int tag_len;
};

static bool cr_aead(const struct cr_kat *k)
{
	return k->v->tag.len;
}

/* The length of the AEAD associated data for cr_sendmsg(): -1 if none */
static int cr_assoclen(const struct cr_kat *k)
{
	return cr_aead(k) ? (int)k->v->aad.len : -1;
}

static unsigned int cr_tag_len(const struct cr_kat *k)
{
	return k->tag_len ? k->tag_len : k->v->tag.len;
}

/* The input and the expected output of @k in direction @decrypt */
static void cr_kat_build(const struct cr_kat *k, bool decrypt, __u8 *in,
			 size_t *in_len, __u8 *want, size_t *want_len)
{
	const struct vt_cipher_kat *v = k->v;
	size_t a = v->aad.len, p = k->len ? k->len : v->pt.len;
	size_t t = cr_tag_len(k);

	memcpy(in, v->aad.p, a);
	memcpy(want, v->aad.p, a);
	if (!decrypt) {
		memcpy(in + a, v->pt.p, p);
		memcpy(want + a, v->ct.p, p);
		memcpy(want + a + p, v->tag.p, t);
		*in_len = a + p;
		*want_len = a + p + t;
	} else {
		memcpy(in + a, v->ct.p, p);
		memcpy(in + a + p, v->tag.p, t);
		memcpy(want + a, v->pt.p, p);
		*in_len = a + p + t;
		*want_len = a + p;
	}
}

/* Both sockets of a transform for @k, keyed; 0 or -errno */
static int cr_open_kat(const struct cr_kat *k, int *tfm, int *op)
{
	return cr_open(cr_aead(k) ? "aead" : "skcipher", k->v->name,
		       k->v->key.p, k->v->key.len,
		       cr_aead(k) ? cr_tag_len(k) : 0, tfm, op);
}

/*
 * A thread doing cipher requests of @len bytes in a loop on its own
 * transform of "cbc(aes)" with the SP 800-38A key and IV: the input starts
 * with the SP 800-38A plaintext, so the output must start with its
 * published ciphertext, and all of it must be the reference's (OpenSSL);
 * with @roundtrip the reference's output is also decrypted and must give
 * the input.
 */
struct cr_worker {
	/* set before the start */
	size_t len;
	unsigned long total;		/* requests to do; 0: until *stop */
	bool roundtrip;
	bool tolerate_enodev;		/* until *unbound is set */
	const bool *stop;
	const bool *unbound;
	int tfm;
	int op;
	__u8 *in;
	__u8 *ref;			/* the reference's encryption of @in */
	__u8 *out;
	__u8 *back;
	/* results, read with __atomic_load_n() while it runs */
	unsigned long ops;		/* encryptions that gave the right answer */
	unsigned long enodev;		/* requests that failed with ENODEV */
	unsigned long after;		/* good ones started after *unbound */
	long long max_ns;		/* the longest request */
	bool failed;
	char err[256];
	pthread_t th;
	bool started;
};

/* The worker's known answer: SP 800-38A F.2.1 */
static const struct cr_kat cr_cbc128 = { .v = &vk_cbc128 };

/* One request of the worker, timed; its result as cr_crypt() has it */
static ssize_t cr_worker_crypt(struct cr_worker *w, int dir, const __u8 *in,
			       __u8 *out)
{
	long long t = vs_now_ns();
	ssize_t n;

	n = cr_sendmsg(w->op, dir, &vk_cbc128.iv, -1, in, w->len, 0);
	if (n >= 0 && (size_t)n != w->len)
		n = -EIO;
	if (n >= 0) {
		n = read(w->op, out, w->len);
		if (n < 0)
			n = -errno;
	}
	t = vs_now_ns() - t;
	if (t > w->max_ns)
		__atomic_store_n(&w->max_ns, t, __ATOMIC_RELAXED);
	return n;
}

/* Record the worker's error: @what, and the errno or length @n unless 0 */
static void cr_worker_fail(struct cr_worker *w, const char *what, ssize_t n)
{
	if (n < 0)
		snprintf(w->err, sizeof(w->err), "%s: %s", what, strerror(-n));
	else if (n > 0)
		snprintf(w->err, sizeof(w->err), "%s: %zd bytes", what, n);
	else
		snprintf(w->err, sizeof(w->err), "%s", what);
	__atomic_store_n(&w->failed, true, __ATOMIC_RELEASE);
}

/* Whether *@flag is set; false for no flag */
static bool cr_flag(const bool *flag)
{
	return flag && __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

/*
 * A failed request: ENODEV is counted when tolerated, anything else is
 * an error. True if the worker goes on.
 */
static bool cr_worker_failed(struct cr_worker *w, bool after, const char *what,
			     ssize_t n)
{
	if (n == -ENODEV && w->tolerate_enodev && !after) {
		__atomic_add_fetch(&w->enodev, 1, __ATOMIC_RELAXED);
		return true;
	}
	if (n == -ENODEV && after)
		what = "ENODEV for a request started after the unbind";
	cr_worker_fail(w, what, n);
	return false;
}

static void *cr_worker_main(void *arg)
{
	struct cr_worker *w = arg;
	bool after;
	ssize_t n;

	while (!cr_flag(w->stop) && (!w->total || w->ops < w->total)) {
		after = cr_flag(w->unbound);
		n = cr_worker_crypt(w, ALG_OP_ENCRYPT, w->in, w->out);
		if (n != (ssize_t)w->len) {
			if (cr_worker_failed(w, after, "encrypt", n))
				continue;
			break;
		}
		if (vt_diff(w->out, SP800_38A_CBC128_CT, 64) >= 0) {
			cr_worker_fail(w, "encrypt: not the published ciphertext",
				       0);
			break;
		}
		if (vt_diff(w->out, w->ref, w->len) >= 0) {
			cr_worker_fail(w, "encrypt: not the reference's output",
				       0);
			break;
		}
		if (w->roundtrip) {
			bool dec_after = cr_flag(w->unbound);

			n = cr_worker_crypt(w, ALG_OP_DECRYPT, w->ref, w->back);
			if (n != (ssize_t)w->len) {
				if (cr_worker_failed(w, dec_after, "decrypt",
						     n))
					continue;
				break;
			}
			if (vt_diff(w->back, w->in, w->len) >= 0) {
				cr_worker_fail(w, "decrypt: not the input back",
					       0);
				break;
			}
		}
		__atomic_add_fetch(&w->ops, 1, __ATOMIC_RELEASE);
		if (after)
			__atomic_add_fetch(&w->after, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * Open the worker's transform (by the generic name) and buffers and start
 * it; 0, or -errno with the reason in w->err.
 */
static int cr_worker_start(struct cr_worker *w)
{
	struct vr_op ref = {
		.alg = VCRYPT_ALG_AES_CBC,
		.key = vk_cbc128.key.p,
		.key_len = vk_cbc128.key.len,
		.iv = vk_cbc128.iv.p,
	};
	int ret;

	w->tfm = -1;
	w->op = -1;
	ret = cr_open_kat(&cr_cbc128, &w->tfm, &w->op);
	if (ret) {
		snprintf(w->err, sizeof(w->err), "cbc(aes) socket: %s",
			 strerror(-ret));
		return ret;
	}
	w->in = vl_buf(SP800_38A_PT, 64, w->len, 3);
	w->ref = malloc(w->len);
	w->out = malloc(w->len);
	w->back = malloc(w->len);
	if (!w->in || !w->ref || !w->out || !w->back) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		return -ENOMEM;
	}
	ref.src = w->in;
	ref.src_len = w->len;
	if (vr_run(&ref, w->ref, NULL)) {
		snprintf(w->err, sizeof(w->err), "the reference failed");
		return -EIO;
	}
	if (pthread_create(&w->th, NULL, cr_worker_main, w)) {
		snprintf(w->err, sizeof(w->err), "pthread_create failed");
		return -EAGAIN;
	}
	w->started = true;
	return 0;
}

/* Join the worker by CLOCK_REALTIME @deadline; 0 or -ETIMEDOUT */
static int cr_worker_join(struct cr_worker *w, const struct timespec *deadline)
{
	if (!w->started)
		return 0;
	if (pthread_timedjoin_np(w->th, NULL, deadline))
		return -ETIMEDOUT;
	w->started = false;
	cr_close(w->tfm, w->op);
	free(w->in);
	free(w->ref);
	free(w->out);
	free(w->back);
	return 0;
}

/* Wait until every worker did @n more good requests than in @base */
static bool cr_workers_progress(struct cr_worker *w, unsigned int nw,
				const unsigned long *base, unsigned long n,
				bool after, int ms)
{
	long long end = vs_now_ns() + ms * 1000000LL;
	unsigned long v;
	unsigned int i;

	for (;;) {
		for (i = 0; i < nw; i++) {
			if (__atomic_load_n(&w[i].failed, __ATOMIC_ACQUIRE))
				return false;
			v = __atomic_load_n(after ? &w[i].after : &w[i].ops,
					    __ATOMIC_ACQUIRE);
			if (v < (base ? base[i] : 0) + n)
				break;
		}
		if (i == nw)
			return true;
		if (vs_now_ns() > end)
			return false;
		vs_sleep_ms(10);
	}
}

/* Log the errors of the workers that failed */
static void cr_workers_log(struct __test_metadata *_metadata,
			   const struct cr_worker *w, unsigned int nw)
{
	unsigned int i;

	for (i = 0; i < nw; i++)
		if (__atomic_load_n(&w[i].failed, __ATOMIC_ACQUIRE))
			TH_LOG("thread %u: %s", i, w[i].err);
}

FIXTURE(cipher) {
	struct cr_env e;
};

FIXTURE_VARIANT(cipher) {
	struct cr_kat kat;
};

/* SP 800-38A F.2.1 and F.2.2 */
FIXTURE_VARIANT_ADD(cipher, cbc128) { .kat.v = &vk_cbc128 };

/* SP 800-38A F.2.3 and F.2.4 */
FIXTURE_VARIANT_ADD(cipher, cbc192) { .kat.v = &vk_cbc192 };

/* SP 800-38A F.2.5 and F.2.6 */
FIXTURE_VARIANT_ADD(cipher, cbc256) { .kat.v = &vk_cbc256 };

/* SP 800-38A F.5.1 and F.5.2 */
FIXTURE_VARIANT_ADD(cipher, ctr128) { .kat.v = &vk_ctr128 };

/* SP 800-38A F.5.3 and F.5.4 */
FIXTURE_VARIANT_ADD(cipher, ctr192) { .kat.v = &vk_ctr192 };

/* SP 800-38A F.5.5 and F.5.6 */
FIXTURE_VARIANT_ADD(cipher, ctr256) { .kat.v = &vk_ctr256 };

/* SP 800-38A F.5.1 and F.5.2, the first 61 bytes: a partial last block */
FIXTURE_VARIANT_ADD(cipher, ctr128_61) {
	.kat = { .v = &vk_ctr128, .len = 61 },
};

/* IEEE 1619 vector 4 */
FIXTURE_VARIANT_ADD(cipher, xts128_v4) { .kat.v = &vk_xts128_v4 };

/* IEEE 1619 vector 15: 17 bytes, ciphertext stealing */
FIXTURE_VARIANT_ADD(cipher, xts128_v15) { .kat.v = &vk_xts128_v15 };

/* IEEE 1619 vector 18: 20 bytes, ciphertext stealing */
FIXTURE_VARIANT_ADD(cipher, xts128_v18) { .kat.v = &vk_xts128_v18 };

/* XTS-AES-192, derived as kat_aes.c shows */
FIXTURE_VARIANT_ADD(cipher, xts192) { .kat.v = &vk_xts192 };

/* IEEE 1619 vector 10 */
FIXTURE_VARIANT_ADD(cipher, xts256_v10) { .kat.v = &vk_xts256_v10 };

/* GCM test case 2 (AES-128) */
FIXTURE_VARIANT_ADD(cipher, gcm128_tc2) { .kat.v = &vk_gcm_tc2 };

/* GCM test case 3 (AES-128) */
FIXTURE_VARIANT_ADD(cipher, gcm128_tc3) { .kat.v = &vk_gcm_tc3 };

/* GCM test case 4 (AES-128, with AAD) */
FIXTURE_VARIANT_ADD(cipher, gcm128_tc4) { .kat.v = &vk_gcm_tc4 };

/* GCM test case 4 with the tag cut to 8 bytes (SP 800-38D 7.1) */
FIXTURE_VARIANT_ADD(cipher, gcm128_tc4_tag8) {
	.kat = { .v = &vk_gcm_tc4, .tag_len = 8 },
};

/* GCM test case 8 (AES-192) */
FIXTURE_VARIANT_ADD(cipher, gcm192_tc8) { .kat.v = &vk_gcm_tc8 };

/* GCM test case 10 (AES-192, with AAD) */
FIXTURE_VARIANT_ADD(cipher, gcm192_tc10) { .kat.v = &vk_gcm_tc10 };

/* GCM test case 14 (AES-256) */
FIXTURE_VARIANT_ADD(cipher, gcm256_tc14) { .kat.v = &vk_gcm_tc14 };

/* GCM test case 16 (AES-256, with AAD) */
FIXTURE_VARIANT_ADD(cipher, gcm256_tc16) { .kat.v = &vk_gcm_tc16 };

/* GCM test case 16 with the tag cut to 12 bytes */
FIXTURE_VARIANT_ADD(cipher, gcm256_tc16_tag12) {
	.kat = { .v = &vk_gcm_tc16, .tag_len = 12 },
};

/* NIST CAVS, associated data only: the output is the AAD and the tag */
FIXTURE_VARIANT_ADD(cipher, gcm128_aad_only) { .kat.v = &vk_gcm_aad_only };

/* draft-mcgrew-gcm-test-01 page 6: AES-128, extended sequence number */
FIXTURE_VARIANT_ADD(cipher, rfc4106_128) { .kat.v = &vk_rfc4106_128 };

/* draft-mcgrew-gcm-test-01 test case 7: AES-192 */
FIXTURE_VARIANT_ADD(cipher, rfc4106_192) { .kat.v = &vk_rfc4106_192 };

/* draft-mcgrew-gcm-test-01 page 8: AES-256 */
FIXTURE_VARIANT_ADD(cipher, rfc4106_256) { .kat.v = &vk_rfc4106_256 };

FIXTURE_SETUP(cipher)
{
	cr_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(cipher)
{
}

/*
 * @k in direction @decrypt, shaped by @shape, on a new transform: the
 * published output, and the card did it.
 */
static void cr_cipher_kat(struct __test_metadata *_metadata, struct cr_env *e,
			  const struct cr_kat *k, bool decrypt,
			  const struct cr_shape *shape)
{
	__u8 in[CR_KAT_MAX], want[CR_KAT_MAX], out[CR_KAT_MAX];
	size_t in_len, want_len;
	struct cr_counts a, b;
	int ret, tfm, op;
	ssize_t n;

	cr_kat_build(k, decrypt, in, &in_len, want, &want_len);
	ret = cr_open_kat(k, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", k->v->name, strerror(-ret));
	cr_counts(_metadata, e, &a);
	n = cr_crypt(op, decrypt ? ALG_OP_DECRYPT : ALG_OP_ENCRYPT, &k->v->iv,
		     cr_assoclen(k), in, in_len, out, want_len, shape);
	cr_counts(_metadata, e, &b);
	cr_close(tfm, op);
	ASSERT_EQ((ssize_t)want_len, n)
		TH_LOG("%s: %s", k->v->name, n < 0 ? strerror(-n) : "short");
	EXPECT_EQ(-1, vt_diff(out, want, want_len))
		TH_LOG("%s: wrong output at offset %ld", k->v->name,
		       vt_diff(out, want, want_len));
	cr_expect_card(_metadata, &a, &b, 1);
}

TEST_F(cipher, encrypt)
{
	cr_cipher_kat(_metadata, &self->e, &variant->kat, false, NULL);
}

TEST_F(cipher, decrypt)
{
	cr_cipher_kat(_metadata, &self->e, &variant->kat, true, NULL);
}

/*
 * The input in four sendmsg() calls (with MSG_MORE), the output in four
 * iovecs, the first across a page boundary, of odd sizes and at odd
 * offsets: a destination scatterlist of several odd entries. (AF_ALG
 * copies what sendmsg() gives it into pages of its own; the spliced test
 * below gives the source such entries.)
 */
static const struct cr_shape cr_odd = {
	.send = { 1, 7, 16 },
	.recv = { 5, 3, 24 },
};

TEST_F(cipher, encrypt_odd_sg)
{
	cr_cipher_kat(_metadata, &self->e, &variant->kat, false, &cr_odd);
}

TEST_F(cipher, decrypt_odd_sg)
{
	cr_cipher_kat(_metadata, &self->e, &variant->kat, true, &cr_odd);
}

/*
 * One request in place: the input spliced from user memory (vmsplice()
 * of pieces of @buf of the sizes in cr_odd.send into a pipe, one pipe
 * buffer each, and splice() to the socket: the request's source is a
 * scatterlist of those pieces of those very pages), the output received
 * into the same memory. @buf starts at an odd offset in a page and
 * crosses its end. Returns the output length or -errno.
 */
static ssize_t cr_crypt_spliced(int op, int dir, const struct vt_bytes *iv,
				int assoclen, __u8 *buf, size_t in_len,
				size_t out_len)
{
	struct iovec iov[CR_PARTS_MAX];
	unsigned int n_iov = 0;
	size_t done = 0;
	ssize_t n;
	int p[2];

	do {
		iov[n_iov].iov_base = buf + done;
		iov[n_iov].iov_len = cr_part(cr_odd.send, n_iov, in_len - done);
		done += iov[n_iov++].iov_len;
	} while (done < in_len);
	n = cr_sendmsg(op, dir, iv, assoclen, NULL, 0, MSG_MORE);
	if (n < 0)
		return n;
	if (pipe(p))
		return -errno;
	n = vmsplice(p[1], iov, n_iov, 0);
	if (n >= 0 && (size_t)n == in_len)
		n = splice(p[0], NULL, op, NULL, in_len, 0);
	if (n < 0)
		n = -errno;
	else if ((size_t)n != in_len)
		n = -EIO;
	close(p[0]);
	close(p[1]);
	if (n < 0)
		return n;
	n = recv(op, buf, out_len, 0);
	return n < 0 ? -errno : n;
}

/* The variant's encryption and decryption in place, spliced */
TEST_F(cipher, inplace_splice)
{
	const struct cr_kat *k = &variant->kat;
	__u8 in[CR_KAT_MAX], want[CR_KAT_MAX], *page, *buf;
	size_t in_len, want_len;
	struct cr_counts a, b;
	int ret, tfm, op, dec;
	ssize_t n;

	page = aligned_alloc(4096, 2 * 4096);
	ASSERT_NE(NULL, page);
	buf = page + 4096 - 7;
	ret = cr_open_kat(k, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", k->v->name, strerror(-ret));
	cr_counts(_metadata, &self->e, &a);
	for (dec = 0; dec < 2; dec++) {
		cr_kat_build(k, dec, in, &in_len, want, &want_len);
		memcpy(buf, in, in_len);
		n = cr_crypt_spliced(op, dec ? ALG_OP_DECRYPT : ALG_OP_ENCRYPT,
				     &k->v->iv, cr_assoclen(k), buf, in_len,
				     want_len);
		EXPECT_EQ((ssize_t)want_len, n)
			TH_LOG("%s %s: %s", k->v->name,
			       dec ? "decrypt" : "encrypt",
			       n < 0 ? strerror(-n) : "short");
		EXPECT_EQ(-1, vt_diff(buf, want, want_len))
			TH_LOG("%s %s: wrong output at offset %ld", k->v->name,
			       dec ? "decrypt" : "encrypt",
			       vt_diff(buf, want, want_len));
	}
	cr_counts(_metadata, &self->e, &b);
	cr_close(tfm, op);
	free(page);
	cr_expect_card(_metadata, &a, &b, 2);
}

FIXTURE(hash) {
	struct cr_env e;
};

FIXTURE_VARIANT(hash) {
	const struct vt_hash_kat *kat;
};

/* FIPS 180-2 B.1 */
FIXTURE_VARIANT_ADD(hash, sha256_abc) { .kat = &vk_sha256_abc };

/* The empty message */
FIXTURE_VARIANT_ADD(hash, sha256_empty) { .kat = &vk_sha256_empty };

/* FIPS 180-2 B.2 */
FIXTURE_VARIANT_ADD(hash, sha256_448bit) { .kat = &vk_sha256_448bit };

/* FIPS 180-2 C.1 */
FIXTURE_VARIANT_ADD(hash, sha512_abc) { .kat = &vk_sha512_abc };

/* The empty message */
FIXTURE_VARIANT_ADD(hash, sha512_empty) { .kat = &vk_sha512_empty };

/* FIPS 180-2 C.2 */
FIXTURE_VARIANT_ADD(hash, sha512_896bit) { .kat = &vk_sha512_896bit };

/* RFC 4231 test case 1 */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_1) { .kat = &vk_hmac_rfc4231_1 };

/* RFC 4231 test case 2 */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_2) { .kat = &vk_hmac_rfc4231_2 };

/* RFC 4231 test case 3 */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_3) { .kat = &vk_hmac_rfc4231_3 };

/* RFC 4231 test case 4 */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_4) { .kat = &vk_hmac_rfc4231_4 };

/* RFC 4231 test case 6: a key of 131 bytes, over the card's limit */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_6) { .kat = &vk_hmac_rfc4231_6 };

/* RFC 4231 test case 7: the same key, a message longer than the block */
FIXTURE_VARIANT_ADD(hash, hmac_rfc4231_7) { .kat = &vk_hmac_rfc4231_7 };

/* NIST HMAC-SHA-256 example with a key of 100 bytes */
FIXTURE_VARIANT_ADD(hash, hmac_nist_key100) { .kat = &vk_hmac_nist_key100 };

FIXTURE_SETUP(hash)
{
	cr_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN(hash)
{
}

/*
 * The digest of the variant's message in one sendmsg() with iovecs of the
 * sizes in @parts: one request (a digest, or init and final for the empty
 * message), on the card.
 */
static void cr_hash_kat(struct __test_metadata *_metadata, struct cr_env *e,
			const struct vt_hash_kat *v,
			const unsigned int *parts)
{
	struct cr_counts a, b;
	int ret, tfm, op;
	__u8 digest[64];

	ret = cr_open("hash", v->name, v->key.len ? v->key.p : NULL,
		      v->key.len, 0, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", v->name, strerror(-ret));
	cr_counts(_metadata, e, &a);
	ret = cr_digest(op, v->msg.p, v->msg.len, parts, digest,
			v->digest.len);
	cr_counts(_metadata, e, &b);
	cr_close(tfm, op);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", v->name, strerror(-ret));
	EXPECT_EQ(-1, vt_diff(digest, v->digest.p, v->digest.len))
		TH_LOG("%s: wrong digest", v->name);
	cr_expect_card(_metadata, &a, &b, 1);
}

TEST_F(hash, digest)
{
	cr_hash_kat(_metadata, &self->e, variant->kat, NULL);
}

/* The message in iovecs of 1, 2 and 7 bytes and the rest, across a page */
TEST_F(hash, digest_odd_sg)
{
	static const unsigned int parts[CR_PARTS_MAX] = { 1, 2, 7 };

	cr_hash_kat(_metadata, &self->e, variant->kat, parts);
}

/* What a test changed and the teardown restores */
struct cr_restore {
	unsigned int old_slices;
	bool restore_slices;
	__u64 host_weight;
	bool restore_host_weight;
	__u64 queue_len;
	bool restore_queue_len;
	bool rebind;
};

FIXTURE(crypto) {
	struct cr_env e;
	struct cr_restore r;
};

FIXTURE_SETUP(crypto)
{
	cr_setup(_metadata, &self->e);
	ASSERT_EQ(0, vs_get_slices(&self->e.card, &self->r.old_slices));
}

/*
 * Bind the card again if it is not bound; wait for its host slice and its
 * debugfs stats
 */
static int cr_rebind(struct cr_env *e)
{
	char path[VT_PATH_MAX];
	long long end;
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), VT_PCI_DEVICES "/%s/driver", e->card.bdf);
	if (stat(path, &st)) {
		ret = vs_write_str(CR_PCI_DRIVER "/bind", e->card.bdf);
		if (ret)
			return ret;
	}
	end = vs_now_ns() + VS_TIMEOUT_MS * 1000000LL;
	while (cr_find_host(e->card.bdf, e->host, sizeof(e->host))) {
		if (vs_now_ns() > end)
			return -ETIMEDOUT;
		vs_sleep_ms(10);
	}
	snprintf(path, sizeof(path), VT_DEBUGFS "/%s/stats", e->card.bdf);
	return vs_wait_path(path, true, VS_TIMEOUT_MS);
}

FIXTURE_TEARDOWN(crypto)
{
	unsigned int s, n;

	if (self->r.rebind) {
		EXPECT_EQ(0, cr_rebind(&self->e))
			TH_LOG("the card is not bound again");
		EXPECT_EQ(0, vs_card_open(&self->e.card));
	}
	if (self->r.restore_queue_len)
		EXPECT_EQ(0, cr_set_host_attr(&self->e, "queue_len",
					      self->r.queue_len));
	if (self->r.restore_host_weight)
		EXPECT_EQ(0, cr_set_host_weight(&self->e, self->r.host_weight));
	if (!vs_get_slices(&self->e.card, &n) && n != self->r.old_slices)
		EXPECT_EQ(0, vs_set_slices(&self->e.card, self->r.old_slices));
	if (self->r.restore_slices || self->r.rebind)
		for (s = 0; s < self->r.old_slices; s++)
			EXPECT_EQ(0, vs_set_weight(&self->e.card, s,
						   VS_WEIGHT_DEFAULT));
}

/*
 * Every vcrypt algorithm is registered with the module vcrypt, has passed
 * the crypto manager's tests, has priority 1500 and the right type, and
 * is above every other implementation of its name.
 */
TEST_F(crypto, proc_crypto)
{
	struct cr_alg *algs = calloc(CR_ALGS_MAX, sizeof(*algs));
	const struct cr_driver *d;
	const struct cr_alg *a;
	unsigned int i;
	int n, k;

	ASSERT_NE(NULL, algs);
	n = cr_proc_crypto(algs, CR_ALGS_MAX);
	ASSERT_LT(0, n) TH_LOG("cannot read " CR_PROC_CRYPTO);
	ASSERT_GT(CR_ALGS_MAX, n) TH_LOG("more than %d entries", n);
	for (i = 0; i < ARRAY_SIZE(cr_drivers); i++) {
		d = &cr_drivers[i];
		a = cr_find_driver(algs, n, d->driver);
		EXPECT_NE(NULL, a) TH_LOG("%s not in " CR_PROC_CRYPTO,
					  d->driver);
		if (!a)
			continue;
		EXPECT_STREQ(d->name, a->name);
		EXPECT_STREQ("vcrypt", a->module) TH_LOG("%s", d->driver);
		EXPECT_STREQ("passed", a->selftest) TH_LOG("%s", d->driver);
		EXPECT_STREQ(d->type, a->type) TH_LOG("%s", d->driver);
		EXPECT_EQ(CR_PRIORITY, a->priority) TH_LOG("%s", d->driver);
		for (k = 0; k < n; k++) {
			if (&algs[k] == a || strcmp(algs[k].name, d->name))
				continue;
			EXPECT_GT(a->priority, algs[k].priority)
				TH_LOG("%s (%ld) is not above %s (%ld)",
				       d->driver, a->priority, algs[k].driver,
				       algs[k].priority);
		}
	}
	free(algs);
}

/*
 * The host slice in sysfs (Documentation/ABI/testing/sysfs-class-vcrypt):
 * its counters, read-only and only for root (0400), and its weight, 1 to
 * 10000; no "slice" or
 * "open_files" attribute and no device node; also below the card's PCI
 * device; not counted in the card's slices.
 */
TEST_F(crypto, host_slice_sysfs)
{
	static const char * const ro[] = {
		"transforms", "queued", "in_flight", "completed_ops",
		"completed_bytes", "errors", "card_time_ns", "backlogged",
		"fallback_ops",
	};
	static const char * const bad[] = { "0\n", "10001\n", "abc\n" };
	char path[VT_PATH_MAX + 64];
	const char *name;
	unsigned int i, n;
	struct stat st;
	__u64 v = 0;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->e.host, ro[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("no %s", path);
		EXPECT_EQ(0400, st.st_mode & 07777) TH_LOG("%s", path);
		EXPECT_EQ(0, vs_read_u64(path, &v)) TH_LOG("%s", path);
	}
	snprintf(path, sizeof(path), "%s/weight", self->e.host);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0644, st.st_mode & 07777);
	ASSERT_EQ(0, vs_read_u64(path, &self->r.host_weight));
	self->r.restore_host_weight = true;
	EXPECT_EQ(VS_WEIGHT_DEFAULT, self->r.host_weight);
	ASSERT_EQ(0, vs_write_u64(path, VS_WEIGHT_MAX));
	EXPECT_EQ(0, vs_read_u64(path, &v));
	EXPECT_EQ(VS_WEIGHT_MAX, v);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, vs_write_str(path, bad[i]))
			TH_LOG("weight %.*s taken", (int)strlen(bad[i]) - 1,
			       bad[i]);
		EXPECT_EQ(0, vs_read_u64(path, &v));
		EXPECT_EQ(VS_WEIGHT_MAX, v);
	}

	snprintf(path, sizeof(path), "%s/slice", self->e.host);
	EXPECT_NE(0, stat(path, &st)) TH_LOG("%s exists", path);
	snprintf(path, sizeof(path), "%s/open_files", self->e.host);
	EXPECT_NE(0, stat(path, &st)) TH_LOG("%s exists", path);
	name = strrchr(self->e.host, '/') + 1;
	snprintf(path, sizeof(path), "/dev/%s", name);
	EXPECT_NE(0, stat(path, &st)) TH_LOG("%s exists", path);
	/* beside the card's slices, in the card's class directory */
	snprintf(path, sizeof(path), VT_PCI_DEVICES "/%s/vcrypt/%s",
		 self->e.card.bdf, name);
	EXPECT_EQ(0, stat(path, &st)) TH_LOG("no %s", path);
	/* the card's class devices: its slices and the host slice */
	ASSERT_EQ(0, vs_get_slices(&self->e.card, &n));
	EXPECT_EQ(n + 1, cr_class_scan(self->e.card.bdf, "", NULL, 0));
}

/*
 * The IV carries over from one request to the next: the 64 bytes of @v
 * sent at once, the output read in @parts (up to 3, 0-terminated), one
 * request each, the next one taking the IV the card wrote back for the one
 * before.
 */
static void cr_chained(struct __test_metadata *_metadata, struct cr_env *e,
		       const struct vt_cipher_kat *v, bool decrypt,
		       const unsigned int *parts)
{
	const __u8 *in = decrypt ? v->ct.p : v->pt.p;
	const __u8 *want = decrypt ? v->pt.p : v->ct.p;
	struct cr_counts a, b;
	unsigned int k = 0;
	int ret, tfm, op;
	size_t done = 0;
	__u8 out[64];
	ssize_t n;

	ret = cr_open("skcipher", v->name, v->key.p, v->key.len, 0, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", v->name, strerror(-ret));
	cr_counts(_metadata, e, &a);
	n = cr_sendmsg(op, decrypt ? ALG_OP_DECRYPT : ALG_OP_ENCRYPT, &v->iv,
		       -1, in, 64, 0);
	ASSERT_EQ(64, n) TH_LOG("%s: sendmsg: %s", v->name, strerror(-n));
	for (k = 0; k < 3 && parts[k]; k++) {
		n = read(op, out + done, parts[k]);
		ASSERT_EQ((ssize_t)parts[k], n)
			TH_LOG("%s: read %u: %s", v->name, k,
			       n < 0 ? strerror(errno) : "short");
		done += n;
	}
	cr_counts(_metadata, e, &b);
	cr_close(tfm, op);
	EXPECT_EQ(-1, vt_diff(out, want, 64))
		TH_LOG("%s: wrong output at offset %ld", v->name,
		       vt_diff(out, want, 64));
	cr_expect_card(_metadata, &a, &b, k);
}

TEST_F(crypto, chained_iv)
{
	static const struct {
		const struct vt_cipher_kat *v;
		bool decrypt;
		unsigned int parts[3];
	} runs[] = {
		{ &vk_cbc128, false, { 16, 48 } },
		{ &vk_cbc128, true, { 32, 16, 16 } },
		{ &vk_ctr128, false, { 32, 16, 16 } },
		{ &vk_ctr128, true, { 16, 48 } },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(runs); i++)
		cr_chained(_metadata, &self->e, runs[i].v, runs[i].decrypt,
			   runs[i].parts);
}

/* A tag, ciphertext or AAD bit flipped: EBADMSG, decided by the card */
static void cr_bad_tag(struct __test_metadata *_metadata, struct cr_env *e,
		       const struct cr_kat *k)
{
	__u8 in[CR_KAT_MAX], want[CR_KAT_MAX], out[CR_KAT_MAX];
	size_t in_len, want_len, flip[3];
	struct cr_counts a, b;
	__u64 errors0, errors1;
	int ret, tfm, op;
	unsigned int i;
	ssize_t n;

	cr_kat_build(k, true, in, &in_len, want, &want_len);
	flip[0] = in_len - 1;			/* the tag */
	flip[1] = k->v->aad.len + k->v->pt.len / 2;	/* the ciphertext */
	flip[2] = 0;					/* the AAD */
	ret = cr_open_kat(k, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", k->v->name, strerror(-ret));
	ASSERT_EQ(0, cr_host_attr(e, "errors", &errors0));
	cr_counts(_metadata, e, &a);
	/* the intact message first: the socket and the vector are right */
	n = cr_crypt(op, ALG_OP_DECRYPT, &k->v->iv, cr_assoclen(k), in, in_len,
		     out, want_len, NULL);
	EXPECT_EQ((ssize_t)want_len, n) TH_LOG("%s: %s", k->v->name,
					       strerror(-n));
	for (i = 0; i < ARRAY_SIZE(flip); i++) {
		in[flip[i]] ^= 0x01;
		n = cr_crypt(op, ALG_OP_DECRYPT, &k->v->iv, cr_assoclen(k), in,
			     in_len, out, want_len, NULL);
		EXPECT_EQ(-EBADMSG, n)
			TH_LOG("%s: byte %zu flipped: %s", k->v->name, flip[i],
			       n < 0 ? strerror(-n) : "accepted");
		in[flip[i]] ^= 0x01;
	}
	cr_counts(_metadata, e, &b);
	ASSERT_EQ(0, cr_host_attr(e, "errors", &errors1));
	cr_close(tfm, op);
	cr_expect_card(_metadata, &a, &b, 1 + ARRAY_SIZE(flip));
	/* the host slice counts the refused ones as errors */
	EXPECT_LE(errors0 + ARRAY_SIZE(flip), errors1)
		TH_LOG("%s: errors %llu -> %llu", k->v->name, errors0,
		       errors1);
}

TEST_F(crypto, gcm_bad_tag)
{
	/* GCM test cases 4 and 16 (the tag cut to 8 bytes), RFC 4106 */
	static const struct cr_kat kats[] = {
		{ .v = &vk_gcm_tc4 },
		{ .v = &vk_gcm_tc16, .tag_len = 8 },
		{ .v = &vk_rfc4106_128 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kats); i++)
		cr_bad_tag(_metadata, &self->e, &kats[i]);
}

/* Keys of lengths the algorithms do not take: EINVAL at ALG_SET_KEY */
TEST_F(crypto, bad_key_length)
{
	static const struct {
		const char *type;
		const char *alg;
		unsigned int len;
	} bad[] = {
		{ "skcipher", "cbc(aes)", 0 },
		{ "skcipher", "cbc(aes)", 17 },
		{ "skcipher", "cbc(aes)", 33 },
		{ "skcipher", "ctr(aes)", 15 },
		{ "skcipher", "ctr(aes)", 20 },
		{ "skcipher", "xts(aes)", 16 },
		{ "skcipher", "xts(aes)", 40 },
		{ "skcipher", "xts(aes)", 65 },
		{ "aead", "gcm(aes)", 17 },
		{ "aead", "gcm(aes)", 31 },
		{ "aead", "rfc4106(gcm(aes))", 3 },
		{ "aead", "rfc4106(gcm(aes))", 16 },
		{ "aead", "rfc4106(gcm(aes))", 21 },
	};
	static const __u8 key[72];
	struct cr_counts a, b;
	unsigned int i;
	int tfm;

	cr_counts(_metadata, &self->e, &a);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		tfm = cr_tfm(bad[i].type, bad[i].alg, key, bad[i].len, 0);
		EXPECT_EQ(-EINVAL, tfm)
			TH_LOG("%s with a %u-byte key: %s", bad[i].alg,
			       bad[i].len, tfm < 0 ? strerror(-tfm) : "taken");
		if (tfm >= 0)
			close(tfm);
	}
	/* the same with a good length is taken: the sockets are right */
	tfm = cr_tfm("skcipher", "xts(aes)", key, 48, 0);
	EXPECT_LE(0, tfm) TH_LOG("xts(aes), 48 bytes: %s", strerror(-tfm));
	if (tfm >= 0)
		close(tfm);
	cr_counts(_metadata, &self->e, &b);
	cr_expect_nothing(_metadata, &a, &b);
}

/*
 * A request of the first @len bytes of @v's plaintext, with its key and
 * IV, fails with EINVAL both ways, card untouched
 */
static void cr_bad_length(struct __test_metadata *_metadata, struct cr_env *e,
			  const struct vt_cipher_kat *v, size_t len)
{
	const char *alg = v->name;
	struct cr_counts a, b;
	int ret, tfm, op;
	__u8 buf[64];
	ssize_t n;

	ret = cr_open("skcipher", alg, v->key.p, v->key.len, 0, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", alg, strerror(-ret));
	memcpy(buf, v->pt.p, sizeof(buf));
	cr_counts(_metadata, e, &a);
	n = cr_crypt(op, ALG_OP_ENCRYPT, &v->iv, -1, buf, len, buf, len, NULL);
	EXPECT_EQ(-EINVAL, n) TH_LOG("%s of %zu bytes: %s", alg, len,
				     n < 0 ? strerror(-n) : "done");
	n = cr_crypt(op, ALG_OP_DECRYPT, &v->iv, -1, buf, len, buf, len, NULL);
	EXPECT_EQ(-EINVAL, n) TH_LOG("%s decrypt of %zu bytes: %s", alg, len,
				     n < 0 ? strerror(-n) : "done");
	cr_counts(_metadata, e, &b);
	cr_close(tfm, op);
	cr_expect_nothing(_metadata, &a, &b);
}

/* CBC of partial blocks and XTS shorter than a block: EINVAL */
TEST_F(crypto, bad_length)
{
	static const struct {
		const struct vt_cipher_kat *v;
		size_t len;
	} bad[] = {
		{ &vk_cbc128, 15 },
		{ &vk_cbc128, 17 },
		{ &vk_cbc128, 63 },
		{ &vk_xts128_v4, 15 },
		{ &vk_xts128_v4, 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		cr_bad_length(_metadata, &self->e, bad[i].v, bad[i].len);
}

/* Message bytes the driver collects from partial hashes for the card */
#define CR_HASH_BUF	4096

/*
 * The message @msg of @len bytes (NULL: @v's own) hashed as @v says in
 * sendmsg() calls with MSG_MORE of the sizes in @sizes, in turn; the
 * digest is the published one. Up to CR_HASH_BUF bytes in all the driver
 * collects the pieces and the card hashes the message; a longer message
 * runs in software, which fallback_ops counts, and the card does nothing.
 */
static void cr_hash_pieces(struct __test_metadata *_metadata,
			   struct cr_env *e, const struct vt_hash_kat *v,
			   const __u8 *msg, size_t len, const size_t *sizes,
			   unsigned int nsizes)
{
	const unsigned int dlen = v->digest.len;
	const char *alg = v->name;
	struct cr_counts a, b;
	unsigned int calls = 0;
	int ret, tfm, op;
	size_t done = 0, size;
	__u8 out[64];
	ssize_t n;

	if (!msg) {
		msg = v->msg.p;
		len = v->msg.len;
	}
	ret = cr_open("hash", alg, v->key.len ? v->key.p : NULL, v->key.len, 0,
		      &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", alg, strerror(-ret));
	cr_counts(_metadata, e, &a);
	while (done < len) {
		size = sizes[calls % nsizes];
		if (size > len - done)
			size = len - done;
		n = send(op, msg + done, size,
			 done + size < len ? MSG_MORE : 0);
		ASSERT_EQ((ssize_t)size, n) TH_LOG("%s: send: %s", alg,
						   strerror(errno));
		done += size;
		calls++;
	}
	n = read(op, out, dlen);
	ASSERT_EQ((ssize_t)dlen, n) TH_LOG("%s: read: %s", alg,
					   strerror(errno));
	cr_counts(_metadata, e, &b);
	cr_close(tfm, op);
	EXPECT_EQ(-1, vt_diff(out, v->digest.p, dlen))
		TH_LOG("%s: wrong digest", alg);
	if (len <= CR_HASH_BUF) {
		EXPECT_EQ(a.fallback, b.fallback)
			TH_LOG("%s: %zu bytes in %u calls ran in software",
			       alg, len, calls);
		EXPECT_LE(a.completed + 1, b.completed)
			TH_LOG("%s: %zu bytes in %u calls: not on the card",
			       alg, len, calls);
	} else {
		EXPECT_LT(a.fallback, b.fallback)
			TH_LOG("%s: fallback_ops %llu -> %llu after %u calls",
			       alg, a.fallback, b.fallback, calls);
		EXPECT_EQ(a.completed, b.completed)
			TH_LOG("%s: %zu bytes went to the card", alg, len);
	}
}

/*
 * AEAD parameters the algorithms refuse with EINVAL: tag sizes at
 * ALG_SET_AEAD_AUTHSIZE, and RFC 4106 associated data of other than 16 or
 * 20 bytes at the request; the card and the fallback see nothing.
 */
TEST_F(crypto, bad_aead_params)
{
	static const struct {
		const struct vt_cipher_kat *v;	/* its algorithm and key */
		unsigned int authsize;
		bool good;
	} sizes[] = {
		{ &vk_gcm_tc3, 3, false },
		{ &vk_gcm_tc3, 4, true },
		{ &vk_gcm_tc3, 5, false },
		{ &vk_gcm_tc3, 11, false },
		{ &vk_gcm_tc3, 12, true },
		{ &vk_gcm_tc3, 17, false },
		{ &vk_rfc4106_128, 4, false },
		{ &vk_rfc4106_128, 8, true },
		{ &vk_rfc4106_128, 13, false },
	};
	static const unsigned int assoclens[] = { 8, 12, 24 };
	/* 20 bytes of associated data (with the IV), 72 of plaintext */
	static const struct cr_kat rfc4106 = { .v = &vk_rfc4106_128 };
	__u8 in[CR_KAT_MAX], out[CR_KAT_MAX];
	size_t in_len, out_len;
	const char *alg;
	struct cr_counts a, b;
	int ret, tfm, op;
	unsigned int i;
	ssize_t n;

	cr_counts(_metadata, &self->e, &a);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		alg = sizes[i].v->name;
		tfm = cr_tfm("aead", alg, sizes[i].v->key.p,
			     sizes[i].v->key.len, sizes[i].authsize);
		if (sizes[i].good) {
			EXPECT_LE(0, tfm)
				TH_LOG("%s, tag of %u: %s", alg,
				       sizes[i].authsize, strerror(-tfm));
		} else {
			EXPECT_EQ(-EINVAL, tfm)
				TH_LOG("%s, tag of %u: %s", alg,
				       sizes[i].authsize,
				       tfm < 0 ? strerror(-tfm) : "taken");
		}
		if (tfm >= 0)
			close(tfm);
	}

	ret = cr_open_kat(&rfc4106, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("rfc4106(gcm(aes)): %s", strerror(-ret));
	cr_kat_build(&rfc4106, false, in, &in_len, out, &out_len);
	for (i = 0; i < ARRAY_SIZE(assoclens); i++) {
		n = cr_crypt(op, ALG_OP_ENCRYPT, &rfc4106.v->iv, assoclens[i],
			     in, in_len, out, out_len, NULL);
		EXPECT_EQ(-EINVAL, n)
			TH_LOG("associated data of %u bytes: %s", assoclens[i],
			       n < 0 ? strerror(-n) : "taken");
	}
	cr_close(tfm, op);
	cr_counts(_metadata, &self->e, &b);
	cr_expect_nothing(_metadata, &a, &b);
}

/*
 * SHA-256 and SHA-512 of one million "a" (FIPS 180-2 B.3, C.3) and HMACs
 * of RFC 4231 (case 6: a key the card does not take) in pieces.
 */
TEST_F(crypto, incremental_hash)
{
	static const size_t big[] = { 1, 63, 4096, 999, 65536, 12345 };
	static const size_t small[] = { 1, 16, 5 };
	__u8 *msg;

	msg = malloc(CR_MILLION);
	ASSERT_NE(NULL, msg);
	memset(msg, 'a', CR_MILLION);
	cr_hash_pieces(_metadata, &self->e, &vk_sha256_million_a, msg,
		       CR_MILLION, big, ARRAY_SIZE(big));
	cr_hash_pieces(_metadata, &self->e, &vk_sha512_million_a, msg,
		       CR_MILLION, big, ARRAY_SIZE(big));
	free(msg);
	cr_hash_pieces(_metadata, &self->e, &vk_hmac_rfc4231_2, NULL, 0,
		       small, ARRAY_SIZE(small));
	cr_hash_pieces(_metadata, &self->e, &vk_hmac_rfc4231_6, NULL, 0,
		       small, ARRAY_SIZE(small));
}

/*
 * A partial hash carried to a new socket: accept() on an operation socket
 * with a message under way exports its state and imports it into the new
 * one. Both finish "ab" with "c" and give SHA-256 of "abc", in software:
 * the exported state is the software hash's.
 */
TEST_F(crypto, hash_export_import)
{
	struct cr_counts a, b;
	int ret, tfm, op, op2;
	__u8 out[32], out2[32];
	ssize_t n;

	ret = cr_open("hash", "sha256", NULL, 0, 0, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("sha256: %s", strerror(-ret));
	cr_counts(_metadata, &self->e, &a);
	ASSERT_EQ(2, send(op, "ab", 2, MSG_MORE));
	op2 = cr_op(op);
	ASSERT_LE(0, op2) TH_LOG("accept: %s", strerror(-op2));
	ASSERT_EQ(1, send(op2, "c", 1, 0));
	ASSERT_EQ(1, send(op, "c", 1, 0));
	n = read(op2, out2, sizeof(out2));
	EXPECT_EQ(32, n);
	n = read(op, out, sizeof(out));
	EXPECT_EQ(32, n);
	cr_counts(_metadata, &self->e, &b);
	close(op2);
	cr_close(tfm, op);
	EXPECT_EQ(-1, vt_diff(out, SHA256_ABC, 32));
	EXPECT_EQ(-1, vt_diff(out2, SHA256_ABC, 32))
		TH_LOG("wrong digest from the imported state");
	EXPECT_LE(a.fallback + 2, b.fallback);
	EXPECT_EQ(a.completed, b.completed);
}

#define CR_HOST_WEIGHT		300
#define CR_TENANT_WEIGHT	100
#define CR_HOST_THREADS		32
#define CR_TENANT_FILES		2
#define CR_TENANT_DEPTH		64
#define CR_WINDOW_MS		3000
#define CR_SHARE_TOLERANCE	10.0

/*
 * The host slice with weight 300 and slice 0 with weight 100, both
 * backlogged (CR_HOST_THREADS threads of 64 KiB cbc(aes) requests on the
 * host, CR_TENANT_FILES files with 32 and 64 KiB requests on slice 0):
 * over a window, the host slice gets 75 % of the card time the two are
 * charged, within CR_SHARE_TOLERANCE points.
 */
TEST_F_TIMEOUT(crypto, host_weight, 120)
{
	struct cr_worker w[CR_HOST_THREADS] = { 0 };
	struct vl_file files[CR_TENANT_FILES] = { 0 };
	__u64 h0, h1, s0, s1, t0;
	struct timespec deadline;
	struct vl_cases cases;
	double share, want;
	bool stop = false;
	long long t;
	unsigned int i;

	ASSERT_EQ(0, vs_need_slices(&self->e.card, 1, &self->r.old_slices));
	self->r.restore_slices = true;
	ASSERT_EQ(0, cr_host_attr(&self->e, "weight", &self->r.host_weight));
	self->r.restore_host_weight = true;
	ASSERT_EQ(0, cr_set_host_weight(&self->e, CR_HOST_WEIGHT));
	ASSERT_EQ(0, vs_set_weight(&self->e.card, 0, CR_TENANT_WEIGHT));
	ASSERT_EQ(0, vl_cases_sizes(&cases, 3));
	t0 = vs_attr_val(&self->e.card, 0, "completed_ops");

	for (i = 0; i < CR_TENANT_FILES; i++) {
		files[i].card = &self->e.card;
		files[i].slice = 0;
		files[i].depth = CR_TENANT_DEPTH;
		files[i].cases = &cases;
		files[i].seed = i + 1;
		ASSERT_EQ(0, vl_start(&files[i])) TH_LOG("%s", files[i].err);
	}
	for (i = 0; i < CR_HOST_THREADS; i++) {
		w[i].len = CR_BIG;
		w[i].stop = &stop;
		ASSERT_EQ(0, cr_worker_start(&w[i])) TH_LOG("%s", w[i].err);
	}

	/* both busy: the host's and the tenant's requests complete */
	if (!cr_workers_progress(w, CR_HOST_THREADS, NULL, 3, false,
				 VS_TIMEOUT_MS)) {
		cr_workers_log(_metadata, w, CR_HOST_THREADS);
		ASSERT_TRUE(false) TH_LOG("the host threads do not progress");
	}
	t = vs_now_ns() + VS_TIMEOUT_MS * 1000000LL;
	while (vs_attr_val(&self->e.card, 0, "completed_ops") < t0 + 20 &&
	       vs_now_ns() < t)
		vs_sleep_ms(10);
	EXPECT_LE(t0 + 20, vs_attr_val(&self->e.card, 0, "completed_ops"));

	t = vs_now_ns();
	ASSERT_EQ(0, cr_host_attr(&self->e, "card_time_ns", &h0));
	ASSERT_EQ(0, vs_attr(&self->e.card, 0, "card_time_ns", &s0));
	vs_sleep_ms(CR_WINDOW_MS);
	ASSERT_EQ(0, cr_host_attr(&self->e, "card_time_ns", &h1));
	ASSERT_EQ(0, vs_attr(&self->e.card, 0, "card_time_ns", &s1));
	t = vs_now_ns() - t;

	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < CR_TENANT_FILES; i++)
		vl_stop(&files[i]);
	deadline = vl_deadline(3 * VS_TIMEOUT_MS);
	for (i = 0; i < CR_HOST_THREADS; i++) {
		ASSERT_EQ(0, cr_worker_join(&w[i], &deadline))
			TH_LOG("host thread %u hangs", i);
		EXPECT_FALSE(w[i].failed) TH_LOG("host thread %u: %s", i,
						 w[i].err);
	}
	for (i = 0; i < CR_TENANT_FILES; i++) {
		ASSERT_EQ(0, vl_join(&files[i], &deadline))
			TH_LOG("a file of slice 0 hangs");
		EXPECT_FALSE(files[i].failed) TH_LOG("%s", files[i].err);
		vl_close(&files[i]);
	}

	ASSERT_LT(0, h1 - h0 + s1 - s0) TH_LOG("no card time charged");
	share = 100.0 * (h1 - h0) / (h1 - h0 + s1 - s0);
	want = 100.0 * CR_HOST_WEIGHT / (CR_HOST_WEIGHT + CR_TENANT_WEIGHT);
	TH_LOG("host slice: %.1f %% of the card (%.1f %% due), slice 0: %.1f %%",
	       share, want, 100.0 - share);
	TH_LOG("card time charged: %.1f %% of %lld ms",
	       100.0 * (h1 - h0 + s1 - s0) / t, t / 1000000);
	EXPECT_TRUE(share - want <= CR_SHARE_TOLERANCE &&
		    want - share <= CR_SHARE_TOLERANCE)
		TH_LOG("host slice: %.1f %% is not within %.0f points of %.1f %%",
		       share, CR_SHARE_TOLERANCE, want);
}

/* Requests each thread of the backlog test does (each encrypt + decrypt) */
#define CR_BACKLOG_OPS		64

/*
 * With the host slice's queue_len 1, CR_THREADS threads doing synchronous requests
 * at once: most wait in the backlog (AF_ALG allows it: -EBUSY, then
 * -EINPROGRESS, then the result); every result is right, none hangs, the
 * card does them all, and backlogged counts the waits.
 */
TEST_F_TIMEOUT(crypto, backlog, 120)
{
	struct cr_worker w[CR_THREADS] = { 0 };
	struct timespec deadline;
	struct cr_counts a, b;
	__u64 bl0, bl1, v;
	bool stop = false;
	unsigned int i;

	ASSERT_EQ(0, cr_host_attr(&self->e, "queue_len", &self->r.queue_len));
	self->r.restore_queue_len = true;
	ASSERT_EQ(0, cr_set_host_attr(&self->e, "queue_len", 1));
	ASSERT_EQ(0, cr_host_attr(&self->e, "queue_len", &v));
	ASSERT_EQ(1, v);
	ASSERT_EQ(0, cr_host_attr(&self->e, "backlogged", &bl0));
	cr_counts(_metadata, &self->e, &a);

	for (i = 0; i < CR_THREADS; i++) {
		w[i].len = 64;
		w[i].total = CR_BACKLOG_OPS;
		w[i].roundtrip = true;
		w[i].stop = &stop;
		ASSERT_EQ(0, cr_worker_start(&w[i])) TH_LOG("%s", w[i].err);
	}
	deadline = vl_deadline(6 * VS_TIMEOUT_MS);
	for (i = 0; i < CR_THREADS; i++) {
		ASSERT_EQ(0, cr_worker_join(&w[i], &deadline))
			TH_LOG("thread %u hangs after %lu requests", i,
			       __atomic_load_n(&w[i].ops, __ATOMIC_ACQUIRE));
		EXPECT_FALSE(w[i].failed) TH_LOG("thread %u: %s", i, w[i].err);
		EXPECT_EQ(CR_BACKLOG_OPS, w[i].ops) TH_LOG("thread %u", i);
	}
	cr_counts(_metadata, &self->e, &b);
	ASSERT_EQ(0, cr_host_attr(&self->e, "backlogged", &bl1));
	TH_LOG("%llu requests backlogged", bl1 - bl0);
	EXPECT_LT(bl0, bl1) TH_LOG("no request waited in the backlog");
	cr_expect_card(_metadata, &a, &b, 2 * CR_THREADS * CR_BACKLOG_OPS);
}

/* The host slice's queue_len takes 1 to 4096 */
TEST_F(crypto, queue_len_attr)
{
	static const char * const bad[] = {
		"0\n", "4097\n", "-1\n", "abc\n", "12abc\n",
	};
	char path[VT_PATH_MAX + 64];
	unsigned int i;
	__u64 v;
	int ret;

	snprintf(path, sizeof(path), "%s/queue_len", self->e.host);
	ASSERT_EQ(0, vs_read_u64(path, &self->r.queue_len));
	EXPECT_EQ(CR_QUEUE_LEN_DEFAULT, self->r.queue_len)
		TH_LOG("an earlier test left queue_len at %llu",
		       self->r.queue_len);
	self->r.restore_queue_len = true;
	ASSERT_EQ(0, vs_write_u64(path, CR_QUEUE_LEN_MAX));
	ASSERT_EQ(0, vs_read_u64(path, &v));
	EXPECT_EQ(CR_QUEUE_LEN_MAX, v);
	ASSERT_EQ(0, vs_write_u64(path, 1));
	ASSERT_EQ(0, vs_read_u64(path, &v));
	EXPECT_EQ(1, v);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ret = vs_write_str(path, bad[i]);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("writing %.*s: %s",
					       (int)strlen(bad[i]) - 1, bad[i],
					       ret ? strerror(-ret) : "taken");
		ASSERT_EQ(0, vs_read_u64(path, &v));
		EXPECT_EQ(1, v);
	}
}

/* A 64-byte SP 800-38A F.2.1 encryption on @op; 0 or -errno */
static int cr_cbc_kat(int op)
{
	const struct vt_cipher_kat *v = &vk_cbc128;
	__u8 out[64];
	ssize_t n;

	n = cr_crypt(op, ALG_OP_ENCRYPT, &v->iv, -1, v->pt.p, 64, out, 64,
		     NULL);
	if (n < 0)
		return n;
	if (n != 64 || vt_diff(out, v->ct.p, 64) >= 0)
		return -EBADMSG;
	return 0;
}

/*
 * cr_cbc_kat() on @op gives the right answer, and the card did it (@card)
 * or neither the card nor the host slice saw it (a transform from before
 * a bind, in software)
 */
static void cr_expect_cbc_kat(struct __test_metadata *_metadata,
			      struct cr_env *e, int op, bool card,
			      const char *what)
{
	struct cr_counts a, b;
	int ret;

	cr_counts(_metadata, e, &a);
	ret = cr_cbc_kat(op);
	cr_counts(_metadata, e, &b);
	EXPECT_EQ(0, ret) TH_LOG("%s: %s", what, strerror(-ret));
	if (card)
		cr_expect_card(_metadata, &a, &b, 1);
	else
		cr_expect_nothing(_metadata, &a, &b);
}

/*
 * With a transform of vcrypt-cbc-aes open, the module cannot be unloaded:
 * delete_module(O_NONBLOCK) fails with EWOULDBLOCK, the module stays and
 * works. The transform counts in the host slice's transforms, and once
 * the sockets are closed that count and the module's reference count are
 * back where they were.
 */
TEST_F(crypto, rmmod_busy)
{
	__u64 v, refs, transforms0, transforms;
	int ret, tfm, op;
	struct stat st;
	long long end;

	ASSERT_EQ(0, cr_host_attr(&self->e, "transforms", &transforms0));
	ASSERT_EQ(0, vs_read_u64(CR_REFCNT, &refs));
	ret = cr_open("skcipher", "vcrypt-cbc-aes", vk_cbc128.key.p,
		      vk_cbc128.key.len, 0, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("vcrypt-cbc-aes: %s", strerror(-ret));
	ASSERT_EQ(0, vs_read_u64(CR_REFCNT, &v));
	EXPECT_LT(refs, v) TH_LOG("the transform holds no reference on vcrypt");
	ASSERT_EQ(0, cr_host_attr(&self->e, "transforms", &transforms));
	EXPECT_EQ(transforms0 + 1, transforms);

	errno = 0;
	ret = syscall(SYS_delete_module, "vcrypt", O_NONBLOCK);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EWOULDBLOCK, errno) TH_LOG("delete_module: %s",
					     strerror(errno));
	ASSERT_EQ(0, stat(CR_MODULE, &st)) TH_LOG("vcrypt was unloaded");

	cr_expect_cbc_kat(_metadata, &self->e, op, true, "vcrypt-cbc-aes");

	cr_close(tfm, op);
	end = vs_now_ns() + VS_TIMEOUT_MS * 1000000LL;
	while ((cr_host_attr(&self->e, "transforms", &transforms) ||
		vs_read_u64(CR_REFCNT, &v) || transforms != transforms0 ||
		v != refs) && vs_now_ns() < end)
		vs_sleep_ms(10);
	EXPECT_EQ(transforms0, transforms);
	EXPECT_EQ(refs, v) TH_LOG("vcrypt refcnt %llu, %llu before", v, refs);
}

/*
 * The card unbound while CR_THREADS threads run 64 KiB cbc(aes) requests
 * on their own transforms (with @queue_len 1: most of them waiting in the
 * backlog): each request in progress completes, right or with ENODEV,
 * within VS_TIMEOUT_MS; at least one gets ENODEV; later requests on the
 * same sockets, and on a transform created while no card is bound, run in
 * software and are right; the algorithms stay registered. After the next
 * bind, a new transform uses the card, and an old one still runs in
 * software without touching the new host slice.
 */
static void cr_unbind(struct __test_metadata *_metadata, struct cr_env *e,
		      struct cr_restore *r, unsigned int queue_len)
{
	struct cr_worker w[CR_THREADS] = { 0 };
	unsigned long enodev = 0, base[CR_THREADS];
	bool stop = false, unbound = false;
	int ret, tfm, op, old_tfm, old_op;
	__u64 backlogged0, backlogged1;
	char bdf[VT_NAME_MAX];
	struct timespec deadline;
	long long max_ns = 0;
	unsigned int i;

	ret = vs_class_bdf(e->host, bdf);
	ASSERT_EQ(0, ret) TH_LOG("%s/device: %s", e->host, strerror(-ret));
	ASSERT_STREQ(e->card.bdf, bdf);

	ASSERT_EQ(0, cr_host_attr(e, "queue_len", &r->queue_len));
	r->restore_queue_len = true;
	ASSERT_EQ(0, cr_set_host_attr(e, "queue_len", queue_len));
	ASSERT_EQ(0, cr_host_attr(e, "backlogged", &backlogged0));
	ret = cr_open_kat(&cr_cbc128, &old_tfm, &old_op);
	ASSERT_EQ(0, ret) TH_LOG("cbc(aes): %s", strerror(-ret));

	for (i = 0; i < CR_THREADS; i++) {
		w[i].len = CR_BIG;
		w[i].roundtrip = true;
		w[i].tolerate_enodev = true;
		w[i].stop = &stop;
		w[i].unbound = &unbound;
		ASSERT_EQ(0, cr_worker_start(&w[i])) TH_LOG("%s", w[i].err);
	}
	if (!cr_workers_progress(w, CR_THREADS, NULL, 2, false,
				 3 * VS_TIMEOUT_MS)) {
		cr_workers_log(_metadata, w, CR_THREADS);
		ASSERT_TRUE(false) TH_LOG("the threads do not progress");
	}
	ASSERT_EQ(0, cr_host_attr(e, "backlogged", &backlogged1));
	if (queue_len == 1)
		EXPECT_LT(backlogged0, backlogged1)
			TH_LOG("no request waits in the backlog");

	r->rebind = true;
	ASSERT_EQ(0, vs_write_str(CR_PCI_DRIVER "/unbind", bdf));
	__atomic_store_n(&unbound, true, __ATOMIC_RELEASE);
	for (i = 0; i < CR_THREADS; i++)
		base[i] = __atomic_load_n(&w[i].after, __ATOMIC_ACQUIRE);
	if (!cr_workers_progress(w, CR_THREADS, base, 2, true,
				 3 * VS_TIMEOUT_MS)) {
		cr_workers_log(_metadata, w, CR_THREADS);
		EXPECT_TRUE(false)
			TH_LOG("requests after the unbind do not complete");
	}

	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	deadline = vl_deadline(3 * VS_TIMEOUT_MS);
	for (i = 0; i < CR_THREADS; i++) {
		ASSERT_EQ(0, cr_worker_join(&w[i], &deadline))
			TH_LOG("thread %u hangs", i);
		EXPECT_FALSE(w[i].failed) TH_LOG("thread %u: %s", i, w[i].err);
		enodev += w[i].enodev;
		if (w[i].max_ns > max_ns)
			max_ns = w[i].max_ns;
	}
	TH_LOG("%lu requests failed with ENODEV; the longest took %lld ms",
	       enodev, max_ns / 1000000);
	EXPECT_LT(0, enodev) TH_LOG("no request in flight failed at the unbind");
	EXPECT_GT(VS_TIMEOUT_MS * 1000000LL, max_ns);
	/* the algorithms stay registered until the module goes */
	cr_expect_registered(_metadata);
	/* in software: an old transform, and one made with no card bound */
	EXPECT_EQ(0, cr_cbc_kat(old_op)) TH_LOG("old transform, no card");
	ret = cr_open_kat(&cr_cbc128, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("cbc(aes) with no card: %s", strerror(-ret));
	EXPECT_EQ(0, cr_cbc_kat(op)) TH_LOG("new transform, no card");
	cr_close(tfm, op);

	ASSERT_EQ(0, cr_rebind(e)) TH_LOG("no host slice after bind");
	ASSERT_EQ(0, vs_card_open(&e->card));
	r->rebind = false;

	ret = cr_open_kat(&cr_cbc128, &tfm, &op);
	ASSERT_EQ(0, ret) TH_LOG("cbc(aes): %s", strerror(-ret));
	cr_expect_cbc_kat(_metadata, e, op, true,
			  "new transform after the bind");
	cr_close(tfm, op);

	/* the old transform stays in software, off the new host slice */
	cr_expect_cbc_kat(_metadata, e, old_op, false,
			  "old transform after the bind");
	cr_close(old_tfm, old_op);
}

TEST_F_TIMEOUT(crypto, unbind_in_flight, 180)
{
	cr_unbind(_metadata, &self->e, &self->r, CR_QUEUE_LEN_DEFAULT);
}

TEST_F_TIMEOUT(crypto, unbind_backlogged, 180)
{
	cr_unbind(_metadata, &self->e, &self->r, 1);
}

TEST_HARNESS_MAIN
