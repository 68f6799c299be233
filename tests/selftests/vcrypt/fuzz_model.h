/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user ABI of Documentation/uapi.rst (and the debugfs raw hook of
 * Documentation/debugfs.rst) as the fuzzer checks it: for a call, the set
 * of results the documentation allows.
 *
 * A call that breaks no rule must succeed; a call that breaks rules must
 * fail with the errno of one of the rules it breaks. The documentation
 * does not say in which order the rules are checked, so each broken rule
 * adds its errno to the set, and pointer rules count wherever the length
 * they go with is not refused already. Results that depend on the moment
 * (EAGAIN, EINTR, ENODEV of a removed slice, ENOMEM of an allocation that
 * failed) are added by the caller, who knows the moment.
 */
#ifndef FUZZ_MODEL_H
#define FUZZ_MODEL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/vcrypt.h>

#include "fuzz_mem.h"
#include "vcrypt_dbg.h"
#include "vcrypt_hw.h"

/* A result: success, or one of the errnos the ABI documents, or another */
enum fz_res {
	FZ_OK,
	FZ_EINVAL,
	FZ_E2BIG,
	FZ_EOPNOTSUPP,
	FZ_ENOENT,
	FZ_ENOSPC,
	FZ_EFAULT,
	FZ_EAGAIN,
	FZ_EINTR,
	FZ_EBADMSG,
	FZ_EIO,
	FZ_ENODEV,
	FZ_ENOTTY,
	FZ_ENOMEM,
	FZ_EBUSY,
	FZ_ETIMEDOUT,
	FZ_ENXIO,
	FZ_ECANCELED,
	FZ_OTHER,
	FZ_NR_RES
};

/* A set of results */
typedef __u32 fz_set;
#define FZ_M(r)		(1u << (r))

static const int fz_res_errno[FZ_NR_RES] = {
	[FZ_OK] = 0, [FZ_EINVAL] = EINVAL, [FZ_E2BIG] = E2BIG,
	[FZ_EOPNOTSUPP] = EOPNOTSUPP, [FZ_ENOENT] = ENOENT,
	[FZ_ENOSPC] = ENOSPC, [FZ_EFAULT] = EFAULT, [FZ_EAGAIN] = EAGAIN,
	[FZ_EINTR] = EINTR, [FZ_EBADMSG] = EBADMSG, [FZ_EIO] = EIO,
	[FZ_ENODEV] = ENODEV, [FZ_ENOTTY] = ENOTTY, [FZ_ENOMEM] = ENOMEM,
	[FZ_EBUSY] = EBUSY, [FZ_ETIMEDOUT] = ETIMEDOUT, [FZ_ENXIO] = ENXIO,
	[FZ_ECANCELED] = ECANCELED, [FZ_OTHER] = -1,
};

static const char * const fz_res_name[FZ_NR_RES] = {
	"ok", "EINVAL", "E2BIG", "EOPNOTSUPP", "ENOENT", "ENOSPC", "EFAULT",
	"EAGAIN", "EINTR", "EBADMSG", "EIO", "ENODEV", "ENOTTY", "ENOMEM",
	"EBUSY", "ETIMEDOUT", "ENXIO", "ECANCELED", "other",
};

/* The result of errno @err (0: success) */
static inline enum fz_res fz_res_of(int err)
{
	unsigned int r;

	for (r = 0; r < FZ_OTHER; r++)
		if (fz_res_errno[r] == err)
			return r;
	return FZ_OTHER;
}

/* The names of the results in @set, into @buf */
static inline const char *fz_set_str(fz_set set, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int r;

	buf[0] = '\0';
	for (r = 0; r < FZ_NR_RES && n < len; r++)
		if (set & FZ_M(r))
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "",
				      fz_res_name[r]);
	return buf;
}

#define FZ_ALGS_ALL	((1u << VCRYPT_ALG_AES_CBC) | (1u << VCRYPT_ALG_AES_CTR) | \
			 (1u << VCRYPT_ALG_AES_XTS) | (1u << VCRYPT_ALG_AES_GCM) | \
			 (1u << VCRYPT_ALG_SHA256) | (1u << VCRYPT_ALG_SHA512) | \
			 (1u << VCRYPT_ALG_HMAC_SHA256))

