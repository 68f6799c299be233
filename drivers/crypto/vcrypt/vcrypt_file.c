// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: the character device of a slice, /dev/vcryptN.
 *
 * Every open file is a queue of its slice with its own sessions (keys
 * kept by the kernel), its own jobs and its own list of completions, which
 * read(2) returns. A file has at most VCRYPT_MAX_QUEUE requests outstanding
 * (queued, on the card, or completed and not yet read), and accepts a new
 * one only while the bytes of the buffers of its outstanding requests are
 * below VCRYPT_MAX_BYTES, and those of all the files of its slice below
 * the slice's max_bytes; a slice takes at most max_files open files. The
 * kernel memory of a file and its requests is charged to the memory
 * cgroup of the task that allocates it. Documentation/design.rst describes
 * the life of a request.
 */
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vcrypt.h"
#include "vcrypt_sched.h"
#include "vcrypt_user.h"

#define VCRYPT_MAX_QUEUE	256
#define VCRYPT_MAX_BATCH	64
/* Room for one batch of the largest requests */
#define VCRYPT_MAX_BYTES	(128 << 20)

/**
 * struct vcrypt_file - an open file of a slice
 * @queue: the file's queue in the slice; @queue.wait is the file's wait
 *	queue for completions, room and removal of the slice
 * @ref: one for the open file, one per job not yet finished
 * @lock: protects @done, @outstanding, @bytes and the state of sync jobs
 * @done: finished jobs not yet read
 * @outstanding: jobs queued, on the card, or finished and not yet read
 * @bytes: buffer bytes of those jobs
 * @sessions: the file's sessions
 */
struct vcrypt_file {
	struct vcrypt_queue queue;
	struct kref ref;
	spinlock_t lock; /* see above */
	struct list_head done;
	unsigned int outstanding;
	u64 bytes;
	struct vcrypt_sessions sessions;
};

/**
 * struct vcrypt_file_req - a request of an open file
 * @file: the file, which the request holds a reference to until it finishes
 * @map: the user buffers
 * @bytes: what the request counts in the file's @bytes
 * @sync: VCRYPT_IOC_OP, whose caller waits for the result
 * @finished: a sync request finished
 * @orphan: the caller of a sync request stopped waiting
 * @job: the scheduler job and its card command, whose status and out_len
 *	are the request's result; its tag is the caller's
 *
 * The file layer: allocated by the ioctl that queues it, queued in the
 * file's queue, then in the file's @done list until read(2) returns it;
 * a sync request goes back to its caller instead.
 */
struct vcrypt_file_req {
	struct vcrypt_file *file;
	struct vcrypt_umap map;
	u64 bytes;
	bool sync;
	bool finished;
	bool orphan;
	struct vcrypt_job job;
};

static struct kmem_cache *vcrypt_file_req_cache;

static struct vcrypt_slice *vcrypt_file_slice(struct vcrypt_file *f)
{
	return f->queue.slice;
}

static bool vcrypt_file_dead(struct vcrypt_file *f)
{
	return vcrypt_queue_dead(&f->queue);
}

/* Frees a request that is not queued, wiping its key and IV. */
static void vcrypt_file_req_free(struct vcrypt_file_req *fr)
{
	struct vcrypt_cmd *cmd = &fr->job.cmd;

	memzero_explicit(cmd->key, sizeof(cmd->key));
	memzero_explicit(cmd->iv, sizeof(cmd->iv));
	vcrypt_free_secret(vcrypt_file_req_cache, fr, sizeof(*fr));
}

static void vcrypt_file_free(struct kref *ref)
{
	struct vcrypt_file *f = container_of(ref, struct vcrypt_file, ref);
	struct vcrypt_slice *slice = vcrypt_file_slice(f);
	struct vcrypt_file_req *fr, *tmp;

	list_for_each_entry_safe(fr, tmp, &f->done, job.node)
		vcrypt_file_req_free(fr);
	/* What the unread completions held */
	atomic64_sub(f->bytes, &slice->bytes);
	wake_up(&slice->room_wait);
	put_device(&slice->dev);
	kfree(f);
}

static void vcrypt_file_put(struct vcrypt_file *f)
{
	kref_put(&f->ref, vcrypt_file_free);
}

static bool vcrypt_file_room(struct vcrypt_file *f)
{
	lockdep_assert_held(&f->lock);

	return f->outstanding < VCRYPT_MAX_QUEUE &&
	       f->bytes < VCRYPT_MAX_BYTES;
}

