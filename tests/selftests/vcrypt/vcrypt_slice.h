/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests of the slices (/dev/vcryptN): the card's
 * and the slices' sysfs attributes, the slice ioctls, waiting for
 * completions with a time limit, and a set of known-answer requests built
 * from the published vectors of vcrypt_vectors.h (through vcrypt_kat.h).
 *
 * Slice s of the first card is /dev/vcrypt<base + s>, where base is 256
 * times the card's number; struct vs_card holds it.
 */
#ifndef VCRYPT_SLICE_H
#define VCRYPT_SLICE_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "vcrypt_kat.h"

#define VS_CLASS		"/sys/class/vcrypt"
/* The card's attribute group, below its PCI device */
#define VS_CARD_GROUP		"vcrypt_card"
#define VS_NODES_PER_CARD	256
#define VS_SLICES_MAX		256
#define VS_WEIGHT_DEFAULT	100
#define VS_WEIGHT_MAX		10000
/* Longest wait for anything the card does; it needs milliseconds */
#define VS_TIMEOUT_MS		10000
/* How long "nothing happens" is watched for */
#define VS_QUIET_MS		300
#define VS_PAGE			4096

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

/* Every algorithm of the card, as struct vcrypt_info.algs reports them */
#define VS_ALGS_ALL	((1u << VCRYPT_ALG_AES_CBC) | \
			 (1u << VCRYPT_ALG_AES_CTR) | \
			 (1u << VCRYPT_ALG_AES_XTS) | \
			 (1u << VCRYPT_ALG_AES_GCM) | \
			 (1u << VCRYPT_ALG_SHA256) | \
			 (1u << VCRYPT_ALG_SHA512) | \
			 (1u << VCRYPT_ALG_HMAC_SHA256))

/**
 * struct vs_kat - one known-answer operation
 * @name: for messages
 * @alg: VCRYPT_ALG_*
 * @flags: VCRYPT_OP_*
 * @key: the key (.len 0: none)
 * @iv: the IV (.len 0: none)
 * @src: the source, laid out as for struct vcrypt_op
 * @out: what the destination must hold; out_len is @out.len
 * @next_iv: the IV that VCRYPT_IOC_OP writes back (CBC, CTR); .len 0:
 *	the IV is left as it was
 * @aad_len: AES-GCM associated data length
 * @tag_len: AES-GCM tag length
 */
struct vs_kat {
	const char *name;
	__u32 alg;
	__u32 flags;
	struct vt_bytes key;
	struct vt_bytes iv;
	struct vt_bytes src;
	struct vt_bytes out;
	struct vt_bytes next_iv;
	__u32 aad_len;
	__u32 tag_len;
};

