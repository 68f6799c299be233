// SPDX-License-Identifier: GPL-2.0
/*
 * vcryptctl: show and set the slices of vcrypt crypto cards.
 *
 * Everything goes through the driver's sysfs attributes, documented in
 * Documentation/ABI/testing/sysfs-bus-pci-drivers-vcrypt and
 * Documentation/ABI/testing/sysfs-class-vcrypt; see vcryptctl(8).
 *
 *   vcryptctl status [-j] [-i SECONDS]
 *   vcryptctl slices N [-c CARD]
 *   vcryptctl weight SLICE W
 *
 * Besides its slices /dev/vcrypt<N>, each card has a host slice: the share
 * of the card used by the kernel crypto API, the device vcrypt-host<c> of
 * the class vcrypt, without a character device. SLICE names it as host
 * (card 0), host<c> or vcrypt-host<c>.
 *
 * Exit status: 0 done, 1 the operation failed, 2 usage error. Arguments are
 * checked completely before anything in sysfs is read or written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/vcrypt.h>

#define VCRYPTCTL_VERSION	"1.0"

#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define WEIGHT_MIN	1
#define WEIGHT_MAX	10000
#define SLICES_MAX	256
/* Node numbers: slice s of card c is /dev/vcrypt<c * 256 + s> */
#define NODES_PER_CARD	256
/* Highest node number a slice argument may name: the largest char minor */
#define NODE_MAX	((1u << 20) - 1)
#define CARD_MAX	(NODE_MAX / NODES_PER_CARD)
#define INTERVAL_MAX	3600

/* The card's attribute group: /sys/bus/pci/devices/<PCI address>/<group> */
#define CARD_GROUP	"vcrypt_card"
/* The host slice of card c: /sys/class/vcrypt/<HOST_PREFIX><c> */
#define HOST_PREFIX	"vcrypt-host"
#define HOST_PREFIX_LEN	(sizeof(HOST_PREFIX) - 1)

#define PATH_LEN	1024
#define NAME_LEN	256
#define VALUE_LEN	64

/* The sysfs attributes of slices and host slices */
enum {
	A_WEIGHT,
	A_SLICE,
	A_OPEN_FILES,
	A_QUEUED,
	A_IN_FLIGHT,
	A_COMPLETED_OPS,
	A_COMPLETED_BYTES,
	A_ERRORS,
	A_CARD_TIME_NS,
	A_TRANSFORMS,
	A_BACKLOGGED,
	A_FALLBACK_OPS,
	A_COUNT,
};

static const char * const attr_names[A_COUNT] = {
	[A_WEIGHT] = "weight",
	[A_SLICE] = "slice",
	[A_OPEN_FILES] = "open_files",
	[A_QUEUED] = "queued",
	[A_IN_FLIGHT] = "in_flight",
	[A_COMPLETED_OPS] = "completed_ops",
	[A_COMPLETED_BYTES] = "completed_bytes",
	[A_ERRORS] = "errors",
	[A_CARD_TIME_NS] = "card_time_ns",
	[A_TRANSFORMS] = "transforms",
	[A_BACKLOGGED] = "backlogged",
	[A_FALLBACK_OPS] = "fallback_ops",
};

/* Those of a slice, in the order of its JSON keys */
static const int slice_attrs[] = {
	A_WEIGHT, A_SLICE, A_OPEN_FILES, A_QUEUED, A_IN_FLIGHT,
	A_COMPLETED_OPS, A_COMPLETED_BYTES, A_ERRORS, A_CARD_TIME_NS,
};

