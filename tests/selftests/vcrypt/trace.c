// SPDX-License-Identifier: GPL-2.0
/*
 * The trace events through tracefs: a request with a known tag on a
 * slice gives vcrypt_submit, vcrypt_dispatch and vcrypt_complete, in that
 * order, with the slice, card, tag, algorithm, bytes, the weight, the
 * card time the card's rate model gives (from its debugfs rates, and as
 * much as the slice's card_time_ns grew), a latency within what the
 * program measured around it, and the same file in all three; a request
 * the card refuses completes with its status; and a hist trigger on
 * vcrypt_complete counts the requests and bytes of a slice and buckets
 * their latencies, as Documentation/tracing.rst shows.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "vcrypt_slice.h"
#include "kselftest_harness.h"

#define TRACEFS		"/sys/kernel/tracing"
#define SLICE		1
#define WEIGHT		300
#define TAG		0x5eed0000c0ffeeull
#define NHIST		8
#define TRACE_MAX	(1024 * 1024)
#define FIELD_MAX	64

static int tracefs_write(const char *file, const char *s)
{
	char path[VT_PATH_MAX];

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	return vs_write_str(path, s);
}

/* Empties the trace buffer; 0 or -errno */
static int tracefs_clear(void)
{
	int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Mounts tracefs if it is not there yet; 0 or -errno */
static int tracefs_mount(void)
{
	struct stat st;

	if (!stat(TRACEFS "/events/vcrypt", &st))
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	return stat(TRACEFS "/events/vcrypt", &st) ? -errno : 0;
}

/* The whole of a tracefs file, NUL-terminated, or NULL */
static char *tracefs_read(const char *file)
{
	char path[VT_PATH_MAX], *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(TRACE_MAX);
	while (buf && (n = read(fd, buf + len, TRACE_MAX - 1 - len)) > 0)
		len += n;
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/*
 * The line of event @event in @trace whose fields slice and tag are
 * @slice and @tag, as a copy in @line; 0, or -1 if there is none or
 * more than one.
 */
static int find_event(const char *trace, const char *event, const char *slice,
		      __u64 tag, char *line, size_t len)
{
	char want_slice[64], want_tag[64], key[64];
	const char *p = trace, *end;
	int found = 0;

	snprintf(key, sizeof(key), " %s: ", event);
	snprintf(want_slice, sizeof(want_slice), " slice=%s ", slice);
	snprintf(want_tag, sizeof(want_tag), " tag=%llu ",
		 (unsigned long long)tag);
	while (*p) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) < len) {
			char buf[1024];

			snprintf(buf, sizeof(buf), "%.*s ", (int)(end - p), p);
			if (strstr(buf, key) && strstr(buf, want_slice) &&
			    strstr(buf, want_tag)) {
				snprintf(line, len, "%s", buf);
				found++;
			}
		}
		p = *end ? end + 1 : end;
	}
	return found == 1 ? 0 : -1;
}

/* The value of field @name=VALUE in @line, as a string */
static const char *field(const char *line, const char *name)
{
	static char val[8][FIELD_MAX];
	static unsigned int next;
	char key[FIELD_MAX];
	const char *p;
	char *v = val[next++ % 8];
	size_t n;

	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(line, key);
	if (!p)
		return "(missing)";
	p += strlen(key);
	n = strcspn(p, "\n ");
	snprintf(v, FIELD_MAX, "%.*s", (int)n, p);
	return v;
}

static __u64 field_u64(const char *line, const char *name)
{
	const char *v = field(line, name);
	char *end;
	__u64 x;

	errno = 0;
	x = strtoull(v, &end, 10);
	return errno || *end || end == v ? ~0ull : x;
}

/* The timestamp of a trace line, in us */
static __u64 stamp_us(const char *line)
{
	const char *p = strstr(line, ": vcrypt_");
	unsigned long s, us;

	while (p && p > line && p[-1] != ' ')
		p--;
	if (!p || sscanf(p, "%lu.%lu", &s, &us) != 2)
		return ~0ull;
	return s * 1000000ull + us;
}

