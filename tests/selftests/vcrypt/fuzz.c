// SPDX-License-Identifier: GPL-2.0
/*
 * A structured fuzzer of the slices' user ABI (/dev/vcryptN,
 * Documentation/uapi.rst).
 *
 * Worker threads make calls on a few open files of several slices: every
 * ioctl with valid-shaped arguments whose fields are then mutated (lengths
 * at and across each boundary, reserved fields and flags, bad pointers of
 * every kind), batches, read(2) of odd sizes and poll(2), O_NONBLOCK set
 * and cleared, unknown ioctls, close and fork (the child using and closing
 * the inherited file) with requests in flight, buffers unmapped or
 * protected while the card owns them, and the debugfs raw hook. Another
 * thread removes and adds slices and changes weights and the card's
 * in-flight budget underneath. Where the kernel can inject faults, a share
 * of the calls runs with an allocation failing.
 *
 * The oracle: every call returns what the documentation allows for it
 * (fuzz_model.h); every queued request completes exactly once, on its own
 * file, or its file reports ENODEV; no request writes outside the bytes it
 * may write, and known-answer requests give the published answer; no call
 * stays blocked; at the end no pinned page, slab object or slice counter
 * is left over; and the kernel's console stays clean, which the harness
 * checks.
 *
 * Every thread draws from its own stream of one PRNG seeded with the run's
 * seed, so each thread's calls follow from the seed (their interleaving,
 * and the card's timing, do not: with -j 1 -A the run is sequential). A
 * failure prints the call and the command line that reproduces the run.
 * Documentation/testing.rst describes the options.
 */
#include <getopt.h>
#include <sys/random.h>

#include "fuzz_calls.h"
#include "fuzz_child.h"
#include "fuzz_raw.h"

static enum fz_kind fz_pick_kind(struct fz_rng *r)
{
	unsigned int total = 0, k, x;

	for (k = 0; k < FZ_K_PICKED; k++)
		if (fz.kinds & 1u << k)
			total += fz_kinds[k].weight;
	x = fz_below(r, total);
	for (k = 0; k < FZ_K_PICKED; k++) {
		if (!(fz.kinds & 1u << k))
			continue;
		if (x < fz_kinds[k].weight)
			break;
		x -= fz_kinds[k].weight;
	}
	return k;
}

static void fz_call(struct fz_worker *w)
{
	enum fz_kind kind = fz_pick_kind(&w->rng);
	struct fz_slot *s = &fz.slots[fz_below(&w->rng, FZ_SLOTS)];

	w->kind = kind;
	w->injected = false;
	if (kind == FZ_K_TAMPER) {
		fz_do_tamper(w);
		return;
	}
	if (kind == FZ_K_RAW) {
		fz_do_raw(w);
		return;
	}
	if (kind == FZ_K_CLOSE) {
		fz_do_close(w, s);
		return;
	}
	if (!fz_slot_get(w, s))
		return;
	w->kind = kind;
	switch (kind) {
	case FZ_K_INFO:
		fz_do_info(w, s);
		break;
	case FZ_K_SESS_NEW:
		fz_do_session_new(w, s);
		break;
	case FZ_K_SESS_FREE:
		fz_do_session_free(w, s);
		break;
	case FZ_K_OP:
		fz_do_op(w, s);
		break;
	case FZ_K_SUBMIT:
		fz_do_submit(w, s);
		break;
	case FZ_K_READ:
		fz_do_read(w, s);
		break;
	case FZ_K_POLL:
		fz_do_poll(w, s);
		break;
	case FZ_K_FCNTL:
		fz_do_fcntl(w, s);
		break;
	case FZ_K_IOCTL:
		fz_do_ioctl(w, s);
		break;
	default:
		fz_do_fork(w, s);
		break;
	}
	fz_slot_put(s);
}

