// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: debugfs files of a card.
 *
 * vcrypt/<PCI address>/raw: VCRYPT_DBG_IOC_RAW runs one operation on the
 * card, passing the caller's parameters to the descriptor unchecked.
 * vcrypt/<PCI address>/stats: the card's and the driver's counters.
 * vcrypt/<PCI address>/paused: 1 holds back the scheduler's dispatch.
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/jiffies.h>
#include <linux/pci.h>
#include <linux/refcount.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vcrypt.h>

#include "vcrypt.h"
#include "vcrypt_dbg.h"
#include "vcrypt_sched.h"

#define VCRYPT_RAW_DATA_MAX	(2 * VCRYPT_HW_DATA_MAX)
#define VCRYPT_RAW_PAGE_ORDER	2
#define VCRYPT_RAW_TIMEOUT	(10 * HZ)

static struct dentry *vcrypt_debugfs_root;

/**
 * struct vcrypt_raw - one VCRYPT_DBG_IOC_RAW operation
 * @src: source bounce buffer, or NULL
 * @dst: destination bounce buffer, or NULL
 * @done: completed when @cmd is
 * @refs: one for the ioctl, one for the command until it completes
 * @cmd: the card command
 */
struct vcrypt_raw {
	struct scatterlist *src;
	struct scatterlist *dst;
	struct completion done;
	refcount_t refs;
	struct vcrypt_cmd cmd;
};

static void vcrypt_raw_free(struct vcrypt_raw *raw)
{
	sgl_free_order(raw->dst, VCRYPT_RAW_PAGE_ORDER);
	sgl_free_order(raw->src, VCRYPT_RAW_PAGE_ORDER);
	kfree_sensitive(raw);
}

static void vcrypt_raw_put(struct vcrypt_raw *raw)
{
	if (refcount_dec_and_test(&raw->refs))
		vcrypt_raw_free(raw);
}

static void vcrypt_raw_complete(struct vcrypt_cmd *cmd)
{
	struct vcrypt_raw *raw = container_of(cmd, struct vcrypt_raw, cmd);

	complete(&raw->done);
	vcrypt_raw_put(raw);
}

static int vcrypt_raw_check(const struct vcrypt_dbg_raw *args)
{
	const struct vcrypt_op *op = &args->op;

	if (args->reserved || memchr_inv(op->reserved, 0, sizeof(op->reserved)))
		return -EINVAL;
	if (op->alg > U8_MAX || op->flags > U8_MAX || op->key_len > U8_MAX ||
	    op->iv_len > U8_MAX || op->tag_len > U8_MAX)
		return -EINVAL;
	if (op->src_len > VCRYPT_RAW_DATA_MAX ||
	    op->dst_len > VCRYPT_RAW_DATA_MAX)
		return -E2BIG;
	if (!access_ok(u64_to_user_ptr(op->dst), op->dst_len))
		return -EFAULT;
	return 0;
}

static struct scatterlist *vcrypt_raw_alloc_buf(u32 len, gfp_t gfp)
{
	return sgl_alloc_order(len, VCRYPT_RAW_PAGE_ORDER, false, gfp, NULL);
}

static int vcrypt_raw_copy_in(struct scatterlist *sgl, u64 uptr, u32 len)
{
	void __user *p = u64_to_user_ptr(uptr);
	struct scatterlist *sg;

	for (sg = sgl; len; sg = sg_next(sg)) {
		if (copy_from_user(sg_virt(sg), p, sg->length))
			return -EFAULT;
		p += sg->length;
		len -= sg->length;
	}
	return 0;
}

static int vcrypt_raw_copy_out(u64 uptr, struct scatterlist *sgl, u32 len)
{
	void __user *p = u64_to_user_ptr(uptr);
	struct scatterlist *sg;
	u32 n;

	for (sg = sgl; len; sg = sg_next(sg)) {
		n = min(sg->length, len);
		if (copy_to_user(p, sg_virt(sg), n))
			return -EFAULT;
		p += n;
		len -= n;
	}
	return 0;
}

static struct vcrypt_raw *vcrypt_raw_alloc(const struct vcrypt_op *op)
{
	struct vcrypt_raw *raw;

