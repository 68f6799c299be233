// SPDX-License-Identifier: GPL-2.0
/*
 * What a tenant may make the host pin or allocate, and who pays for it:
 *
 * - pinned pages are charged to the submitter's RLIMIT_MEMLOCK (VmPin in
 *   /proc/PID/status): past it, without CAP_IPC_LOCK, a request fails
 *   with ENOMEM; the charge goes when the request completes, also when
 *   the submitter has exited by then;
 * - the kernel memory of files, sessions and requests is charged to the
 *   submitter's memory cgroup (memory.current);
 * - a slice takes at most max_files open files (then ENFILE), and its
 *   files' requests are queued only while their outstanding bytes are
 *   below its max_bytes (then EAGAIN, or a wait until a read of any of its
 *   files makes room).
 *
 * Where requests must stay on the card to be counted, the card is stalled
 * through QEMU's monitor (vcrypt_qmp.h); without it those cases skip.
 */
#include <linux/capability.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "vcrypt_slice.h"
#include "vcrypt_qmp.h"
#include "kselftest_harness.h"

#define HASH_DST	64
#define CG_ROOT		"/sys/fs/cgroup"
#define CG_DIR		CG_ROOT "/vcrypt-limits"
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

FIXTURE(limits) {
	struct vs_card card;
	unsigned int old_slices;
	__u64 max_files[2], max_bytes[2];
	bool stalled;
};

FIXTURE_SETUP(limits)
{
	unsigned int s;

	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, 2, &self->old_slices));
	for (s = 0; s < 2; s++) {
		ASSERT_EQ(0, vs_attr(&self->card, s, "max_files",
				     &self->max_files[s]));
		ASSERT_EQ(0, vs_attr(&self->card, s, "max_bytes",
				     &self->max_bytes[s]));
		ASSERT_EQ(0, vs_attr_val(&self->card, s, "open_files"))
			TH_LOG("slice %u has files open", s);
	}
}

FIXTURE_TEARDOWN(limits)
{
	char path[VT_PATH_MAX];
	unsigned int s;

	if (self->stalled)
		vq_card_set("fault-stall", "false");
	for (s = 0; s < 2; s++) {
		vs_attr_path(&self->card, s, "max_files", path, sizeof(path));
		vs_write_u64(path, self->max_files[s]);
		vs_attr_path(&self->card, s, "max_bytes", path, sizeof(path));
		vs_write_u64(path, self->max_bytes[s]);
	}
	if (self->old_slices < 2)
		vs_set_slices(&self->card, self->old_slices);
}

static int set_limit(struct vs_card *c, unsigned int s, const char *attr,
		     __u64 val)
{
	char path[VT_PATH_MAX];

	vs_attr_path(c, s, attr, path, sizeof(path));
	return vs_write_u64(path, val);
}

/* Stop the card from taking descriptors, or let it go on; 0 or -errno */
static int card_stall(struct __test_metadata *_metadata, bool *stalled, bool on)
{
	int ret = vq_card_set("fault-stall", on ? "true" : "false");

	if (!ret)
		*stalled = on;
	else
		TH_LOG("fault-stall through QMP: %s", strerror(-ret));
	return ret;
}

/* VmPin of /proc/self/status in kB, or -1 */
static long vm_pin_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Take CAP_IPC_LOCK out of the effective set, or put it back */
static int ipc_lock(bool on)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (on)
		d[0].effective |= 1u << CAP_IPC_LOCK;
	else
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static int memlock_limit(rlim_t bytes)
{
	struct rlimit rl = { .rlim_cur = bytes, .rlim_max = RLIM_INFINITY };

	return setrlimit(RLIMIT_MEMLOCK, &rl) ? -errno : 0;
}

/* SHA-256 of @src_len bytes at @src into @dst; the request's tag is @tag */
static void hash_req(struct vcrypt_request *r, __u32 h, __u64 tag,
		     const void *src, __u32 src_len, void *dst)
{
	memset(r, 0, sizeof(*r));
	r->tag = tag;
	r->session = h;
	r->src = vt_ptr(src);
	r->src_len = src_len;
	r->dst = vt_ptr(dst);
	r->dst_len = HASH_DST;
}

