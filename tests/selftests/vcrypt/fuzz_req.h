/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's operations and requests: built valid, from a published
 * known answer or with lengths at the edges of each algorithm, then some
 * mutated; and the check of each completion against what its request
 * must have done to its buffers.
 */
#ifndef FUZZ_REQ_H
#define FUZZ_REQ_H

#include "fuzz.h"

/* Known answers: the slice tests' set and the hashes of nothing */
static const struct vs_kat fz_more_kats[] = {
	{
		.name = "sha-256 of \"\" (FIPS 180-2)",
		.alg = VCRYPT_ALG_SHA256,
		.src = VT_BYTES(""),
		.out = VT_BYTES(SHA256_EMPTY),
	}, {
		.name = "sha-512 of \"\" (FIPS 180-2)",
		.alg = VCRYPT_ALG_SHA512,
		.src = VT_BYTES(""),
		.out = VT_BYTES(SHA512_EMPTY),
	},
};

#define FZ_NKATS	(ARRAY_SIZE(vs_kats) + ARRAY_SIZE(fz_more_kats))

static const struct vs_kat *fz_kat(unsigned int i)
{
	if (i < ARRAY_SIZE(vs_kats))
		return &vs_kats[i];
	return &fz_more_kats[i - ARRAY_SIZE(vs_kats)];
}

/* A known answer of @alg (any: 0) with the key of @sess if not NULL */
static const struct vs_kat *fz_kat_pick(struct fz_rng *r, __u32 alg,
					const struct fz_sess *sess)
{
	const struct vs_kat *k, *found[FZ_NKATS];
	unsigned int i, n = 0;

	for (i = 0; i < FZ_NKATS; i++) {
		k = fz_kat(i);
		if ((alg && k->alg != alg) ||
		    !(fz.info.algs & 1u << k->alg))
			continue;
		if (sess && (k->key.len != sess->key_len ||
			     memcmp(k->key.p, sess->key, k->key.len)))
			continue;
		found[n++] = k;
	}
	return n ? found[fz_below(r, n)] : NULL;
}

static const __u32 fz_algs[] = {
	VCRYPT_ALG_AES_CBC, VCRYPT_ALG_AES_CTR, VCRYPT_ALG_AES_XTS,
	VCRYPT_ALG_AES_GCM, VCRYPT_ALG_SHA256, VCRYPT_ALG_SHA512,
	VCRYPT_ALG_HMAC_SHA256,
};

/* Algorithm values that are no algorithm, or next to one */
static const __u32 fz_bad_algs[] = {
	0, 5, 6, 0x0f, 0x13, 0x14, 31, 32, 33, 0xff, 0x100, 0x80000004,
	0xffffffff,
};

/* Lengths at and around every edge of the ABI */
static const __u32 fz_edges[] = {
	0, 1, 2, 3, 4, 7, 8, 11, 12, 13, 14, 15, 16, 17, 23, 24, 25, 31, 32,
	33, 47, 48, 49, 63, 64, 65, 127, 128, 129, 255, 256, 257, 4095, 4096,
	4097, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffff4, 0xfffffffc,
	0xffffffff,
};

static const __u32 fz_small_lens[] = {
	0, 1, 3, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 255, 256, 257,
	511, 512, 1000, 4095, 4096, 4097,
};

/* A valid key length of @alg */
static inline __u32 fz_key_len(struct fz_rng *r, __u32 alg)
{
	static const __u32 aes[] = { 16, 24, 32 }, xts[] = { 32, 48, 64 };
	static const __u32 hmac[] = { 0, 1, 31, 32, 33, 63, 64, 65, 127, 128 };

	switch (alg) {
	case VCRYPT_ALG_AES_XTS:
		return FZ_PICK(r, xts);
	case VCRYPT_ALG_HMAC_SHA256:
		return fz_chance(r, 70) ? FZ_PICK(r, hmac) : fz_below(r, 129);
	case VCRYPT_ALG_SHA256:
	case VCRYPT_ALG_SHA512:
		return 0;
	default:
		return FZ_PICK(r, aes);
	}
}