static const struct vs_kat vs_kats[] = {
	{
		.name = "aes-128-cbc encrypt (SP 800-38A F.2.1)",
		.alg = VCRYPT_ALG_AES_CBC,
		.key = VT_BYTES(SP800_38A_KEY128),
		.iv = VT_BYTES(SP800_38A_CBC_IV),
		.src = VT_BYTES(SP800_38A_PT),
		.out = VT_BYTES(SP800_38A_CBC128_CT),
		.next_iv = VT_LAST_BLOCK(SP800_38A_CBC128_CT),
	}, {
		.name = "aes-128-cbc decrypt (SP 800-38A F.2.2)",
		.alg = VCRYPT_ALG_AES_CBC,
		.flags = VCRYPT_OP_DECRYPT,
		.key = VT_BYTES(SP800_38A_KEY128),
		.iv = VT_BYTES(SP800_38A_CBC_IV),
		.src = VT_BYTES(SP800_38A_CBC128_CT),
		.out = VT_BYTES(SP800_38A_PT),
		.next_iv = VT_LAST_BLOCK(SP800_38A_CBC128_CT),
	}, {
		.name = "aes-128-ctr encrypt (SP 800-38A F.5.1)",
		.alg = VCRYPT_ALG_AES_CTR,
		.key = VT_BYTES(SP800_38A_KEY128),
		.iv = VT_BYTES(SP800_38A_CTR_IV),
		.src = VT_BYTES(SP800_38A_PT),
		.out = VT_BYTES(SP800_38A_CTR128_CT),
		.next_iv = VT_BYTES(SP800_38A_CTR_NEXT_IV),
	}, {
		.name = "aes-128-ctr decrypt (SP 800-38A F.5.2)",
		.alg = VCRYPT_ALG_AES_CTR,
		.flags = VCRYPT_OP_DECRYPT,
		.key = VT_BYTES(SP800_38A_KEY128),
		.iv = VT_BYTES(SP800_38A_CTR_IV),
		.src = VT_BYTES(SP800_38A_CTR128_CT),
		.out = VT_BYTES(SP800_38A_PT),
		.next_iv = VT_BYTES(SP800_38A_CTR_NEXT_IV),
	}, {
		.name = "xts-aes-128 encrypt (IEEE 1619 vector 4)",
		.alg = VCRYPT_ALG_AES_XTS,
		.key = VT_BYTES(IEEE1619_V4_KEY),
		.iv = VT_BYTES(IEEE1619_DUSN_0),
		.src = VT_BYTES(IEEE1619_PT512),
		.out = VT_BYTES(IEEE1619_V4_CT),
	}, {
		.name = "xts-aes-128 decrypt (IEEE 1619 vector 4)",
		.alg = VCRYPT_ALG_AES_XTS,
		.flags = VCRYPT_OP_DECRYPT,
		.key = VT_BYTES(IEEE1619_V4_KEY),
		.iv = VT_BYTES(IEEE1619_DUSN_0),
		.src = VT_BYTES(IEEE1619_V4_CT),
		.out = VT_BYTES(IEEE1619_PT512),
	}, {
		.name = "aes-128-gcm encrypt (GCM test case 3)",
		.alg = VCRYPT_ALG_AES_GCM,
		.key = VT_BYTES(GCM_KF_128),
		.iv = VT_BYTES(GCM_IVF),
		.src = VT_BYTES(GCM_P64),
		.out = VT_BYTES(GCM_TC3_CT GCM_TC3_TAG),
		.tag_len = 16,
	}, {
		.name = "aes-128-gcm decrypt (GCM test case 3)",
		.alg = VCRYPT_ALG_AES_GCM,
		.flags = VCRYPT_OP_DECRYPT,
		.key = VT_BYTES(GCM_KF_128),
		.iv = VT_BYTES(GCM_IVF),
		.src = VT_BYTES(GCM_TC3_CT GCM_TC3_TAG),
		.out = VT_BYTES(GCM_P64),
		.tag_len = 16,
	}, {
		.name = "sha-256 of \"abc\" (FIPS 180-2 B.1)",
		.alg = VCRYPT_ALG_SHA256,
		.src = VT_BYTES("abc"),
		.out = VT_BYTES(SHA256_ABC),
	}, {
		.name = "sha-512 of \"abc\" (FIPS 180-2 C.1)",
		.alg = VCRYPT_ALG_SHA512,
		.src = VT_BYTES("abc"),
		.out = VT_BYTES(SHA512_ABC),
	}, {
		.name = "hmac-sha-256 (RFC 4231 test case 2)",
		.alg = VCRYPT_ALG_HMAC_SHA256,
		.key = VT_BYTES(RFC4231_2_KEY),
		.src = VT_BYTES(RFC4231_2_MSG),
		.out = VT_BYTES(RFC4231_2_MAC),
	},
};

/* Room for the source or the destination of any of vs_kats */
#define VS_KAT_MAX	512
/* Canary bytes after each destination */
#define VS_CANARY	0xa5
#define VS_CANARY_LEN	16

/* The first card and the node number of its slice 0 */
struct vs_card {
	char bdf[VT_NAME_MAX];
	char dir[VT_PATH_MAX];	/* /sys/bus/pci/devices/<bdf>/VS_CARD_GROUP */
	unsigned int base;
};

static inline long long vs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void vs_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Read a sysfs file without its trailing newline; 0 or -errno */
static inline int vs_read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* A sysfs file holding one decimal number; 0, -errno or -EBADMSG */
static inline int vs_read_u64(const char *path, __u64 *val)
{
	char buf[64], *end;
	int ret;

	ret = vs_read_str(path, buf, sizeof(buf));
	if (ret)
		return ret;
	if (buf[0] < '0' || buf[0] > '9')
		return -EBADMSG;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	return errno || *end ? -EBADMSG : 0;
}