static inline bool fz_alg_known(__u32 alg)
{
	return alg < 32 && (FZ_ALGS_ALL & 1u << alg);
}

static inline bool fz_alg_hash(__u32 alg)
{
	return alg == VCRYPT_ALG_SHA256 || alg == VCRYPT_ALG_SHA512 ||
	       alg == VCRYPT_ALG_HMAC_SHA256;
}

static inline __u32 fz_alg_iv_len(__u32 alg)
{
	if (alg == VCRYPT_ALG_AES_GCM)
		return 12;
	return fz_alg_hash(alg) ? 0 : 16;
}

/* uapi.rst, "Algorithms": the key lengths of each algorithm */
static inline bool fz_key_ok(__u32 alg, __u32 len)
{
	switch (alg) {
	case VCRYPT_ALG_AES_CBC:
	case VCRYPT_ALG_AES_CTR:
	case VCRYPT_ALG_AES_GCM:
		return len == 16 || len == 24 || len == 32;
	case VCRYPT_ALG_AES_XTS:
		return len == 32 || len == 48 || len == 64;
	case VCRYPT_ALG_HMAC_SHA256:
		return len <= 128;
	default:
		return len == 0;
	}
}

static inline bool fz_tag_ok(__u32 tag_len)
{
	return tag_len == 4 || tag_len == 8 ||
	       (tag_len >= 12 && tag_len <= 16);
}

/* What the operation writes to dst (for a valid one) */
static inline __u64 fz_out_len(__u32 alg, bool decrypt, __u32 src_len,
			       __u32 tag_len)
{
	switch (alg) {
	case VCRYPT_ALG_SHA256:
	case VCRYPT_ALG_HMAC_SHA256:
		return 32;
	case VCRYPT_ALG_SHA512:
		return 64;
	case VCRYPT_ALG_AES_GCM:
		if (decrypt)
			return src_len >= tag_len ? src_len - tag_len : 0;
		return (__u64)src_len + tag_len;
	default:
		return src_len;
	}
}

/**
 * struct fz_op - an operation (VCRYPT_IOC_OP) or a request (SUBMIT)
 * @alg: the algorithm: of the op, or of the request's session
 * @flags: VCRYPT_OP_*
 * @key_len: key length (op only)
 * @iv_len: IV length
 * @src_len: source length
 * @dst_len: destination room
 * @aad_len: AES-GCM AAD length
 * @tag_len: AES-GCM tag length
 * @reserved: a reserved field is set
 * @sync: VCRYPT_IOC_OP: the key is inline and CBC/CTR write the IV back
 * @have_alg: the request's session exists (always for an op)
 * @key: the key
 * @iv: the IV
 * @src: the source
 * @dst: the destination
 */
struct fz_op {
	__u32 alg;
	__u32 flags;
	__u32 key_len;
	__u32 iv_len;
	__u32 src_len;
	__u32 dst_len;
	__u32 aad_len;
	__u32 tag_len;
	bool reserved;
	bool sync;
	bool have_alg;
	struct fz_ptr key;
	struct fz_ptr iv;
	struct fz_ptr src;
	struct fz_ptr dst;
};

/*
 * The rules @op breaks, as a set of errnos (empty: none), with @info the
 * file's VCRYPT_IOC_INFO. *@out_len gets the output length when the
 * lengths fit together. A request whose session is not found has only its
 * own fields checked; the caller adds ENOENT.
 */