static int fz_worker_init(struct fz_worker *w, unsigned int id)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGUSR1,
	};
	__u8 *m;

	w->id = id;
	fz_rng_init(&w->rng, fz.seed, id);
	sev._sigev_un._tid = gettid();	/* sigev_notify_thread_id */
	if (timer_create(CLOCK_MONOTONIC, &sev, &w->timer))
		return -1;
	w->nth_fd = fz.fi.nth ? open(FZ_FAIL_NTH, O_RDWR | O_CLOEXEC) : -1;
	if (fz_arena_init(&w->arena))
		return -1;
	m = mmap(NULL, (FZ_REQ_PAGES + FZ_RBUF_PAGES + 2) * FZ_PAGE,
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	w->reqs = m;
	w->rbuf = m + (FZ_REQ_PAGES + 1) * FZ_PAGE;
	mprotect(m + FZ_REQ_PAGES * FZ_PAGE, FZ_PAGE, PROT_NONE);
	mprotect(w->rbuf + FZ_RBUF_PAGES * FZ_PAGE, FZ_PAGE, PROT_NONE);
	return 0;
}

static void *fz_worker_main(void *arg)
{
	struct fz_worker *w = arg;

	if (fz_worker_init(w, w->id)) {
		fz_fail(w, FZ_C_CALL, "cannot set up the thread: %s",
			strerror(errno));
	} else {
		for (w->call = 0; w->call < w->ncalls && !atomic_load(&fz.stop);
		     w->call++) {
			fz_call(w);
			atomic_fetch_add(&fz.progress, 1);
		}
	}
	atomic_fetch_sub(&fz.running, 1);
	return NULL;
}

/* The root thread: slices removed and added, weights, budget, counters */

static void fz_sysfs_write(struct fz_worker *w, const char *path,
			   const char *val, fz_set allowed, const char *what)
{
	int ret = vs_write_str(path, val);

	fz_check(w, NULL, false, -ret, allowed, what);
}

/*
 * Sets the max_bytes of slice @s out of reach (FZ_SLICE_MAX_BYTES); files
 * opened on it from then on have room by their own limits alone. A driver
 * without slice limits needs none of this.
 */
static void fz_unlimit(unsigned int s)
{
	char path[VT_PATH_MAX + 32];

	vs_attr_path(&fz.card, s, "max_bytes", path, sizeof(path));
	if (access(path, F_OK) || !vs_write_u64(path, FZ_SLICE_MAX_BYTES))
		atomic_store(&fz.unlimited[s], true);
}

static void fz_admin_slices(struct fz_worker *w)
{
	static const char * const bad[] = { "257\n", "-1\n", "abc\n",
					    "4294967297\n", "\n", "1 2\n" };
	unsigned int old = atomic_load(&fz.nslices), n = 0, s;
	bool valid = fz_chance(&w->rng, 92);
	char path[VT_PATH_MAX + 16], val[32];
	__u64 wt = 0;

	w->kind = FZ_K_SLICES;
	snprintf(path, sizeof(path), "%s/slices", fz.card.dir);
	if (valid) {
		/* Mostly one or two slices go; sometimes all */
		n = fz_chance(&w->rng, 85) ?
		    fz_range(&w->rng, FZ_SLICES - 2, FZ_SLICES) :
		    fz_range(&w->rng, 0, 1);
		snprintf(val, sizeof(val), "%u\n", n);
	} else {
		snprintf(val, sizeof(val), "%s", bad[fz_below(&w->rng, ARRAY_SIZE(bad))]);
	}
	fz_desc(w, "write %s to %s (%u slices now)", valid ? val : "garbage",
		path, old);
	if (!valid) {
		fz_sysfs_write(w, path, val, FZ_M(FZ_EINVAL), "slices");
		return;
	}
	for (s = n; s < old; s++) {
		atomic_store(&fz.unlimited[s], false);
		atomic_fetch_add(&fz.removing[s], 1);
	}
	fz_sysfs_write(w, path, val, FZ_M(FZ_OK), "slices");
	for (s = n; s < old; s++)
		atomic_fetch_add(&fz.removed[s], 1);
	for (s = old; s < n; s++)
		fz_unlimit(s);
	atomic_store(&fz.nslices, n);
	/* A slice added again is a new one, with the default weight */
	for (s = old; s < n; s++) {
		if (vs_attr(&fz.card, s, "weight", &wt) ||
		    wt != VS_WEIGHT_DEFAULT)
			fz_fail(w, FZ_C_CALL, "new slice %u: weight %llu", s, wt);
	}
}

