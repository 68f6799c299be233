// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt-bench: load /dev/vcryptN slices and measure what the card gives
 * them: throughput, card utilization, each slice's share of card time per
 * window, and per-request latency.
 *
 *   vcrypt-bench [OPTIONS] [TENANT...]
 *
 * A tenant is a group of slices loaded alike by one thread of this
 * program (think of it as one process of a tenant): its own files, queue
 * depth, request sizes, weights and active period. Without TENANT
 * arguments the options describe one tenant. Documentation/bench.rst
 * describes the options, the scenarios of "make bench" and the output,
 * which is tab-separated records, one kind per line, each kind with a
 * header line starting with '#'.
 *
 * The program exits 0 when every request completed with status 0, 1 when
 * any request failed or anything else went wrong, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <linux/vcrypt.h>

#define BENCH_VERSION	"1.0"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define NSEC		1000000000ULL
#define MSEC		1000000ULL
#define USEC		1000ULL

#define MAX_SLICES	256
#define MAX_GROUPS	16
#define MAX_FILES	65536
#define MAX_DEPTH	4096
#define MAX_WINDOWS	100000
#define NODE_MAX	((1u << 20) - 1)
#define NAME_LEN	32
#define PATH_LEN	512
#define READ_BATCH	256
/* Time a tenant waits for its last requests after the run */
#define DRAIN_NS	(60 * NSEC)

/*
 * Output records: tab-separated, the record kind first, then the label;
 * each kind has a header line naming its columns.
 */
#define HDR_MEM "#mem\tlabel\tfiles\tslab_b\tpayload_b\tmemfree_b\tslab_per_file_b\tpayload_per_file_b\tmemfree_per_file_b"
#define FMT_MEM "mem\t%s\t%u\t%lld\t%lld\t%lld\t%.0f\t%.0f\t%.0f\n"
#define HDR_JITTER "#jitter\tlabel\tperiod_us\tn\tp50_us\tp99_us\tp999_us\tmax_us"
#define FMT_JITTER "jitter\t%s\t%u\t%llu\t%.1f\t%.1f\t%.1f\t%.1f\n"
#define HDR_WINDOW "#window\tlabel\twin\tt0_s\tt1_s\tslice\ttenant\tweight\tactive\tops\tbytes\tcard_ns\tshare_pct\twshare_pct\tqueued"
#define FMT_WINDOW "window\t%s\t%u\t%.3f\t%.3f\t%u\t%s\t%u\t%s\t%llu\t%llu\t%llu\t%.2f\t%.2f\t%llu\n"
#define HDR_CARDWIN "#cardwin\tlabel\twin\tt0_s\tt1_s\tbusy_pct\tcardtime_pct\tmodel_pct\tops_s\tmb_s\tmaxdev_pts\tjain\tstable\tbacklog"
#define FMT_CARDWIN "cardwin\t%s\t%u\t%.3f\t%.3f\t%.2f\t%.2f\t%.2f\t%.1f\t%.3f\t%.2f\t%.4f\t%d\t%llu\n"
#define HDR_SLICE "#slice\tlabel\tslice\ttenant\tweight\tops\tbytes\tops_s\tmb_s\tcard_ns\tshare_pct\twshare_pct\tlat_n\tp50_us\tp99_us\tp999_us\tmax_us\tmean_us\terrors\tsys_ops\tsys_errors"
#define FMT_SLICE "slice\t%s\t%u\t%s\t%u\t%llu\t%llu\t%.1f\t%.3f\t%llu\t%.2f\t%.2f\t%llu\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%llu\t%llu\t%llu\n"
#define HDR_SUMMARY "#summary\tlabel\tsched\twall_s\tbusy_pct\tcardtime_pct\tmodel_pct\tops_s\tmb_s\tslices\tfiles\tjain\tmaxdev_pts\twin_maxdev_pts\twin_minjain\terrors"
#define FMT_SUMMARY "summary\t%s\t%s\t%.3f\t%.2f\t%.2f\t%.2f\t%.1f\t%.3f\t%u\t%u\t%.4f\t%.2f\t%.2f\t%.4f\t%llu\n"
#define FMT_TENANT "info\t%s\ttenant\t%s slices=%u files=%u depth=%u size=%u-%u start=%g stop=%g\n"
#define HDR_GROUP "#tenant\tlabel\tname\tslices\tfiles\tdepth\tsize_min\tsize_max\tstart_s\tstop_s\tidle_s"
#define FMT_GROUP "tenant\t%s\t%s\t%u\t%u\t%u\t%u\t%u\t%.3f\t%.3f\t%.3f\n"

/* Latency histogram: exact below 128 ns, then 64 buckets per octave */
#define HIST_SUB_BITS	6
#define HIST_SUB	64
#define HIST_BUCKETS	(42 * HIST_SUB)

struct hist {
	__u64 n;
	__u64 sum;
	__u64 max;
	__u64 b[HIST_BUCKETS];
};

/* Per-slice sysfs counters sampled at each window edge */
enum {
	SYS_CARD_TIME_NS,
	SYS_COMPLETED_OPS,
	SYS_COMPLETED_BYTES,
	SYS_ERRORS,
	SYS_QUEUED,
	SYS_COUNT,
};

static const char * const sys_names[SYS_COUNT] = {
	[SYS_CARD_TIME_NS] = "card_time_ns",
	[SYS_COMPLETED_OPS] = "completed_ops",
	[SYS_COMPLETED_BYTES] = "completed_bytes",
	[SYS_ERRORS] = "errors",
	[SYS_QUEUED] = "queued",
};

/* Counters of a slice as the program sees them at a window edge */
struct sample {
	__u64 sys[SYS_COUNT];
	__u64 ops;
	__u64 bytes;
	__u64 model_ns;
};

/* The card at a window edge; @tick is the edge, @t when it was read */
struct card_sample {
	__u64 tick;
	__u64 t;
	__u64 busy_ns;
	__u64 ops;
	__u64 bytes;
};

struct group;

struct slice {
	unsigned int node;
	unsigned int weight;
	unsigned int old_weight;
	struct group *grp;
	int sys_fd[SYS_COUNT];
	/* written by the tenant's thread only, read by the sampler */
	__u64 ops;
	__u64 bytes;
	__u64 model_ns;
	__u64 errors;
	__u64 submitted;
	int first_error;
	/* the tenant's thread's until it is joined */
	struct hist lat;
};

struct slot {
	__u64 t;
	__u32 len;
};

struct bfile {
	int fd;
	struct slice *slice;
	__u32 session;
	unsigned int outstanding;
	unsigned int nfree;
	unsigned short *free;
	struct slot *slots;
	unsigned char *dst;
	__u64 rng;
};

struct group {
	char name[NAME_LEN];
	unsigned int slices[MAX_SLICES];
	unsigned int nslices;
	unsigned int weights[MAX_SLICES];
	unsigned int nweights;
	unsigned int files;
	unsigned int depth;
	unsigned int batch;
	unsigned int size_min;
	unsigned int size_max;
	double start;
	double stop;
	/* absolute CLOCK_MONOTONIC times of the active period */
	__u64 start_ns;
	__u64 stop_ns;
	/* when its last request after @stop_ns completed */
	__u64 idle_ns;
	struct bfile *bf;
	unsigned int nbf;
	int epfd;
	pthread_t thread;
	int failed;
	char *err;
};

struct alg {
	const char *name;
	__u32 id;
	__u32 key_len;
	__u32 iv_len;
	__u32 tag_len;
	__u32 digest;
	__u32 block;
	__u32 min_len;
};