static inline fz_set fz_model_op(const struct fz_op *op,
				 const struct vcrypt_info *info,
				 __u64 *out_len)
{
	bool dec = op->flags & VCRYPT_OP_DECRYPT;
	fz_set e = 0;
	__u64 out;

	*out_len = 0;
	if (op->reserved || op->flags & ~VCRYPT_OP_DECRYPT)
		e |= FZ_M(FZ_EINVAL);
	if (!op->have_alg)
		return e;
	if (!fz_alg_known(op->alg))
		return e | FZ_M(FZ_EINVAL);
	if (!(info->algs & 1u << op->alg))
		e |= FZ_M(FZ_EOPNOTSUPP);
	if (op->sync) {
		if (!fz_key_ok(op->alg, op->key_len))
			e |= FZ_M(FZ_EINVAL);
		else if (fz_fault(&op->key, op->key_len, false))
			e |= FZ_M(FZ_EFAULT);
	}
	if (op->src_len > info->max_data)
		e |= FZ_M(FZ_E2BIG);
	if (dec && fz_alg_hash(op->alg))
		e |= FZ_M(FZ_EINVAL);
	if (op->iv_len != fz_alg_iv_len(op->alg))
		e |= FZ_M(FZ_EINVAL);
	if (op->alg != VCRYPT_ALG_AES_GCM && (op->aad_len || op->tag_len))
		e |= FZ_M(FZ_EINVAL);
	if (op->alg == VCRYPT_ALG_AES_CBC && op->src_len % 16)
		e |= FZ_M(FZ_EINVAL);
	if (op->alg == VCRYPT_ALG_AES_XTS && op->src_len < 16)
		e |= FZ_M(FZ_EINVAL);
	if (op->alg == VCRYPT_ALG_AES_GCM &&
	    (!fz_tag_ok(op->tag_len) || op->aad_len > op->src_len ||
	     (dec && (__u64)op->aad_len + op->tag_len > op->src_len)))
		e |= FZ_M(FZ_EINVAL);
	out = fz_out_len(op->alg, dec, op->src_len, op->tag_len);
	if (op->dst_len < out)
		e |= FZ_M(FZ_EINVAL);

	if (fz_fault(&op->iv, op->iv_len, false) ||
	    fz_fault(&op->src, op->src_len, false) ||
	    fz_fault(&op->dst, out, true))
		e |= FZ_M(FZ_EFAULT);
	*out_len = out;
	return e;
}

/* VCRYPT_IOC_SESSION_NEW of @s (its pointers @key and @arg) */
static inline fz_set fz_model_session(const struct vcrypt_session_new *s,
				      const struct fz_ptr *key,
				      const struct fz_ptr *arg,
				      const struct vcrypt_info *info)
{
	fz_set e = 0;
	unsigned int i;

	if (fz_fault(arg, sizeof(*s), false))
		return FZ_M(FZ_EFAULT);
	for (i = 0; i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i])
			e |= FZ_M(FZ_EINVAL);
	if (s->flags)
		e |= FZ_M(FZ_EINVAL);
	if (!fz_alg_known(s->alg))
		return e | FZ_M(FZ_EINVAL);
	if (!(info->algs & 1u << s->alg))
		e |= FZ_M(FZ_EOPNOTSUPP);
	if (!fz_key_ok(s->alg, s->key_len))
		e |= FZ_M(FZ_EINVAL);
	else if (fz_fault(key, s->key_len, false))
		e |= FZ_M(FZ_EFAULT);
	/* The handle is written back: a session it cannot name is none */
	if (fz_fault(arg, offsetof(struct vcrypt_session_new, handle) + 4,
		     true))
		e |= FZ_M(FZ_EFAULT);
	return e;
}

/* Largest length the raw hook takes (debugfs.rst: over 2 MiB is E2BIG) */
#define FZ_RAW_DATA_MAX		(2u << 20)

/*
 * VCRYPT_DBG_IOC_RAW: the rules the driver checks before the card sees
 * the operation (debugfs.rst); the card's own checks come on top.
 */
static inline fz_set fz_model_raw(const struct vcrypt_dbg_raw *r,
				  const struct fz_ptr *arg)
{
	const struct vcrypt_op *op = &r->op;
	fz_set e = 0;
	unsigned int i;

	if (fz_fault(arg, sizeof(*r), false))
		return FZ_M(FZ_EFAULT);
	for (i = 0; i < ARRAY_SIZE(op->reserved); i++)
		if (op->reserved[i])
			e |= FZ_M(FZ_EINVAL);
	if (r->reserved || op->alg > 0xff || op->flags > 0xff ||
	    op->key_len > 0xff || op->iv_len > 0xff || op->tag_len > 0xff)
		e |= FZ_M(FZ_EINVAL);
	if (op->src_len > FZ_RAW_DATA_MAX || op->dst_len > FZ_RAW_DATA_MAX)
		e |= FZ_M(FZ_E2BIG);
	return e;
}

#endif /* FUZZ_MODEL_H */
