// SPDX-License-Identifier: GPL-2.0
/*
 * The sysfs ABI of the slices (Documentation/ABI/testing/
 * sysfs-bus-pci-drivers-vcrypt and sysfs-class-vcrypt): the card's
 * vcrypt_card/slices, scheduler and inflight_us, the class vcrypt with one
 * device vcryptN per slice and its attributes, the nodes /dev/vcryptN
 * (0600 root), adding and removing slices, weights and limits, EINVAL for
 * bad values and EACCES for other users, counters that count what was
 * done and that only root reads (0400): no tenant sees another's traffic.
 */
#include <grp.h>
#include <limits.h>
#include <sys/wait.h>

#include "vcrypt_slice.h"
#include "kselftest_harness.h"

#define MIN_SLICES	4

/* Counters a new slice starts with at 0; root only (0400) */
static const char * const counters[] = {
	"open_files", "queued", "in_flight", "completed_ops",
	"completed_bytes", "errors", "card_time_ns", "outstanding_bytes",
};

/* Counters of the host slice; root only (0400) */
static const char * const host_counters[] = {
	"transforms", "queued", "in_flight", "completed_ops",
	"completed_bytes", "errors", "card_time_ns", "backlogged",
	"fallback_ops",
};

/* Limits of a slice (0644) and their defaults */
static const struct { const char *name; __u64 def, max; } limits[] = {
	{ "max_files", 64, 4096 },
	{ "max_bytes", 64 << 20, 0xffffffffu },
};

FIXTURE(sysfs) {
	struct vs_card card;
	unsigned int old_slices;
	unsigned int n;
};

FIXTURE_SETUP(sysfs)
{
	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, MIN_SLICES,
				    &self->old_slices));
	ASSERT_EQ(0, vs_get_slices(&self->card, &self->n));
}

FIXTURE_TEARDOWN(sysfs)
{
	unsigned int s;

	vs_pause(&self->card, false);
	vs_set_slices(&self->card, self->n);
	for (s = 0; s < self->n; s++)
		vs_set_weight(&self->card, s, VS_WEIGHT_DEFAULT);
	if (self->old_slices < MIN_SLICES)
		vs_set_slices(&self->card, self->old_slices);
}

static int mode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	return st.st_mode & 07777;
}

