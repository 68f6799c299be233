/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's state: its kinds of call, the open files it shares between
 * its threads, the requests that may complete, and the helpers every kind
 * of call uses: messages, time limits, fault injection and the check of a
 * result against what the documentation allows (fuzz.c describes it all).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>

#include "vcrypt_slice.h"
#include "fuzz_mem.h"
#include "fuzz_model.h"
#include "fuzz_sys.h"
#include "kselftest.h"

/* What make check runs: see Documentation/testing.rst for the time */
#define FZ_SEED			0x7c01	/* the same calls in every run */
#define FZ_CALLS		8000
#define FZ_THREADS		3
#define FZ_THREADS_MAX		16
#define FZ_FI_SHARE		10	/* percent of calls with fault injection */
#define FZ_HANG_S		60	/* no call returning for this long: hang */
#define FZ_SLOTS		6	/* open files */
#define FZ_SLICES		4	/* slices used, and the most there are */
/*
 * The slices' max_bytes during the run: out of reach of FZ_SLOTS files'
 * own max_bytes, so that a file's room is the file's alone
 */
#define FZ_SLICE_MAX_BYTES	4294967295ull
#define FZ_SESSIONS		256	/* handles the fuzzer tracks per file */
#define FZ_HASH			1024
#define FZ_BUDGET		(48ull << 20)	/* bytes mapped for requests */
#define FZ_REQ_PAGES		2	/* room for a batch of requests */
#define FZ_RBUF_PAGES		2	/* read(2) buffer */
#define FZ_CHILD_REQS		8	/* requests a child may queue */
#define FZ_CHILD_LEN		4096	/* and their largest source */
#define FZ_CHILD_MS		10000	/* a child's time limit */
#define FZ_OP_MS		3000	/* VCRYPT_IOC_OP may wait this long */
#define FZ_WAIT_MS		1000	/* a blocking SUBMIT or read(2) */
#define FZ_DRAIN_S		30	/* for the last completions */
#define FZ_SETTLE_S		10	/* for the counters after the run */
#define FZ_TAG_CHILD		0x8000000000000000ull
#define FZ_FAILS_SHOWN		10	/* failures printed of each kind */

enum fz_kind {
	FZ_K_INFO, FZ_K_SESS_NEW, FZ_K_SESS_FREE, FZ_K_OP, FZ_K_SUBMIT,
	FZ_K_READ, FZ_K_POLL, FZ_K_FCNTL, FZ_K_IOCTL, FZ_K_CLOSE,
	FZ_K_TAMPER, FZ_K_FORK, FZ_K_RAW,
	FZ_K_PICKED,	/* workers pick the kinds above */
	FZ_K_OPEN = FZ_K_PICKED, FZ_K_SLICES, FZ_K_WEIGHT, FZ_K_INFLIGHT,
	FZ_K_STATS, FZ_K_COMPLETION, FZ_K_NR
};

static const struct {
	const char *name;
	unsigned int weight;
} fz_kinds[FZ_K_NR] = {
	[FZ_K_INFO] = { "info", 25 },
	[FZ_K_SESS_NEW] = { "session_new", 60 },
	[FZ_K_SESS_FREE] = { "session_free", 45 },
	[FZ_K_OP] = { "op", 90 },
	[FZ_K_SUBMIT] = { "submit", 260 },
	[FZ_K_READ] = { "read", 220 },
	[FZ_K_POLL] = { "poll", 60 },
	[FZ_K_FCNTL] = { "fcntl", 15 },
	[FZ_K_IOCTL] = { "ioctl", 15 },
	[FZ_K_CLOSE] = { "close", 10 },
	[FZ_K_TAMPER] = { "tamper", 20 },
	[FZ_K_FORK] = { "fork", 4 },
	[FZ_K_RAW] = { "raw", 15 },
	[FZ_K_OPEN] = { "open" },
	[FZ_K_SLICES] = { "slices" },
	[FZ_K_WEIGHT] = { "weight" },
	[FZ_K_INFLIGHT] = { "inflight_us" },
	[FZ_K_STATS] = { "stats" },
	[FZ_K_COMPLETION] = { "completion" },
};

