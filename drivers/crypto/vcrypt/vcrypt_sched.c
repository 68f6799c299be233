// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: the request scheduler of a card.
 *
 * One thread per card takes jobs from the queues of the card's slices and
 * submits them to the card's ring. With the default algorithm it runs
 * weighted fair queueing (start-time fair queueing, Goyal, Vin and Cheng,
 * 1996; vcrypt_wfq.c) at two levels: among the slices with jobs queued,
 * weighted by the slice weights, then among the queues of the chosen
 * slice, with equal weights. The cost of a
 * job is the card time it takes in the card's service-time model. The
 * thread keeps no more than the card's inflight_us of modelled card time on
 * the card
 * (but at least two jobs), so that the card never idles while jobs wait
 * and a newly active slice does not wait behind a long ring.
 * Documentation/scheduler.rst describes the design.
 */
#include <linux/errno.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <kunit/visibility.h>

#include "vcrypt.h"
#include "vcrypt_sched.h"
#include "vcrypt_trace.h"

/* Jobs kept on the card whatever their modelled card time */
#define VCRYPT_INFLIGHT_MIN	2
/* Modelled card time when the card reports no rate limit */
#define VCRYPT_FALLBACK_OP_NS	1000
#define VCRYPT_FALLBACK_BYTE_RATE	1000000000ULL
/* Cost limits, ns, so that virtual times advance and do not overflow */
#define VCRYPT_COST_MIN		1
#define VCRYPT_COST_MAX		NSEC_PER_SEC

static const char * const vcrypt_sched_names[] = {
	[VCRYPT_SCHED_WFQ] = "wfq",
	[VCRYPT_SCHED_FIFO] = "fifo",
};

static enum vcrypt_sched_alg sched_alg = VCRYPT_SCHED_WFQ;

static int vcrypt_sched_alg_set(const char *val, const struct kernel_param *kp)
{
	int alg = sysfs_match_string(vcrypt_sched_names, val);

	if (alg < 0)
		return -EINVAL;
	*(enum vcrypt_sched_alg *)kp->arg = alg;
	return 0;
}

static int vcrypt_sched_alg_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  vcrypt_sched_names[*(enum vcrypt_sched_alg *)kp->arg]);
}

static const struct kernel_param_ops vcrypt_sched_alg_ops = {
	.set = vcrypt_sched_alg_set,
	.get = vcrypt_sched_alg_get,
};

module_param_cb(sched, &vcrypt_sched_alg_ops, &sched_alg, 0444);
MODULE_PARM_DESC(sched,
		 "Request scheduler of the cards: wfq (weighted fair queueing, default) or fifo");

/* Removes @queue's jobs into @jobs, failing them with @status. */
static void vcrypt_queue_drain(struct vcrypt_queue *queue,
			       struct list_head *jobs, int status)
{
	struct vcrypt_slice *slice = queue->slice;
	struct vcrypt_sched *sched = slice->sched;
	struct vcrypt_sched_ent *first;
	struct vcrypt_job *job;

	lockdep_assert_held(&sched->lock);

	if (list_empty(&queue->jobs))
		return;

	list_for_each_entry(job, &queue->jobs, node) {
		vcrypt_cmd_fail(&job->cmd, status);
		slice->stats.queued--;
		slice->stats.completed_ops++;
		slice->stats.completed_bytes += job->cmd.src_len;
		slice->stats.errors++;
	}
	list_splice_tail_init(&queue->jobs, jobs);

	vcrypt_wfq_erase(&slice->queues, &queue->ent);
	if (RB_EMPTY_NODE(&slice->ent.node))
		return;		/* frozen */
	first = vcrypt_wfq_first(&slice->queues);
	if (!first)
		vcrypt_wfq_erase(&sched->slices, &slice->ent);
	else if (sched->alg == VCRYPT_SCHED_FIFO)
		/* The slice's oldest job may have been the queue's. */
		vcrypt_wfq_rekey(&sched->slices, &slice->ent, first->key);
}

static void vcrypt_jobs_finish(struct list_head *jobs)
{
	struct vcrypt_job *job, *tmp;

	list_for_each_entry_safe(job, tmp, jobs, node) {
		list_del(&job->node);
		job->done(job);
	}
}