TEST_F(sysfs, card_group)
{
	char path[VT_PATH_MAX + 32], buf[64];
	__u64 n;

	snprintf(path, sizeof(path), "%s/slices", self->card.dir);
	EXPECT_EQ(0644, mode_of(path));
	ASSERT_EQ(0, vs_read_u64(path, &n));
	EXPECT_EQ(self->n, n);
	snprintf(path, sizeof(path), "%s/scheduler", self->card.dir);
	EXPECT_EQ(0444, mode_of(path));
	ASSERT_EQ(0, vs_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ("wfq", buf);
	/* read-only means read-only, even for root */
	EXPECT_NE(0, vs_write_str(path, "fifo\n"));
}

/* The card's in-flight budget: 1 to 1000000 us, default 5000 */
TEST_F(sysfs, inflight_us)
{
	static const char * const bad[] = {
		"0\n", "1000001\n", "-1\n", "abc\n", "\n", "4294967297\n",
	};
	char path[VT_PATH_MAX + 32];
	unsigned int i;
	__u64 n;

	snprintf(path, sizeof(path), "%s/inflight_us", self->card.dir);
	EXPECT_EQ(0644, mode_of(path));
	ASSERT_EQ(0, vs_read_u64(path, &n));
	EXPECT_EQ(5000, n);
	EXPECT_EQ(0, vs_write_str(path, "1\n"));
	ASSERT_EQ(0, vs_read_u64(path, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(0, vs_write_str(path, "1000000\n"));
	ASSERT_EQ(0, vs_read_u64(path, &n));
	EXPECT_EQ(1000000, n);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, vs_write_str(path, bad[i]))
			TH_LOG("inflight_us '%.*s'", (int)strlen(bad[i]) - 1,
			       bad[i]);
		ASSERT_EQ(0, vs_read_u64(path, &n));
		EXPECT_EQ(1000000, n);
	}
	EXPECT_EQ(0, vs_write_str(path, "5000\n"));
}

TEST_F(sysfs, slice_attributes)
{
	char path[VT_PATH_MAX], want[PATH_MAX], got[PATH_MAX];
	unsigned int s, i;
	__u64 v;

	snprintf(path, sizeof(path), VT_PCI_DEVICES "/%s", self->card.bdf);
	ASSERT_NE(NULL, realpath(path, want));
	for (s = 0; s < self->n; s++) {
		vs_attr_path(&self->card, s, "weight", path, sizeof(path));
		EXPECT_EQ(0644, mode_of(path)) TH_LOG("%s", path);
		EXPECT_EQ(VS_WEIGHT_DEFAULT, vs_attr_val(&self->card, s,
							 "weight"));
		vs_attr_path(&self->card, s, "slice", path, sizeof(path));
		EXPECT_EQ(0444, mode_of(path)) TH_LOG("%s", path);
		for (i = 0; i < ARRAY_SIZE(counters); i++) {
			vs_attr_path(&self->card, s, counters[i], path,
				     sizeof(path));
			EXPECT_EQ(0400, mode_of(path)) TH_LOG("%s", path);
			EXPECT_EQ(0, vs_read_u64(path, &v)) TH_LOG("%s", path);
			EXPECT_NE(0, vs_write_str(path, "0\n"))
				TH_LOG("%s is writable", path);
		}
		for (i = 0; i < ARRAY_SIZE(limits); i++) {
			vs_attr_path(&self->card, s, limits[i].name, path,
				     sizeof(path));
			EXPECT_EQ(0644, mode_of(path)) TH_LOG("%s", path);
			EXPECT_EQ(limits[i].def,
				  vs_attr_val(&self->card, s, limits[i].name))
				TH_LOG("%s", path);
		}
		EXPECT_EQ(s, vs_attr_val(&self->card, s, "slice"));
		vs_attr_path(&self->card, s, "device", path, sizeof(path));
		ASSERT_NE(NULL, realpath(path, got)) TH_LOG("%s", path);
		EXPECT_STREQ(want, got);
	}
}

/* /dev/vcrypt<base + s>: the slice's character device, 0600 root:root */
TEST_F(sysfs, nodes)
{
	char path[64], dev[VT_PATH_MAX], buf[32];
	unsigned int s, maj, min;
	struct stat st;
	int n;

	for (s = 0; s < self->n; s++) {
		vs_node_path(&self->card, s, path, sizeof(path));
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_TRUE(S_ISCHR(st.st_mode)) TH_LOG("%s", path);
		EXPECT_EQ(0600, st.st_mode & 07777) TH_LOG("%s", path);
		EXPECT_EQ(0, st.st_uid);
		EXPECT_EQ(0, st.st_gid);
		vs_attr_path(&self->card, s, "dev", dev, sizeof(dev));
		ASSERT_EQ(0, vs_read_str(dev, buf, sizeof(buf)));
		n = sscanf(buf, "%u:%u", &maj, &min);
		ASSERT_EQ(2, n) TH_LOG("%s: '%s'", dev, buf);
		EXPECT_EQ(makedev(maj, min), st.st_rdev) TH_LOG("%s", path);
	}
	vs_node_path(&self->card, self->n, path, sizeof(path));
	EXPECT_NE(0, stat(path, &st)) TH_LOG("%s exists", path);
	vs_attr_path(&self->card, self->n, "", dev, sizeof(dev));
	EXPECT_NE(0, stat(dev, &st)) TH_LOG("%s exists", dev);
}

/* The host slice's counters are root's too; its settings are 0644. */
TEST_F(sysfs, host_attributes)
{
	char path[VT_PATH_MAX + 64], dir[VT_PATH_MAX];
	struct dirent *de;
	unsigned int i;
	DIR *d;

	d = opendir(VS_CLASS);
	ASSERT_NE(NULL, d);
	de = vs_class_next(d, "vcrypt-host", self->card.bdf);
	ASSERT_NE(NULL, de) TH_LOG("no host slice of %s", self->card.bdf);
	snprintf(dir, sizeof(dir), VS_CLASS "/%s", de->d_name);
	closedir(d);
	for (i = 0; i < ARRAY_SIZE(host_counters); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, host_counters[i]);
		EXPECT_EQ(0400, mode_of(path)) TH_LOG("%s", path);
	}
	snprintf(path, sizeof(path), "%s/weight", dir);
	EXPECT_EQ(0644, mode_of(path));
	snprintf(path, sizeof(path), "%s/queue_len", dir);
	EXPECT_EQ(0644, mode_of(path));
	snprintf(path, sizeof(path), "%s/max_files", dir);
	EXPECT_EQ(-ENOENT, mode_of(path)) TH_LOG("the host slice has no files");
}