/* What a failure breaks: one TAP result each */
enum fz_cat {
	FZ_C_CALL, FZ_C_COMPLETION, FZ_C_MEMORY, FZ_C_HANG, FZ_C_LEAK,
	FZ_C_FAULT, FZ_C_NR
};

static const char * const fz_cat_name[FZ_C_NR] = {
	"calls: every result is one the documentation allows",
	"completions: every queued request completes once, or its file reports ENODEV",
	"memory: nothing written outside a destination, known answers right",
	"hangs: every call returns within its bound",
	"leaks: pinned pages and slab objects no more than at the start, slice counters back",
	"fault injection: failed allocations end in clean errors",
};

/* A session of a tracked file, as the fuzzer set it up */
struct fz_sess {
	bool live;
	__u32 alg;
	__u32 key_len;
	__u8 key[VCRYPT_HW_KEY_MAX];
};

struct fz_slot;

/**
 * struct fz_entry - a request that may complete
 * @next: in its hash chain
 * @tag: its tag, unique in the run
 * @slot: the file it was queued on
 * @alg: its algorithm
 * @flags: its flags
 * @out_len: what it writes when it succeeds
 * @dst_len: its dst_len
 * @bytes: what it counts against the file's max_bytes
 * @mapped: bytes of its mappings
 * @src: its source buffer
 * @dst: its destination buffer, unmapped when in place
 * @kat: the known answer it must give, or NULL
 * @inplace: the destination is the source
 * @queued: SUBMIT said so
 * @maybe: SUBMIT failed with EFAULT after it may have been queued
 * @tampered: its buffers were unmapped or protected in flight
 * @loose: its session's algorithm is not known: only the status is checked
 * @foreign: a child's request, known from the child's report
 * @early: a child's request whose completion came before the report
 * @early_c: that completion
 * @worker: the thread that queued it
 * @call: the call of that thread
 */
struct fz_entry {
	struct fz_entry *next;
	__u64 tag;
	struct fz_slot *slot;
	__u32 alg;
	__u32 flags;
	__u64 out_len;
	__u32 dst_len;
	__u64 bytes;
	__u64 mapped;
	struct fz_buf src;
	struct fz_buf dst;
	const struct vs_kat *kat;
	bool inplace;
	bool queued;
	bool maybe;
	bool tampered;
	bool loose;
	bool foreign;
	bool early;
	struct vcrypt_completion early_c;
	unsigned int worker;
	unsigned long call;
};

/**
 * struct fz_slot - one open file the threads share
 * @idx: its number
 * @use: held shared by a call on @fd, exclusively to open and close it
 * @sess: on a tracked file, held shared by calls that name sessions and
 *	exclusively by session calls, so that @s is exact
 * @fd: the file, or -1
 * @dupfd: a duplicate of it, or -1
 * @slice: its slice
 * @wild: its sessions are not tracked; session calls race freely
 * @certain: no slice removal raced with its open
 * @unlimited: @slice's max_bytes was set out of reach before the open
 * @epoch: removals of @slice started before it was opened
 * @info: VCRYPT_IOC_INFO at open
 * @dead: a call on it returned ENODEV
 * @outstanding: requests that may be outstanding (fz.lock)
 * @bytes: their bytes (fz.lock)
 * @reg: requests ever registered, for bounds over a call (fz.lock)
 * @reg_bytes: their bytes (fz.lock)
 * @extra: children alive and maybe-queued requests: completions the
 *	fuzzer cannot count on (fz.lock)
 * @orphans: interrupted VCRYPT_IOC_OPs, counted in @outstanding until
 *	the file is closed (fz.lock)
 * @s: the sessions by handle (@sess)
 * @nsess: live sessions (@sess)
 */
struct fz_slot {
	unsigned int idx;
	pthread_rwlock_t use;
	pthread_rwlock_t sess;
	int fd;
	int dupfd;
	unsigned int slice;
	bool wild;
	bool certain;
	bool unlimited;
	unsigned long epoch;
	struct vcrypt_info info;
	atomic_bool dead;
	unsigned int outstanding;
	__u64 bytes;
	__u64 reg;
	__u64 reg_bytes;
	unsigned int extra;
	unsigned int orphans;
	struct fz_sess s[FZ_SESSIONS + 1];
	unsigned int nsess;
};

