// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: the slices of a card, their devices and their sysfs files.
 *
 * Slice s of card c is the device vcrypt<c * 256 + s> of class vcrypt,
 * a child of the card's PCI device, with the character device of the same
 * name; c is the card's index, the lowest free one when it was bound. The
 * card's own files, the number of slices, the scheduler's name and its
 * in-flight budget, are the attribute group vcrypt_card of the PCI device,
 * which the driver core adds once the card is probed. Each slice device
 * has its weight, its limits and its counters. Writing needs the file's
 * owner, root: the file modes are the one permission check. The counters
 * say what a tenant does: only root reads them (0400).
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kdev_t.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "vcrypt.h"
#include "vcrypt_sched.h"

#define VCRYPT_CARDS_MAX	((MINORMASK + 1) / VCRYPT_SLICES_MAX)

static unsigned int nr_slices = 4;

static int vcrypt_nr_slices_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, VCRYPT_SLICES_MAX);
}

static const struct kernel_param_ops vcrypt_nr_slices_ops = {
	.set = vcrypt_nr_slices_set,
	.get = param_get_uint,
};

module_param_cb(slices, &vcrypt_nr_slices_ops, &nr_slices, 0444);
MODULE_PARM_DESC(slices, "Slices of each card when bound: 0 to 256 (default 4)");

static DEFINE_IDA(vcrypt_card_ida);
static dev_t vcrypt_devt;

static char *vcrypt_devnode(const struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0600;
	return NULL;
}

static const struct class vcrypt_class = {
	.name = "vcrypt",
	.devnode = vcrypt_devnode,
};

static struct vcrypt_slice *to_vcrypt_slice(struct device *dev)
{
	return container_of(dev, struct vcrypt_slice, dev);
}

static ssize_t weight_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%u\n", vcrypt_sched_weight(to_vcrypt_slice(dev)));
}

static ssize_t weight_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	unsigned int weight;

	if (kstrtouint(buf, 10, &weight) || weight < VCRYPT_WEIGHT_MIN ||
	    weight > VCRYPT_WEIGHT_MAX)
		return -EINVAL;

	vcrypt_sched_set_weight(to_vcrypt_slice(dev), weight);
	return count;
}
static DEVICE_ATTR_RW(weight);

static ssize_t max_files_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  vcrypt_sched_max_queues(to_vcrypt_slice(dev)));
}

static ssize_t max_files_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	unsigned int n;

	if (kstrtouint(buf, 10, &n) || !n || n > VCRYPT_MAX_FILES_MAX)
		return -EINVAL;

	vcrypt_sched_set_max_queues(to_vcrypt_slice(dev), n);
	return count;
}
static DEVICE_ATTR_RW(max_files);

static ssize_t max_bytes_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(to_vcrypt_slice(dev)->max_bytes));
}

/* A higher limit lets the files waiting for room go on. */
static ssize_t max_bytes_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	struct vcrypt_slice *slice = to_vcrypt_slice(dev);
	unsigned int n;

	if (kstrtouint(buf, 10, &n) || n < VCRYPT_MAX_BYTES_MIN)
		return -EINVAL;

	WRITE_ONCE(slice->max_bytes, n);
	wake_up_all(&slice->room_wait);
	return count;
}
static DEVICE_ATTR_RW(max_bytes);

static ssize_t outstanding_bytes_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_vcrypt_slice(dev)->bytes));
}
static DEVICE_ATTR_ADMIN_RO(outstanding_bytes);

static ssize_t slice_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", to_vcrypt_slice(dev)->index);
}
static DEVICE_ATTR_RO(slice);

/**
 * struct vcrypt_stat_attr - a read-only counter of a slice
 * @attr: the attribute
 * @offset: of the counter in struct vcrypt_slice_stats
 */
struct vcrypt_stat_attr {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t vcrypt_stat_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct vcrypt_stat_attr *sa = container_of(attr, struct vcrypt_stat_attr,
						   attr);
	struct vcrypt_slice_stats stats;
	u64 *counter = (void *)&stats + sa->offset;

	vcrypt_sched_get_stats(to_vcrypt_slice(dev), &stats);
	return sysfs_emit(buf, "%llu\n", *counter);
}

static struct vcrypt_stat_attr vcrypt_stat_open_files = {
	.attr = __ATTR(open_files, 0400, vcrypt_stat_show, NULL),
	.offset = offsetof(struct vcrypt_slice_stats, queues),
};