/*
 * max_files (1 to 4096) and max_bytes (1 to 4294967295): the limits
 * themselves are taken, anything else is EINVAL and changes nothing; a
 * slice added again starts with the defaults.
 */
TEST_F(sysfs, limits_range)
{
	static const char * const bad_files[] = {
		"0\n", "4097\n", "-1\n", "abc\n", "\n", "1x\n",
		"4294967297\n",
	};
	static const char * const bad_bytes[] = {
		"0\n", "4294967296\n", "-1\n", "abc\n", "\n", "1M\n",
		"99999999999999999999\n",
	};
	unsigned int n = self->n, i, k;
	char path[VT_PATH_MAX];

	for (k = 0; k < ARRAY_SIZE(limits); k++) {
		const char * const *bad = k ? bad_bytes : bad_files;
		size_t nbad = k ? ARRAY_SIZE(bad_bytes) : ARRAY_SIZE(bad_files);

		vs_attr_path(&self->card, 1, limits[k].name, path,
			     sizeof(path));
		EXPECT_EQ(0, vs_write_u64(path, 1));
		EXPECT_EQ(1, vs_attr_val(&self->card, 1, limits[k].name));
		EXPECT_EQ(0, vs_write_u64(path, limits[k].max));
		EXPECT_EQ(limits[k].max,
			  vs_attr_val(&self->card, 1, limits[k].name));
		for (i = 0; i < nbad; i++) {
			EXPECT_EQ(-EINVAL, vs_write_str(path, bad[i]))
				TH_LOG("%s '%.*s'", limits[k].name,
				       (int)strlen(bad[i]) - 1, bad[i]);
			EXPECT_EQ(limits[k].max,
				  vs_attr_val(&self->card, 1, limits[k].name));
		}
		/* other slices keep theirs */
		EXPECT_EQ(limits[k].def,
			  vs_attr_val(&self->card, 0, limits[k].name));
		EXPECT_EQ(0, vs_write_u64(path, 7));
	}
	ASSERT_EQ(0, vs_set_slices(&self->card, 1));
	ASSERT_EQ(0, vs_set_slices(&self->card, n));
	for (k = 0; k < ARRAY_SIZE(limits); k++)
		EXPECT_EQ(limits[k].def,
			  vs_attr_val(&self->card, 1, limits[k].name));
}

/* The module parameter gives the number of slices at probe (default 4). */
TEST_F(sysfs, module_parameter)
{
	__u64 v;

	/* the parameter is 0444: readable it must be */
	ASSERT_EQ(0, vs_read_u64("/sys/module/vcrypt/parameters/slices", &v));
	EXPECT_EQ(v, self->old_slices)
		TH_LOG("an earlier test left %u slices", self->old_slices);
}