static bool vcrypt_slice_room(struct vcrypt_slice *slice)
{
	return atomic64_read(&slice->bytes) < READ_ONCE(slice->max_bytes);
}

/* Takes @bytes in the slice if its outstanding bytes are below its limit */
static bool vcrypt_slice_take(struct vcrypt_slice *slice, u64 bytes)
{
	s64 old = atomic64_read(&slice->bytes);

	do {
		if (old >= READ_ONCE(slice->max_bytes))
			return false;
	} while (!atomic64_try_cmpxchg(&slice->bytes, &old, old + bytes));
	return true;
}

static bool vcrypt_file_writable(struct vcrypt_file *f)
{
	bool room;

	spin_lock(&f->lock);
	room = vcrypt_file_room(f);
	spin_unlock(&f->lock);
	return room && vcrypt_slice_room(vcrypt_file_slice(f));
}

/*
 * Takes room for a job of @bytes in the file and in its slice, waiting for
 * it unless @nonblock. Room is made by reads of any file of the slice, so
 * waiters wait on the slice.
 */
static int vcrypt_file_reserve(struct vcrypt_file *f, u64 bytes,
			       bool nonblock)
{
	struct vcrypt_slice *slice = vcrypt_file_slice(f);

	for (;;) {
		spin_lock(&f->lock);
		if (vcrypt_file_room(f) && vcrypt_slice_take(slice, bytes)) {
			f->outstanding++;
			f->bytes += bytes;
			spin_unlock(&f->lock);
			return 0;
		}
		spin_unlock(&f->lock);

		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(slice->room_wait,
					     vcrypt_file_writable(f) ||
					     vcrypt_file_dead(f)))
			return -EINTR;
		if (vcrypt_file_dead(f))
			return -ENODEV;
	}
}

static void vcrypt_file_unreserve(struct vcrypt_file *f, u64 bytes)
{
	struct vcrypt_slice *slice = vcrypt_file_slice(f);

	spin_lock(&f->lock);
	f->outstanding--;
	f->bytes -= bytes;
	atomic64_sub(bytes, &slice->bytes);
	spin_unlock(&f->lock);
	wake_up(&f->queue.wait);
	wake_up(&slice->room_wait);
}

static void vcrypt_file_req_done(struct vcrypt_job *job)
{
	struct vcrypt_file_req *fr = container_of(job, struct vcrypt_file_req,
						  job);
	struct vcrypt_file *f = fr->file;
	struct vcrypt_cmd *cmd = &job->cmd;
	bool orphan;

	vcrypt_user_unmap(&fr->map, cmd->out_len);
	memzero_explicit(cmd->key, cmd->key_len);
	/* A sync request returns its IV: vcrypt_file_req_free() wipes it. */
	if (!fr->sync)
		memzero_explicit(cmd->iv, cmd->iv_len);

	spin_lock(&f->lock);
	orphan = fr->orphan;
	if (fr->sync)
		fr->finished = true;
	else
		list_add_tail(&job->node, &f->done);
	spin_unlock(&f->lock);

	if (orphan) {
		vcrypt_file_unreserve(f, fr->bytes);
		vcrypt_file_req_free(fr);
	} else {
		wake_up(&f->queue.wait);
	}
	vcrypt_file_put(f);
}

static struct vcrypt_file_req *vcrypt_file_req_alloc(struct vcrypt_file *f,
						     bool sync)
{
	struct vcrypt_file_req *fr;

	fr = kmem_cache_zalloc(vcrypt_file_req_cache, GFP_KERNEL_ACCOUNT);
	if (!fr)
		return NULL;
	fr->job.done = vcrypt_file_req_done;
	fr->file = f;
	fr->sync = sync;
	return fr;
}

/*
 * Queues @fr, whose command has its key, for @op. On error the caller
 * frees @fr; on success it belongs to the file.
 */