static const struct vs_kat *find_kat(__u32 alg, __u32 flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vs_kats); i++)
		if (vs_kats[i].alg == alg && vs_kats[i].flags == flags &&
		    vs_kats[i].key.len <= 32)
			return &vs_kats[i];
	return NULL;
}

FIXTURE(trace) {
	struct vs_card card;
	unsigned int old_slices;
	char slice[32];
	__u64 rate_ops;
	__u64 rate_bytes;
	int fd;
};

FIXTURE_SETUP(trace)
{
	ASSERT_EQ(0, vs_card_open(&self->card))
		TH_LOG("no vcrypt card with %s/slices", self->card.dir);
	ASSERT_EQ(0, vs_need_slices(&self->card, SLICE + 1,
				    &self->old_slices));
	ASSERT_EQ(0, tracefs_mount()) TH_LOG("no tracefs with vcrypt events");
	ASSERT_EQ(0, vs_card_stat(&self->card, "card_rate_ops",
				  &self->rate_ops));
	ASSERT_EQ(0, vs_card_stat(&self->card, "card_rate_bytes",
				  &self->rate_bytes));
	snprintf(self->slice, sizeof(self->slice), "vcrypt%u",
		 self->card.base + SLICE);
	ASSERT_EQ(0, vs_set_weight(&self->card, SLICE, WEIGHT));
	self->fd = vs_open(&self->card, SLICE, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, tracefs_write("events/vcrypt/enable", "0"));
	ASSERT_EQ(0, tracefs_clear());
}

FIXTURE_TEARDOWN(trace)
{
	tracefs_write("events/vcrypt/enable", "0");
	tracefs_clear();
	close(self->fd);
	vs_set_weight(&self->card, SLICE, VS_WEIGHT_DEFAULT);
	if (self->old_slices < SLICE + 1)
		vs_set_slices(&self->card, self->old_slices);
}

/* Runs @k on the fixture's slice with @tag; its completion goes to @c */
static void run_kat(struct __test_metadata *_metadata, int fd,
		    const struct vs_kat *k, struct vs_kat_buf *b, __u64 tag,
		    struct vcrypt_completion *c)
{
	struct vcrypt_request r;
	__u32 handle, done;

	vs_kat_prepare(k, b);
	ASSERT_EQ(0, vs_session(fd, k->alg, b->key, k->key.len,
				&handle));
	vs_kat_req(k, b, handle, tag, &r);
	ASSERT_EQ(0, vs_submit(fd, &r, 1, &done));
	ASSERT_EQ(1, done);
	ASSERT_EQ(1, vs_read_all(fd, c, 1));
	ASSERT_EQ(tag, c->tag);
	ASSERT_EQ(0, vs_session_free(fd, handle));
}