/* A source length, mostly small; large ones while memory allows */
static inline __u32 fz_src_len(struct fz_rng *r, __u32 max_data, bool small)
{
	unsigned int c = fz_below(r, 100);
	bool big = !small && atomic_load(&fz.mapped) < FZ_BUDGET;

	if (c < 45)
		return FZ_PICK(r, fz_small_lens);
	if (c < 75 || (!big && c < 96))
		return fz_below(r, 4097);
	if (c < 96 || !big)
		return fz_range(r, 4097, 65536);
	if (c < 99)
		return fz_range(r, 65537, max_data);
	return max_data - fz_below(r, 2);
}

/**
 * struct fz_rq - an operation or request being built
 * @op: its fields, as the model sees them
 * @session: the request's session handle
 * @reserved: value put into a reserved field (0: none)
 * @kat: the known answer it must give, or NULL
 * @key: the key buffer (op)
 * @iv: the IV buffer
 * @src: the source buffer
 * @dst: the destination buffer, unused when in place
 * @inplace: the destination is the source
 * @loose: the session's algorithm is not known (a wild file)
 * @efault_ok: dst is shorter than dst_len, past what is written
 * @mutated: a field was changed after it was built valid
 * @set: the rules it breaks (0: valid)
 * @out_len: what it writes when valid
 * @mapped: bytes of its mappings
 */
struct fz_rq {
	struct fz_op op;
	__u32 session;
	__u32 reserved;
	const struct vs_kat *kat;
	struct fz_buf key;
	struct fz_buf iv;
	struct fz_buf src;
	struct fz_buf dst;
	bool inplace;
	bool loose;
	bool efault_ok;
	bool mutated;
	fz_set set;
	__u64 out_len;
	__u64 mapped;
};

/*
 * Map buffer @b of @room bytes holding @len bytes of @content (NULL:
 * generated) at @place, and return its pointer; a zero-length buffer is
 * NULL half of the time.
 */
static inline void fz_rq_unbuf(struct fz_rq *rq, struct fz_buf *b)
{
	if (!b->map)
		return;
	rq->mapped -= b->map_len;
	atomic_fetch_sub(&fz.mapped, b->map_len);
	fz_buf_free(b);
}

static inline struct fz_ptr fz_rq_buf(struct fz_rng *r, struct fz_rq *rq,
				      struct fz_buf *b, __u64 room,
				      const void *content, __u64 len, bool ro,
				      enum fz_place place)
{
	enum fz_place any = fz_below(r, 3);
	unsigned int odd = (unsigned int)fz_next(r);
	__u32 seed = (__u32)fz_next(r);

	fz_rq_unbuf(rq, b);
	if (!room && fz_chance(r, 50))
		return (struct fz_ptr){ 0 };
	if (fz_buf_new(b, room, place == FZ_PLACE_ANY ? any : place, odd, seed,
		       content, len, ro))
		return (struct fz_ptr){ 0 };
	rq->mapped += b->map_len;
	atomic_fetch_add(&fz.mapped, b->map_len);
	return fz_ptr_buf(b);
}

static inline void fz_rq_free(struct fz_rq *rq)
{
	fz_buf_free(&rq->key);
	fz_buf_free(&rq->iv);
	fz_buf_free(&rq->src);
	fz_buf_free(&rq->dst);
	atomic_fetch_sub(&fz.mapped, rq->mapped);
	rq->mapped = 0;
}

/* Fit the lengths of a new valid operation to its algorithm */
static inline void fz_rq_fit(struct fz_rng *r, struct fz_op *op)
{
	static const __u32 tags[] = { 4, 8, 12, 13, 14, 15, 16 };
	bool dec = op->flags & VCRYPT_OP_DECRYPT;

	op->iv_len = fz_alg_iv_len(op->alg);
	op->aad_len = 0;
	op->tag_len = 0;
	switch (op->alg) {
	case VCRYPT_ALG_AES_CBC:
		op->src_len &= ~15u;
		break;
	case VCRYPT_ALG_AES_XTS:
		if (op->src_len < 16)
			op->src_len = 16 + fz_below(r, 17);
		break;
	case VCRYPT_ALG_AES_GCM:
		op->tag_len = FZ_PICK(r, tags);
		if (dec && op->src_len < op->tag_len)
			op->src_len = op->tag_len + fz_below(r, 33);
		op->aad_len = fz_chance(r, 40) ? 0 :
			      fz_below(r, op->src_len - (dec ? op->tag_len : 0) + 1);
		break;
	}
}