/* Those of a host slice, in the order of its JSON keys */
static const int host_attrs[] = {
	A_WEIGHT, A_QUEUED, A_IN_FLIGHT, A_COMPLETED_OPS, A_COMPLETED_BYTES,
	A_ERRORS, A_CARD_TIME_NS, A_TRANSFORMS, A_BACKLOGGED, A_FALLBACK_OPS,
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A slice, or a card's host slice (the attributes it lacks stay 0) */
struct slice {
	unsigned int node;
	__u64 val[A_COUNT];
	/* card time over the interval (or since load) */
	__u64 time;
};

struct card {
	char pci[NAME_LEN];
	/* card number c of its host slice and nodes, or -1 if unknown */
	long index;
	char scheduler[VALUE_LEN];
	__u64 nr_slices;
	struct slice *slices;
	size_t n;
	/* the host slice, if has_host; its node is the card number */
	struct slice host;
	bool has_host;
	/* card time of the slices and the host slice */
	__u64 time;
};

struct cards {
	struct card *card;
	size_t n;
};

static const char *cmd = "vcryptctl";
static const char *sysfs = "/sys";

/* "vcryptctl: [COMMAND: ]" and the message, without a newline */
static void vmsg(const char *fmt, va_list ap)
{
	if (strcmp(cmd, "vcryptctl"))
		fprintf(stderr, "vcryptctl: %s: ", cmd);
	else
		fprintf(stderr, "vcryptctl: ");
	vfprintf(stderr, fmt, ap);
}

static void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage_text(FILE *f)
{
	fprintf(f,
		"Usage: vcryptctl [-h | --help | --version] COMMAND [ARGUMENTS]\n"
		"\n"
		"Show and set the slices of vcrypt crypto cards.\n"
		"\n"
		"Commands:\n"
		"  status [-j] [-i SECONDS]  every card, slice and host slice, with each\n"
		"                            one's share of its card's time since the\n"
		"                            driver was loaded, or over SECONDS with -i\n"
		"                            (-j, --json: JSON; -i, --interval)\n"
		"  slices N [-c CARD]        set the number of slices of a card (0..%u);\n"
		"                            CARD: PCI address or card number, needed\n"
		"                            when there are several cards (-c, --card)\n"
		"  weight SLICE W            set the scheduling weight of a slice\n"
		"                            (%u..%u); SLICE: N, vcryptN or /dev/vcryptN;\n"
		"                            or host, hostC or vcrypt-hostC: the host\n"
		"                            slice (kernel crypto API) of card 0 or C\n"
		"\n"
		"Exit status: 0 done, 1 the operation failed, 2 usage error.\n"
		"See vcryptctl(8).\n",
		SLICES_MAX, WEIGHT_MIN, WEIGHT_MAX);
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vcryptctl --help'.\n");
	return EXIT_USAGE;
}

/*
 * Parse a decimal number: digits only, nothing before or after them.
 * Returns 0, -EINVAL if @s is not a number, -ERANGE if it is one (possibly
 * negative) outside @min..@max.
 */
static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	const char *p = s;
	unsigned long v = 0;
	bool big = false;

	if (*p == '-' && p[1] >= '0' && p[1] <= '9') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
		return *p ? -EINVAL : -ERANGE;
	}
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (ULONG_MAX - 9) / 10)
			big = true;
		else
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (big || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Parse a number argument; prints the reason and returns -1 if it is bad. */
static int number_arg(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	int ret = parse_uint(s, min, max, out);

	if (ret == -EINVAL)
		usage_error("'%s' is not a number", s);
	else if (ret == -ERANGE)
		usage_error("%s is out of range %lu..%lu", s, min, max);
	return ret ? -1 : 0;
}

/* SECONDS of -i: a decimal number, optionally with a fraction, > 0 */
static int parse_interval(const char *s, struct timespec *ts)
{
	unsigned long sec = 0, nsec = 0, scale = 100000000;
	const char *p = s;

	if (!*p || *p == '.')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		sec = sec * 10 + (unsigned long)(*p - '0');
		if (sec > INTERVAL_MAX)
			return -ERANGE;
	}
	if (*p == '.') {
		if (!p[1])
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			nsec += (unsigned long)(*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p)
		return -EINVAL;
	if ((!sec && !nsec) || (sec == INTERVAL_MAX && nsec))
		return -ERANGE;
	ts->tv_sec = (time_t)sec;
	ts->tv_nsec = (long)nsec;
	return 0;
}

/*
 * SLICE argument: N, vcryptN or /dev/vcryptN, a slice, into @node; or host,
 * hostC or vcrypt-hostC, the host slice of card C (0 for host), into @card.
 * The other one is set to -1.
 */
static int parse_slice(const char *s, long *node, long *card)
{
	const char *p = s;
	unsigned long v;

	*node = -1;
	*card = -1;
	if (!strcmp(p, "host")) {
		*card = 0;
		return 0;
	}
	if (!strncmp(p, "host", 4) || !strncmp(p, HOST_PREFIX, HOST_PREFIX_LEN)) {
		p += p[0] == 'h' ? 4 : HOST_PREFIX_LEN;
		if (*p < '0' || *p > '9' || parse_uint(p, 0, CARD_MAX, &v))
			return -EINVAL;
		*card = (long)v;
		return 0;
	}
	if (!strncmp(p, "/dev/", 5))
		p += 5;
	if (!strncmp(p, "vcrypt", 6))
		p += 6;
	else if (p != s)
		return -EINVAL;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	if (parse_uint(p, 0, NODE_MAX, &v))
		return -EINVAL;
	*node = (long)v;
	return 0;
}

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/*
 * CARD argument: a PCI address, DDDD:BB:DD.F or BB:DD.F (domain 0000),
 * into @pci in sysfs form (lower case, with domain); or a card number,
 * into @index.
 */
static int parse_card(const char *s, char *pci, long *index)
{
	size_t n = strlen(s), i;
	unsigned long v;
	char buf[16];

	*index = -1;
	pci[0] = '\0';
	if (!strchr(s, ':')) {
		if (parse_uint(s, 0, CARD_MAX, &v))
			return -EINVAL;
		*index = (long)v;
		return 0;
	}
	if (n == 7)
		snprintf(buf, sizeof(buf), "0000:%s", s);
	else if (n == 12)
		snprintf(buf, sizeof(buf), "%s", s);
	else
		return -EINVAL;
	if (!is_hex(buf, 4) || buf[4] != ':' || !is_hex(buf + 5, 2) ||
	    buf[7] != ':' || !is_hex(buf + 8, 2) || buf[10] != '.' ||
	    buf[11] < '0' || buf[11] > '7')
		return -EINVAL;
	/* device numbers go up to 1f */
	if (buf[8] > '1')
		return -EINVAL;
	for (i = 0; i < 12; i++)
		pci[i] = (buf[i] >= 'A' && buf[i] <= 'F') ? buf[i] - 'A' + 'a' :
			 buf[i];
	pci[12] = '\0';
	return 0;
}

/* Read a sysfs attribute into @buf, without the trailing newline. */
static int read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* Read a sysfs attribute holding one unsigned decimal number. */
static int read_u64(const char *path, __u64 *val)
{
	char buf[VALUE_LEN], *end;
	int ret;

	ret = read_attr(path, buf, sizeof(buf));
	if (ret)
		return ret;
	if (buf[0] < '0' || buf[0] > '9')
		return -EBADMSG;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || *end)
		return -EBADMSG;
	return 0;
}

