// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite vcrypt_wfq: the arithmetic of the request scheduler.
 *
 * Every expected value is worked out by hand from the definitions in
 * Documentation/scheduler.rst: start-time fair queueing (Goyal, Vin and
 * Cheng, SIGCOMM 1996) with S = max(V, F) for an entity that gets jobs
 * again, V = S and F = S + cost * 10000 / weight at each dispatch, tags
 * compared modulo 2^64; the FIFO keys; the weight rescaling; and the cost
 * model, 1e9 / RATE_OPS + src_len * 1e9 / RATE_BYTES ns, with 1000 ns per
 * job or 1 GB/s for a rate of 0, and costs between 1 ns and 1 s.
 */
#include <kunit/test.h>
#include <linux/rbtree.h>

#include "../vcrypt_sched.h"

static void wfq_tree_init(struct vcrypt_sched_tree *tree, u64 vtime)
{
	tree->root = RB_ROOT_CACHED;
	tree->vtime = vtime;
}

static void wfq_ent_init(struct vcrypt_sched_ent *ent, u64 finish)
{
	RB_CLEAR_NODE(&ent->node);
	ent->key = 0;
	ent->finish = finish;
}

/* Dispatches one job of @cost from the first entity; it stays ready. */
static struct vcrypt_sched_ent *wfq_dispatch(struct vcrypt_sched_tree *tree,
					     u64 cost, const u32 *weights,
					     struct vcrypt_sched_ent *ents)
{
	struct vcrypt_sched_ent *ent = vcrypt_wfq_first(tree);
	u64 next = 0;

	vcrypt_wfq_charge(tree, ent, VCRYPT_SCHED_WFQ, cost,
			  weights[ent - ents], &next);
	return ent;
}

/* An entity that gets a job starts at V; dispatching it moves V to S. */
static void wfq_start_tag_and_vtime(struct kunit *test)
{
	struct vcrypt_sched_tree tree;
	struct vcrypt_sched_ent a;
	u64 next = 0;

	wfq_tree_init(&tree, 1000);
	wfq_ent_init(&a, 1000);	/* a new entity: F = V */
	vcrypt_wfq_activate(&tree, &a, VCRYPT_SCHED_WFQ, 0);
	KUNIT_EXPECT_EQ(test, a.key, 1000);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &a);

	/* S = 1000, cost 50 at weight 10000: F = 1050, V = 1000 */
	vcrypt_wfq_charge(&tree, &a, VCRYPT_SCHED_WFQ, 50, 10000, &next);
	KUNIT_EXPECT_EQ(test, tree.vtime, 1000);
	KUNIT_EXPECT_EQ(test, a.finish, 1050);
	KUNIT_EXPECT_EQ(test, a.key, 1050);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &a);

	/* The next job starts at the last finish tag: V = 1050, F = 1100 */
	vcrypt_wfq_charge(&tree, &a, VCRYPT_SCHED_WFQ, 50, 10000, &next);
	KUNIT_EXPECT_EQ(test, tree.vtime, 1050);
	KUNIT_EXPECT_EQ(test, a.finish, 1100);
}

/* F = S + cost * 10000 / weight, at the extreme weights and costs */
static void wfq_finish_tags(struct kunit *test)
{
	static const struct {
		u64 cost;
		u32 weight;
		u64 advance;
	} cases[] = {
		{ 7, 10000, 7 },
		{ 7, 100, 700 },
		{ 7, 1, 70000 },
		{ 3, 7, 4285 },				/* 30000 / 7 */
		{ 1, 10000, 1 },
		{ 1, 1, 10000 },
		{ 1000000000, 1, 10000000000000ULL },	/* 1 s at weight 1 */
		{ 1000000000, 10000, 1000000000 },
	};
	struct vcrypt_sched_tree tree;
	struct vcrypt_sched_ent a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		wfq_tree_init(&tree, 5000);
		wfq_ent_init(&a, 5000);
		vcrypt_wfq_activate(&tree, &a, VCRYPT_SCHED_WFQ, 0);
		vcrypt_wfq_charge(&tree, &a, VCRYPT_SCHED_WFQ, cases[i].cost,
				  cases[i].weight, NULL);
		KUNIT_EXPECT_EQ_MSG(test, a.finish, 5000 + cases[i].advance,
				    "cost %llu, weight %u", cases[i].cost,
				    cases[i].weight);
		KUNIT_EXPECT_EQ(test, tree.vtime, 5000);
	}
}

