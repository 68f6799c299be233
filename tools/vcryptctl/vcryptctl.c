// SPDX-License-Identifier: GPL-2.0
/*
 * vcryptctl: show and set the slices of vcrypt crypto cards.
 *
 * Everything goes through the driver's sysfs attributes, documented in
 * Documentation/ABI/testing/sysfs-bus-pci-drivers-vcrypt and
 * Documentation/ABI/testing/sysfs-class-vcrypt; see vcryptctl(8).
 *
 *   vcryptctl [-j] [-p] [-V] [-h] COMMAND ...
 *   vcryptctl status [-j] [-i SECONDS]
 *   vcryptctl slices N [-c CARD]
 *   vcryptctl weight SLICE W
 *   vcryptctl limit SLICE files N | bytes SIZE
 *   vcryptctl owner SLICE OWNER[:GROUP] [-m MODE]
 *   vcryptctl metrics [-i SECONDS] [-o FILE]
 *   vcryptctl cdi [-o FILE]
 *   vcryptctl udev NAME
 *
 * Besides its slices /dev/vcrypt<N>, each card has a host slice: the share
 * of the card used by the kernel crypto API, the device vcrypt-host<c> of
 * the class vcrypt, without a character device. SLICE names it as host
 * (card 0), host<c> or vcrypt-host<c>.
 *
 * The traffic counters of the slices are readable by root only; for other
 * users status shows them as "-" (null in JSON).
 *
 * Exit status: 0 done, 1 the operation failed, 2 usage error. Arguments are
 * checked completely before anything in sysfs is read or written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/vcrypt.h>

#define VCRYPTCTL_VERSION	"1.1"

#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define WEIGHT_MIN	1
#define WEIGHT_MAX	10000
#define SLICES_MAX	256
#define MAX_FILES_MAX	4096
#define MAX_BYTES_MAX	4294967295ul
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
	A_MAX_FILES,
	A_MAX_BYTES,
	A_OPEN_FILES,
	A_OUTSTANDING_BYTES,
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
	[A_MAX_FILES] = "max_files",
	[A_MAX_BYTES] = "max_bytes",
	[A_OPEN_FILES] = "open_files",
	[A_OUTSTANDING_BYTES] = "outstanding_bytes",
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
	A_WEIGHT, A_SLICE, A_MAX_FILES, A_MAX_BYTES, A_OPEN_FILES,
	A_OUTSTANDING_BYTES, A_QUEUED, A_IN_FLIGHT, A_COMPLETED_OPS,
	A_COMPLETED_BYTES, A_ERRORS, A_CARD_TIME_NS,
};

/* Those of a host slice, in the order of its JSON keys */
static const int host_attrs[] = {
	A_WEIGHT, A_QUEUED, A_IN_FLIGHT, A_COMPLETED_OPS, A_COMPLETED_BYTES,
	A_ERRORS, A_CARD_TIME_NS, A_TRANSFORMS, A_BACKLOGGED, A_FALLBACK_OPS,
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A slice, or a card's host slice (the attributes it lacks stay 0 and
 * unknown)
 */
struct slice {
	unsigned int node;
	__u64 val[A_COUNT];
	/* bit a: val[a] was read; a counter is not unless root reads it */
	unsigned int known;
	/* card time over the interval (or since load), if known */
	__u64 time;
	bool time_known;
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
	/* card time of the slices and the host slice, if all known */
	__u64 time;
	bool time_known;
};

struct cards {
	struct card *card;
	size_t n;
};

static const char *cmd = "vcryptctl";
static const char *sysfs = "/sys";
static const char *devdir = "/dev";

/* The global options, before the command */
static struct {
	bool json;
	bool pretty;
} opt;

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
		"Usage: vcryptctl [OPTIONS] COMMAND [ARGUMENTS]\n"
		"\n"
		"Show and set the slices of vcrypt crypto cards.\n"
		"\n"
		"Options:\n"
		"  -j, --json                JSON output (status)\n"
		"  -p, --pretty              indented JSON\n"
		"  -V, --version             print the version\n"
		"  -h, --help                print this help\n"
		"\n"
		"Commands:\n"
		"  status [-j] [-i SECONDS]  every card, slice and host slice, with each\n"
		"                            one's share of its card's time since the\n"
		"                            driver was loaded, or over SECONDS with -i\n"
		"                            (-j, --json: pretty JSON; -i, --interval)\n"
		"  slices N [-c CARD]        set the number of slices of a card (0..%u);\n"
		"                            CARD: PCI address or card number, needed\n"
		"                            when there are several cards (-c, --card)\n"
		"  weight SLICE W            set the scheduling weight of a slice\n"
		"                            (%u..%u); SLICE: N, vcryptN or /dev/vcryptN;\n"
		"                            or host, hostC or vcrypt-hostC: the host\n"
		"                            slice (kernel crypto API) of card 0 or C\n"
		"  limit SLICE files N       set the open files a slice takes (1..%u)\n"
		"  limit SLICE bytes SIZE    set the buffer bytes a slice's requests may\n"
		"                            have outstanding (1..%lu; SIZE may end\n"
		"                            in K, M or G, KiB, MiB or GiB)\n"
		"  owner SLICE OWNER[:GROUP] [-m MODE]\n"
		"                            give the node of a slice to a user and/or\n"
		"                            group (:GROUP), with MODE (e.g. 0660)\n"
		"  metrics [-i SECONDS] [-o FILE]\n"
		"                            the counters in the Prometheus text format,\n"
		"                            with utilization over SECONDS; FILE: write\n"
		"                            it there atomically (textfile collector)\n"
		"  cdi [-o FILE]             a Container Device Interface spec of the\n"
		"                            slices: devices vcrypt.io/slice=N\n"
		"  udev NAME                 for the udev rules: the card, index and\n"
		"                            owner (from /etc/vcrypt/owners) of vcryptN\n"
		"\n"
		"Exit status: 0 done, 1 the operation failed, 2 usage error.\n"
		"See vcryptctl(8).\n",
		SLICES_MAX, WEIGHT_MIN, WEIGHT_MAX, MAX_FILES_MAX,
		MAX_BYTES_MAX);
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

