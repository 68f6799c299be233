// SPDX-License-Identifier: GPL-2.0
/*
 * nocap: run a command without CAP_SYS_ADMIN (a helper of vcryptctl.sh).
 *
 * Usage: nocap COMMAND [ARGUMENT...]
 *
 * Drops CAP_SYS_ADMIN from the bounding set, which keeps exec from giving
 * it back to root, and from the inheritable, permitted and effective sets
 * and the ambient set, then executes COMMAND. Exits 127 if it cannot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	struct __user_cap_data_struct *d = &data[CAP_TO_INDEX(CAP_SYS_ADMIN)];

	if (argc < 2) {
		fprintf(stderr, "Usage: nocap COMMAND [ARGUMENT...]\n");
		return 127;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ||
	    syscall(SYS_capget, &hdr, data)) {
		fprintf(stderr, "nocap: %s\n", strerror(errno));
		return 127;
	}
	d->effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	d->permitted &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	d->inheritable &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data)) {
		fprintf(stderr, "nocap: capset: %s\n", strerror(errno));
		return 127;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "nocap: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