/* Slices are added at the end and removed from the end. */
TEST_F(sysfs, add_remove)
{
	unsigned int n = self->n, s, i, got;
	char path[64];

	ASSERT_EQ(0, vs_set_weight(&self->card, n - 1, 7));
	ASSERT_EQ(0, vs_set_slices(&self->card, n + 3));
	ASSERT_EQ(0, vs_get_slices(&self->card, &got));
	EXPECT_EQ(n + 3, got);
	for (s = n; s < n + 3; s++) {
		vs_node_path(&self->card, s, path, sizeof(path));
		EXPECT_EQ(0, vs_wait_path(path, true, 1000)) TH_LOG("%s", path);
		EXPECT_EQ(VS_WEIGHT_DEFAULT, vs_attr_val(&self->card, s,
							 "weight"));
		EXPECT_EQ(s, vs_attr_val(&self->card, s, "slice"));
		for (i = 0; i < ARRAY_SIZE(counters); i++) {
			const char *name = counters[i];

			EXPECT_EQ(0, vs_attr_val(&self->card, s, name))
				TH_LOG("slice %u %s", s, name);
		}
	}
	/* the existing slices are untouched */
	EXPECT_EQ(7, vs_attr_val(&self->card, n - 1, "weight"));

	ASSERT_EQ(0, vs_set_slices(&self->card, n - 1));
	for (s = n - 1; s < n + 3; s++) {
		vs_node_path(&self->card, s, path, sizeof(path));
		EXPECT_EQ(0, vs_wait_path(path, false, 1000))
			TH_LOG("%s still there", path);
	}
	vs_node_path(&self->card, n - 2, path, sizeof(path));
	EXPECT_EQ(0, vs_wait_path(path, true, 0));

	ASSERT_EQ(0, vs_set_slices(&self->card, 0));
	ASSERT_EQ(0, vs_get_slices(&self->card, &got));
	EXPECT_EQ(0, got);
	vs_node_path(&self->card, 0, path, sizeof(path));
	EXPECT_EQ(0, vs_wait_path(path, false, 1000));

	ASSERT_EQ(0, vs_set_slices(&self->card, n));
	for (s = 0; s < n; s++) {
		vs_node_path(&self->card, s, path, sizeof(path));
		EXPECT_EQ(0, vs_wait_path(path, true, 1000)) TH_LOG("%s", path);
	}
	/* a slice added again is a new one */
	EXPECT_EQ(VS_WEIGHT_DEFAULT, vs_attr_val(&self->card, n - 1, "weight"));
	/* writing the current number changes nothing */
	ASSERT_EQ(0, vs_set_weight(&self->card, 0, 9));
	ASSERT_EQ(0, vs_set_slices(&self->card, n));
	EXPECT_EQ(9, vs_attr_val(&self->card, 0, "weight"));
}

TEST_F_TIMEOUT(sysfs, max_slices, 120)
{
	char path[64];
	unsigned int got;

	ASSERT_EQ(0, vs_set_slices(&self->card, VS_SLICES_MAX));
	ASSERT_EQ(0, vs_get_slices(&self->card, &got));
	EXPECT_EQ(VS_SLICES_MAX, got);
	vs_node_path(&self->card, VS_SLICES_MAX - 1, path, sizeof(path));
	EXPECT_EQ(0, vs_wait_path(path, true, 1000)) TH_LOG("%s", path);
	EXPECT_EQ(VS_SLICES_MAX - 1, vs_attr_val(&self->card,
						 VS_SLICES_MAX - 1, "slice"));
	EXPECT_EQ(-EINVAL, vs_set_slices(&self->card, VS_SLICES_MAX + 1));
	ASSERT_EQ(0, vs_get_slices(&self->card, &got));
	EXPECT_EQ(VS_SLICES_MAX, got);
	ASSERT_EQ(0, vs_set_slices(&self->card, self->n));
	EXPECT_EQ(0, vs_wait_path(path, false, 1000)) TH_LOG("%s", path);
}

TEST_F(sysfs, slices_invalid)
{
	static const char * const bad[] = {
		"257\n", "1000\n", "-1\n", "abc\n", "\n", "4x\n", "x4\n",
		"99999999999999999999\n", "4294967300\n",
	};
	char path[VT_PATH_MAX + 16];
	unsigned int i, got;

	snprintf(path, sizeof(path), "%s/slices", self->card.dir);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, vs_write_str(path, bad[i]))
			TH_LOG("slices '%.*s'", (int)strlen(bad[i]) - 1, bad[i]);
		ASSERT_EQ(0, vs_get_slices(&self->card, &got));
		EXPECT_EQ(self->n, got);
	}
}

TEST_F(sysfs, weight_valid)
{
	static const char * const good[] = { "1\n", "10000\n", "100", "42\n" };
	static const __u64 val[] = { 1, 10000, 100, 42 };
	char path[VT_PATH_MAX];
	unsigned int i;

	vs_attr_path(&self->card, 1, "weight", path, sizeof(path));
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		EXPECT_EQ(0, vs_write_str(path, good[i]));
		EXPECT_EQ(val[i], vs_attr_val(&self->card, 1, "weight"));
	}
	/* other slices keep theirs */
	EXPECT_EQ(VS_WEIGHT_DEFAULT, vs_attr_val(&self->card, 0, "weight"));
	EXPECT_EQ(VS_WEIGHT_DEFAULT, vs_attr_val(&self->card, 2, "weight"));
}