static const struct alg algs[] = {
	{ "aes-ctr", VCRYPT_ALG_AES_CTR, 16, 16, 0, 0, 1, 1 },
	{ "aes-cbc", VCRYPT_ALG_AES_CBC, 16, 16, 0, 0, 16, 16 },
	{ "aes-xts", VCRYPT_ALG_AES_XTS, 32, 16, 0, 0, 1, 16 },
	{ "aes-gcm", VCRYPT_ALG_AES_GCM, 16, 12, 16, 0, 1, 1 },
	{ "sha256", VCRYPT_ALG_SHA256, 0, 0, 0, 32, 1, 1 },
	{ "sha512", VCRYPT_ALG_SHA512, 0, 0, 0, 64, 1, 1 },
	{ "hmac-sha256", VCRYPT_ALG_HMAC_SHA256, 32, 0, 0, 32, 1, 1 },
};

static struct {
	const char *label;
	const char *dev_dir;
	const char *sys_dir;
	const struct alg *alg;
	double duration;
	double warmup;
	double window;
	bool kat;
	bool cdf;
	bool mem;
	unsigned int jitter_us;
	__u64 seed;
	/* measured run, absolute CLOCK_MONOTONIC */
	__u64 t0;
	__u64 meas_start;
	__u64 meas_end;
	/* card */
	char pci[64];
	char stats_path[PATH_LEN];
	char sched[32];
	__u64 rate_ops;
	__u64 rate_bytes;
	struct vcrypt_info info;
} cfg = {
	.label = "-",
	.dev_dir = "/dev",
	.sys_dir = "/sys/class/vcrypt",
	.duration = 10,
	.warmup = 1,
	.window = 1,
	.kat = true,
	.seed = 1,
};

static struct slice slices[MAX_SLICES];
static unsigned int nslices;
static struct group groups[MAX_GROUPS];
static unsigned int ngroups;
static unsigned char *src_buf;
static unsigned char key_buf[64];
static unsigned char iv_buf[16];
static int interrupted;
static pthread_barrier_t go;
/* Lateness of the jitter probe's wake-ups */
static struct hist jitter;

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vcrypt-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static bool stopping(void)
{
	return __atomic_load_n(&interrupted, __ATOMIC_RELAXED);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC + ts.tv_nsec;
}

static void sleep_until(__u64 t)
{
	struct timespec ts = {
		.tv_sec = t / NSEC,
		.tv_nsec = t % NSEC,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR && !stopping())
		;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die(EXIT_FAIL, "out of memory");
	return p;
}

static __u64 load64(const __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void add64(__u64 *p, __u64 v)
{
	__atomic_store_n(p, *p + v, __ATOMIC_RELAXED);
}

/*
 * A little arithmetic, so that the program needs no libm and builds with
 * the plain static compile of tests/vm/mkinitramfs.sh.
 */
#define LN2	0.69314718055994530942

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static double dmin(double a, double b)
{
	return a < b ? a : b;
}

/* Smallest integer >= @x, for 0 <= @x < 2^63 */
static __u64 uceil(double x)
{
	__u64 i = (__u64)x;

	return i + ((double)i < x);
}

/* Natural logarithm of @x > 0: atanh series after scaling into [0.75, 1.5] */
static double ln(double x)
{
	double y, y2, term, sum = 0;
	unsigned int i;
	int k = 0;

	for (; x > 1.5; k++)
		x /= 2;
	for (; x < 0.75; k--)
		x *= 2;
	y = (x - 1) / (x + 1);
	y2 = y * y;
	term = y;
	for (i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= y2;
	}
	return 2 * sum + k * LN2;
}

/* e to the @x: Taylor series after taking out a power of two */
static double ex(double x)
{
	int k = (int)(x / LN2 + (x >= 0 ? 0.5 : -0.5));
	double r = x - k * LN2, term = 1, sum = 1;
	unsigned int i;

	for (i = 1; i < 24; i++) {
		term *= r / i;
		sum += term;
	}
	for (; k > 0; k--)
		sum *= 2;
	for (; k < 0; k++)
		sum /= 2;
	return sum;
}

/* xorshift64*: request sizes, reproducible from --seed */
static __u64 rng_next(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* ---- latency histogram ---- */

static unsigned int hist_index(__u64 v)
{
	unsigned int msb, shift, idx;

	if (v < 2 * HIST_SUB)
		return v;
	msb = 63 - __builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	idx = (shift + 1) * HIST_SUB + (unsigned int)((v >> shift) - HIST_SUB);
	return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* Middle of bucket @idx */
static double hist_value(unsigned int idx)
{
	unsigned int shift;
	__u64 lo;

	if (idx < 2 * HIST_SUB)
		return idx;
	shift = idx / HIST_SUB - 1;
	lo = (__u64)(HIST_SUB + idx % HIST_SUB) << shift;
	return lo + ((1ULL << shift) - 1) / 2.0;
}

static void hist_add(struct hist *h, __u64 v)
{
	h->b[hist_index(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

/* The @q quantile (0..1), ns; 0 if empty */
static double hist_quantile(const struct hist *h, double q)
{
	__u64 rank, seen = 0;
	unsigned int i;

	if (!h->n)
		return 0;
	rank = uceil(q * h->n);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			return dmin(hist_value(i), (double)h->max);
	}
	return h->max;
}

/* ---- files in sysfs, /proc and debugfs ---- */

static int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int pread_u64(int fd, __u64 *v)
{
	char buf[32];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	*v = strtoull(buf, NULL, 10);
	return 0;
}

/* Value of "@key value" or "@key: value" in @text, or @def */
static __u64 keyed_value(const char *text, const char *key, __u64 def)
{
	size_t len = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, len) && (p[len] == ' ' || p[len] == ':' ||
					      p[len] == '\t'))
			return strtoull(p + len + 1 + strspn(p + len + 1, " :\t"),
					NULL, 0);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return def;
}

static void read_card(struct card_sample *cs)
{
	char buf[2048];

	cs->t = now_ns();
	if (!cfg.stats_path[0] || read_file(cfg.stats_path, buf, sizeof(buf)))
		return;
	cs->busy_ns = keyed_value(buf, "card_busy_ns", 0);
	cs->ops = keyed_value(buf, "card_ops", 0);
	cs->bytes = keyed_value(buf, "card_bytes", 0);
}

static void read_slice(struct slice *s, struct sample *smp)
{
	unsigned int i;

	for (i = 0; i < SYS_COUNT; i++)
		if (s->sys_fd[i] >= 0)
			pread_u64(s->sys_fd[i], &smp->sys[i]);
	smp->ops = load64(&s->ops);
	smp->bytes = load64(&s->bytes);
	smp->model_ns = load64(&s->model_ns);
}

/*
 * Kernel memory: MemFree, and the slab caches' objects (/proc/slabinfo)
 * counted at their size with the slab debugging metadata of the test
 * guest (objsize) and at their payload size (object_size in sysfs).
 */
struct slab_ent {
	char name[64];
	long long active;
	long long size;
	long long payload;
};

struct memsnap {
	long long memfree;
	struct slab_ent *slab;
	unsigned int nslab;
};

static char *slurp(const char *path)
{
	size_t len = 0, cap = 65536;
	char *buf = xcalloc(1, cap);
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			buf = realloc(buf, cap * 2);
			if (!buf)
				die(EXIT_FAIL, "out of memory");
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

static void read_mem(struct memsnap *m)
{
	char *text, *line, *save = NULL, path[PATH_LEN], val[32];
	struct slab_ent e;
	unsigned int cap = 0;

	memset(m, 0, sizeof(*m));
	text = slurp("/proc/meminfo");
	if (text)
		m->memfree = keyed_value(text, "MemFree", 0) * 1024;
	free(text);
	text = slurp("/proc/slabinfo");
	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%63s %lld %*d %lld", e.name, &e.active,
			   &e.size) != 3 || e.name[0] == '#')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/object_size",
			 e.name);
		e.payload = read_file(path, val, sizeof(val)) ? e.size :
			    strtoll(val, NULL, 10);
		if (m->nslab == cap) {
			cap = cap ? cap * 2 : 256;
			m->slab = realloc(m->slab, cap * sizeof(*m->slab));
			if (!m->slab)
				die(EXIT_FAIL, "out of memory");
		}
		m->slab[m->nslab++] = e;
	}
	free(text);
}