/**
 * vcrypt_sched_cost() - the modelled card time of a job
 * @sched: the scheduler, with its model set
 * @src_len: the job's source length
 *
 * Return: the cost, ns: 1e9 / RATE_OPS + src_len * 1e9 / RATE_BYTES,
 * at least VCRYPT_COST_MIN and at most VCRYPT_COST_MAX.
 */
VISIBLE_IF_KUNIT u64 vcrypt_sched_cost(struct vcrypt_sched *sched, u32 src_len)
{
	u64 cost = sched->op_ns + mul_u64_u32_shr(sched->byte_mult, src_len, 32);

	return clamp_t(u64, cost, VCRYPT_COST_MIN, VCRYPT_COST_MAX);
}

/* Called with the lock held: the job to dispatch now, or NULL. */
static struct vcrypt_job *vcrypt_sched_peek(struct vcrypt_sched *sched)
{
	u64 budget = (u64)sched->inflight_us * NSEC_PER_USEC;
	struct vcrypt_sched_ent *ent;
	struct vcrypt_slice *slice;
	struct vcrypt_queue *queue;
	struct vcrypt_job *job;

	if (sched->paused || sched->inflight >= sched->max_inflight)
		return NULL;
	ent = vcrypt_wfq_first(&sched->slices);
	if (!ent)
		return NULL;
	slice = container_of(ent, struct vcrypt_slice, ent);
	ent = vcrypt_wfq_first(&slice->queues);
	queue = container_of(ent, struct vcrypt_queue, ent);
	job = list_first_entry(&queue->jobs, struct vcrypt_job, node);

	if (sched->inflight >= VCRYPT_INFLIGHT_MIN &&
	    sched->inflight_ns + job->cost > budget)
		return NULL;
	return job;
}

static bool vcrypt_sched_ready(struct vcrypt_sched *sched)
{
	bool ready;

	spin_lock_bh(&sched->lock);
	ready = vcrypt_sched_peek(sched);
	spin_unlock_bh(&sched->lock);
	return ready;
}

static struct vcrypt_job *vcrypt_sched_dequeue(struct vcrypt_sched *sched)
{
	struct vcrypt_sched_ent *ent;
	struct vcrypt_slice *slice;
	struct vcrypt_queue *queue;
	struct vcrypt_job *job, *next;
	u64 start;

	spin_lock_bh(&sched->lock);
	job = vcrypt_sched_peek(sched);
	if (!job)
		goto out;

	queue = job->queue;
	slice = queue->slice;
	start = slice->ent.key;
	list_del(&job->node);
	next = list_first_entry_or_null(&queue->jobs, struct vcrypt_job, node);
	vcrypt_wfq_charge(&slice->queues, &queue->ent, sched->alg, job->cost,
			  VCRYPT_WEIGHT_MAX, next ? &next->seq : NULL);
	ent = vcrypt_wfq_first(&slice->queues);
	vcrypt_wfq_charge(&sched->slices, &slice->ent, sched->alg, job->cost,
			  slice->weight, ent ? &ent->key : NULL);

	slice->stats.queued--;
	slice->stats.in_flight++;
	sched->inflight++;
	sched->inflight_ns += job->cost;
	trace_vcrypt_dispatch(job, slice->weight, start, sched->slices.vtime,
			      sched->inflight, sched->inflight_ns,
			      (u64)sched->inflight_us * NSEC_PER_USEC);
out:
	spin_unlock_bh(&sched->lock);
	return job;
}

static void vcrypt_sched_complete(struct vcrypt_cmd *cmd)
{
	struct vcrypt_job *job = container_of(cmd, struct vcrypt_job, cmd);
	struct vcrypt_slice *slice = job->queue->slice;
	struct vcrypt_sched *sched = slice->sched;
	bool ready, drained;

	spin_lock_bh(&sched->lock);
	sched->inflight--;
	sched->inflight_ns -= job->cost;
	slice->stats.in_flight--;
	drained = slice->frozen && !slice->stats.in_flight;
	slice->stats.completed_ops++;
	slice->stats.completed_bytes += cmd->src_len;
	if (cmd->status)
		slice->stats.errors++;
	if (cmd->hw_status != VCRYPT_CMD_NO_CQE)
		slice->stats.card_time_ns += job->cost;
	ready = vcrypt_sched_peek(sched);
	trace_vcrypt_complete(job);
	spin_unlock_bh(&sched->lock);

	if (ready || drained)
		wake_up(&sched->wait);
	job->done(job);
}