/* Write @s to a sysfs file in one write(2); 0 or -errno */
static inline int vs_write_str(const char *path, const char *s)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(s))
		ret = -EIO;
	close(fd);
	return ret;
}

static inline int vs_write_u64(const char *path, __u64 val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu\n", val);
	return vs_write_str(path, buf);
}

/*
 * The PCI address that the "device" link of the class device directory
 * @dir points to, into @bdf (VT_NAME_MAX bytes); 0 or -errno
 */
static inline int vs_class_bdf(const char *dir, char *bdf)
{
	char path[VT_PATH_MAX + 16], link[VT_PATH_MAX];
	const char *name;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/device", dir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	name = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	snprintf(bdf, VT_NAME_MAX, "%.*s", VT_NAME_MAX - 1, name);
	return 0;
}

/*
 * The next entry of the open directory VS_CLASS @d whose name starts with
 * @prefix and that belongs to the card @bdf, or NULL
 */
static inline struct dirent *vs_class_next(DIR *d, const char *prefix,
					   const char *bdf)
{
	char dir[VT_PATH_MAX], dev[VT_NAME_MAX];
	struct dirent *de;

	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(dir, sizeof(dir), VS_CLASS "/%s", de->d_name);
		if (!vs_class_bdf(dir, dev) && !strcmp(dev, bdf))
			return de;
	}
	return NULL;
}

/*
 * Base node number of the card: from any of its slices, as N - slice;
 * 0 (the first card) while it has none.
 */
static inline void vs_find_base(struct vs_card *c)
{
	char path[VT_PATH_MAX];
	struct dirent *de;
	__u64 slice;
	DIR *d;

	c->base = 0;
	d = opendir(VS_CLASS);
	if (!d)
		return;
	while ((de = vs_class_next(d, "vcrypt", c->bdf))) {
		snprintf(path, sizeof(path), VS_CLASS "/%s/slice", de->d_name);
		if (vs_read_u64(path, &slice))
			continue;
		c->base = (unsigned int)(strtoul(de->d_name + 6, NULL, 10) -
					 slice);
		break;
	}
	closedir(d);
}

/*
 * Find the first card; 0, or -1 if there is none or it has no attribute
 * VS_CARD_GROUP/slices
 */
static inline int vs_card_open(struct vs_card *c)
{
	char path[VT_PATH_MAX + 16];
	struct stat st;

	memset(c, 0, sizeof(*c));
	if (vt_find_card(c->bdf))
		return -1;
	snprintf(c->dir, sizeof(c->dir), VT_PCI_DEVICES "/%s/" VS_CARD_GROUP,
		 c->bdf);
	snprintf(path, sizeof(path), "%s/slices", c->dir);
	if (stat(path, &st))
		return -1;
	vs_find_base(c);
	return 0;
}

static inline int vs_get_slices(struct vs_card *c, unsigned int *n)
{
	char path[VT_PATH_MAX + 16];
	__u64 v = 0;
	int ret;

	snprintf(path, sizeof(path), "%s/slices", c->dir);
	ret = vs_read_u64(path, &v);
	*n = (unsigned int)v;
	return ret;
}

static inline int vs_set_slices(struct vs_card *c, unsigned int n)
{
	char path[VT_PATH_MAX + 16];
	int ret;

	snprintf(path, sizeof(path), "%s/slices", c->dir);
	ret = vs_write_u64(path, n);
	if (!ret)
		vs_find_base(c);
	return ret;
}

static inline void vs_node_path(struct vs_card *c, unsigned int s, char *buf,
				size_t len)
{
	snprintf(buf, len, "/dev/vcrypt%u", c->base + s);
}

static inline void vs_attr_path(struct vs_card *c, unsigned int s,
				const char *attr, char *buf, size_t len)
{
	snprintf(buf, len, VS_CLASS "/vcrypt%u/%s", c->base + s, attr);
}

/* A counter of slice @s; 0 or -errno */
static inline int vs_attr(struct vs_card *c, unsigned int s, const char *attr,
			  __u64 *val)
{
	char path[VT_PATH_MAX];

	vs_attr_path(c, s, attr, path, sizeof(path));
	return vs_read_u64(path, val);
}

