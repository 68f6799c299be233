/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load for the slice tests: files on slices kept busy with asynchronous
 * requests (VCRYPT_IOC_SUBMIT and read(2)), each file by a submitting and
 * a reading thread, every result checked.
 *
 * The requests are "cases": the known answers of vcrypt_slice.h, and
 * larger requests (4 KiB to 64 KiB) whose expected output is computed by
 * the reference (OpenSSL, vcrypt_ref.h). Their inputs start with published
 * plaintexts, and the reference's output must start with the published
 * ciphertexts (CTR, CBC, XTS and GCM encrypt a prefix independently of
 * what follows): a check of the test's own use of the reference.
 *
 * Worker threads never use the harness's ASSERT (it cannot leave a
 * thread): they record the first error in their struct vl_file, which the
 * test checks after joining them.
 */
#ifndef VCRYPT_LOAD_H
#define VCRYPT_LOAD_H

#include <pthread.h>
#include <stdarg.h>

#include "vcrypt_ref.h"
#include "vcrypt_slice.h"

#define VL_BIG_MAX	(64 * 1024)
#define VL_DST_MAX	(VL_BIG_MAX + 64)
#define VL_SLOTS_MAX	256
#define VL_CASES_MAX	32
#define VL_COMP_BATCH	64

/**
 * struct vl_case - one kind of request
 * @name: for messages
 * @alg: VCRYPT_ALG_*
 * @flags: VCRYPT_OP_*
 * @key: key (@key_len bytes; NULL for plain hashes)
 * @iv: IV (@iv_len bytes), read at submission
 * @src: source (@src_len bytes), never written
 * @out: expected output (@out_len bytes)
 * @aad_len: AES-GCM AAD length
 * @tag_len: AES-GCM tag length
 * @kat: a published known answer (else the reference's)
 */
struct vl_case {
	const char *name;
	__u32 alg;
	__u32 flags;
	const __u8 *key;
	__u32 key_len;
	const __u8 *iv;
	__u32 iv_len;
	const __u8 *src;
	__u32 src_len;
	const __u8 *out;
	__u32 out_len;
	__u32 aad_len;
	__u32 tag_len;
	bool kat;
};

struct vl_cases {
	struct vl_case c[VL_CASES_MAX];
	unsigned int n;
	/* index of the first non-KAT case */
	unsigned int first_big;
};

/**
 * struct vl_file - one file of a slice under load
 * @card: the card
 * @slice: slice index on the card
 * @depth: requests kept outstanding, at most VL_SLOTS_MAX and max_queue
 * @total: requests to submit; 0: until vl_stop()
 * @big_pct: percentage of requests drawn from the large cases
 * @verify: compare every output with its expected value
 * @tolerate_enodev: ENODEV (slice removed) ends the file without error
 * @cases: the cases
 * @seed: of the file's random choices
 *
 * Set by the threads: @submitted, @completed, @enodev, @failed, @err.
 */
struct vl_file {
	struct vs_card *card;
	unsigned int slice;
	unsigned int depth;
	unsigned long total;
	unsigned int big_pct;
	bool verify;
	bool tolerate_enodev;
	const struct vl_cases *cases;
	unsigned int seed;

	int fd;
	struct vcrypt_info info;
	__u32 session[VL_CASES_MAX];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct {
		bool busy;
		unsigned int kase;
		__u32 seq;
	} slot[VL_SLOTS_MAX];
	unsigned int nfree;
	__u8 *dst;
	bool stop;
	bool submit_ended;
	bool reader_ended;
	unsigned long submitted;
	unsigned long completed;
	unsigned long long bytes;
	bool enodev;
	bool failed;
	char err[256];
	pthread_t sub_th;
	pthread_t rd_th;
	bool started;
};

static inline unsigned int vl_rand(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static inline void vl_vfail(struct vl_file *f, const char *fmt, va_list ap)
{
	if (f->failed)
		return;
	f->failed = true;
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
}

/* Record the first error of @f; call with @f->lock held */
static inline void vl_fail(struct vl_file *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vl_vfail(f, fmt, ap);
	va_end(ap);
}

/* The same, taking @f->lock */
static inline void vl_fail_locked(struct vl_file *f, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&f->lock);
	va_start(ap, fmt);
	vl_vfail(f, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&f->lock);
}

