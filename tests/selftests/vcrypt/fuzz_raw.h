/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer on the debugfs raw hook (Documentation/debugfs.rst), root
 * only: operations whose fields go to the card unchecked, from published
 * known answers, mutated, or made of edge values, within what the hook
 * takes.
 */
#ifndef FUZZ_RAW_H
#define FUZZ_RAW_H

#include "fuzz_req.h"

/*
 * A buffer for the raw hook: @len bytes with as much of @v as fits, or a
 * bad pointer when @len is more than the hook takes
 */
static inline struct fz_ptr fz_raw_buf(struct fz_rng *r, struct fz_buf *b, __u32 len,
				       __u32 max, const struct vt_bytes *v)
{
	if (len > max ||
	    fz_buf_new(b, len, fz_below(r, 3), (unsigned int)fz_next(r),
		       (__u32)fz_next(r), v ? v->p : NULL,
		       v && v->len < len ? v->len : len, false))
		return fz_ptr_bad(r);
	return fz_ptr_buf(b);
}

static inline void fz_do_raw(struct fz_worker *w)
{
	static const __u32 ops[] = {
		0, 1, 2, 3, 4, 5, 0x10, 0x11, 0x12, 0x13, 0xff, 0x100,
		0xffffffff,
	};
	static const __u32 lens8[] = { 0, 4, 12, 16, 17, 24, 32, 48, 64,
				       128, 129, 255, 256, 0xffffffff };
	static const __u32 lens[] = { 0, 1, 3, 15, 16, 17, 64, 4096,
				      VCRYPT_HW_DATA_MAX,
				      VCRYPT_HW_DATA_MAX + 1,
				      FZ_RAW_DATA_MAX, FZ_RAW_DATA_MAX + 1,
				      0xffffffff };
	struct fz_rng *r = &w->rng;
	struct vcrypt_dbg_raw a = { 0 }, back;
	struct vcrypt_op *op = &a.op;
	const struct vs_kat *k = fz_chance(r, 50) ? fz_kat_pick(r, 0, NULL) : NULL;
	struct fz_buf kb = { 0 }, ib = { 0 }, sb = { 0 }, db = { 0 };
	struct fz_ptr key, iv, src, dst, arg;
	enum fz_argpos pos = fz_chance(r, 90) ? FZ_ARG_GOOD : fz_argpos(r);
	bool mutated = false, big = atomic_load(&fz.mapped) < FZ_BUDGET;
	fz_set set;
	long off;
	int ret;

	if (k) {
		op->alg = k->alg;
		op->flags = k->flags;
		op->key_len = k->key.len;
		op->iv_len = k->iv.len;
		op->src_len = k->src.len;
		op->dst_len = k->out.len + fz_below(r, 32);
		op->aad_len = k->aad_len;
		op->tag_len = k->tag_len;
	} else {
		op->alg = FZ_PICK(r, ops);
		op->flags = fz_chance(r, 70) ? fz_below(r, 2) : FZ_PICK(r, lens8);
		op->key_len = FZ_PICK(r, lens8);
		op->iv_len = FZ_PICK(r, lens8);
		op->tag_len = FZ_PICK(r, lens8);
		op->aad_len = fz_chance(r, 70) ? 0 : FZ_PICK(r, fz_edges);
		op->src_len = fz_chance(r, 80) || !big ? fz_below(r, 4097) :
			      FZ_PICK(r, lens);
		op->dst_len = fz_chance(r, 80) || !big ? fz_below(r, 4161) :
			      FZ_PICK(r, lens);
	}
	if (k && fz_chance(r, 30)) {
		__u32 *field[] = { &op->alg, &op->flags, &op->key_len,
				   &op->iv_len, &op->src_len, &op->dst_len,
				   &op->aad_len, &op->tag_len };

		mutated = true;
		*field[fz_below(r, ARRAY_SIZE(field))] = FZ_PICK(r, fz_edges);
	}
	if (fz_chance(r, 3)) {
		mutated = true;
		if (fz_chance(r, 50))
			a.reserved = 1;
		else
			op->reserved[fz_below(r, ARRAY_SIZE(op->reserved))] = 1;
	}
	/* Buffers up to what the hook takes; longer lengths are refused */
	key = fz_raw_buf(r, &kb, op->key_len, 0xff, k ? &k->key : NULL);
	iv = fz_raw_buf(r, &ib, op->iv_len, 0xff, k ? &k->iv : NULL);
	src = fz_raw_buf(r, &sb, op->src_len, FZ_RAW_DATA_MAX,
			 k ? &k->src : NULL);
	dst = fz_raw_buf(r, &db, op->dst_len, FZ_RAW_DATA_MAX, NULL);
	if (fz_chance(r, 8)) {
		mutated = true;
		switch (fz_below(r, 4)) {
		case 0:
			key = fz_ptr_bad(r);
			break;
		case 1:
			iv = fz_ptr_bad(r);
			break;
		case 2:
			src = fz_ptr_bad(r);
			break;
		default:
			dst = fz_ptr_bad(r);
			break;
		}
	}
	op->key = key.addr;
	op->iv = iv.addr;
	op->src = src.addr;
	op->dst = dst.addr;
	a.hw_status = 0x5a5a5a5a;
	arg = fz_arg_put(&w->arena, r, pos, &a, sizeof(a),
			 fz_range(r, 1, sizeof(a) - 1));

	set = fz_model_raw(&a, &arg);
	if (!(set & FZ_M(FZ_EFAULT)) &&
	    ((op->key_len <= 0xff && fz_fault(&key, op->key_len, false)) ||
	     (op->iv_len <= 0xff && fz_fault(&iv, op->iv_len, false)) ||
	     (op->src_len <= FZ_RAW_DATA_MAX && fz_fault(&src, op->src_len, false)) ||
	     (op->dst_len && (op->dst + op->dst_len < op->dst ||
			     op->dst + op->dst_len > FZ_TASK_SIZE))))
		set |= FZ_M(FZ_EFAULT);
	if (!set) {
		/* The card checks the rest; the ring may be full */
		set = FZ_M(FZ_OK) | FZ_M(FZ_EBUSY);
		if (!k || mutated)
			set |= FZ_M(FZ_EINVAL) | FZ_M(FZ_EOPNOTSUPP) |
			       FZ_M(FZ_EBADMSG);
		if (fz_fault(&dst, op->dst_len, true) ||
		    fz_fault(&arg, sizeof(a), true) ||
		    fz_fault(&iv, op->iv_len, true))
			set |= FZ_M(FZ_EFAULT);
	}
	fz_desc(w,
		"RAW: alg %#x flags %#x key %u@%#llx iv %u@%#llx src %u@%#llx dst %u@%#llx aad %u tag %u rsv %#x%s, arg %#llx",
		op->alg, op->flags, op->key_len, op->key, op->iv_len, op->iv,
		op->src_len, op->src, op->dst_len, op->dst, op->aad_len,
		op->tag_len, a.reserved, k ? (mutated ? " (mutated kat)" : " kat") : "",
		arg.addr);
	fz_fi_begin(w);
	ret = ioctl(fz.raw_fd, VCRYPT_DBG_IOC_RAW, arg.addr) ? errno : 0;
	fz_fi_end(w);
	if (!fz_check(w, NULL, false, ret, set, "VCRYPT_DBG_IOC_RAW"))
		goto out;
	if (ret && ret != EINVAL && ret != EOPNOTSUPP && ret != EBADMSG)
		goto out;
	back = a;
	fz_arg_get(&w->arena, &arg, &back, sizeof(back));
	if ((!ret && back.hw_status != VCRYPT_HW_ST_OK) ||
	    (ret == EOPNOTSUPP && back.hw_status != VCRYPT_HW_ST_BAD_OP) ||
	    (ret == EBADMSG && back.hw_status != VCRYPT_HW_ST_AUTH) ||
	    (ret == EINVAL && back.hw_status != 0x5a5a5a5a &&
	     back.hw_status != VCRYPT_HW_ST_BAD_KEY &&
	     back.hw_status != VCRYPT_HW_ST_BAD_LEN &&
	     back.hw_status != VCRYPT_HW_ST_BAD_DESC) ||
	    (!ret && back.op.out_len > op->dst_len) ||
	    (!ret && k && !mutated && back.op.out_len != k->out.len)) {
		fz_fail(w, FZ_C_CALL, "RAW: %s with hw_status %#x, out_len %u",
			ret ? strerror(ret) : "success", back.hw_status,
			back.op.out_len);
		goto out;
	}
	if (db.map) {
		off = fz_buf_check(&db, 0, ret ? 0 : back.op.out_len,
				   !ret && k && !mutated ? k->out.p : NULL);
		if (off != LONG_MIN)
			fz_mem_fail(w, "raw destination", &db, off);
		else if (!ret && k && !mutated)
			atomic_fetch_add(&fz.kats, 1);
	}
	off = sb.map ? fz_buf_check(&sb, 0, 0, NULL) : LONG_MIN;
	if (off != LONG_MIN)
		fz_mem_fail(w, "raw source", &sb, off);
out:
	fz_buf_free(&kb);
	fz_buf_free(&ib);
	fz_buf_free(&sb);
	fz_buf_free(&db);
}

#endif /* FUZZ_RAW_H */
