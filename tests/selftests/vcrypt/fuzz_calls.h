/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's kinds of call on an open file of a slice, and the debugfs
 * raw hook: each builds its arguments, makes the call within a time limit,
 * and checks the result and what the call did against the documentation.
 */
#ifndef FUZZ_CALLS_H
#define FUZZ_CALLS_H

#include <sys/ioctl.h>

#include "fuzz_req.h"

/*
 * Give the new tracked file @s a few sessions with published keys, so
 * that most requests find one; 'use' is held exclusively
 */
static inline void fz_slot_sessions(struct fz_worker *w, struct fz_slot *s)
{
	const struct vs_kat *k;
	struct vcrypt_session_new sn;
	unsigned int i;
	int ret;

	w->kind = FZ_K_SESS_NEW;
	w->injected = false;
	for (i = 0; i < 3; i++) {
		k = fz_kat_pick(&w->rng, 0, NULL);
		if (!k)
			return;
		sn = (struct vcrypt_session_new){
			.alg = k->alg,
			.key = (uintptr_t)k->key.p,
			.key_len = k->key.len,
		};
		fz_desc(w, "SESSION_NEW on new file %u: %s key", s->idx, k->name);
		ret = ioctl(s->fd, VCRYPT_IOC_SESSION_NEW, &sn) ? errno : 0;
		if (!fz_check(w, s, false, ret, FZ_M(FZ_OK),
			      "VCRYPT_IOC_SESSION_NEW") || ret)
			return;
		if (!sn.handle || sn.handle > FZ_SESSIONS ||
		    s->s[sn.handle].live) {
			fz_fail(w, FZ_C_CALL, "SESSION_NEW gave handle %u",
				sn.handle);
			return;
		}
		s->s[sn.handle] = (struct fz_sess){
			.live = true, .alg = sn.alg, .key_len = sn.key_len,
		};
		memcpy(s->s[sn.handle].key, k->key.p, k->key.len);
		s->nsess++;
	}
}

