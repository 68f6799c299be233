// SPDX-License-Identifier: GPL-2.0
/*
 * Every algorithm of the card at every length, through /dev/vcryptN,
 * against the reference (OpenSSL, vcrypt_ref.h): AES-CBC, -CTR and -GCM
 * with 128, 192 and 256-bit keys, XTS-AES with 256, 384 and 512-bit keys,
 * SHA-256, SHA-512 and HMAC-SHA-256 with keys shorter than, as long as and
 * longer than the block, each:
 *
 * - lengths: every length from 0 to 1 KiB the algorithm takes, both
 *   directions; AES-GCM with every tag length and AAD lengths from 0 to
 *   1 KiB, some decryptions with a changed bit (EBADMSG); HMAC with every
 *   key length from 0 to the card's 128 bytes;
 * - boundaries: block and page multiples and one byte and one block
 *   either side, up to the largest source the ABI allows (max_data);
 * - random: lengths drawn from a fixed seed up to max_data;
 * lengths over 64 KiB with the largest key of each algorithm only;
 * - shapes: buffers at page offsets that split the source and the
 *   destination into every shape of pinned pages (first and last segments
 *   of 1 to 4095 bytes, one to many pages, the copied head of a buffer
 *   over more pages than the card's SG tables hold), in place and out of
 *   place.
 *
 * Requests go in batches of up to max_batch through VCRYPT_IOC_SUBMIT,
 * each output checked against the reference, with canary bytes after it
 * (every other destination has no more room than the result needs); for
 * CBC and CTR, VCRYPT_IOC_OP also checks the IV written back.
 */
#include "vcrypt_ref.h"
#include "vcrypt_slice.h"
#include "kselftest_harness.h"

/* Room for the sources and destinations of one batch */
#define RS_AREA		(8u << 20)
#define RS_TAIL		16	/* canary bytes after a destination */
#define RS_CANARY	0xa5
#define RS_REPORT	8	/* wrong results logged in full */

/* One request of a batch */
struct rs_req {
	struct vr_op op;	/* its source: the input at src + src_off */
	__u32 src_off;
	__u32 dst_off;		/* the output, and its reference at want */
	bool inplace;		/* the source is at dst + dst_off too */
	__u32 out_len;
	int status;		/* 0 or -EBADMSG */
	__u8 iv[VR_BLOCK];
};

struct rs {
	struct vs_card card;
	int fd;
	struct vcrypt_info info;
	__u32 alg;
	__u32 vkey_len;		/* the variant's key length */
	__u32 handle;
	__u8 key[VCRYPT_HW_KEY_MAX];
	__u32 key_len;
	__u8 *src;		/* the areas: page aligned */
	__u8 *dst;
	__u8 *want;		/* the reference's outputs, at dst offsets */
	__u32 src_used;
	__u32 dst_used;
	struct rs_req *req;
	unsigned int n;
	__u64 batch;
	__u32 seed;
	unsigned long checked;
	unsigned long wrong;
};

FIXTURE(ref) {
	struct rs s;
};

/*
 * Lengths over RS_SMALL (up to max_data) go through the card with the
 * largest key of each algorithm only (big): the key size changes nothing
 * of how the data is moved, and the reference, emulated, takes most of
 * the test's time on them.
 */
#define RS_SMALL	(64u << 10)

FIXTURE_VARIANT(ref) {
	__u32 alg;
	__u32 key_len;
	bool big;
};