static struct vcrypt_stat_attr vcrypt_stat_queued = {
	.attr = __ATTR(queued, 0400, vcrypt_stat_show, NULL),
	.offset = offsetof(struct vcrypt_slice_stats, queued),
};

static struct vcrypt_stat_attr vcrypt_stat_in_flight = {
	.attr = __ATTR(in_flight, 0400, vcrypt_stat_show, NULL),
	.offset = offsetof(struct vcrypt_slice_stats, in_flight),
};

static struct vcrypt_stat_attr vcrypt_stat_completed_ops = {
	.attr = __ATTR(completed_ops, 0400, vcrypt_stat_show, NULL),
	.offset = offsetof(struct vcrypt_slice_stats, completed_ops),
};

static struct vcrypt_stat_attr vcrypt_stat_completed_bytes = {
	.attr = __ATTR(completed_bytes, 0400, vcrypt_stat_show, NULL),
	.offset = offsetof(struct vcrypt_slice_stats, completed_bytes),
};

static struct vcrypt_stat_attr vcrypt_stat_errors = {
	.attr = __ATTR(errors, 0400, vcrypt_stat_show, NULL),
	.offset = offsetof(struct vcrypt_slice_stats, errors),
};

static struct vcrypt_stat_attr vcrypt_stat_card_time_ns = {
	.attr = __ATTR(card_time_ns, 0400, vcrypt_stat_show, NULL),
	.offset = offsetof(struct vcrypt_slice_stats, card_time_ns),
};

static struct vcrypt_stat_attr vcrypt_stat_transforms = {
	.attr = __ATTR(transforms, 0400, vcrypt_stat_show, NULL),
	.offset = offsetof(struct vcrypt_slice_stats, queues),
};

static struct attribute *vcrypt_slice_attrs[] = {
	&dev_attr_weight.attr,
	&dev_attr_slice.attr,
	&dev_attr_max_files.attr,
	&dev_attr_max_bytes.attr,
	&dev_attr_outstanding_bytes.attr,
	&vcrypt_stat_open_files.attr.attr,
	&vcrypt_stat_transforms.attr.attr,
	&vcrypt_stat_queued.attr.attr,
	&vcrypt_stat_in_flight.attr.attr,
	&vcrypt_stat_completed_ops.attr.attr,
	&vcrypt_stat_completed_bytes.attr.attr,
	&vcrypt_stat_errors.attr.attr,
	&vcrypt_stat_card_time_ns.attr.attr,
	NULL
};

/*
 * A slice has a number, open files and their limits; the host slice,
 * without a character device, has crypto API transforms instead.
 */
static umode_t vcrypt_slice_attr_visible(struct kobject *kobj,
					 struct attribute *attr, int n)
{
	bool host = !kobj_to_dev(kobj)->devt;

	if (attr == &dev_attr_slice.attr ||
	    attr == &dev_attr_max_files.attr ||
	    attr == &dev_attr_max_bytes.attr ||
	    attr == &dev_attr_outstanding_bytes.attr ||
	    attr == &vcrypt_stat_open_files.attr.attr)
		return host ? 0 : attr->mode;
	if (attr == &vcrypt_stat_transforms.attr.attr)
		return host ? attr->mode : 0;
	return attr->mode;
}

static const struct attribute_group vcrypt_slice_group = {
	.attrs = vcrypt_slice_attrs,
	.is_visible = vcrypt_slice_attr_visible,
};

static const struct attribute_group *vcrypt_slice_groups[] = {
	&vcrypt_slice_group,
	NULL
};

static const struct attribute_group *vcrypt_host_groups[] = {
	&vcrypt_slice_group,
	&vcrypt_host_group,
	NULL
};

static void vcrypt_slice_release(struct device *dev)
{
	struct vcrypt_slice *slice = to_vcrypt_slice(dev);

	vcrypt_sched_put(slice->sched);
	kfree(slice);
}

/* A new slice of @vd, not yet added to the driver core */
static struct vcrypt_slice *vcrypt_slice_new(struct vcrypt_dev *vd)
{
	struct vcrypt_slice *slice;

	slice = kzalloc(sizeof(*slice), GFP_KERNEL);
	if (!slice)
		return NULL;

	vcrypt_sched_slice_init(slice, vd->sched);
	device_initialize(&slice->dev);
	slice->dev.class = &vcrypt_class;
	slice->dev.parent = vd->dev;
	slice->dev.release = vcrypt_slice_release;
	return slice;
}