static int vcrypt_file_req_queue(struct vcrypt_file *f,
				 struct vcrypt_file_req *fr,
				 const struct vcrypt_uop *op, bool nonblock)
{
	struct vcrypt_sched *sched = vcrypt_file_slice(f)->sched;
	int ret;

	fr->bytes = (u64)op->src_len + vcrypt_user_out_len(op);
	ret = vcrypt_file_reserve(f, fr->bytes, nonblock);
	if (ret)
		return ret;

	ret = vcrypt_user_map(&fr->map, &fr->job.cmd, op, sched->max_sge);
	if (ret)
		goto err_unreserve;

	kref_get(&f->ref);
	ret = vcrypt_queue_add(&f->queue, &fr->job);
	if (ret) {
		vcrypt_file_put(f);
		vcrypt_user_unmap(&fr->map, 0);
		goto err_unreserve;
	}
	return 0;

err_unreserve:
	vcrypt_file_unreserve(f, fr->bytes);
	return ret;
}

static int vcrypt_ioctl_info(struct vcrypt_file *f, void __user *arg)
{
	struct vcrypt_slice *slice = vcrypt_file_slice(f);
	struct vcrypt_info info = {
		.version = VCRYPT_ABI_VERSION,
		.algs = slice->sched->caps & VCRYPT_USER_ALGS,
		.slice = slice->minor,
		.weight = vcrypt_sched_weight(slice),
		.max_queue = VCRYPT_MAX_QUEUE,
		.max_batch = VCRYPT_MAX_BATCH,
		.max_data = slice->sched->max_data,
		.max_sessions = VCRYPT_SESSIONS_MAX,
		.max_bytes = VCRYPT_MAX_BYTES,
		.slice_max_files = vcrypt_sched_max_queues(slice),
		.slice_max_bytes = READ_ONCE(slice->max_bytes),
	};

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static bool vcrypt_file_req_finished(struct vcrypt_file_req *fr)
{
	struct vcrypt_file *f = fr->file;
	bool finished;

	spin_lock(&f->lock);
	finished = fr->finished;
	spin_unlock(&f->lock);
	return finished;
}

/* Waits for the sync request @fr; on success the caller owns it again. */
static int vcrypt_file_req_wait(struct vcrypt_file_req *fr)
{
	struct vcrypt_file *f = fr->file;
	bool finished;

	if (!wait_event_interruptible(f->queue.wait,
				      vcrypt_file_req_finished(fr)))
		return 0;

	spin_lock(&f->lock);
	finished = fr->finished;
	fr->orphan = !finished;
	spin_unlock(&f->lock);
	return finished ? 0 : -EINTR;
}

/*
 * Runs one operation and waits for it. Synchronous whatever O_NONBLOCK,
 * it also waits for room in the file. The operation is read once; an
 * out_len that cannot be written fails the call before anything runs.
 */
static int vcrypt_ioctl_op(struct vcrypt_file *f, void __user *arg)
{
	struct vcrypt_op __user *uop = arg;
	struct vcrypt_file_req *fr;
	struct vcrypt_cmd *cmd;
	struct vcrypt_uop op;
	struct vcrypt_op o;
	int ret;

	if (copy_from_user(&o, uop, sizeof(o)))
		return -EFAULT;
	if (memchr_inv(o.reserved, 0, sizeof(o.reserved)))
		return -EINVAL;
	if (put_user(0, &uop->out_len))
		return -EFAULT;
	ret = vcrypt_user_check_alg(vcrypt_file_slice(f)->sched->caps, o.alg);
	if (ret)
		return ret;
	ret = vcrypt_user_check_key(o.alg, o.key_len);
	if (ret)
		return ret;
	op = (struct vcrypt_uop) {
		.alg = o.alg, .flags = o.flags,
		.iv = o.iv, .src = o.src, .dst = o.dst,
		.iv_len = o.iv_len, .src_len = o.src_len, .dst_len = o.dst_len,
		.aad_len = o.aad_len, .tag_len = o.tag_len,
	};
	ret = vcrypt_user_check(&op, vcrypt_file_slice(f)->sched->max_data);
	if (ret)
		return ret;

	fr = vcrypt_file_req_alloc(f, true);
	if (!fr)
		return -ENOMEM;
	cmd = &fr->job.cmd;
	cmd->key_len = o.key_len;
	if (copy_from_user(cmd->key, u64_to_user_ptr(o.key), o.key_len)) {
		ret = -EFAULT;
		goto out_free;
	}
	ret = vcrypt_file_req_queue(f, fr, &op, false);
	if (ret)
		goto out_free;

	ret = vcrypt_file_req_wait(fr);
	if (ret)
		return ret;	/* the request is the completion's to free */

	ret = cmd->status;
	if (!ret && (o.alg == VCRYPT_ALG_AES_CBC || o.alg == VCRYPT_ALG_AES_CTR) &&
	    copy_to_user(u64_to_user_ptr(o.iv), cmd->iv, o.iv_len))
		ret = -EFAULT;
	if (put_user(cmd->out_len, &uop->out_len) && !ret)
		ret = -EFAULT;
	vcrypt_file_unreserve(f, fr->bytes);
out_free:
	vcrypt_file_req_free(fr);
	return ret;
}

static int vcrypt_submit_one(struct vcrypt_file *f,
			     const struct vcrypt_request __user *ur,
			     bool nonblock)
{
	struct vcrypt_request r;
	struct vcrypt_file_req *fr;
	struct vcrypt_uop op;
	int ret;

	if (copy_from_user(&r, ur, sizeof(r)))
		return -EFAULT;
	if (r.flags & ~VCRYPT_OP_DECRYPT ||
	    memchr_inv(r.reserved, 0, sizeof(r.reserved)))
		return -EINVAL;

	fr = vcrypt_file_req_alloc(f, false);
	if (!fr)
		return -ENOMEM;
	fr->job.tag = r.tag;
	op = (struct vcrypt_uop) {
		.flags = r.flags,
		.iv = r.iv, .src = r.src, .dst = r.dst,
		.iv_len = r.iv_len, .src_len = r.src_len, .dst_len = r.dst_len,
		.aad_len = r.aad_len, .tag_len = r.tag_len,
	};
	ret = vcrypt_session_key(&f->sessions, r.session, &fr->job.cmd,
				 &op.alg);
	if (!ret)
		ret = vcrypt_user_check(&op,
					vcrypt_file_slice(f)->sched->max_data);
	if (!ret)
		ret = vcrypt_file_req_queue(f, fr, &op, nonblock);
	if (ret)
		vcrypt_file_req_free(fr);
	return ret;
}

/*
 * Queues the requests in order until one fails or, once one is queued, the
 * file is full: only the first request waits for room in a blocking file.
 * done is set to the number queued; the call fails only if none was, with
 * the first request's error. Each request is read once. A done that
 * cannot be written fails the call before anything is queued.
 */
static int vcrypt_ioctl_submit(struct vcrypt_file *f, void __user *arg,
			       bool nonblock)
{
	struct vcrypt_submit __user *usub = arg;
	struct vcrypt_request __user *ureqs;
	struct vcrypt_submit sub;
	u32 done;
	int ret = 0;

	if (copy_from_user(&sub, usub, sizeof(sub)))
		return -EFAULT;
	if (!sub.count || sub.count > VCRYPT_MAX_BATCH ||
	    memchr_inv(sub.reserved, 0, sizeof(sub.reserved)))
		return -EINVAL;
	if (put_user(0, &usub->done))
		return -EFAULT;

	ureqs = u64_to_user_ptr(sub.reqs);
	for (done = 0; done < sub.count; done++) {
		ret = vcrypt_submit_one(f, &ureqs[done], nonblock || done);
		if (ret)
			break;
	}

	if (put_user(done, &usub->done))
		return -EFAULT;
	return done ? 0 : ret;
}

static long vcrypt_file_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct vcrypt_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (vcrypt_file_dead(f))
		return -ENODEV;

	switch (cmd) {
	case VCRYPT_IOC_INFO:
		return vcrypt_ioctl_info(f, uarg);
	case VCRYPT_IOC_SESSION_NEW:
		return vcrypt_session_new(&f->sessions,
					  vcrypt_file_slice(f)->sched->caps,
					  uarg);
	case VCRYPT_IOC_SESSION_FREE:
		return vcrypt_session_free(&f->sessions, uarg);
	case VCRYPT_IOC_OP:
		return vcrypt_ioctl_op(f, uarg);
	case VCRYPT_IOC_SUBMIT:
		return vcrypt_ioctl_submit(f, uarg,
					   file->f_flags & O_NONBLOCK);
	default:
		return -ENOTTY;
	}
}