/* The counter, or ~0 if it cannot be read (fails any comparison) */
static inline __u64 vs_attr_val(struct vs_card *c, unsigned int s,
				const char *attr)
{
	__u64 v;

	return vs_attr(c, s, attr, &v) ? ~0ull : v;
}

static inline int vs_set_weight(struct vs_card *c, unsigned int s, __u64 w)
{
	char path[VT_PATH_MAX];

	vs_attr_path(c, s, "weight", path, sizeof(path));
	return vs_write_u64(path, w);
}

/* Wait until @path exists (@exists) or not; 0, or -ETIMEDOUT */
static inline int vs_wait_path(const char *path, bool exists, int ms)
{
	long long end = vs_now_ns() + ms * 1000000LL;
	struct stat st;

	while ((stat(path, &st) == 0) != exists) {
		if (vs_now_ns() > end)
			return -ETIMEDOUT;
		vs_sleep_ms(10);
	}
	return 0;
}

/* Open slice @s of the card; an fd or -errno */
static inline int vs_open(struct vs_card *c, unsigned int s, int flags)
{
	char path[64];
	int fd;

	vs_node_path(c, s, path, sizeof(path));
	vs_wait_path(path, true, 1000);
	fd = open(path, O_RDWR | O_CLOEXEC | flags);
	return fd < 0 ? -errno : fd;
}

/*
 * Make the card have at least @n slices, all with the default weight;
 * the number it had goes to @old. 0 or -errno.
 */
static inline int vs_need_slices(struct vs_card *c, unsigned int n,
				 unsigned int *old)
{
	char path[64];
	unsigned int s;
	int ret;

	ret = vs_get_slices(c, old);
	if (ret)
		return ret;
	if (*old < n) {
		ret = vs_set_slices(c, n);
		if (ret)
			return ret;
	}
	for (s = 0; s < n; s++) {
		vs_node_path(c, s, path, sizeof(path));
		ret = vs_wait_path(path, true, 1000);
		if (ret)
			return ret;
		ret = vs_set_weight(c, s, VS_WEIGHT_DEFAULT);
		if (ret)
			return ret;
	}
	return 0;
}

static inline int vs_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int vs_info(int fd, struct vcrypt_info *info)
{
	memset(info, 0, sizeof(*info));
	return vs_ioctl(fd, VCRYPT_IOC_INFO, info);
}

/* A session for @alg with @key_len bytes of @key; 0 or -errno */
static inline int vs_session(int fd, __u32 alg, const void *key,
			     __u32 key_len, __u32 *handle)
{
	struct vcrypt_session_new s = {
		.alg = alg,
		.key = vt_ptr(key),
		.key_len = key_len,
	};
	int ret;

	ret = vs_ioctl(fd, VCRYPT_IOC_SESSION_NEW, &s);
	if (!ret)
		*handle = s.handle;
	return ret;
}

static inline int vs_session_free(int fd, __u32 handle)
{
	return vs_ioctl(fd, VCRYPT_IOC_SESSION_FREE, &handle);
}

/* Submit @count requests; @done gets how many were queued. 0 or -errno */
static inline int vs_submit(int fd, struct vcrypt_request *reqs, __u32 count,
			    __u32 *done)
{
	struct vcrypt_submit sub = {
		.reqs = vt_ptr(reqs),
		.count = count,
	};
	int ret;

	ret = vs_ioctl(fd, VCRYPT_IOC_SUBMIT, &sub);
	*done = sub.done;
	return ret;
}

/*
 * Wait up to @ms for completions and read at most @max of them. Returns
 * how many were read, -ETIMEDOUT, or -errno of poll(2) or read(2).
 */