/**
 * struct fz_worker - a thread of the fuzzer
 * @id: its number; its PRNG stream
 * @th: the thread
 * @rng: its PRNG
 * @ncalls: calls to make
 * @call: the current call
 * @kind: its kind
 * @tags: the next tag
 * @timer: interrupts its blocking calls (SIGUSR1)
 * @nth_fd: its /proc/thread-self/fail-nth, or -1
 * @armed: fault injection armed for the current call
 * @injected: an allocation of the current call was made to fail
 * @nth: the allocation
 * @arena: for ioctl arguments
 * @reqs: FZ_REQ_PAGES for request arrays, then a guard page
 * @rbuf: FZ_RBUF_PAGES for read(2), then a guard page
 * @desc: the current call, for messages
 */
struct fz_worker {
	unsigned int id;
	pthread_t th;
	struct fz_rng rng;
	unsigned long ncalls;
	unsigned long call;
	enum fz_kind kind;
	__u64 tags;
	timer_t timer;
	int nth_fd;
	bool armed;
	bool injected;
	unsigned int nth;
	struct fz_arena arena;
	__u8 *reqs;
	__u8 *rbuf;
	char desc[1024];
};

static struct {
	__u64 seed;
	unsigned long calls;
	unsigned int threads;
	unsigned int fi_share;
	bool admin;
	bool keep_going;
	bool verbose;
	unsigned int hang_s;
	__u32 kinds;
	const char *kinds_arg;

	struct vs_card card;
	unsigned int base;
	unsigned int old_slices;
	__u64 old_inflight;
	struct vcrypt_info info;
	int raw_fd;
	struct fz_fi fi;
	struct fz_leaks leaks;
	__u64 open_files[FZ_SLICES];
	__u64 old_max_bytes[FZ_SLICES];
	atomic_bool unlimited[FZ_SLICES];

	pthread_mutex_t lock;		/* the table and the slots' counters */
	struct fz_entry *table[FZ_HASH];
	atomic_ullong mapped;
	struct fz_slot slots[FZ_SLOTS];

	atomic_ulong removing[FZ_SLICES];
	atomic_ulong removed[FZ_SLICES];
	atomic_uint nslices;

	atomic_ulong progress;
	atomic_int stop;
	atomic_int running;
	atomic_ulong forks;
	atomic_ulong count[FZ_K_NR][FZ_NR_RES];
	atomic_ulong fi_res[FZ_NR_RES];
	atomic_ulong fi_armed;
	atomic_ulong kats;
	atomic_uint fails[FZ_C_NR];

	pthread_mutex_t out;
	struct fz_worker w[FZ_THREADS_MAX + 2];
} fz;

static inline long long fz_ms(void)
{
	return vs_now_ns() / 1000000;
}

static inline void fz_msg(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fz.out);
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&fz.out);
}

static inline void fz_fail(struct fz_worker *w, enum fz_cat cat, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	/* With -K, the first FZ_FAILS_SHOWN of each kind are enough */
	if (atomic_fetch_add(&fz.fails[cat], 1) >= FZ_FAILS_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&fz.out);
	printf("# FAIL: thread %u, call %lu (%s): %s\n", w->id, w->call,
	       fz_kinds[w->kind].name, msg);
	printf("#   the call: %s\n", w->desc);
	if (w->injected)
		printf("#   with allocation %u of the call failing\n", w->nth);
	fflush(stdout);
	pthread_mutex_unlock(&fz.out);
	if (!fz.keep_going)
		atomic_store(&fz.stop, 1);
}

static inline void fz_desc(struct fz_worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->desc, sizeof(w->desc), fmt, ap);
	va_end(ap);
	if (fz.verbose)
		fz_msg("t%u #%lu %s: %s", w->id, w->call,
		       fz_kinds[w->kind].name, w->desc);
}

static inline void fz_timer(struct fz_worker *w, unsigned int ms)
{
	struct itimerspec its = {
		.it_value = { ms / 1000, (ms % 1000) * 1000000L },
	};

	timer_settime(w->timer, 0, &its, NULL);
}