static inline void vl_add(struct vl_cases *cs, const struct vl_case *c)
{
	if (cs->n < VL_CASES_MAX)
		cs->c[cs->n++] = *c;
}

/* Copy of @len bytes of @p, or of @n bytes of pattern after it */
static inline __u8 *vl_buf(const void *p, size_t len, size_t n,
			   unsigned int seed)
{
	__u8 *b = malloc(n > len ? n : len);

	if (!b)
		return NULL;
	vt_pattern(b, n > len ? n : len, seed);
	if (p)
		memcpy(b, p, len);
	return b;
}

/*
 * Fill @op for case @c, with @iv (16 bytes) as its IV buffer, loaded with
 * the case's IV, and @dst (VL_DST_MAX bytes) as its destination.
 */
static inline void vl_op_fill(struct vcrypt_op *op, const struct vl_case *c,
			      __u8 *iv, __u8 *dst)
{
	memset(op, 0, sizeof(*op));
	memcpy(iv, c->iv, c->iv_len);
	op->alg = c->alg;
	op->flags = c->flags;
	op->key = vt_ptr(c->key);
	op->key_len = c->key_len;
	op->iv = c->iv_len ? vt_ptr(iv) : 0;
	op->iv_len = c->iv_len;
	op->src = vt_ptr(c->src);
	op->src_len = c->src_len;
	op->dst = vt_ptr(dst);
	op->dst_len = VL_DST_MAX;
	op->aad_len = c->aad_len;
	op->tag_len = c->tag_len;
}

/*
 * The expected output of @c, by the reference, into a new buffer; NULL on
 * failure, with the reason in @why.
 */
static inline __u8 *vl_reference(const struct vl_case *c, __u32 *out_len,
				 char *why, size_t why_len)
{
	struct vr_op op = {
		.alg = c->alg,
		.decrypt = c->flags & VCRYPT_OP_DECRYPT,
		.key = c->key,
		.key_len = c->key_len,
		.iv = c->iv,
		.src = c->src,
		.src_len = c->src_len,
		.aad_len = c->aad_len,
		.tag_len = c->tag_len,
	};
	__u8 *out = malloc(vr_out_len(&op) + 1);

	if (!out || vr_run(&op, out, NULL)) {
		snprintf(why, why_len, "%s: the reference failed", c->name);
		free(out);
		return NULL;
	}
	*out_len = vr_out_len(&op);
	return out;
}

/*
 * A large cipher case: encrypt @len bytes starting with the published
 * plaintext @pt (@pt_len bytes) with @k's key and IV; the reference's
 * output must start with the published ciphertext @ct (@ct_len bytes).
 * Adds the encryption, and the decryption of the reference's output.
 */
static inline int vl_add_cipher(struct vl_cases *cs, const struct vs_kat *k,
				const char *name, const char *dname, __u32 len,
				const void *pt, __u32 pt_len, const void *ct,
				__u32 ct_len, char *why, size_t why_len)
{
	struct vl_case enc = {
		.name = name,
		.alg = k->alg,
		.key = k->key.p,
		.key_len = k->key.len,
		.iv = k->iv.p,
		.iv_len = k->iv.len,
		.src_len = len,
		.tag_len = k->tag_len,
	};
	struct vl_case dec;

	enc.src = vl_buf(pt, pt_len, len, len);
	if (!enc.src)
		return -1;
	enc.out = vl_reference(&enc, &enc.out_len, why, why_len);
	if (!enc.out)
		return -1;
	if (enc.out_len != len + k->tag_len ||
	    vt_diff(enc.out, ct, ct_len) >= 0) {
		snprintf(why, why_len, "%s: reference output is not the published one",
			 name);
		return -1;
	}
	dec = enc;
	dec.name = dname;
	dec.flags = VCRYPT_OP_DECRYPT;
	dec.src = enc.out;
	dec.src_len = enc.out_len;
	dec.out = vl_reference(&dec, &dec.out_len, why, why_len);
	if (!dec.out)
		return -1;
	vl_add(cs, &enc);
	vl_add(cs, &dec);
	return 0;
}