static bool vcrypt_file_readable(struct vcrypt_file *f)
{
	bool any;

	spin_lock(&f->lock);
	any = !list_empty(&f->done);
	spin_unlock(&f->lock);
	return any;
}

static struct vcrypt_file_req *vcrypt_file_pop(struct vcrypt_file *f)
{
	struct vcrypt_file_req *fr;

	spin_lock(&f->lock);
	fr = list_first_entry_or_null(&f->done, struct vcrypt_file_req,
				      job.node);
	if (fr)
		list_del(&fr->job.node);
	spin_unlock(&f->lock);
	return fr;
}

static ssize_t vcrypt_file_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos)
{
	struct vcrypt_file *f = file->private_data;
	struct vcrypt_completion c;
	struct vcrypt_file_req *fr;
	size_t done = 0;

	if (vcrypt_file_dead(f))
		return -ENODEV;
	if (count < sizeof(c))
		return -EINVAL;

	for (;;) {
		if (vcrypt_file_dead(f))
			return -ENODEV;
		fr = vcrypt_file_pop(f);
		if (fr)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(f->queue.wait,
					     vcrypt_file_readable(f) ||
					     vcrypt_file_dead(f)))
			return -ERESTARTSYS;
	}

	do {
		c = (struct vcrypt_completion) {
			.tag = fr->job.tag,
			.status = fr->job.cmd.status,
			.out_len = fr->job.cmd.out_len,
		};
		if (copy_to_user(buf + done, &c, sizeof(c))) {
			spin_lock(&f->lock);
			list_add(&fr->job.node, &f->done);
			spin_unlock(&f->lock);
			return done ?: -EFAULT;
		}
		vcrypt_file_unreserve(f, fr->bytes);
		vcrypt_file_req_free(fr);
		done += sizeof(c);
	} while (done + sizeof(c) <= count && (fr = vcrypt_file_pop(f)));

	return done;
}