TEST_F(sysfs, weight_invalid)
{
	static const char * const bad[] = {
		"0\n", "10001\n", "-1\n", "abc\n", "\n", "1x\n",
		"4294967297\n", "99999999999999999999\n", "1.5\n",
	};
	char path[VT_PATH_MAX];
	unsigned int i;

	ASSERT_EQ(0, vs_set_weight(&self->card, 2, 321));
	vs_attr_path(&self->card, 2, "weight", path, sizeof(path));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, vs_write_str(path, bad[i]))
			TH_LOG("weight '%.*s'", (int)strlen(bad[i]) - 1, bad[i]);
		EXPECT_EQ(321, vs_attr_val(&self->card, 2, "weight"));
	}
}

/* Become the user nobody, without supplementary groups; 0 or -errno */
static int become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(VT_NOBODY) || setuid(VT_NOBODY))
		return -errno;
	return 0;
}

/*
 * The file modes are the only permission check: another user may read the
 * weights, the limits and the number of slices, and change nothing, nor
 * open a slice, nor read any slice's counters.
 */
TEST_F(sysfs, eacces_for_other_users)
{
	char slices[VT_PATH_MAX + 16], weight[VT_PATH_MAX];
	char limit[ARRAY_SIZE(limits)][VT_PATH_MAX];
	char counter[ARRAY_SIZE(counters)][VT_PATH_MAX];
	int status, fd;
	unsigned int i;
	pid_t pid;
	__u64 v;

	snprintf(slices, sizeof(slices), "%s/slices", self->card.dir);
	vs_attr_path(&self->card, 1, "weight", weight, sizeof(weight));
	for (i = 0; i < ARRAY_SIZE(limits); i++)
		vs_attr_path(&self->card, 1, limits[i].name, limit[i],
			     sizeof(limit[i]));
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		vs_attr_path(&self->card, 1, counters[i], counter[i],
			     sizeof(counter[i]));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = 0;

		if (become_nobody())
			_exit(100);
		if (vs_write_str(weight, "200\n") != -EACCES)
			bad |= 1;
		if (vs_write_str(slices, "6\n") != -EACCES)
			bad |= 2;
		if (vs_write_str(slices, "0\n") != -EACCES)
			bad |= 4;
		if (vs_read_u64(weight, &v) || v != VS_WEIGHT_DEFAULT)
			bad |= 8;
		if (vs_read_u64(slices, &v))
			bad |= 16;
		/* /dev/vcryptN is 0600 root until the admin hands it over */
		fd = vs_open(&self->card, 1, 0);
		if (fd != -EACCES)
			bad |= 32;
		if (fd >= 0)
			close(fd);
		for (i = 0; i < ARRAY_SIZE(limits); i++) {
			if (vs_read_u64(limit[i], &v) || v != limits[i].def)
				bad |= 64;
			if (vs_write_str(limit[i], "1\n") != -EACCES)
				bad |= 64;
		}
		for (i = 0; i < ARRAY_SIZE(counters); i++)
			if (vs_read_u64(counter[i], &v) != -EACCES)
				bad |= 128;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(100, WEXITSTATUS(status)) TH_LOG("cannot become nobody");
	EXPECT_EQ(0, WEXITSTATUS(status) & 1) TH_LOG("weight write not EACCES");
	EXPECT_EQ(0, WEXITSTATUS(status) & 2) TH_LOG("slices write not EACCES");
	EXPECT_EQ(0, WEXITSTATUS(status) & 4) TH_LOG("slices 0 not EACCES");
	EXPECT_EQ(0, WEXITSTATUS(status) & 8) TH_LOG("weight unreadable or changed");
	EXPECT_EQ(0, WEXITSTATUS(status) & 16) TH_LOG("slices unreadable");
	EXPECT_EQ(0, WEXITSTATUS(status) & 32) TH_LOG("open not EACCES");
	EXPECT_EQ(0, WEXITSTATUS(status) & 64)
		TH_LOG("limits unreadable, changed or writable");
	EXPECT_EQ(0, WEXITSTATUS(status) & 128) TH_LOG("a counter readable");
	EXPECT_EQ(VS_WEIGHT_DEFAULT, vs_attr_val(&self->card, 1, "weight"));
	ASSERT_EQ(0, vs_read_u64(slices, &v));
	EXPECT_EQ(self->n, v);
}