/* Fails a dispatched job that the ring did not take. */
static void vcrypt_sched_fail(struct vcrypt_job *job, int status)
{
	vcrypt_cmd_fail(&job->cmd, status);
	vcrypt_sched_complete(&job->cmd);
}

/*
 * Submits jobs, @held first, while the scheduler allows. Returns the job
 * the ring refused for being full, or NULL.
 */
static struct vcrypt_job *vcrypt_sched_dispatch(struct vcrypt_sched *sched,
						struct vcrypt_job *held)
{
	struct vcrypt_job *job;
	int ret;

	for (;;) {
		job = held ?: vcrypt_sched_dequeue(sched);
		held = NULL;
		if (!job)
			return NULL;
		ret = vcrypt_ring_submit(sched->vd, &job->cmd);
		if (ret == -EBUSY)
			return job;
		if (ret)
			vcrypt_sched_fail(job, ret);
		cond_resched();
	}
}

static int vcrypt_sched_thread(void *data)
{
	struct vcrypt_sched *sched = data;
	struct vcrypt_job *held = NULL;

	for (;;) {
		/*
		 * The ring is full only when requests other than the
		 * scheduler's fill it, whose completions do not wake the
		 * thread: poll.
		 */
		if (held)
			schedule_timeout_idle(1);
		else
			wait_event_idle(sched->wait, kthread_should_stop() ||
					vcrypt_sched_ready(sched));
		if (kthread_should_stop())
			break;
		held = vcrypt_sched_dispatch(sched, held);
	}

	if (held)
		vcrypt_sched_fail(held, -ENODEV);
	return 0;
}

/**
 * vcrypt_sched_set_model() - set the card's service-time model
 * @sched: the scheduler
 * @ops: the card's VCRYPT_REG_RATE_OPS, ops per second (0: no limit)
 * @bytes: the card's VCRYPT_REG_RATE_BYTES, bytes per second (0: no limit)
 *
 * A rate of 0 is modelled as VCRYPT_FALLBACK_OP_NS per job or
 * VCRYPT_FALLBACK_BYTE_RATE, so that costs keep their meaning.
 */
VISIBLE_IF_KUNIT void vcrypt_sched_set_model(struct vcrypt_sched *sched,
					     u64 ops, u64 bytes)
{
	sched->op_ns = ops ? div64_u64(NSEC_PER_SEC, ops) :
		       VCRYPT_FALLBACK_OP_NS;
	sched->byte_mult = div64_u64((u64)NSEC_PER_SEC << 32,
				     bytes ?: VCRYPT_FALLBACK_BYTE_RATE);
}

/**
 * vcrypt_sched_start() - create the scheduler of a card and start its thread
 * @vd: the card, its ring running
 *
 * Return: 0 or a negative errno.
 */
int vcrypt_sched_start(struct vcrypt_dev *vd)
{
	struct vcrypt_sched *sched;

	sched = kzalloc(sizeof(*sched), GFP_KERNEL);
	if (!sched)
		return -ENOMEM;

	spin_lock_init(&sched->lock);
	kref_init(&sched->ref);
	init_waitqueue_head(&sched->wait);
	sched->slices.root = RB_ROOT_CACHED;
	sched->alg = READ_ONCE(sched_alg);
	sched->inflight_us = VCRYPT_INFLIGHT_US_DEFAULT;
	sched->vd = vd;
	sched->max_inflight = vd->ring.entries - 1;
	sched->caps = vd->caps;
	sched->max_data = vd->max_data;
	sched->max_sge = vd->max_sge;
	vcrypt_sched_set_model(sched, readq(vd->regs + VCRYPT_REG_RATE_OPS),
			       readq(vd->regs + VCRYPT_REG_RATE_BYTES));

	sched->thread = kthread_run(vcrypt_sched_thread, sched,
				    "vcrypt-%02x:%02x.%u",
				    vd->pdev->bus->number,
				    PCI_SLOT(vd->pdev->devfn),
				    PCI_FUNC(vd->pdev->devfn));
	if (IS_ERR(sched->thread)) {
		int ret = PTR_ERR(sched->thread);

		kfree(sched);
		return ret;
	}
	/*
	 * The card runs dry unless the thread refills it within about
	 * inflight_us: it must not wait behind the tasks that submit.
	 */
	sched_set_fifo_low(sched->thread);

	vd->sched = sched;
	return 0;
}