static void fz_admin_value(struct fz_worker *w, bool weight)
{
	static const __u32 weights[] = { 1, 2, 3, 100, 101, 9999, 10000 };
	static const __u32 budgets[] = { 1, 2, 10, 100, 1000, 5000, 100000,
					 1000000 };
	static const char * const bad_w[] = { "0\n", "10001\n", "4294967296\n",
					      "-5\n", "x\n", "\n" };
	static const char * const bad_b[] = { "0\n", "1000001\n", "-1\n",
					      "y\n" };
	struct fz_rng *r = &w->rng;
	unsigned int s = fz_below(r, FZ_SLICES), v;
	bool valid = fz_chance(r, 85), exists = s < atomic_load(&fz.nslices);
	char path[VT_PATH_MAX + 16], val[32];
	__u64 back = 0;

	w->kind = weight ? FZ_K_WEIGHT : FZ_K_INFLIGHT;
	if (weight) {
		v = fz_chance(r, 50) ? FZ_PICK(r, weights) : fz_range(r, 1, 10000);
		vs_attr_path(&fz.card, s, "weight", path, sizeof(path));
	} else {
		v = fz_chance(r, 50) ? FZ_PICK(r, budgets) : fz_range(r, 1, 20000);
		snprintf(path, sizeof(path), "%s/inflight_us", fz.card.dir);
		exists = true;
	}
	if (valid)
		snprintf(val, sizeof(val), "%u\n", v);
	else
		snprintf(val, sizeof(val), "%s", weight ?
			 bad_w[fz_below(r, ARRAY_SIZE(bad_w))] :
			 bad_b[fz_below(r, ARRAY_SIZE(bad_b))]);
	fz_desc(w, "write %s to %s", valid ? val : "garbage", path);
	fz_sysfs_write(w, path, val,
		       FZ_M(!exists ? FZ_ENOENT : valid ? FZ_OK : FZ_EINVAL),
		       weight ? "weight" : "inflight_us");
	if (valid && exists &&
	    (vs_read_u64(path, &back) || back != v))
		fz_fail(w, FZ_C_CALL, "%s reads back %llu after writing %u",
			path, back, v);
}

static void fz_admin_stats(struct fz_worker *w)
{
	static const char * const attrs[] = {
		"open_files", "queued", "in_flight", "completed_ops",
		"completed_bytes", "errors", "card_time_ns", "weight",
	};
	unsigned int s, i, n = atomic_load(&fz.nslices);
	__u64 v;
	int ret;

	w->kind = FZ_K_STATS;
	fz_desc(w, "read the counters of %u slices", n);
	for (s = 0; s < n; s++) {
		for (i = 0; i < ARRAY_SIZE(attrs); i++) {
			ret = vs_attr(&fz.card, s, attrs[i], &v);
			fz_check(w, NULL, false, -ret, FZ_M(FZ_OK), attrs[i]);
		}
	}
}

static void *fz_admin_main(void *arg)
{
	struct fz_worker *w = arg;
	unsigned long next;
	unsigned int c;

	fz_rng_init(&w->rng, fz.seed, w->id);
	next = fz_range(&w->rng, 20, 200);
	while (atomic_load(&fz.running) > 0 && !atomic_load(&fz.stop)) {
		if (atomic_load(&fz.progress) < next) {
			vs_sleep_ms(2);
			continue;
		}
		c = fz_below(&w->rng, 100);
		w->call++;
		if (c < 30)
			fz_admin_slices(w);
		else if (c < 75)
			fz_admin_value(w, true);
		else if (c < 85)
			fz_admin_value(w, false);
		else
			fz_admin_stats(w);
		next = atomic_load(&fz.progress) + fz_range(&w->rng, 30, 250);
	}
	return NULL;
}

static void fz_on_signal(int sig)
{
	(void)sig;
}