TEST_F(sysfs, open_files)
{
	int fd[3], d;

	EXPECT_EQ(0, vs_attr_val(&self->card, 2, "open_files"));
	fd[0] = vs_open(&self->card, 2, 0);
	fd[1] = vs_open(&self->card, 2, O_NONBLOCK);
	fd[2] = vs_open(&self->card, 2, 0);
	ASSERT_LE(0, fd[0]);
	ASSERT_LE(0, fd[1]);
	ASSERT_LE(0, fd[2]);
	EXPECT_EQ(3, vs_attr_val(&self->card, 2, "open_files"));
	EXPECT_EQ(0, vs_attr_val(&self->card, 3, "open_files"));
	d = dup(fd[0]);
	EXPECT_EQ(3, vs_attr_val(&self->card, 2, "open_files"));
	close(fd[0]);
	EXPECT_EQ(3, vs_attr_val(&self->card, 2, "open_files"));
	close(d);
	EXPECT_EQ(2, vs_attr_val(&self->card, 2, "open_files"));
	close(fd[1]);
	close(fd[2]);
	EXPECT_EQ(0, vs_attr_val(&self->card, 2, "open_files"));
}

struct snap {
	__u64 v[ARRAY_SIZE(counters)];
};

static void snap_take(struct vs_card *c, unsigned int s, struct snap *sn)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counters); i++)
		sn->v[i] = vs_attr_val(c, s, counters[i]);
}

/* Index of a counter in struct snap */
static unsigned int ci(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counters); i++)
		if (!strcmp(counters[i], name))
			break;
	return i;
}

static __u64 delta(const struct snap *before, const struct snap *after,
		   const char *name)
{
	return after->v[ci(name)] - before->v[ci(name)];
}

#define DELTA(name) delta(&before, &after, name)

/*
 * completed_ops, completed_bytes, errors and card_time_ns count exactly the
 * requests of their slice, by both paths; card time per the rate model.
 */
