// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: the request and completion rings.
 *
 * Commands are written to the request ring in submission order and the card
 * completes them in that order, so the commands in flight always occupy the
 * slots just before rq_tail. A command keeps its request ring slot until its
 * completion entry is consumed: at most entries - 1 commands are in flight
 * and neither ring can overflow. The cookie of a descriptor is its slot in
 * the low half and a sequence number in the high half. A completion entry
 * whose cookie is not that of a command in flight is ignored; one that
 * skips older commands in flight means their completions were lost, and
 * they fail with -EIO.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/errno.h>
#include <linux/interrupt.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "vcrypt.h"
#include "vcrypt_trace.h"

static int vcrypt_ring_state_errno(struct vcrypt_ring *ring)
{
	switch (ring->state) {
	case VCRYPT_RING_RUNNING:
		return 0;
	case VCRYPT_RING_HALTED:
		return -EIO;
	default:
		return -ENODEV;
	}
}

/**
 * vcrypt_ring_oldest() - the slot of the oldest command in flight
 * @ring: the ring
 *
 * Return: the slot; the commands in flight occupy the slots from it up to
 * the one before rq_tail, modulo the ring size.
 */
VISIBLE_IF_KUNIT u32 vcrypt_ring_oldest(const struct vcrypt_ring *ring)
{
	return (ring->rq_tail - ring->stats.in_flight) & (ring->entries - 1);
}

/**
 * vcrypt_ring_cqe_slot() - the command in flight a completion names
 * @ring: the ring
 * @cookie: the cookie of the completion entry
 * @lost: set to the number of commands in flight older than that one
 *
 * Return: the slot of the command, or -ENOENT if @cookie names none: a
 * slot beyond the ring, a slot with no command in flight, or a sequence
 * number that is not the command's.
 */
VISIBLE_IF_KUNIT int vcrypt_ring_cqe_slot(const struct vcrypt_ring *ring,
					  u64 cookie, u32 *lost)
{
	u32 slot = lower_32_bits(cookie);
	u32 mask = ring->entries - 1;

	*lost = (slot - vcrypt_ring_oldest(ring)) & mask;
	if (slot > mask || *lost >= ring->stats.in_flight ||
	    le64_to_cpu(ring->cmds[slot]->desc.cookie) != cookie)
		return -ENOENT;
	return slot;
}

/**
 * vcrypt_ring_cq_peek() - the completion entry at the head, if it is new
 * @ring: the ring
 *
 * Return: the entry, or NULL if the card has not written it yet: its
 * phase bit is not the one expected on this pass over the ring.
 */
VISIBLE_IF_KUNIT struct vcrypt_hw_cqe *
vcrypt_ring_cq_peek(struct vcrypt_ring *ring)
{
	struct vcrypt_hw_cqe *cqe = &ring->cq[ring->cq_head];

	if ((le16_to_cpu(READ_ONCE(cqe->flags)) & VCRYPT_HW_CQE_PHASE) !=
	    ring->cq_phase)
		return NULL;
	return cqe;
}

/**
 * vcrypt_ring_cq_advance() - consume the completion entry at the head
 * @ring: the ring
 *
 * The phase expected at the head inverts each time the head wraps.
 */
VISIBLE_IF_KUNIT void vcrypt_ring_cq_advance(struct vcrypt_ring *ring)
{
	ring->cq_head = (ring->cq_head + 1) & (ring->entries - 1);
	if (!ring->cq_head)
		ring->cq_phase ^= VCRYPT_HW_CQE_PHASE;
}

static void vcrypt_ring_retire(struct vcrypt_ring *ring, u32 slot,
			       struct list_head *done)
{
	struct vcrypt_cmd *cmd = ring->cmds[slot];

	ring->cmds[slot] = NULL;
	ring->stats.in_flight--;
	ring->stats.completed++;
	if (cmd->status)
		ring->stats.errors++;
	list_add_tail(&cmd->node, done);
}

/* Finishes the oldest command in flight without a completion entry. */
static void vcrypt_ring_fail_oldest(struct vcrypt_ring *ring, int status,
				    struct list_head *done)
{
	u32 slot = vcrypt_ring_oldest(ring);

	vcrypt_cmd_fail(ring->cmds[slot], status);
	vcrypt_ring_retire(ring, slot, done);
}

/*
 * Completes the command of the entry @cqe, a copy of what the card wrote:
 * the card may rewrite the ring meanwhile, so every field is read once.
 */