static struct vcrypt_slice *vcrypt_slice_create(struct vcrypt_dev *vd,
						unsigned int index)
{
	struct vcrypt_slice *slice;
	int ret;

	slice = vcrypt_slice_new(vd);
	if (!slice)
		return ERR_PTR(-ENOMEM);

	slice->index = index;
	slice->minor = vd->index * VCRYPT_SLICES_MAX + index;
	slice->max_queues = VCRYPT_MAX_FILES_DEFAULT;
	slice->max_bytes = VCRYPT_MAX_BYTES_DEFAULT;
	slice->dev.devt = MKDEV(MAJOR(vcrypt_devt), slice->minor);
	slice->dev.groups = vcrypt_slice_groups;
	cdev_init(&slice->cdev, &vcrypt_fops);
	slice->cdev.owner = THIS_MODULE;

	ret = dev_set_name(&slice->dev, "vcrypt%u", slice->minor);
	if (!ret)
		ret = cdev_device_add(&slice->cdev, &slice->dev);
	if (ret) {
		put_device(&slice->dev);
		return ERR_PTR(ret);
	}
	return slice;
}

/**
 * vcrypt_host_slice_create() - create the host slice of a card
 * @vd: the card, with its index
 * @host: driver data of the slice's device, for vcrypt_host_group
 *
 * The host slice is the device vcrypt-host<c> of class vcrypt, without a
 * character device; its queues are the crypto API's transforms.
 *
 * Return: the slice, with a reference for the card, or an ERR_PTR().
 */
struct vcrypt_slice *vcrypt_host_slice_create(struct vcrypt_dev *vd,
					      void *host)
{
	struct vcrypt_slice *slice;
	int ret;

	slice = vcrypt_slice_new(vd);
	if (!slice)
		return ERR_PTR(-ENOMEM);

	slice->dev.groups = vcrypt_host_groups;
	dev_set_drvdata(&slice->dev, host);

	ret = dev_set_name(&slice->dev, "vcrypt-host%u", vd->index);
	if (!ret)
		ret = device_add(&slice->dev);
	if (ret) {
		put_device(&slice->dev);
		return ERR_PTR(ret);
	}
	return slice;
}

/**
 * vcrypt_slice_stop() - remove the device of a slice, stop sending its jobs
 * @slice: the slice
 *
 * The slice gets no new file and sends no more jobs to the card.
 */
void vcrypt_slice_stop(struct vcrypt_slice *slice)
{
	if (slice->dev.devt)
		cdev_device_del(&slice->cdev, &slice->dev);
	else
		device_del(&slice->dev);
	vcrypt_sched_slice_freeze(slice);
}

/**
 * vcrypt_slice_kill() - fail the jobs of a stopped slice for good
 * @slice: the slice, after vcrypt_slice_stop()
 *
 * What the slice's queues still have queued fails, and every later job
 * fails with -ENODEV. Drops the card's reference: the slice is freed with
 * its last queue.
 */
void vcrypt_slice_kill(struct vcrypt_slice *slice)
{
	vcrypt_sched_slice_kill(slice);
	put_device(&slice->dev);
}

/*
 * Removes a slice of a running card. Its jobs on the card finish first, so
 * that its files see -ENODEV only once the card no longer writes to their
 * buffers.
 */
static void vcrypt_slice_destroy(struct vcrypt_slice *slice)
{
	vcrypt_slice_stop(slice);
	vcrypt_sched_slice_drain(slice);
	vcrypt_slice_kill(slice);
}

/* Adds or removes slices at the end until the card has @n. */
static int vcrypt_slices_set(struct vcrypt_dev *vd, unsigned int n)
{
	struct vcrypt_slice *slice;
	int ret = 0;

	mutex_lock(&vd->slices_lock);
	while (vd->nr_slices < n) {
		slice = vcrypt_slice_create(vd, vd->nr_slices);
		if (IS_ERR(slice)) {
			ret = PTR_ERR(slice);
			break;
		}
		vd->slices[vd->nr_slices++] = slice;
	}
	while (vd->nr_slices > n)
		vcrypt_slice_destroy(vd->slices[--vd->nr_slices]);
	mutex_unlock(&vd->slices_lock);
	return ret;
}