TEST_F(sysfs, counters)
{
	const struct vs_kat *bad_k = NULL;
	__u64 rate_ops = 0, rate_bytes = 0, bytes = 0, time = 0, ctime;
	struct vcrypt_completion comp;
	struct snap before, after, other0, other1;
	struct vcrypt_request r;
	struct vs_kat_buf b;
	struct vcrypt_op op;
	unsigned int i;
	__u32 h, done;
	int fd;

	ASSERT_EQ(0, vs_card_stat(&self->card, "card_rate_ops", &rate_ops))
		TH_LOG("no card_rate_ops in the card's debugfs stats");
	ASSERT_EQ(0, vs_card_stat(&self->card, "card_rate_bytes", &rate_bytes));
	fd = vs_open(&self->card, 1, 0);
	ASSERT_LE(0, fd);
	snap_take(&self->card, 1, &before);
	snap_take(&self->card, 2, &other0);

	for (i = 0; i < ARRAY_SIZE(vs_kats); i++) {
		vs_kat_op(&vs_kats[i], &b, &op);
		ASSERT_EQ(0, vs_ioctl(fd, VCRYPT_IOC_OP, &op));
		bytes += vs_kats[i].src.len;
		time += vs_card_time(rate_ops, rate_bytes, vs_kats[i].src.len);
		if (vs_kats[i].alg == VCRYPT_ALG_AES_GCM &&
		    vs_kats[i].flags == VCRYPT_OP_DECRYPT)
			bad_k = &vs_kats[i];
	}
	for (i = 0; i < ARRAY_SIZE(vs_kats); i++) {
		ASSERT_EQ(0, vs_session(fd, vs_kats[i].alg, vs_kats[i].key.p,
					vs_kats[i].key.len, &h));
		vs_kat_req(&vs_kats[i], &b, h, i, &r);
		ASSERT_EQ(0, vs_submit(fd, &r, 1, &done));
		ASSERT_EQ(1, vs_read_all(fd, &comp, 1));
		ASSERT_EQ(0, comp.status);
		bytes += vs_kats[i].src.len;
		time += vs_card_time(rate_ops, rate_bytes, vs_kats[i].src.len);
	}
	snap_take(&self->card, 1, &after);
	EXPECT_EQ(2 * ARRAY_SIZE(vs_kats), DELTA("completed_ops"));
	EXPECT_EQ(bytes, DELTA("completed_bytes"));
	EXPECT_EQ(0, DELTA("errors"));
	ctime = DELTA("card_time_ns");
	EXPECT_GE(time + 2 * 2 * ARRAY_SIZE(vs_kats), ctime)
		TH_LOG("card_time_ns grew by %llu, the rate model gives %llu",
		       ctime, time);
	EXPECT_LE(time, ctime + 2 * 2 * ARRAY_SIZE(vs_kats))
		TH_LOG("card_time_ns grew by %llu, the rate model gives %llu",
		       ctime, time);
	EXPECT_EQ(0, DELTA("queued"));
	EXPECT_EQ(0, DELTA("in_flight"));

	/* a tag mismatch is a completed request with an error, twice */
	ASSERT_NE(NULL, bad_k);
	before = after;
	vs_kat_op(bad_k, &b, &op);
	b.src[op.src_len - 1] ^= 1;
	ASSERT_EQ(-EBADMSG, vs_ioctl(fd, VCRYPT_IOC_OP, &op));
	ASSERT_EQ(0, vs_session(fd, bad_k->alg, bad_k->key.p, bad_k->key.len,
				&h));
	vs_kat_req(bad_k, &b, h, 99, &r);
	b.src[r.src_len - 1] ^= 1;
	ASSERT_EQ(0, vs_submit(fd, &r, 1, &done));
	ASSERT_EQ(1, vs_read_all(fd, &comp, 1));
	ASSERT_EQ(-EBADMSG, comp.status);
	snap_take(&self->card, 1, &after);
	EXPECT_EQ(2, DELTA("completed_ops"));
	EXPECT_EQ(2, DELTA("errors"));
	time = 2 * vs_card_time(rate_ops, rate_bytes, bad_k->src.len);
	ctime = DELTA("card_time_ns");
	EXPECT_GE(time + 4, ctime);
	EXPECT_LE(time, ctime + 4);

	/* requests refused at submission are no completed requests */
	before = after;
	vs_kat_op(&vs_kats[0], &b, &op);
	op.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, vs_ioctl(fd, VCRYPT_IOC_OP, &op));
	snap_take(&self->card, 1, &after);
	EXPECT_EQ(0, DELTA("completed_ops"));
	EXPECT_EQ(0, DELTA("errors"));
	EXPECT_EQ(0, DELTA("card_time_ns"));

	/* another slice saw none of it */
	snap_take(&self->card, 2, &other1);
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		const char *name = counters[i];

		EXPECT_EQ(other0.v[i], other1.v[i]) TH_LOG("slice 2 %s", name);
	}
	close(fd);
}

/*
 * With a backlog, requests wait (queued) or are on the card (in_flight),
 * never more than were submitted; once all are read, both are 0.
 */
/*
 * With the scheduler's dispatch held back (debugfs "paused"), every
 * request submitted is counted in queued and none in in_flight; resumed,
 * no more are in flight at any time than the in-flight budget allows,
 * they all complete and both counters fall back to 0.
 */
