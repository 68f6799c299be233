// SPDX-License-Identifier: GPL-2.0
/*
 * container_kat: what container.sh runs inside a container. Through the
 * slice the container was given, every published vector of vcrypt_slice.h
 * gives its known answer, by VCRYPT_IOC_OP and by VCRYPT_IOC_SUBMIT; every
 * other slice is out of reach, whether its node was put into the
 * container (the device cgroup refuses the open) or the container tries
 * to create one (mknod needs CAP_MKNOD; with it, the open is refused).
 *
 * Usage: container_kat NODE SLICE [OTHER MAJOR:MINOR]...
 *   NODE   the node of the container's slice, e.g. /dev/vcrypt3
 *   SLICE  the node number VCRYPT_IOC_INFO must report for it
 *   OTHER  a node of another slice present in the container, whose
 *          open must fail with EPERM; MAJOR:MINOR its device number,
 *          which mknod then tries in /tmp
 * Prints "PASS what" or "FAIL what" per check; exits 1 if one failed.
 */
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "vcrypt_slice.h"

static int failed;

static void check(bool good, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", good ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!good)
		failed = 1;
}

/* Every vector through VCRYPT_IOC_OP, then all of them in one batch */
static void kats(int fd)
{
	static struct vs_kat_buf b[ARRAY_SIZE(vs_kats)];
	struct vcrypt_request r[ARRAY_SIZE(vs_kats)];
	struct vcrypt_completion c[ARRAY_SIZE(vs_kats)];
	__u32 handle[ARRAY_SIZE(vs_kats)], done = 0;
	struct vcrypt_op op;
	const char *why;
	unsigned int i;
	int ret, n;

	for (i = 0; i < ARRAY_SIZE(vs_kats); i++) {
		vs_kat_op(&vs_kats[i], &b[i], &op);
		ret = vs_ioctl(fd, VCRYPT_IOC_OP, &op);
		why = ret ? strerror(-ret) :
			    vs_kat_check(&vs_kats[i], &b[i], op.out_len, true);
		check(!why, "op: %s%s%s", vs_kats[i].name, why ? ": " : "",
		      why ? why : "");
	}
	for (i = 0; i < ARRAY_SIZE(vs_kats); i++) {
		vs_kat_prepare(&vs_kats[i], &b[i]);
		ret = vs_session(fd, vs_kats[i].alg, b[i].key,
				 vs_kats[i].key.len, &handle[i]);
		if (ret) {
			check(false, "session for %s: %s", vs_kats[i].name,
			      strerror(-ret));
			return;
		}
		vs_kat_req(&vs_kats[i], &b[i], handle[i], i, &r[i]);
	}
	ret = vs_submit(fd, r, ARRAY_SIZE(vs_kats), &done);
	check(!ret && done == ARRAY_SIZE(vs_kats), "submit %zu requests: %u",
	      ARRAY_SIZE(vs_kats), done);
	n = vs_read_all(fd, c, done);
	check(n == (int)done, "%u completions", done);
	for (i = 0; n > 0 && i < (unsigned int)n; i++) {
		why = c[i].tag >= ARRAY_SIZE(vs_kats) ? "unknown tag" :
		      c[i].status ? strerror(-c[i].status) :
		      vs_kat_check(&vs_kats[c[i].tag], &b[c[i].tag],
				   c[i].out_len, false);
		check(!why, "submit: %s%s%s",
		      c[i].tag < ARRAY_SIZE(vs_kats) ?
		      vs_kats[c[i].tag].name : "?", why ? ": " : "",
		      why ? why : "");
	}
}

int main(int argc, char **argv)
{
	unsigned int major, minor;
	struct vcrypt_info info;
	char path[64];
	int fd, i, ret;

	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr,
			"usage: container_kat NODE SLICE [OTHER MAJOR:MINOR]...\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	check(fd >= 0, "open %s%s%s", argv[1], fd < 0 ? ": " : "",
	      fd < 0 ? strerror(errno) : "");
	if (fd >= 0) {
		ret = vs_info(fd, &info);
		check(!ret && info.slice == strtoul(argv[2], NULL, 10),
		      "%s is slice %s (info: %s, slice %u)", argv[1], argv[2],
		      ret ? strerror(-ret) : "ok", info.slice);
		kats(fd);
		close(fd);
	}

	for (i = 3; i < argc; i += 2) {
		fd = open(argv[i], O_RDWR | O_CLOEXEC);
		check(fd < 0 && errno == EPERM, "open %s refused: %s", argv[i],
		      fd < 0 ? strerror(errno) : "opened");
		if (fd >= 0)
			close(fd);
		if (sscanf(argv[i + 1], "%u:%u", &major, &minor) != 2) {
			check(false, "device number %s", argv[i + 1]);
			continue;
		}
		snprintf(path, sizeof(path), "/tmp/node-%u-%u", major, minor);
		if (mknod(path, S_IFCHR | 0600, makedev(major, minor))) {
			check(errno == EPERM, "mknod %s (%u:%u) refused: %s",
			      path, major, minor, strerror(errno));
			continue;
		}
		fd = open(path, O_RDWR | O_CLOEXEC);
		check(fd < 0 && errno == EPERM,
		      "open of the node it made, %s, refused: %s", path,
		      fd < 0 ? strerror(errno) : "opened");
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	return failed;
}