FIXTURE_VARIANT_ADD(ref, cbc128) { VCRYPT_ALG_AES_CBC, 16 };
FIXTURE_VARIANT_ADD(ref, cbc192) { VCRYPT_ALG_AES_CBC, 24 };
FIXTURE_VARIANT_ADD(ref, cbc256) { VCRYPT_ALG_AES_CBC, 32, true };
FIXTURE_VARIANT_ADD(ref, ctr128) { VCRYPT_ALG_AES_CTR, 16 };
FIXTURE_VARIANT_ADD(ref, ctr192) { VCRYPT_ALG_AES_CTR, 24 };
FIXTURE_VARIANT_ADD(ref, ctr256) { VCRYPT_ALG_AES_CTR, 32, true };
FIXTURE_VARIANT_ADD(ref, xts256) { VCRYPT_ALG_AES_XTS, 32 };
FIXTURE_VARIANT_ADD(ref, xts384) { VCRYPT_ALG_AES_XTS, 48 };
FIXTURE_VARIANT_ADD(ref, xts512) { VCRYPT_ALG_AES_XTS, 64, true };
FIXTURE_VARIANT_ADD(ref, gcm128) { VCRYPT_ALG_AES_GCM, 16 };
FIXTURE_VARIANT_ADD(ref, gcm192) { VCRYPT_ALG_AES_GCM, 24 };
FIXTURE_VARIANT_ADD(ref, gcm256) { VCRYPT_ALG_AES_GCM, 32, true };
FIXTURE_VARIANT_ADD(ref, sha256) { VCRYPT_ALG_SHA256, 0, true };
FIXTURE_VARIANT_ADD(ref, sha512) { VCRYPT_ALG_SHA512, 0, true };
/* keys of 32, 64, 100 and 128 bytes in turn, and every length once */
FIXTURE_VARIANT_ADD(ref, hmac_sha256) { VCRYPT_ALG_HMAC_SHA256, 32, true };

static __u8 *rs_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE_SETUP(ref)
{
	struct rs *s = &self->s;
	const char *why = vr_self_test();

	ASSERT_EQ(NULL, why) TH_LOG("the reference: %s", why);
	memset(s, 0, sizeof(*s));
	ASSERT_EQ(0, vs_card_open(&s->card))
		TH_LOG("no vcrypt card with %s/slices", s->card.dir);
	s->fd = vs_open(&s->card, 0, 0);
	ASSERT_LE(0, s->fd);
	ASSERT_EQ(0, vs_info(s->fd, &s->info));
	ASSERT_GE(VCRYPT_HW_DATA_MAX, s->info.max_data);
	s->alg = variant->alg;
	s->vkey_len = variant->key_len;
	s->seed = variant->alg << 8 | variant->key_len;
	s->src = rs_map(RS_AREA);
	s->dst = rs_map(RS_AREA);
	s->want = malloc(RS_AREA);
	s->req = calloc(s->info.max_batch, sizeof(*s->req));
	ASSERT_NE(NULL, s->src);
	ASSERT_NE(NULL, s->dst);
	ASSERT_NE(NULL, s->want);
	ASSERT_NE(NULL, s->req);
}

FIXTURE_TEARDOWN(ref)
{
	struct rs *s = &self->s;

	if (s->src)
		munmap(s->src, RS_AREA);
	if (s->dst)
		munmap(s->dst, RS_AREA);
	free(s->want);
	free(s->req);
	close(s->fd);
}

static void rs_fail(struct __test_metadata *_metadata, struct rs *s,
		    const struct rs_req *q, const char *what, long at)
{
	s->wrong++;
	if (s->wrong <= RS_REPORT)
		TH_LOG("alg %u%s key %u src_len %u aad %u tag %u, at +%u/+%u%s: %s (%ld)",
		       s->alg, q->op.decrypt ? " decrypt" : "", s->key_len,
		       q->op.src_len, q->op.aad_len, q->op.tag_len,
		       q->src_off % 4096, q->dst_off % 4096,
		       q->inplace ? " in place" : "", what, at);
}