/* Growth from @a to @b: bytes with debug metadata and payload bytes */
static void mem_growth(const struct memsnap *a, const struct memsnap *b,
		       long long *size, long long *payload)
{
	unsigned int i, j;
	long long d;

	*size = 0;
	*payload = 0;
	for (i = 0; i < b->nslab; i++) {
		d = b->slab[i].active;
		for (j = 0; j < a->nslab; j++) {
			if (!strcmp(a->slab[j].name, b->slab[i].name)) {
				d -= a->slab[j].active;
				break;
			}
		}
		*size += d * b->slab[i].size;
		*payload += d * b->slab[i].payload;
	}
}

/* ---- option parsing ---- */

static unsigned long parse_ulong(const char *what, const char *s,
				 unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		die(EXIT_USAGE, "bad %s '%s' (%lu to %lu)", what, s, min, max);
	return v;
}

static double parse_double(const char *what, const char *s, double min,
			   double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min) || !(v <= max))
		die(EXIT_USAGE, "bad %s '%s'", what, s);
	return v;
}

/* A size with an optional K or M suffix (binary) */
static unsigned int parse_size(const char *s)
{
	unsigned long v, mult = 1;
	char buf[32], *end;
	size_t len = strlen(s);

	if (!len || len >= sizeof(buf))
		die(EXIT_USAGE, "bad size '%s'", s);
	memcpy(buf, s, len + 1);
	if (buf[len - 1] == 'k' || buf[len - 1] == 'K')
		mult = 1024;
	else if (buf[len - 1] == 'm' || buf[len - 1] == 'M')
		mult = 1024 * 1024;
	if (mult > 1)
		buf[len - 1] = 0;
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno || end == buf || *end || !v || v > (1ul << 20) / mult)
		die(EXIT_USAGE, "bad size '%s' (1 to 1M)", s);
	return v * mult;
}

/* SIZE or MIN-MAX (log-uniform) */
static void parse_sizes(struct group *g, const char *s)
{
	const char *dash = strchr(s, '-');
	char buf[32];

	if (!dash) {
		g->size_min = parse_size(s);
		g->size_max = g->size_min;
		return;
	}
	if ((size_t)(dash - s) >= sizeof(buf))
		die(EXIT_USAGE, "bad size range '%s'", s);
	memcpy(buf, s, dash - s);
	buf[dash - s] = 0;
	g->size_min = parse_size(buf);
	g->size_max = parse_size(dash + 1);
	if (g->size_min > g->size_max)
		die(EXIT_USAGE, "bad size range '%s'", s);
}

static unsigned int parse_node(const char *s)
{
	size_t len = strlen(cfg.dev_dir);

	if (!strncmp(s, cfg.dev_dir, len) && s[len] == '/')
		s += len + 1;
	if (!strncmp(s, "vcrypt", 6))
		s += 6;
	return parse_ulong("slice", s, 0, NODE_MAX);
}

/* "0-3,7,/dev/vcrypt9" into @g's slices */
static void parse_devs(struct group *g, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL, *dash;
	unsigned int a, b;

	if (!copy)
		die(EXIT_FAIL, "out of memory");
	g->nslices = 0;
	for (tok = strtok_r(copy, ",:+", &save); tok;
	     tok = strtok_r(NULL, ",:+", &save)) {
		dash = tok[0] != '/' ? strchr(tok, '-') : NULL;
		if (dash) {
			*dash = 0;
			a = parse_node(tok);
			b = parse_node(dash + 1);
		} else {
			a = parse_node(tok);
			b = a;
		}
		if (a > b)
			die(EXIT_USAGE, "bad slice range in '%s'", list);
		for (; a <= b; a++) {
			if (g->nslices == MAX_SLICES)
				die(EXIT_USAGE, "more than %u slices",
				    MAX_SLICES);
			g->slices[g->nslices++] = a;
		}
	}
	free(copy);
	if (!g->nslices)
		die(EXIT_USAGE, "no slice in '%s'", list);
}

static void parse_weights(struct group *g, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;

	if (!copy)
		die(EXIT_FAIL, "out of memory");
	g->nweights = 0;
	for (tok = strtok_r(copy, ",:+", &save); tok;
	     tok = strtok_r(NULL, ",:+", &save)) {
		if (g->nweights == MAX_SLICES)
			die(EXIT_USAGE, "too many weights");
		g->weights[g->nweights++] = parse_ulong("weight", tok, 1,
							10000);
	}
	free(copy);
}

static void group_defaults(struct group *g)
{
	memset(g, 0, sizeof(*g));
	g->files = 1;
	g->depth = 32;
	g->size_min = 4096;
	g->size_max = 4096;
	g->start = -1;
	g->stop = -1;
	g->nslices = 1;
}

/* Sets one key=value of a tenant */
static void group_set(struct group *g, const char *key, const char *val)
{
	unsigned int i;

	if (!strcmp(key, "name")) {
		snprintf(g->name, sizeof(g->name), "%s", val);
	} else if (!strcmp(key, "dev")) {
		parse_devs(g, val);
	} else if (!strcmp(key, "slices")) {
		g->nslices = parse_ulong("slices", val, 1, MAX_SLICES);
		for (i = 0; i < g->nslices; i++)
			g->slices[i] = i;
	} else if (!strcmp(key, "weight")) {
		parse_weights(g, val);
	} else if (!strcmp(key, "files")) {
		g->files = parse_ulong("files", val, 1, MAX_FILES);
	} else if (!strcmp(key, "depth")) {
		g->depth = parse_ulong("depth", val, 1, MAX_DEPTH);
	} else if (!strcmp(key, "batch")) {
		g->batch = parse_ulong("batch", val, 1, MAX_DEPTH);
	} else if (!strcmp(key, "size")) {
		parse_sizes(g, val);
	} else if (!strcmp(key, "start")) {
		g->start = parse_double("start", val, 0, 1e6);
	} else if (!strcmp(key, "stop")) {
		g->stop = parse_double("stop", val, 0, 1e6);
	} else {
		die(EXIT_USAGE, "unknown tenant key '%s'", key);
	}
}

static void parse_tenant(struct group *g, const char *spec)
{
	char *copy = strdup(spec), *tok, *save = NULL, *eq;

	if (!copy)
		die(EXIT_FAIL, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			die(EXIT_USAGE, "tenant '%s': '%s' is not key=value",
			    spec, tok);
		*eq = 0;
		group_set(g, tok, eq + 1);
	}
	free(copy);
}

static const struct alg *find_alg(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(algs); i++)
		if (!strcmp(algs[i].name, name))
			return &algs[i];
	die(EXIT_USAGE, "unknown algorithm '%s'", name);
	return NULL;
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: vcrypt-bench [OPTIONS] [TENANT...]\n"
		"\n"
		"Load /dev/vcryptN slices and report throughput, card utilization,\n"
		"shares of card time per window and latency (tab-separated records).\n"
		"\n"
		"Options (defaults for the tenants):\n"
		"  -n, --slices N        slices 0..N-1 (default 1)\n"
		"  -d, --dev LIST        slices, e.g. 0-3,7 or /dev/vcrypt5\n"
		"  -w, --weights LIST    weights to set, in slice order (last repeats)\n"
		"  -f, --files N         open files per slice (default 1)\n"
		"  -q, --depth N         requests outstanding per file (default 32)\n"
		"  -b, --batch N         requests per VCRYPT_IOC_SUBMIT (default max)\n"
		"  -s, --size S|MIN-MAX  request size, or log-uniform range (default 4K)\n"
		"  -a, --alg NAME        aes-ctr (default), aes-cbc, aes-xts, aes-gcm,\n"
		"                        sha256, sha512, hmac-sha256\n"
		"  -t, --duration SEC    measured time (default 10)\n"
		"  -W, --warmup SEC      time before measuring (default 1)\n"
		"  -i, --window SEC      sampling window (default 1)\n"
		"  -l, --label NAME      second column of every record (default -)\n"
		"  -c, --cdf             print latency distributions (cdf records)\n"
		"  -m, --mem             measure kernel memory of the open files\n"
		"  -J, --jitter US       measure timer wake-up lateness every US us\n"
		"  -K, --no-kat          skip the known-answer checks at start\n"
		"  -S, --seed N          seed of the request sizes (default 1)\n"
		"      --dev-dir DIR     device directory (default /dev)\n"
		"      --sys-dir DIR     slice class directory (default /sys/class/vcrypt)\n"
		"  -h, --help\n"
		"\n"
		"TENANT: key=value,... with keys name, dev, slices, weight, files,\n"
		"depth, batch, size (as the options) and start, stop: seconds after\n"
		"the warm-up when the tenant starts and stops submitting. Each tenant\n"
		"runs in its own thread.\n");
}

