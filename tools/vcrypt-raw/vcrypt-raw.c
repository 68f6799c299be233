// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt-raw: run one operation on a vcrypt card through the driver's
 * debugfs test hook (root only). Input is read from stdin, output goes to
 * stdout (raw, or hex with -x).
 *
 * Example: printf abc | vcrypt-raw -x sha256
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vcrypt.h>
#include "vcrypt_dbg.h"
#include "vcrypt_hw.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define MAX_INPUT	(1024 * 1024)
/* room beyond the input: a SHA-512 digest, or an AES-GCM tag */
#define OUTPUT_EXTRA	64
#define MAX_OUTPUT	(MAX_INPUT + OUTPUT_EXTRA)

static const struct {
	const char *name;
	__u32 alg;
} algs[] = {
	{ "aes-cbc", VCRYPT_ALG_AES_CBC },
	{ "aes-ctr", VCRYPT_ALG_AES_CTR },
	{ "aes-xts", VCRYPT_ALG_AES_XTS },
	{ "aes-gcm", VCRYPT_ALG_AES_GCM },
	{ "sha256", VCRYPT_ALG_SHA256 },
	{ "sha512", VCRYPT_ALG_SHA512 },
	{ "hmac-sha256", VCRYPT_ALG_HMAC_SHA256 },
};

static const char * const hw_status_names[] = {
	[VCRYPT_HW_ST_OK] = "OK",
	[VCRYPT_HW_ST_BAD_OP] = "BAD_OP",
	[VCRYPT_HW_ST_BAD_KEY] = "BAD_KEY",
	[VCRYPT_HW_ST_BAD_LEN] = "BAD_LEN",
	[VCRYPT_HW_ST_BAD_DESC] = "BAD_DESC",
	[VCRYPT_HW_ST_DMA] = "DMA",
	[VCRYPT_HW_ST_AUTH] = "AUTH",
};

static void usage(void)
{
	fprintf(stderr,
		"Usage: vcrypt-raw [-d] [-x] [-k KEYHEX] [-i IVHEX] [-a AADLEN] [-t TAGLEN]\n"
		"                  [-f RAWFILE] ALG < input > output\n"
		"  ALG: aes-cbc aes-ctr aes-xts aes-gcm sha256 sha512 hmac-sha256\n"
		"  -d  decrypt            -x  write the output as hex\n"
		"  -a  leading input bytes that are AES-GCM associated data\n"
		"  -t  AES-GCM tag length -f  debugfs raw file (default: first card)\n");
	exit(2);
}

static size_t parse_hex(const char *hex, __u8 *out, size_t room)
{
	size_t n = strlen(hex);
	size_t i;

	if (n % 2 || n / 2 > room) {
		fprintf(stderr, "vcrypt-raw: bad hex string '%s'\n", hex);
		exit(2);
	}
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1) {
			fprintf(stderr, "vcrypt-raw: bad hex string '%s'\n", hex);
			exit(2);
		}
	}
	return n / 2;
}

static unsigned int parse_uint(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > MAX_INPUT) {
		fprintf(stderr, "vcrypt-raw: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static __u32 parse_alg(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(algs); i++)
		if (!strcmp(name, algs[i].name))
			return algs[i].alg;
	fprintf(stderr, "vcrypt-raw: unknown algorithm '%s'\n", name);
	usage();
	return 0;
}

static char *default_raw_file(void)
{
	static char path[256];
	glob_t g;

	if (glob("/sys/kernel/debug/vcrypt/*/raw", 0, NULL, &g) || !g.gl_pathc) {
		fprintf(stderr, "vcrypt-raw: no card (is vcrypt loaded and debugfs mounted?)\n");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
	globfree(&g);
	return path;
}

static size_t read_input(__u8 *buf)
{
	size_t len = 0;
	ssize_t n;

	/* buf has one byte more than an input may have, to notice excess */
	while ((n = read(0, buf + len, MAX_INPUT + 1 - len)) > 0)
		len += n;
	if (n < 0) {
		perror("vcrypt-raw: stdin");
		exit(1);
	}
	if (len > MAX_INPUT) {
		fprintf(stderr, "vcrypt-raw: input longer than %u bytes\n", MAX_INPUT);
		exit(2);
	}
	return len;
}

static void write_output(const __u8 *buf, size_t len, int hex)
{
	size_t i;

	if (!hex) {
		if (fwrite(buf, 1, len, stdout) != len)
			exit(1);
		return;
	}
	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	static __u8 src[MAX_INPUT + 1], dst[MAX_OUTPUT];
	struct vcrypt_dbg_raw raw = { 0 };
	struct vcrypt_op *op = &raw.op;
	__u8 key[VCRYPT_HW_KEY_MAX], iv[16];
	const char *file = NULL;
	int hex = 0, fd, opt, ret;

	while ((opt = getopt(argc, argv, "dxk:i:a:t:f:")) != -1) {
		switch (opt) {
		case 'd':
			op->flags |= VCRYPT_OP_DECRYPT;
			break;
		case 'x':
			hex = 1;
			break;
		case 'k':
			op->key_len = parse_hex(optarg, key, sizeof(key));
			break;
		case 'i':
			op->iv_len = parse_hex(optarg, iv, sizeof(iv));
			break;
		case 'a':
			op->aad_len = parse_uint(optarg);
			break;
		case 't':
			op->tag_len = parse_uint(optarg);
			break;
		case 'f':
			file = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();

	op->alg = parse_alg(argv[optind]);
	op->key = (uintptr_t)key;
	op->iv = (uintptr_t)iv;
	op->src = (uintptr_t)src;
	op->src_len = read_input(src);
	op->dst = (uintptr_t)dst;
	op->dst_len = op->src_len + OUTPUT_EXTRA;

	if (!file)
		file = default_raw_file();
	fd = open(file, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "vcrypt-raw: %s: %s\n", file, strerror(errno));
		return 1;
	}
	ret = ioctl(fd, VCRYPT_DBG_IOC_RAW, &raw);
	close(fd);
	if (ret) {
		fprintf(stderr, "vcrypt-raw: %s", strerror(errno));
		if (raw.hw_status &&
		    raw.hw_status < ARRAY_SIZE(hw_status_names) &&
		    hw_status_names[raw.hw_status])
			fprintf(stderr, " (card status %s)", hw_status_names[raw.hw_status]);
		fprintf(stderr, "\n");
		return 1;
	}
	write_output(dst, op->out_len, hex);
	return 0;
}