static void *page_alloc(size_t pages)
{
	void *p = mmap(NULL, pages * VS_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * RLIMIT_MEMLOCK of 16 pages without CAP_IPC_LOCK: a request of 16 pages
 * (15 of source, one of destination) runs, one of 17 is refused with
 * ENOMEM, by SUBMIT and by OP; with CAP_IPC_LOCK it runs.
 */
TEST_F(limits, memlock_enomem)
{
	struct vcrypt_completion comp;
	struct vcrypt_request r;
	struct vcrypt_op op;
	__u8 *buf;
	__u32 h, done;
	int fd;

	buf = page_alloc(17);
	ASSERT_NE(NULL, buf);
	fd = vs_open(&self->card, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vs_session(fd, VCRYPT_ALG_SHA256, NULL, 0, &h));
	ASSERT_EQ(0, memlock_limit(16 * VS_PAGE));
	ASSERT_EQ(0, ipc_lock(false));

	hash_req(&r, h, 1, buf, 15 * VS_PAGE, buf + 15 * VS_PAGE);
	ASSERT_EQ(0, vs_submit(fd, &r, 1, &done));
	ASSERT_EQ(1, vs_read_all(fd, &comp, 1));
	EXPECT_EQ(0, comp.status);
	hash_req(&r, h, 2, buf, 15 * VS_PAGE + 1, buf + 16 * VS_PAGE);
	EXPECT_EQ(-ENOMEM, vs_submit(fd, &r, 1, &done));
	EXPECT_EQ(0, done);
	memset(&op, 0, sizeof(op));
	op.alg = VCRYPT_ALG_SHA256;
	op.src = vt_ptr(buf);
	op.src_len = 16 * VS_PAGE;
	op.dst = vt_ptr(buf + 16 * VS_PAGE);
	op.dst_len = HASH_DST;
	EXPECT_EQ(-ENOMEM, vs_ioctl(fd, VCRYPT_IOC_OP, &op));
	EXPECT_EQ(0, vm_pin_kb());
	EXPECT_TRUE(vs_quiet(fd));

	ASSERT_EQ(0, ipc_lock(true));
	EXPECT_EQ(0, vs_ioctl(fd, VCRYPT_IOC_OP, &op));
	EXPECT_EQ(32, op.out_len);
	EXPECT_EQ(0, vm_pin_kb());
	close(fd);
	munmap(buf, 17 * VS_PAGE);
}

/*
 * With the card stalled, requests stay pinned: VmPin shows them and the
 * limit counts them all; once they complete the charge is gone. A child
 * that submits and exits before its request completes leaves nothing
 * behind: the request completes for the parent, which shares the file.
 */
TEST_F(limits, memlock_outstanding)
{
	struct vcrypt_completion comp[2];
	struct vcrypt_request r;
	int fd, status;
	__u32 h, done;
	pid_t pid;
	__u8 *buf;

	if (!vq_available())
		SKIP(return, "no QMP monitor on " VQ_TTY);
	buf = page_alloc(16);
	ASSERT_NE(NULL, buf);
	fd = vs_open(&self->card, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vs_session(fd, VCRYPT_ALG_SHA256, NULL, 0, &h));
	ASSERT_EQ(0, memlock_limit(16 * VS_PAGE));
	ASSERT_EQ(0, ipc_lock(false));
	ASSERT_EQ(0, card_stall(_metadata, &self->stalled, true));

	/* 7 pages of source and one of destination each */
	hash_req(&r, h, 1, buf, 7 * VS_PAGE, buf + 7 * VS_PAGE);
	ASSERT_EQ(0, vs_submit(fd, &r, 1, &done));
	EXPECT_EQ(32, vm_pin_kb());
	hash_req(&r, h, 2, buf + 8 * VS_PAGE, 7 * VS_PAGE, buf + 15 * VS_PAGE);
	ASSERT_EQ(0, vs_submit(fd, &r, 1, &done));
	EXPECT_EQ(64, vm_pin_kb());
	hash_req(&r, h, 3, buf, 1, buf + 15 * VS_PAGE);
	EXPECT_EQ(-ENOMEM, vs_submit(fd, &r, 1, &done));
	EXPECT_EQ(64, vm_pin_kb());
	ASSERT_EQ(0, card_stall(_metadata, &self->stalled, false));
	ASSERT_EQ(2, vs_read_all(fd, comp, 2));
	EXPECT_EQ(0, comp[0].status);
	EXPECT_EQ(0, comp[1].status);
	EXPECT_EQ(0, vm_pin_kb());

	/* uncharged after the submitter is gone */
	ASSERT_EQ(0, card_stall(_metadata, &self->stalled, true));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		hash_req(&r, h, 4, buf, 7 * VS_PAGE, buf + 7 * VS_PAGE);
		_exit(vs_submit(fd, &r, 1, &done) || vm_pin_kb() != 32);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the child's request");
	EXPECT_EQ(0, vm_pin_kb());
	ASSERT_EQ(0, card_stall(_metadata, &self->stalled, false));
	ASSERT_EQ(1, vs_read_all(fd, comp, 1));
	EXPECT_EQ(4, comp[0].tag);
	EXPECT_EQ(0, comp[0].status);
	close(fd);
	munmap(buf, 16 * VS_PAGE);
}

/*
 * max_files: open fails with ENFILE once the slice has as many; closing
 * one makes room; the other slice is not affected; lowering the limit
 * leaves open files alone.
 */
TEST_F(limits, max_files)
{
	struct vcrypt_info info;
	int fd[4], other, i;

	ASSERT_EQ(0, set_limit(&self->card, 1, "max_files", 3));
	for (i = 0; i < 3; i++) {
		fd[i] = vs_open(&self->card, 1, 0);
		ASSERT_LE(0, fd[i]) TH_LOG("file %d", i);
	}
	ASSERT_EQ(0, vs_info(fd[0], &info));
	EXPECT_EQ(3, info.slice_max_files);
	EXPECT_EQ(-ENFILE, vs_open(&self->card, 1, 0));
	EXPECT_EQ(-ENFILE, vs_open(&self->card, 1, O_NONBLOCK));
	EXPECT_EQ(3, vs_attr_val(&self->card, 1, "open_files"));
	other = vs_open(&self->card, 0, 0);
	EXPECT_LE(0, other) TH_LOG("slice 0 refused a file");
	close(fd[2]);
	fd[2] = vs_open(&self->card, 1, 0);
	EXPECT_LE(0, fd[2]);

	ASSERT_EQ(0, set_limit(&self->card, 1, "max_files", 1));
	EXPECT_EQ(3, vs_attr_val(&self->card, 1, "open_files"));
	EXPECT_EQ(0, vs_info(fd[1], &info)) TH_LOG("open files still work");
	EXPECT_EQ(1, info.slice_max_files);
	for (i = 0; i < 3; i++)
		close(fd[i]);
	fd[3] = vs_open(&self->card, 1, 0);
	EXPECT_LE(0, fd[3]);
	EXPECT_EQ(-ENFILE, vs_open(&self->card, 1, 0));
	close(fd[3]);
	close(other);
}

struct blocked_submit {
	int fd;
	struct vcrypt_request *req;
	int ret;
	long long ns;
};

static void *submit_thread(void *arg)
{
	struct blocked_submit *b = arg;
	long long t = vs_now_ns();
	__u32 done;

	b->ret = vs_submit(b->fd, b->req, 1, &done);
	b->ns = vs_now_ns() - t;
	return NULL;
}

/*
 * max_bytes: the slice's files queue a request only while the bytes of
 * their outstanding requests (here: completed and not read) are below
 * it; beyond, a non-blocking SUBMIT fails with EAGAIN and POLLOUT is
 * clear on every file of the slice; a read of any file makes room,
 * waking a blocked SUBMIT of another; closing a file gives its unread
 * requests' bytes back. outstanding_bytes counts src_len + out_len.
 */
TEST_F(limits, max_bytes)
{
	const __u32 len = 40000, each = 40000 + 32;
	struct pollfd pfd = { .events = POLLOUT };
	struct vcrypt_completion comp;
	struct vcrypt_request r[5];
	struct blocked_submit b;
	struct vcrypt_info info;
	pthread_t th;
	__u32 h[2], done, i;
	int a, fb;
	__u8 *buf;

	buf = page_alloc(16);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, set_limit(&self->card, 1, "max_bytes", 100000));
	a = vs_open(&self->card, 1, O_NONBLOCK);
	fb = vs_open(&self->card, 1, O_NONBLOCK);
	ASSERT_LE(0, a);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, vs_info(a, &info));
	EXPECT_EQ(100000, info.slice_max_bytes);
	ASSERT_EQ(0, vs_session(a, VCRYPT_ALG_SHA256, NULL, 0, &h[0]));
	ASSERT_EQ(0, vs_session(fb, VCRYPT_ALG_SHA256, NULL, 0, &h[1]));
	for (i = 0; i < 5; i++)
		hash_req(&r[i], h[i == 4], i, buf, len, buf + 12 * VS_PAGE + i * 64);

	/* 0 and 40032 are below 100000, so is 80064: three requests */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vs_submit(a, &r[i], 1, &done)) TH_LOG("req %u", i);
		EXPECT_EQ((i + 1) * each,
			  vs_attr_val(&self->card, 1, "outstanding_bytes"));
	}
	EXPECT_EQ(-EAGAIN, vs_submit(a, &r[3], 1, &done));
	EXPECT_EQ(-EAGAIN, vs_submit(fb, &r[4], 1, &done));
	pfd.fd = fb;
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("POLLOUT on a full slice");
	EXPECT_EQ(0, vs_attr_val(&self->card, 0, "outstanding_bytes"));

	/* a read of file a lets file b queue */
	ASSERT_EQ(1, vs_read_all(a, &comp, 1));
	EXPECT_EQ(2 * each, vs_attr_val(&self->card, 1, "outstanding_bytes"));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(0, vs_submit(fb, &r[4], 1, &done));
	EXPECT_EQ(3 * each, vs_attr_val(&self->card, 1, "outstanding_bytes"));

	/* a blocking SUBMIT of b waits until a reads */
	ASSERT_EQ(0, vs_nonblock(fb, false));
	b = (struct blocked_submit){ .fd = fb, .req = &r[3] };
	r[3].session = h[1];
	ASSERT_EQ(0, pthread_create(&th, NULL, submit_thread, &b));
	vs_sleep_ms(300);
	ASSERT_EQ(1, vs_read_all(a, &comp, 1));
	pthread_join(th, NULL);
	EXPECT_EQ(0, b.ret);
	EXPECT_LE(200000000LL, b.ns) TH_LOG("SUBMIT did not wait");
	EXPECT_EQ(3 * each, vs_attr_val(&self->card, 1, "outstanding_bytes"));

	/* closing a gives back its unread one; b's two stay */
	close(a);
	EXPECT_EQ(2 * each, vs_attr_val(&self->card, 1, "outstanding_bytes"));
	ASSERT_EQ(2, vs_read_all(fb, &comp, 1) + vs_read_all(fb, &comp, 1));
	EXPECT_EQ(0, vs_attr_val(&self->card, 1, "outstanding_bytes"));

	/* max_bytes 1: one request at a time */
	ASSERT_EQ(0, set_limit(&self->card, 1, "max_bytes", 1));
	ASSERT_EQ(0, vs_nonblock(fb, true));
	EXPECT_EQ(0, vs_submit(fb, &r[4], 1, &done));
	EXPECT_EQ(-EAGAIN, vs_submit(fb, &r[3], 1, &done));
	ASSERT_EQ(1, vs_read_all(fb, &comp, 1));
	EXPECT_EQ(0, vs_submit(fb, &r[3], 1, &done));
	ASSERT_EQ(1, vs_read_all(fb, &comp, 1));
	close(fb);
	munmap(buf, 16 * VS_PAGE);
}