static inline const struct vs_kat *vl_kat(__u32 alg, __u32 flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vs_kats); i++)
		if (vs_kats[i].alg == alg && vs_kats[i].flags == flags)
			return &vs_kats[i];
	return NULL;
}

/* A large hash case, its digest by the reference */
static inline int vl_add_hash(struct vl_cases *cs, const char *name,
			      __u32 alg, const void *key, __u32 key_len,
			      __u32 len, char *why, size_t why_len)
{
	struct vl_case c = {
		.name = name,
		.alg = alg,
		.key = key,
		.key_len = key_len,
		.src_len = len,
	};

	c.src = vl_buf(NULL, 0, len, len + alg);
	if (!c.src)
		return -1;
	c.out = vl_reference(&c, &c.out_len, why, why_len);
	if (!c.out)
		return -1;
	vl_add(cs, &c);
	return 0;
}

/*
 * The cases: every known answer of vs_kats, then (with @big) the large
 * ones, by the reference. Returns 0, or -1 with the reason in @why.
 */
static inline int vl_cases_init(struct vl_cases *cs, bool big, char *why,
				size_t why_len)
{
	const struct vs_kat *k;
	unsigned int i;
	__u8 *src, *iv;

	memset(cs, 0, sizeof(*cs));
	for (i = 0; i < ARRAY_SIZE(vs_kats); i++) {
		k = &vs_kats[i];
		src = vl_buf(k->src.p, k->src.len, k->src.len, 0);
		iv = vl_buf(k->iv.p, k->iv.len, 16, 0);
		if (!src || !iv) {
			snprintf(why, why_len, "out of memory");
			return -1;
		}
		vl_add(cs, &(struct vl_case){
			.name = k->name, .alg = k->alg, .flags = k->flags,
			.key = k->key.p, .key_len = k->key.len,
			.iv = iv, .iv_len = k->iv.len,
			.src = src, .src_len = k->src.len,
			.out = k->out.p, .out_len = k->out.len,
			.aad_len = k->aad_len, .tag_len = k->tag_len,
			.kat = true,
		});
	}
	cs->first_big = cs->n;
	if (!big)
		return 0;
	if (vl_add_cipher(cs, vl_kat(VCRYPT_ALG_AES_CTR, 0),
			  "ctr 64 KiB", "ctr 64 KiB decrypt", 64 * 1024,
			  SP800_38A_PT, 64, SP800_38A_CTR128_CT, 64,
			  why, why_len) ||
	    vl_add_cipher(cs, vl_kat(VCRYPT_ALG_AES_CTR, 0),
			  "ctr 4 KiB + 3", "ctr 4 KiB + 3 decrypt", 4099,
			  SP800_38A_PT, 64, SP800_38A_CTR128_CT, 64,
			  why, why_len) ||
	    vl_add_cipher(cs, vl_kat(VCRYPT_ALG_AES_CBC, 0),
			  "cbc 16 KiB", "cbc 16 KiB decrypt", 16 * 1024,
			  SP800_38A_PT, 64, SP800_38A_CBC128_CT, 64,
			  why, why_len) ||
	    vl_add_cipher(cs, vl_kat(VCRYPT_ALG_AES_XTS, 0),
			  "xts 4 KiB", "xts 4 KiB decrypt", 4096,
			  IEEE1619_PT512, 512, IEEE1619_V4_CT, 512,
			  why, why_len) ||
	    vl_add_cipher(cs, vl_kat(VCRYPT_ALG_AES_GCM, 0),
			  "gcm 32 KiB", "gcm 32 KiB decrypt", 32 * 1024,
			  GCM_P64, 64, GCM_TC3_CT, 64, why, why_len) ||
	    vl_add_hash(cs, "sha-256 60 KiB", VCRYPT_ALG_SHA256, NULL, 0,
			60 * 1024, why, why_len) ||
	    vl_add_hash(cs, "sha-512 20 KiB", VCRYPT_ALG_SHA512, NULL, 0,
			20 * 1024, why, why_len) ||
	    vl_add_hash(cs, "hmac-sha-256 8 KiB", VCRYPT_ALG_HMAC_SHA256,
			RFC4231_2_KEY, 4, 8 * 1024, why, why_len))
		return -1;
	return 0;
}