/* Mutate one field of @rq, making it likely invalid */
static inline void fz_rq_mutate(struct fz_worker *w, struct fz_rq *rq,
				const struct vcrypt_info *info)
{
	struct fz_rng *r = &w->rng;
	struct fz_op *op = &rq->op;
	const __u32 rel[] = {
		info->max_data - 1, info->max_data, info->max_data + 1,
		op->src_len - 1, op->src_len + 1, op->src_len - op->tag_len,
		op->src_len - op->tag_len + 1, (__u32)rq->out_len - 1,
		(__u32)rq->out_len + 1, op->src_len - op->aad_len,
	};
	__u32 v = fz_chance(r, 60) ? FZ_PICK(r, fz_edges) : FZ_PICK(r, rel);
	const __u8 *content;
	struct fz_ptr *p;
	struct fz_buf *b;
	size_t room, len;
	unsigned int m;

	rq->mutated = true;
	m = fz_below(r, 11);
	switch (m) {
	case 0:
		if (op->sync)
			op->alg = fz_chance(r, 50) ? FZ_PICK(r, fz_bad_algs) :
						    FZ_PICK(r, fz_algs);
		else
			rq->session = fz_chance(r, 50) ? FZ_PICK(r, fz_edges) :
				      fz_range(r, 1, FZ_SESSIONS + 8);
		break;
	case 1:
		op->flags ^= fz_chance(r, 50) ? VCRYPT_OP_DECRYPT :
			     1u << fz_below(r, 32);
		break;
	case 2:
		op->key_len = v;
		break;
	case 3:
		op->iv_len = v;
		break;
	case 4:
		op->src_len = v;
		break;
	case 5:
		op->dst_len = v;
		break;
	case 6:
		op->aad_len = v;
		break;
	case 7:
		op->tag_len = v;
		break;
	case 8:
		rq->reserved = fz_chance(r, 50) ? 1 : (__u32)fz_next(r) | 1;
		op->reserved = true;
		break;
	default:
		/* A pointer: bad, short of its length, or read-only */
		switch (fz_below(r, 4)) {
		case 0:
			p = &op->iv;
			b = &rq->iv;
			break;
		case 1:
			p = &op->src;
			b = &rq->src;
			break;
		case 2:
			p = op->sync ? &op->key : &op->dst;
			b = op->sync ? &rq->key : &rq->dst;
			break;
		default:
			p = &op->dst;
			b = &rq->dst;
			break;
		}
		if (rq->inplace && (p == &op->src || p == &op->dst)) {
			rq->inplace = false;
			op->dst = fz_rq_buf(r, rq, &rq->dst, rq->out_len, NULL,
					    0, false, FZ_PLACE_ANY);
			p = &op->dst;
			b = &rq->dst;
		}
		room = b->room;
		content = b->content;
		len = b->len;
		switch (fz_below(r, 3)) {
		case 0:
			fz_rq_unbuf(rq, b);
			*p = fz_ptr_bad(r);
			break;
		case 1:
			*p = fz_rq_buf(r, rq, b, room / 2, content, len, false,
				       FZ_PLACE_END);
			if (!b->map)
				*p = fz_ptr_bad(r);
			break;
		default:
			*p = fz_rq_buf(r, rq, b, room, content, len, true,
				       FZ_PLACE_ANY);
			break;
		}
		break;
	}
}

/* A handle of a live session of the tracked file @s, or 0 */
static inline __u32 fz_sess_live(struct fz_rng *r, struct fz_slot *s)
{
	unsigned int i, h;

	if (!s->nsess)
		return 0;
	h = fz_range(r, 1, FZ_SESSIONS);
	for (i = 0; i < FZ_SESSIONS; i++, h = h % FZ_SESSIONS + 1)
		if (s->s[h].live)
			return h;
	return 0;
}

/*
 * Build an operation (@sync) or a request for file @s, valid first, then
 * mutated now and then; with @small only small valid ones (a child's).
 * A tracked file's sessions must be held.
 */
static inline void fz_rq_build(struct fz_worker *w, struct fz_slot *s,
			       struct fz_rq *rq, bool sync, bool small)
{
	struct fz_rng *r = &w->rng;
	const struct vcrypt_info *info = &s->info;
	struct fz_op *op = &rq->op;
	const struct vs_kat *k = NULL;
	const __u8 *key = NULL;
	__u64 room;
	__u32 h;
	unsigned int n;