static void fz_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-s SEED] [-n CALLS] [-j THREADS] [-F PERCENT] [-k KINDS] [-A] [-K] [-t SECONDS] [-v]\n"
		"  -s SEED     the PRNG's seed, or \"random\" (default: $VCRYPT_FUZZ_SEED, else %#x)\n"
		"  -n CALLS    calls of the worker threads (default: $VCRYPT_FUZZ_CALLS, else %d)\n"
		"  -j THREADS  worker threads (default %d, at most %d)\n"
		"  -F PERCENT  calls with an allocation failing, where the kernel can (default %d)\n"
		"  -k KINDS    only these kinds of call, comma-separated\n"
		"  -A          no slice removal, weight or budget changes\n"
		"  -K          keep going after a failure\n"
		"  -t SECONDS  a call not returning for this long is a hang (default %d)\n"
		"  -v          print every call\n",
		prog, FZ_SEED, FZ_CALLS, FZ_THREADS, FZ_THREADS_MAX, FZ_FI_SHARE,
		FZ_HANG_S);
	exit(2);
}

static void fz_parse_kinds(const char *arg)
{
	char buf[256], *tok, *save;
	unsigned int k;

	snprintf(buf, sizeof(buf), "%s", arg);
	fz.kinds = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < FZ_K_PICKED; k++)
			if (!strcmp(tok, fz_kinds[k].name))
				break;
		if (k == FZ_K_PICKED) {
			fprintf(stderr, "fuzz: no kind of call '%s'\n", tok);
			exit(2);
		}
		fz.kinds |= 1u << k;
	}
}

/* A seed: a number, or "random" for a new one */
static __u64 fz_seed(const char *arg)
{
	__u64 seed;

	if (strcmp(arg, "random"))
		return strtoull(arg, NULL, 0);
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (__u64)vs_now_ns() ^ getpid();
	return seed;
}

static void fz_options(int argc, char **argv)
{
	const char *env = getenv("VCRYPT_FUZZ_SEED");
	const char *calls = getenv("VCRYPT_FUZZ_CALLS");
	int c;

	fz.seed = env && *env ? fz_seed(env) : FZ_SEED;
	fz.calls = calls && *calls ? strtoul(calls, NULL, 0) : FZ_CALLS;
	fz.threads = FZ_THREADS;
	fz.fi_share = FZ_FI_SHARE;
	fz.admin = true;
	fz.hang_s = FZ_HANG_S;
	fz.kinds = (1u << FZ_K_PICKED) - 1;
	while ((c = getopt(argc, argv, "s:n:j:F:k:AKt:vh")) != -1) {
		switch (c) {
		case 's':
			fz.seed = fz_seed(optarg);
			break;
		case 'n':
			fz.calls = strtoul(optarg, NULL, 0);
			break;
		case 'j':
			fz.threads = strtoul(optarg, NULL, 0);
			if (!fz.threads || fz.threads > FZ_THREADS_MAX)
				fz_usage(argv[0]);
			break;
		case 'F':
			fz.fi_share = strtoul(optarg, NULL, 0);
			if (fz.fi_share > 100)
				fz_usage(argv[0]);
			break;
		case 'k':
			fz.kinds_arg = optarg;
			fz_parse_kinds(optarg);
			break;
		case 'A':
			fz.admin = false;
			break;
		case 'K':
			fz.keep_going = true;
			break;
		case 't':
			fz.hang_s = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			fz.verbose = true;
			break;
		default:
			fz_usage(argv[0]);
		}
	}
	if (!fz.kinds)
		fz_usage(argv[0]);
}

static void fz_print_repro(void)
{
	fz_msg("reproduce: fuzz -s %#llx -n %lu -j %u -F %u%s%s%s",
	       fz.seed, fz.calls, fz.threads, fz.fi_share,
	       fz.admin ? "" : " -A", fz.kinds_arg ? " -k " : "",
	       fz.kinds_arg ? fz.kinds_arg : "");
}