TEST_F(trace, request_events)
{
	const struct vs_kat *k = find_kat(VCRYPT_ALG_AES_XTS, 0);
	char sub[1024], dis[1024], com[1024], want[64];
	__u64 time0, time1, card_ns;
	struct vcrypt_completion c;
	struct vs_kat_buf b;
	long long t0, t1;
	char *trace;

	ASSERT_NE(NULL, k);
	ASSERT_EQ(0, vs_attr(&self->card, SLICE, "card_time_ns", &time0));
	ASSERT_EQ(0, tracefs_write("events/vcrypt/enable", "1"));
	t0 = vs_now_ns();
	run_kat(_metadata, self->fd, k, &b, TAG, &c);
	t1 = vs_now_ns();
	ASSERT_EQ(0, tracefs_write("events/vcrypt/enable", "0"));
	EXPECT_EQ(0, c.status);
	EXPECT_EQ(NULL, vs_kat_check(k, &b, c.out_len, false));
	ASSERT_EQ(0, vs_attr(&self->card, SLICE, "card_time_ns", &time1));

	trace = tracefs_read("trace");
	ASSERT_NE(NULL, trace);
	ASSERT_EQ(0, find_event(trace, "vcrypt_submit", self->slice, TAG,
				sub, sizeof(sub)))
		TH_LOG("one vcrypt_submit of tag %llu in:\n%s", TAG, trace);
	ASSERT_EQ(0, find_event(trace, "vcrypt_dispatch", self->slice, TAG,
				dis, sizeof(dis)));
	ASSERT_EQ(0, find_event(trace, "vcrypt_complete", self->slice, TAG,
				com, sizeof(com)));
	free(trace);
	TH_LOG("%s", sub);
	TH_LOG("%s", dis);
	TH_LOG("%s", com);

	/* In order, within the time the program waited */
	EXPECT_LE(stamp_us(sub), stamp_us(dis));
	EXPECT_LE(stamp_us(dis), stamp_us(com));

	/* What every event says about the request */
	card_ns = vs_card_time(self->rate_ops, self->rate_bytes, k->src.len);
	EXPECT_EQ(time1 - time0, card_ns);
	snprintf(want, sizeof(want), "%u", k->src.len);
	EXPECT_STREQ(self->card.bdf, field(sub, "card"));
	EXPECT_STREQ(self->card.bdf, field(dis, "card"));
	EXPECT_STREQ(self->card.bdf, field(com, "card"));
	EXPECT_STREQ("aes-xts", field(sub, "alg"));
	EXPECT_STREQ("aes-xts", field(dis, "alg"));
	EXPECT_STREQ("aes-xts", field(com, "alg"));
	EXPECT_STREQ(want, field(sub, "bytes"));
	EXPECT_STREQ(want, field(dis, "bytes"));
	EXPECT_STREQ(want, field(com, "bytes"));
	EXPECT_EQ(card_ns, field_u64(sub, "card_ns"));
	EXPECT_EQ(card_ns, field_u64(dis, "card_ns"));
	EXPECT_EQ(card_ns, field_u64(com, "card_ns"));
	EXPECT_STREQ(field(sub, "file"), field(dis, "file"));
	EXPECT_STREQ(field(sub, "file"), field(com, "file"));
	EXPECT_EQ(1, field_u64(sub, "queued"));

	/* The scheduler's decision */
	EXPECT_EQ(WEIGHT, field_u64(dis, "weight"));
	EXPECT_LE(1, field_u64(dis, "inflight"));
	EXPECT_LE(card_ns, field_u64(dis, "inflight_ns"));
	EXPECT_NE(~0ull, field_u64(dis, "start"));
	EXPECT_NE(~0ull, field_u64(dis, "vtime"));
	EXPECT_NE(0, field_u64(dis, "budget_ns"));

	/* The result and the times */
	EXPECT_STREQ("0", field(com, "status"));
	EXPECT_STREQ("0", field(com, "hw_status"));
	EXPECT_EQ(c.out_len, field_u64(com, "out_len"));
	EXPECT_LE(field_u64(dis, "wait_ns"), field_u64(com, "latency_ns"));
	EXPECT_LT(0, field_u64(com, "latency_ns"));
	EXPECT_GE((__u64)(t1 - t0), field_u64(com, "latency_ns"));
}

TEST_F(trace, refused_request)
{
	const struct vs_kat *k = find_kat(VCRYPT_ALG_AES_GCM,
					  VCRYPT_OP_DECRYPT);
	struct vcrypt_request r;
	struct vcrypt_completion c;
	struct vs_kat_buf b;
	__u32 handle, done;
	char com[1024];
	char *trace;

	ASSERT_NE(NULL, k);
	ASSERT_EQ(0, tracefs_write("events/vcrypt/vcrypt_complete/enable",
				   "1"));
	vs_kat_prepare(k, &b);
	ASSERT_EQ(0, vs_session(self->fd, k->alg, b.key, k->key.len,
				&handle));
	vs_kat_req(k, &b, handle, TAG + 1, &r);
	/* a wrong tag: the card refuses to decrypt */
	b.src[k->src.len - 1] ^= 1;
	ASSERT_EQ(0, vs_submit(self->fd, &r, 1, &done));
	ASSERT_EQ(1, vs_read_all(self->fd, &c, 1));
	ASSERT_EQ(0, tracefs_write("events/vcrypt/enable", "0"));
	EXPECT_EQ(-EBADMSG, c.status);

	trace = tracefs_read("trace");
	ASSERT_NE(NULL, trace);
	ASSERT_EQ(0, find_event(trace, "vcrypt_complete", self->slice,
				TAG + 1, com, sizeof(com)));
	free(trace);
	TH_LOG("%s", com);
	EXPECT_EQ(-EBADMSG, atoi(field(com, "status")));
	EXPECT_EQ(VCRYPT_HW_ST_AUTH, field_u64(com, "hw_status"));
	EXPECT_STREQ("0", field(com, "out_len"));
	EXPECT_STREQ("aes-gcm", field(com, "alg"));
	/* the card did the work: it is charged */
	EXPECT_EQ(vs_card_time(self->rate_ops, self->rate_bytes, k->src.len),
		  field_u64(com, "card_ns"));
}