static inline int vs_read_wait(int fd, struct vcrypt_completion *comps,
			       unsigned int max, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ret;

	ret = poll(&pfd, 1, ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	if (pfd.revents & (POLLERR | POLLHUP) && !(pfd.revents & POLLIN))
		return -ENODEV;
	n = read(fd, comps, max * sizeof(*comps));
	if (n < 0)
		return -errno;
	if (n % sizeof(*comps))
		return -EMSGSIZE;
	return (int)(n / sizeof(*comps));
}

/*
 * Read exactly @count completions within VS_TIMEOUT_MS of silence; returns
 * @count, or what vs_read_wait() failed with.
 */
static inline int vs_read_all(int fd, struct vcrypt_completion *comps,
			      unsigned int count)
{
	unsigned int got = 0;
	int n;

	while (got < count) {
		n = vs_read_wait(fd, comps + got, count - got, VS_TIMEOUT_MS);
		if (n < 0)
			return n;
		got += n;
	}
	return got;
}

/* Nothing to read for VS_QUIET_MS: true */
static inline bool vs_quiet(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, VS_QUIET_MS) == 0;
}

/* Set or clear O_NONBLOCK */
static inline int vs_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) ? -errno : 0;
}

/* A page that user memory accesses fault on, for EFAULT tests */
static inline void *vs_bad_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* PFN of the page at @p, from /proc/self/pagemap (root); 0 if unknown */
static inline __u64 vs_pfn(const void *p)
{
	__u64 e = 0;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)p / VS_PAGE * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	return e >> 63 ? e & ((1ULL << 55) - 1) : 0;
}

static inline int vs_cmp_pfn_desc(const void *a, const void *b)
{
	const __u64 *x = a, *y = b;

	return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0;
}

/*
 * @n pages of memory, no two of them physically next to each other in
 * the order they are mapped (their frames in descending order), so that
 * a buffer over them has as many SG entries as pages and a misaligned
 * 1 MiB one needs a head copy. NULL if it cannot be built.
 */
static inline __u8 *vs_scattered(size_t n)
{
	__u64 (*frames)[2] = calloc(n, sizeof(*frames));
	__u8 *pool, *area = NULL;
	size_t i;

	pool = mmap(NULL, n * VS_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!frames || pool == MAP_FAILED)
		goto out;
	madvise(pool, n * VS_PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++) {
		pool[i * VS_PAGE] = 1;
		frames[i][0] = vs_pfn(pool + i * VS_PAGE);
		frames[i][1] = i;
		if (!frames[i][0])
			goto out;
	}
	qsort(frames, n, sizeof(*frames), vs_cmp_pfn_desc);
	area = mmap(NULL, n * VS_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (area == MAP_FAILED) {
		area = NULL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (mremap(pool + frames[i][1] * VS_PAGE, VS_PAGE, VS_PAGE,
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   area + i * VS_PAGE) == MAP_FAILED) {
			munmap(area, n * VS_PAGE);
			area = NULL;
			break;
		}
	}
out:
	if (pool != MAP_FAILED)
		munmap(pool, n * VS_PAGE);
	free(frames);
	return area;
}

/*
 * A line "NAME VALUE" of the card's debugfs stats, VALUE decimal or hex
 * (0x...); 0 or -errno
 */
static inline int vs_card_stat(struct vs_card *c, const char *name,
			       __u64 *val)
{
	char path[VT_PATH_MAX], line[128], key[64], num[64], *end;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), VT_DEBUGFS "/%s/stats", c->bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (ret == -ENOENT && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %63s", key, num) != 2 ||
		    strcmp(key, name))
			continue;
		errno = 0;
		*val = strtoull(num, &end, 0);
		ret = errno || *end ? -EBADMSG : 0;
	}
	fclose(f);
	return ret;
}

/*
 * Hold back (@pause) or resume the dispatch of the card's scheduler: its
 * debugfs file "paused". Requests queue up in their slices meanwhile.
 * 0 or -errno.
 */
static inline int vs_pause(struct vs_card *c, bool pause)
{
	char path[VT_PATH_MAX];

	snprintf(path, sizeof(path), VT_DEBUGFS "/%s/paused", c->bdf);
	return vs_write_str(path, pause ? "1\n" : "0\n");
}

/*
 * Wait (polling, up to VS_TIMEOUT_MS) until the counter @attr of slice @s
 * reaches at least @min; 0, or -ETIMEDOUT with the last value in @val
 */
static inline int vs_wait_attr(struct vs_card *c, unsigned int s,
			       const char *attr, __u64 min, __u64 *val)
{
	long long end = vs_now_ns() + VS_TIMEOUT_MS * 1000000LL;

	for (;;) {
		*val = vs_attr_val(c, s, attr);
		if (*val >= min && *val != ~0ull)
			return 0;
		if (vs_now_ns() > end)
			return -ETIMEDOUT;
		vs_sleep_ms(5);
	}
}

