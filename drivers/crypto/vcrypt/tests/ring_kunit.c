// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite vcrypt_ring: the index arithmetic of the rings, without a
 * card.
 *
 * Expected values come from Documentation/card-spec.rst ("Completion
 * ring") and the ring's rules: the commands in flight occupy the slots
 * just before rq_tail, oldest first; a descriptor's cookie is its slot in
 * the low half and a sequence number in the high half; a completion that
 * skips older commands in flight means theirs were lost; a completion
 * entry is new when its phase bit is 1 on the card's first pass over the
 * ring and inverted at each wrap.
 */
#include <kunit/test.h>

#include "../vcrypt.h"

#define RING_ENTRIES	8

/*
 * A ring of 8 with four commands in flight, submitted in the order of
 * slots 6, 7, 0 and 1 with the sequence numbers 100 to 103; rq_tail 2.
 */
static struct vcrypt_ring *ring_in_flight(struct kunit *test)
{
	static const u32 slots[] = { 6, 7, 0, 1 };
	struct vcrypt_ring *ring;
	struct vcrypt_cmd *cmd;
	unsigned int i;

	ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring);
	ring->entries = RING_ENTRIES;
	ring->cmds = kunit_kcalloc(test, RING_ENTRIES, sizeof(*ring->cmds),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring->cmds);
	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, cmd);
		cmd->desc.cookie = cpu_to_le64((u64)(100 + i) << 32 | slots[i]);
		ring->cmds[slots[i]] = cmd;
	}
	ring->stats.in_flight = ARRAY_SIZE(slots);
	ring->rq_tail = 2;
	ring->seq = 104;
	return ring;
}

static u64 ring_cookie(u32 seq, u32 slot)
{
	return (u64)seq << 32 | slot;
}

/* The oldest command in flight: rq_tail - in_flight, modulo the size */
static void ring_oldest(struct kunit *test)
{
	static const struct {
		u32 entries, tail, in_flight, oldest;
	} cases[] = {
		{ 8, 2, 4, 6 },
		{ 8, 0, 0, 0 },
		{ 8, 5, 0, 5 },
		{ 8, 5, 7, 6 },		/* full: entries - 1 in flight */
		{ 8, 7, 7, 0 },
		{ 4, 0, 1, 3 },
		{ 4096, 0, 1, 4095 },
		{ 4096, 100, 4095, 101 },
		{ 2, 1, 1, 0 },
	};
	struct vcrypt_ring ring = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ring.entries = cases[i].entries;
		ring.rq_tail = cases[i].tail;
		ring.stats.in_flight = cases[i].in_flight;
		KUNIT_EXPECT_EQ_MSG(test, vcrypt_ring_oldest(&ring),
				    cases[i].oldest, "entries %u, tail %u, %u in flight",
				    cases[i].entries, cases[i].tail,
				    cases[i].in_flight);
	}
}

/* A completion of each command in flight, and what it says was lost */
static void ring_cqe_lost(struct kunit *test)
{
	struct vcrypt_ring *ring = ring_in_flight(test);
	u32 lost = U32_MAX;

	KUNIT_EXPECT_EQ(test, vcrypt_ring_cqe_slot(ring, ring_cookie(100, 6),
						   &lost), 6);
	KUNIT_EXPECT_EQ(test, lost, 0);
	KUNIT_EXPECT_EQ(test, vcrypt_ring_cqe_slot(ring, ring_cookie(101, 7),
						   &lost), 7);
	KUNIT_EXPECT_EQ(test, lost, 1);
	KUNIT_EXPECT_EQ(test, vcrypt_ring_cqe_slot(ring, ring_cookie(102, 0),
						   &lost), 0);
	KUNIT_EXPECT_EQ(test, lost, 2);
	KUNIT_EXPECT_EQ(test, vcrypt_ring_cqe_slot(ring, ring_cookie(103, 1),
						   &lost), 1);
	KUNIT_EXPECT_EQ(test, lost, 3);
}

/* A slot beyond the ring's mask names no command. */
static void ring_cqe_beyond_mask(struct kunit *test)
{
	static const u32 slots[] = { 8, 9, 14, 16, 0x80000000, U32_MAX };
	struct vcrypt_ring *ring = ring_in_flight(test);
	unsigned int i;
	u32 lost;

	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		/* the sequence of a command in flight, in the high half */
		KUNIT_EXPECT_EQ_MSG(test,
				    vcrypt_ring_cqe_slot(ring,
							 ring_cookie(100, slots[i]),
							 &lost),
				    -ENOENT, "slot %#x", slots[i]);
		KUNIT_EXPECT_EQ_MSG(test,
				    vcrypt_ring_cqe_slot(ring,
							 ring_cookie(102, slots[i]),
							 &lost),
				    -ENOENT, "slot %#x", slots[i]);
	}
}

