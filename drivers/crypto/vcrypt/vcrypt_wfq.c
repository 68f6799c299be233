// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: weighted fair queueing, the tags and trees of the scheduler.
 *
 * The weighted fair queueing of vcrypt (the scheduler "wfq") is start-time
 * fair queueing; the files and functions are named wfq, not sfq, so as not
 * to be read as net/sched's stochastic fairness queueing.
 *
 * An entity (a slice among the slices of a card, or a queue among the
 * queues of a slice) is in its parent's tree while it has jobs queued,
 * ordered by its key. With VCRYPT_SCHED_WFQ the key is the start tag of
 * its next job (P. Goyal, H. M. Vin, H. Cheng, "Start-time Fair Queuing",
 * SIGCOMM 1996): max(V, F) when the entity gets jobs again, F afterwards,
 * where F is the finish tag of its last job, start tag + cost / weight,
 * and V the start tag of the last job dispatched in the tree. With
 * VCRYPT_SCHED_FIFO the key is the arrival number of its oldest job.
 * Keys are compared modulo 2^64. The caller serializes.
 */
#include <linux/math64.h>
#include <linux/rbtree.h>

#include "vcrypt_sched.h"

static bool vcrypt_key_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

static bool vcrypt_wfq_less(struct rb_node *a, const struct rb_node *b)
{
	return vcrypt_key_before(rb_entry(a, struct vcrypt_sched_ent, node)->key,
				 rb_entry(b, struct vcrypt_sched_ent, node)->key);
}

static void vcrypt_wfq_insert(struct vcrypt_sched_tree *tree,
			      struct vcrypt_sched_ent *ent)
{
	rb_add_cached(&ent->node, &tree->root, vcrypt_wfq_less);
}

/**
 * vcrypt_wfq_first() - the entity whose job goes first
 * @tree: the tree
 *
 * Among equal keys, the entity inserted first.
 *
 * Return: the entity with the smallest key, or NULL if @tree is empty.
 */
struct vcrypt_sched_ent *vcrypt_wfq_first(struct vcrypt_sched_tree *tree)
{
	struct rb_node *node = rb_first_cached(&tree->root);

	return node ? rb_entry(node, struct vcrypt_sched_ent, node) : NULL;
}

/**
 * vcrypt_wfq_erase() - take an entity out of its tree
 * @tree: the tree
 * @ent: an entity in @tree
 */
void vcrypt_wfq_erase(struct vcrypt_sched_tree *tree,
		      struct vcrypt_sched_ent *ent)
{
	rb_erase_cached(&ent->node, &tree->root);
	RB_CLEAR_NODE(&ent->node);
}

/**
 * vcrypt_wfq_activate() - put an entity that got jobs into its tree
 * @tree: the tree
 * @ent: the entity, not in @tree
 * @alg: the algorithm
 * @seq: arrival number of the entity's oldest job
 */
void vcrypt_wfq_activate(struct vcrypt_sched_tree *tree,
			 struct vcrypt_sched_ent *ent,
			 enum vcrypt_sched_alg alg, u64 seq)
{
	if (alg == VCRYPT_SCHED_FIFO)
		ent->key = seq;
	else if (vcrypt_key_before(ent->finish, tree->vtime))
		ent->key = tree->vtime;
	else
		ent->key = ent->finish;
	vcrypt_wfq_insert(tree, ent);
}

/**
 * vcrypt_wfq_charge() - account for a job of an entity being dispatched
 * @tree: the tree
 * @ent: the entity, in @tree
 * @alg: the algorithm
 * @cost: the job's cost
 * @weight: the entity's weight, 1 to VCRYPT_WEIGHT_MAX
 * @next: arrival number of the entity's oldest job left, or NULL if it
 *	has none: it then leaves @tree
 */
void vcrypt_wfq_charge(struct vcrypt_sched_tree *tree,
		       struct vcrypt_sched_ent *ent, enum vcrypt_sched_alg alg,
		       u64 cost, u32 weight, const u64 *next)
{
	vcrypt_wfq_erase(tree, ent);
	if (alg == VCRYPT_SCHED_WFQ) {
		tree->vtime = ent->key;
		ent->finish = ent->key + div_u64(cost * VCRYPT_WEIGHT_MAX, weight);
		ent->key = ent->finish;
	} else if (next) {
		ent->key = *next;
	}
	if (next)
		vcrypt_wfq_insert(tree, ent);
}

/**
 * vcrypt_wfq_rekey() - give an entity in its tree a new key
 * @tree: the tree
 * @ent: the entity, in @tree
 * @key: the new key
 */
void vcrypt_wfq_rekey(struct vcrypt_sched_tree *tree,
		      struct vcrypt_sched_ent *ent, u64 key)
{
	vcrypt_wfq_erase(tree, ent);
	ent->key = key;
	vcrypt_wfq_insert(tree, ent);
}

/* A tag ahead of @vtime, rescaled for a weight changed from @from to @to */
static u64 vcrypt_wfq_rescale(u64 tag, u64 vtime, u32 from, u32 to)
{
	if (!vcrypt_key_before(vtime, tag))
		return tag;
	return vtime + div_u64((tag - vtime) * from, to);
}

/**
 * vcrypt_wfq_reweight() - rescale the tags of an entity for a new weight
 * @tree: the tree of the entity
 * @ent: the entity, in @tree or not
 * @from: the old weight
 * @to: the new weight
 *
 * The lead of the entity's tags over the tree's virtual time is what it
 * was charged ahead of its share at the old weight; it is scaled to the new
 * weight, so that the new weight applies to the jobs already queued too.
 */
void vcrypt_wfq_reweight(struct vcrypt_sched_tree *tree,
			 struct vcrypt_sched_ent *ent, u32 from, u32 to)
{
	ent->finish = vcrypt_wfq_rescale(ent->finish, tree->vtime, from, to);
	if (!RB_EMPTY_NODE(&ent->node))
		vcrypt_wfq_rekey(tree, ent, vcrypt_wfq_rescale(ent->key,
							       tree->vtime,
							       from, to));
}