/* Set up the card, the slices and the counters; exits if it cannot */
static void fz_setup(void)
{
	char path[VT_PATH_MAX + 16];
	unsigned int s;
	void *guard;
	int fd;

	if (vs_card_open(&fz.card))
		ksft_exit_skip("no vcrypt card with %s/slices\n", fz.card.dir);
	if (vs_need_slices(&fz.card, FZ_SLICES, &fz.old_slices))
		ksft_exit_fail_msg("cannot set up %d slices\n", FZ_SLICES);
	if (vs_set_slices(&fz.card, FZ_SLICES))
		ksft_exit_fail_msg("cannot set %d slices\n", FZ_SLICES);
	fz.base = fz.card.base;
	for (s = 0; s < FZ_SLICES; s++) {
		if (vs_attr(&fz.card, s, "max_bytes", &fz.old_max_bytes[s]))
			fz.old_max_bytes[s] = 0;
		fz_unlimit(s);
	}
	atomic_store(&fz.nslices, FZ_SLICES);
	snprintf(path, sizeof(path), "%s/inflight_us", fz.card.dir);
	if (vs_read_u64(path, &fz.old_inflight))
		fz.old_inflight = 0;
	fd = vs_open(&fz.card, 0, 0);
	if (fd < 0 || vs_info(fd, &fz.info))
		ksft_exit_fail_msg("cannot open slice 0: %s\n", strerror(-fd));
	close(fd);
	fz.raw_fd = vt_open_raw();
	if (fz.raw_fd < 0)
		fz.kinds &= ~(1u << FZ_K_RAW);

	guard = mmap(NULL, FZ_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (guard == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	fz_bad_addrs[0] = (uintptr_t)guard;

	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = fz_on_signal },
		  NULL);
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = fz_on_signal },
		  NULL);

	pthread_mutex_init(&fz.lock, NULL);
	pthread_mutex_init(&fz.out, NULL);
	for (s = 0; s < FZ_SLOTS; s++) {
		fz.slots[s].idx = s;
		fz.slots[s].fd = -1;
		fz.slots[s].dupfd = -1;
		pthread_rwlock_init(&fz.slots[s].use, NULL);
		pthread_rwlock_init(&fz.slots[s].sess, NULL);
	}
	for (s = 0; s < FZ_SLICES; s++)
		fz.open_files[s] = vs_attr_val(&fz.card, s, "open_files");
	fz_leaks_read(&fz.leaks);
	fz_fi_setup(&fz.fi);
}

/* Wait for the completions of every request still expected */
static void fz_drain(struct fz_worker *w)
{
	struct vcrypt_completion comps[64];
	struct pollfd p[FZ_SLOTS];
	struct fz_slot *ps[FZ_SLOTS];
	long long last = fz_ms();
	struct fz_entry *e;
	unsigned int i, n, h, left, shown;
	ssize_t len;

	w->kind = FZ_K_READ;
	fz_desc(w, "waiting for the last completions");
	for (;;) {
		left = 0;
		pthread_mutex_lock(&fz.lock);
		for (h = 0; h < FZ_HASH; h++)
			for (e = fz.table[h]; e; e = e->next)
				if (!e->maybe && !e->early &&
				    !atomic_load(&e->slot->dead))
					left++;
		pthread_mutex_unlock(&fz.lock);
		if (!left)
			return;
		for (i = n = 0; i < FZ_SLOTS; i++) {
			if (fz.slots[i].fd < 0 || atomic_load(&fz.slots[i].dead))
				continue;
			ps[n] = &fz.slots[i];
			p[n++] = (struct pollfd){ .fd = fz.slots[i].fd,
						  .events = POLLIN };
		}
		if (fz_ms() - last > FZ_DRAIN_S * 1000)
			break;
		if (poll(p, n, 200) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (p[i].revents & (POLLERR | POLLHUP)) {
				fz_check(w, ps[i], false, ENODEV, 0, "poll");
				continue;
			}
			if (!(p[i].revents & POLLIN))
				continue;
			len = read(p[i].fd, comps, sizeof(comps));
			for (h = 0; len > 0 && h < len / sizeof(comps[0]); h++)
				fz_complete(w, ps[i], &comps[h]);
			last = fz_ms();
		}
	}
	shown = 0;
	pthread_mutex_lock(&fz.lock);
	for (h = 0; h < FZ_HASH; h++)
		for (e = fz.table[h]; e; e = e->next)
			if (!e->maybe && !e->early &&
			    !atomic_load(&e->slot->dead) && shown++ < 8)
				fz_msg("missing: %#llx of file %u (slice %u), thread %u call %lu",
				       e->tag, e->slot->idx, e->slot->slice,
				       e->worker, e->call);
	pthread_mutex_unlock(&fz.lock);
	fz_fail(w, FZ_C_COMPLETION,
		"%u requests never completed within %d s, on files whose slice is there",
		left, FZ_DRAIN_S);
}