/*
 * SIZE: a decimal number of bytes, optionally followed by K, M or G (or
 * KiB, MiB, GiB: powers of 1024). Returns 0, -EINVAL if @s is not a size,
 * -ERANGE if it is outside @min..@max.
 */
static int parse_size(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	static const char units[] = "KMG";
	char num[32];
	const char *u;
	unsigned long v;
	size_t n;
	int ret, shift = 0;

	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++)
		;
	if (!n || n >= sizeof(num))
		return n ? -ERANGE : -EINVAL;
	memcpy(num, s, n);
	num[n] = '\0';
	if (s[n]) {
		u = strchr(units, s[n]);
		if (!u || (s[n + 1] && strcmp(s + n + 1, "iB")))
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
	}
	ret = parse_uint(num, 0, ULONG_MAX >> 30, &v);
	if (ret)
		return ret;
	v <<= shift;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
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

/* Whether a driver without the slice limits lacks attribute @attr */
static bool optional(int attr)
{
	return attr == A_MAX_FILES || attr == A_MAX_BYTES ||
	       attr == A_OUTSTANDING_BYTES;
}

/*
 * Read the attributes @attrs of the device @name of the class vcrypt into
 * @s. One that only root may read (-EACCES), or one a driver without the
 * slice limits lacks, stays unknown. On an error other than -ENOENT or
 * -ENODEV (the device went away), prints it. @path is a PATH_LEN buffer.
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
		if (!ret) {
			s->known |= 1u << attrs[i];
			continue;
		}
		s->val[attrs[i]] = 0;
		if (ret == -EACCES || (ret == -ENOENT && optional(attrs[i])))
			continue;
		if (ret != -ENOENT && ret != -ENODEV)
			msg("%s: %s", path, error_text(ret));
		return ret;
	}
	return 0;
}

static bool known(const struct slice *s, int attr)
{
	return s->known & 1u << attr;
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
	s->time_known = known(s, A_CARD_TIME_NS) &&
			(!before || known(before, A_CARD_TIME_NS));
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
		c->time_known = true;
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
			c->time_known &= s->time_known;
		}
		if (c->has_host) {
			slice_time(&c->host, b && b->has_host ? &b->host : NULL);
			c->time += c->host.time;
			c->time_known &= c->host.time_known;
		}
	}
}

/*
 * Percentage of the card time of @s in that of @c, or -1 if unknown or if
 * the card has none
 */
static double share(const struct card *c, const struct slice *s)
{
	if (!c->time_known || !s->time_known || !c->time)
		return -1.0;
	return 100.0 * (double)s->time / (double)c->time;
}

/* A size in at most 5 characters: 512, 64K, 1.5M, 4.0G */
static void short_bytes(__u64 v, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double d = (double)v;
	int u = -1;

	if (v < 1024) {
		snprintf(buf, len, "%llu", v);
		return;
	}
	while (d >= 1024.0 && u < 5) {
		d /= 1024.0;
		u++;
	}
	if (d >= 10.0 || d == (double)(__u64)d)
		snprintf(buf, len, "%.0f%c", d, units[u]);
	else
		snprintf(buf, len, "%.1f%c", d, units[u]);
}

/* @attr of @s as a number, or "-" if unknown */
static void num(const struct slice *s, int attr, char *buf, size_t len)
{
	if (known(s, attr))
		snprintf(buf, len, "%llu", s->val[attr]);
	else
		snprintf(buf, len, "-");
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
 * which has no index, no files and no limits, and a second line with what
 * only it has. Counters the caller may not read are "-".
 */
static void print_row(const struct card *c, const struct slice *s, bool host)
{
	char bytes[32], slice[32], node[32], files[48], buffers[48];
	char a[24], b[24], queued[24], in_flight[24], ops[24], errors[24];
	double sh;

	if (host) {
		snprintf(slice, sizeof(slice), "host");
		snprintf(node, sizeof(node), HOST_PREFIX "%u", s->node);
		snprintf(files, sizeof(files), "-");
		snprintf(buffers, sizeof(buffers), "-");
	} else {
		snprintf(slice, sizeof(slice), "%llu", s->val[A_SLICE]);
		snprintf(node, sizeof(node), "/dev/vcrypt%u", s->node);
		num(s, A_OPEN_FILES, a, sizeof(a));
		num(s, A_MAX_FILES, b, sizeof(b));
		snprintf(files, sizeof(files), "%s/%s", a, b);
		if (known(s, A_OUTSTANDING_BYTES))
			short_bytes(s->val[A_OUTSTANDING_BYTES], a, sizeof(a));
		if (known(s, A_MAX_BYTES))
			short_bytes(s->val[A_MAX_BYTES], b, sizeof(b));
		snprintf(buffers, sizeof(buffers), "%s/%s",
			 known(s, A_OUTSTANDING_BYTES) ? a : "-",
			 known(s, A_MAX_BYTES) ? b : "-");
	}
	if (known(s, A_COMPLETED_BYTES))
		human_bytes(s->val[A_COMPLETED_BYTES], bytes, sizeof(bytes));
	else
		snprintf(bytes, sizeof(bytes), "-");
	num(s, A_QUEUED, queued, sizeof(queued));
	num(s, A_IN_FLIGHT, in_flight, sizeof(in_flight));
	num(s, A_COMPLETED_OPS, ops, sizeof(ops));
	num(s, A_ERRORS, errors, sizeof(errors));
	printf("%5s  %-16s %6llu %8s %10s %7s %9s %12s %11s %7s ",
	       slice, node, s->val[A_WEIGHT], files, buffers, queued,
	       in_flight, ops, bytes, errors);
	sh = share(c, s);
	if (sh < 0)
		printf("%7s\n", "-");
	else
		printf("%6.1f%%\n", sh);
	if (!host)
		return;
	num(s, A_BACKLOGGED, a, sizeof(a));
	num(s, A_FALLBACK_OPS, b, sizeof(b));
	num(s, A_TRANSFORMS, ops, sizeof(ops));
	printf("       crypto API: %s transform%s, %s backlogged, %s fallback op%s\n",
	       ops, known(s, A_TRANSFORMS) && s->val[A_TRANSFORMS] == 1 ?
	       "" : "s", a, b,
	       known(s, A_FALLBACK_OPS) && s->val[A_FALLBACK_OPS] == 1 ?
	       "" : "s");
}

/* Whether some counter of the cards could not be read */
static bool any_unknown(const struct cards *cs)
{
	const struct card *c;
	size_t i, j, k;

	for (i = 0; i < cs->n; i++) {
		c = &cs->card[i];
		for (j = 0; j < c->n; j++)
			for (k = 0; k < ARRAY_SIZE(slice_attrs); k++)
				if (!known(&c->slices[j], slice_attrs[k]) &&
				    !optional(slice_attrs[k]))
					return true;
		for (k = 0; c->has_host && k < ARRAY_SIZE(host_attrs); k++)
			if (!known(&c->host, host_attrs[k]))
				return true;
	}
	return false;
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
		printf("%5s  %-16s %6s %8s %10s %7s %9s %12s %11s %7s %7s\n",
		       "SLICE", "NODE", "WEIGHT", "FILES", "BUFFERS", "QUEUED",
		       "IN-FLIGHT", "OPS", "BYTES", "ERRORS", "SHARE");
		for (j = 0; j < c->n; j++)
			print_row(c, &c->slices[j], false);
		if (c->has_host)
			print_row(c, &c->host, true);
	}
	if (any_unknown(cs))
		printf("\n- : only root may read the slices' counters\n");
}

