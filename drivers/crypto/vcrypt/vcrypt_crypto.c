// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: the cards in the kernel crypto API.
 *
 * Each card has a front end for the crypto API (struct vcrypt_host) with
 * a host slice: a slice of the card's scheduler without a character
 * device, vcrypt-host<c> in sysfs, with a weight like any other slice.
 * A transform is bound to one card when it is created, the cards taking
 * new transforms in turn, and is a queue of that card's host slice.
 *
 * A card takes at most queue_len requests from the crypto API at a time
 * (queued in the scheduler or on the card); queue_len is a file of the
 * host slice. Beyond that a request
 * that may be backlogged waits in the card's backlog and its submitter
 * gets -EBUSY; it gets -EINPROGRESS through its completion when the
 * request moves on to the scheduler. Other requests are refused with
 * -ENOSPC.
 *
 * Requests the card cannot take run in the algorithm's software fallback:
 * see vcrypt_tfm_submit(). The algorithms are registered when the first
 * card is bound, so that the crypto manager tests them on a card, and stay
 * registered until the module is unloaded, which the transforms prevent:
 * without a card, every request runs in software.
 * Documentation/crypto.rst describes the design.
 */
#include <crypto/algapi.h>
#include <linux/bottom_half.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "vcrypt_crypto.h"

/* Requests a card takes from the crypto API before it backlogs them */
#define VCRYPT_QUEUE_LEN_MIN		1
#define VCRYPT_QUEUE_LEN_MAX		4096
#define VCRYPT_QUEUE_LEN_DEFAULT	512

/**
 * struct vcrypt_host - the front end of one card in the crypto API
 * @ref: one for the card while it is bound, one per transform
 * @node: in vcrypt_hosts while the card takes new transforms
 * @slice: the host slice; the front end holds a reference
 * @lock: protects the fields below
 * @queue_len: requests the card takes before it backlogs them
 * @pending: requests the card took: queued in the scheduler or on the card
 * @backlog: requests waiting for @pending to drop below @queue_len,
 *	by their &vcrypt_tfm_req.job.node
 * @backlogged: requests that waited in @backlog
 * @fallback_ops: requests of the card's transforms run in software
 * @released: requests the card took but could not queue, whose places
 *	@release_work is to hand on
 * @release_work: hands on those places outside the submitter's context
 */
struct vcrypt_host {
	struct kref ref;
	struct list_head node;
	struct vcrypt_slice *slice;

	spinlock_t lock; /* see above */
	u32 queue_len;
	u32 pending;
	struct list_head backlog;
	u64 backlogged;
	u64 fallback_ops;
	u32 released;
	struct work_struct release_work;
};

/* Cards taking new transforms, the next to take one first */
static LIST_HEAD(vcrypt_hosts);
static DEFINE_MUTEX(vcrypt_hosts_lock);

/* Runs the release work of the front ends; drained at module unload */
static struct workqueue_struct *vcrypt_crypto_wq;

/* Whether the algorithms are registered */
static DEFINE_MUTEX(vcrypt_register_lock);
static bool vcrypt_registered;

static void vcrypt_host_release(struct kref *ref)
{
	struct vcrypt_host *host = container_of(ref, struct vcrypt_host, ref);

	put_device(&host->slice->dev);
	kfree(host);
}

static void vcrypt_host_put(struct vcrypt_host *host)
{
	kref_put(&host->ref, vcrypt_host_release);
}

static ssize_t vcrypt_host_stat_show(struct device *dev, char *buf,
				     const u64 *counter)
{
	struct vcrypt_host *host = dev_get_drvdata(dev);
	u64 val;

	spin_lock_bh(&host->lock);
	val = *counter;
	spin_unlock_bh(&host->lock);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t backlogged_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct vcrypt_host *host = dev_get_drvdata(dev);

	return vcrypt_host_stat_show(dev, buf, &host->backlogged);
}
static DEVICE_ATTR_ADMIN_RO(backlogged);

static ssize_t fallback_ops_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct vcrypt_host *host = dev_get_drvdata(dev);

	return vcrypt_host_stat_show(dev, buf, &host->fallback_ops);
}
static DEVICE_ATTR_ADMIN_RO(fallback_ops);

static ssize_t queue_len_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct vcrypt_host *host = dev_get_drvdata(dev);
	u32 len;

	spin_lock_bh(&host->lock);
	len = host->queue_len;
	spin_unlock_bh(&host->lock);
	return sysfs_emit(buf, "%u\n", len);
}

