/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's QMP monitor from inside the test guest, to change the properties
 * of the card (its fault injection) while a test runs.
 *
 * tests/vm/vm-run.sh connects the guest's third serial port, /dev/ttyS2,
 * to a QMP monitor of the QEMU that runs the guest. A command goes out as
 * one line with an "id"; the reply is the line that carries the same id
 * back, so that the monitor's greeting (partly lost when the port is
 * opened), its events and replies to earlier programs are skipped. Each
 * command is preceded by qmp_capabilities, which leaves command mode on a
 * fresh connection and is refused, harmlessly, on one in command mode.
 * Every wait is bounded by VQ_TIMEOUT_MS.
 */
#ifndef VCRYPT_QMP_H
#define VCRYPT_QMP_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define VQ_TTY		"/dev/ttyS2"
/* QOM path of the card: vm-run.sh adds it as -device vcrypt,id=vcrypt0 */
#define VQ_CARD		"/machine/peripheral/vcrypt0"
#define VQ_TIMEOUT_MS	5000
#define VQ_LINE_MAX	4096

static inline long long vq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The serial port to the monitor, raw; an fd or -errno */
static inline int vq_open(void)
{
	struct termios t;
	int fd;

	fd = open(VQ_TTY, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (tcgetattr(fd, &t)) {
		close(fd);
		return -ENOTTY;
	}
	cfmakeraw(&t);
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	t.c_cflag |= CLOCAL | CREAD;
	if (tcsetattr(fd, TCSANOW, &t)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static inline int vq_write_all(int fd, const char *s, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read lines until one holds @id; 0 if it is a success ("return"), -EIO
 * if an error, -ETIMEDOUT if none came by @end (ms of vq_now_ms()).
 */
static inline int vq_reply(int fd, const char *id, long long end)
{
	static char line[VQ_LINE_MAX];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	long long left;
	char c;

	for (;;) {
		left = end - vq_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if (read(fd, &c, 1) != 1)
			continue;
		if (c != '\n') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		len = 0;
		if (!strstr(line, id))
			continue;
		return strstr(line, "\"return\"") ? 0 : -EIO;
	}
}

/*
 * Run one QMP command, given as the members of its JSON object after the
 * id (e.g. "'execute': 'qom-set', 'arguments': {...}": QEMU takes strings
 * in single quotes too); returns 0 on
 * success, -EIO if QEMU refused it, -ETIMEDOUT if it did not answer, or
 * -errno if there is no serial port to the monitor.
 */
static inline int vq_command(const char *fmt, ...)
{
	static unsigned int seq;
	char cmd[VQ_LINE_MAX + 64], body[VQ_LINE_MAX], id[32];
	long long end = vq_now_ms() + VQ_TIMEOUT_MS;
	va_list ap;
	int fd, ret;

	fd = vq_open();
	if (fd < 0)
		return fd;
	snprintf(id, sizeof(id), "\"vq-%d-%u\"", getpid(), ++seq);
	snprintf(cmd, sizeof(cmd), "{\"id\": %s, \"execute\": \"qmp_capabilities\"}\n",
		 id);
	ret = vq_write_all(fd, cmd, strlen(cmd));
	if (!ret) {
		ret = vq_reply(fd, id, end);
		if (ret == -EIO)	/* already in command mode */
			ret = 0;
	}
	if (!ret) {
		va_start(ap, fmt);
		vsnprintf(body, sizeof(body), fmt, ap);
		va_end(ap);
		snprintf(id, sizeof(id), "\"vq-%d-%u\"", getpid(), ++seq);
		snprintf(cmd, sizeof(cmd), "{\"id\": %s, %s}\n", id, body);
		ret = vq_write_all(fd, cmd, strlen(cmd));
	}
	if (!ret)
		ret = vq_reply(fd, id, end);
	close(fd);
	return ret;
}

/* Set property @prop of the card to @json (a JSON value); 0 or -errno */
static inline int vq_card_set(const char *prop, const char *json)
{
	static const char fmt[] =
		"'execute':'qom-set','arguments':{'path':'%s','property':'%s','value':%s}";

	return vq_command(fmt, VQ_CARD, prop, json);
}

static inline int vq_card_set_int(const char *prop, long long val)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", val);
	return vq_card_set(prop, v);
}

/* Whether the tests can reach the monitor: a harmless query answers */
static inline bool vq_available(void)
{
	return !vq_command("'execute': 'query-status'");
}

#endif /* VCRYPT_QMP_H */