	raw = kzalloc(sizeof(*raw), GFP_KERNEL);
	if (!raw)
		return NULL;

	init_completion(&raw->done);
	if (op->src_len) {
		raw->src = vcrypt_raw_alloc_buf(op->src_len, GFP_KERNEL);
		if (!raw->src)
			goto err;
	}
	if (op->dst_len) {
		raw->dst = vcrypt_raw_alloc_buf(op->dst_len,
						GFP_KERNEL | __GFP_ZERO);
		if (!raw->dst)
			goto err;
	}
	return raw;

err:
	vcrypt_raw_free(raw);
	return NULL;
}

static int vcrypt_raw_fill(struct vcrypt_raw *raw, const struct vcrypt_op *op)
{
	struct vcrypt_cmd *cmd = &raw->cmd;

	if (copy_from_user(cmd->key, u64_to_user_ptr(op->key), op->key_len) ||
	    copy_from_user(cmd->iv, u64_to_user_ptr(op->iv), op->iv_len))
		return -EFAULT;
	if (vcrypt_raw_copy_in(raw->src, op->src, op->src_len))
		return -EFAULT;

	cmd->op = op->alg;
	cmd->flags = op->flags;
	cmd->key_len = op->key_len;
	cmd->iv_len = op->iv_len;
	cmd->tag_len = op->tag_len;
	cmd->aad_len = op->aad_len;
	cmd->src = raw->src;
	cmd->dst = raw->dst;
	cmd->src_len = op->src_len;
	cmd->dst_len = op->dst_len;
	cmd->complete = vcrypt_raw_complete;
	return 0;
}

static int vcrypt_raw_finish(struct vcrypt_raw *raw,
			     struct vcrypt_dbg_raw *args,
			     struct vcrypt_dbg_raw __user *uargs)
{
	struct vcrypt_cmd *cmd = &raw->cmd;
	struct vcrypt_op *op = &args->op;

	if (!cmd->status) {
		if (vcrypt_raw_copy_out(op->dst, raw->dst, cmd->out_len))
			return -EFAULT;
		if ((op->alg == VCRYPT_HW_OP_AES_CBC ||
		     op->alg == VCRYPT_HW_OP_AES_CTR) &&
		    copy_to_user(u64_to_user_ptr(op->iv), cmd->iv, op->iv_len))
			return -EFAULT;
	}

	op->out_len = cmd->out_len;
	args->hw_status = cmd->hw_status == VCRYPT_CMD_NO_CQE ?
			  VCRYPT_DBG_NO_HW_STATUS : cmd->hw_status;
	if (copy_to_user(uargs, args, sizeof(*args)))
		return -EFAULT;
	return cmd->status;
}

static long vcrypt_raw_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct vcrypt_dbg_raw __user *uargs = (void __user *)arg;
	struct vcrypt_dev *vd = file->private_data;
	struct vcrypt_dbg_raw args;
	struct vcrypt_raw *raw;
	long left;
	int ret;

	if (cmd != VCRYPT_DBG_IOC_RAW)
		return -ENOTTY;
	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	ret = vcrypt_raw_check(&args);
	if (ret)
		return ret;

	raw = vcrypt_raw_alloc(&args.op);
	if (!raw)
		return -ENOMEM;

	ret = vcrypt_raw_fill(raw, &args.op);
	if (!ret) {
		refcount_set(&raw->refs, 2);
		ret = vcrypt_ring_submit(vd, &raw->cmd);
	}
	if (ret) {
		vcrypt_raw_free(raw);
		return ret;
	}

	left = wait_for_completion_interruptible_timeout(&raw->done,
							 VCRYPT_RAW_TIMEOUT);
	if (left > 0)
		ret = vcrypt_raw_finish(raw, &args, uargs);
	else
		ret = left ? -EINTR : -ETIMEDOUT;
	vcrypt_raw_put(raw);
	return ret;
}