/* A cgroup v2 with the memory controller, this process in it; 0 or skip */
static int cg_join(void)
{
	char buf[256];
	struct statfs sf;

	if (statfs(CG_ROOT, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC) {
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			return -errno;
	}
	if (vs_read_str(CG_ROOT "/cgroup.controllers", buf, sizeof(buf)) ||
	    !strstr(buf, "memory"))
		return -EOPNOTSUPP;
	if (vs_write_str(CG_ROOT "/cgroup.subtree_control", "+memory"))
		return -EOPNOTSUPP;
	if (mkdir(CG_DIR, 0755) && errno != EEXIST)
		return -errno;
	snprintf(buf, sizeof(buf), "%d", getpid());
	return vs_write_str(CG_DIR "/cgroup.procs", buf);
}

static void cg_leave(void)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", getpid());
	vs_write_str(CG_ROOT "/cgroup.procs", buf);
	rmdir(CG_DIR);
}

static long long cg_current(void)
{
	__u64 v;

	return vs_read_u64(CG_DIR "/memory.current", &v) ? -1 : (long long)v;
}

#define CG_FILES	16
#define CG_SESSIONS	256
#define CG_KEY		128
#define CG_BIG		64
/*
 * What memory.current may be off by: the per-CPU charge stocks (64 pages
 * each) and byte stocks of two CPUs, and some slack
 */
