/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcrypt: slices, their queues and the card's request scheduler.
 *
 * A slice is a share of one card with a weight. Requests (jobs) come from
 * queues attached to a slice: an open file of the slice's character device,
 * or a crypto API transform of the card's host slice. Each card has one
 * scheduler thread that takes jobs from all queues of all its slices and
 * feeds the card's ring. Documentation/scheduler.rst describes the algorithm.
 */
#ifndef _VCRYPT_SCHED_H
#define _VCRYPT_SCHED_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "vcrypt.h"

struct task_struct;

#define VCRYPT_WEIGHT_MIN	1
#define VCRYPT_WEIGHT_MAX	10000
#define VCRYPT_WEIGHT_DEFAULT	100

/* Open files of a slice: default and range of its max_files */
#define VCRYPT_MAX_FILES_DEFAULT	64
#define VCRYPT_MAX_FILES_MAX		4096

/*
 * Buffer bytes the files of a slice may have outstanding: default and
 * least value of its max_bytes (at most U32_MAX)
 */
#define VCRYPT_MAX_BYTES_DEFAULT	(64u << 20)
#define VCRYPT_MAX_BYTES_MIN		1

/* Modelled card time the scheduler keeps on the card, us */
#define VCRYPT_INFLIGHT_US_MIN		1
#define VCRYPT_INFLIGHT_US_MAX		USEC_PER_SEC
#define VCRYPT_INFLIGHT_US_DEFAULT	5000

/**
 * enum vcrypt_sched_alg - how the scheduler orders jobs
 * @VCRYPT_SCHED_WFQ: start-time fair queueing among slices by weight, and
 *	among the queues of a slice with equal weights
 * @VCRYPT_SCHED_FIFO: one arrival order across all queues of the card
 */
enum vcrypt_sched_alg {
	VCRYPT_SCHED_WFQ,
	VCRYPT_SCHED_FIFO,
};

/**
 * struct vcrypt_sched_ent - something the scheduler picks: a slice or a queue
 * @node: in the tree of its parent while it has jobs queued
 * @key: the tree's order: the start tag of the next job (WFQ), or the
 *	arrival number of the oldest job queued (FIFO)
 * @finish: WFQ: the finish tag of the last job dispatched
 */
struct vcrypt_sched_ent {
	struct rb_node node;
	u64 key;
	u64 finish;
};

/**
 * struct vcrypt_sched_tree - entities with jobs queued, by key
 * @root: the entities, leftmost first
 * @vtime: WFQ virtual time: the start tag of the last job dispatched
 */
struct vcrypt_sched_tree {
	struct rb_root_cached root;
	u64 vtime;
};

/**
 * struct vcrypt_sched - the request scheduler of one card
 * @lock: protects the scheduler, and the scheduling state, counters and
 *	queue lists of its slices and their queues; taken with bottom halves
 *	disabled, as the crypto API queues jobs from softirq context
 * @ref: one for the card, one per slice
 * @alg: the algorithm
 * @vd: the card; NULL once stopped
 * @thread: the thread feeding the card
 * @wait: the thread waits here for work
 * @slices: slices with jobs queued
 * @seq: arrival number of the next job
 * @held: job dequeued but refused by a full ring, to submit first
 * @inflight: jobs dispatched and not yet completed, @held included
 * @inflight_ns: modelled card time of those jobs
 * @max_inflight: the most jobs the ring takes
 * @inflight_us: budget: modelled card time kept on the card, us
 * @paused: the thread dispatches nothing (a test hook, see debugfs)
 * @op_ns: modelled card time per job, ns
 * @byte_mult: modelled card time per source byte, ns << 32
 * @caps: the card's VCRYPT_REG_CAPS
 * @max_data: the card's VCRYPT_REG_MAX_DATA
 * @max_sge: the card's SG table entries
 */
struct vcrypt_sched {
	spinlock_t lock; /* see above */
	struct kref ref;
	enum vcrypt_sched_alg alg;
	struct vcrypt_dev *vd;
	struct task_struct *thread;
	wait_queue_head_t wait;
	struct vcrypt_sched_tree slices;
	u64 seq;
	struct vcrypt_job *held;
	u32 inflight;
	u64 inflight_ns;
	u32 max_inflight;
	u32 inflight_us;
	bool paused;
	u64 op_ns;
	u64 byte_mult;
	u32 caps;
	u32 max_data;
	u32 max_sge;
};

/**
 * struct vcrypt_slice_stats - counters of a slice
 * @queues: queues attached to the slice
 * @queued: jobs waiting in the slice's queues
 * @in_flight: jobs dispatched to the card
 * @completed_ops: jobs finished, successfully or not
 * @completed_bytes: source bytes of those jobs
 * @errors: jobs finished with a non-zero status
 * @card_time_ns: modelled card time of the jobs the card served
 */
struct vcrypt_slice_stats {
	u64 queues;
	u64 queued;
	u64 in_flight;
	u64 completed_ops;
	u64 completed_bytes;
	u64 errors;
	u64 card_time_ns;
};

/**
 * struct vcrypt_slice - a weighted share of one card
 * @sched: the card's scheduler; the slice holds a reference
 * @ent: the slice in @sched's tree
 * @queues: the slice's queues with jobs queued
 * @all_queues: every queue attached to the slice
 * @weight: share of the card relative to the other slices
 * @frozen: being removed: jobs are still accepted but not dispatched
 * @dead: the slice was removed: no more jobs, no more queues
 * @max_queues: queues (open files) the slice takes at once; 0: any number
 * @stats: counters
 * @index: the slice's number on its card
 * @minor: N of /dev/vcryptN
 * @max_bytes: buffer bytes the slice's open files may have outstanding: a
 *	request is queued only while @bytes is below this
 * @bytes: buffer bytes of the outstanding requests of the slice's files
 * @room_wait: files waiting for room, in the slice (@bytes) or their own
 * @dev: the slice's device; its reference count is the slice's
 * @cdev: the character device
 *
 * @sched->lock protects everything above @index. @max_bytes and @bytes are
 * the file layer's (vcrypt_file.c).
 */
