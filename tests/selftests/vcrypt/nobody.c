// SPDX-License-Identifier: GPL-2.0
/*
 * nobody: run a command as the user and group nobody (65534), without
 * supplementary groups (a helper of vcryptctl.sh).
 *
 * Usage: nobody COMMAND [ARGUMENT...]
 *
 * Exits 127 if it cannot.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vcrypt_test.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "Usage: nobody COMMAND [ARGUMENT...]\n");
		return 127;
	}
	if (setgroups(0, NULL) || setgid(VT_NOBODY) || setuid(VT_NOBODY)) {
		fprintf(stderr, "nobody: %s\n", strerror(errno));
		return 127;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "nobody: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
