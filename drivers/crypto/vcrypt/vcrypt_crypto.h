/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcrypt: the cards in the kernel crypto API.
 *
 * Every transform (tfm) of a vcrypt algorithm is bound, when it is
 * created, to the host slice of one card: a slice without a character
 * device, with its own weight, whose queues are the transforms. Requests
 * go through the card's scheduler like those of the other slices.
 * Requests the card cannot take (too long, too many SG entries, an
 * operation the card lacks, no card) run in a software fallback.
 * Documentation/crypto.rst describes the design.
 */
#ifndef _VCRYPT_CRYPTO_H
#define _VCRYPT_CRYPTO_H

#include <linux/crypto.h>
#include <linux/types.h>

#include "vcrypt.h"
#include "vcrypt_sched.h"

struct vcrypt_host;

/* Priority of every vcrypt algorithm: above all software and AES-NI/VAES ones */
#define VCRYPT_CRA_PRIORITY	1500

/* Flags of every vcrypt algorithm */
#define VCRYPT_CRA_FLAGS	(CRYPTO_ALG_ASYNC | CRYPTO_ALG_NEED_FALLBACK | \
				 CRYPTO_ALG_KERN_DRIVER_ONLY)

/*
 * Mask for allocating a fallback: a synchronous implementation that does
 * not need one itself (so never a vcrypt one).
 */
#define VCRYPT_FALLBACK_MASK	(CRYPTO_ALG_ASYNC | CRYPTO_ALG_NEED_FALLBACK)

/**
 * struct vcrypt_tfm - the card side of a transform; in every tfm context
 * @host: the host slice's front end the transform is bound to, with a
 *	reference; NULL if no card was bound when the transform was created:
 *	then every request runs in the fallback
 * @queue: the transform's queue in the host slice (valid if @host)
 */
struct vcrypt_tfm {
	struct vcrypt_host *host;
	struct vcrypt_queue queue;
};

/**
 * struct vcrypt_tfm_req - the card side of a crypto API request; first in
 *	every request context (allocated with the *_set_reqsize_dma() helpers)
 * @areq: the crypto API request
 * @vt: the transform's card side
 * @finish: called when the card finished the command successfully, before
 *	the request completes: copies results (IV, digest) back; may be NULL
 * @fallback: runs the request in software, synchronously; returns 0 or a
 *	negative errno. Called instead of the card when the card fails the
 *	request for want of memory, or when the transform's card is gone.
 * @job: the scheduler job; the algorithm fills in its command's op, flags,
 *	key, IV, lengths and scatterlists, and zeroes the rest up to the key
 *
 * The crypto API layer: lives in the crypto API request's context, so
 * nothing is allocated per request. vcrypt_tfm_submit() queues @job in
 * the transform's queue, or runs the request in software.
 */
struct vcrypt_tfm_req {
	struct crypto_async_request *areq;
	struct vcrypt_tfm *vt;
	void (*finish)(struct vcrypt_tfm_req *treq);
	int (*fallback)(struct vcrypt_tfm_req *treq);
	struct vcrypt_job job;
};

void vcrypt_tfm_init(struct vcrypt_tfm *vt);
void vcrypt_tfm_exit(struct vcrypt_tfm *vt);
void vcrypt_count_fallback(struct vcrypt_tfm *vt);
int vcrypt_tfm_submit(struct vcrypt_tfm_req *treq);
int vcrypt_tfm_fallback(struct vcrypt_tfm_req *treq);

void vcrypt_alg_wait_tested(struct crypto_alg *alg);

int vcrypt_skcipher_register(void);
void vcrypt_skcipher_unregister(void);
int vcrypt_aead_register(void);
void vcrypt_aead_unregister(void);
int vcrypt_ahash_register(void);
void vcrypt_ahash_unregister(void);

#endif /* _VCRYPT_CRYPTO_H */