static const struct option long_opts[] = {
	{ "slices", required_argument, NULL, 'n' },
	{ "dev", required_argument, NULL, 'd' },
	{ "weights", required_argument, NULL, 'w' },
	{ "files", required_argument, NULL, 'f' },
	{ "depth", required_argument, NULL, 'q' },
	{ "batch", required_argument, NULL, 'b' },
	{ "size", required_argument, NULL, 's' },
	{ "alg", required_argument, NULL, 'a' },
	{ "duration", required_argument, NULL, 't' },
	{ "warmup", required_argument, NULL, 'W' },
	{ "window", required_argument, NULL, 'i' },
	{ "label", required_argument, NULL, 'l' },
	{ "cdf", no_argument, NULL, 'c' },
	{ "mem", no_argument, NULL, 'm' },
	{ "jitter", required_argument, NULL, 'J' },
	{ "no-kat", no_argument, NULL, 'K' },
	{ "seed", required_argument, NULL, 'S' },
	{ "dev-dir", required_argument, NULL, 1 },
	{ "sys-dir", required_argument, NULL, 2 },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(int argc, char **argv)
{
	struct group def;
	int c, i;

	group_defaults(&def);
	cfg.alg = &algs[0];
	while ((c = getopt_long(argc, argv, "n:d:w:f:q:b:s:a:t:W:i:l:cmJ:KS:h",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			group_set(&def, "slices", optarg);
			break;
		case 'd':
			group_set(&def, "dev", optarg);
			break;
		case 'w':
			group_set(&def, "weight", optarg);
			break;
		case 'f':
			group_set(&def, "files", optarg);
			break;
		case 'q':
			group_set(&def, "depth", optarg);
			break;
		case 'b':
			group_set(&def, "batch", optarg);
			break;
		case 's':
			group_set(&def, "size", optarg);
			break;
		case 'a':
			cfg.alg = find_alg(optarg);
			break;
		case 't':
			cfg.duration = parse_double("duration", optarg, 0.01,
						    1e6);
			break;
		case 'W':
			cfg.warmup = parse_double("warm-up", optarg, 0, 1e6);
			break;
		case 'i':
			cfg.window = parse_double("window", optarg, 0.01, 1e6);
			break;
		case 'l':
			cfg.label = optarg;
			break;
		case 'c':
			cfg.cdf = true;
			break;
		case 'm':
			cfg.mem = true;
			break;
		case 'J':
			cfg.jitter_us = parse_ulong("jitter period", optarg, 1,
						    1000000);
			break;
		case 'K':
			cfg.kat = false;
			break;
		case 'S':
			cfg.seed = parse_ulong("seed", optarg, 0, ULONG_MAX);
			break;
		case 1:
			cfg.dev_dir = optarg;
			break;
		case 2:
			cfg.sys_dir = optarg;
			break;
		case 'h':
			print_usage(stdout);
			exit(0);
		default:
			print_usage(stderr);
			exit(EXIT_USAGE);
		}
	}

	if (optind == argc) {
		groups[0] = def;
		ngroups = 1;
	}
	for (i = optind; i < argc; i++) {
		if (ngroups == MAX_GROUPS)
			die(EXIT_USAGE, "more than %u tenants", MAX_GROUPS);
		groups[ngroups] = def;
		parse_tenant(&groups[ngroups], argv[i]);
		ngroups++;
	}
	if (cfg.duration / cfg.window > MAX_WINDOWS)
		die(EXIT_USAGE, "more than %u windows", MAX_WINDOWS);
}

/* ---- setup ---- */

static void slice_sys_path(char *path, size_t len, unsigned int node,
			   const char *attr)
{
	snprintf(path, len, "%s/vcrypt%u/%s", cfg.sys_dir, node, attr);
}

static struct slice *add_slice(unsigned int node, struct group *g)
{
	char path[PATH_LEN];
	struct slice *s;
	unsigned int i;

	for (i = 0; i < nslices; i++)
		if (slices[i].node == node)
			die(EXIT_USAGE, "slice %u is in two tenants", node);
	if (nslices == MAX_SLICES)
		die(EXIT_USAGE, "more than %u slices", MAX_SLICES);
	s = &slices[nslices++];
	s->node = node;
	s->grp = g;
	for (i = 0; i < SYS_COUNT; i++) {
		slice_sys_path(path, sizeof(path), node, sys_names[i]);
		s->sys_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (s->sys_fd[i] < 0)
			fprintf(stderr, "vcrypt-bench: %s: %s\n", path,
				strerror(errno));
	}
	return s;
}

static void set_weight(struct slice *s, unsigned int w)
{
	char path[PATH_LEN], buf[32];
	int ret;

	slice_sys_path(path, sizeof(path), s->node, "weight");
	if (read_file(path, buf, sizeof(buf)))
		die(EXIT_FAIL, "%s: %s", path, strerror(errno));
	s->old_weight = strtoul(buf, NULL, 10);
	snprintf(buf, sizeof(buf), "%u\n", w);
	ret = write_file(path, buf);
	if (ret)
		die(EXIT_FAIL, "%s: cannot set weight %u: %s", path, w,
		    strerror(-ret));
}

static void restore_weights(void)
{
	char path[PATH_LEN], buf[32];
	unsigned int i;

	for (i = 0; i < nslices; i++) {
		if (!slices[i].old_weight)
			continue;
		slice_sys_path(path, sizeof(path), slices[i].node, "weight");
		snprintf(buf, sizeof(buf), "%u\n", slices[i].old_weight);
		write_file(path, buf);
	}
}

static unsigned int slice_weight(const struct slice *s)
{
	char path[PATH_LEN], buf[32];

	if (s->weight)
		return s->weight;
	slice_sys_path(path, sizeof(path), s->node, "weight");
	if (read_file(path, buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, 10);
}

/* The card of the first slice: PCI address, debugfs stats, scheduler */
static void find_card(void)
{
	char path[PATH_LEN], link[PATH_LEN], buf[4096];
	const char *bdf;
	ssize_t n;

	slice_sys_path(path, sizeof(path), slices[0].node, "device");
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = 0;
		bdf = strrchr(link, '/');
		snprintf(cfg.pci, sizeof(cfg.pci), "%.63s",
			 bdf ? bdf + 1 : link);
		snprintf(cfg.stats_path, sizeof(cfg.stats_path),
			 "/sys/kernel/debug/vcrypt/%s/stats", cfg.pci);
		if (read_file(cfg.stats_path, buf, sizeof(buf))) {
			fprintf(stderr,
				"vcrypt-bench: %s unreadable: no card counters\n",
				cfg.stats_path);
			cfg.stats_path[0] = 0;
		} else {
			cfg.rate_ops = keyed_value(buf, "card_rate_ops", 0);
			cfg.rate_bytes = keyed_value(buf, "card_rate_bytes",
						     0);
		}
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/vcrypt_card/scheduler", cfg.pci);
		if (read_file(path, buf, sizeof(buf)) &&
		    read_file("/sys/module/vcrypt/parameters/sched", buf,
			      sizeof(buf)))
			snprintf(buf, sizeof(buf), "unknown");
		buf[strcspn(buf, "\n")] = 0;
		snprintf(cfg.sched, sizeof(cfg.sched), "%.31s", buf);
	} else {
		snprintf(cfg.pci, sizeof(cfg.pci), "unknown");
		snprintf(cfg.sched, sizeof(cfg.sched), "unknown");
	}
}

/* Card time of a request of @len bytes in the card's rate model, ns */
static __u64 model_ns(__u32 len)
{
	__u64 t = 0;

	if (cfg.rate_ops)
		t += NSEC / cfg.rate_ops;
	if (cfg.rate_bytes)
		t += (__u64)len * NSEC / cfg.rate_bytes;
	return t;
}

static int open_node(unsigned int node, int flags)
{
	char path[PATH_LEN];
	int fd;

	snprintf(path, sizeof(path), "%s/vcrypt%u", cfg.dev_dir, node);
	fd = open(path, O_RDWR | O_CLOEXEC | flags);
	if (fd < 0)
		die(EXIT_FAIL, "%s: %s", path, strerror(errno));
	return fd;
}

static __u32 new_session(int fd, const struct alg *a)
{
	struct vcrypt_session_new sn = {
		.alg = a->id,
		.key = (__u64)(unsigned long)key_buf,
		.key_len = a->key_len,
	};

	if (ioctl(fd, VCRYPT_IOC_SESSION_NEW, &sn))
		die(EXIT_FAIL, "VCRYPT_IOC_SESSION_NEW %s: %s", a->name,
		    strerror(errno));
	return sn.handle;
}

/* Bytes the card returns for a request of @len bytes */
static __u32 out_len(__u32 len)
{
	const struct alg *a = cfg.alg;

	return a->digest ? a->digest : len + a->tag_len;
}

static void fill_request(struct vcrypt_request *r, __u32 session,
			 const unsigned char *src, __u32 len,
			 unsigned char *dst, const struct alg *a)
{
	memset(r, 0, sizeof(*r));
	r->session = session;
	r->iv = (__u64)(unsigned long)iv_buf;
	r->iv_len = a->iv_len;
	r->src = (__u64)(unsigned long)src;
	r->src_len = len;
	r->dst = (__u64)(unsigned long)dst;
	r->dst_len = out_len(len);
	r->tag_len = a->tag_len;
}

/* ---- known-answer checks ---- */

static int unhex(const char *hex, unsigned char *out)
{
	int n = 0;

	for (; hex[0] && hex[1]; hex += 2) {
		unsigned int v;

		if (sscanf(hex, "%2x", &v) != 1)
			return -1;
		out[n++] = v;
	}
	return n;
}

struct kat {
	const char *name;
	__u32 alg;
	const char *key;
	const char *iv;
	const char *in;
	const char *out;
};

/* NIST SP 800-38A F.5.1 and FIPS 180-2 B.1 */
static const struct kat kats[] = {
	{ "aes-128-ctr", VCRYPT_ALG_AES_CTR,
	  "2b7e151628aed2a6abf7158809cf4f3c",
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51",
	  "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff" },
	{ "sha256", VCRYPT_ALG_SHA256, "", "", "616263",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
};

/* Runs the known-answer checks on a file of @node; false if one failed */
static bool run_kats(unsigned int node)
{
	unsigned char key[64], iv[16], in[64], out[64], want[64];
	struct vcrypt_completion c;
	struct vcrypt_request r;
	struct vcrypt_submit sub;
	struct vcrypt_session_new sn;
	bool ok = true;
	unsigned int i;
	int fd, klen, ivlen, inlen, outlen;
	ssize_t n;

	fd = open_node(node, 0);
	if (ioctl(fd, VCRYPT_IOC_INFO, &cfg.info))
		die(EXIT_FAIL, "VCRYPT_IOC_INFO: %s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(kats); i++) {
		const struct kat *k = &kats[i];
		const char *res = "ok";

		if (!(cfg.info.algs & (1u << k->alg))) {
			printf("kat\t%s\t%s\tskipped\n", cfg.label, k->name);
			continue;
		}
		klen = unhex(k->key, key);
		ivlen = unhex(k->iv, iv);
		inlen = unhex(k->in, in);
		outlen = unhex(k->out, want);
		sn = (struct vcrypt_session_new) {
			.alg = k->alg,
			.key = (__u64)(unsigned long)key,
			.key_len = klen,
		};
		if (ioctl(fd, VCRYPT_IOC_SESSION_NEW, &sn))
			die(EXIT_FAIL, "kat %s: VCRYPT_IOC_SESSION_NEW: %s",
			    k->name, strerror(errno));
		memset(&r, 0, sizeof(r));
		memset(out, 0, sizeof(out));
		r.tag = 0x6b6174 + i;
		r.session = sn.handle;
		r.iv = (__u64)(unsigned long)iv;
		r.iv_len = ivlen;
		r.src = (__u64)(unsigned long)in;
		r.src_len = inlen;
		r.dst = (__u64)(unsigned long)out;
		r.dst_len = sizeof(out);
		sub = (struct vcrypt_submit) {
			.reqs = (__u64)(unsigned long)&r,
			.count = 1,
		};
		if (ioctl(fd, VCRYPT_IOC_SUBMIT, &sub) || sub.done != 1)
			die(EXIT_FAIL, "kat %s: VCRYPT_IOC_SUBMIT: %s",
			    k->name, strerror(errno));
		n = read(fd, &c, sizeof(c));
		if (n != sizeof(c))
			die(EXIT_FAIL, "kat %s: read: %s", k->name,
			    n < 0 ? strerror(errno) : "short read");
		if (c.tag != r.tag || c.status || (int)c.out_len != outlen ||
		    memcmp(out, want, outlen)) {
			res = "FAILED";
			ok = false;
			fprintf(stderr,
				"vcrypt-bench: kat %s failed: tag %llx status %d out_len %u\n",
				k->name, (unsigned long long)c.tag, c.status,
				c.out_len);
		}
		printf("kat\t%s\t%s\t%s\n", cfg.label, k->name, res);
	}
	close(fd);
	return ok;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void *map_buffer(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		die(EXIT_FAIL, "mmap %zu bytes: %s", len, strerror(errno));
	return p;
}

/* User memory first (so that --mem sees the kernel's only), then files */
static void setup_files(void)
{
	unsigned int gi, si, fi, k, max_len = 0, dst_len, nfiles = 0;
	struct memsnap m0, m1;
	long long size, payload;

	for (gi = 0; gi < ngroups; gi++) {
		struct group *g = &groups[gi];

		if (g->size_max > max_len)
			max_len = g->size_max;
		if (!g->batch || g->batch > cfg.info.max_batch)
			g->batch = cfg.info.max_batch;
		if (g->depth > cfg.info.max_queue)
			die(EXIT_USAGE, "depth %u over the file limit %u",
			    g->depth, cfg.info.max_queue);
		if (g->size_max > cfg.info.max_data)
			die(EXIT_USAGE, "size %u over the card limit %u",
			    g->size_max, cfg.info.max_data);
		g->nbf = g->nslices * g->files;
		g->bf = xcalloc(g->nbf, sizeof(*g->bf));
		nfiles += g->nbf;
	}
	src_buf = map_buffer(max_len);
	for (k = 0; k < max_len; k++)
		src_buf[k] = k * 7 + 1;
	dst_len = max_len + 64;
	for (gi = 0; gi < ngroups; gi++) {
		struct group *g = &groups[gi];

		for (fi = 0; fi < g->nbf; fi++) {
			struct bfile *f = &g->bf[fi];

			f->slots = xcalloc(g->depth, sizeof(*f->slots));
			f->free = xcalloc(g->depth, sizeof(*f->free));
			f->dst = map_buffer(dst_len);
			for (k = 0; k < g->depth; k++)
				f->free[k] = g->depth - 1 - k;
			f->nfree = g->depth;
			f->rng = cfg.seed * 0x9E3779B97F4A7C15ULL + gi * 65537 +
				 fi + 1;
		}
	}

	if (cfg.mem) {
		/* let deferred frees of whatever ran before finish */
		sleep(1);
		read_mem(&m0);
	}
	for (gi = 0; gi < ngroups; gi++) {
		struct group *g = &groups[gi];

		for (si = 0; si < g->nslices; si++) {
			for (fi = 0; fi < g->files; fi++) {
				struct bfile *f = &g->bf[si * g->files + fi];

				f->fd = open_node(g->slices[si], O_NONBLOCK);
				f->session = new_session(f->fd, cfg.alg);
			}
		}
	}
	if (cfg.mem) {
		read_mem(&m1);
		mem_growth(&m0, &m1, &size, &payload);
		printf("%s\n", HDR_MEM);
		printf(FMT_MEM, cfg.label, nfiles, size, payload,
		       m0.memfree - m1.memfree, (double)size / nfiles,
		       (double)payload / nfiles,
		       (double)(m0.memfree - m1.memfree) / nfiles);
		free(m0.slab);
		free(m1.slab);
	}
}

/* Links every file to its slice once the slice table is final */
static void link_files(void)
{
	unsigned int gi, si, fi, k;

	for (gi = 0; gi < ngroups; gi++) {
		struct group *g = &groups[gi];

		for (si = 0; si < g->nslices; si++) {
			struct slice *s = NULL;

			for (k = 0; k < nslices; k++)
				if (slices[k].node == g->slices[si])
					s = &slices[k];
			for (fi = 0; fi < g->files; fi++)
				g->bf[si * g->files + fi].slice = s;
		}
	}
}

/* ---- the tenants' threads ---- */

static __u32 next_len(struct group *g, struct bfile *f)
{
	const struct alg *a = cfg.alg;
	double lo, hi, u;
	__u32 len;

	if (g->size_min == g->size_max) {
		len = g->size_min;
	} else {
		lo = ln(g->size_min);
		hi = ln((double)g->size_max + 1);
		u = (rng_next(&f->rng) >> 11) * (1.0 / 9007199254740992.0);
		len = (__u32)ex(lo + u * (hi - lo));
		if (len > g->size_max)
			len = g->size_max;
		if (len < g->size_min)
			len = g->size_min;
	}
	len -= len % a->block;
	if (len < a->min_len)
		len = a->min_len;
	return len;
}

static void group_fail(struct group *g, const char *what, int err)
{
	if (!g->failed) {
		g->failed = err;
		if (asprintf(&g->err, "tenant %s: %s: %s", g->name, what,
			     strerror(err)) < 0)
			g->err = NULL;
	}
}

/* Submits requests on @f until its depth is reached or the file is full */
static void refill(struct group *g, struct bfile *f,
		   struct vcrypt_request *reqs)
{
	struct vcrypt_submit sub;
	unsigned int n, k;
	__u64 t;

	while (f->outstanding < g->depth && !g->failed) {
		n = g->depth - f->outstanding;
		if (n > g->batch)
			n = g->batch;
		for (k = 0; k < n; k++) {
			unsigned short slot = f->free[f->nfree - 1 - k];
			__u32 len = next_len(g, f);

			f->slots[slot].len = len;
			fill_request(&reqs[k], f->session, src_buf, len,
				     f->dst, cfg.alg);
			reqs[k].tag = slot;
		}
		sub = (struct vcrypt_submit) {
			.reqs = (__u64)(unsigned long)reqs,
			.count = n,
		};
		t = now_ns();
		if (ioctl(f->fd, VCRYPT_IOC_SUBMIT, &sub)) {
			if (errno != EAGAIN)
				group_fail(g, "VCRYPT_IOC_SUBMIT", errno);
			return;
		}
		for (k = 0; k < sub.done; k++)
			f->slots[f->free[f->nfree - 1 - k]].t = t;
		f->nfree -= sub.done;
		f->outstanding += sub.done;
		add64(&f->slice->submitted, sub.done);
		if (sub.done < n)
			return;
	}
}

/* Reads all completions of @f */
static void reap(struct group *g, struct bfile *f)
{
	struct vcrypt_completion c[READ_BATCH];
	struct slice *s = f->slice;
	__u64 t, ops, bytes, mns, errs;
	unsigned int i, n;
	ssize_t r;

	for (;;) {
		r = read(f->fd, c, sizeof(c));
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				group_fail(g, "read", errno);
			return;
		}
		t = now_ns();
		n = r / sizeof(c[0]);
		ops = 0;
		bytes = 0;
		mns = 0;
		errs = 0;
		for (i = 0; i < n; i++) {
			unsigned int slot = c[i].tag;
			struct slot *sl;

			if (slot >= g->depth || !f->slots[slot].t) {
				group_fail(g, "completion with unknown tag",
					   EPROTO);
				return;
			}
			sl = &f->slots[slot];
			/* status 0 with the wrong length: count it failed */
			if (!c[i].status && c[i].out_len != out_len(sl->len))
				c[i].status = -EBADE;
			if (c[i].status) {
				errs++;
				if (!s->first_error)
					s->first_error = c[i].status;
			}
			ops++;
			bytes += sl->len;
			mns += model_ns(sl->len);
			if (sl->t >= cfg.meas_start && t <= cfg.meas_end)
				hist_add(&s->lat, t - sl->t);
			sl->t = 0;
			f->free[f->nfree++] = slot;
		}
		f->outstanding -= n;
		add64(&s->ops, ops);
		add64(&s->bytes, bytes);
		add64(&s->model_ns, mns);
		add64(&s->errors, errs);
		if (n < READ_BATCH)
			return;
	}
}

static unsigned int outstanding(const struct group *g)
{
	unsigned int i, n = 0;

	for (i = 0; i < g->nbf; i++)
		n += g->bf[i].outstanding;
	return n;
}

static void *group_run(void *arg)
{
	struct group *g = arg;
	struct vcrypt_request *reqs;
	struct epoll_event *ev;
	bool active = false, want;
	unsigned int i;
	__u64 t, next, end;
	int n, timeout;

	reqs = xcalloc(g->batch, sizeof(*reqs));
	ev = xcalloc(g->nbf, sizeof(*ev));
	pthread_barrier_wait(&go);

	for (;;) {
		t = now_ns();
		if (t >= cfg.meas_end || stopping() || g->failed)
			break;
		want = t >= g->start_ns && t < g->stop_ns;
		if (want && !active)
			for (i = 0; i < g->nbf; i++)
				refill(g, &g->bf[i], reqs);
		active = want;
		next = cfg.meas_end;
		if (!active && g->start_ns > t && g->start_ns < next)
			next = g->start_ns;
		if (active && g->stop_ns < next)
			next = g->stop_ns;
		timeout = (next - t + MSEC - 1) / MSEC;
		n = epoll_wait(g->epfd, ev, g->nbf, timeout);
		if (n < 0 && errno != EINTR) {
			group_fail(g, "epoll_wait", errno);
			break;
		}
		active = active && now_ns() < g->stop_ns;
		for (i = 0; i < (unsigned int)(n > 0 ? n : 0); i++) {
			struct bfile *f = ev[i].data.ptr;

			if (ev[i].events & (EPOLLERR | EPOLLHUP))
				group_fail(g, "slice removed", ENODEV);
			reap(g, f);
			if (active)
				refill(g, f, reqs);
		}
		if (!active && !g->idle_ns && now_ns() >= g->stop_ns &&
		    !outstanding(g))
			g->idle_ns = now_ns();
	}

	/* The run is over: wait for what is still outstanding */
	end = now_ns() + DRAIN_NS;
	while (!g->failed && outstanding(g) && now_ns() < end) {
		n = epoll_wait(g->epfd, ev, g->nbf, 100);
		if (n < 0 && errno != EINTR) {
			group_fail(g, "epoll_wait", errno);
			break;
		}
		for (i = 0; i < (unsigned int)(n > 0 ? n : 0); i++)
			reap(g, ev[i].data.ptr);
	}
	if (!g->failed && outstanding(g))
		group_fail(g, "requests still outstanding after the run",
			   ETIMEDOUT);
	if (!g->idle_ns && g->stop_ns < cfg.meas_end)
		g->idle_ns = now_ns();
	free(ev);
	free(reqs);
	return NULL;
}

/*
 * The jitter probe: sleeps until the next multiple of its period and
 * records how late it woke up. It shows how much the guest's CPUs were
 * taken away (by the host, under emulation) during the run.
 */
static void *jitter_run(void *arg)
{
	__u64 period = cfg.jitter_us * USEC, next, t;

	(void)arg;
	for (next = cfg.meas_start; next < cfg.meas_end && !stopping();
	     next += period) {
		sleep_until(next);
		t = now_ns();
		hist_add(&jitter, t - next);
		if (t > next + period)
			next += (t - next) / period * period;
	}
	return NULL;
}

/* ---- results ---- */

static double pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
}

/* @t in seconds after the start of the measured time; -1 for none */
static double rel_s(__u64 t)
{
	if (!t || t == ~0ULL)
		return -1;
	return ((double)t - (double)cfg.meas_start) / 1e9;
}

static __u64 delta(__u64 a, __u64 b)
{
	return b - a;
}

/* Whether @g submits throughout [@a, @b]: 1 yes, 0 not at all, -1 partly */
static int group_active(const struct group *g, __u64 a, __u64 b)
{
	if (g->start_ns <= a && g->stop_ns >= b)
		return 1;
	if (g->stop_ns <= a || g->start_ns >= b)
		return 0;
	return -1;
}

/* Jain's fairness index of @x[0..n-1] */
static double jain(const double *x, unsigned int n)
{
	double s = 0, s2 = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		s += x[i];
		s2 += x[i] * x[i];
	}
	return n && s2 > 0 ? s * s / (n * s2) : 0;
}

struct fairness {
	double share[MAX_SLICES];
	double wshare[MAX_SLICES];
	int active[MAX_SLICES];
	double maxdev;
	double jain;
	bool stable;
};

/*
 * Shares of card time between two samples, and the shares the weights
 * give the slices that were active throughout; the interval is stable
 * when no tenant started or stopped in it.
 */
static void fairness(const struct sample *a, const struct sample *b,
		     __u64 ta, __u64 tb, const unsigned int *w,
		     struct fairness *fr)
{
	double total = 0, wsum = 0, x[MAX_SLICES];
	unsigned int i, nx = 0;

	fr->stable = true;
	for (i = 0; i < nslices; i++) {
		total += delta(a[i].sys[SYS_CARD_TIME_NS],
			       b[i].sys[SYS_CARD_TIME_NS]);
		fr->active[i] = group_active(slices[i].grp, ta, tb);
		if (fr->active[i] < 0)
			fr->stable = false;
		if (fr->active[i] > 0)
			wsum += w[i];
	}
	fr->maxdev = 0;
	for (i = 0; i < nslices; i++) {
		fr->share[i] = pct(delta(a[i].sys[SYS_CARD_TIME_NS],
					 b[i].sys[SYS_CARD_TIME_NS]), total);
		fr->wshare[i] = fr->active[i] > 0 ? pct(w[i], wsum) : 0;
		if (fr->active[i] <= 0)
			continue;
		if (dabs(fr->share[i] - fr->wshare[i]) > fr->maxdev)
			fr->maxdev = dabs(fr->share[i] - fr->wshare[i]);
		if (fr->wshare[i] > 0)
			x[nx++] = fr->share[i] / fr->wshare[i];
	}
	fr->jain = jain(x, nx);
}

static void print_results(struct sample **smp, struct card_sample *cs,
			  unsigned int nwin)
{
	unsigned int w[MAX_SLICES], i, k;
	struct fairness fr;
	double wall, minjain = 1, maxdev = 0;
	__u64 ops = 0, bytes = 0, mns = 0, sys_ns = 0, errs = 0;
	unsigned int nfiles = 0;

	for (i = 0; i < nslices; i++)
		w[i] = slice_weight(&slices[i]);

	printf("%s\n%s\n", HDR_WINDOW, HDR_CARDWIN);
	for (k = 1; k <= nwin; k++) {
		const struct sample *a = smp[k - 1], *b = smp[k];
		double t0 = (cs[k - 1].t - cfg.meas_start) / 1e9;
		double t1 = (cs[k].t - cfg.meas_start) / 1e9;
		double len = (cs[k].t - cs[k - 1].t) / 1e9;
		__u64 wops = 0, wbytes = 0, wmns = 0, wsys = 0, backlog = 0;

		fairness(a, b, cs[k - 1].tick, cs[k].tick, w, &fr);
		for (i = 0; i < nslices; i++) {
			__u64 cns = delta(a[i].sys[SYS_CARD_TIME_NS],
					  b[i].sys[SYS_CARD_TIME_NS]);

			printf(FMT_WINDOW, cfg.label, k, t0, t1, slices[i].node,
			       slices[i].grp->name, w[i],
			       fr.active[i] > 0 ? "1" :
			       fr.active[i] ? "part" : "0",
			       (unsigned long long)delta(a[i].ops, b[i].ops),
			       (unsigned long long)delta(a[i].bytes,
							 b[i].bytes),
			       (unsigned long long)cns, fr.share[i],
			       fr.wshare[i],
			       (unsigned long long)b[i].sys[SYS_QUEUED]);
			wops += delta(a[i].ops, b[i].ops);
			wbytes += delta(a[i].bytes, b[i].bytes);
			wmns += delta(a[i].model_ns, b[i].model_ns);
			wsys += cns;
			if (fr.active[i] > 0)
				backlog += b[i].sys[SYS_QUEUED] > 0;
		}
		printf(FMT_CARDWIN, cfg.label, k, t0, t1,
		       pct(delta(cs[k - 1].busy_ns, cs[k].busy_ns) / 1e9, len),
		       pct(wsys / 1e9, len), pct(wmns / 1e9, len), wops / len,
		       wbytes / len / 1e6, fr.maxdev, fr.jain, fr.stable,
		       (unsigned long long)backlog);
		if (fr.stable && fr.maxdev > maxdev)
			maxdev = fr.maxdev;
		if (fr.stable && fr.jain < minjain)
			minjain = fr.jain;
	}

	wall = (cs[nwin].t - cs[0].t) / 1e9;
	fairness(smp[0], smp[nwin], cs[0].tick, cs[nwin].tick, w, &fr);
	printf("%s\n", HDR_SLICE);
	for (i = 0; i < nslices; i++) {
		struct slice *s = &slices[i];
		const struct sample *a = &smp[0][i], *b = &smp[nwin][i];
		const struct hist *h = &s->lat;

		printf(FMT_SLICE, cfg.label, s->node, s->grp->name, w[i],
		       (unsigned long long)delta(a->ops, b->ops),
		       (unsigned long long)delta(a->bytes, b->bytes),
		       delta(a->ops, b->ops) / wall,
		       delta(a->bytes, b->bytes) / wall / 1e6,
		       (unsigned long long)delta(a->sys[SYS_CARD_TIME_NS],
						 b->sys[SYS_CARD_TIME_NS]),
		       fr.share[i], fr.wshare[i], (unsigned long long)h->n,
		       hist_quantile(h, 0.5) / 1e3,
		       hist_quantile(h, 0.99) / 1e3,
		       hist_quantile(h, 0.999) / 1e3, h->max / 1e3,
		       h->n ? (double)h->sum / h->n / 1e3 : 0,
		       (unsigned long long)s->errors,
		       (unsigned long long)delta(a->sys[SYS_COMPLETED_OPS],
						 b->sys[SYS_COMPLETED_OPS]),
		       (unsigned long long)delta(a->sys[SYS_ERRORS],
						 b->sys[SYS_ERRORS]));
		ops += delta(a->ops, b->ops);
		bytes += delta(a->bytes, b->bytes);
		mns += delta(a->model_ns, b->model_ns);
		sys_ns += delta(a->sys[SYS_CARD_TIME_NS],
				b->sys[SYS_CARD_TIME_NS]);
		errs += s->errors;
	}
	for (i = 0; i < ngroups; i++)
		nfiles += groups[i].nbf;

	printf("%s\n", HDR_SUMMARY);
	printf(FMT_SUMMARY, cfg.label, cfg.sched, wall,
	       pct(delta(cs[0].busy_ns, cs[nwin].busy_ns) / 1e9, wall),
	       pct(sys_ns / 1e9, wall), pct(mns / 1e9, wall), ops / wall,
	       bytes / wall / 1e6, nslices, nfiles, fr.jain, fr.maxdev,
	       maxdev, minjain, (unsigned long long)errs);

	printf("%s\n", HDR_GROUP);
	for (i = 0; i < ngroups; i++) {
		const struct group *g = &groups[i];

		printf(FMT_GROUP, cfg.label, g->name, g->nslices, g->files,
		       g->depth, g->size_min, g->size_max,
		       rel_s(g->start_ns), rel_s(g->stop_ns),
		       rel_s(g->idle_ns));
	}
	if (cfg.jitter_us) {
		printf("%s\n", HDR_JITTER);
		printf(FMT_JITTER, cfg.label, cfg.jitter_us,
		       (unsigned long long)jitter.n,
		       hist_quantile(&jitter, 0.5) / 1e3,
		       hist_quantile(&jitter, 0.99) / 1e3,
		       hist_quantile(&jitter, 0.999) / 1e3, jitter.max / 1e3);
	}
	if (!cfg.cdf)
		return;
	printf("#cdf\tlabel\tslice\ttenant\tlat_us\tfrac\n");
	for (i = 0; i < nslices; i++) {
		const struct hist *h = &slices[i].lat;
		__u64 seen = 0;

		for (k = 0; k < HIST_BUCKETS && h->n; k++) {
			if (!h->b[k])
				continue;
			seen += h->b[k];
			printf("cdf\t%s\t%u\t%s\t%.2f\t%.6f\n", cfg.label,
			       slices[i].node, slices[i].grp->name,
			       dmin(hist_value(k), h->max) / 1e3,
			       (double)seen / h->n);
		}
	}
}

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&interrupted, 1, __ATOMIC_RELAXED);
}

