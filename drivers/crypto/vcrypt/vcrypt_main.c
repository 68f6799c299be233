// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: PCI driver of the vcrypt crypto card.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/kstrtox.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

#include "vcrypt.h"
#include "vcrypt_sched.h"

static unsigned int ring_entries = 256;

static int vcrypt_ring_entries_set(const char *val,
				   const struct kernel_param *kp)
{
	unsigned int n;
	int ret;

	ret = kstrtouint(val, 0, &n);
	if (ret)
		return ret;
	if (n < 2 || n > VCRYPT_HW_RING_MAX || !is_power_of_2(n))
		return -EINVAL;

	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops vcrypt_ring_entries_ops = {
	.set = vcrypt_ring_entries_set,
	.get = param_get_uint,
};

module_param_cb(ring_entries, &vcrypt_ring_entries_ops, &ring_entries, 0444);
MODULE_PARM_DESC(ring_entries,
		 "Entries per request and completion ring: a power of two, 2 to 4096 (default 256)");

/**
 * vcrypt_hw_reset() - reset the card synchronously
 * @vd: the card
 *
 * The card stops all DMA and forgets its rings. Any context.
 */
void vcrypt_hw_reset(struct vcrypt_dev *vd)
{
	vcrypt_write(vd, VCRYPT_REG_CTRL, VCRYPT_CTRL_RESET);
	/* Flush the posted write: the reset is complete once it is read. */
	vcrypt_read(vd, VCRYPT_REG_STATUS);
}

static int vcrypt_hw_identify(struct vcrypt_dev *vd)
{
	u32 magic = vcrypt_read(vd, VCRYPT_REG_MAGIC);
	u32 version = vcrypt_read(vd, VCRYPT_REG_VERSION);

	if (magic != VCRYPT_HW_MAGIC)
		return dev_err_probe(vd->dev, -ENODEV, "bad magic %#x\n",
				     magic);
	if (version >> 16 != VCRYPT_HW_VERSION_MAJOR)
		return dev_err_probe(vd->dev, -ENODEV,
				     "unsupported version %u.%u\n",
				     version >> 16, version & 0xffff);

	/*
	 * The card's limits are taken only as far as the driver and the
	 * descriptor can use them: lengths stay far from wrapping a u32, SG
	 * tables fit the pool and a u16.
	 */
	vd->caps = vcrypt_read(vd, VCRYPT_REG_CAPS);
	vd->max_ring = min(vcrypt_read(vd, VCRYPT_REG_MAX_RING),
			   VCRYPT_HW_RING_MAX);
	vd->max_data = min(vcrypt_read(vd, VCRYPT_REG_MAX_DATA),
			   VCRYPT_HW_DATA_MAX);
	vd->max_sge = min(vcrypt_read(vd, VCRYPT_REG_MAX_SGE),
			  VCRYPT_HW_SGE_MAX);
	if (!vd->max_sge)
		return dev_err_probe(vd->dev, -ENODEV,
				     "card supports no SG tables\n");

	if (ring_entries > vd->max_ring)
		return dev_err_probe(vd->dev, -EINVAL,
				     "ring_entries %u above the card's maximum %u\n",
				     ring_entries, vd->max_ring);

	dev_info(vd->dev,
		 "version %u.%u, caps %#x, max ring %u, max data %u, max sge %u\n",
		 version >> 16, version & 0xffff, vd->caps, vd->max_ring,
		 vd->max_data, vd->max_sge);
	return 0;
}

static int vcrypt_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct vcrypt_dev *vd;
	int ret;

	vd = devm_kzalloc(dev, sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return -ENOMEM;
	vd->pdev = pdev;
	vd->dev = dev;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	if (pci_resource_len(pdev, VCRYPT_HW_BAR_REGS) < VCRYPT_HW_REGS_SIZE)
		return dev_err_probe(dev, -ENODEV, "register BAR too small\n");
	vd->regs = pcim_iomap_region(pdev, VCRYPT_HW_BAR_REGS, KBUILD_MODNAME);
	if (IS_ERR(vd->regs))
		return PTR_ERR(vd->regs);

	ret = vcrypt_hw_identify(vd);
	if (ret)
		return ret;

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "no 64-bit DMA\n");
	/* SG table entries have 32-bit lengths. */
	dma_set_max_seg_size(dev, UINT_MAX);

	vcrypt_hw_reset(vd);
	pci_set_master(pdev);

	ret = pci_alloc_irq_vectors(pdev, VCRYPT_HW_NR_VECS, VCRYPT_HW_NR_VECS,
				    PCI_IRQ_MSIX);
	if (ret < 0)
		return dev_err_probe(dev, ret, "no MSI-X vectors\n");

	ret = vcrypt_ring_init(vd, ring_entries);
	if (ret)
		return ret;

	ret = vcrypt_ring_start(vd);
	if (ret)
		return ret;

	ret = vcrypt_sched_start(vd);
	if (ret) {
		vcrypt_ring_stop(vd);
		return ret;
	}

	pci_set_drvdata(pdev, vd);
	ret = vcrypt_slices_add_card(vd);
	if (ret)
		goto err_sched;

	ret = vcrypt_crypto_add_card(vd);
	if (ret) {
		vcrypt_slices_stop_card(vd);
		goto err_slices;
	}

	vcrypt_debugfs_add(vd);
	return 0;

err_slices:
	vcrypt_sched_stop(vd);
	vcrypt_ring_stop(vd);
	vcrypt_slices_remove_card(vd);
	vcrypt_sched_put(vd->sched);
	return ret;
err_sched:
	vcrypt_sched_stop(vd);
	vcrypt_ring_stop(vd);
	vcrypt_sched_put(vd->sched);
	return ret;
}