/* Check the request @q of the batch, which completed with @c */
static void rs_check(struct __test_metadata *_metadata, struct rs *s,
		     const struct rs_req *q,
		     const struct vcrypt_completion *c)
{
	const __u8 *got = s->dst + q->dst_off;
	__u8 was;
	long at;
	__u32 i;

	s->checked++;
	if (c->status != q->status) {
		rs_fail(_metadata, s, q, "status", c->status);
		return;
	}
	if (c->out_len != (q->status ? 0 : q->out_len)) {
		rs_fail(_metadata, s, q, "out_len", c->out_len);
		return;
	}
	at = vt_diff(got, s->want + q->dst_off, c->out_len);
	if (at >= 0) {
		rs_fail(_metadata, s, q, "output differs from the reference",
			at);
		return;
	}
	/* what the card must not have written: as it was before */
	for (i = c->out_len; i < q->out_len + RS_TAIL; i++) {
		was = q->inplace && i < q->op.src_len ?
		      s->src[q->src_off + i] : RS_CANARY;
		if (got[i] != was) {
			rs_fail(_metadata, s, q, "written past out_len", i);
			return;
		}
	}
}

/* Run the batch and check every request */
static void rs_flush(struct __test_metadata *_metadata, struct rs *s)
{
	struct vcrypt_completion *comps;
	struct vcrypt_request *reqs;
	unsigned int i, k, sent = 0;
	__u32 done;
	int ret;

	if (!s->n)
		return;
	reqs = calloc(s->n, sizeof(*reqs));
	comps = calloc(s->n, sizeof(*comps));
	ASSERT_NE(NULL, reqs);
	ASSERT_NE(NULL, comps);
	s->batch++;
	for (i = 0; i < s->n; i++) {
		struct rs_req *q = &s->req[i];

		reqs[i].tag = s->batch << 16 | i;
		reqs[i].session = s->handle;
		reqs[i].flags = q->op.decrypt ? VCRYPT_OP_DECRYPT : 0;
		reqs[i].iv = q->op.iv ? vt_ptr(q->iv) : 0;
		reqs[i].iv_len = vr_iv_len(s->alg);
		reqs[i].src = vt_ptr(q->inplace ? s->dst + q->dst_off :
					      s->src + q->src_off);
		reqs[i].src_len = q->op.src_len;
		reqs[i].dst = vt_ptr(s->dst + q->dst_off);
		/* every other destination exactly as long as the result */
		reqs[i].dst_len = q->out_len + (i % 2 ? RS_TAIL : 0);
		reqs[i].aad_len = q->op.aad_len;
		reqs[i].tag_len = q->op.tag_len;
	}
	while (sent < s->n) {
		ret = vs_submit(s->fd, reqs + sent, s->n - sent, &done);
		ASSERT_EQ(0, ret) TH_LOG("SUBMIT: %s", strerror(-ret));
		ASSERT_LT(0, done);
		sent += done;
	}
	ASSERT_EQ((int)s->n, vs_read_all(s->fd, comps, s->n));
	for (i = 0; i < s->n; i++) {
		k = comps[i].tag & 0xffff;
		ASSERT_EQ(s->batch << 16 | k, comps[i].tag)
			TH_LOG("a tag that was not submitted");
		ASSERT_GT(s->n, k);
		rs_check(_metadata, s, &s->req[k], &comps[i]);
	}
	free(reqs);
	free(comps);
	s->n = 0;
	s->src_used = 0;
	s->dst_used = 0;
}

/* A new session with a key of @key_len bytes, for what is added next */
static void rs_key(struct __test_metadata *_metadata, struct rs *s,
		   __u32 key_len)
{
	rs_flush(_metadata, s);
	if (s->handle)
		ASSERT_EQ(0, vs_session_free(s->fd, s->handle));
	s->key_len = key_len;
	vr_fill(s->key, key_len, s->seed++);
	ASSERT_EQ(0, vs_session(s->fd, s->alg, s->key, key_len, &s->handle));
}

/* The next offset at @page bytes into a page, from @used on */
static __u32 rs_place(__u32 used, __u32 page)
{
	return (used + 4095) / 4096 * 4096 + page;
}

/*
 * Add a request of @len bytes of text (AES-GCM: after @aad_len bytes of
 * AAD, with a @tag_len tag) to the batch, its source @src_page bytes into
 * a page, its destination @dst_page bytes into one (-1: in place, in the
 * source's place); @tamper: flip a bit of a decryption's source.
 */