/*
 * Two backlogged entities of weights 1 and 3, jobs of cost 1: the start
 * tags of a are 0, 10000, 20000, ...; of b 0, 3333, 6666, 9999, 13332,
 * 16665, 19998, 23331, ...; a wins the tie at 0, having become ready first.
 */
static void wfq_shares_by_weight(struct kunit *test)
{
	static const u32 weights[] = { 1, 3 };
	static const char order[] = "abbbbabbbab";
	struct vcrypt_sched_tree tree;
	struct vcrypt_sched_ent ents[2], *ent;
	unsigned int i;

	wfq_tree_init(&tree, 0);
	wfq_ent_init(&ents[0], 0);
	wfq_ent_init(&ents[1], 0);
	vcrypt_wfq_activate(&tree, &ents[0], VCRYPT_SCHED_WFQ, 0);
	vcrypt_wfq_activate(&tree, &ents[1], VCRYPT_SCHED_WFQ, 1);

	for (i = 0; i < sizeof(order) - 1; i++) {
		ent = wfq_dispatch(&tree, 1, weights, ents);
		KUNIT_EXPECT_EQ_MSG(test, 'a' + (int)(ent - ents), order[i],
				    "dispatch %u", i);
	}
	KUNIT_EXPECT_EQ(test, ents[0].finish, 30000);
	KUNIT_EXPECT_EQ(test, ents[1].finish, 26664);
}

/* Equal keys go in the order the entities became ready. */
static void wfq_ties_in_arrival_order(struct kunit *test)
{
	struct vcrypt_sched_tree tree;
	struct vcrypt_sched_ent ents[4];
	unsigned int i;

	wfq_tree_init(&tree, 42);
	for (i = 0; i < ARRAY_SIZE(ents); i++) {
		wfq_ent_init(&ents[i], 0);
		vcrypt_wfq_activate(&tree, &ents[i], VCRYPT_SCHED_WFQ, i);
		KUNIT_EXPECT_EQ(test, ents[i].key, 42);
	}
	for (i = 0; i < ARRAY_SIZE(ents); i++) {
		KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &ents[i]);
		vcrypt_wfq_erase(&tree, &ents[i]);
	}
	KUNIT_EXPECT_NULL(test, vcrypt_wfq_first(&tree));
}

/*
 * Joining: S = max(V, F). An entity idle behind V gets no credit for the
 * idle time; one served ahead of V keeps its lead.
 */
static void wfq_join_takes_max(struct kunit *test)
{
	struct vcrypt_sched_tree tree;
	struct vcrypt_sched_ent idle, ahead;

	wfq_tree_init(&tree, 10000);
	wfq_ent_init(&idle, 3000);
	wfq_ent_init(&ahead, 12500);
	vcrypt_wfq_activate(&tree, &ahead, VCRYPT_SCHED_WFQ, 0);
	vcrypt_wfq_activate(&tree, &idle, VCRYPT_SCHED_WFQ, 1);
	KUNIT_EXPECT_EQ(test, idle.key, 10000);
	KUNIT_EXPECT_EQ(test, ahead.key, 12500);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &idle);
}

/* An entity with no job left leaves the tree; V stays at its start tag. */
static void wfq_leave(struct kunit *test)
{
	struct vcrypt_sched_tree tree;
	struct vcrypt_sched_ent a, b;
	u64 next = 0;

	wfq_tree_init(&tree, 0);
	wfq_ent_init(&a, 0);
	wfq_ent_init(&b, 0);
	vcrypt_wfq_activate(&tree, &a, VCRYPT_SCHED_WFQ, 0);
	vcrypt_wfq_activate(&tree, &b, VCRYPT_SCHED_WFQ, 1);

	/* a's last job: it leaves with F = 0 + 100 * 10000 / 100 */
	vcrypt_wfq_charge(&tree, &a, VCRYPT_SCHED_WFQ, 100, 100, NULL);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_NODE(&a.node));
	KUNIT_EXPECT_EQ(test, a.finish, 10000);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &b);

	/* b: S = 0, F = 20000; V = 0 */
	vcrypt_wfq_charge(&tree, &b, VCRYPT_SCHED_WFQ, 200, 100, &next);
	KUNIT_EXPECT_EQ(test, tree.vtime, 0);
	/* b: S = 20000, its last job: the tree is empty, V = 20000 */
	vcrypt_wfq_charge(&tree, &b, VCRYPT_SCHED_WFQ, 200, 100, NULL);
	KUNIT_EXPECT_EQ(test, tree.vtime, 20000);
	KUNIT_EXPECT_NULL(test, vcrypt_wfq_first(&tree));

	/* a comes back behind V: it starts at V, not at its old F */
	vcrypt_wfq_activate(&tree, &a, VCRYPT_SCHED_WFQ, 2);
	KUNIT_EXPECT_EQ(test, a.key, 20000);
}