static const char *error_text(int err)
{
	return err == -EBADMSG ? "not a number" : strerror(-err);
}

/* Write @value to a sysfs attribute; returns 0 or -errno. */
static int write_attr(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	if (close(fd))
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* What to add to strerror() of a failed write */
static const char *write_hint(int err)
{
	switch (err) {
	case -EACCES:
		return " (needs root)";
	case -EROFS:
		return " (sysfs is read-only here)";
	default:
		return "";
	}
}

static void free_cards(struct cards *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		free(cs->card[i].slices);
	free(cs->card);
	cs->card = NULL;
	cs->n = 0;
}

static struct card *find_card(struct cards *cs, const char *pci)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (!strcmp(cs->card[i].pci, pci))
			return &cs->card[i];
	return NULL;
}

static int cmp_card(const void *a, const void *b)
{
	const struct card *x = a, *y = b;

	if (x->index >= 0 && y->index >= 0 && x->index != y->index)
		return x->index < y->index ? -1 : 1;
	if (x->index < 0 && y->index >= 0)
		return 1;
	if (x->index >= 0 && y->index < 0)
		return -1;
	return strcmp(x->pci, y->pci);
}

static int cmp_slice(const void *a, const void *b)
{
	const struct slice *x = a, *y = b;

	return x->node < y->node ? -1 : x->node > y->node;
}

/*
 * Read the attributes @attrs of the device @name of the class vcrypt into
 * @s. On an error other than -ENOENT or -ENODEV (the device went away),
 * prints it. @path is a PATH_LEN buffer.
 */