	memset(rq, 0, sizeof(*rq));
	op->sync = sync;
	op->have_alg = true;
	if (sync) {
		if (fz_chance(r, 30))
			k = fz_kat_pick(r, 0, NULL);
		op->alg = k ? k->alg : FZ_PICK(r, fz_algs);
	} else if (s->wild) {
		rq->session = fz_range(r, 1, 16);
		rq->loose = true;
		op->alg = FZ_PICK(r, fz_algs);
	} else {
		h = fz_sess_live(r, s);
		if (h && fz_chance(r, 95)) {
			rq->session = h;
			op->alg = s->s[h].alg;
			if (fz_chance(r, 40))
				k = fz_kat_pick(r, op->alg, &s->s[h]);
		} else {
			rq->session = h ? 0 : fz_range(r, 0, FZ_SESSIONS + 1);
			op->have_alg = false;
			op->alg = FZ_PICK(r, fz_algs);
		}
	}

	if (k) {
		rq->kat = k;
		op->flags = k->flags;
		op->key_len = k->key.len;
		key = k->key.p;
		op->iv_len = k->iv.len;
		op->src_len = k->src.len;
		op->aad_len = k->aad_len;
		op->tag_len = k->tag_len;
	} else {
		if (!fz_alg_hash(op->alg) && fz_chance(r, 50))
			op->flags = VCRYPT_OP_DECRYPT;
		op->key_len = fz_key_len(r, op->alg);
		op->src_len = fz_src_len(r, info->max_data, small);
		if (small && op->src_len > FZ_CHILD_LEN)
			op->src_len = FZ_CHILD_LEN;
		fz_rq_fit(r, op);
	}
	rq->out_len = fz_out_len(op->alg, op->flags & VCRYPT_OP_DECRYPT,
				 op->src_len, op->tag_len);
	n = fz_below(r, 10);
	op->dst_len = (__u32)rq->out_len + (n < 5 ? 0 : n < 8 ? fz_below(r, 65) :
					    n < 9 ? fz_below(r, 4097) :
					    UINT_MAX - (__u32)rq->out_len);

	if (sync)
		op->key = fz_rq_buf(r, rq, &rq->key, op->key_len, key,
				    op->key_len, false, FZ_PLACE_ANY);
	op->iv = fz_rq_buf(r, rq, &rq->iv, op->iv_len, k ? k->iv.p : NULL,
			   op->iv_len, false, FZ_PLACE_ANY);
	rq->inplace = fz_chance(r, 10);
	room = op->src_len;
	if (rq->inplace && rq->out_len > room)
		room = rq->out_len;
	op->src = fz_rq_buf(r, rq, &rq->src, room, k ? k->src.p : NULL,
			    op->src_len, false, FZ_PLACE_ANY);
	if (rq->inplace) {
		op->dst = op->src;
	} else {
		/* All of dst_len, but for a huge one */
		room = op->dst_len - rq->out_len <= 4096 ? op->dst_len :
		       rq->out_len + fz_below(r, 64);
		op->dst = fz_rq_buf(r, rq, &rq->dst, room, NULL, 0, false,
				    FZ_PLACE_ANY);
	}

	if (!small && fz_chance(r, 22)) {
		n = fz_chance(r, 70) ? 1 : fz_range(r, 2, 3);
		while (n--)
			fz_rq_mutate(w, rq, info);
		rq->kat = NULL;
	}

	/* A request's session decides its algorithm */
	if (!sync && !rq->loose) {
		h = rq->session;
		op->have_alg = h && h <= FZ_SESSIONS && s->s[h].live;
		if (op->have_alg)
			op->alg = s->s[h].alg;
	}
	rq->set = fz_model_op(op, info, &rq->out_len);
	if (!op->have_alg)
		rq->set |= FZ_M(FZ_ENOENT);
	rq->efault_ok = !rq->set && op->dst.wr < op->dst_len;
	if (rq->loose) {
		/* The session's algorithm decides, which the fuzzer ignores */
		rq->set = FZ_M(FZ_EINVAL) | FZ_M(FZ_E2BIG) | FZ_M(FZ_ENOENT) |
			  FZ_M(FZ_EFAULT) | FZ_M(FZ_EOPNOTSUPP);
		if (!op->reserved && !(op->flags & ~VCRYPT_OP_DECRYPT))
			rq->set |= FZ_M(FZ_OK);
	}
}