/*
 * A longer queue takes backlogged requests at the next completions; a
 * shorter one takes no new request until enough have finished.
 */
static ssize_t queue_len_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	struct vcrypt_host *host = dev_get_drvdata(dev);
	unsigned int len;

	if (kstrtouint(buf, 10, &len) || len < VCRYPT_QUEUE_LEN_MIN ||
	    len > VCRYPT_QUEUE_LEN_MAX)
		return -EINVAL;

	spin_lock_bh(&host->lock);
	host->queue_len = len;
	spin_unlock_bh(&host->lock);
	return count;
}
static DEVICE_ATTR_RW(queue_len);

static struct attribute *vcrypt_host_attrs[] = {
	&dev_attr_queue_len.attr,
	&dev_attr_backlogged.attr,
	&dev_attr_fallback_ops.attr,
	NULL
};

/* The counters of the front end, on its host slice's device */
const struct attribute_group vcrypt_host_group = {
	.attrs = vcrypt_host_attrs,
};

/**
 * vcrypt_tfm_init() - bind a new transform to a card
 * @vt: the card side of the transform
 *
 * Binds the transform to the next card in turn, as a queue of its host
 * slice. Without a card the transform runs every request in software.
 */
void vcrypt_tfm_init(struct vcrypt_tfm *vt)
{
	struct vcrypt_host *host;

	mutex_lock(&vcrypt_hosts_lock);
	host = list_first_entry_or_null(&vcrypt_hosts, struct vcrypt_host,
					node);
	if (host) {
		kref_get(&host->ref);
		list_rotate_left(&vcrypt_hosts);
	}
	mutex_unlock(&vcrypt_hosts_lock);

	if (host && vcrypt_queue_attach(&vt->queue, host->slice)) {
		/* The card is being removed. */
		vcrypt_host_put(host);
		host = NULL;
	}
	vt->host = host;
}

/**
 * vcrypt_tfm_exit() - unbind a transform from its card
 * @vt: the card side of the transform, with no request pending
 */
void vcrypt_tfm_exit(struct vcrypt_tfm *vt)
{
	if (!vt->host)
		return;
	vcrypt_queue_detach(&vt->queue);
	vcrypt_host_put(vt->host);
}

/**
 * vcrypt_count_fallback() - count a request run in software
 * @vt: the card side of the request's transform
 */
void vcrypt_count_fallback(struct vcrypt_tfm *vt)
{
	struct vcrypt_host *host = vt->host;

	if (!host)
		return;
	spin_lock_bh(&host->lock);
	host->fallback_ops++;
	spin_unlock_bh(&host->lock);
}

static void vcrypt_treq_complete(struct vcrypt_tfm_req *treq, int err)
{
	/* Completions run in softirq context for most other drivers. */
	local_bh_disable();
	crypto_request_complete(treq->areq, err);
	local_bh_enable();
}

/**
 * vcrypt_tfm_fallback() - run a crypto API request in software
 * @treq: the request, filled in as for vcrypt_tfm_submit() except for
 *	lengths and scatterlists the card cannot take
 *
 * Counts it as a fallback operation of the transform's card and wipes the
 * key copied into its command.
 *
 * Return: the result of the software implementation.
 */
int vcrypt_tfm_fallback(struct vcrypt_tfm_req *treq)
{
	int ret;

	vcrypt_count_fallback(treq->vt);
	ret = treq->fallback(treq);
	memzero_explicit(treq->job.cmd.key, treq->job.cmd.key_len);
	return ret;
}

/*
 * One request the card took finished: the oldest backlogged request, if
 * any, takes its place. Backlogged requests whose card is gone run in
 * software. @host may be freed once this returns.
 */
static void vcrypt_host_next(struct vcrypt_host *host)
{
	struct vcrypt_tfm_req *treq, *tmp;
	LIST_HEAD(done);

	for (;;) {
		spin_lock_bh(&host->lock);
		treq = list_first_entry_or_null(&host->backlog,
						struct vcrypt_tfm_req, job.node);
		if (treq)
			list_del(&treq->job.node);
		else
			host->pending--;
		spin_unlock_bh(&host->lock);
		if (!treq)
			break;

		vcrypt_treq_complete(treq, -EINPROGRESS);
		if (!vcrypt_queue_add(&treq->vt->queue, &treq->job))
			break;
		treq->job.cmd.status = vcrypt_tfm_fallback(treq);
		list_add_tail(&treq->job.node, &done);
	}

	/* Their transforms may be freed, and @host with them. */
	list_for_each_entry_safe(treq, tmp, &done, job.node)
		vcrypt_treq_complete(treq, treq->job.cmd.status);
}