/*
 * JSON output: compact, or pretty (indented by two spaces a level, as
 * "status -j" always printed it). @first: nothing written yet at this
 * level.
 */
struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool first;
};

/* What comes before a value or key: a comma, and in pretty mode a newline */
static void json_sep(struct json *j)
{
	if (j->depth && !j->first)
		fputc(',', j->f);
	if (j->depth && j->pretty)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	j->first = false;
}

/* A JSON string; the values printed here never need more than this. */
static void json_quote(struct json *j, const char *s)
{
	fputc('"', j->f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(j->f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(j->f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, j->f);
	}
	fputc('"', j->f);
}

/* The key of the next member, or nothing for an array element */
static void json_key(struct json *j, const char *key)
{
	json_sep(j);
	if (key) {
		json_quote(j, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void json_open(struct json *j, const char *key, char bracket)
{
	json_key(j, key);
	fputc(bracket, j->f);
	j->depth++;
	j->first = true;
}

static void json_close(struct json *j, char bracket)
{
	j->depth--;
	if (!j->first && j->pretty)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(bracket, j->f);
	j->first = false;
	if (!j->depth)
		fputc('\n', j->f);
}

static void json_u64(struct json *j, const char *key, __u64 v)
{
	json_key(j, key);
	fprintf(j->f, "%llu", v);
}

static void json_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_quote(j, v);
}

static void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

/*
 * The attributes @attrs of @s and its share of @c, as JSON members; null
 * for what could not be read
 */
static void json_members(struct json *j, const struct card *c,
			 const struct slice *s, const int *attrs, size_t n)
{
	size_t i;
	double sh;

	for (i = 0; i < n; i++) {
		if (known(s, attrs[i]))
			json_u64(j, attr_names[attrs[i]], s->val[attrs[i]]);
		else
			json_null(j, attr_names[attrs[i]]);
	}
	sh = share(c, s);
	if (sh < 0) {
		json_null(j, "share_pct");
	} else {
		json_key(j, "share_pct");
		fprintf(j->f, "%.2f", sh);
	}
}

static void print_json(const struct cards *cs, const struct timespec *iv,
		       bool pretty)
{
	struct json j = { .f = stdout, .pretty = pretty };
	char name[32], node[32];
	const struct card *c;
	const struct slice *s;
	size_t i, k;

	json_open(&j, NULL, '{');
	json_key(&j, "interval_s");
	if (iv)
		print_interval(stdout, iv);
	else
		fputc('0', stdout);
	json_open(&j, "cards", '[');
	for (i = 0; i < cs->n; i++) {
		c = &cs->card[i];
		json_open(&j, NULL, '{');
		json_str(&j, "pci", c->pci);
		if (c->index >= 0) {
			json_key(&j, "index");
			printf("%ld", c->index);
		} else {
			json_null(&j, "index");
		}
		json_str(&j, "scheduler", c->scheduler);
		json_u64(&j, "nr_slices", c->nr_slices);
		if (c->time_known)
			json_u64(&j, "card_time_ns", c->time);
		else
			json_null(&j, "card_time_ns");
		if (c->has_host) {
			json_open(&j, "host", '{');
			snprintf(name, sizeof(name), HOST_PREFIX "%u",
				 c->host.node);
			json_str(&j, "name", name);
			json_members(&j, c, &c->host, host_attrs,
				     ARRAY_SIZE(host_attrs));
			json_close(&j, '}');
		} else {
			json_null(&j, "host");
		}
		json_open(&j, "slices", '[');
		for (k = 0; k < c->n; k++) {
			s = &c->slices[k];
			json_open(&j, NULL, '{');
			snprintf(node, sizeof(node), "/dev/vcrypt%u", s->node);
			json_str(&j, "node", node);
			json_members(&j, c, s, slice_attrs,
				     ARRAY_SIZE(slice_attrs));
			json_close(&j, '}');
		}
		json_close(&j, ']');
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_close(&j, '}');
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

/*
 * limit SLICE files N | limit SLICE bytes SIZE: write max_files or
 * max_bytes of a slice. The host slice has no files and no such limits.
 */
static int cmd_limit(int argc, char **argv)
{
	const char *args[3] = { NULL, NULL, NULL }, *arg, *attr;
	char path[PATH_LEN], name[32], value[32];
	unsigned long v;
	long node, card;
	struct stat st;
	int i, n = 0, ret;

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage_text(stdout);
			return 0;
		}
		if (arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9'))
			return usage_error("unknown option '%s'", arg);
		if (n == 3)
			return usage_error("unexpected argument '%s'", arg);
		args[n++] = arg;
	}
	if (n < 3)
		return usage_error("needs SLICE, files or bytes, and a value");
	if (parse_slice(args[0], &node, &card))
		return usage_error("'%s' is not a slice: give %s", args[0],
				   "N, vcryptN or /dev/vcryptN");
	if (card >= 0)
		return usage_error("the host slice has no files and no limits");
	if (!strcmp(args[1], "files")) {
		attr = attr_names[A_MAX_FILES];
		if (number_arg(args[2], 1, MAX_FILES_MAX, &v))
			return EXIT_USAGE;
	} else if (!strcmp(args[1], "bytes")) {
		attr = attr_names[A_MAX_BYTES];
		ret = parse_size(args[2], 1, MAX_BYTES_MAX, &v);
		if (ret == -EINVAL)
			return usage_error("'%s' is not a size: bytes, or a number and K, M or G",
					   args[2]);
		if (ret)
			return usage_error("%s is out of range 1..%lu bytes",
					   args[2], MAX_BYTES_MAX);
	} else {
		return usage_error("'%s' is not a limit: give files or bytes",
				   args[1]);
	}

	snprintf(name, sizeof(name), "vcrypt%ld", node);
	snprintf(path, sizeof(path), "%s/class/vcrypt/%s", sysfs, name);
	if (stat(path, &st)) {
		ret = errno;
		if (ret == ENOENT)
			msg("no slice %s (see vcryptctl status)", name);
		else
			msg("%s: %s", path, strerror(ret));
		return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/class/vcrypt/%s/%s", sysfs, name,
		 attr);
	snprintf(value, sizeof(value), "%lu\n", v);
	ret = write_attr(path, value);
	if (ret) {
		if (ret == -ENOENT || ret == -ENODEV)
			msg("no slice %s (removed)", name);
		else
			msg("setting %s of %s to %lu: %s%s", attr, name, v,
			    strerror(-ret), write_hint(ret));
		return EXIT_FAIL;
	}
	return 0;
}

/*
 * Output to FILE (-o): written to FILE.tmp.PID beside it, then renamed over
 * it, so that readers (node_exporter, container runtimes) never see half a
 * file.
 */
struct output {
	FILE *f;
	const char *path;
	char tmp[PATH_LEN];
};

static int output_open(struct output *o, const char *path)
{
	int fd;

	o->path = path;
	o->f = stdout;
	if (!path)
		return 0;
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	o->f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!o->f) {
		msg("%s: %s", o->tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

/* Finishes the output; 0, or -1 (with a message) if it failed */
static int output_close(struct output *o)
{
	int err = fflush(o->f) || ferror(o->f) ? errno : 0;

	if (!o->path) {
		if (err)
			msg("writing the output: %s", strerror(err));
		return err ? -1 : 0;
	}
	if (!err && fsync(fileno(o->f)))
		err = errno;
	if (fclose(o->f) && !err)
		err = errno;
	if (!err && rename(o->tmp, o->path))
		err = errno;
	if (err) {
		unlink(o->tmp);
		msg("%s: %s", o->path, strerror(err));
		return -1;
	}
	return 0;
}

/* Options of the commands that write a file: -o FILE; -1 on a usage error */
static int file_option(int argc, char **argv, int *i, const char **file)
{
	const char *arg = argv[*i];

	if (!strcmp(arg, "-o") || !strcmp(arg, "--output")) {
		if (++*i == argc) {
			usage_error("%s needs FILE", arg);
			return -1;
		}
		*file = argv[*i];
	} else if (!strncmp(arg, "--output=", 9)) {
		*file = arg + 9;
	} else if (!strncmp(arg, "-o", 2)) {
		*file = arg + 2;
	} else {
		return 0;
	}
	if (!**file) {
		usage_error("empty FILE");
		return -1;
	}
	return 1;
}

/* A Prometheus label value, escaped */
static void prom_label(FILE *f, const char *name, const char *v)
{
	fprintf(f, "%s=\"", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

/* The labels of a card, or of one of its slices (@s) or host slice */
static void prom_labels(FILE *f, const struct card *c, const struct slice *s)
{
	char buf[32];

	fputc('{', f);
	prom_label(f, "card", c->pci);
	if (s) {
		fputc(',', f);
		if (s == &c->host) {
			prom_label(f, "slice", "host");
			fputc(',', f);
			snprintf(buf, sizeof(buf), HOST_PREFIX "%u", s->node);
			prom_label(f, "node", buf);
		} else {
			snprintf(buf, sizeof(buf), "%llu", s->val[A_SLICE]);
			prom_label(f, "slice", buf);
			fputc(',', f);
			snprintf(buf, sizeof(buf), "/dev/vcrypt%u", s->node);
			prom_label(f, "node", buf);
		}
	}
	fputc('}', f);
}

/* The card-wide counters of the driver, exported when a card has them */
static const struct {
	const char *attr;
	const char *name;
	const char *help;
} card_counters[] = {
	{ "recoveries", "vcrypt_card_recoveries_total",
	  "Times the driver reset the card after a fault and resumed." },
};

/* A metric of the slices: an attribute, or (attr < 0) the share of time */
struct prom_metric {
	const char *name;
	const char *type;
	const char *help;
	int attr;
	bool host_only;
};

static const struct prom_metric slice_metrics[] = {
	{ "vcrypt_slice_weight", "gauge",
	  "Scheduling weight of the slice.", A_WEIGHT, false },
	{ "vcrypt_slice_max_files", "gauge",
	  "Files the slice may have open.", A_MAX_FILES, false },
	{ "vcrypt_slice_max_bytes", "gauge",
	  "Buffer bytes the slice's requests may have outstanding.",
	  A_MAX_BYTES, false },
	{ "vcrypt_slice_open_files", "gauge",
	  "Files open on the slice.", A_OPEN_FILES, false },
	{ "vcrypt_slice_outstanding_bytes", "gauge",
	  "Buffer bytes of the slice's outstanding requests.",
	  A_OUTSTANDING_BYTES, false },
	{ "vcrypt_slice_queued_requests", "gauge",
	  "Requests waiting in the driver.", A_QUEUED, false },
	{ "vcrypt_slice_in_flight_requests", "gauge",
	  "Requests on the card.", A_IN_FLIGHT, false },
	{ "vcrypt_slice_operations_total", "counter",
	  "Requests completed, successfully or not.", A_COMPLETED_OPS, false },
	{ "vcrypt_slice_bytes_total", "counter",
	  "Source bytes of the completed requests.", A_COMPLETED_BYTES, false },
	{ "vcrypt_slice_errors_total", "counter",
	  "Requests completed with an error.", A_ERRORS, false },
	{ "vcrypt_slice_card_time_seconds_total", "counter",
	  "Card time of the slice's requests by the card's rate model.",
	  A_CARD_TIME_NS, false },
	{ "vcrypt_host_transforms", "gauge",
	  "Crypto API transforms bound to the host slice.", A_TRANSFORMS,
	  true },
	{ "vcrypt_host_backlogged_total", "counter",
	  "Crypto API requests that waited in the card's backlog.",
	  A_BACKLOGGED, true },
	{ "vcrypt_host_fallback_operations_total", "counter",
	  "Crypto API requests that ran in software.", A_FALLBACK_OPS, true },
};

/* The same sums per card */
static const struct prom_metric card_metrics[] = {
	{ "vcrypt_card_queued_requests", "gauge",
	  "Requests waiting in the driver, all slices.", A_QUEUED, false },
	{ "vcrypt_card_in_flight_requests", "gauge",
	  "Requests on the card, all slices.", A_IN_FLIGHT, false },
	{ "vcrypt_card_operations_total", "counter",
	  "Requests completed, all slices.", A_COMPLETED_OPS, false },
	{ "vcrypt_card_bytes_total", "counter",
	  "Source bytes of the completed requests, all slices.",
	  A_COMPLETED_BYTES, false },
	{ "vcrypt_card_errors_total", "counter",
	  "Requests completed with an error, all slices.", A_ERRORS, false },
	{ "vcrypt_card_card_time_seconds_total", "counter",
	  "Card time of all requests by the card's rate model: its rate is the card's utilization.",
	  A_CARD_TIME_NS, false },
};

static void prom_family(FILE *f, const char *name, const char *type,
			const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_value(FILE *f, const struct prom_metric *m, __u64 v)
{
	if (m->attr == A_CARD_TIME_NS)
		fprintf(f, " %llu.%09llu\n", v / 1000000000ull,
			v % 1000000000ull);
	else
		fprintf(f, " %llu\n", v);
}

/*
 * The sum of @attr over the slices and the host slice of @c into @v; false
 * if one of them could not be read
 */
static bool card_sum(const struct card *c, int attr, __u64 *v)
{
	size_t k;

	*v = 0;
	if (c->has_host) {
		if (!known(&c->host, attr))
			return false;
		*v = c->host.val[attr];
	}
	for (k = 0; k < c->n; k++) {
		if (!known(&c->slices[k], attr))
			return false;
		*v += c->slices[k].val[attr];
	}
	return true;
}

/* One sample of metric @m of slice @s of @c, if it could be read */
static void prom_slice(FILE *f, const struct prom_metric *m,
		       const struct card *c, const struct slice *s)
{
	if (!known(s, m->attr))
		return;
	fprintf(f, "%s", m->name);
	prom_labels(f, c, s);
	prom_value(f, m, s->val[m->attr]);
}

/* The utilization of @s over @ns nanoseconds, if its card time is known */
static void prom_utilization(FILE *f, const struct card *c,
			     const struct slice *s, double ns)
{
	if (!s->time_known)
		return;
	fprintf(f, "vcrypt_slice_utilization_ratio");
	prom_labels(f, c, s);
	fprintf(f, " %.6f\n", (double)s->time / ns);
}

static void print_metrics(FILE *f, const struct cards *cs,
			  const struct timespec *iv)
{
	double ns = iv ? (double)iv->tv_sec * 1e9 + (double)iv->tv_nsec : 0;
	const struct prom_metric *m;
	const struct card *c;
	char path[PATH_LEN];
	__u64 v;
	size_t i, k, a;
	bool any;

	prom_family(f, "vcrypt_card_info", "gauge",
		    "A vcrypt card: its number and scheduler.");
	for (i = 0; i < cs->n; i++) {
		c = &cs->card[i];
		fprintf(f, "vcrypt_card_info{");
		prom_label(f, "card", c->pci);
		fprintf(f, ",index=\"%ld\",", c->index);
		prom_label(f, "scheduler", c->scheduler);
		fprintf(f, "} 1\n");
	}
	prom_family(f, "vcrypt_card_slices", "gauge",
		    "Slices of the card (the host slice not counted).");
	for (i = 0; i < cs->n; i++) {
		fprintf(f, "vcrypt_card_slices");
		prom_labels(f, &cs->card[i], NULL);
		fprintf(f, " %llu\n", cs->card[i].nr_slices);
	}
	for (a = 0; a < ARRAY_SIZE(card_metrics); a++) {
		m = &card_metrics[a];
		prom_family(f, m->name, m->type, m->help);
		for (i = 0; i < cs->n; i++) {
			if (!card_sum(&cs->card[i], m->attr, &v))
				continue;
			fprintf(f, "%s", m->name);
			prom_labels(f, &cs->card[i], NULL);
			prom_value(f, m, v);
		}
	}
	for (a = 0; a < ARRAY_SIZE(card_counters); a++) {
		any = false;
		for (i = 0; i < cs->n; i++) {
			snprintf(path, sizeof(path),
				 "%s/bus/pci/devices/%s/" CARD_GROUP "/%s",
				 sysfs, cs->card[i].pci, card_counters[a].attr);
			if (read_u64(path, &v))
				continue;
			if (!any)
				prom_family(f, card_counters[a].name, "counter",
					    card_counters[a].help);
			any = true;
			fprintf(f, "%s", card_counters[a].name);
			prom_labels(f, &cs->card[i], NULL);
			fprintf(f, " %llu\n", v);
		}
	}
	if (iv) {
		prom_family(f, "vcrypt_card_utilization_ratio", "gauge",
			    "Card time used over the sampling interval, by the card's rate model.");
		for (i = 0; i < cs->n; i++) {
			if (!cs->card[i].time_known)
				continue;
			fprintf(f, "vcrypt_card_utilization_ratio");
			prom_labels(f, &cs->card[i], NULL);
			fprintf(f, " %.6f\n", (double)cs->card[i].time / ns);
		}
	}
	for (a = 0; a < ARRAY_SIZE(slice_metrics); a++) {
		m = &slice_metrics[a];
		prom_family(f, m->name, m->type, m->help);
		for (i = 0; i < cs->n; i++) {
			c = &cs->card[i];
			for (k = 0; k < c->n && !m->host_only; k++)
				prom_slice(f, m, c, &c->slices[k]);
			/* what the host slice lacks is never known */
			if (c->has_host)
				prom_slice(f, m, c, &c->host);
		}
	}
	if (!iv)
		return;
	prom_family(f, "vcrypt_slice_utilization_ratio", "gauge",
		    "The slice's card time over the sampling interval.");
	for (i = 0; i < cs->n; i++) {
		c = &cs->card[i];
		for (k = 0; k < c->n; k++)
			prom_utilization(f, c, &c->slices[k], ns);
		if (c->has_host)
			prom_utilization(f, c, &c->host, ns);
	}
}

/* Parses -i SECONDS of status and metrics; 1 if @arg was it, -1 if bad */
static int interval_option(int argc, char **argv, int *i,
			   struct timespec *iv)
{
	const char *arg = argv[*i];
	int ret;

	if (!strcmp(arg, "-i") || !strcmp(arg, "--interval")) {
		if (++*i == argc) {
			usage_error("%s needs SECONDS", arg);
			return -1;
		}
		arg = argv[*i];
	} else if (!strncmp(arg, "--interval=", 11)) {
		arg += 11;
	} else if (!strncmp(arg, "-i", 2)) {
		arg += 2;
	} else {
		return 0;
	}
	ret = parse_interval(arg, iv);
	if (ret == -EINVAL) {
		usage_error("interval '%s' is not a number of seconds", arg);
		return -1;
	}
	if (ret) {
		usage_error("interval %s is out of range (0, %u] s", arg,
			    INTERVAL_MAX);
		return -1;
	}
	return 1;
}

/* Samples the cards, over @iv if not NULL; 0, or EXIT_FAIL with a message */
static int sample(struct cards *after, const struct timespec *iv)
{
	struct cards before = { 0 };
	struct timespec left;

	if (iv) {
		if (scan(&before, true))
			return EXIT_FAIL;
		left = *iv;
		while (nanosleep(&left, &left) && errno == EINTR)
			;
	}
	if (scan(after, true)) {
		free_cards(&before);
		return EXIT_FAIL;
	}
	card_times(after, iv ? &before : NULL);
	free_cards(&before);
	if (!after->n) {
		msg("no vcrypt card (is the vcrypt module loaded?)");
		return EXIT_FAIL;
	}
	return 0;
}

static int cmd_metrics(int argc, char **argv)
{
	struct timespec iv;
	struct cards cs = { 0 };
	const char *file = NULL;
	bool interval = false;
	struct output o;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage_text(stdout);
			return 0;
		}
		ret = interval_option(argc, argv, &i, &iv);
		if (!ret)
			ret = file_option(argc, argv, &i, &file);
		else if (ret > 0)
			interval = true;
		if (ret < 0)
			return EXIT_USAGE;
		if (ret)
			continue;
		if (argv[i][0] == '-')
			return usage_error("unknown option '%s'", argv[i]);
		return usage_error("unexpected argument '%s'", argv[i]);
	}
	ret = sample(&cs, interval ? &iv : NULL);
	if (ret)
		return ret;
	if (output_open(&o, file)) {
		free_cards(&cs);
		return EXIT_FAIL;
	}
	print_metrics(o.f, &cs, interval ? &iv : NULL);
	if (any_unknown(&cs))
		msg("only root may read the slices' counters: those are left out");
	free_cards(&cs);
	return output_close(&o) ? EXIT_FAIL : 0;
}

/* The CDI kind of the slices: devices vcrypt.io/slice=N */
#define CDI_KIND	"vcrypt.io/slice"
#define CDI_VERSION	"0.3.0"

/* MAJOR:MINOR of the node of slice @node, from sysfs; 0 or -1 */
static int slice_devnum(unsigned int node, unsigned int *major,
			unsigned int *minor)
{
	char path[PATH_LEN], buf[VALUE_LEN];
	int ret;

	snprintf(path, sizeof(path), "%s/class/vcrypt/vcrypt%u/dev", sysfs,
		 node);
	ret = read_attr(path, buf, sizeof(buf));
	if (!ret && sscanf(buf, "%u:%u", major, minor) != 2)
		ret = -EBADMSG;
	if (ret)
		msg("%s: %s", path, error_text(ret));
	return ret ? -1 : 0;
}

static int cmd_cdi(int argc, char **argv)
{
	struct json j = { .pretty = true };
	struct cards cs = { 0 };
	const char *file = NULL;
	unsigned int major, minor;
	char name[32], node[32];
	const struct slice *s;
	struct output o;
	size_t i, k;
	int a, ret;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage_text(stdout);
			return 0;
		}
		ret = file_option(argc, argv, &a, &file);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret)
			continue;
		if (argv[a][0] == '-')
			return usage_error("unknown option '%s'", argv[a]);
		return usage_error("unexpected argument '%s'", argv[a]);
	}
	/* A host without cards gets a spec without devices. */
	if (scan(&cs, true))
		return EXIT_FAIL;
	if (output_open(&o, file)) {
		free_cards(&cs);
		return EXIT_FAIL;
	}
	j.f = o.f;
	json_open(&j, NULL, '{');
	json_str(&j, "cdiVersion", CDI_VERSION);
	json_str(&j, "kind", CDI_KIND);
	json_open(&j, "devices", '[');
	for (i = 0; i < cs.n; i++) {
		for (k = 0; k < cs.card[i].n; k++) {
			s = &cs.card[i].slices[k];
			if (slice_devnum(s->node, &major, &minor)) {
				fclose(o.f);
				if (file)
					unlink(o.tmp);
				free_cards(&cs);
				return EXIT_FAIL;
			}
			snprintf(name, sizeof(name), "%u", s->node);
			snprintf(node, sizeof(node), "/dev/vcrypt%u", s->node);
			json_open(&j, NULL, '{');
			json_str(&j, "name", name);
			json_open(&j, "containerEdits", '{');
			json_open(&j, "deviceNodes", '[');
			json_open(&j, NULL, '{');
			json_str(&j, "path", node);
			json_str(&j, "type", "c");
			json_u64(&j, "major", major);
			json_u64(&j, "minor", minor);
			json_str(&j, "permissions", "rw");
			json_close(&j, '}');
			json_close(&j, ']');
			json_close(&j, '}');
			json_close(&j, '}');
		}
	}
	json_close(&j, ']');
	json_close(&j, '}');
	free_cards(&cs);
	return output_close(&o) ? EXIT_FAIL : 0;
}

static int cmd_status(int argc, char **argv)
{
	bool json = opt.json, pretty = opt.pretty, interval = false;
	struct cards cs = { 0 };
	struct timespec iv;
	const char *arg;
	int i, ret;

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		/* "status -j" prints pretty JSON, as it always did */
		if (!strcmp(arg, "-j") || !strcmp(arg, "--json")) {
			json = true;
			pretty = true;
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage_text(stdout);
			return 0;
		}
		ret = interval_option(argc, argv, &i, &iv);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret) {
			interval = true;
			continue;
		}
		if (arg[0] == '-')
			return usage_error("unknown option '%s'", arg);
		return usage_error("unexpected argument '%s'", arg);
	}

	ret = sample(&cs, interval ? &iv : NULL);
	if (ret)
		return ret;
	if (json)
		print_json(&cs, interval ? &iv : NULL, pretty);
	else
		print_table(&cs, interval ? &iv : NULL);
	free_cards(&cs);
	if (fflush(stdout) || ferror(stdout)) {
		msg("writing the output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

/* A user or group name as udev and chown(1) take it */
static bool good_name(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > 32 || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

/*
 * OWNER[:GROUP] or :GROUP: the names into @user and @group (NAME_LEN
 * bytes each, "" if not given); -EINVAL if malformed.
 */
static int parse_owner(const char *s, char *user, char *group)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	user[0] = '\0';
	group[0] = '\0';
	if (n >= NAME_LEN || (colon && strlen(colon + 1) >= NAME_LEN))
		return -EINVAL;
	snprintf(user, NAME_LEN, "%.*s", (int)n, s);
	if (colon)
		snprintf(group, NAME_LEN, "%s", colon + 1);
	if ((user[0] && !good_name(user)) || (colon && !good_name(group)) ||
	    (!user[0] && !group[0]))
		return -EINVAL;
	return 0;
}

/* A node's MODE: octal, read and write bits only (e.g. 0660) */
static int parse_mode(const char *s, mode_t *mode)
{
	unsigned long v = 0;
	const char *p;

	if (!*s || strlen(s) > 4)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '7')
			return -EINVAL;
		v = v * 8 + (unsigned long)(*p - '0');
	}
	if (v & ~0666ul)
		return -EINVAL;
	*mode = (mode_t)v;
	return 0;
}

/*
 * The id of user or group @name: a number, or a name looked up in
 * /etc/passwd or /etc/group; 0 or -ENOENT.
 */
static int lookup_id(const char *name, bool group, unsigned int *id)
{
	unsigned long v;
	struct passwd *pw;
	struct group *gr;
	int ret = -ENOENT;
	FILE *f;

	if (!parse_uint(name, 0, UINT_MAX - 1, &v)) {
		*id = (unsigned int)v;
		return 0;
	}
	f = fopen(group ? "/etc/group" : "/etc/passwd", "re");
	if (!f)
		return -ENOENT;
	if (group) {
		while (ret && (gr = fgetgrent(f)))
			if (!strcmp(gr->gr_name, name)) {
				*id = gr->gr_gid;
				ret = 0;
			}
	} else {
		while (ret && (pw = fgetpwent(f)))
			if (!strcmp(pw->pw_name, name)) {
				*id = pw->pw_uid;
				ret = 0;
			}
	}
	fclose(f);
	return ret;
}

static int cmd_owner(int argc, char **argv)
{
	const char *args[2] = { NULL, NULL }, *mode_arg = NULL, *arg;
	char user[NAME_LEN], group[NAME_LEN], path[PATH_LEN];
	unsigned int uid = (unsigned int)-1, gid = (unsigned int)-1;
	unsigned int major, minor;
	mode_t mode = 0;
	long node, card;
	struct stat st;
	int i, n = 0, ret;

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage_text(stdout);
			return 0;
		}
		if (!strcmp(arg, "-m") || !strcmp(arg, "--mode")) {
			if (++i == argc)
				return usage_error("%s needs MODE", arg);
			mode_arg = argv[i];
		} else if (!strncmp(arg, "--mode=", 7)) {
			mode_arg = arg + 7;
		} else if (!strncmp(arg, "-m", 2)) {
			mode_arg = arg + 2;
		} else if (arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9')) {
			return usage_error("unknown option '%s'", arg);
		} else if (n < 2) {
			args[n++] = arg;
		} else {
			return usage_error("unexpected argument '%s'", arg);
		}
	}
	if (n < 2)
		return usage_error("needs SLICE and OWNER[:GROUP]");
	if (parse_slice(args[0], &node, &card))
		return usage_error("'%s' is not a slice: give N, vcryptN or /dev/vcryptN",
				   args[0]);
	if (card >= 0)
		return usage_error("the host slice has no node to own");
	if (parse_owner(args[1], user, group))
		return usage_error("'%s' is not OWNER[:GROUP]", args[1]);
	if (mode_arg && parse_mode(mode_arg, &mode))
		return usage_error("mode '%s' is not octal read and write bits (e.g. 0660)",
				   mode_arg);
	if (user[0] && lookup_id(user, false, &uid)) {
		msg("no user %s", user);
		return EXIT_FAIL;
	}
	if (group[0] && lookup_id(group, true, &gid)) {
		msg("no group %s", group);
		return EXIT_FAIL;
	}

	/* Only the node of that slice: the device number must match sysfs. */
	snprintf(path, sizeof(path), "%s/class/vcrypt/vcrypt%ld", sysfs, node);
	if (stat(path, &st)) {
		msg("no slice vcrypt%ld (see vcryptctl status)", node);
		return EXIT_FAIL;
	}
	if (slice_devnum((unsigned int)node, &major, &minor))
		return EXIT_FAIL;
	snprintf(path, sizeof(path), "%s/vcrypt%ld", devdir, node);
	if (lstat(path, &st)) {
		msg("%s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != major ||
	    minor(st.st_rdev) != minor) {
		msg("%s is not the node of slice vcrypt%ld (%u:%u)", path,
		    node, major, minor);
		return EXIT_FAIL;
	}
	if (lchown(path, uid, gid) || (mode_arg && chmod(path, mode))) {
		ret = -errno;
		msg("%s: %s%s", path, strerror(-ret), write_hint(ret));
		return EXIT_FAIL;
	}
	return 0;
}

/* The owners file of the udev rules: SLICE OWNER[:GROUP] [MODE] */
#define OWNERS_FILE	"/etc/vcrypt/owners"

/*
 * Whether SLICE of the owners file names the slice with node @node, index
 * @index on the card @pci: N, vcryptN, /dev/vcryptN or PCI/INDEX.
 */
static int owners_match(const char *slice, unsigned long node,
			unsigned long index, const char *pci)
{
	char buf[NAME_LEN], want[NAME_LEN];
	const char *slash = strchr(slice, '/');
	unsigned long v;
	long n, c;
	size_t len;

	if (slash && strncmp(slice, "/dev/", 5)) {
		len = (size_t)(slash - slice);
		if (len >= sizeof(buf))
			return -EINVAL;
		snprintf(buf, sizeof(buf), "%.*s", (int)len, slice);
		if (parse_card(buf, want, &c) || !want[0] ||
		    parse_uint(slash + 1, 0, SLICES_MAX - 1, &v))
			return -EINVAL;
		return !strcmp(want, pci) && v == index;
	}
	if (parse_slice(slice, &n, &c) || c >= 0)
		return -EINVAL;
	return (unsigned long)n == node;
}

/*
 * For the udev rules: the card and index of slice NAME (vcryptN) and,
 * from the owners file, its owner, group and mode, as udev properties.
 */
static int cmd_udev(int argc, char **argv)
{
	const char *env = getenv("VCRYPTCTL_OWNERS");
	const char *file = env && *env ? env : OWNERS_FILE;
	char path[PATH_LEN], link[PATH_LEN], line[512];
	char user[NAME_LEN], group[NAME_LEN], pci[NAME_LEN];
	char owner[NAME_LEN] = "", grp[NAME_LEN] = "", mode[8] = "";
	char *f[4], *save;
	unsigned int lineno = 0;
	unsigned long node;
	__u64 index;
	mode_t m;
	ssize_t n;
	FILE *fp;
	int k, ret;

	if (argc != 1 || strncmp(argv[0], "vcrypt", 6) ||
	    argv[0][6] < '0' || argv[0][6] > '9' ||
	    parse_uint(argv[0] + 6, 0, NODE_MAX, &node))
		return usage_error("needs NAME, vcryptN");
	snprintf(path, sizeof(path), "%s/class/vcrypt/%s/slice", sysfs,
		 argv[0]);
	ret = read_u64(path, &index);
	if (ret) {
		msg("%s: %s", path, error_text(ret));
		return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/class/vcrypt/%s/device", sysfs,
		 argv[0]);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		msg("%s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	link[n] = '\0';
	snprintf(pci, sizeof(pci), "%.*s", NAME_LEN - 1,
		 strrchr(link, '/') ? strrchr(link, '/') + 1 : link);

	fp = fopen(file, "re");
	if (!fp && errno != ENOENT) {
		msg("%s: %s", file, strerror(errno));
		return EXIT_FAIL;
	}
	while (fp && fgets(line, sizeof(line), fp)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(fp)) {
			msg("%s:%u: line too long", file, lineno);
			goto bad;
		}
		line[strcspn(line, "#")] = '\0';
		for (k = 0; k < 4; k++)
			f[k] = strtok_r(k ? NULL : line, " \t\n", &save);
		if (!f[0])
			continue;
		ret = f[1] ? owners_match(f[0], node, index, pci) : -EINVAL;
		if (ret < 0 || f[3] || parse_owner(f[1], user, group) ||
		    (f[2] && parse_mode(f[2], &m))) {
			msg("%s:%u: not SLICE OWNER[:GROUP] [MODE]", file,
			    lineno);
			goto bad;
		}
		if (!ret || owner[0] || grp[0])
			continue;	/* the first line of a slice counts */
		snprintf(owner, sizeof(owner), "%s", user);
		snprintf(grp, sizeof(grp), "%s", group);
		if (f[2])
			snprintf(mode, sizeof(mode), "%04o", (unsigned int)m);
	}
	if (fp)
		fclose(fp);
	printf("VCRYPT_CARD=%s\nVCRYPT_SLICE=%llu\n", pci, index);
	if (owner[0])
		printf("VCRYPT_OWNER=%s\n", owner);
	if (grp[0])
		printf("VCRYPT_GROUP=%s\n", grp);
	if (mode[0])
		printf("VCRYPT_MODE=%s\n", mode);
	return fflush(stdout) ? EXIT_FAIL : 0;
bad:
	fclose(fp);
	return EXIT_FAIL;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "status", cmd_status },
	{ "slices", cmd_slices },
	{ "weight", cmd_weight },
	{ "limit", cmd_limit },
	{ "owner", cmd_owner },
	{ "metrics", cmd_metrics },
	{ "cdi", cmd_cdi },
	{ "udev", cmd_udev },
};

int main(int argc, char **argv)
{
	const char *env = getenv("VCRYPTCTL_SYSFS");
	const char *arg;
	size_t k;
	int i;

	if (env && *env)
		sysfs = env;
	env = getenv("VCRYPTCTL_DEV");
	if (env && *env)
		devdir = env;
	/* Global options, before the command, as ip(8) and devlink(8) take */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		arg = argv[i];
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage_text(stdout);
			return 0;
		}
		if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
			printf("vcryptctl %s (vcrypt ABI %u.%u)\n",
			       VCRYPTCTL_VERSION, VCRYPT_ABI_VERSION >> 16,
			       VCRYPT_ABI_VERSION & 0xffff);
			return 0;
		}
		if (!strcmp(arg, "--"))
			break;
		if (!strcmp(arg, "-j") || !strcmp(arg, "--json"))
			opt.json = true;
		else if (!strcmp(arg, "-p") || !strcmp(arg, "--pretty"))
			opt.pretty = true;
		else
			return usage_error("unknown option '%s'", arg);
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i == argc)
		return usage_error("missing COMMAND");
	for (k = 0; k < ARRAY_SIZE(commands); k++) {
		if (strcmp(argv[i], commands[k].name))
			continue;
		cmd = argv[i];
		return commands[k].fn(argc - i - 1, argv + i + 1);
	}
	return usage_error("unknown command '%s'", argv[i]);
}