#define CG_NOISE	0x100000

/*
 * The kernel memory of files, sessions and requests is charged to the
 * submitter's memory cgroup. 16 files with 256 sessions of 128-byte keys
 * (at least 136 bytes each) and 256 unread completions each (a request
 * holds more than its 255-byte key and IV arrays): memory.current grows
 * by at least 16 * 256 * (136 + 510) bytes, 2.5 MiB. Then, with the card
 * stalled, 64 requests of 1 MiB in place on one misaligned buffer whose
 * pages are not next to each other (so that source and destination each
 * need a page array of 4 KiB, an SG table of two pages and a head copy of
 * 8 KiB: 64 KiB) add at least 2 MiB more. Everything goes when the files
 * close.
 */
TEST_F_TIMEOUT(limits, memcg_charged, 120)
{
	struct vcrypt_request *reqs;
	struct vcrypt_completion comp[CG_BIG];
	long long base, files_done, big_done, end;
	__u8 key[CG_KEY], *dst, *big;
	int fd[CG_FILES], ret, bigfd;
	__u32 h, done, i, j;

	ret = cg_join();
	if (ret == -EOPNOTSUPP)
		SKIP(return, "no cgroup v2 memory controller");
	ASSERT_EQ(0, ret) TH_LOG("joining %s: %s", CG_DIR, strerror(-ret));
	vt_pattern(key, sizeof(key), 5);
	reqs = calloc(CG_SESSIONS, sizeof(*reqs));
	dst = page_alloc(CG_SESSIONS * HASH_DST / VS_PAGE);
	big = vs_scattered(258);
	ASSERT_NE(NULL, reqs);
	ASSERT_NE(NULL, dst);
	ASSERT_NE(NULL, big);
	ASSERT_EQ(0, set_limit(&self->card, 0, "max_bytes", 256u << 20));

	base = cg_current();
	ASSERT_LT(0, base);
	for (i = 0; i < CG_FILES; i++) {
		fd[i] = vs_open(&self->card, 0, 0);
		ASSERT_LE(0, fd[i]);
		for (j = 0; j < CG_SESSIONS; j++)
			ASSERT_EQ(0, vs_session(fd[i], VCRYPT_ALG_HMAC_SHA256,
						key, CG_KEY, &h));
		for (j = 0; j < CG_SESSIONS; j++)
			hash_req(&reqs[j], h, j, "abc", 3, dst + j * HASH_DST);
		for (j = 0; j < CG_SESSIONS; j += 64)
			ASSERT_EQ(0, vs_submit(fd[i], reqs + j, 64, &done));
	}
	files_done = cg_current();
	EXPECT_LE(base + 16LL * 256 * (136 + 510) - CG_NOISE, files_done)
		TH_LOG("memory.current grew by %lld bytes only",
		       files_done - base);

	if (vq_available()) {
		bigfd = vs_open(&self->card, 0, 0);
		ASSERT_LE(0, bigfd);
		ASSERT_EQ(0, vs_session(bigfd, VCRYPT_ALG_AES_CTR,
					SP800_38A_KEY128, 16, &h));
		ASSERT_EQ(0, card_stall(_metadata, &self->stalled, true));
		for (j = 0; j < CG_BIG; j++) {
			memset(&reqs[j], 0, sizeof(reqs[j]));
			reqs[j].tag = j;
			reqs[j].session = h;
			reqs[j].iv = vt_ptr(SP800_38A_CTR_IV);
			reqs[j].iv_len = 16;
			reqs[j].src = vt_ptr(big + 100);
			reqs[j].src_len = 1 << 20;
			reqs[j].dst = reqs[j].src;
			reqs[j].dst_len = 1 << 20;
		}
		ASSERT_EQ(0, vs_submit(bigfd, reqs, CG_BIG, &done));
		ASSERT_EQ(CG_BIG, done);
		big_done = cg_current();
		EXPECT_LE(files_done + CG_BIG * 32 * 1024LL - CG_NOISE,
			  big_done)
			TH_LOG("memory.current grew by %lld bytes only",
			       big_done - files_done);
		ASSERT_EQ(0, card_stall(_metadata, &self->stalled, false));
		ASSERT_EQ(CG_BIG, vs_read_all(bigfd, comp, CG_BIG));
		for (j = 0; j < CG_BIG; j++)
			EXPECT_EQ(0, comp[j].status);
		close(bigfd);
	} else {
		TH_LOG("no QMP monitor on %s: requests in flight not measured",
		       VQ_TTY);
	}

	for (i = 0; i < CG_FILES; i++)
		close(fd[i]);
	end = cg_current();
	EXPECT_GE(base + CG_NOISE, end)
		TH_LOG("%lld bytes still charged after the files closed",
		       end - base);
	cg_leave();
	free(reqs);
	munmap(big, 258 * VS_PAGE);
}

TEST_HARNESS_MAIN