/* Restore the card and check that everything went back to the start */
static void fz_finish(struct fz_worker *w)
{
	long long end;
	struct fz_leaks l;
	struct fz_entry *e;
	unsigned int s, h;
	bool idle;

	w->kind = FZ_K_STATS;
	fz_desc(w, "the end: files closed, the card restored, leaks");
	pthread_mutex_lock(&fz.lock);
	for (h = 0; h < FZ_HASH; h++)
		for (e = fz.table[h]; e; e = e->next)
			if (e->early)
				fz_fail(w, FZ_C_COMPLETION,
					"completion of child tag %#llx, which no child queued",
					e->tag);
	pthread_mutex_unlock(&fz.lock);
	for (s = 0; s < FZ_SLOTS; s++)
		fz_slot_close(&fz.slots[s]);

	vs_set_slices(&fz.card, FZ_SLICES);
	for (s = 0; s < FZ_SLICES; s++) {
		vs_set_weight(&fz.card, s, VS_WEIGHT_DEFAULT);
		if (fz.old_max_bytes[s]) {
			char path[VT_PATH_MAX + 32];

			vs_attr_path(&fz.card, s, "max_bytes", path,
				     sizeof(path));
			vs_write_u64(path, fz.old_max_bytes[s]);
		}
	}
	if (fz.old_inflight) {
		char path[VT_PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/inflight_us", fz.card.dir);
		vs_write_u64(path, fz.old_inflight);
	}
	fz_fi_restore(&fz.fi);

	end = fz_ms() + FZ_SETTLE_S * 1000;
	do {
		idle = true;
		for (s = 0; s < FZ_SLICES; s++)
			if (vs_attr_val(&fz.card, s, "queued") ||
			    vs_attr_val(&fz.card, s, "in_flight") ||
			    vs_attr_val(&fz.card, s, "open_files") !=
			    fz.open_files[s])
				idle = false;
		fz_leaks_read(&l);
		/*
		 * More than at the start is a leak; fewer is what earlier
		 * tests left to be freed late (RCU, cached sysfs dentries).
		 */
		if (idle && l.pins <= fz.leaks.pins &&
		    l.slab <= fz.leaks.slab && l.kmalloc <= fz.leaks.kmalloc)
			break;
		vs_write_str("/proc/sys/vm/drop_caches", "3");
		vs_sleep_ms(200);
	} while (fz_ms() < end);
	if (!idle)
		fz_fail(w, FZ_C_LEAK,
			"a slice still counts requests or open files after the run");
	if (l.pins > fz.leaks.pins || l.slab > fz.leaks.slab ||
	    l.kmalloc > fz.leaks.kmalloc)
		fz_fail(w, FZ_C_LEAK,
			"pinned pages %lld (%lld at the start), vcrypt slab objects %lld (%lld), kmalloc objects from vcrypt %lld (%lld)",
			l.pins, fz.leaks.pins, l.slab, fz.leaks.slab,
			l.kmalloc, fz.leaks.kmalloc);
	if (fz.leaks.kmalloc < 0)
		fz_msg("kmalloc objects not counted: slub_debug=U is off");
	vs_set_slices(&fz.card, fz.old_slices);
}

static void fz_report(unsigned long long took)
{
	unsigned long total = 0, fi_failed = 0, n;
	char line[512];
	unsigned int k, r, len;

	for (k = 0; k < FZ_K_NR; k++) {
		len = 0;
		n = 0;
		for (r = 0; r < FZ_NR_RES; r++)
			n += atomic_load(&fz.count[k][r]);
		if (!n)
			continue;
		if (k != FZ_K_COMPLETION)
			total += n;
		for (r = 0; r < FZ_NR_RES && len < sizeof(line); r++)
			if (atomic_load(&fz.count[k][r]))
				len += snprintf(line + len, sizeof(line) - len,
						" %s %lu", fz_res_name[r],
						atomic_load(&fz.count[k][r]));
		fz_msg("%-12s %7lu:%s", fz_kinds[k].name, n, line);
	}
	fz_msg("seed %#llx: %lu calls (%lu by workers) in %llu.%llu s, %lu known answers",
	       fz.seed, total, atomic_load(&fz.progress), took / 1000,
	       took % 1000 / 100, atomic_load(&fz.kats));
	if (fz.fi.nth) {
		len = 0;
		for (r = 0; r < FZ_NR_RES; r++) {
			n = atomic_load(&fz.fi_res[r]);
			fi_failed += n;
			if (n)
				len += snprintf(line + len, sizeof(line) - len,
						" %s %lu", fz_res_name[r], n);
		}
		fz_msg("fault injection (%s): %lu calls armed, %lu had an allocation fail, with:%s",
		       fz.fi.what, atomic_load(&fz.fi_armed), fi_failed, line);
	} else {
		fz_msg("fault injection: %s", fz.fi.what);
	}
	for (k = 0; k < FZ_C_NR; k++) {
		if (k == FZ_C_FAULT && (!fz.fi.nth || !fz.fi_share))
			ksft_test_result_skip("%s: %s\n", fz_cat_name[k],
					      fz.fi_share ? fz.fi.what :
					      "not asked for (-F 0)");
		else if (atomic_load(&fz.fails[k]))
			ksft_test_result_fail("%s: %u failures\n", fz_cat_name[k],
					      atomic_load(&fz.fails[k]));
		else
			ksft_test_result_pass("%s\n", fz_cat_name[k]);
	}
	if (ksft_get_fail_cnt())
		fz_print_repro();
}

int main(int argc, char **argv)
{
	struct fz_worker *admin, *mainw;
	unsigned long last = 0, per;
	long long start, quiet;
	unsigned int i;

	fz_options(argc, argv);
	ksft_print_header();
	ksft_set_plan(FZ_C_NR);
	fz_setup();
	fz_msg("seed %#llx, %lu calls, %u threads, %u%% with fault injection (%s)%s",
	       fz.seed, fz.calls, fz.threads, fz.fi_share,
	       fz.fi.nth ? fz.fi.what : "not available",
	       fz.admin ? ", slices and weights changing" : "");
	fz_print_repro();

	admin = &fz.w[fz.threads];
	mainw = &fz.w[fz.threads + 1];
	admin->id = fz.threads;
	if (fz_worker_init(mainw, fz.threads + 1))
		ksft_exit_fail_msg("cannot set up: %s\n", strerror(errno));
	atomic_store(&fz.running, fz.threads);
	start = fz_ms();
	per = fz.calls / fz.threads;
	for (i = 0; i < fz.threads; i++) {
		fz.w[i].id = i;
		fz.w[i].ncalls = per + (i < fz.calls % fz.threads);
		if (pthread_create(&fz.w[i].th, NULL, fz_worker_main, &fz.w[i]))
			ksft_exit_fail_msg("pthread_create: %s\n", strerror(errno));
	}
	if (fz.admin &&
	    pthread_create(&admin->th, NULL, fz_admin_main, admin))
		ksft_exit_fail_msg("pthread_create: %s\n", strerror(errno));

	/* Watch for a call that does not return */
	quiet = fz_ms();
	while (atomic_load(&fz.running) > 0) {
		vs_sleep_ms(100);
		if (atomic_load(&fz.progress) != last) {
			last = atomic_load(&fz.progress);
			quiet = fz_ms();
		} else if (fz_ms() - quiet > fz.hang_s * 1000ll) {
			for (i = 0; i < fz.threads; i++)
				fz_msg("thread %u, call %lu (%s): %s", i,
				       fz.w[i].call, fz_kinds[fz.w[i].kind].name,
				       fz.w[i].desc);
			fz_fail(mainw, FZ_C_HANG,
				"no call returned for %u s", fz.hang_s);
			fz_report(fz_ms() - start);
			ksft_finished();
		}
	}
	for (i = 0; i < fz.threads; i++)
		pthread_join(fz.w[i].th, NULL);
	if (fz.admin)
		pthread_join(admin->th, NULL);

	fz_drain(mainw);
	fz_finish(mainw);
	fz_report(fz_ms() - start);
	ksft_finished();
}
