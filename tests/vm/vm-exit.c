// SPDX-License-Identifier: GPL-2.0
/*
 * vm-exit: end the test guest and hand an exit status to the host.
 *
 * Waits until everything written to the output serial port has left the
 * guest, then writes the status to QEMU's isa-debug-exit device (I/O port
 * 0xf4); QEMU exits at once with status (STATUS << 1) | 1. Statuses above
 * 127 are reported as 127 so that the host always sees an odd status.
 *
 * Usage: vm-exit STATUS [TTY...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <termios.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT	0xf4
#define MAX_STATUS	127

int main(int argc, char **argv)
{
	unsigned long status;
	char *end;
	int i, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: vm-exit STATUS [TTY...]\n");
		return 2;
	}
	status = strtoul(argv[1], &end, 0);
	if (*end || end == argv[1]) {
		fprintf(stderr, "vm-exit: bad status '%s'\n", argv[1]);
		return 2;
	}
	if (status > MAX_STATUS)
		status = MAX_STATUS;

	for (i = 2; i < argc; i++) {
		fd = open(argv[i], O_WRONLY | O_NOCTTY);
		if (fd < 0 || tcdrain(fd))
			perror(argv[i]);
		if (fd >= 0)
			close(fd);
	}

	if (ioperm(DEBUG_EXIT_PORT, 1, 1)) {
		perror("vm-exit: ioperm");
		return 1;
	}
	outb(status, DEBUG_EXIT_PORT);
	/* Only reached when the machine has no isa-debug-exit device. */
	fprintf(stderr, "vm-exit: no isa-debug-exit device at 0x%x\n",
		DEBUG_EXIT_PORT);
	return 1;
}
