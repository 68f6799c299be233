// SPDX-License-Identifier: GPL-2.0
/*
 * The card is found and driven: the PCI device exists, vcrypt is bound to
 * it, it sits behind the IOMMU, it has its two MSI-X vectors and the
 * driver's debugfs files exist.
 */
#include <limits.h>
#include <sys/stat.h>

#include "vcrypt_test.h"
#include "kselftest_harness.h"

FIXTURE(card) {
	char bdf[VT_NAME_MAX];
	char dev[VT_PATH_MAX];
};

FIXTURE_SETUP(card)
{
	ASSERT_EQ(0, vt_find_card(self->bdf))
		TH_LOG("no PCI device %04x:%04x", VCRYPT_HW_VENDOR_ID,
		       VCRYPT_HW_DEVICE_ID);
	snprintf(self->dev, sizeof(self->dev), VT_PCI_DEVICES "/%s",
		 self->bdf);
}

FIXTURE_TEARDOWN(card)
{
}

TEST_F(card, bound_to_vcrypt)
{
	char path[VT_PATH_MAX + 16], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", self->dev);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n) TH_LOG("%s: no driver bound", self->bdf);
	link[n] = '\0';
	ASSERT_STREQ("vcrypt", strrchr(link, '/') + 1);
}

TEST_F(card, behind_iommu)
{
	char path[VT_PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/iommu_group", self->dev);
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s has no IOMMU group", self->bdf);
}

/* Both MSI-X vectors are allocated and have a handler. */
TEST_F(card, msix_vectors)
{
	char path[2 * VT_PATH_MAX], line[1024], kind[16];
	int irqs[8], nirq = 0, found = 0, i;
	struct dirent *de;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "%s/msi_irqs", self->dev);
	d = opendir(path);
	ASSERT_NE(NULL, d) TH_LOG("%s: no MSI or MSI-X vectors", self->bdf);
	while ((de = readdir(d)) && nirq < 8) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/msi_irqs/%s", self->dev,
			 de->d_name);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f);
		ASSERT_EQ(1, fscanf(f, "%15s", kind));
		fclose(f);
		EXPECT_STREQ("msix", kind);
		irqs[nirq++] = atoi(de->d_name);
	}
	closedir(d);
	ASSERT_EQ(VCRYPT_HW_NR_VECS, nirq);

	/* Each vector has a line in /proc/interrupts with a handler. */
	f = fopen("/proc/interrupts", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		int irq;

		if (sscanf(line, " %d:", &irq) != 1)
			continue;
		for (i = 0; i < nirq; i++) {
			if (irq != irqs[i])
				continue;
			EXPECT_TRUE(strstr(line, "vcrypt") ||
				    strstr(line, self->bdf))
				TH_LOG("IRQ %d has no vcrypt handler: %s", irq, line);
			found++;
		}
	}
	fclose(f);
	ASSERT_EQ(nirq, found);
}

TEST_F(card, debugfs_files)
{
	static const char * const files[] = { "raw", "stats" };
	char path[VT_PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), VT_DEBUGFS "/%s/%s", self->bdf,
			 files[i]);
		EXPECT_EQ(0, stat(path, &st)) TH_LOG("no %s", path);
	}
}

/* Nothing holds the module while no file of the driver is open. */
TEST(module_idle)
{
	FILE *f = fopen("/sys/module/vcrypt/refcnt", "r");
	int refcnt = -1;

	ASSERT_NE(NULL, f) TH_LOG("vcrypt is not loaded");
	ASSERT_EQ(1, fscanf(f, "%d", &refcnt));
	fclose(f);
	ASSERT_EQ(0, refcnt);
}

TEST_HARNESS_MAIN
