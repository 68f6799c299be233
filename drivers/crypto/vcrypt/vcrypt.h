/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcrypt: driver-private definitions.
 */
#ifndef _VCRYPT_H
#define _VCRYPT_H

#include <linux/cache.h>
#include <linux/io.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include "vcrypt_hw.h"

struct dentry;
struct device;
struct dma_pool;
struct kmem_cache;
struct pci_dev;
struct attribute_group;
struct scatterlist;
struct vcrypt_host;
struct vcrypt_sched;
struct vcrypt_slice;

/* Slices per card; the minor of slice s of card c is c * this + s */
#define VCRYPT_SLICES_MAX	256

/* struct vcrypt_cmd.hw_status of a command failed without a completion */
#define VCRYPT_CMD_NO_CQE	U32_MAX

/**
 * struct vcrypt_cmd - one operation on the card
 * @op: VCRYPT_HW_OP_*
 * @flags: VCRYPT_HW_DF_*
 * @key_len: bytes of @key the card reads
 * @iv_len: bytes of @iv the card reads (and writes back for CBC and CTR)
 * @tag_len: AES-GCM tag length
 * @aad_len: AES-GCM associated data length
 * @src: source scatterlist, at least @src_len bytes; may equal @dst
 * @dst: destination scatterlist, at least @dst_len bytes
 * @src_len: source length in bytes
 * @dst_len: destination room in bytes
 * @complete: called once the command is finished, in process context and
 *	without driver locks held; may free the command or submit new ones
 * @status: set before @complete: 0 or a negative errno
 * @hw_status: set before @complete: the card's VCRYPT_HW_ST_* status, or
 *	VCRYPT_CMD_NO_CQE if the driver failed the command
 * @out_len: set before @complete: bytes the card wrote to @dst
 * @desc: private: the descriptor, built when the command is mapped
 * @node: private: entry in a list of finished commands
 * @src_nents: private: entries of @src mapped for DMA
 * @dst_nents: private: entries of @dst mapped for DMA
 * @src_sge: private: SG table of the source, or NULL
 * @dst_sge: private: SG table of the destination, or NULL
 * @src_sge_dma: private: bus address of @src_sge
 * @dst_sge_dma: private: bus address of @dst_sge
 * @key_dma: private: bus address of @key
 * @iv_dma: private: bus address of @iv
 * @key: the key; room for any length the descriptor can encode
 * @iv: the IV; room for any length the descriptor can encode
 *
 * The card layer: vcrypt_ring_submit() maps it and puts it on the card,
 * and calls @complete when the card or the driver finished it. It is
 * embedded in whatever carries it there: a scheduler job
 * (struct vcrypt_job) or a debugfs raw operation.
 */
struct vcrypt_cmd {
	u8 op;
	u8 flags;
	u8 key_len;
	u8 iv_len;
	u8 tag_len;
	u32 aad_len;
	struct scatterlist *src;
	struct scatterlist *dst;
	u32 src_len;
	u32 dst_len;
	void (*complete)(struct vcrypt_cmd *cmd);

	int status;
	u32 hw_status;
	u32 out_len;

	struct vcrypt_hw_desc desc;
	struct list_head node;
	int src_nents;
	int dst_nents;
	struct vcrypt_hw_sge *src_sge;
	struct vcrypt_hw_sge *dst_sge;
	dma_addr_t src_sge_dma;
	dma_addr_t dst_sge_dma;
	dma_addr_t key_dma;
	dma_addr_t iv_dma;

	u8 key[U8_MAX] __aligned(ARCH_DMA_MINALIGN);
	u8 iv[U8_MAX] __aligned(ARCH_DMA_MINALIGN);
};

/**
 * vcrypt_cmd_fail() - set the result of a command failed by the driver
 * @cmd: the command, not on the card
 * @status: a negative errno
 */
static inline void vcrypt_cmd_fail(struct vcrypt_cmd *cmd, int status)
{
	cmd->status = status;
	cmd->hw_status = VCRYPT_CMD_NO_CQE;
	cmd->out_len = 0;
}

/**
 * enum vcrypt_ring_state - whether the ring accepts commands
 * @VCRYPT_RING_STOPPED: not started, or stopped for removal: -ENODEV
 * @VCRYPT_RING_RUNNING: the card processes the ring
 * @VCRYPT_RING_HALTED: the card halted on an error: -EIO
 */
enum vcrypt_ring_state {
	VCRYPT_RING_STOPPED,
	VCRYPT_RING_RUNNING,
	VCRYPT_RING_HALTED,
};

/**
 * struct vcrypt_ring_stats - driver counters of the ring
 * @submitted: commands written to the request ring
 * @completed: submitted commands finished, successfully or not
 * @errors: completed commands that finished with an error
 * @bad_cqes: completion entries ignored for an unknown cookie
 * @bad_results: completion entries of a command in flight whose status,
 *	flags or out_len break the card's specification; the command failed
 *	with -EIO
 * @lost_cqes: commands failed because the card skipped their completion
 * @in_flight: commands submitted and not yet completed
 */
struct vcrypt_ring_stats {
	u64 submitted;
	u64 completed;
	u64 errors;
	u64 bad_cqes;
	u64 bad_results;
	u64 lost_cqes;
	u32 in_flight;
};