/**
 * vcrypt_sched_stop() - stop the scheduler thread of a card
 * @vd: the card, whose slices are all frozen
 *
 * Jobs the thread holds fail with -ENODEV; jobs on the card complete or
 * fail when the ring stops. The card's reference to the scheduler stays
 * until vcrypt_sched_put().
 */
void vcrypt_sched_stop(struct vcrypt_dev *vd)
{
	struct vcrypt_sched *sched = vd->sched;

	kthread_stop(sched->thread);
	spin_lock_bh(&sched->lock);
	sched->vd = NULL;
	spin_unlock_bh(&sched->lock);
}

static void vcrypt_sched_release(struct kref *ref)
{
	kfree(container_of(ref, struct vcrypt_sched, ref));
}

/**
 * vcrypt_sched_put() - drop a reference to a scheduler
 * @sched: the scheduler
 */
void vcrypt_sched_put(struct vcrypt_sched *sched)
{
	kref_put(&sched->ref, vcrypt_sched_release);
}

/**
 * vcrypt_sched_name() - name of the scheduler's algorithm
 * @sched: the scheduler
 *
 * Return: "wfq" or "fifo".
 */
const char *vcrypt_sched_name(struct vcrypt_sched *sched)
{
	return vcrypt_sched_names[sched->alg];
}

/**
 * vcrypt_sched_inflight_us() - the in-flight budget of a scheduler
 * @sched: the scheduler
 *
 * Return: the modelled card time, in us, kept on the card.
 */
u32 vcrypt_sched_inflight_us(struct vcrypt_sched *sched)
{
	u32 us;

	spin_lock_bh(&sched->lock);
	us = sched->inflight_us;
	spin_unlock_bh(&sched->lock);
	return us;
}

/**
 * vcrypt_sched_set_inflight_us() - change the in-flight budget of a scheduler
 * @sched: the scheduler
 * @us: VCRYPT_INFLIGHT_US_MIN to VCRYPT_INFLIGHT_US_MAX
 *
 * Applies to the next dispatch; the thread is woken in case the new budget
 * lets it dispatch now.
 */
void vcrypt_sched_set_inflight_us(struct vcrypt_sched *sched, u32 us)
{
	spin_lock_bh(&sched->lock);
	sched->inflight_us = us;
	spin_unlock_bh(&sched->lock);
	wake_up(&sched->wait);
}

/**
 * vcrypt_sched_paused() - whether a scheduler's dispatch is paused
 * @sched: the scheduler
 *
 * Return: true while vcrypt_sched_pause() holds the jobs back.
 */
bool vcrypt_sched_paused(struct vcrypt_sched *sched)
{
	bool paused;

	spin_lock_bh(&sched->lock);
	paused = sched->paused;
	spin_unlock_bh(&sched->lock);
	return paused;
}

/**
 * vcrypt_sched_pause() - hold back or resume the dispatch of a scheduler
 * @sched: the scheduler
 * @pause: true: no job goes to the card until called again with false
 *
 * A test hook (debugfs): jobs queue up in their slices while paused, those
 * on the card complete. Resuming wakes the thread.
 */
void vcrypt_sched_pause(struct vcrypt_sched *sched, bool pause)
{
	spin_lock_bh(&sched->lock);
	sched->paused = pause;
	spin_unlock_bh(&sched->lock);
	if (!pause)
		wake_up(&sched->wait);
}

/**
 * vcrypt_sched_slice_init() - set up the scheduling state of a new slice
 * @slice: the slice, zeroed
 * @sched: the card's scheduler; the slice takes a reference, which its
 *	owner drops with vcrypt_sched_put() when freeing the slice
 */
void vcrypt_sched_slice_init(struct vcrypt_slice *slice,
			     struct vcrypt_sched *sched)
{
	kref_get(&sched->ref);
	slice->sched = sched;
	RB_CLEAR_NODE(&slice->ent.node);
	slice->queues.root = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&slice->all_queues);
	slice->weight = VCRYPT_WEIGHT_DEFAULT;
	init_waitqueue_head(&slice->room_wait);

	spin_lock_bh(&sched->lock);
	slice->ent.finish = sched->slices.vtime;
	spin_unlock_bh(&sched->lock);
}