static ssize_t slices_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vcrypt_dev *vd = dev_get_drvdata(dev);
	unsigned int n;

	mutex_lock(&vd->slices_lock);
	n = vd->nr_slices;
	mutex_unlock(&vd->slices_lock);
	return sysfs_emit(buf, "%u\n", n);
}

static ssize_t slices_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	unsigned int n;
	int ret;

	if (kstrtouint(buf, 10, &n) || n > VCRYPT_SLICES_MAX)
		return -EINVAL;

	ret = vcrypt_slices_set(dev_get_drvdata(dev), n);
	return ret ?: count;
}
static DEVICE_ATTR_RW(slices);

static ssize_t scheduler_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct vcrypt_dev *vd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", vcrypt_sched_name(vd->sched));
}
static DEVICE_ATTR_RO(scheduler);

static ssize_t inflight_us_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct vcrypt_dev *vd = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", vcrypt_sched_inflight_us(vd->sched));
}

static ssize_t inflight_us_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	struct vcrypt_dev *vd = dev_get_drvdata(dev);
	unsigned int us;

	if (kstrtouint(buf, 10, &us) || us < VCRYPT_INFLIGHT_US_MIN ||
	    us > VCRYPT_INFLIGHT_US_MAX)
		return -EINVAL;

	vcrypt_sched_set_inflight_us(vd->sched, us);
	return count;
}
static DEVICE_ATTR_RW(inflight_us);

static struct attribute *vcrypt_card_attrs[] = {
	&dev_attr_slices.attr,
	&dev_attr_scheduler.attr,
	&dev_attr_inflight_us.attr,
	NULL
};

static const struct attribute_group vcrypt_card_group = {
	.name = "vcrypt_card",
	.attrs = vcrypt_card_attrs,
};

/* The card's files on its PCI device: the PCI driver's dev_groups */
const struct attribute_group *vcrypt_card_groups[] = {
	&vcrypt_card_group,
	NULL
};

/**
 * vcrypt_slices_add_card() - give a new card its index and slices
 * @vd: the card, with its scheduler started and its driver data set
 *
 * Return: 0 or a negative errno.
 */
int vcrypt_slices_add_card(struct vcrypt_dev *vd)
{
	int ret;

	ret = ida_alloc_max(&vcrypt_card_ida, VCRYPT_CARDS_MAX - 1, GFP_KERNEL);
	if (ret < 0)
		return ret;
	vd->index = ret;
	mutex_init(&vd->slices_lock);

	ret = vcrypt_slices_set(vd, READ_ONCE(nr_slices));
	if (ret) {
		vcrypt_slices_set(vd, 0);
		mutex_destroy(&vd->slices_lock);
		ida_free(&vcrypt_card_ida, vd->index);
	}
	return ret;
}

/**
 * vcrypt_slices_stop_card() - stop the slices of a card being removed
 * @vd: the card
 *
 * Removes the slices' devices and stops sending the slices' jobs to the
 * card. Their open files notice nothing until vcrypt_slices_remove_card().
 * The driver core removed the card's files before.
 */
void vcrypt_slices_stop_card(struct vcrypt_dev *vd)
{
	unsigned int i;

	for (i = 0; i < vd->nr_slices; i++)
		vcrypt_slice_stop(vd->slices[i]);
}

/**
 * vcrypt_slices_remove_card() - remove the slices of a card
 * @vd: the card, after vcrypt_slices_stop_card() and with its ring stopped
 *
 * Open files of the slices stay valid; every call on them but close fails
 * with -ENODEV.
 */
void vcrypt_slices_remove_card(struct vcrypt_dev *vd)
{
	while (vd->nr_slices)
		vcrypt_slice_kill(vd->slices[--vd->nr_slices]);
	mutex_destroy(&vd->slices_lock);
	ida_free(&vcrypt_card_ida, vd->index);
}

/**
 * vcrypt_slice_init() - register the class and the character device region
 *
 * Return: 0 or a negative errno.
 */
int vcrypt_slice_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&vcrypt_devt, 0, MINORMASK + 1,
				  KBUILD_MODNAME);
	if (ret)
		return ret;

	ret = class_register(&vcrypt_class);
	if (ret)
		unregister_chrdev_region(vcrypt_devt, MINORMASK + 1);
	return ret;
}

/**
 * vcrypt_slice_exit() - undo vcrypt_slice_init()
 */
void vcrypt_slice_exit(void)
{
	class_unregister(&vcrypt_class);
	unregister_chrdev_region(vcrypt_devt, MINORMASK + 1);
}