TEST_F(sysfs, queued_in_flight)
{
	const unsigned int files = 4;
	struct vcrypt_completion *comps;
	struct vcrypt_request *reqs;
	struct vcrypt_info info;
	__u64 q, f, max_seen = 0, budget, ops = 0, bytes = 0, bound, done0;
	char path[VT_PATH_MAX + 16];
	unsigned int i, k, n;
	long long end;
	int fd[4];
	__u32 h, done;
	__u8 *src, *dst;

	for (i = 0; i < files; i++) {
		fd[i] = vs_open(&self->card, 3, 0);
		ASSERT_LE(0, fd[i]);
	}
	ASSERT_EQ(0, vs_info(fd[0], &info));
	n = info.max_batch < info.max_queue ? info.max_batch : info.max_queue;
	if (n > 64)
		n = 64;
	src = calloc(1, 64 * 1024);
	dst = calloc(files * n, 64 * 1024);
	reqs = calloc(n, sizeof(*reqs));
	comps = calloc(n, sizeof(*comps));
	ASSERT_NE(NULL, src);
	ASSERT_NE(NULL, dst);
	ASSERT_NE(NULL, reqs);
	ASSERT_NE(NULL, comps);
	EXPECT_EQ(0, vs_attr_val(&self->card, 3, "queued"));
	EXPECT_EQ(0, vs_attr_val(&self->card, 3, "in_flight"));
	/* the most requests of 64 KiB within the in-flight budget */
	snprintf(path, sizeof(path), "%s/inflight_us", self->card.dir);
	ASSERT_EQ(0, vs_read_u64(path, &budget));
	ASSERT_EQ(0, vs_card_stat(&self->card, "card_rate_ops", &ops));
	ASSERT_EQ(0, vs_card_stat(&self->card, "card_rate_bytes", &bytes));
	bound = budget * 1000 / vs_card_time(ops, bytes, 64 * 1024);
	if (bound < 2)
		bound = 2;
	done0 = vs_attr_val(&self->card, 3, "completed_ops");
	end = vs_now_ns() + 60 * 1000000000LL;
	ASSERT_EQ(0, vs_pause(&self->card, true));
	for (i = 0; i < files; i++) {
		ASSERT_EQ(0, vs_session(fd[i], VCRYPT_ALG_AES_CTR,
					SP800_38A_KEY128, 16, &h));
		for (k = 0; k < n; k++) {
			memset(&reqs[k], 0, sizeof(reqs[k]));
			reqs[k].tag = k;
			reqs[k].session = h;
			reqs[k].iv = vt_ptr(SP800_38A_CTR_IV);
			reqs[k].iv_len = 16;
			reqs[k].src = vt_ptr(src);
			reqs[k].src_len = 64 * 1024;
			reqs[k].dst = vt_ptr(dst + (size_t)(i * n + k) * 64 * 1024);
			reqs[k].dst_len = 64 * 1024;
		}
		ASSERT_EQ(0, vs_submit(fd[i], reqs, n, &done));
		ASSERT_EQ(n, done);
		/* all of them wait in the slice, none is on the card */
		EXPECT_EQ((i + 1) * n, vs_attr_val(&self->card, 3, "queued"));
		EXPECT_EQ(0, vs_attr_val(&self->card, 3, "in_flight"));
		EXPECT_TRUE(vs_quiet(fd[i]));
	}
	/*
	 * Resumed, the scheduler keeps at most inflight_us of card time on
	 * the card (or two requests): never more in flight than that
	 */
	ASSERT_EQ(0, vs_pause(&self->card, false));
	for (q = 0; q < files * n; q = vs_attr_val(&self->card, 3,
						   "completed_ops") - done0) {
		f = vs_attr_val(&self->card, 3, "in_flight");
		if (f > max_seen)
			max_seen = f;
		ASSERT_GT(end, vs_now_ns()) TH_LOG("%llu of %u completed", q,
						   files * n);
		vs_sleep_ms(1);
	}
	TH_LOG("at most %llu of %u in flight (bound %llu)", max_seen,
	       files * n, bound);
	EXPECT_GE(bound, max_seen);
	for (i = 0; i < files; i++) {
		ASSERT_EQ((int)n, vs_read_all(fd[i], comps, n));
		for (k = 0; k < n; k++)
			EXPECT_EQ(0, comps[k].status);
	}
	EXPECT_EQ(0, vs_attr_val(&self->card, 3, "queued"));
	EXPECT_EQ(0, vs_attr_val(&self->card, 3, "in_flight"));
	for (i = 0; i < files; i++)
		close(fd[i]);
	free(src);
	free(dst);
	free(reqs);
	free(comps);
}

TEST_HARNESS_MAIN