int main(int argc, char **argv)
{
	struct sample **smp;
	struct card_sample *cs;
	unsigned int gi, si, i, k, nwin;
	struct sigaction sa = { .sa_handler = on_signal };
	pthread_t jthread;
	bool ok = true;
	__u64 tick;
	int ret = 0;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	raise_nofile();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	for (gi = 0; gi < ngroups; gi++) {
		struct group *g = &groups[gi];

		if (!g->name[0])
			snprintf(g->name, sizeof(g->name), "t%u", gi);
		for (si = 0; si < g->nslices; si++) {
			struct slice *s = add_slice(g->slices[si], g);

			if (g->nweights)
				s->weight = g->weights[si < g->nweights ?
						       si : g->nweights - 1];
		}
	}
	find_card();

	printf("#info\tlabel\tkey\tvalue\n");
	printf("info\t%s\ttool\tvcrypt-bench %s\n", cfg.label, BENCH_VERSION);
	printf("info\t%s\tcard\t%s\n", cfg.label, cfg.pci);
	printf("info\t%s\tsched\t%s\n", cfg.label, cfg.sched);
	printf("info\t%s\trate_ops\t%llu\n", cfg.label,
	       (unsigned long long)cfg.rate_ops);
	printf("info\t%s\trate_bytes\t%llu\n", cfg.label,
	       (unsigned long long)cfg.rate_bytes);
	printf("info\t%s\talg\t%s\n", cfg.label, cfg.alg->name);
	for (gi = 0; gi < ngroups; gi++) {
		struct group *g = &groups[gi];

		printf(FMT_TENANT, cfg.label, g->name, g->nslices, g->files, g->depth,
		       g->size_min, g->size_max, g->start, g->stop);
	}

	if (cfg.kat) {
		ok = run_kats(slices[0].node);
	} else {
		int fd = open_node(slices[0].node, 0);

		if (ioctl(fd, VCRYPT_IOC_INFO, &cfg.info))
			die(EXIT_FAIL, "VCRYPT_IOC_INFO: %s", strerror(errno));
		close(fd);
	}
	if (!(cfg.info.algs & (1u << cfg.alg->id)))
		die(EXIT_FAIL, "the card does not support %s", cfg.alg->name);
	for (i = 0; i < nslices; i++)
		if (slices[i].weight)
			set_weight(&slices[i], slices[i].weight);

	setup_files();
	link_files();

	nwin = uceil(cfg.duration / cfg.window - 0.000001);
	smp = xcalloc(nwin + 1, sizeof(*smp));
	for (k = 0; k <= nwin; k++)
		smp[k] = xcalloc(nslices, sizeof(**smp));
	cs = xcalloc(nwin + 1, sizeof(*cs));

	cfg.t0 = now_ns() + 50 * MSEC;
	cfg.meas_start = cfg.t0 + (__u64)(cfg.warmup * NSEC);
	cfg.meas_end = cfg.meas_start + (__u64)(cfg.duration * NSEC);
	if (pthread_barrier_init(&go, NULL, ngroups + 1))
		die(EXIT_FAIL, "pthread_barrier_init failed");
	for (gi = 0; gi < ngroups; gi++) {
		struct group *g = &groups[gi];
		struct epoll_event ev = { .events = EPOLLIN };

		g->start_ns = g->start >= 0 ?
			      cfg.meas_start + (__u64)(g->start * NSEC) : 0;
		g->stop_ns = g->stop >= 0 ?
			     cfg.meas_start + (__u64)(g->stop * NSEC) : ~0ULL;
		g->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (g->epfd < 0)
			die(EXIT_FAIL, "epoll_create1: %s", strerror(errno));
		for (i = 0; i < g->nbf; i++) {
			ev.data.ptr = &g->bf[i];
			if (epoll_ctl(g->epfd, EPOLL_CTL_ADD, g->bf[i].fd, &ev))
				die(EXIT_FAIL, "epoll_ctl: %s",
				    strerror(errno));
		}
		if (pthread_create(&g->thread, NULL, group_run, g))
			die(EXIT_FAIL, "pthread_create failed");
	}
	pthread_barrier_wait(&go);
	if (cfg.jitter_us && pthread_create(&jthread, NULL, jitter_run, NULL))
		die(EXIT_FAIL, "pthread_create failed");

	for (k = 0; k <= nwin && !stopping(); k++) {
		tick = cfg.meas_start + (__u64)(k * cfg.window * NSEC);
		if (tick > cfg.meas_end)
			tick = cfg.meas_end;
		sleep_until(tick);
		read_card(&cs[k]);
		cs[k].tick = tick;
		for (i = 0; i < nslices; i++)
			read_slice(&slices[i], &smp[k][i]);
	}
	if (stopping())
		die(EXIT_FAIL, "interrupted");

	if (cfg.jitter_us)
		pthread_join(jthread, NULL);
	for (gi = 0; gi < ngroups; gi++) {
		pthread_join(groups[gi].thread, NULL);
		if (groups[gi].failed) {
			fprintf(stderr, "vcrypt-bench: %s\n",
				groups[gi].err ? groups[gi].err : "failed");
			ok = false;
		}
	}

	print_results(smp, cs, nwin);

	for (i = 0; i < nslices; i++) {
		if (slices[i].errors) {
			fprintf(stderr,
				"vcrypt-bench: slice %u: %llu requests failed, first with %s\n",
				slices[i].node,
				(unsigned long long)slices[i].errors,
				slices[i].first_error == -EBADE ?
				"a wrong out_len" :
				strerror(-slices[i].first_error));
			ok = false;
		}
	}
	restore_weights();
	if (!ok)
		ret = EXIT_FAIL;
	return ret;
}