static inline int fz_rq_str(const struct fz_rq *rq, char *buf, size_t len)
{
	const struct fz_op *op = &rq->op;
	char set[160];

	return snprintf(buf, len,
			"{alg %#x flags %#x sess %u key %u@%#llx iv %u@%#llx src %u@%#llx/%#llx dst %u@%#llx/%#llx aad %u tag %u rsv %#x%s%s -> %s}",
			op->alg, op->flags, rq->session, op->key_len,
			op->key.addr, op->iv_len, op->iv.addr, op->src_len,
			op->src.addr, op->src.rd, op->dst_len, op->dst.addr,
			op->dst.wr, op->aad_len, op->tag_len, rq->reserved,
			rq->inplace ? " in-place" : "",
			rq->kat ? " kat" : "",
			rq->set ? fz_set_str(rq->set, set, sizeof(set)) : "valid");
}

/* Where an ioctl's argument goes */
static inline enum fz_argpos fz_argpos(struct fz_rng *r)
{
	unsigned int c = fz_below(r, 100);

	if (c < 86)
		return FZ_ARG_GOOD;
	if (c < 91)
		return FZ_ARG_RO_TAIL;
	if (c < 94)
		return FZ_ARG_RO;
	if (c < 97)
		return FZ_ARG_CUT;
	return FZ_ARG_BAD;
}

/* The file descriptor of @s a call uses: the file or its duplicate */
static inline int fz_fd(struct fz_worker *w, struct fz_slot *s)
{
	return s->dupfd >= 0 && fz_chance(&w->rng, 30) ? s->dupfd : s->fd;
}

static inline void fz_mem_fail(struct fz_worker *w, const char *what,
			       const struct fz_buf *b, long off)
{
	fz_fail(w, FZ_C_MEMORY,
		"%s: byte %ld (of a %zu-byte buffer at %p) is not what it must be",
		what, off, b->len, (void *)b->p);
}

/*
 * Check the buffers of a finished request: the destination holds @out_len
 * bytes of output (the known answer if any) and nothing else changed. With
 * @written false, nothing at all may have been written.
 */
static inline void fz_check_bufs(struct fz_worker *w, const struct fz_buf *src,
				 const struct fz_buf *dst, bool inplace,
				 const struct vs_kat *kat, __u64 out_len, bool written)
{
	const struct fz_buf *d = inplace ? src : dst;
	long off;

	if (!written)
		out_len = 0;
	if (d->map) {
		off = fz_buf_check(d, 0, out_len,
				   written && kat ? kat->out.p : NULL);
		if (off != LONG_MIN) {
			fz_mem_fail(w, written ? (kat ? "known answer or past it" :
						  "destination, past out_len") :
					       "destination of a failed request",
				    d, off);
			return;
		}
		if (written && kat)
			atomic_fetch_add(&fz.kats, 1);
	}
	if (!inplace && src->map) {
		off = fz_buf_check(src, 0, 0, NULL);
		if (off != LONG_MIN)
			fz_mem_fail(w, "source", src, off);
	}
}

/* Check the completion @c of @e, which was taken out of the table */
static inline void fz_verify(struct fz_worker *w, struct fz_slot *s,
			     struct fz_entry *e, const struct vcrypt_completion *c)
{
	fz_set ok = FZ_M(FZ_OK);
	enum fz_res r = c->status > 0 ? FZ_OTHER : fz_res_of(-c->status);
	char set[160];
	__u64 out;

	atomic_fetch_add(&fz.count[FZ_K_COMPLETION][r], 1);
	if (e->slot != s) {
		fz_fail(w, FZ_C_COMPLETION,
			"request %#llx of file %u completed on file %u",
			e->tag, e->slot->idx, s->idx);
		return;
	}
	if (e->loose ||
	    (e->alg == VCRYPT_ALG_AES_GCM && e->flags & VCRYPT_OP_DECRYPT &&
	     !e->kat))
		ok |= FZ_M(FZ_EBADMSG);
	if (fz_gone_may(s))
		ok |= FZ_M(FZ_ENODEV);
	if (!(ok & FZ_M(r))) {
		fz_fail(w, FZ_C_COMPLETION,
			"request %#llx (thread %u call %lu) completed with status %d, documented: %s",
			e->tag, e->worker, e->call, c->status,
			fz_set_str(ok, set, sizeof(set)));
		return;
	}
	out = c->status ? 0 : e->loose ? c->out_len : e->out_len;
	if (c->out_len != out || out > e->dst_len) {
		fz_fail(w, FZ_C_COMPLETION,
			"request %#llx (thread %u call %lu): status %d, out_len %u, not %llu",
			e->tag, e->worker, e->call, c->status, c->out_len, out);
		return;
	}
	if (!e->foreign && !e->tampered)
		fz_check_bufs(w, &e->src, &e->dst, e->inplace, e->kat, out,
			      !c->status);
}