/* The per-slice latency histogram of Documentation/tracing.rst */
TEST_F(trace, hist_trigger)
{
	const char *trigger =
		"hist:keys=slice,latency_ns.log2:vals=hitcount,bytes:sort=slice,latency_ns";
	const struct vs_kat *k = find_kat(VCRYPT_ALG_SHA256, 0);
	struct vcrypt_completion c;
	struct vs_kat_buf b;
	unsigned long hits = 0, bytes = 0, h, v;
	char key[80], *hist, *p;
	unsigned int i;

	ASSERT_NE(NULL, k);
	ASSERT_EQ(0, tracefs_write("events/vcrypt/vcrypt_complete/trigger",
				   trigger));
	for (i = 0; i < NHIST; i++) {
		run_kat(_metadata, self->fd, k, &b, TAG + 2 + i, &c);
		EXPECT_EQ(NULL, vs_kat_check(k, &b, c.out_len, false));
	}
	hist = tracefs_read("events/vcrypt/vcrypt_complete/hist");
	snprintf(key, sizeof(key), "!%s", trigger);
	EXPECT_EQ(0, tracefs_write("events/vcrypt/vcrypt_complete/trigger",
				   key));
	ASSERT_NE(NULL, hist);
	TH_LOG("%s", hist);
	/* { slice: vcrypt1, latency_ns: ~ 2^17 } hitcount: 8  bytes: 24 */
	snprintf(key, sizeof(key), "{ slice: %-15s", self->slice);
	for (p = strstr(hist, key); p; p = strstr(p + 1, key)) {
		const char *hc = strstr(p, "hitcount:");
		const char *by = strstr(p, "bytes:");

		ASSERT_NE(NULL, hc);
		ASSERT_NE(NULL, by);
		h = strtoul(hc + strlen("hitcount:"), NULL, 10);
		v = strtoul(by + strlen("bytes:"), NULL, 10);
		EXPECT_NE(NULL, strstr(p, "latency_ns: ~ 2^"));
		hits += h;
		bytes += v;
	}
	free(hist);
	EXPECT_EQ(NHIST, hits);
	EXPECT_EQ(NHIST * k->src.len, bytes);
}

/* What perf and bpftrace read: the events' formats */
TEST_F(trace, formats)
{
	static const char * const want[] = {
		"vcrypt_submit", "__data_loc char[] slice;",
		"vcrypt_submit", "u64 tag;",
		"vcrypt_dispatch", "u64 wait_ns;",
		"vcrypt_dispatch", "u64 vtime;",
		"vcrypt_complete", "u64 latency_ns;",
		"vcrypt_complete", "u64 card_ns;",
		"vcrypt_complete", "int status;",
		"vcrypt_card_fault", "u64 value;",
	};
	char file[128], *fmt;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(want); i += 2) {
		snprintf(file, sizeof(file), "events/vcrypt/%s/format",
			 want[i]);
		fmt = tracefs_read(file);
		ASSERT_NE(NULL, fmt) TH_LOG("no %s", file);
		EXPECT_NE(NULL, strstr(fmt, want[i + 1]))
			TH_LOG("%s: no '%s' in:\n%s", file, want[i + 1], fmt);
		free(fmt);
	}
}

TEST_HARNESS_MAIN