static void vcrypt_host_release_work(struct work_struct *work)
{
	struct vcrypt_host *host = container_of(work, struct vcrypt_host,
						release_work);
	u32 n;

	spin_lock_bh(&host->lock);
	n = host->released;
	host->released = 0;
	spin_unlock_bh(&host->lock);

	while (n--)
		vcrypt_host_next(host);
	vcrypt_host_put(host);
}

static void vcrypt_treq_done(struct vcrypt_job *job)
{
	struct vcrypt_tfm_req *treq = container_of(job, struct vcrypt_tfm_req, job);
	int status = treq->job.cmd.status;

	vcrypt_host_next(treq->vt->host);

	if (status == -ENOMEM) {
		/* No memory to map the request for the card. */
		status = vcrypt_tfm_fallback(treq);
	} else {
		if (!status && treq->finish)
			treq->finish(treq);
		memzero_explicit(treq->job.cmd.key, treq->job.cmd.key_len);
	}
	vcrypt_treq_complete(treq, status);
}

static bool vcrypt_sg_fits(struct vcrypt_sched *sched, struct scatterlist *sg,
			   u32 len)
{
	int n;

	if (!len)
		return true;
	n = sg_nents_for_len(sg, len);
	return n > 0 && n <= sched->max_sge;
}

/* Whether the card of @host can take @cmd: its limits are its scheduler's */
static bool vcrypt_treq_fits(struct vcrypt_host *host, struct vcrypt_cmd *cmd)
{
	struct vcrypt_sched *sched = host->slice->sched;

	if (!(sched->caps & BIT(cmd->op)) || cmd->src_len > sched->max_data)
		return false;
	if (cmd->src == cmd->dst)
		return vcrypt_sg_fits(sched, cmd->src,
				      max(cmd->src_len, cmd->dst_len));
	return vcrypt_sg_fits(sched, cmd->src, cmd->src_len) &&
	       vcrypt_sg_fits(sched, cmd->dst, cmd->dst_len);
}

/**
 * vcrypt_tfm_submit() - run a crypto API request on the card
 * @treq: the request, filled in as struct vcrypt_tfm_req describes
 *
 * Runs the request in software instead, synchronously, if the transform
 * has no card or its card is gone, if the card lacks the operation, or if
 * the data is longer than the card's MAX_DATA or has more segments than
 * its SG tables take.
 *
 * Return: -EINPROGRESS: the card completes the request; -EBUSY: the
 * request waits in the card's backlog (only with CRYPTO_TFM_REQ_MAY_BACKLOG);
 * -ENOSPC: the card's queue is full; otherwise the request ran in software
 * and this is its result.
 */
int vcrypt_tfm_submit(struct vcrypt_tfm_req *treq)
{
	struct vcrypt_host *host = treq->vt->host;

	treq->job.done = vcrypt_treq_done;

	if (!host || vcrypt_queue_dead(&treq->vt->queue) ||
	    !vcrypt_treq_fits(host, &treq->job.cmd))
		return vcrypt_tfm_fallback(treq);

	spin_lock_bh(&host->lock);
	if (host->pending >= host->queue_len) {
		if (!(treq->areq->flags & CRYPTO_TFM_REQ_MAY_BACKLOG)) {
			spin_unlock_bh(&host->lock);
			memzero_explicit(treq->job.cmd.key, treq->job.cmd.key_len);
			return -ENOSPC;
		}
		list_add_tail(&treq->job.node, &host->backlog);
		host->backlogged++;
		spin_unlock_bh(&host->lock);
		return -EBUSY;
	}
	host->pending++;
	spin_unlock_bh(&host->lock);

	if (vcrypt_queue_add(&treq->vt->queue, &treq->job)) {
		/*
		 * The card is being removed. Backlogged requests take the
		 * place in a worker: their completions must not run in the
		 * submitter's context.
		 */
		spin_lock_bh(&host->lock);
		host->released++;
		spin_unlock_bh(&host->lock);
		kref_get(&host->ref);
		if (!queue_work(vcrypt_crypto_wq, &host->release_work))
			vcrypt_host_put(host);
		return vcrypt_tfm_fallback(treq);
	}
	return -EINPROGRESS;
}

