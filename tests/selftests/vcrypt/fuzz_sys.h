/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzzer needs of the kernel besides the driver: fault injection
 * on allocations, and the counters that show a leak.
 *
 * Fault injection uses the kernel's failslab and fail_page_alloc through
 * /proc/thread-self/fail-nth: writing N there makes the N-th allocation
 * (of any kind the kernel injects faults into) of the thread's next calls
 * fail, and reading it back tells whether that happened (0). That needs
 * CONFIG_FAULT_INJECTION with CONFIG_FAILSLAB and/or CONFIG_FAIL_PAGE_ALLOC,
 * and debugfs for their settings: by default both leave sleeping
 * allocations (GFP_KERNEL) alone and print a stack trace on every failure,
 * so ignore-gfp-wait and verbose are cleared for the run and restored
 * after.
 *
 * The leak counters: pinned user pages (/proc/vmstat), the objects of the
 * driver's slab caches, and, where the kmalloc caches record allocation
 * stacks (slub_debug=U, as the test guest boots), the live kmalloc objects
 * with a frame of the driver in their stack.
 */
#ifndef FUZZ_SYS_H
#define FUZZ_SYS_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FZ_FAIL_NTH	"/proc/thread-self/fail-nth"
#define FZ_FAILSLAB	"/sys/kernel/debug/failslab"
#define FZ_FAILPAGE	"/sys/kernel/debug/fail_page_alloc"
#define FZ_SLAB		"/sys/kernel/slab"
#define FZ_SLAB_DBG	"/sys/kernel/debug/slab"

/* A setting of a fault injection directory, saved to be restored */
struct fz_fi_knob {
	const char *dir;
	const char *name;
	const char *value;	/* for the run */
	char saved[32];
	bool set;
};

/**
 * struct fz_fi - fault injection as the kernel offers it
 * @nth: /proc/thread-self/fail-nth exists (CONFIG_FAULT_INJECTION)
 * @slab: failslab (CONFIG_FAILSLAB) is there and set up
 * @page: fail_page_alloc (CONFIG_FAIL_PAGE_ALLOC) is there and set up
 * @what: what is used, or why nothing is
 * @knobs: the settings changed for the run
 */
struct fz_fi {
	bool nth;
	bool slab;
	bool page;
	char what[160];
	struct fz_fi_knob knobs[6];
};

static inline int fz_fi_write(const char *dir, const char *name,
			      const char *val, char *old, size_t len)
{
	char path[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	if (old) {
		n = read(fd, old, len - 1);
		old[n > 0 ? n : 0] = '\0';
		lseek(fd, 0, SEEK_SET);
	}
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* Find out what the kernel has and set it up; fills @fi->what */
static inline void fz_fi_setup(struct fz_fi *fi)
{
	static const struct { const char *dir, *name, *value; } knobs[] = {
		{ FZ_FAILSLAB, "ignore-gfp-wait", "N" },
		{ FZ_FAILSLAB, "verbose", "0" },
		{ FZ_FAILPAGE, "ignore-gfp-wait", "N" },
		{ FZ_FAILPAGE, "ignore-gfp-highmem", "N" },
		{ FZ_FAILPAGE, "min-order", "0" },
		{ FZ_FAILPAGE, "verbose", "0" },
	};
	struct fz_fi_knob *k;
	bool ok[2] = { true, true };
	unsigned int i, d;

	memset(fi, 0, sizeof(*fi));
	fi->nth = !access(FZ_FAIL_NTH, W_OK);
	if (!fi->nth) {
		snprintf(fi->what, sizeof(fi->what),
			 "not available: no %s (kernel without CONFIG_FAULT_INJECTION)",
			 FZ_FAIL_NTH);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		k = &fi->knobs[i];
		d = !strcmp(knobs[i].dir, FZ_FAILPAGE);
		k->dir = knobs[i].dir;
		k->name = knobs[i].name;
		k->value = knobs[i].value;
		if (!ok[d])
			continue;
		k->set = !fz_fi_write(k->dir, k->name, k->value, k->saved,
				      sizeof(k->saved));
		ok[d] = k->set;
	}
	fi->slab = ok[0];
	fi->page = ok[1];
	if (!fi->slab && !fi->page) {
		fi->nth = false;
		snprintf(fi->what, sizeof(fi->what),
			 "not available: no %s or %s (kernel without CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC or debugfs)",
			 FZ_FAILSLAB, FZ_FAILPAGE);
		return;
	}
	snprintf(fi->what, sizeof(fi->what), "fail-nth on %s%s%s",
		 fi->slab ? "failslab" : "", fi->slab && fi->page ? " and " : "",
		 fi->page ? "fail_page_alloc" : "");
}

static inline void fz_fi_restore(struct fz_fi *fi)
{
	unsigned int i;

	for (i = ARRAY_SIZE(fi->knobs); i-- > 0;)
		if (fi->knobs[i].set)
			fz_fi_write(fi->knobs[i].dir, fi->knobs[i].name,
				    fi->knobs[i].saved, NULL, 0);
}

/* Make the @n-th allocation of the calling thread fail (0: none) */
static inline void fz_fi_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fd, buf, len, 0) != len)
		return;
}