static void vcrypt_ring_complete_cqe(struct vcrypt_dev *vd,
				     const struct vcrypt_hw_cqe *cqe,
				     struct list_head *done)
{
	struct vcrypt_ring *ring = &vd->ring;
	u64 cookie = le64_to_cpu(cqe->cookie);
	u16 flags = le16_to_cpu(cqe->flags);
	struct vcrypt_cmd *cmd;
	int slot;
	u32 lost;

	slot = vcrypt_ring_cqe_slot(ring, cookie, &lost);
	if (slot < 0) {
		ring->stats.bad_cqes++;
		trace_vcrypt_card_fault(vd, VCRYPT_FAULT_BAD_CQE, cookie);
		dev_err_ratelimited(vd->dev,
				    "completion with unknown cookie %#llx\n",
				    cookie);
		return;
	}

	if (lost) {
		ring->stats.lost_cqes += lost;
		trace_vcrypt_card_fault(vd, VCRYPT_FAULT_LOST_CQE, lost);
		dev_err_ratelimited(vd->dev,
				    "completions of %u commands missing\n",
				    lost);
		while (lost--)
			vcrypt_ring_fail_oldest(ring, -EIO, done);
	}

	cmd = ring->cmds[slot];
	cmd->hw_status = le16_to_cpu(cqe->status);
	cmd->out_len = le32_to_cpu(cqe->out_len);
	if (vcrypt_cqe_valid(cmd, cmd->hw_status, flags, cmd->out_len)) {
		cmd->status = vcrypt_hw_status_errno(cmd->hw_status);
	} else {
		ring->stats.bad_results++;
		trace_vcrypt_card_fault(vd, VCRYPT_FAULT_BAD_RESULT, cookie);
		dev_err_ratelimited(vd->dev,
				    "invalid completion of op %#x: status %u, flags %#x, out_len %u\n",
				    cmd->op, cmd->hw_status, flags,
				    cmd->out_len);
		cmd->status = -EIO;
	}
	if (cmd->status)
		cmd->out_len = 0;
	vcrypt_ring_retire(ring, slot, done);
}

/*
 * Moves completed commands to @done, consuming at most one ring's worth of
 * completion entries, so that a card that keeps writing entries cannot
 * keep the lock; returns the number consumed.
 */
static u32 vcrypt_ring_reap(struct vcrypt_dev *vd, struct list_head *done)
{
	struct vcrypt_ring *ring = &vd->ring;
	struct vcrypt_hw_cqe *cqe, copy;
	u32 n;

	lockdep_assert_held(&ring->lock);

	for (n = 0; n < ring->entries; n++) {
		cqe = vcrypt_ring_cq_peek(ring);
		if (!cqe)
			break;
		dma_rmb();

		memcpy(&copy, cqe, sizeof(copy));
		vcrypt_ring_complete_cqe(vd, &copy, done);
		vcrypt_ring_cq_advance(ring);
	}
	return n;
}

/* Fails every command in flight with @status, oldest first. */
static void vcrypt_ring_fail_all(struct vcrypt_ring *ring, int status,
				 struct list_head *done)
{
	lockdep_assert_held(&ring->lock);

	while (ring->stats.in_flight)
		vcrypt_ring_fail_oldest(ring, status, done);
}

static void vcrypt_ring_finish(struct vcrypt_dev *vd, struct list_head *done)
{
	struct vcrypt_cmd *cmd, *tmp;

	list_for_each_entry_safe(cmd, tmp, done, node) {
		vcrypt_cmd_unmap(vd, cmd);
		cmd->complete(cmd);
	}
}

static irqreturn_t vcrypt_ring_cq_irq(int irq, void *data)
{
	struct vcrypt_dev *vd = data;
	struct vcrypt_ring *ring = &vd->ring;
	unsigned long flags;
	LIST_HEAD(done);
	u32 n;

	/*
	 * The card signals once per batch: keep reaping while a pass used the
	 * whole ring, or entries written meanwhile would wait for the next
	 * interrupt.
	 */
	do {
		n = 0;
		spin_lock_irqsave(&ring->lock, flags);
		if (ring->state == VCRYPT_RING_RUNNING) {
			n = vcrypt_ring_reap(vd, &done);
			if (n)
				vcrypt_write(vd, VCRYPT_REG_CQ_HEAD,
					     ring->cq_head);
		}
		spin_unlock_irqrestore(&ring->lock, flags);

		vcrypt_ring_finish(vd, &done);
		INIT_LIST_HEAD(&done);
		cond_resched();
	} while (n == ring->entries);
	return IRQ_HANDLED;
}