/*
 * Card time of one request of @src_len bytes, per the card's rate model:
 * 1e9 / ops_per_sec + src_len * 1e9 / bytes_per_sec ns.
 */
static inline __u64 vs_card_time(__u64 rate_ops, __u64 rate_bytes,
				 __u64 src_len)
{
	__u64 t = 0;

	if (src_len > VCRYPT_HW_DATA_MAX)
		src_len = VCRYPT_HW_DATA_MAX;
	if (rate_ops)
		t += 1000000000ull / rate_ops;
	if (rate_bytes)
		t += src_len * 1000000000ull / rate_bytes;
	return t;
}

/*
 * Buffers for one vs_kat operation: the key, the IV and the source
 * copied to writable memory, and a destination with a canary after it.
 */
struct vs_kat_buf {
	__u8 key[64];
	__u8 iv[16];
	__u8 src[VS_KAT_MAX];
	__u8 dst[VS_KAT_MAX + VS_CANARY_LEN];
};

static inline void vs_kat_prepare(const struct vs_kat *k, struct vs_kat_buf *b)
{
	memcpy(b->key, k->key.p, k->key.len);
	memcpy(b->iv, k->iv.p, k->iv.len);
	memcpy(b->src, k->src.p, k->src.len);
	memset(b->dst, VS_CANARY, sizeof(b->dst));
}

/* The VCRYPT_IOC_OP of @k on @b */
static inline void vs_kat_op(const struct vs_kat *k, struct vs_kat_buf *b,
			     struct vcrypt_op *op)
{
	vs_kat_prepare(k, b);
	memset(op, 0, sizeof(*op));
	op->alg = k->alg;
	op->flags = k->flags;
	op->key = k->key.len ? vt_ptr(b->key) : 0;
	op->key_len = k->key.len;
	op->iv = k->iv.len ? vt_ptr(b->iv) : 0;
	op->iv_len = k->iv.len;
	op->src = vt_ptr(b->src);
	op->src_len = k->src.len;
	op->dst = vt_ptr(b->dst);
	op->dst_len = VS_KAT_MAX;
	op->aad_len = k->aad_len;
	op->tag_len = k->tag_len;
}

/* The request of @k on @b in session @handle */
static inline void vs_kat_req(const struct vs_kat *k, struct vs_kat_buf *b,
			      __u32 handle, __u64 tag,
			      struct vcrypt_request *r)
{
	vs_kat_prepare(k, b);
	memset(r, 0, sizeof(*r));
	r->tag = tag;
	r->session = handle;
	r->flags = k->flags;
	r->iv = k->iv.len ? vt_ptr(b->iv) : 0;
	r->iv_len = k->iv.len;
	r->src = vt_ptr(b->src);
	r->src_len = k->src.len;
	r->dst = vt_ptr(b->dst);
	r->dst_len = VS_KAT_MAX;
	r->aad_len = k->aad_len;
	r->tag_len = k->tag_len;
}

/*
 * Check the result of @k in @b: @out_len, the output, the canary after it
 * and, with @op (VCRYPT_IOC_OP), the IV written back. Returns NULL or what
 * is wrong.
 */
static inline const char *vs_kat_check(const struct vs_kat *k,
				       const struct vs_kat_buf *b,
				       __u32 out_len, bool op)
{
	const struct vt_bytes *iv = &k->iv;
	unsigned int i;

	if (out_len != k->out.len)
		return "wrong out_len";
	if (vt_diff(b->dst, k->out.p, k->out.len) >= 0)
		return "wrong output";
	for (i = k->out.len; i < k->out.len + VS_CANARY_LEN; i++)
		if (b->dst[i] != VS_CANARY)
			return "written past out_len";
	if (op && k->next_iv.len)
		iv = &k->next_iv;
	if (vt_diff(b->iv, iv->p, iv->len) >= 0)
		return op && k->next_iv.len ? "wrong next IV written back" :
					      "IV changed";
	return NULL;
}

#endif /* VCRYPT_SLICE_H */