/* Stop injecting; returns whether the allocation was made to fail */
static inline bool fz_fi_disarm(int fd)
{
	char buf[16];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	fz_fi_arm(fd, 0);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10) == 0;
}

/**
 * struct fz_leaks - counters that return to where they were when nothing
 * leaks
 * @pins: user pages pinned and not released (/proc/vmstat)
 * @slab: objects of the driver's slab caches, vcrypt_*
 * @kmalloc: live kmalloc objects with the driver in their allocation
 *	stack, or -1 if the kernel does not record them
 */
struct fz_leaks {
	long long pins;
	long long slab;
	long long kmalloc;
};

static inline long long fz_vmstat(const char *name)
{
	char key[64];
	long long v, ret = 0;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return 0;
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (!strcmp(key, name))
			ret = v;
	fclose(f);
	return ret;
}

/*
 * Sum @read(dir) over the caches of FZ_SLAB whose names start with
 * @prefix, after flushing each (which also empties KASAN's quarantine)
 */
static inline long long fz_slab_sum(const char *prefix,
				    long long (*read)(const char *cache))
{
	char path[300];
	long long sum = 0, v;
	struct dirent *de;
	DIR *d = opendir(FZ_SLAB);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/shrink", de->d_name);
		fz_fi_write(FZ_SLAB, path, "1", NULL, 0);
		v = read(de->d_name);
		if (v < 0) {
			sum = -1;
			break;
		}
		sum += v;
	}
	closedir(d);
	return sum;
}

static inline long long fz_slab_objects(const char *cache)
{
	char path[512];
	long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), FZ_SLAB "/%s/objects", cache);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/*
 * Live objects of the kmalloc cache @cache whose allocation stack has a
 * frame of the driver ("[vcrypt]"); -1 if the cache records no stacks.
 * Each record of alloc_traces is "COUNT SITE age=..." then the stack. The
 * pages of a DMA pool (dma_pool_alloc) stay with the pool, which only
 * grows: they are not counted.
 */
static inline long long fz_kmalloc_driver(const char *cache)
{
	char path[512], line[512];
	long long sum = 0, count = 0;
	bool vc = false, pool = false;
	FILE *f;

	snprintf(path, sizeof(path), FZ_SLAB_DBG "/%s/alloc_traces", cache);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		while (*p == ' ')
			p++;
		if (*p >= '0' && *p <= '9') {
			if (vc && !pool)
				sum += count;
			count = strtoll(p, NULL, 10);
			vc = false;
			pool = false;
		}
		if (strstr(line, "[vcrypt]"))
			vc = true;
		if (strstr(line, "dma_pool_alloc"))
			pool = true;
	}
	if (vc && !pool)
		sum += count;
	fclose(f);
	return sum;
}

static inline void fz_leaks_read(struct fz_leaks *l)
{
	l->pins = fz_vmstat("nr_foll_pin_acquired") -
		  fz_vmstat("nr_foll_pin_released");
	l->slab = fz_slab_sum("vcrypt_", fz_slab_objects);
	l->kmalloc = fz_slab_sum("kmalloc-", fz_kmalloc_driver);
}

#endif /* FUZZ_SYS_H */