static int read_attrs(const char *name, const int *attrs, size_t n,
		      struct slice *s, char *path)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		snprintf(path, PATH_LEN, "%s/class/vcrypt/%s/%s", sysfs, name,
			 attr_names[attrs[i]]);
		ret = read_u64(path, &s->val[attrs[i]]);
		if (ret == -ENOENT || ret == -ENODEV)
			return ret;
		if (ret) {
			msg("%s: %s", path, error_text(ret));
			return ret;
		}
	}
	return 0;
}

/*
 * The cards: every PCI device with a CARD_GROUP/slices attribute, and its
 * number from its host slice or its slices. With @with_slices, also read
 * every slice and host slice of the class vcrypt. A slice that disappears
 * while it is read is left out.
 */
static int scan(struct cards *cs, bool with_slices)
{
	char path[PATH_LEN], link[PATH_LEN];
	struct card *c, *grown;
	struct slice *s;
	struct dirent *de;
	unsigned long node;
	const char *num;
	bool host;
	size_t i;
	ssize_t n;
	DIR *d;
	int ret;

	cs->card = NULL;
	cs->n = 0;
	snprintf(path, sizeof(path), "%s/bus/pci/devices", sysfs);
	d = opendir(path);
	if (!d) {
		ret = -errno;
		msg("%s: %s", path, strerror(-ret));
		return ret;
	}
	while ((de = readdir(d))) {
		struct card card = { .index = -1 };

		if (de->d_name[0] == '.' || strlen(de->d_name) >= NAME_LEN)
			continue;
		snprintf(path, sizeof(path),
			 "%s/bus/pci/devices/%s/" CARD_GROUP "/slices", sysfs,
			 de->d_name);
		ret = read_u64(path, &card.nr_slices);
		if (ret == -ENOENT)
			continue;
		if (ret) {
			msg("%s: %s", path, error_text(ret));
			goto fail;
		}
		snprintf(card.pci, sizeof(card.pci), "%s", de->d_name);
		snprintf(path, sizeof(path),
			 "%s/bus/pci/devices/%s/" CARD_GROUP "/scheduler",
			 sysfs, de->d_name);
		ret = read_attr(path, card.scheduler, sizeof(card.scheduler));
		if (ret) {
			msg("%s: %s", path, strerror(-ret));
			goto fail;
		}
		grown = realloc(cs->card, (cs->n + 1) * sizeof(*cs->card));
		if (!grown) {
			ret = -ENOMEM;
			msg("%s", strerror(ENOMEM));
			goto fail;
		}
		cs->card = grown;
		cs->card[cs->n++] = card;
	}
	closedir(d);
	d = NULL;

	snprintf(path, sizeof(path), "%s/class/vcrypt", sysfs);
	d = opendir(path);
	if (!d) {
		/* no slice or host slice on any card */
		if (errno == ENOENT)
			goto sort;
		ret = -errno;
		msg("%s: %s", path, strerror(-ret));
		goto fail;
	}
	while ((de = readdir(d))) {
		/* vcrypt-host<c>, the host slice of card c, or vcrypt<N> */
		host = !strncmp(de->d_name, HOST_PREFIX, HOST_PREFIX_LEN);
		num = de->d_name + (host ? HOST_PREFIX_LEN : 6);
		if (strncmp(de->d_name, "vcrypt", 6) ||
		    *num < '0' || *num > '9' ||
		    parse_uint(num, 0, host ? CARD_MAX : NODE_MAX, &node))
			continue;
		snprintf(path, sizeof(path), "%s/class/vcrypt/%s/device", sysfs,
			 de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		c = find_card(cs, strrchr(link, '/') ? strrchr(link, '/') + 1 :
				  link);
		if (!c)
			continue;
		if (host)
			c->index = (long)node;
		else if (c->index < 0)
			c->index = (long)(node / NODES_PER_CARD);
		if (!with_slices)
			continue;
		if (host) {
			memset(&c->host, 0, sizeof(c->host));
			c->host.node = (unsigned int)node;
			ret = read_attrs(de->d_name, host_attrs,
					 ARRAY_SIZE(host_attrs), &c->host, path);
			if (ret == -ENOENT || ret == -ENODEV)
				continue;	/* card removed meanwhile */
			if (ret)
				goto fail;
			c->has_host = true;
			continue;
		}
		s = realloc(c->slices, (c->n + 1) * sizeof(*c->slices));
		if (!s) {
			ret = -ENOMEM;
			msg("%s", strerror(ENOMEM));
			goto fail;
		}
		c->slices = s;
		s = &c->slices[c->n];
		memset(s, 0, sizeof(*s));
		s->node = (unsigned int)node;
		ret = read_attrs(de->d_name, slice_attrs,
				 ARRAY_SIZE(slice_attrs), s, path);
		if (ret == -ENOENT || ret == -ENODEV)
			continue;	/* removed meanwhile */
		if (ret)
			goto fail;
		c->n++;
	}
	closedir(d);
sort:
	qsort(cs->card, cs->n, sizeof(*cs->card), cmp_card);
	for (i = 0; i < cs->n; i++)
		qsort(cs->card[i].slices, cs->card[i].n,
		      sizeof(*cs->card[i].slices), cmp_slice);
	return 0;
fail:
	if (d)
		closedir(d);
	free_cards(cs);
	return ret;
}

/* Card time of @s since it was created, or since @before if not NULL */
static void slice_time(struct slice *s, const struct slice *before)
{
	s->time = s->val[A_CARD_TIME_NS];
	/* a slice removed and added again starts at 0 */
	if (before && before->val[A_CARD_TIME_NS] <= s->time)
		s->time -= before->val[A_CARD_TIME_NS];
}

/*
 * Card time of each slice and host slice: since load, or the growth from
 * @before to @after; and each card's total.
 */
static void card_times(struct cards *after, const struct cards *before)
{
	const struct card *b;
	const struct slice *bs;
	struct card *c;
	struct slice *s;
	size_t i, j, k;

	for (i = 0; i < after->n; i++) {
		c = &after->card[i];
		c->time = 0;
		b = NULL;
		for (k = 0; before && k < before->n; k++)
			if (!strcmp(before->card[k].pci, c->pci))
				b = &before->card[k];
		for (j = 0; j < c->n; j++) {
			s = &c->slices[j];
			bs = NULL;
			for (k = 0; b && k < b->n; k++)
				if (b->slices[k].node == s->node)
					bs = &b->slices[k];
			slice_time(s, bs);
			c->time += s->time;
		}
		if (c->has_host) {
			slice_time(&c->host, b && b->has_host ? &b->host : NULL);
			c->time += c->host.time;
		}
	}
}

/* Percentage of @part in @total with two decimals, or -1 if @total is 0 */
static double share(__u64 part, __u64 total)
{
	return total ? 100.0 * (double)part / (double)total : -1.0;
}

static void human_bytes(__u64 v, char *buf, size_t len)
{
	static const char * const units[] = { "KiB", "MiB", "GiB", "TiB",
					      "PiB", "EiB" };
	double d = (double)v;
	int u = -1;

	if (v < 1024) {
		snprintf(buf, len, "%llu B", v);
		return;
	}
	while (d >= 1024.0 && u < 5) {
		d /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.1f %s", d, units[u]);
}

static void print_interval(FILE *f, const struct timespec *iv)
{
	if (iv->tv_nsec)
		fprintf(f, "%ld.%09ld", (long)iv->tv_sec, iv->tv_nsec);
	else
		fprintf(f, "%ld", (long)iv->tv_sec);
}

/*
 * One row of the table: a slice; or, with @host, the card's host slice,
 * which has no index and no open files, and a second line with what only
 * it has.
 */
static void print_row(const struct card *c, const struct slice *s, bool host)
{
	char bytes[32], slice[32], node[32], files[32];
	double sh;

	if (host) {
		snprintf(slice, sizeof(slice), "host");
		snprintf(node, sizeof(node), HOST_PREFIX "%u", s->node);
		snprintf(files, sizeof(files), "-");
	} else {
		snprintf(slice, sizeof(slice), "%llu", s->val[A_SLICE]);
		snprintf(node, sizeof(node), "/dev/vcrypt%u", s->node);
		snprintf(files, sizeof(files), "%llu", s->val[A_OPEN_FILES]);
	}
	human_bytes(s->val[A_COMPLETED_BYTES], bytes, sizeof(bytes));
	printf("%5s  %-16s %6llu %6s %7llu %9llu %12llu %11s %7llu ",
	       slice, node,
	       s->val[A_WEIGHT],
	       files,
	       s->val[A_QUEUED],
	       s->val[A_IN_FLIGHT],
	       s->val[A_COMPLETED_OPS],
	       bytes,
	       s->val[A_ERRORS]);
	sh = share(s->time, c->time);
	if (sh < 0)
		printf("%7s\n", "-");
	else
		printf("%6.1f%%\n", sh);
	if (host)
		printf("       crypto API: %llu transform%s, %llu backlogged, %llu fallback op%s\n",
		       s->val[A_TRANSFORMS],
		       s->val[A_TRANSFORMS] == 1 ? "" : "s",
		       s->val[A_BACKLOGGED],
		       s->val[A_FALLBACK_OPS],
		       s->val[A_FALLBACK_OPS] == 1 ? "" : "s");
}

static void print_table(const struct cards *cs, const struct timespec *iv)
{
	const struct card *c;
	size_t i, j;

	for (i = 0; i < cs->n; i++) {
		c = &cs->card[i];
		if (i)
			printf("\n");
		printf("card %s", c->pci);
		if (c->index >= 0)
			printf(" (card %ld)", c->index);
		printf(": scheduler %s, %llu slice%s, share of card time ",
		       c->scheduler, c->nr_slices,
		       c->nr_slices == 1 ? "" : "s");
		if (iv) {
			printf("over ");
			print_interval(stdout, iv);
			printf(" s\n");
		} else {
			printf("since load\n");
		}
		if (!c->n && !c->has_host) {
			printf("  no slices\n");
			continue;
		}
		printf("%5s  %-16s %6s %6s %7s %9s %12s %11s %7s %7s\n",
		       "SLICE", "NODE", "WEIGHT", "OPEN", "QUEUED", "IN-FLIGHT",
		       "OPS", "BYTES", "ERRORS", "SHARE");
		for (j = 0; j < c->n; j++)
			print_row(c, &c->slices[j], false);
		if (c->has_host)
			print_row(c, &c->host, true);
	}
}

/* A JSON string; the values printed here never need more than this. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* The attributes @attrs of @s and its share of @c, as JSON members */
static void json_members(const struct card *c, const struct slice *s,
			 const int *attrs, size_t n, const char *indent)
{
	size_t i;
	double sh;

	for (i = 0; i < n; i++)
		printf(",\n%s\"%s\": %llu", indent, attr_names[attrs[i]],
		       s->val[attrs[i]]);
	sh = share(s->time, c->time);
	if (sh < 0)
		printf(",\n%s\"share_pct\": null", indent);
	else
		printf(",\n%s\"share_pct\": %.2f", indent, sh);
}

static void print_json(const struct cards *cs, const struct timespec *iv)
{
	const struct card *c;
	const struct slice *s;
	size_t i, j;

	printf("{\n  \"interval_s\": ");
	if (iv)
		print_interval(stdout, iv);
	else
		printf("0");
	printf(",\n  \"cards\": [");
	for (i = 0; i < cs->n; i++) {
		c = &cs->card[i];
		printf("%s\n    {\n      \"pci\": ", i ? "," : "");
		json_string(c->pci);
		if (c->index >= 0)
			printf(",\n      \"index\": %ld", c->index);
		else
			printf(",\n      \"index\": null");
		printf(",\n      \"scheduler\": ");
		json_string(c->scheduler);
		printf(",\n      \"nr_slices\": %llu",
		       c->nr_slices);
		printf(",\n      \"card_time_ns\": %llu",
		       c->time);
		if (c->has_host) {
			printf(",\n      \"host\": {\n        \"name\": \"" HOST_PREFIX "%u\"",
			       c->host.node);
			json_members(c, &c->host, host_attrs,
				     ARRAY_SIZE(host_attrs), "        ");
			printf("\n      }");
		} else {
			printf(",\n      \"host\": null");
		}
		printf(",\n      \"slices\": [");
		for (j = 0; j < c->n; j++) {
			s = &c->slices[j];
			printf("%s\n        {\n          \"node\": \"/dev/vcrypt%u\"",
			       j ? "," : "", s->node);
			json_members(c, s, slice_attrs, ARRAY_SIZE(slice_attrs),
				     "          ");
			printf("\n        }");
		}
		printf("%s]\n    }", c->n ? "\n      " : "");
	}
	printf("%s]\n}\n", cs->n ? "\n  " : "");
}

static int cmd_status(int argc, char **argv)
{
	struct timespec iv, left;
	struct cards before = { 0 }, after = { 0 };
	bool json = false, interval = false;
	const char *arg;
	int i, ret;

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (!strcmp(arg, "-j") || !strcmp(arg, "--json")) {
			json = true;
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage_text(stdout);
			return 0;
		}
		if (!strcmp(arg, "-i") || !strcmp(arg, "--interval")) {
			if (++i == argc)
				return usage_error("%s needs SECONDS", arg);
			arg = argv[i];
		} else if (!strncmp(arg, "--interval=", 11)) {
			arg += 11;
		} else if (!strncmp(arg, "-i", 2)) {
			arg += 2;
		} else if (arg[0] == '-') {
			return usage_error("unknown option '%s'", arg);
		} else {
			return usage_error("unexpected argument '%s'", arg);
		}
		ret = parse_interval(arg, &iv);
		if (ret == -EINVAL)
			return usage_error("interval '%s' is not a number of seconds",
					   arg);
		if (ret)
			return usage_error("interval %s is out of range (0, %u] s",
					   arg, INTERVAL_MAX);
		interval = true;
	}

	if (interval) {
		if (scan(&before, true))
			return EXIT_FAIL;
		left = iv;
		while (nanosleep(&left, &left) && errno == EINTR)
			;
	}
	if (scan(&after, true)) {
		free_cards(&before);
		return EXIT_FAIL;
	}
	card_times(&after, interval ? &before : NULL);
	if (!after.n) {
		free_cards(&before);
		msg("no vcrypt card (is the vcrypt module loaded?)");
		return EXIT_FAIL;
	}
	if (json)
		print_json(&after, interval ? &iv : NULL);
	else
		print_table(&after, interval ? &iv : NULL);
	free_cards(&before);
	free_cards(&after);
	if (fflush(stdout) || ferror(stdout)) {
		msg("writing the output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

static int cmd_slices(int argc, char **argv)
{
	const char *count = NULL, *card_arg = NULL, *arg;
	char pci[NAME_LEN], path[PATH_LEN], value[16];
	struct cards cs;
	struct card *c = NULL;
	unsigned long n;
	long index = -1;
	size_t i;
	int k, ret;

	for (k = 0; k < argc; k++) {
		arg = argv[k];
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage_text(stdout);
			return 0;
		}
		if (!strcmp(arg, "-c") || !strcmp(arg, "--card")) {
			if (++k == argc)
				return usage_error("%s needs CARD", arg);
			card_arg = argv[k];
		} else if (!strncmp(arg, "--card=", 7)) {
			card_arg = arg + 7;
		} else if (!strncmp(arg, "-c", 2)) {
			card_arg = arg + 2;
		} else if (arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9')) {
			return usage_error("unknown option '%s'", arg);
		} else if (!count) {
			count = arg;
		} else {
			return usage_error("unexpected argument '%s'", arg);
		}
	}
	if (!count)
		return usage_error("missing N, the number of slices (0..%u)",
				   SLICES_MAX);
	if (number_arg(count, 0, SLICES_MAX, &n))
		return EXIT_USAGE;
	if (card_arg && parse_card(card_arg, pci, &index))
		return usage_error("'%s' is not a card: PCI address or number",
				   card_arg);

	if (scan(&cs, false))
		return EXIT_FAIL;
	if (!cs.n) {
		msg("no vcrypt card (is the vcrypt module loaded?)");
		return EXIT_FAIL;
	}
	if (!card_arg) {
		if (cs.n > 1) {
			msg("%zu vcrypt cards; choose one with -c CARD:", cs.n);
			for (i = 0; i < cs.n; i++)
				fprintf(stderr, "  %s\n", cs.card[i].pci);
			free_cards(&cs);
			return EXIT_FAIL;
		}
		c = &cs.card[0];
	} else if (pci[0]) {
		c = find_card(&cs, pci);
	} else {
		for (i = 0; i < cs.n; i++)
			if (cs.card[i].index == index)
				c = &cs.card[i];
	}
	if (!c) {
		for (i = 0; i < cs.n && cs.card[i].index >= 0; i++)
			;
		if (pci[0])
			msg("no vcrypt card %s", pci);
		else if (i < cs.n)
			msg("no vcrypt card %ld (name a card without slices by its PCI address)",
			    index);
		else
			msg("no vcrypt card %ld (see vcryptctl status)", index);
		free_cards(&cs);
		return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/" CARD_GROUP "/slices",
		 sysfs, c->pci);
	snprintf(value, sizeof(value), "%lu\n", n);
	ret = write_attr(path, value);
	if (ret)
		msg("setting %s to %lu slices: %s%s", c->pci, n,
		    strerror(-ret), write_hint(ret));
	free_cards(&cs);
	return ret ? EXIT_FAIL : 0;
}

static int cmd_weight(int argc, char **argv)
{
	const char *args[2] = { NULL, NULL }, *arg;
	char path[PATH_LEN], name[32], what[48], value[16];
	unsigned long w;
	long node, card;
	struct stat st;
	int i, n = 0, ret;

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage_text(stdout);
			return 0;
		}
		if (!strcmp(arg, "--")) {
			for (i++; i < argc; i++) {
				if (n == 2)
					return usage_error("unexpected argument '%s'",
							   argv[i]);
				args[n++] = argv[i];
			}
			break;
		}
		if (arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9'))
			return usage_error("unknown option '%s'", arg);
		if (n == 2)
			return usage_error("unexpected argument '%s'", arg);
		args[n++] = arg;
	}
	if (n < 2)
		return usage_error("needs SLICE and W");
	if (parse_slice(args[0], &node, &card))
		return usage_error("'%s' is not a slice: give %s", args[0],
				   "N, vcryptN, /dev/vcryptN, host, hostC or vcrypt-hostC");
	if (number_arg(args[1], WEIGHT_MIN, WEIGHT_MAX, &w))
		return EXIT_USAGE;

	if (card >= 0) {
		snprintf(name, sizeof(name), HOST_PREFIX "%ld", card);
		snprintf(what, sizeof(what), "host slice %s", name);
	} else {
		snprintf(name, sizeof(name), "vcrypt%ld", node);
		snprintf(what, sizeof(what), "slice %s", name);
	}
	snprintf(path, sizeof(path), "%s/class/vcrypt/%s", sysfs, name);
	if (stat(path, &st)) {
		ret = errno;
		if (ret == ENOENT && card >= 0)
			msg("no %s: no vcrypt card %ld (see vcryptctl status)",
			    what, card);
		else if (ret == ENOENT)
			msg("no %s (see vcryptctl status)", what);
		else
			msg("%s: %s", path, strerror(ret));
		return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/class/vcrypt/%s/weight", sysfs, name);
	snprintf(value, sizeof(value), "%lu\n", w);
	ret = write_attr(path, value);
	if (ret) {
		if (ret == -ENOENT || ret == -ENODEV)
			msg("no %s (removed)", what);
		else
			msg("setting the weight of %s to %lu: %s%s",
			    name, w, strerror(-ret), write_hint(ret));
		return EXIT_FAIL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("VCRYPTCTL_SYSFS");

	if (env && *env)
		sysfs = env;
	if (argc < 2)
		return usage_error("missing COMMAND");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage_text(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vcryptctl %s (vcrypt ABI %u.%u)\n", VCRYPTCTL_VERSION,
		       VCRYPT_ABI_VERSION >> 16, VCRYPT_ABI_VERSION & 0xffff);
		return 0;
	}
	if (argv[1][0] == '-')
		return usage_error("unknown option '%s'", argv[1]);
	cmd = argv[1];
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 2, argv + 2);
	if (!strcmp(cmd, "slices"))
		return cmd_slices(argc - 2, argv + 2);
	if (!strcmp(cmd, "weight"))
		return cmd_weight(argc - 2, argv + 2);
	cmd = "vcryptctl";
	return usage_error("unknown command '%s'", argv[1]);
}