static void rs_add(struct __test_metadata *_metadata, struct rs *s,
		   bool decrypt, __u32 len, __u32 aad_len, __u32 tag_len,
		   __u32 src_page, int dst_page, bool tamper)
{
	__u32 max = len + aad_len + tag_len + RS_TAIL + 2 * 4096;
	struct rs_req *q;

	/* in place, the destination takes room for source and result */
	if (s->n == s->info.max_batch || s->src_used + max > RS_AREA ||
	    s->dst_used + 2 * max > RS_AREA)
		rs_flush(_metadata, s);
	q = &s->req[s->n];
	memset(q, 0, sizeof(*q));
	q->op.alg = s->alg;
	q->op.decrypt = decrypt;
	q->op.key = s->key;
	q->op.key_len = s->key_len;
	q->op.aad_len = aad_len;
	q->op.tag_len = tag_len;
	if (vr_iv_len(s->alg)) {
		vr_fill(q->iv, sizeof(q->iv), s->seed++);
		q->op.iv = q->iv;
	}
	q->src_off = rs_place(s->src_used, src_page);
	ASSERT_EQ(0, vr_input(&q->op, s->src + q->src_off, len, s->seed++));
	if (tamper && q->op.src_len)
		s->src[q->src_off + s->seed % q->op.src_len] ^= 0x08;
	q->out_len = vr_out_len(&q->op);
	q->inplace = dst_page < 0;
	q->dst_off = rs_place(s->dst_used,
			      q->inplace ? src_page : (__u32)dst_page);
	q->status = vr_run(&q->op, s->want + q->dst_off, NULL);
	ASSERT_NE(-1, q->status);
	memset(s->dst + q->dst_off, RS_CANARY, q->out_len + RS_TAIL);
	if (q->inplace) {
		memset(s->dst + q->dst_off + q->op.src_len, RS_CANARY,
		       RS_TAIL);
		memcpy(s->dst + q->dst_off, s->src + q->src_off,
		       q->op.src_len);
	}
	s->src_used = q->src_off + q->op.src_len;
	s->dst_used = q->dst_off + q->out_len + q->op.src_len + RS_TAIL;
	s->n++;
}

/* The requests of @len bytes (both directions where there are two) */
static void rs_both(struct __test_metadata *_metadata, struct rs *s,
		    __u32 len, unsigned int k, __u32 src_page, int dst_page)
{
	__u32 aad = 0, tag = 0;

	if (!vr_len_ok(s->alg, len))
		return;
	if (s->alg == VCRYPT_ALG_AES_GCM) {
		aad = len > 1024 ? 20 : (k * 7) % 45;
		tag = vr_gcm_tags[k % ARRAY_SIZE(vr_gcm_tags)];
		if ((__u64)len + aad + tag > s->info.max_data)
			return;
	}
	rs_add(_metadata, s, false, len, aad, tag, src_page, dst_page, false);
	if (!vr_is_hash(s->alg))
		rs_add(_metadata, s, true, len, aad, tag, src_page, dst_page,
		       s->alg == VCRYPT_ALG_AES_GCM && k % 17 == 5);
}

/*
 * CBC and CTR: VCRYPT_IOC_OP of @len bytes both ways, with the IV written
 * back, against the reference
 */