/**
 * vcrypt_alg_wait_tested() - wait until the crypto manager tested an algorithm
 * @alg: the algorithm, registered
 *
 * The crypto manager tests a new algorithm in the background; a lookup of
 * its driver name waits for the result. Waiting makes the module unused
 * again, and /proc/crypto final, by the time the card's probe returns.
 */
void vcrypt_alg_wait_tested(struct crypto_alg *alg)
{
	crypto_has_alg(alg->cra_driver_name, 0, 0);
}

static int vcrypt_register_algs(void)
{
	int ret;

	ret = vcrypt_skcipher_register();
	if (ret)
		return ret;
	ret = vcrypt_aead_register();
	if (ret)
		goto err_skcipher;
	ret = vcrypt_ahash_register();
	if (ret)
		goto err_aead;
	return 0;

err_aead:
	vcrypt_aead_unregister();
err_skcipher:
	vcrypt_skcipher_unregister();
	return ret;
}

/**
 * vcrypt_crypto_add_card() - give a new card its host slice
 * @vd: the card, with its slices
 *
 * The first card also registers the algorithms; the crypto manager tests
 * them on it before this returns. A failure to register leaves the card
 * without the crypto API, with a message, and is retried with the next
 * card.
 *
 * Return: 0 or a negative errno.
 */
int vcrypt_crypto_add_card(struct vcrypt_dev *vd)
{
	struct vcrypt_host *host;
	int ret;

	host = kzalloc(sizeof(*host), GFP_KERNEL);
	if (!host)
		return -ENOMEM;
	kref_init(&host->ref);
	spin_lock_init(&host->lock);
	host->queue_len = VCRYPT_QUEUE_LEN_DEFAULT;
	INIT_LIST_HEAD(&host->backlog);
	INIT_WORK(&host->release_work, vcrypt_host_release_work);

	host->slice = vcrypt_host_slice_create(vd, host);
	if (IS_ERR(host->slice)) {
		ret = PTR_ERR(host->slice);
		kfree(host);
		return ret;
	}
	get_device(&host->slice->dev);
	vd->host = host;

	mutex_lock(&vcrypt_hosts_lock);
	list_add_tail(&host->node, &vcrypt_hosts);
	mutex_unlock(&vcrypt_hosts_lock);

	mutex_lock(&vcrypt_register_lock);
	if (!vcrypt_registered) {
		ret = vcrypt_register_algs();
		if (ret)
			dev_err(vd->dev,
				"crypto API algorithms not registered: %pe\n",
				ERR_PTR(ret));
		vcrypt_registered = !ret;
	}
	mutex_unlock(&vcrypt_register_lock);
	return 0;
}

/**
 * vcrypt_crypto_stop_card() - stop the host slice of a card being removed
 * @vd: the card
 *
 * The card takes no new transform, and its transforms' requests are no
 * longer sent to the card: they stay queued until
 * vcrypt_crypto_remove_card().
 */
void vcrypt_crypto_stop_card(struct vcrypt_dev *vd)
{
	mutex_lock(&vcrypt_hosts_lock);
	list_del(&vd->host->node);
	mutex_unlock(&vcrypt_hosts_lock);

	vcrypt_slice_stop(vd->host->slice);
}

/**
 * vcrypt_crypto_remove_card() - remove the host slice of a card
 * @vd: the card, after vcrypt_crypto_stop_card() and with its ring stopped
 *
 * Requests the card took and did not finish fail with -ENODEV; the card's
 * transforms run their later requests in software.
 */
void vcrypt_crypto_remove_card(struct vcrypt_dev *vd)
{
	vcrypt_slice_kill(vd->host->slice);
	vcrypt_host_put(vd->host);
}

/**
 * vcrypt_crypto_init() - set up the crypto API front end at module load
 *
 * Return: 0 or -ENOMEM.
 */
int vcrypt_crypto_init(void)
{
	vcrypt_crypto_wq = alloc_workqueue("vcrypt_crypto", 0, 0);
	return vcrypt_crypto_wq ? 0 : -ENOMEM;
}

/**
 * vcrypt_crypto_exit() - unregister the algorithms at module unload
 *
 * No transform exists: each holds a reference to the module.
 */
void vcrypt_crypto_exit(void)
{
	destroy_workqueue(vcrypt_crypto_wq);
	if (!vcrypt_registered)
		return;
	vcrypt_ahash_unregister();
	vcrypt_aead_unregister();
	vcrypt_skcipher_unregister();
}