/* Open a file for @s, whose 'use' lock is held exclusively */
static inline void fz_slot_open(struct fz_worker *w, struct fz_slot *s)
{
	enum fz_kind kind = w->kind;
	unsigned int n = atomic_load(&fz.nslices);
	unsigned int slice = n && fz_chance(&w->rng, 90) ? fz_below(&w->rng, n) :
			     fz_below(&w->rng, FZ_SLICES);
	bool nonblock = fz_chance(&w->rng, 60), wild = fz_chance(&w->rng, 25);
	unsigned long before, done;
	fz_set allowed;
	char path[64];
	int fd, err;

	w->kind = FZ_K_OPEN;
	snprintf(path, sizeof(path), "/dev/vcrypt%u", fz.base + slice);
	fz_desc(w, "open(%s, O_RDWR%s) for file %u", path,
		nonblock ? " | O_NONBLOCK" : "", s->idx);
	done = atomic_load(&fz.removed[slice]);
	before = atomic_load(&fz.removing[slice]);
	allowed = fz.admin ? FZ_M(FZ_OK) | FZ_M(FZ_ENOENT) | FZ_M(FZ_ENXIO) |
			     FZ_M(FZ_ENODEV) :
			     FZ_M(slice < atomic_load(&fz.nslices) ? FZ_OK :
							    FZ_ENOENT);
	fz_fi_begin(w);
	fd = open(path, O_RDWR | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
	err = fd < 0 ? errno : 0;
	fz_fi_end(w);
	fz_check(w, NULL, false, err, allowed, "open");
	w->kind = kind;
	if (fd < 0)
		return;

	s->fd = fd;
	s->dupfd = -1;
	s->slice = slice;
	s->wild = wild;
	s->epoch = before;
	s->certain = before == done &&
		     atomic_load(&fz.removing[slice]) == before;
	/* false from before a removal until the new slice's limit is set */
	s->unlimited = atomic_load(&fz.unlimited[slice]);
	atomic_store(&s->dead, false);
	memset(s->s, 0, sizeof(s->s));
	s->nsess = 0;
	s->info = fz.info;
	if (vs_info(fd, &s->info)) {
		s->info = fz.info;
		atomic_store(&s->dead, true);
	}
	if (s->info.max_sessions > FZ_SESSIONS)
		s->wild = true;
	if (!s->wild)
		fz_slot_sessions(w, s);
	w->kind = kind;
}

/* Close the file of @s, whose 'use' lock is held exclusively */
static inline void fz_slot_close(struct fz_slot *s)
{
	if (s->fd < 0)
		return;
	close(s->fd);
	if (s->dupfd >= 0)
		close(s->dupfd);
	s->fd = -1;
	s->dupfd = -1;
	fz_drop(s);
}

/* Take @s for a call, with an open file; false: none could be opened */
static inline bool fz_slot_get(struct fz_worker *w, struct fz_slot *s)
{
	bool reopen = fz_chance(&w->rng, 30);

	pthread_rwlock_rdlock(&s->use);
	if (s->fd >= 0 && !(reopen && atomic_load(&s->dead)))
		return true;
	pthread_rwlock_unlock(&s->use);

	pthread_rwlock_wrlock(&s->use);
	if (s->fd >= 0 && atomic_load(&s->dead))
		fz_slot_close(s);
	if (s->fd < 0)
		fz_slot_open(w, s);
	pthread_rwlock_unlock(&s->use);

	pthread_rwlock_rdlock(&s->use);
	if (s->fd >= 0)
		return true;
	pthread_rwlock_unlock(&s->use);
	return false;
}

static inline void fz_slot_put(struct fz_slot *s)
{
	pthread_rwlock_unlock(&s->use);
}

static inline void fz_do_info(struct fz_worker *w, struct fz_slot *s)
{
	struct vcrypt_info info, back;
	bool gone = fz_gone_sure(s);
	enum fz_argpos pos = fz_argpos(&w->rng);
	struct fz_ptr arg;
	unsigned int i;
	int ret;

	memset(&info, 0xa5, sizeof(info));
	arg = fz_arg_put(&w->arena, &w->rng, pos, &info, sizeof(info),
			 fz_range(&w->rng, 1, sizeof(info) - 1));
	fz_desc(w, "INFO on file %u (slice %u), arg %#llx", s->idx, s->slice,
		arg.addr);
	fz_fi_begin(w);
	ret = ioctl(fz_fd(w, s), VCRYPT_IOC_INFO, arg.addr) ? errno : 0;
	fz_fi_end(w);
	if (!fz_check(w, s, gone, ret,
		      FZ_M(fz_fault(&arg, sizeof(info), true) ? FZ_EFAULT :
								 FZ_OK),
		      "VCRYPT_IOC_INFO") || ret)
		return;

	fz_arg_get(&w->arena, &arg, &back, sizeof(back));
	for (i = 0; i < ARRAY_SIZE(back.reserved); i++)
		if (back.reserved[i])
			break;
	if (back.version >> 16 != VCRYPT_ABI_VERSION >> 16 ||
	    back.algs != s->info.algs || back.slice != fz.base + s->slice ||
	    back.weight < 1 || back.weight > VS_WEIGHT_MAX ||
	    back.max_queue != s->info.max_queue ||
	    back.max_batch != s->info.max_batch ||
	    back.max_data != s->info.max_data ||
	    back.max_sessions != s->info.max_sessions ||
	    back.max_bytes != s->info.max_bytes ||
	    i < ARRAY_SIZE(back.reserved))
		fz_fail(w, FZ_C_CALL,
			"INFO: version %#x algs %#x slice %u weight %u limits %u/%u/%u/%u/%u, reserved[%u] %#x",
			back.version, back.algs, back.slice, back.weight,
			back.max_queue, back.max_batch, back.max_data,
			back.max_sessions, back.max_bytes, i,
			i < ARRAY_SIZE(back.reserved) ? back.reserved[i] : 0);
}

static inline void fz_do_session_new(struct fz_worker *w, struct fz_slot *s)
{
	struct fz_rng *r = &w->rng;
	struct vcrypt_session_new sn = { 0 }, back;
	const struct vs_kat *k = NULL;
	enum fz_argpos pos = fz_argpos(r);
	struct fz_ptr key, arg;
	struct fz_buf kb = { 0 };
	__u8 keybytes[VCRYPT_HW_KEY_MAX];
	bool gone, full, tracked = !s->wild;
	fz_set set;
	size_t room;
	int ret;

	if (tracked)
		pthread_rwlock_wrlock(&s->sess);
	gone = fz_gone_sure(s);
	sn.alg = fz_chance(r, 92) ? FZ_PICK(r, fz_algs) : FZ_PICK(r, fz_bad_algs);
	sn.key_len = fz_chance(r, 85) ? fz_key_len(r, sn.alg) :
		     FZ_PICK(r, fz_edges);
	if (fz_chance(r, 50))
		k = fz_kat_pick(r, sn.alg, NULL);
	if (k && fz_chance(r, 90))
		sn.key_len = k->key.len;
	else
		k = NULL;
	if (fz_chance(r, 4))
		sn.flags = fz_chance(r, 50) ? 1 : (__u32)fz_next(r);
	if (fz_chance(r, 4))
		sn.reserved[fz_below(r, ARRAY_SIZE(sn.reserved))] =
			(__u32)fz_next(r) | 1;
	fz_fill(keybytes, (__u32)fz_next(r), 0, sizeof(keybytes));
	if (sn.key_len && fz_chance(r, 92)) {
		/* At most a key's worth; sometimes short of its length */
		room = sn.key_len < sizeof(keybytes) ? sn.key_len :
		       sizeof(keybytes);
		if (fz_chance(r, 5))
			room /= 2;
		if (fz_buf_new(&kb, room, fz_below(r, 3),
			       (unsigned int)fz_next(r), (__u32)fz_next(r),
			       k ? k->key.p : keybytes, room, fz_chance(r, 10)))
			kb.map = NULL;
		key = kb.map ? fz_ptr_buf(&kb) : fz_ptr_bad(r);
	} else {
		key = fz_chance(r, 50) || !sn.key_len ?
		      (struct fz_ptr){ 0 } : fz_ptr_bad(r);
	}
	sn.key = key.addr;
	sn.handle = 0xdeadbeef;
	arg = fz_arg_put(&w->arena, r, pos, &sn, sizeof(sn),
			 fz_range(r, 1, sizeof(sn) - 1));
	set = fz_model_session(&sn, &key, &arg, &s->info);
	full = s->nsess >= s->info.max_sessions;
	if (!set)
		set = !tracked ? FZ_M(FZ_OK) | FZ_M(FZ_ENOSPC) :
		      FZ_M(full ? FZ_ENOSPC : FZ_OK);
	fz_desc(w,
		"SESSION_NEW on file %u%s: alg %#x flags %#x key %u@%#llx (%s) reserved %#x/%#x/%#x/%#x, arg %#llx rd %llu wr %llu",
		s->idx, tracked ? "" : " (wild)", sn.alg, sn.flags, sn.key_len,
		sn.key, k ? "known answer" : "random", sn.reserved[0],
		sn.reserved[1], sn.reserved[2], sn.reserved[3], arg.addr,
		arg.rd, arg.wr);
	fz_fi_begin(w);
	ret = ioctl(fz_fd(w, s), VCRYPT_IOC_SESSION_NEW, arg.addr) ? errno : 0;
	fz_fi_end(w);
	fz_check(w, s, gone, ret, set, "VCRYPT_IOC_SESSION_NEW");
	if (!ret && tracked) {
		fz_arg_get(&w->arena, &arg, &back, sizeof(back));
		if (!back.handle || back.handle > FZ_SESSIONS ||
		    s->s[back.handle].live) {
			fz_fail(w, FZ_C_CALL,
				"SESSION_NEW gave handle %u, which is %s",
				back.handle, back.handle ? "in use already" :
				"0");
			if (back.handle > FZ_SESSIONS)
				s->wild = true;
		} else {
			s->s[back.handle] = (struct fz_sess){
				.live = true,
				.alg = sn.alg,
				.key_len = sn.key_len,
			};
			/* What the kernel read: a short buffer ends in pattern */
			if (kb.map && sn.key_len <= kb.room)
				memcpy(s->s[back.handle].key, kb.p, sn.key_len);
			s->nsess++;
		}
	}
	if (tracked)
		pthread_rwlock_unlock(&s->sess);
	fz_buf_free(&kb);
}

static inline void fz_do_session_free(struct fz_worker *w, struct fz_slot *s)
{
	static const __u32 odd[] = {
		0, FZ_SESSIONS, FZ_SESSIONS + 1, 0x10000, 0x80000000,
		0xffffffff,
	};
	struct fz_rng *r = &w->rng;
	bool tracked = !s->wild, live, gone;
	struct fz_ptr arg;
	__u32 h;
	int ret;

	if (tracked)
		pthread_rwlock_wrlock(&s->sess);
	gone = fz_gone_sure(s);
	h = fz_sess_live(r, s);
	if (!h || fz_chance(r, 25))
		h = fz_chance(r, 60) ? fz_range(r, 1, 32) : FZ_PICK(r, odd);
	live = tracked && h <= FZ_SESSIONS && s->s[h].live;
	arg = fz_arg_put(&w->arena, r, fz_chance(r, 8) ? FZ_ARG_CUT + fz_below(r, 2) :
				      FZ_ARG_GOOD + 2 * fz_below(r, 2),
			 &h, sizeof(h), fz_range(r, 1, 3));
	fz_desc(w, "SESSION_FREE on file %u%s: handle %u (%s), arg %#llx",
		s->idx, tracked ? "" : " (wild)", h, live ? "live" : "not live",
		arg.addr);
	fz_fi_begin(w);
	ret = ioctl(fz_fd(w, s), VCRYPT_IOC_SESSION_FREE, arg.addr) ? errno : 0;
	fz_fi_end(w);
	fz_check(w, s, gone, ret,
		 fz_fault(&arg, sizeof(h), false) ? FZ_M(FZ_EFAULT) :
		 !tracked ? FZ_M(FZ_OK) | FZ_M(FZ_ENOENT) :
		 FZ_M(live ? FZ_OK : FZ_ENOENT), "VCRYPT_IOC_SESSION_FREE");
	if (!ret && live) {
		s->s[h].live = false;
		memset(s->s[h].key, 0, sizeof(s->s[h].key));
		s->nsess--;
	}
	if (tracked)
		pthread_rwlock_unlock(&s->sess);
}

/* Add @n requests of @bytes to the counts of @s */
static inline void fz_reserve(struct fz_slot *s, int n, __s64 bytes)
{
	pthread_mutex_lock(&fz.lock);
	s->outstanding += n;
	s->bytes += bytes;
	if (n > 0) {
		s->reg += n;
		s->reg_bytes += bytes;
	}
	pthread_mutex_unlock(&fz.lock);
}

/*
 * Bounds on what @s had outstanding during a call: @out0, @bytes0 the
 * counts when it began (the call's own requests counted), @reg0, @rb0
 * the registrations then. Returns whether the file surely had room: not
 * when its slice's max_bytes, which all files of the slice share, may
 * have been the default.
 */
static inline bool fz_room(struct fz_slot *s, unsigned int out0, __u64 bytes0,
			   __u64 reg0, __u64 rb0)
{
	__u64 n, b;

	pthread_mutex_lock(&fz.lock);
	n = out0 + (s->reg - reg0);
	b = bytes0 + (s->reg_bytes - rb0);
	pthread_mutex_unlock(&fz.lock);
	return s->unlimited && n < s->info.max_queue &&
	       b < s->info.max_bytes;
}

static inline void fz_do_op(struct fz_worker *w, struct fz_slot *s)
{
	struct fz_rng *r = &w->rng;
	bool tracked = !s->wild, gone, readable, ran, cbc_ctr;
	const size_t out_end = offsetof(struct vcrypt_op, out_len) + 4;
	enum fz_argpos pos = fz_argpos(r);
	struct vcrypt_op o, back;
	struct fz_rq rq;
	struct fz_ptr arg;
	__u64 bytes;
	fz_set allowed;
	char str[512];
	long off;
	int ret;

	fz_rq_build(w, s, &rq, true, false);
	o = (struct vcrypt_op){
		.alg = rq.op.alg, .flags = rq.op.flags,
		.key = rq.op.key.addr, .iv = rq.op.iv.addr,
		.src = rq.op.src.addr, .dst = rq.op.dst.addr,
		.key_len = rq.op.key_len, .iv_len = rq.op.iv_len,
		.src_len = rq.op.src_len, .dst_len = rq.op.dst_len,
		.aad_len = rq.op.aad_len, .tag_len = rq.op.tag_len,
		.out_len = 0xdeadbeef,
	};
	o.reserved[fz_below(r, ARRAY_SIZE(o.reserved))] = rq.reserved;
	arg = fz_arg_put(&w->arena, r, pos, &o, sizeof(o),
			 pos == FZ_ARG_RO_TAIL ? fz_range(r, out_end - 4, out_end - 1) :
			 fz_range(r, 1, sizeof(o) - 1));
	readable = !fz_fault(&arg, sizeof(o), false);
	cbc_ctr = o.alg == VCRYPT_ALG_AES_CBC || o.alg == VCRYPT_ALG_AES_CTR;
	if (!readable) {
		allowed = FZ_M(FZ_EFAULT);
	} else if (rq.set) {
		allowed = rq.set;
		/* out_len is written (0) before the request is checked */
		if (fz_fault(&arg, out_end, true))
			allowed |= FZ_M(FZ_EFAULT);
	} else {
		allowed = FZ_M(FZ_OK) | FZ_M(FZ_EINTR);
		if (o.alg == VCRYPT_ALG_AES_GCM && o.flags & VCRYPT_OP_DECRYPT &&
		    !rq.kat)
			allowed |= FZ_M(FZ_EBADMSG);
		if (rq.efault_ok)
			allowed |= FZ_M(FZ_EFAULT);
		/* It runs; writing out_len or the next IV back fails */
		if (fz_fault(&arg, out_end, true) ||
		    (cbc_ctr && fz_fault(&rq.op.iv, o.iv_len, true)))
			allowed = (allowed & ~FZ_M(FZ_OK)) | FZ_M(FZ_EFAULT);
	}
	fz_rq_str(&rq, str, sizeof(str));
	fz_desc(w, "OP on file %u (slice %u): %s, arg %#llx rd %llu wr %llu",
		s->idx, s->slice, str, arg.addr, arg.rd, arg.wr);

	bytes = readable && !rq.set ? o.src_len + rq.out_len : 0;
	if (tracked)
		pthread_rwlock_rdlock(&s->sess);
	gone = fz_gone_sure(s);
	fz_reserve(s, 1, bytes);
	fz_timer(w, FZ_OP_MS);
	fz_fi_begin(w);
	ret = ioctl(fz_fd(w, s), VCRYPT_IOC_OP, arg.addr) ? errno : 0;
	fz_fi_end(w);
	fz_timer(w, 0);
	/* An interrupted op stays the kernel's until the card is done */
	if (ret != EINTR) {
		fz_reserve(s, -1, -(__s64)bytes);
	} else {
		pthread_mutex_lock(&fz.lock);
		s->orphans++;
		pthread_mutex_unlock(&fz.lock);
	}
	if (tracked)
		pthread_rwlock_unlock(&s->sess);
	fz_check(w, s, gone, ret, allowed, "VCRYPT_IOC_OP");

	if (ret == EINTR || (w->injected && ret == EFAULT))
		goto out;
	ran = readable && !rq.set && (!ret || ret == EFAULT);
	if (!ret) {
		fz_arg_get(&w->arena, &arg, &back, sizeof(back));
		if (back.out_len != rq.out_len) {
			fz_fail(w, FZ_C_CALL, "OP: out_len %u, not %llu",
				back.out_len, rq.out_len);
			goto out;
		}
	}
	fz_check_bufs(w, &rq.src, &rq.dst, rq.inplace, ret ? NULL : rq.kat,
		      rq.out_len, ran);
	/* The IV: the next one for CBC and CTR, else as it was */
	if (rq.iv.map) {
		bool next = ran && cbc_ctr;
		const struct vs_kat *k = rq.kat;

		off = fz_buf_check(&rq.iv, 0, next ? o.iv_len : 0,
				   next && !ret && k && k->next_iv.len ?
				   k->next_iv.p : NULL);
		if (off != LONG_MIN)
			fz_mem_fail(w, next ? "IV written back" : "IV",
				    &rq.iv, off);
	}
out:
	fz_rq_free(&rq);
}

static inline void fz_do_submit(struct fz_worker *w, struct fz_slot *s)
{
	static const __u32 huge[] = { 65, 100, 0x7fffffff, 0xffffffff };
	const size_t qsize = sizeof(struct vcrypt_request);
	const size_t done_end = offsetof(struct vcrypt_submit, done) + 4;
	struct fz_rng *r = &w->rng;
	struct fz_rq rq[64];
	__u64 tags[64];
	struct fz_entry *e, *unq[64] = { 0 };
	struct vcrypt_submit sub = { 0 }, back;
	struct vcrypt_request q;
	struct fz_ptr reqs, arg;
	enum fz_argpos pos = fz_argpos(r);
	unsigned int count, nb, i, c = fz_below(r, 100), d, out0;
	bool tracked = !s->wild, gone, bad_sub, done_w, room, valid0;
	__u64 reg0, rb0, bytes0;
	fz_set allowed;
	char str[400];
	int ret, n;

	count = c < 70 ? fz_range(r, 1, 4) : c < 85 ? fz_range(r, 5, 16) :
		c < 91 ? s->info.max_batch : c < 94 ? s->info.max_batch + 1 :
		c < 97 ? 0 : FZ_PICK(r, huge);
	nb = count <= s->info.max_batch ? count : 2;
	if (nb > 64)
		nb = 64;

	if (tracked)
		pthread_rwlock_rdlock(&s->sess);
	for (i = 0; i < nb; i++) {
		fz_rq_build(w, s, &rq[i], false, false);
		tags[i] = (__u64)(w->id + 1) << 48 | ++w->tags;
	}
	/* The array: whole, cut at a request, or at a bad address */
	c = fz_below(r, 100);
	if (c < 92 || !nb) {
		reqs = (struct fz_ptr){ (uintptr_t)w->reqs,
					FZ_REQ_PAGES * FZ_PAGE,
					FZ_REQ_PAGES * FZ_PAGE };
	} else if (c < 97) {
		i = fz_below(r, nb);
		reqs.rd = i * qsize + fz_below(r, qsize);
		reqs.wr = reqs.rd;
		reqs.addr = (uintptr_t)w->reqs + FZ_REQ_PAGES * FZ_PAGE - reqs.rd;
	} else {
		reqs = fz_ptr_bad(r);
	}
	for (i = 0; i < nb; i++) {
		q = fz_req_of(&rq[i], tags[i]);
		if (reqs.rd >= (i + 1) * qsize)
			memcpy((void *)(uintptr_t)(reqs.addr + i * qsize), &q,
			       qsize);
		else if (reqs.rd > i * qsize)
			memcpy((void *)(uintptr_t)(reqs.addr + i * qsize), &q,
			       reqs.rd - i * qsize);
	}
	sub.reqs = reqs.addr;
	sub.count = count;
	sub.done = 0xdeadbeef;
	if (fz_chance(r, 3))
		sub.reserved[fz_below(r, ARRAY_SIZE(sub.reserved))] =
			(__u32)fz_next(r) | 1;
	arg = fz_arg_put(&w->arena, r, pos, &sub, sizeof(sub),
			 pos == FZ_ARG_RO_TAIL ? fz_range(r, done_end - 4, done_end - 1) :
			 fz_range(r, 1, sizeof(sub) - 1));
	bad_sub = fz_fault(&arg, sizeof(sub), false);
	done_w = !fz_fault(&arg, done_end, true);

	n = snprintf(w->desc, sizeof(w->desc),
		     "SUBMIT on file %u (slice %u%s): count %u reqs %#llx rd %llu rsv %#x arg %#llx rd %llu wr %llu:",
		     s->idx, s->slice, tracked ? "" : ", wild", count,
		     reqs.addr, reqs.rd, sub.reserved[0] | sub.reserved[1] |
		     sub.reserved[2] | sub.reserved[3], arg.addr, arg.rd,
		     arg.wr);
	for (i = 0; i < nb && n < (int)sizeof(w->desc) - 1; i++)
		n += fz_rq_str(&rq[i], w->desc + n, sizeof(w->desc) - n);
	if (fz.verbose)
		fz_msg("t%u #%lu %s", w->id, w->call, w->desc);

	/* Each request is known before the kernel may complete it */
	pthread_mutex_lock(&fz.lock);
	for (i = 0; i < nb; i++) {
		e = fz_entry_of(w, s, &rq[i], tags[i]);
		if (!e)
			continue;
		fz_table_add(e);
		s->outstanding++;
		s->bytes += e->bytes;
		s->reg++;
		s->reg_bytes += e->bytes;
	}
	out0 = s->outstanding;
	bytes0 = s->bytes;
	reg0 = s->reg;
	rb0 = s->reg_bytes;
	pthread_mutex_unlock(&fz.lock);

	gone = fz_gone_sure(s);
	fz_timer(w, FZ_WAIT_MS);
	fz_fi_begin(w);
	ret = ioctl(fz_fd(w, s), VCRYPT_IOC_SUBMIT, arg.addr) ? errno : 0;
	fz_fi_end(w);
	fz_timer(w, 0);
	if (tracked)
		pthread_rwlock_unlock(&s->sess);
	room = fz_room(s, out0, bytes0, reg0, rb0) && !w->injected &&
	       !fz_gone_may(s);
	d = 0;
	if (done_w && !bad_sub)
		fz_arg_get(&w->arena, &arg, &back, sizeof(back));
	else
		back.done = 0;

	/* The submit structure itself */
	if (bad_sub) {
		allowed = FZ_M(FZ_EFAULT);
	} else if (!count || count > s->info.max_batch || sub.reserved[0] ||
		   sub.reserved[1] || sub.reserved[2] || sub.reserved[3]) {
		allowed = FZ_M(FZ_EINVAL);
	} else {
		allowed = 0;
	}

	if (allowed) {
		fz_check(w, s, gone, ret, allowed, "VCRYPT_IOC_SUBMIT");
	} else if (!ret) {
		fz_check(w, s, gone, ret, FZ_M(FZ_OK), "VCRYPT_IOC_SUBMIT");
		d = back.done;
		if (!done_w || !d || d > count) {
			fz_fail(w, FZ_C_CALL, "SUBMIT returned 0 with done %u of %u%s",
				d, count, done_w ? "" : " though done cannot be written");
			d = d > nb ? nb : d;
		}
		for (i = 0; i < d && i < nb; i++)
			if (rq[i].set && !(rq[i].set & FZ_M(FZ_OK)))
				fz_fail(w, FZ_C_CALL,
					"SUBMIT queued request %u (tag %#llx), which breaks rules: %s",
					i, tags[i],
					fz_set_str(rq[i].set, str, sizeof(str)));
		if (d < count && d < nb && !rq[d].set &&
		    reqs.rd >= (d + 1) * qsize && room)
			fz_fail(w, FZ_C_CALL,
				"SUBMIT stopped at valid request %u of %u though the file had room",
				d, count);
	} else if (ret == EFAULT && !done_w) {
		/* It may have queued requests before it failed to say so */
		fz_check(w, s, gone, ret, FZ_M(FZ_EFAULT), "VCRYPT_IOC_SUBMIT");
		d = nb;
		pthread_mutex_lock(&fz.lock);
		for (i = 0; i < nb; i++) {
			e = fz_table_find(tags[i]);
			if (e && !e->maybe) {
				e->maybe = true;
				s->extra++;
			}
		}
		pthread_mutex_unlock(&fz.lock);
	} else {
		valid0 = nb && reqs.rd >= qsize && !rq[0].set;
		if (!nb)
			allowed = FZ_M(FZ_EFAULT);
		else if (reqs.rd < qsize)
			allowed = FZ_M(FZ_EFAULT);
		else if (!valid0)
			allowed = rq[0].set & ~FZ_M(FZ_OK);
		else
			allowed = FZ_M(FZ_EAGAIN) | FZ_M(FZ_EINTR);
		if (rq[0].efault_ok)
			allowed |= FZ_M(FZ_EFAULT);
		fz_check(w, s, gone, ret, allowed, "VCRYPT_IOC_SUBMIT");
		if (valid0 && room && (ret == EAGAIN || ret == EINTR))
			fz_fail(w, FZ_C_CALL,
				"SUBMIT: %s though the file had room for a valid request",
				strerror(ret));
		/* done is 0 once a request was looked at */
		if (done_w && back.done && ret != ENODEV)
			fz_fail(w, FZ_C_CALL, "SUBMIT failed with done %u",
				back.done);
	}

	/* Requests 0 to d - 1 are queued; the others never will be */
	pthread_mutex_lock(&fz.lock);
	for (i = 0; i < nb; i++) {
		if (i < d) {
			e = fz_table_find(tags[i]);
			if (e)
				e->queued = true;
			continue;
		}
		unq[i] = fz_table_take(tags[i]);
		if (unq[i])
			fz_unaccount(unq[i]);
	}
	pthread_mutex_unlock(&fz.lock);
	for (i = d; i < nb; i++) {
		e = unq[i];
		if (!e)
			continue;
		/* Not queued: nothing may have been written */
		if (!(w->injected && ret == EFAULT))
			fz_check_bufs(w, &e->src, &e->dst, e->inplace, NULL, 0,
				      false);
		fz_entry_free(e);
	}
	/* The IVs were read during the call and never written */
	for (i = 0; i < nb; i++) {
		long off = rq[i].iv.map ? fz_buf_check(&rq[i].iv, 0, 0, NULL) :
			   LONG_MIN;

		if (off != LONG_MIN)
			fz_mem_fail(w, "IV of a request", &rq[i].iv, off);
		fz_rq_free(&rq[i]);
	}
}

/* Read completions from @fd of @s into @buf of @size bytes */
static inline void fz_do_read(struct fz_worker *w, struct fz_slot *s)
{
	static const __u32 sizes[] = { 0, 1, 8, 15, 16, 17, 23, 24, 31, 32,
				       33, 47, 48, 49, 4096, 8192, 65536 };
	const size_t csize = sizeof(struct vcrypt_completion);
	struct fz_rng *r = &w->rng;
	struct vcrypt_completion comps[FZ_RBUF_PAGES * FZ_PAGE / 16];
	unsigned int size, c = fz_below(r, 100), k, fit;
	__u8 *room_end = w->rbuf + FZ_RBUF_PAGES * FZ_PAGE;
	struct fz_ptr buf;
	bool gone = fz_gone_sure(s), any;
	fz_set allowed;
	ssize_t n;
	int err;

	size = fz_chance(r, 30) ? FZ_PICK(r, sizes) :
	       fz_range(r, 1, 64) * csize + fz_range(r, 0, 2) - 1;
	if (c < 85) {
		buf = (struct fz_ptr){ (uintptr_t)w->rbuf,
				       FZ_RBUF_PAGES * FZ_PAGE,
				       FZ_RBUF_PAGES * FZ_PAGE };
	} else if (c < 93) {
		k = fz_below(r, 4) * csize + fz_below(r, csize);
		buf = (struct fz_ptr){ (uintptr_t)(room_end - k), k, k };
	} else if (c < 96) {
		buf = (struct fz_ptr){ (uintptr_t)w->arena.base + FZ_PAGE,
				       FZ_PAGE, 0 };
	} else {
		buf = fz_ptr_bad(r);
	}
	fit = buf.wr / csize;
	pthread_mutex_lock(&fz.lock);
	any = s->outstanding > s->orphans || s->extra;
	pthread_mutex_unlock(&fz.lock);
	fz_desc(w, "read(file %u, %#llx, %u), room for %u completions",
		s->idx, buf.addr, size, fit);
	fz_timer(w, any ? FZ_WAIT_MS / 25 : 10);
	fz_fi_begin(w);
	n = read(fz_fd(w, s), (void *)(uintptr_t)buf.addr, size);
	err = n < 0 ? errno : 0;
	fz_fi_end(w);
	fz_timer(w, 0);

	/*
	 * read(2) refuses a buffer in the kernel's half first (access_ok();
	 * x86-64 checks only the sign bit there: a non-canonical address
	 * below it faults only when a completion is copied)
	 */
	if (buf.addr + size < buf.addr || (buf.addr + size) >> 63) {
		/* the VFS refuses it before the driver sees the slice gone */
		allowed = FZ_M(FZ_EFAULT) | FZ_M(FZ_EINVAL) |
			  (fz_gone_may(s) ? FZ_M(FZ_ENODEV) : 0);
		gone = false;
	} else if (size < csize)
		allowed = FZ_M(FZ_EINVAL) |
			  (buf.wr < size ? FZ_M(FZ_EFAULT) : 0);
	else
		allowed = FZ_M(fit ? FZ_OK : FZ_EFAULT) | FZ_M(FZ_EAGAIN) |
			  FZ_M(FZ_EINTR);
	if (!fz_check(w, s, gone, err, allowed, "read") || n <= 0)
		return;
	if (n % csize || (size_t)n > size || (size_t)n > fit * csize) {
		fz_fail(w, FZ_C_CALL,
			"read returned %zd for %u bytes, with room for %u completions",
			n, size, fit);
		if ((size_t)n > fit * csize)
			return;
	}
	memcpy(comps, (void *)(uintptr_t)buf.addr, n - n % csize);
	for (k = 0; k < n / csize; k++)
		fz_complete(w, s, &comps[k]);
}

static inline void fz_do_poll(struct fz_worker *w, struct fz_slot *s)
{
	static const short evs[] = { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM,
				     POLLPRI, POLLRDHUP };
	static const __u32 tmo[] = { 0, 0, 0, 1, 10, 50 };
	struct fz_rng *r = &w->rng;
	struct pollfd p = { .fd = fz_fd(w, s) };
	bool gone = fz_gone_sure(s), room, none;
	unsigned int i, out0;
	__u64 reg0, rb0, bytes0;
	int ret, t = (int)FZ_PICK(r, tmo);

	for (i = 0; i < ARRAY_SIZE(evs); i++)
		if (fz_chance(r, 40))
			p.events |= evs[i];
	fz_desc(w, "poll(file %u, events %#x, %d ms)", s->idx, p.events, t);
	pthread_mutex_lock(&fz.lock);
	out0 = s->outstanding;
	bytes0 = s->bytes;
	reg0 = s->reg;
	rb0 = s->reg_bytes;
	none = !s->outstanding && !s->extra;
	pthread_mutex_unlock(&fz.lock);
	ret = poll(&p, 1, t);
	if (!fz_check(w, NULL, false, ret < 0 ? errno : 0,
		      FZ_M(FZ_OK) | FZ_M(FZ_EINTR), "poll") || ret < 0)
		return;
	room = fz_room(s, out0, bytes0, reg0, rb0) && !fz_gone_may(s);
	pthread_mutex_lock(&fz.lock);
	none = none && s->reg == reg0 && !s->outstanding && !s->extra;
	pthread_mutex_unlock(&fz.lock);

	if (p.revents & ~(p.events | POLLERR | POLLHUP) ||
	    !p.revents != !ret)
		fz_fail(w, FZ_C_CALL, "poll: %d, revents %#x for events %#x",
			ret, p.revents, p.events);
	else if (p.revents & (POLLERR | POLLHUP) &&
		 (!fz_gone_may(s) ||
		  (p.revents & (POLLERR | POLLHUP)) != (POLLERR | POLLHUP)))
		fz_fail(w, FZ_C_CALL, "poll: revents %#x on a live slice",
			p.revents);
	else if (gone && (p.revents & (POLLERR | POLLHUP)) !=
			 (POLLERR | POLLHUP))
		fz_fail(w, FZ_C_CALL,
			"poll: revents %#x on a removed slice, not POLLERR | POLLHUP",
			p.revents);
	else if (p.events & POLLOUT && room && !(p.revents & POLLOUT))
		fz_fail(w, FZ_C_CALL, "poll: no POLLOUT though the file has room");
	else if (p.revents & POLLIN && none)
		fz_fail(w, FZ_C_CALL,
			"poll: POLLIN though no request was outstanding");
	if (p.revents & POLLERR)
		atomic_store(&s->dead, true);
}

static inline void fz_do_fcntl(struct fz_worker *w, struct fz_slot *s)
{
	int fd = fz_fd(w, s), fl = fcntl(fd, F_GETFL), ret;
	bool on = fz_chance(&w->rng, 50);

	fz_desc(w, "fcntl(file %u, F_SETFL, %s O_NONBLOCK)", s->idx,
		on ? "set" : "clear");
	ret = fl < 0 ? errno :
	      fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) ?
	      errno : 0;
	fz_check(w, NULL, false, ret, FZ_M(FZ_OK), "fcntl");
}