/*
 * Cases of AES-CTR encryption only, of 4, 8, 16, 32 and 64 KiB, from the
 * @first of these sizes on: card time from 90 us to 700 us each at the
 * card's default rates. Outputs unchecked.
 */
static inline int vl_cases_sizes(struct vl_cases *cs, unsigned int first)
{
	const struct vs_kat *k = vl_kat(VCRYPT_ALG_AES_CTR, 0);
	static const char * const names[] = { "ctr 4 KiB", "ctr 8 KiB",
					      "ctr 16 KiB", "ctr 32 KiB",
					      "ctr 64 KiB" };
	unsigned int i;
	__u8 *src;

	memset(cs, 0, sizeof(*cs));
	src = vl_buf(NULL, 0, VL_BIG_MAX, 1);
	if (!src)
		return -1;
	for (i = first; i < ARRAY_SIZE(names); i++)
		vl_add(cs, &(struct vl_case){
			.name = names[i], .alg = k->alg,
			.key = k->key.p, .key_len = k->key.len,
			.iv = k->iv.p, .iv_len = k->iv.len,
			.src = src, .src_len = 4096u << i,
			.out_len = 4096u << i,
		});
	cs->first_big = 0;
	return cs->n ? 0 : -1;
}

static inline unsigned int vl_pick(struct vl_file *f, unsigned int *seed)
{
	const struct vl_cases *cs = f->cases;
	unsigned int r = vl_rand(seed);

	if (cs->first_big == 0)
		return r % cs->n;
	if (cs->first_big < cs->n && r % 100 < f->big_pct)
		return cs->first_big + (r / 100) % (cs->n - cs->first_big);
	return (r / 100) % cs->first_big;
}

static inline bool vl_more(struct vl_file *f)
{
	return !f->stop && !f->failed && !f->enodev &&
	       (!f->total || f->submitted < f->total);
}

/* A call failed with @err: ENODEV ends a tolerant file, else an error */
static inline void vl_call_failed(struct vl_file *f, const char *what, int err)
{
	if (err == -ENODEV && f->tolerate_enodev)
		f->enodev = true;
	else
		vl_fail(f, "slice %u: %s: %s", f->slice, what, strerror(-err));
}