/*
 * The slices stop first: no new file or transform, nothing more to the
 * card. Then the scheduler thread stops, and stopping the ring resets the
 * card and fails what is still on it. Only then do the slices' open files
 * and transforms fail what they have queued, when the card no longer
 * writes to their buffers. Open files and transforms keep the scheduler
 * object, not the card.
 */
static void vcrypt_remove(struct pci_dev *pdev)
{
	struct vcrypt_dev *vd = pci_get_drvdata(pdev);

	vcrypt_crypto_stop_card(vd);
	vcrypt_slices_stop_card(vd);
	vcrypt_sched_stop(vd);
	vcrypt_ring_stop(vd);
	vcrypt_crypto_remove_card(vd);
	vcrypt_slices_remove_card(vd);
	vcrypt_sched_put(vd->sched);
	vcrypt_debugfs_remove(vd);
}

static const struct pci_device_id vcrypt_ids[] = {
	{ PCI_DEVICE(VCRYPT_HW_VENDOR_ID, VCRYPT_HW_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vcrypt_ids);

/* Quiesce the card's DMA before kexec or power-off; any context. */
static void vcrypt_shutdown(struct pci_dev *pdev)
{
	vcrypt_hw_reset(pci_get_drvdata(pdev));
}

static struct pci_driver vcrypt_driver = {
	.name = KBUILD_MODNAME,
	.id_table = vcrypt_ids,
	.probe = vcrypt_probe,
	.remove = vcrypt_remove,
	.shutdown = vcrypt_shutdown,
	.dev_groups = vcrypt_card_groups,
};

static int __init vcrypt_init(void)
{
	int ret;

	ret = vcrypt_file_init();
	if (ret)
		return ret;

	ret = vcrypt_slice_init();
	if (ret)
		goto err_cache;

	ret = vcrypt_crypto_init();
	if (ret)
		goto err_slice;

	vcrypt_debugfs_init();

	ret = pci_register_driver(&vcrypt_driver);
	if (ret)
		goto err_debugfs;
	return 0;

err_debugfs:
	vcrypt_debugfs_exit();
	vcrypt_crypto_exit();
err_slice:
	vcrypt_slice_exit();
err_cache:
	vcrypt_file_exit();
	return ret;
}
module_init(vcrypt_init);

static void __exit vcrypt_exit(void)
{
	pci_unregister_driver(&vcrypt_driver);
	vcrypt_crypto_exit();
	vcrypt_debugfs_exit();
	vcrypt_slice_exit();
	vcrypt_file_exit();
}
module_exit(vcrypt_exit);

MODULE_DESCRIPTION("vcrypt crypto card driver");
MODULE_LICENSE("GPL");