static irqreturn_t vcrypt_ring_err_irq(int irq, void *data)
{
	struct vcrypt_dev *vd = data;
	struct vcrypt_ring *ring = &vd->ring;
	unsigned long flags;
	LIST_HEAD(done);
	u32 error;

	if (!(vcrypt_read(vd, VCRYPT_REG_STATUS) & VCRYPT_STATUS_ERROR))
		return IRQ_NONE;
	error = vcrypt_read(vd, VCRYPT_REG_ERROR);

	spin_lock_irqsave(&ring->lock, flags);
	if (ring->state == VCRYPT_RING_RUNNING) {
		dev_err(vd->dev, "card halted, error %u\n", error);
		trace_vcrypt_card_fault(vd, VCRYPT_FAULT_HALT, error);
		ring->state = VCRYPT_RING_HALTED;
		vcrypt_ring_reap(vd, &done);
		vcrypt_ring_fail_all(ring, -EIO, &done);
	}
	spin_unlock_irqrestore(&ring->lock, flags);

	vcrypt_ring_finish(vd, &done);
	return IRQ_HANDLED;
}

static int vcrypt_ring_request_irq(struct vcrypt_dev *vd, unsigned int vec,
				   irq_handler_t thread_fn, const char *what)
{
	const char *name;

	name = devm_kasprintf(vd->dev, GFP_KERNEL, "%s-%s@%s", KBUILD_MODNAME,
			      what, pci_name(vd->pdev));
	if (!name)
		return -ENOMEM;

	return devm_request_threaded_irq(vd->dev, pci_irq_vector(vd->pdev, vec),
					 NULL, thread_fn, IRQF_ONESHOT, name,
					 vd);
}

/**
 * vcrypt_ring_init() - allocate the rings and request their interrupts
 * @vd: the card, reset, with its MSI-X vectors allocated
 * @entries: entries per ring, a power of two the card supports
 *
 * Everything is device-managed. Interrupts are released before the rings
 * are freed, but the card must be reset before that.
 *
 * Return: 0 or a negative errno.
 */
int vcrypt_ring_init(struct vcrypt_dev *vd, u32 entries)
{
	struct vcrypt_ring *ring = &vd->ring;
	int ret;

	spin_lock_init(&ring->lock);
	ring->state = VCRYPT_RING_STOPPED;
	ring->entries = entries;

	ring->rq = dmam_alloc_coherent(vd->dev, entries * sizeof(*ring->rq),
				       &ring->rq_dma, GFP_KERNEL);
	ring->cq = dmam_alloc_coherent(vd->dev, entries * sizeof(*ring->cq),
				       &ring->cq_dma, GFP_KERNEL);
	ring->cmds = devm_kcalloc(vd->dev, entries, sizeof(*ring->cmds),
				  GFP_KERNEL);
	ring->sge_pool = dmam_pool_create("vcrypt_sge", vd->dev,
					  vd->max_sge * sizeof(struct vcrypt_hw_sge),
					  sizeof(struct vcrypt_hw_sge), 0);
	if (!ring->rq || !ring->cq || !ring->cmds || !ring->sge_pool)
		return -ENOMEM;

	ret = vcrypt_ring_request_irq(vd, VCRYPT_HW_VEC_CQ, vcrypt_ring_cq_irq,
				      "cq");
	if (ret)
		return ret;

	return vcrypt_ring_request_irq(vd, VCRYPT_HW_VEC_ERROR,
				       vcrypt_ring_err_irq, "err");
}

/**
 * vcrypt_ring_start() - program the empty rings into the card and enable it
 * @vd: the card, reset
 *
 * Return: 0, or -EIO if the card refuses the configuration; it is then reset.
 */