static inline void *vl_submitter(void *arg)
{
	struct vl_file *f = arg;
	struct vcrypt_request reqs[16];
	unsigned int seed = f->seed * 2654435761u + 1, idx[16];
	unsigned int max = f->info.max_batch < 16 ? f->info.max_batch : 16;
	const struct vl_case *c;
	struct timespec ts;
	unsigned int k, i, s, want;
	__u32 done, seq = 0;
	int ret;

	pthread_mutex_lock(&f->lock);
	while (vl_more(f)) {
		want = 1 + vl_rand(&seed) % max;
		if (f->total && want > f->total - f->submitted)
			want = f->total - f->submitted;
		while (!f->nfree && vl_more(f) && !f->reader_ended) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += VS_TIMEOUT_MS / 1000;
			if (pthread_cond_timedwait(&f->cond, &f->lock, &ts)) {
				vl_fail(f, "slice %u: no completion for %d ms with %u outstanding",
					f->slice, VS_TIMEOUT_MS, f->depth);
				break;
			}
		}
		if (!vl_more(f) || f->reader_ended)
			break;
		for (k = 0, s = 0; k < want && s < f->depth; s++) {
			if (f->slot[s].busy)
				continue;
			i = vl_pick(f, &seed);
			c = &f->cases->c[i];
			f->slot[s].busy = true;
			f->slot[s].kase = i;
			f->slot[s].seq = ++seq;
			f->nfree--;
			memset(&reqs[k], 0, sizeof(reqs[k]));
			reqs[k].tag = (__u64)seq << 16 | s;
			reqs[k].session = f->session[i];
			reqs[k].flags = c->flags;
			reqs[k].iv = c->iv_len ? vt_ptr(c->iv) : 0;
			reqs[k].iv_len = c->iv_len;
			reqs[k].src = vt_ptr(c->src);
			reqs[k].src_len = c->src_len;
			reqs[k].dst = vt_ptr(f->dst + (size_t)s * VL_DST_MAX);
			reqs[k].dst_len = c->out_len + (f->verify ? 32 : 0);
			reqs[k].aad_len = c->aad_len;
			reqs[k].tag_len = c->tag_len;
			if (f->verify)
				memset(f->dst + (size_t)s * VL_DST_MAX, VS_CANARY,
				       c->out_len + 32);
			idx[k++] = s;
		}
		/* the reader may complete them at once: count them first */
		f->submitted += k;
		pthread_mutex_unlock(&f->lock);
		done = 0;
		ret = vs_submit(f->fd, reqs, k, &done);
		pthread_mutex_lock(&f->lock);
		if (ret)
			done = 0;
		if (!ret && done > k)
			vl_fail(f, "slice %u: SUBMIT of %u reports %u done",
				f->slice, k, done);
		/* give back the slots of requests not queued */
		for (i = done; i < k && i < 16; i++) {
			f->slot[idx[i]].busy = false;
			f->nfree++;
			f->submitted--;
		}
		if (ret)
			vl_call_failed(f, "SUBMIT", ret);
	}
	f->submit_ended = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

/* Check one completion; returns false (and records why) if it is wrong */
static inline bool vl_check(struct vl_file *f, const struct vcrypt_completion *cp)
{
	unsigned int s = cp->tag & 0xffff, i;
	const struct vl_case *c;
	const __u8 *dst;
	__u32 seq = cp->tag >> 16;

	pthread_mutex_lock(&f->lock);
	if (s >= f->depth || !f->slot[s].busy || f->slot[s].seq != seq ||
	    cp->tag >> 48) {
		vl_fail(f, "slice %u: completion with unknown tag %#llx",
			f->slice, cp->tag);
		pthread_mutex_unlock(&f->lock);
		return false;
	}
	c = &f->cases->c[f->slot[s].kase];
	pthread_mutex_unlock(&f->lock);

	dst = f->dst + (size_t)s * VL_DST_MAX;
	if (cp->status) {
		vl_fail_locked(f, "slice %u: %s: status %d (%s)", f->slice,
			       c->name, cp->status, strerror(-cp->status));
		return false;
	}
	if (cp->out_len != c->out_len) {
		vl_fail_locked(f, "slice %u: %s: out_len %u, expected %u",
			       f->slice, c->name, cp->out_len, c->out_len);
		return false;
	}
	if (f->verify) {
		if (vt_diff(dst, c->out, c->out_len) >= 0) {
			vl_fail_locked(f, "slice %u: %s: wrong output at offset %ld",
				       f->slice, c->name,
				       vt_diff(dst, c->out, c->out_len));
			return false;
		}
		for (i = c->out_len; i < c->out_len + 32; i++) {
			if (dst[i] != VS_CANARY) {
				vl_fail_locked(f, "slice %u: %s: written past out_len",
					       f->slice, c->name);
				return false;
			}
		}
	}
	pthread_mutex_lock(&f->lock);
	f->slot[s].busy = false;
	f->nfree++;
	f->completed++;
	f->bytes += c->src_len;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return true;
}