static void rs_op_iv(struct __test_metadata *_metadata, struct rs *s,
		     __u32 len)
{
	__u8 iv[VR_BLOCK], next[VR_BLOCK];
	struct vcrypt_op o;
	struct vr_op op;
	int dir, ret;

	for (dir = 0; dir < 2; dir++) {
		memset(&op, 0, sizeof(op));
		op.alg = s->alg;
		op.decrypt = dir;
		op.key = s->key;
		op.key_len = s->key_len;
		vr_fill(iv, sizeof(iv), s->seed++);
		/* counters that carry through bytes and the 64-bit halves */
		if (len % 3 == 0)
			memset(iv + 6, 0xff, 10);
		op.iv = iv;
		ASSERT_EQ(0, vr_input(&op, s->src, len, s->seed++));
		ASSERT_EQ(0, vr_run(&op, s->want, next));
		memset(s->dst, RS_CANARY, len + RS_TAIL);
		memset(&o, 0, sizeof(o));
		o.alg = s->alg;
		o.flags = dir ? VCRYPT_OP_DECRYPT : 0;
		o.key = vt_ptr(s->key);
		o.key_len = s->key_len;
		o.iv = vt_ptr(iv);
		o.iv_len = VR_BLOCK;
		o.src = vt_ptr(s->src);
		o.src_len = len;
		o.dst = vt_ptr(s->dst);
		o.dst_len = len + RS_TAIL;
		ret = vs_ioctl(s->fd, VCRYPT_IOC_OP, &o);
		s->checked++;
		if (ret || o.out_len != len ||
		    vt_diff(s->dst, s->want, len) >= 0 ||
		    vt_diff(iv, next, VR_BLOCK) >= 0) {
			s->wrong++;
			if (s->wrong <= RS_REPORT)
				TH_LOG("VCRYPT_IOC_OP alg %u%s of %u bytes: %s",
				       s->alg, dir ? " decrypt" : "", len,
				       ret ? strerror(-ret) :
				       o.out_len != len ? "out_len" :
				       vt_diff(s->dst, s->want, len) >= 0 ?
				       "output differs from the reference" :
				       "IV written back differs from the reference");
		}
	}
}

static void rs_end(struct __test_metadata *_metadata, struct rs *s)
{
	rs_flush(_metadata, s);
	TH_LOG("%lu operations checked against the reference", s->checked);
	EXPECT_LT(0, s->checked);
	EXPECT_EQ(0, s->wrong);
}

/* HMAC: the key lengths of the sweeps: below, at and over the block */
static const __u32 rs_hmac_keys[] = { 32, 64, 100, VCRYPT_HW_KEY_MAX };

static void rs_first_key(struct __test_metadata *_metadata, struct rs *s,
			 __u32 key_len)
{
	rs_key(_metadata, s, s->alg == VCRYPT_ALG_HMAC_SHA256 ? key_len :
			     s->vkey_len);
}

TEST_F_TIMEOUT(ref, lengths, 300)
{
	struct rs *s = &self->s;
	unsigned int i, k, keys = 1;
	__u32 len;

	if (s->alg == VCRYPT_ALG_HMAC_SHA256)
		keys = ARRAY_SIZE(rs_hmac_keys);
	for (i = 0; i < keys; i++) {
		rs_first_key(_metadata, s, rs_hmac_keys[i]);
		/* at odd places in their pages: one page or two */
		for (len = 0, k = 0; len <= 1024; len++, k++)
			rs_both(_metadata, s, len, k, (k * 61) % 4096,
				(k * 59) % 4096);
	}
	if (s->alg == VCRYPT_ALG_AES_GCM) {
		/* every AAD length up to 1 KiB, every tag length */
		for (k = 0; k <= 1024; k++) {
			len = (k * 13) % 67;
			rs_add(_metadata, s, false, len, k,
			       vr_gcm_tags[k % ARRAY_SIZE(vr_gcm_tags)],
			       k % 4096, (k * 3) % 4096, false);
			rs_add(_metadata, s, true, len, k,
			       vr_gcm_tags[k % ARRAY_SIZE(vr_gcm_tags)],
			       k % 4096, (k * 3) % 4096, k % 19 == 3);
		}
	}
	if (s->alg == VCRYPT_ALG_HMAC_SHA256) {
		/* every key length the card takes */
		for (k = 0; k <= VCRYPT_HW_KEY_MAX; k++) {
			rs_key(_metadata, s, k);
			rs_add(_metadata, s, false, (k * 11) % 300, 0, 0, k, k,
			       false);
			rs_add(_metadata, s, false, 64 + k, 0, 0, 0, 1, false);
		}
	}
	rs_flush(_metadata, s);
	if (s->alg == VCRYPT_ALG_AES_CBC || s->alg == VCRYPT_ALG_AES_CTR)
		for (len = 0; len <= 1024; len++)
			if (vr_len_ok(s->alg, len))
				rs_op_iv(_metadata, s, len);
	rs_end(_metadata, s);
}