/* A slot inside the ring with no command in flight names none. */
static void ring_cqe_not_in_flight(struct kunit *test)
{
	struct vcrypt_ring *ring = ring_in_flight(test);
	u32 slot, lost;

	for (slot = 2; slot <= 5; slot++) {
		KUNIT_EXPECT_EQ_MSG(test,
				    vcrypt_ring_cqe_slot(ring,
							 ring_cookie(104, slot),
							 &lost),
				    -ENOENT, "slot %u", slot);
		KUNIT_EXPECT_EQ_MSG(test,
				    vcrypt_ring_cqe_slot(ring,
							 ring_cookie(0, slot),
							 &lost),
				    -ENOENT, "slot %u", slot);
	}

	/* Nothing in flight: no cookie is known */
	ring->stats.in_flight = 0;
	for (slot = 0; slot < RING_ENTRIES; slot++)
		KUNIT_EXPECT_EQ_MSG(test,
				    vcrypt_ring_cqe_slot(ring,
							 ring_cookie(100, slot),
							 &lost),
				    -ENOENT, "slot %u", slot);
}

/* The right slot with another sequence number: a stale or forged entry */
static void ring_cqe_bad_sequence(struct kunit *test)
{
	static const u32 seqs[] = { 0, 99, 101, 103, 104, 100 | BIT(31),
				    U32_MAX };
	struct vcrypt_ring *ring = ring_in_flight(test);
	unsigned int i;
	u32 lost;

	for (i = 0; i < ARRAY_SIZE(seqs); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    vcrypt_ring_cqe_slot(ring,
							 ring_cookie(seqs[i], 6),
							 &lost),
				    -ENOENT, "sequence %u", seqs[i]);
	KUNIT_EXPECT_EQ(test, vcrypt_ring_cqe_slot(ring, ring_cookie(100, 6),
						   &lost), 6);
}

static void ring_card_writes(struct vcrypt_ring *ring, u32 index, u16 phase)
{
	ring->cq[index].flags = cpu_to_le16(phase);
}

/*
 * The completion ring of 4: on the first pass entries with phase 1 are
 * new; after the head wraps, those are old and entries with phase 0 are
 * new; after the next wrap, phase 1 again.
 */
static void ring_cq_phase(struct kunit *test)
{
	struct vcrypt_ring ring = { .entries = 4 };
	unsigned int pass, i;
	u16 phase;

	ring.cq = kunit_kcalloc(test, ring.entries, sizeof(*ring.cq),
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring.cq);
	/* as vcrypt_ring_start() leaves it: zeroed, head 0, phase 1 */
	ring.cq_phase = VCRYPT_HW_CQE_PHASE;

	for (pass = 0; pass < 3; pass++) {
		phase = pass % 2 ? 0 : VCRYPT_HW_CQE_PHASE;
		for (i = 0; i < ring.entries; i++) {
			KUNIT_EXPECT_EQ(test, ring.cq_head, i);
			KUNIT_EXPECT_NULL_MSG(test, vcrypt_ring_cq_peek(&ring),
					      "pass %u, entry %u not written",
					      pass, i);
			ring_card_writes(&ring, i, phase);
			KUNIT_EXPECT_PTR_EQ_MSG(test,
						vcrypt_ring_cq_peek(&ring),
						&ring.cq[i], "pass %u, entry %u",
						pass, i);
			vcrypt_ring_cq_advance(&ring);
		}
		KUNIT_EXPECT_EQ(test, ring.cq_head, 0);
		KUNIT_EXPECT_EQ(test, ring.cq_phase, phase ^ VCRYPT_HW_CQE_PHASE);
	}

	/* Bits of flags other than the phase do not make an entry new. */
	ring.cq[0].flags = cpu_to_le16(0xfffe);
	ring.cq_phase = VCRYPT_HW_CQE_PHASE;
	KUNIT_EXPECT_NULL(test, vcrypt_ring_cq_peek(&ring));
}

static struct kunit_case ring_cases[] = {
	KUNIT_CASE(ring_oldest),
	KUNIT_CASE(ring_cqe_lost),
	KUNIT_CASE(ring_cqe_beyond_mask),
	KUNIT_CASE(ring_cqe_not_in_flight),
	KUNIT_CASE(ring_cqe_bad_sequence),
	KUNIT_CASE(ring_cq_phase),
	{}
};

static struct kunit_suite ring_suite = {
	.name = "vcrypt_ring",
	.test_cases = ring_cases,
};

kunit_test_suite(ring_suite);