/*
 * Tags are compared modulo 2^64: near the wrap, a tag just below 2^64 is
 * before a small one, and finish tags wrap.
 */
static void wfq_wraparound(struct kunit *test)
{
	struct vcrypt_sched_tree tree;
	struct vcrypt_sched_ent a, b, c;
	u64 next = 0;

	wfq_tree_init(&tree, U64_MAX - 5);
	wfq_ent_init(&a, U64_MAX - 2);		/* 3 ahead of V */
	wfq_ent_init(&b, 3);			/* 9 ahead of V */
	wfq_ent_init(&c, U64_MAX - 100);	/* 95 behind V */
	vcrypt_wfq_activate(&tree, &b, VCRYPT_SCHED_WFQ, 0);
	vcrypt_wfq_activate(&tree, &a, VCRYPT_SCHED_WFQ, 1);
	vcrypt_wfq_activate(&tree, &c, VCRYPT_SCHED_WFQ, 2);
	KUNIT_EXPECT_EQ(test, a.key, U64_MAX - 2);
	KUNIT_EXPECT_EQ(test, b.key, 3);
	KUNIT_EXPECT_EQ(test, c.key, U64_MAX - 5);	/* max(V, F) is V */

	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &c);
	/* c: S = 2^64 - 6, F = S + 4 */
	vcrypt_wfq_charge(&tree, &c, VCRYPT_SCHED_WFQ, 4, 10000, NULL);
	KUNIT_EXPECT_EQ(test, c.finish, U64_MAX - 1);

	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &a);
	/* a: S = 2^64 - 3, F = S + 10 wraps to 7, after b's 3 */
	vcrypt_wfq_charge(&tree, &a, VCRYPT_SCHED_WFQ, 10, 10000, &next);
	KUNIT_EXPECT_EQ(test, tree.vtime, U64_MAX - 2);
	KUNIT_EXPECT_EQ(test, a.key, 7);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &b);
	vcrypt_wfq_charge(&tree, &b, VCRYPT_SCHED_WFQ, 10, 10000, NULL);
	KUNIT_EXPECT_EQ(test, tree.vtime, 3);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &a);
}

/*
 * A new weight scales the lead of an entity's tags over V by old / new;
 * tags at or behind V stay.
 */
static void wfq_reweight(struct kunit *test)
{
	struct vcrypt_sched_tree tree;
	struct vcrypt_sched_ent a, b, idle;

	wfq_tree_init(&tree, 1000);
	wfq_ent_init(&a, 0);
	wfq_ent_init(&b, 0);
	wfq_ent_init(&idle, 0);

	/* In the tree: lead 1000 at weight 100 becomes 500 at weight 200 */
	a.finish = 2000;
	vcrypt_wfq_activate(&tree, &a, VCRYPT_SCHED_WFQ, 0);
	b.finish = 1800;
	vcrypt_wfq_activate(&tree, &b, VCRYPT_SCHED_WFQ, 1);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &b);
	vcrypt_wfq_reweight(&tree, &a, 100, 200);
	KUNIT_EXPECT_EQ(test, a.finish, 1500);
	KUNIT_EXPECT_EQ(test, a.key, 1500);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &a);

	/* From weight 1 to 10000: a lead of 10000 * 7 becomes 7 */
	vcrypt_wfq_reweight(&tree, &b, 1, 10000);
	KUNIT_EXPECT_EQ(test, b.finish, 1000 + 800 / 10000);
	b.finish = 1000 + 70000;
	vcrypt_wfq_rekey(&tree, &b, b.finish);
	vcrypt_wfq_reweight(&tree, &b, 1, 10000);
	KUNIT_EXPECT_EQ(test, b.key, 1007);
	KUNIT_EXPECT_EQ(test, b.finish, 1007);

	/* Down from 10000 to 1: a lead of 7 becomes 70000 */
	vcrypt_wfq_reweight(&tree, &b, 10000, 1);
	KUNIT_EXPECT_EQ(test, b.key, 1000 + 7 * 10000);

	/* Not in the tree: only F moves; behind V: nothing moves */
	idle.finish = 1300;
	vcrypt_wfq_reweight(&tree, &idle, 300, 100);
	KUNIT_EXPECT_EQ(test, idle.finish, 1900);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_NODE(&idle.node));
	idle.finish = 400;
	vcrypt_wfq_reweight(&tree, &idle, 300, 100);
	KUNIT_EXPECT_EQ(test, idle.finish, 400);

	/* Across the wrap: V = 2^64 - 10, F = 10, lead 20 becomes 40 */
	tree.vtime = U64_MAX - 9;
	idle.finish = 10;
	vcrypt_wfq_reweight(&tree, &idle, 200, 100);
	KUNIT_EXPECT_EQ(test, idle.finish, 30);
}