int vcrypt_ring_start(struct vcrypt_dev *vd)
{
	struct vcrypt_ring *ring = &vd->ring;
	unsigned long flags;
	u32 status;

	memset(ring->cq, 0, ring->entries * sizeof(*ring->cq));

	spin_lock_irqsave(&ring->lock, flags);
	ring->rq_tail = 0;
	ring->cq_head = 0;
	ring->cq_phase = VCRYPT_HW_CQE_PHASE;
	spin_unlock_irqrestore(&ring->lock, flags);

	vcrypt_write(vd, VCRYPT_REG_RQ_BASE_LO, lower_32_bits(ring->rq_dma));
	vcrypt_write(vd, VCRYPT_REG_RQ_BASE_HI, upper_32_bits(ring->rq_dma));
	vcrypt_write(vd, VCRYPT_REG_RQ_SIZE, ring->entries);
	vcrypt_write(vd, VCRYPT_REG_CQ_BASE_LO, lower_32_bits(ring->cq_dma));
	vcrypt_write(vd, VCRYPT_REG_CQ_BASE_HI, upper_32_bits(ring->cq_dma));
	vcrypt_write(vd, VCRYPT_REG_CQ_SIZE, ring->entries);
	vcrypt_write(vd, VCRYPT_REG_CTRL, VCRYPT_CTRL_ENABLE);

	/* Requests are accepted only once the card took the rings. */
	status = vcrypt_read(vd, VCRYPT_REG_STATUS);
	if (status & VCRYPT_STATUS_ENABLED && !(status & VCRYPT_STATUS_ERROR)) {
		spin_lock_irqsave(&ring->lock, flags);
		ring->state = VCRYPT_RING_RUNNING;
		spin_unlock_irqrestore(&ring->lock, flags);
		return 0;
	}

	dev_err(vd->dev, "card refused the rings: status %#x, error %u\n",
		status, vcrypt_read(vd, VCRYPT_REG_ERROR));
	vcrypt_ring_stop(vd);
	return -EIO;
}

/**
 * vcrypt_ring_stop() - reset the card and fail all commands in flight
 * @vd: the card
 *
 * Afterwards the card does no DMA and vcrypt_ring_submit() fails with
 * -ENODEV. Commands in flight complete with -ENODEV before this returns.
 */
void vcrypt_ring_stop(struct vcrypt_dev *vd)
{
	struct vcrypt_ring *ring = &vd->ring;
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&ring->lock, flags);
	ring->state = VCRYPT_RING_STOPPED;
	vcrypt_hw_reset(vd);
	vcrypt_ring_fail_all(ring, -ENODEV, &done);
	spin_unlock_irqrestore(&ring->lock, flags);

	vcrypt_ring_finish(vd, &done);
}

/**
 * vcrypt_ring_submit() - start a command on the card
 * @vd: the card
 * @cmd: the command, filled in by the caller
 *
 * On success the command belongs to the ring until its ->complete() is
 * called. Any context.
 *
 * Return: 0; -EBUSY if the ring is full (retry after a completion); -EIO if
 * the card has halted; -ENODEV if it is going away; or another negative
 * errno if the command cannot be mapped. On error ->complete() is not called.
 */
int vcrypt_ring_submit(struct vcrypt_dev *vd, struct vcrypt_cmd *cmd)
{
	struct vcrypt_ring *ring = &vd->ring;
	unsigned long flags;
	u32 tail;
	int ret;

	ret = vcrypt_cmd_map(vd, cmd);
	if (ret)
		return ret;

	spin_lock_irqsave(&ring->lock, flags);
	tail = ring->rq_tail;
	ret = vcrypt_ring_state_errno(ring);
	if (!ret && ring->stats.in_flight == ring->entries - 1)
		ret = -EBUSY;
	if (ret) {
		spin_unlock_irqrestore(&ring->lock, flags);
		vcrypt_cmd_unmap(vd, cmd);
		return ret;
	}

	cmd->desc.cookie = cpu_to_le64((u64)ring->seq++ << 32 | tail);
	ring->rq[tail] = cmd->desc;
	ring->cmds[tail] = cmd;
	ring->stats.in_flight++;
	ring->stats.submitted++;
	ring->rq_tail = (tail + 1) & (ring->entries - 1);
	vcrypt_write(vd, VCRYPT_REG_RQ_TAIL, ring->rq_tail);
	spin_unlock_irqrestore(&ring->lock, flags);

	return 0;
}

/**
 * vcrypt_ring_get_stats() - snapshot of the ring counters
 * @vd: the card
 * @stats: filled in
 */
void vcrypt_ring_get_stats(struct vcrypt_dev *vd,
			   struct vcrypt_ring_stats *stats)
{
	unsigned long flags;

	spin_lock_irqsave(&vd->ring.lock, flags);
	*stats = vd->ring.stats;
	spin_unlock_irqrestore(&vd->ring.lock, flags);
}