static __poll_t vcrypt_file_poll(struct file *file, poll_table *wait)
{
	struct vcrypt_file *f = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &f->queue.wait, wait);
	poll_wait(file, &vcrypt_file_slice(f)->room_wait, wait);
	if (vcrypt_file_dead(f))
		return EPOLLERR | EPOLLHUP;

	spin_lock(&f->lock);
	if (!list_empty(&f->done))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (vcrypt_file_room(f) && vcrypt_slice_room(vcrypt_file_slice(f)))
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock(&f->lock);
	return mask;
}

static int vcrypt_file_open(struct inode *inode, struct file *file)
{
	struct vcrypt_slice *slice = container_of(inode->i_cdev,
						  struct vcrypt_slice, cdev);
	struct vcrypt_file *f;
	int ret;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	kref_init(&f->ref);
	spin_lock_init(&f->lock);
	INIT_LIST_HEAD(&f->done);
	vcrypt_sessions_init(&f->sessions);

	get_device(&slice->dev);
	ret = vcrypt_queue_attach(&f->queue, slice);
	if (ret) {
		put_device(&slice->dev);
		kfree(f);
		return ret;
	}

	file->private_data = f;
	return stream_open(inode, file);
}

static int vcrypt_file_close(struct inode *inode, struct file *file)
{
	struct vcrypt_file *f = file->private_data;

	vcrypt_queue_detach(&f->queue);
	vcrypt_sessions_destroy(&f->sessions);
	vcrypt_file_put(f);
	return 0;
}

/**
 * vcrypt_file_init() - create the slab cache of file requests
 *
 * The key and the IV of a request's command are copied from and to user
 * space. Requests are charged to the memory cgroup of their submitter.
 *
 * Return: 0 or -ENOMEM.
 */
int vcrypt_file_init(void)
{
	size_t start = offsetof(struct vcrypt_file_req, job.cmd.key);
	size_t end = offsetofend(struct vcrypt_file_req, job.cmd.iv);

	vcrypt_file_req_cache =
		kmem_cache_create_usercopy("vcrypt_file_req",
					   sizeof(struct vcrypt_file_req),
					   __alignof__(struct vcrypt_file_req),
					   SLAB_ACCOUNT, start, end - start,
					   NULL);
	return vcrypt_file_req_cache ? 0 : -ENOMEM;
}

/**
 * vcrypt_file_exit() - destroy the slab cache of file requests
 */
void vcrypt_file_exit(void)
{
	kmem_cache_destroy(vcrypt_file_req_cache);
}

const struct file_operations vcrypt_fops = {
	.owner = THIS_MODULE,
	.open = vcrypt_file_open,
	.release = vcrypt_file_close,
	.read = vcrypt_file_read,
	.poll = vcrypt_file_poll,
	.unlocked_ioctl = vcrypt_file_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