/* A completion read from @s: find its request and check it */
static inline void fz_complete(struct fz_worker *w, struct fz_slot *s,
			       const struct vcrypt_completion *c)
{
	struct fz_entry *e;

	pthread_mutex_lock(&fz.lock);
	e = fz_table_take(c->tag);
	if (e && !e->early) {
		fz_unaccount(e);
	} else if (!e && c->tag & FZ_TAG_CHILD) {
		/* A child's request its report has not told of yet */
		e = calloc(1, sizeof(*e));
		if (e) {
			e->tag = c->tag;
			e->slot = s;
			e->early = true;
			e->early_c = *c;
			fz_table_add(e);
		}
		pthread_mutex_unlock(&fz.lock);
		return;
	}
	pthread_mutex_unlock(&fz.lock);
	if (!e || e->early) {
		fz_fail(w, FZ_C_COMPLETION,
			"completion of tag %#llx (status %d, out_len %u): no such request in flight (never queued, or completed before)",
			c->tag, c->status, c->out_len);
		if (e)
			free(e);
		return;
	}
	fz_verify(w, s, e, c);
	fz_entry_free(e);
}

/* Drop the requests of @s (being closed) from the table */
static inline void fz_drop(struct fz_slot *s)
{
	struct fz_entry *e, **pe, *drop = NULL;
	unsigned int h;

	pthread_mutex_lock(&fz.lock);
	for (h = 0; h < FZ_HASH; h++) {
		for (pe = &fz.table[h]; (e = *pe);) {
			if (e->slot != s) {
				pe = &e->next;
				continue;
			}
			*pe = e->next;
			e->next = drop;
			drop = e;
		}
	}
	s->outstanding = 0;
	s->bytes = 0;
	s->extra = 0;
	s->orphans = 0;
	pthread_mutex_unlock(&fz.lock);
	while ((e = drop)) {
		drop = e->next;
		fz_entry_free(e);
	}
}

/* @rq as a request of VCRYPT_IOC_SUBMIT, with @tag */
static inline struct vcrypt_request fz_req_of(const struct fz_rq *rq, __u64 tag)
{
	struct vcrypt_request q = {
		.tag = tag, .session = rq->session, .flags = rq->op.flags,
		.iv = rq->op.iv.addr, .src = rq->op.src.addr,
		.dst = rq->op.dst.addr, .iv_len = rq->op.iv_len,
		.src_len = rq->op.src_len, .dst_len = rq->op.dst_len,
		.aad_len = rq->op.aad_len, .tag_len = rq->op.tag_len,
	};

	q.reserved[tag % ARRAY_SIZE(q.reserved)] = rq->reserved;
	return q;
}

/* A new entry for request @rq of @s, taking over its buffers */
static inline struct fz_entry *fz_entry_of(struct fz_worker *w, struct fz_slot *s,
					   struct fz_rq *rq, __u64 tag)
{
	struct fz_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	*e = (struct fz_entry){
		.tag = tag, .slot = s, .alg = rq->op.alg,
		.flags = rq->op.flags, .out_len = rq->out_len,
		.dst_len = rq->op.dst_len,
		.bytes = rq->set & FZ_M(FZ_OK) || !rq->set ?
			 rq->op.src_len + rq->out_len : 0,
		.mapped = rq->mapped, .src = rq->src, .dst = rq->dst,
		.kat = rq->kat, .inplace = rq->inplace, .loose = rq->loose,
		.worker = w->id, .call = w->call,
	};
	if (rq->loose)
		e->bytes = (__u64)rq->op.src_len + rq->op.dst_len;
	rq->src.map = NULL;
	rq->dst.map = NULL;
	rq->mapped = 0;
	return e;
}

#endif /* FUZZ_REQ_H */