static inline void *vl_reader(void *arg)
{
	struct vl_file *f = arg;
	struct vcrypt_completion comps[VL_COMP_BATCH];
	bool more;
	int n, i;

	for (;;) {
		pthread_mutex_lock(&f->lock);
		more = !f->failed && !f->enodev &&
		       (!f->submit_ended || f->completed < f->submitted);
		pthread_mutex_unlock(&f->lock);
		if (!more)
			break;
		n = vs_read_wait(f->fd, comps, VL_COMP_BATCH, 200);
		if (n == -ETIMEDOUT) {
			pthread_mutex_lock(&f->lock);
			/* nothing outstanding: the submitter is just slow */
			if (f->completed == f->submitted) {
				pthread_mutex_unlock(&f->lock);
				continue;
			}
			pthread_mutex_unlock(&f->lock);
			n = vs_read_wait(f->fd, comps, VL_COMP_BATCH,
					 VS_TIMEOUT_MS);
		}
		if (n < 0) {
			pthread_mutex_lock(&f->lock);
			if (n == -ETIMEDOUT)
				vl_fail(f, "slice %u: no completion for %d ms with %lu outstanding",
					f->slice, VS_TIMEOUT_MS,
					f->submitted - f->completed);
			else
				vl_call_failed(f, "read", n);
			pthread_mutex_unlock(&f->lock);
			break;
		}
		for (i = 0; i < n; i++)
			if (!vl_check(f, &comps[i]))
				break;
	}
	pthread_mutex_lock(&f->lock);
	f->reader_ended = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

/* Open the file, set up its sessions and start its threads; 0 or -1 */
static inline int vl_start(struct vl_file *f)
{
	const struct vl_case *c;
	unsigned int i;
	int ret;

	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->fd = vs_open(f->card, f->slice, 0);
	if (f->fd < 0) {
		vl_fail(f, "open slice %u: %s", f->slice, strerror(-f->fd));
		return -1;
	}
	ret = vs_info(f->fd, &f->info);
	if (ret) {
		vl_fail(f, "slice %u: INFO: %s", f->slice, strerror(-ret));
		return -1;
	}
	if (f->depth > VL_SLOTS_MAX)
		f->depth = VL_SLOTS_MAX;
	if (f->depth > f->info.max_queue)
		f->depth = f->info.max_queue;
	for (i = 0; i < f->cases->n; i++) {
		c = &f->cases->c[i];
		ret = vs_session(f->fd, c->alg, c->key, c->key_len,
				 &f->session[i]);
		if (ret) {
			vl_fail(f, "slice %u: session for %s: %s", f->slice,
				c->name, strerror(-ret));
			return -1;
		}
	}
	f->dst = malloc((size_t)f->depth * VL_DST_MAX);
	if (!f->dst) {
		vl_fail(f, "out of memory");
		return -1;
	}
	f->nfree = f->depth;
	if (pthread_create(&f->rd_th, NULL, vl_reader, f)) {
		vl_fail(f, "pthread_create failed");
		return -1;
	}
	if (pthread_create(&f->sub_th, NULL, vl_submitter, f)) {
		f->stop = true;
		pthread_join(f->rd_th, NULL);
		vl_fail(f, "pthread_create failed");
		return -1;
	}
	f->started = true;
	return 0;
}

static inline void vl_stop(struct vl_file *f)
{
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* Wait until CLOCK_REALTIME @deadline for the threads; 0 or -ETIMEDOUT */
static inline int vl_join(struct vl_file *f, const struct timespec *deadline)
{
	if (!f->started)
		return 0;
	if (pthread_timedjoin_np(f->sub_th, NULL, deadline) ||
	    pthread_timedjoin_np(f->rd_th, NULL, deadline)) {
		vl_fail(f, "slice %u: threads still running (a call hangs)",
			f->slice);
		return -ETIMEDOUT;
	}
	f->started = false;
	return 0;
}

static inline void vl_close(struct vl_file *f)
{
	if (f->started)
		return;	/* threads stuck: leave everything to exit() */
	/* fd 0 is never ours: a struct never started */
	if (f->fd > 0)
		close(f->fd);
	f->fd = -1;
	free(f->dst);
	f->dst = NULL;
}

/* A CLOCK_REALTIME deadline @ms from now */
static inline struct timespec vl_deadline(unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

#endif /* VCRYPT_LOAD_H */