/* Block and page multiples, a byte and a block either side */
TEST_F_TIMEOUT(ref, boundaries, 300)
{
	static const __u32 base[] = {
		16, 32, 48, 64, 128, 256, 512, 4096, 8192, 12288, 16384,
		32768, 65536, 524288, VCRYPT_HW_DATA_MAX,
	};
	static const int delta[] = { -17, -16, -15, -1, 0, 1, 15, 16, 17 };
	struct rs *s = &self->s;
	__u32 max = variant->big ? s->info.max_data : RS_SMALL + 17;
	unsigned int i, j, k = 0;
	__s64 len;

	rs_first_key(_metadata, s, 100);
	for (i = 0; i < ARRAY_SIZE(base); i++) {
		for (j = 0; j < ARRAY_SIZE(delta); j++) {
			len = (__s64)base[i] + delta[j];
			if (len < 0 || len > max)
				continue;
			rs_both(_metadata, s, len, k, k % 2 ? 4095 : 0,
				k % 3 ? 0 : 1);
			if (s->alg == VCRYPT_ALG_AES_CBC ||
			    s->alg == VCRYPT_ALG_AES_CTR) {
				rs_flush(_metadata, s);
				if (vr_len_ok(s->alg, len))
					rs_op_iv(_metadata, s, len);
			}
			k++;
		}
	}
	rs_end(_metadata, s);
}

/* Lengths drawn up to max_data (a fixed seed: the same every run) */
TEST_F_TIMEOUT(ref, random, 300)
{
	struct rs *s = &self->s;
	__u32 max = variant->big ? s->info.max_data : RS_SMALL;
	__u32 len, r = 2024;
	unsigned int k;

	rs_first_key(_metadata, s, 65);
	for (k = 0; k < 24; k++) {
		len = vr_rand(&r) % (k % 3 ? RS_SMALL : max + 1);
		if (s->alg == VCRYPT_ALG_AES_CBC)
			len &= ~(VR_BLOCK - 1);
		rs_both(_metadata, s, len, k, vr_rand(&r) % 4096,
			vr_rand(&r) % 4096);
	}
	rs_end(_metadata, s);
}

/*
 * The shapes of pinned user buffers: first and last pages of every kind,
 * in place and not, and a buffer over more pages than the card's SG
 * tables hold (its first pages go through a kernel copy)
 */
TEST_F_TIMEOUT(ref, shapes, 300)
{
	static const __u32 lens[] = {
		1, 15, 16, 17, 31, 33, 4095, 4096, 4097, 8191, 8192, 12289,
		65541,
	};
	static const int pages[][2] = {
		{ 0, 0 }, { 1, 4095 }, { 4095, 1 }, { 4080, 16 },
		{ 15, 2049 }, { 0, -1 }, { 7, -1 }, { 4095, -1 },
	};
	struct rs *s = &self->s;
	unsigned int i, j, k = 0;
	__u32 max = s->info.max_data;

	rs_first_key(_metadata, s, 64);
	for (i = 0; i < ARRAY_SIZE(lens); i++)
		for (j = 0; j < ARRAY_SIZE(pages); j++)
			rs_both(_metadata, s, lens[i], k++, pages[j][0],
				pages[j][1]);
	if (!variant->big) {
		rs_end(_metadata, s);
		return;
	}
	/* max_data over 257 pages, and one byte less */
	rs_both(_metadata, s, max & ~(VR_BLOCK - 1), k++, 1, 4095);
	rs_both(_metadata, s, max & ~(VR_BLOCK - 1), k++, 4095, -1);
	rs_both(_metadata, s, max - 1, k++, 2, 4094);
	rs_end(_metadata, s);
}

TEST_HARNESS_MAIN