/*
 * FIFO: the key is the arrival number of the entity's oldest job, the
 * virtual time and finish tags are left alone, and arrival numbers are
 * compared modulo 2^64 too.
 */
static void wfq_fifo_keys(struct kunit *test)
{
	struct vcrypt_sched_tree tree;
	struct vcrypt_sched_ent a, b;
	u64 next;

	wfq_tree_init(&tree, 77);
	wfq_ent_init(&a, 5);
	wfq_ent_init(&b, 6);
	vcrypt_wfq_activate(&tree, &a, VCRYPT_SCHED_FIFO, U64_MAX - 1);
	vcrypt_wfq_activate(&tree, &b, VCRYPT_SCHED_FIFO, U64_MAX);
	KUNIT_EXPECT_EQ(test, a.key, U64_MAX - 1);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &a);

	/* a's next job arrived after the wrap, after b's */
	next = 1;
	vcrypt_wfq_charge(&tree, &a, VCRYPT_SCHED_FIFO, 1000, 1, &next);
	KUNIT_EXPECT_EQ(test, a.key, 1);
	KUNIT_EXPECT_EQ(test, a.finish, 5);
	KUNIT_EXPECT_EQ(test, tree.vtime, 77);
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &b);

	vcrypt_wfq_charge(&tree, &b, VCRYPT_SCHED_FIFO, 1000, 1, NULL);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_NODE(&b.node));
	KUNIT_EXPECT_PTR_EQ(test, vcrypt_wfq_first(&tree), &a);
	vcrypt_wfq_rekey(&tree, &a, 0);
	KUNIT_EXPECT_EQ(test, a.key, 0);
}

/* The cost model with the card's default rates, 20000 ops/s and 100 MB/s */
static void wfq_cost_model(struct kunit *test)
{
	struct vcrypt_sched sched = {};

	vcrypt_sched_set_model(&sched, 20000, 100000000);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, 0), 50000);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, 16), 50160);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, 4096), 90960);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, 1 << 20), 10535760);

	/* No limit: 1000 ns a job, 1 ns a byte */
	vcrypt_sched_set_model(&sched, 0, 0);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, 0), 1000);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, 4096), 5096);

	/* At least 1 ns: rates too high for a nanosecond */
	vcrypt_sched_set_model(&sched, U64_MAX, U64_MAX);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, 0), 1);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, U32_MAX), 1);

	/* At most 1 s: one op a second plus any byte */
	vcrypt_sched_set_model(&sched, 1, 1);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, 0), 1000000000);
	KUNIT_EXPECT_EQ(test, vcrypt_sched_cost(&sched, U32_MAX), 1000000000);
}

static struct kunit_case wfq_cases[] = {
	KUNIT_CASE(wfq_start_tag_and_vtime),
	KUNIT_CASE(wfq_finish_tags),
	KUNIT_CASE(wfq_shares_by_weight),
	KUNIT_CASE(wfq_ties_in_arrival_order),
	KUNIT_CASE(wfq_join_takes_max),
	KUNIT_CASE(wfq_leave),
	KUNIT_CASE(wfq_wraparound),
	KUNIT_CASE(wfq_reweight),
	KUNIT_CASE(wfq_fifo_keys),
	KUNIT_CASE(wfq_cost_model),
	{}
};

static struct kunit_suite wfq_suite = {
	.name = "vcrypt_wfq",
	.test_cases = wfq_cases,
};

kunit_test_suite(wfq_suite);