/* Decide whether the next call runs with an allocation failing */
static inline void fz_fi_begin(struct fz_worker *w)
{
	bool arm = fz_chance(&w->rng, fz.fi_share);
	unsigned int n = fz_range(&w->rng, 1, 12);

	w->injected = false;
	w->armed = arm && fz.fi.nth && w->nth_fd >= 0;
	if (w->armed) {
		w->nth = n;
		fz_fi_arm(w->nth_fd, n);
	}
}

static inline void fz_fi_end(struct fz_worker *w)
{
	if (!w->armed)
		return;
	w->armed = false;
	w->injected = fz_fi_disarm(w->nth_fd);
	atomic_fetch_add(&fz.fi_armed, 1);
}

/* The file's slice was removed for sure before now */
static inline bool fz_gone_sure(struct fz_slot *s)
{
	return atomic_load(&s->dead) ||
	       (s->certain && atomic_load(&fz.removed[s->slice]) > s->epoch);
}

/* The file's slice may have been removed by now */
static inline bool fz_gone_may(struct fz_slot *s)
{
	return atomic_load(&s->dead) || !s->certain ||
	       atomic_load(&fz.removing[s->slice]) > s->epoch;
}

/*
 * Check the result @err (0 or an errno) of a call, on @s if not NULL,
 * against @allowed. @gone: the slice was removed before the call, which
 * must then fail with ENODEV. An allocation made to fail may give ENOMEM,
 * or EFAULT where it was the kernel's access to user memory that needed
 * it. Returns whether the result is allowed.
 */
static inline bool fz_check(struct fz_worker *w, struct fz_slot *s, bool gone,
			    int err, fz_set allowed, const char *what)
{
	enum fz_res r = fz_res_of(err);
	char set[160];

	/* uapi.rst: every call on a removed slice fails with ENODEV */
	if (s && gone)
		allowed = FZ_M(FZ_ENODEV);
	else if (s && fz_gone_may(s))
		allowed |= FZ_M(FZ_ENODEV);
	if (w->injected) {
		allowed |= FZ_M(FZ_ENOMEM) | FZ_M(FZ_EFAULT);
		atomic_fetch_add(&fz.fi_res[r], 1);
	}
	atomic_fetch_add(&fz.count[w->kind][r], 1);
	if (s && err == ENODEV)
		atomic_store(&s->dead, true);
	if (allowed & FZ_M(r))
		return true;
	fz_fail(w, w->injected ? FZ_C_FAULT : FZ_C_CALL,
		"%s: %s (%d), documented: %s", what,
		err ? strerror(err) : "success", err,
		fz_set_str(allowed, set, sizeof(set)));
	return false;
}

/* The table of requests that may complete, by tag; fz.lock held */

static inline unsigned int fz_hash(__u64 tag)
{
	return (unsigned int)((tag * 0x9e3779b97f4a7c15ull) >> 54);
}

static inline void fz_table_add(struct fz_entry *e)
{
	unsigned int h = fz_hash(e->tag);

	e->next = fz.table[h];
	fz.table[h] = e;
}

static inline struct fz_entry *fz_table_find(__u64 tag)
{
	struct fz_entry *e;

	for (e = fz.table[fz_hash(tag)]; e; e = e->next)
		if (e->tag == tag)
			return e;
	return NULL;
}

static inline struct fz_entry *fz_table_take(__u64 tag)
{
	struct fz_entry **pe, *e;

	for (pe = &fz.table[fz_hash(tag)]; (e = *pe); pe = &e->next) {
		if (e->tag == tag) {
			*pe = e->next;
			return e;
		}
	}
	return NULL;
}

/* Count @e out of its file; fz.lock held */
static inline void fz_unaccount(struct fz_entry *e)
{
	struct fz_slot *s = e->slot;

	if (e->early)
		return;
	s->outstanding--;
	s->bytes -= e->bytes;
	if (e->maybe)
		s->extra--;
}

static inline void fz_entry_free(struct fz_entry *e)
{
	fz_buf_free(&e->src);
	fz_buf_free(&e->dst);
	atomic_fetch_sub(&fz.mapped, e->mapped);
	free(e);
}

#endif /* FUZZ_H */