static const struct file_operations vcrypt_raw_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.unlocked_ioctl = vcrypt_raw_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static int vcrypt_stats_show(struct seq_file *m, void *v)
{
	struct vcrypt_dev *vd = m->private;
	struct vcrypt_ring_stats st;

	vcrypt_ring_get_stats(vd, &st);

	seq_printf(m, "card_ops %llu\n",
		   readq(vd->regs + VCRYPT_REG_STAT_OPS));
	seq_printf(m, "card_bytes %llu\n",
		   readq(vd->regs + VCRYPT_REG_STAT_BYTES));
	seq_printf(m, "card_errors %llu\n",
		   readq(vd->regs + VCRYPT_REG_STAT_ERRORS));
	seq_printf(m, "card_busy_ns %llu\n",
		   readq(vd->regs + VCRYPT_REG_STAT_BUSY_NS));
	seq_printf(m, "card_rate_ops %llu\n",
		   readq(vd->regs + VCRYPT_REG_RATE_OPS));
	seq_printf(m, "card_rate_bytes %llu\n",
		   readq(vd->regs + VCRYPT_REG_RATE_BYTES));
	seq_printf(m, "card_caps %#x\n", vd->caps);
	seq_printf(m, "card_max_ring %u\n", vd->max_ring);
	seq_printf(m, "card_max_data %u\n", vd->max_data);
	seq_printf(m, "card_max_sge %u\n", vd->max_sge);
	seq_printf(m, "ring_entries %u\n", vd->ring.entries);
	seq_printf(m, "submitted %llu\n", st.submitted);
	seq_printf(m, "completed %llu\n", st.completed);
	seq_printf(m, "in_flight %u\n", st.in_flight);
	seq_printf(m, "errors %llu\n", st.errors);
	seq_printf(m, "bad_cqes %llu\n", st.bad_cqes);
	seq_printf(m, "bad_results %llu\n", st.bad_results);
	seq_printf(m, "lost_cqes %llu\n", st.lost_cqes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vcrypt_stats);

static ssize_t vcrypt_paused_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct vcrypt_dev *vd = file->private_data;
	char buf[3];

	buf[0] = vcrypt_sched_paused(vd->sched) ? '1' : '0';
	buf[1] = '\n';
	buf[2] = '\0';
	return simple_read_from_buffer(ubuf, count, ppos, buf, 2);
}

static ssize_t vcrypt_paused_write(struct file *file,
				   const char __user *ubuf, size_t count,
				   loff_t *ppos)
{
	struct vcrypt_dev *vd = file->private_data;
	bool pause;
	int ret;

	ret = kstrtobool_from_user(ubuf, count, &pause);
	if (ret)
		return ret;
	vcrypt_sched_pause(vd->sched, pause);
	return count;
}

static const struct file_operations vcrypt_paused_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vcrypt_paused_read,
	.write = vcrypt_paused_write,
	.llseek = default_llseek,
};

/**
 * vcrypt_debugfs_init() - create the debugfs directory of the driver
 */
void vcrypt_debugfs_init(void)
{
	vcrypt_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
}

/**
 * vcrypt_debugfs_exit() - remove the debugfs directory of the driver
 */
void vcrypt_debugfs_exit(void)
{
	debugfs_remove(vcrypt_debugfs_root);
}

/**
 * vcrypt_debugfs_add() - create the debugfs files of a card
 * @vd: the card, running
 *
 * The files hold a reference to the card's scheduler until they are
 * removed.
 */
void vcrypt_debugfs_add(struct vcrypt_dev *vd)
{
	kref_get(&vd->sched->ref);
	vd->debugfs = debugfs_create_dir(pci_name(vd->pdev),
					 vcrypt_debugfs_root);
	debugfs_create_file("raw", 0600, vd->debugfs, vd, &vcrypt_raw_fops);
	debugfs_create_file("stats", 0400, vd->debugfs, vd,
			    &vcrypt_stats_fops);
	debugfs_create_file("paused", 0600, vd->debugfs, vd,
			    &vcrypt_paused_fops);
}

/**
 * vcrypt_debugfs_remove() - remove the debugfs files of a card
 * @vd: the card
 *
 * Waits for calls in progress on the files to return.
 */
void vcrypt_debugfs_remove(struct vcrypt_dev *vd)
{
	debugfs_remove(vd->debugfs);
	vcrypt_sched_put(vd->sched);
}