/**
 * struct vcrypt_ring - the request and completion rings
 * @lock: protects the rings, @cmds, @state and @stats
 * @state: whether commands are accepted
 * @entries: entries in each ring, a power of two
 * @rq: request ring
 * @cq: completion ring
 * @rq_dma: bus address of @rq
 * @cq_dma: bus address of @cq
 * @cmds: command in flight in each request ring slot, or NULL
 * @rq_tail: next request ring slot to fill
 * @cq_head: next completion entry to consume
 * @cq_phase: phase bit of valid entries at @cq_head
 * @seq: upper half of the next cookie
 * @sge_pool: SG tables of VCRYPT_REG_MAX_SGE entries
 * @stats: counters
 */
struct vcrypt_ring {
	spinlock_t lock; /* protects everything below */
	enum vcrypt_ring_state state;
	u32 entries;
	struct vcrypt_hw_desc *rq;
	struct vcrypt_hw_cqe *cq;
	dma_addr_t rq_dma;
	dma_addr_t cq_dma;
	struct vcrypt_cmd **cmds;
	u32 rq_tail;
	u32 cq_head;
	u16 cq_phase;
	u32 seq;
	struct dma_pool *sge_pool;
	struct vcrypt_ring_stats stats;
};

/**
 * struct vcrypt_dev - one vcrypt card
 * @pdev: the PCI device
 * @dev: &pdev->dev
 * @regs: BAR0 registers
 * @caps: VCRYPT_REG_CAPS: BIT(op) for each supported operation
 * @max_ring: VCRYPT_REG_MAX_RING, at most VCRYPT_HW_RING_MAX
 * @max_data: VCRYPT_REG_MAX_DATA, at most VCRYPT_HW_DATA_MAX
 * @max_sge: VCRYPT_REG_MAX_SGE, at most VCRYPT_HW_SGE_MAX
 * @ring: the rings
 * @debugfs: debugfs directory of the card
 * @index: the card's index among the cards bound
 * @sched: the request scheduler
 * @slices_lock: protects @nr_slices and @slices
 * @nr_slices: slices of the card
 * @slices: the slices, by number
 * @host: the card's front end in the crypto API, with its host slice
 */
struct vcrypt_dev {
	struct pci_dev *pdev;
	struct device *dev;
	void __iomem *regs;
	u32 caps;
	u32 max_ring;
	u32 max_data;
	u32 max_sge;
	struct vcrypt_ring ring;
	struct dentry *debugfs;
	unsigned int index;
	struct vcrypt_sched *sched;
	struct mutex slices_lock; /* see above */
	unsigned int nr_slices;
	struct vcrypt_slice *slices[VCRYPT_SLICES_MAX];
	struct vcrypt_host *host;
};

static inline u32 vcrypt_read(struct vcrypt_dev *vd, unsigned int reg)
{
	return readl(vd->regs + reg);
}

static inline void vcrypt_write(struct vcrypt_dev *vd, unsigned int reg,
				u32 val)
{
	writel(val, vd->regs + reg);
}

void vcrypt_hw_reset(struct vcrypt_dev *vd);
void vcrypt_free_secret(struct kmem_cache *cache, void *obj, size_t size);

int vcrypt_cmd_map(struct vcrypt_dev *vd, struct vcrypt_cmd *cmd);
void vcrypt_cmd_unmap(struct vcrypt_dev *vd, struct vcrypt_cmd *cmd);
int vcrypt_hw_status_errno(u32 hw_status);
bool vcrypt_cqe_valid(const struct vcrypt_cmd *cmd, u16 hw_status, u16 flags,
		      u32 out_len);

#if IS_ENABLED(CONFIG_KUNIT)
u32 vcrypt_ring_oldest(const struct vcrypt_ring *ring);
int vcrypt_ring_cqe_slot(const struct vcrypt_ring *ring, u64 cookie,
			 u32 *lost);
struct vcrypt_hw_cqe *vcrypt_ring_cq_peek(struct vcrypt_ring *ring);
void vcrypt_ring_cq_advance(struct vcrypt_ring *ring);
#endif

int vcrypt_ring_init(struct vcrypt_dev *vd, u32 entries);
int vcrypt_ring_start(struct vcrypt_dev *vd);
void vcrypt_ring_stop(struct vcrypt_dev *vd);
int vcrypt_ring_submit(struct vcrypt_dev *vd, struct vcrypt_cmd *cmd);
void vcrypt_ring_get_stats(struct vcrypt_dev *vd,
			   struct vcrypt_ring_stats *stats);

int vcrypt_slice_init(void);
void vcrypt_slice_exit(void);
int vcrypt_slices_add_card(struct vcrypt_dev *vd);
void vcrypt_slices_stop_card(struct vcrypt_dev *vd);
void vcrypt_slices_remove_card(struct vcrypt_dev *vd);
struct vcrypt_slice *vcrypt_host_slice_create(struct vcrypt_dev *vd,
					      void *host);
void vcrypt_slice_stop(struct vcrypt_slice *slice);
void vcrypt_slice_kill(struct vcrypt_slice *slice);
int vcrypt_file_init(void);
void vcrypt_file_exit(void);
extern const struct file_operations vcrypt_fops;
extern const struct attribute_group *vcrypt_card_groups[];

int vcrypt_crypto_add_card(struct vcrypt_dev *vd);
void vcrypt_crypto_stop_card(struct vcrypt_dev *vd);
void vcrypt_crypto_remove_card(struct vcrypt_dev *vd);
int vcrypt_crypto_init(void);
void vcrypt_crypto_exit(void);
extern const struct attribute_group vcrypt_host_group;

void vcrypt_debugfs_init(void);
void vcrypt_debugfs_exit(void);
void vcrypt_debugfs_add(struct vcrypt_dev *vd);
void vcrypt_debugfs_remove(struct vcrypt_dev *vd);

#endif /* _VCRYPT_H */