/* An ioctl command the driver does not know */
static inline unsigned long fz_bad_cmd(struct fz_rng *r)
{
	static const unsigned long known[] = {
		VCRYPT_IOC_INFO, VCRYPT_IOC_SESSION_NEW,
		VCRYPT_IOC_SESSION_FREE, VCRYPT_IOC_OP, VCRYPT_IOC_SUBMIT,
	};
	/* Types of ioctls the VFS handles before any driver */
	static const char vfs[] = { 0, 0x12, 0x15, 'T', 'X', 'f', 0x94 };
	unsigned long cmd;
	unsigned int i, type;

	for (;;) {
		type = fz_chance(r, 75) ? VCRYPT_IOC_MAGIC : fz_below(r, 256);
		cmd = _IOC(fz_below(r, 4), type, fz_chance(r, 50) ?
			   fz_below(r, 6) : fz_below(r, 256),
			   fz_chance(r, 50) ? fz_below(r, 160) :
			   fz_below(r, 1u << _IOC_SIZEBITS));
		if (fz_chance(r, 3))
			cmd = VCRYPT_DBG_IOC_RAW;
		for (i = 0; i < ARRAY_SIZE(known); i++)
			if (cmd == known[i])
				break;
		if (i < ARRAY_SIZE(known) || memchr(vfs, type, sizeof(vfs)))
			continue;
		return cmd;
	}
}