struct vcrypt_slice {
	struct vcrypt_sched *sched;
	struct vcrypt_sched_ent ent;
	struct vcrypt_sched_tree queues;
	struct list_head all_queues;
	u32 weight;
	bool frozen;
	bool dead;
	u32 max_queues;
	struct vcrypt_slice_stats stats;

	unsigned int index;
	unsigned int minor;
	u32 max_bytes;
	atomic64_t bytes;
	wait_queue_head_t room_wait;
	struct device dev;
	struct cdev cdev;
};

/**
 * struct vcrypt_queue - a source of jobs in a slice
 * @slice: the slice
 * @ent: the queue in the slice's tree
 * @jobs: jobs queued, oldest first
 * @node: in the slice's @all_queues
 * @wait: for the queue's owner; woken when the slice is removed
 */
struct vcrypt_queue {
	struct vcrypt_slice *slice;
	struct vcrypt_sched_ent ent;
	struct list_head jobs;
	struct list_head node;
	wait_queue_head_t wait;
};

/**
 * struct vcrypt_job - a card command of a queue, in the scheduler
 * @queue: the queue
 * @node: in @queue's jobs while queued; the owner's once @done is called
 * @cost: modelled card time, ns
 * @seq: arrival number
 * @tag: the owner's tag of the job (a file request's tag), for the trace
 *	events
 * @submitted: ktime_get_ns() when the job was queued, for the trace events
 * @done: called once when the job is finished, in process context without
 *	driver locks; @cmd.status, @cmd.hw_status and @cmd.out_len are set
 * @cmd: the card command, filled in by the owner
 *
 * The scheduler layer: the owner (an open file or a crypto API transform)
 * embeds it in its own request, fills in @cmd and @done, and hands it to
 * vcrypt_queue_add(). Documentation/design.rst shows the life of a job.
 */
struct vcrypt_job {
	struct vcrypt_queue *queue;
	struct list_head node;
	u64 cost;
	u64 seq;
	u64 tag;
	u64 submitted;
	void (*done)(struct vcrypt_job *job);
	struct vcrypt_cmd cmd;
};

struct vcrypt_sched_ent *vcrypt_wfq_first(struct vcrypt_sched_tree *tree);
void vcrypt_wfq_erase(struct vcrypt_sched_tree *tree,
		      struct vcrypt_sched_ent *ent);
void vcrypt_wfq_activate(struct vcrypt_sched_tree *tree,
			 struct vcrypt_sched_ent *ent,
			 enum vcrypt_sched_alg alg, u64 seq);
void vcrypt_wfq_charge(struct vcrypt_sched_tree *tree,
		       struct vcrypt_sched_ent *ent, enum vcrypt_sched_alg alg,
		       u64 cost, u32 weight, const u64 *next);
void vcrypt_wfq_rekey(struct vcrypt_sched_tree *tree,
		      struct vcrypt_sched_ent *ent, u64 key);
void vcrypt_wfq_reweight(struct vcrypt_sched_tree *tree,
			 struct vcrypt_sched_ent *ent, u32 from, u32 to);

#if IS_ENABLED(CONFIG_KUNIT)
void vcrypt_sched_set_model(struct vcrypt_sched *sched, u64 ops, u64 bytes);
u64 vcrypt_sched_cost(struct vcrypt_sched *sched, u32 src_len);
#endif

int vcrypt_sched_start(struct vcrypt_dev *vd);
void vcrypt_sched_stop(struct vcrypt_dev *vd);
void vcrypt_sched_put(struct vcrypt_sched *sched);
const char *vcrypt_sched_name(struct vcrypt_sched *sched);
u32 vcrypt_sched_inflight_us(struct vcrypt_sched *sched);
void vcrypt_sched_set_inflight_us(struct vcrypt_sched *sched, u32 us);
bool vcrypt_sched_paused(struct vcrypt_sched *sched);
void vcrypt_sched_pause(struct vcrypt_sched *sched, bool pause);

void vcrypt_sched_slice_init(struct vcrypt_slice *slice,
			     struct vcrypt_sched *sched);
void vcrypt_sched_slice_freeze(struct vcrypt_slice *slice);
void vcrypt_sched_slice_drain(struct vcrypt_slice *slice);
void vcrypt_sched_slice_kill(struct vcrypt_slice *slice);
void vcrypt_sched_set_weight(struct vcrypt_slice *slice, u32 weight);
u32 vcrypt_sched_weight(struct vcrypt_slice *slice);
void vcrypt_sched_set_max_queues(struct vcrypt_slice *slice, u32 max);
u32 vcrypt_sched_max_queues(struct vcrypt_slice *slice);
void vcrypt_sched_get_stats(struct vcrypt_slice *slice,
			    struct vcrypt_slice_stats *stats);

int vcrypt_queue_attach(struct vcrypt_queue *queue,
			struct vcrypt_slice *slice);
void vcrypt_queue_detach(struct vcrypt_queue *queue);
int vcrypt_queue_add(struct vcrypt_queue *queue, struct vcrypt_job *job);

/**
 * vcrypt_queue_dead() - whether the queue's slice was removed
 * @queue: an attached queue
 *
 * Return: true once the slice accepts no more jobs.
 */
static inline bool vcrypt_queue_dead(struct vcrypt_queue *queue)
{
	return READ_ONCE(queue->slice->dead);
}

#endif /* _VCRYPT_SCHED_H */