/**
 * vcrypt_sched_slice_freeze() - stop dispatching the jobs of a slice
 * @slice: the slice, about to be removed
 *
 * The slice still accepts jobs, but they stay queued.
 */
void vcrypt_sched_slice_freeze(struct vcrypt_slice *slice)
{
	struct vcrypt_sched *sched = slice->sched;

	spin_lock_bh(&sched->lock);
	slice->frozen = true;
	if (!RB_EMPTY_NODE(&slice->ent.node))
		vcrypt_wfq_erase(&sched->slices, &slice->ent);
	spin_unlock_bh(&sched->lock);
}

static bool vcrypt_slice_drained(struct vcrypt_slice *slice)
{
	bool drained;

	spin_lock_bh(&slice->sched->lock);
	drained = !slice->stats.in_flight;
	spin_unlock_bh(&slice->sched->lock);
	return drained;
}

/**
 * vcrypt_sched_slice_drain() - wait for the jobs of a frozen slice on the card
 * @slice: the slice, frozen
 *
 * Waits, interruptibly, until the card has finished every job of the slice
 * it was given, so that none writes to its owner's memory after the slice
 * is killed. The card runs at most inflight_us of work, plus one job.
 */
void vcrypt_sched_slice_drain(struct vcrypt_slice *slice)
{
	wait_event_interruptible(slice->sched->wait,
				 vcrypt_slice_drained(slice));
}

/**
 * vcrypt_sched_slice_kill() - take a frozen slice out of scheduling for good
 * @slice: the slice
 *
 * The slice's queued jobs fail with -ENODEV, its queues' waiters are woken
 * and vcrypt_queue_dead() becomes true for them.
 */
void vcrypt_sched_slice_kill(struct vcrypt_slice *slice)
{
	struct vcrypt_sched *sched = slice->sched;
	struct vcrypt_queue *queue;
	LIST_HEAD(jobs);

	spin_lock_bh(&sched->lock);
	WRITE_ONCE(slice->dead, true);
	list_for_each_entry(queue, &slice->all_queues, node) {
		vcrypt_queue_drain(queue, &jobs, -ENODEV);
		wake_up_all(&queue->wait);
	}
	spin_unlock_bh(&sched->lock);
	wake_up_all(&slice->room_wait);

	vcrypt_jobs_finish(&jobs);
}

/**
 * vcrypt_sched_set_weight() - change the weight of a slice
 * @slice: the slice
 * @weight: VCRYPT_WEIGHT_MIN to VCRYPT_WEIGHT_MAX
 *
 * Applies at once: the lead of the slice's tags over the virtual time,
 * what it was charged ahead of its share at the old weight, is rescaled
 * to the new weight.
 */
void vcrypt_sched_set_weight(struct vcrypt_slice *slice, u32 weight)
{
	struct vcrypt_sched *sched = slice->sched;

	spin_lock_bh(&sched->lock);
	if (sched->alg == VCRYPT_SCHED_WFQ)
		vcrypt_wfq_reweight(&sched->slices, &slice->ent, slice->weight,
				    weight);
	slice->weight = weight;
	spin_unlock_bh(&sched->lock);
}

/**
 * vcrypt_sched_weight() - the weight of a slice
 * @slice: the slice
 *
 * Return: the weight.
 */
u32 vcrypt_sched_weight(struct vcrypt_slice *slice)
{
	u32 weight;

	spin_lock_bh(&slice->sched->lock);
	weight = slice->weight;
	spin_unlock_bh(&slice->sched->lock);
	return weight;
}

/**
 * vcrypt_sched_set_max_queues() - change how many queues a slice takes
 * @slice: the slice
 * @max: queues at most, or 0 for any number
 *
 * Queues attached already stay; new ones are refused while the slice has
 * @max or more.
 */
void vcrypt_sched_set_max_queues(struct vcrypt_slice *slice, u32 max)
{
	spin_lock_bh(&slice->sched->lock);
	slice->max_queues = max;
	spin_unlock_bh(&slice->sched->lock);
}