static inline void fz_do_ioctl(struct fz_worker *w, struct fz_slot *s)
{
	unsigned long cmd = fz_bad_cmd(&w->rng);
	bool gone = fz_gone_sure(s);
	struct fz_ptr arg = fz_chance(&w->rng, 50) ?
			    fz_ptr_bad(&w->rng) :
			    (struct fz_ptr){ (uintptr_t)w->arena.base, 0, 0 };
	int ret;

	fz_desc(w, "ioctl(file %u, %#lx, %#llx)", s->idx, cmd, arg.addr);
	ret = ioctl(fz_fd(w, s), cmd, arg.addr) ? errno : 0;
	fz_check(w, s, gone, ret, FZ_M(FZ_ENOTTY), "unknown ioctl");
}

/* Close @s, or its duplicate, or make one; then reopen */
static inline void fz_do_close(struct fz_worker *w, struct fz_slot *s)
{
	bool dup_only = fz_chance(&w->rng, 35);

	pthread_rwlock_wrlock(&s->use);
	if (dup_only && s->fd >= 0) {
		fz_desc(w, "%s of file %u", s->dupfd >= 0 ? "close the duplicate" :
			"dup", s->idx);
		if (s->dupfd >= 0) {
			close(s->dupfd);
			s->dupfd = -1;
		} else {
			s->dupfd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
			fz_check(w, NULL, false, s->dupfd < 0 ? errno : 0,
				 FZ_M(FZ_OK), "dup");
		}
	} else {
		fz_desc(w, "close file %u (slice %u) and open it again", s->idx,
			s->slice);
		atomic_fetch_add(&fz.count[FZ_K_CLOSE][FZ_OK], 1);
		fz_slot_close(s);
		fz_slot_open(w, s);
	}
	pthread_rwlock_unlock(&s->use);
}

/* Unmap, protect or discard a buffer of a request the card owns */
static inline void fz_do_tamper(struct fz_worker *w)
{
	unsigned int h = fz_below(&w->rng, FZ_HASH), i, how = fz_below(&w->rng, 4);
	bool dst = fz_chance(&w->rng, 60);
	struct fz_entry *e = NULL;
	struct fz_buf *b;

	pthread_mutex_lock(&fz.lock);
	for (i = 0; i < FZ_HASH && !e; i++, h = (h + 1) % FZ_HASH)
		for (e = fz.table[h]; e; e = e->next)
			if (e->queued && !e->foreign && !e->early)
				break;
	if (!e) {
		pthread_mutex_unlock(&fz.lock);
		fz_desc(w, "nothing in flight to tamper with");
		return;
	}
	b = dst && !e->inplace ? &e->dst : &e->src;
	fz_desc(w, "%s the %s of request %#llx (file %u) in flight",
		how == 0 ? "munmap" : how == 1 ? "mprotect(PROT_NONE)" :
		how == 2 ? "mprotect(PROT_READ)" : "madvise(MADV_DONTNEED)",
		b == &e->dst ? "destination" : "source", e->tag,
		e->slot->idx);
	e->tampered = true;
	if (b->map) {
		if (how == 0) {
			munmap(b->map, b->map_len);
			b->map = NULL;
		} else if (how == 3) {
			madvise(b->map + FZ_PAGE, b->data_len, MADV_DONTNEED);
		} else {
			mprotect(b->map + FZ_PAGE, b->data_len,
				 how == 1 ? PROT_NONE : PROT_READ);
		}
	}
	pthread_mutex_unlock(&fz.lock);
	atomic_fetch_add(&fz.count[FZ_K_TAMPER][FZ_OK], 1);
}

#endif /* FUZZ_CALLS_H */