/**
 * vcrypt_sched_max_queues() - how many queues a slice takes
 * @slice: the slice
 *
 * Return: the limit, or 0 for none.
 */
u32 vcrypt_sched_max_queues(struct vcrypt_slice *slice)
{
	u32 max;

	spin_lock_bh(&slice->sched->lock);
	max = slice->max_queues;
	spin_unlock_bh(&slice->sched->lock);
	return max;
}

/**
 * vcrypt_sched_get_stats() - snapshot of the counters of a slice
 * @slice: the slice
 * @stats: filled in
 */
void vcrypt_sched_get_stats(struct vcrypt_slice *slice,
			    struct vcrypt_slice_stats *stats)
{
	spin_lock_bh(&slice->sched->lock);
	*stats = slice->stats;
	spin_unlock_bh(&slice->sched->lock);
}

/**
 * vcrypt_queue_attach() - attach a new queue to a slice
 * @queue: the queue
 * @slice: the slice; the caller holds a reference to it until after
 *	vcrypt_queue_detach() and the completion of the queue's last job
 *
 * Return: 0; -ENODEV if the slice was removed; -ENFILE if it has as many
 * queues as its max_queues.
 */
int vcrypt_queue_attach(struct vcrypt_queue *queue,
			struct vcrypt_slice *slice)
{
	struct vcrypt_sched *sched = slice->sched;

	queue->slice = slice;
	RB_CLEAR_NODE(&queue->ent.node);
	INIT_LIST_HEAD(&queue->jobs);
	init_waitqueue_head(&queue->wait);

	spin_lock_bh(&sched->lock);
	if (slice->dead || (slice->max_queues &&
			    slice->stats.queues >= slice->max_queues)) {
		spin_unlock_bh(&sched->lock);
		return slice->dead ? -ENODEV : -ENFILE;
	}
	queue->ent.finish = slice->queues.vtime;
	list_add_tail(&queue->node, &slice->all_queues);
	slice->stats.queues++;
	spin_unlock_bh(&sched->lock);
	return 0;
}

/**
 * vcrypt_queue_detach() - detach a queue from its slice
 * @queue: the queue
 *
 * Its queued jobs fail with -ECANCELED before this returns; jobs on the
 * card complete normally.
 */
void vcrypt_queue_detach(struct vcrypt_queue *queue)
{
	struct vcrypt_slice *slice = queue->slice;
	struct vcrypt_sched *sched = slice->sched;
	LIST_HEAD(jobs);

	spin_lock_bh(&sched->lock);
	list_del(&queue->node);
	slice->stats.queues--;
	vcrypt_queue_drain(queue, &jobs, -ECANCELED);
	spin_unlock_bh(&sched->lock);

	vcrypt_jobs_finish(&jobs);
}

/**
 * vcrypt_queue_add() - queue a job
 * @queue: an attached queue
 * @job: the job, with its command filled in except ->complete
 *
 * On success @job->done will be called once the job is finished.
 *
 * Return: 0, or -ENODEV if the slice was removed.
 */
int vcrypt_queue_add(struct vcrypt_queue *queue, struct vcrypt_job *job)
{
	struct vcrypt_slice *slice = queue->slice;
	struct vcrypt_sched *sched = slice->sched;
	bool ready;

	job->queue = queue;
	job->cost = vcrypt_sched_cost(sched, job->cmd.src_len);
	job->cmd.complete = vcrypt_sched_complete;
	job->submitted = ktime_get_ns();

	spin_lock_bh(&sched->lock);
	if (slice->dead) {
		spin_unlock_bh(&sched->lock);
		return -ENODEV;
	}
	job->seq = sched->seq++;
	list_add_tail(&job->node, &queue->jobs);
	slice->stats.queued++;
	trace_vcrypt_submit(job, slice->stats.queued);
	if (list_is_singular(&queue->jobs)) {
		if (RB_EMPTY_ROOT(&slice->queues.root.rb_root) &&
		    !slice->frozen)
			vcrypt_wfq_activate(&sched->slices, &slice->ent,
					    sched->alg, job->seq);
		vcrypt_wfq_activate(&slice->queues, &queue->ent, sched->alg,
				    job->seq);
	}
	ready = vcrypt_sched_peek(sched);
	spin_unlock_bh(&sched->lock);

	if (ready)
		wake_up(&sched->wait);
	return 0;
}
