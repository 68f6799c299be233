/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's randomness and memory.
 *
 * One PRNG, xoshiro256** seeded through splitmix64: every thread of the
 * fuzzer draws from its own stream, derived from the run's seed and the
 * thread's number, so that each thread's sequence of calls follows from the
 * seed alone.
 *
 * Buffers live in mappings of their own, between two PROT_NONE guard
 * pages, and every byte of their pages has a known value, so that a write
 * outside the bytes a request may write is seen. A pointer passed to the
 * kernel comes with the bytes the kernel can read and write from it, which
 * is what the ABI model (fuzz_model.h) reasons on: good buffers, NULL, a
 * guard page, read-only memory, a buffer shorter than its length (running
 * into its guard page), kernel and non-canonical addresses, and addresses
 * that wrap around with their length.
 */
#ifndef FUZZ_MEM_H
#define FUZZ_MEM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/types.h>

#define FZ_PAGE		4096ul

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct fz_rng {
	__u64 s[4];
};

static inline __u64 fz_splitmix(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Stream @stream of the run seeded with @seed */
static inline void fz_rng_init(struct fz_rng *r, __u64 seed, __u64 stream)
{
	__u64 x = seed ^ (stream * 0xd1342543de82ef95ull);
	unsigned int i;

	for (i = 0; i < 4; i++)
		r->s[i] = fz_splitmix(&x);
}

static inline __u64 fz_rotl(__u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline __u64 fz_next(struct fz_rng *r)
{
	__u64 *s = r->s, res = fz_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = fz_rotl(s[3], 45);
	return res;
}

/* 0 to @n - 1; 0 if @n is 0 */
static inline __u32 fz_below(struct fz_rng *r, __u32 n)
{
	return (__u32)(((fz_next(r) >> 32) * (__u64)n) >> 32);
}

/* @lo to @hi inclusive */
static inline __u32 fz_range(struct fz_rng *r, __u32 lo, __u32 hi)
{
	return lo + fz_below(r, hi - lo + 1);
}

static inline bool fz_chance(struct fz_rng *r, unsigned int percent)
{
	return fz_below(r, 100) < percent;
}

static inline __u32 fz_pick(struct fz_rng *r, const __u32 *v, unsigned int n)
{
	return v[fz_below(r, n)];
}

#define FZ_PICK(r, arr)	fz_pick(r, arr, sizeof(arr) / sizeof((arr)[0]))

/*
 * The stream @seed repeats every page: its page, the last two the thread
 * used cached, so that filling and checking buffers costs about a memcpy
 * and a memcmp.
 */
static __thread struct {
	__u32 seed;
	bool valid;
	__u8 page[FZ_PAGE];
} fz_pattern[2];

static inline const __u8 *fz_pattern_page(__u32 seed)
{
	static __thread unsigned int next;
	unsigned int i, k;
	__u64 x;

	for (i = 0; i < 2; i++)
		if (fz_pattern[i].valid && fz_pattern[i].seed == seed)
			return fz_pattern[i].page;
	i = next++ & 1;
	for (k = 0; k < FZ_PAGE; k += 8) {
		x = (k >> 3) * 0x9e3779b97f4a7c15ull + seed;
		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ull;
		x ^= x >> 32;
		memcpy(fz_pattern[i].page + k, &x, 8);
	}
	fz_pattern[i].seed = seed;
	fz_pattern[i].valid = true;
	return fz_pattern[i].page;
}

/* Fill @p with the bytes @off to @off + @len - 1 of the stream @seed */
static inline void fz_fill(__u8 *p, __u32 seed, size_t off, size_t len)
{
	const __u8 *page = fz_pattern_page(seed);
	size_t k;

	while (len) {
		k = FZ_PAGE - off % FZ_PAGE;
		if (k > len)
			k = len;
		memcpy(p, page + off % FZ_PAGE, k);
		p += k;
		off += k;
		len -= k;
	}
}

/**
 * struct fz_buf - a buffer between guard pages
 * @map: the mapping, a guard page, the data pages, a guard page; NULL
 *	once unmapped
 * @map_len: its length
 * @data_len: bytes of the data pages
 * @off: of the buffer in the data pages
 * @p: the buffer
 * @room: bytes from @p to the guard page after it
 * @len: bytes of content written at @p
 * @content: that content (a published vector), or NULL: stream @seed + 1
 * @seed: every other byte of the data pages is stream @seed
 * @ro: the data pages are read-only
 */
struct fz_buf {
	__u8 *map;
	size_t map_len;
	size_t data_len;
	size_t off;
	__u8 *p;
	size_t room;
	size_t len;
	const __u8 *content;
	__u32 seed;
	bool ro;
};

/* Where a buffer sits in its pages */
enum fz_place {
	FZ_PLACE_END,	/* its end touches the guard page */
	FZ_PLACE_START,	/* page aligned */
	FZ_PLACE_ODD,	/* at an odd offset in its first page */
	FZ_PLACE_ANY,	/* one of the above, at random */
};

/* The expected data pages from @from to @from + @n - 1 into @out */
static inline void fz_buf_expect(const struct fz_buf *b, size_t from, size_t n,
				 __u8 *out)
{
	size_t i = from, end = from + n, k;

	while (i < end) {
		if (i < b->off) {
			k = (end < b->off ? end : b->off) - i;
			fz_fill(out + i - from, b->seed, i, k);
		} else if (i < b->off + b->len) {
			k = (end < b->off + b->len ? end : b->off + b->len) - i;
			if (b->content)
				memcpy(out + i - from, b->content + i - b->off, k);
			else
				fz_fill(out + i - from, b->seed + 1, i - b->off,
					k);
		} else {
			k = end - i;
			fz_fill(out + i - from, b->seed, i, k);
		}
		i += k;
	}
}

/*
 * A buffer of @room bytes at @place holding @len bytes of @content (NULL:
 * generated), read-only if @ro. Returns 0, or -1 if mmap fails.
 */
static inline int fz_buf_new(struct fz_buf *b, size_t room, enum fz_place place,
			     unsigned int odd, __u32 seed, const void *content,
			     size_t len, bool ro)
{
	size_t pages;
	__u8 *m;

	memset(b, 0, sizeof(*b));
	if (place == FZ_PLACE_ODD)
		b->off = (odd % (FZ_PAGE - 1)) + 1;
	pages = (b->off + room + FZ_PAGE - 1) / FZ_PAGE;
	if (!pages)
		pages = 1;
	if (place == FZ_PLACE_END)
		b->off = pages * FZ_PAGE - room;
	b->data_len = pages * FZ_PAGE;
	b->map_len = b->data_len + 2 * FZ_PAGE;
	m = mmap(NULL, b->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (m == MAP_FAILED)
		return -1;
	if (mprotect(m + FZ_PAGE, b->data_len, PROT_READ | PROT_WRITE)) {
		munmap(m, b->map_len);
		return -1;
	}
	b->map = m;
	b->p = m + FZ_PAGE + b->off;
	b->room = b->data_len - b->off;
	b->len = len < b->room ? len : b->room;
	b->content = content;
	b->seed = seed;
	fz_buf_expect(b, 0, b->data_len, m + FZ_PAGE);
	if (ro) {
		b->ro = true;
		mprotect(m + FZ_PAGE, b->data_len, PROT_READ);
	}
	return 0;
}

static inline void fz_buf_free(struct fz_buf *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
	b->map = NULL;
}

/*
 * Compare the data pages with what they held at the start, except the
 * bytes @wlo to @whi - 1 from @p, which the kernel may have written; with
 * @want, those must equal @want. Returns the first offset from @p that
 * differs (negative: before @p), or LONG_MIN if none does.
 */
static inline long fz_buf_check(const struct fz_buf *b, size_t wlo, size_t whi,
				const __u8 *want)
{
	__u8 exp[FZ_PAGE];
	const __u8 *data = b->map + FZ_PAGE;
	size_t i, n, k, lo = b->off + wlo, hi = b->off + whi;

	for (i = 0; i < b->data_len; i += n) {
		n = b->data_len - i < sizeof(exp) ? b->data_len - i : sizeof(exp);
		if (i >= lo && i + n <= hi && !want)
			continue;
		fz_buf_expect(b, i, n, exp);
		if ((i + n <= lo || i >= hi) && !memcmp(data + i, exp, n))
			continue;
		for (k = 0; k < n; k++) {
			if (i + k >= lo && i + k < hi) {
				if (want && data[i + k] != want[i + k - lo])
					return (long)(i + k) - (long)b->off;
				continue;
			}
			if (data[i + k] != exp[k])
				return (long)(i + k) - (long)b->off;
		}
	}
	return LONG_MIN;
}

/**
 * struct fz_ptr - a user pointer as the kernel sees it
 * @addr: the address
 * @rd: bytes from @addr the kernel can read
 * @wr: bytes from @addr the kernel can write
 */
struct fz_ptr {
	__u64 addr;
	__u64 rd;
	__u64 wr;
};

static inline struct fz_ptr fz_ptr_buf(const struct fz_buf *b)
{
	return (struct fz_ptr){
		.addr = (uintptr_t)b->p,
		.rd = b->room,
		.wr = b->ro ? 0 : b->room,
	};
}

/* Whether the kernel faults accessing @len bytes at @p */
static inline bool fz_fault(const struct fz_ptr *p, __u64 len, bool write)
{
	return len && (write ? p->wr : p->rd) < len;
}

/* The end of user memory on x86-64 with 4-level page tables */
#define FZ_TASK_SIZE	0x00007ffffffff000ull

/* Pointers the kernel can never access; the first is filled in at start */
static __u64 fz_bad_addrs[] = {
	0,			/* a guard page of the fuzzer's own */
	0,			/* NULL */
	0xffff888000000000ull,	/* the kernel's direct map */
	0xffffffff81000000ull,	/* kernel text */
	0x0000800000000000ull,	/* the first non-canonical address */
	0x8000000000000000ull,
	0xfffffffffffff000ull,	/* wraps around with any length */
	0x00007ffffffff000ull,	/* the last user page, then the hole */
};

static inline struct fz_ptr fz_ptr_bad(struct fz_rng *r)
{
	return (struct fz_ptr){
		.addr = fz_bad_addrs[fz_below(r, ARRAY_SIZE(fz_bad_addrs))],
	};
}

/**
 * struct fz_arena - where the fuzzer puts an ioctl's argument
 * @base: three pages: read-write, read-only, PROT_NONE
 * @rw1: a writable view of the read-only page
 *
 * The argument can be put so that the kernel can read all of it but write
 * only its first bytes (across the first two pages), read it but not write
 * it, or read only its first bytes (across the last two).
 */
struct fz_arena {
	__u8 *base;
	__u8 *rw1;
};

enum fz_argpos {
	FZ_ARG_GOOD,	/* in the read-write page */
	FZ_ARG_RO_TAIL,	/* its last bytes in the read-only page */
	FZ_ARG_RO,	/* in the read-only page */
	FZ_ARG_CUT,	/* its last bytes in the PROT_NONE page */
	FZ_ARG_BAD,	/* one of fz_bad_addrs */
	FZ_ARG_NR
};

static inline int fz_arena_init(struct fz_arena *a)
{
	__u8 *m;
	int fd;

	fd = memfd_create("fuzz-arena", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 2 * FZ_PAGE))
		return -1;
	m = mmap(NULL, 3 * FZ_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (m == MAP_FAILED ||
	    mmap(m, FZ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0) == MAP_FAILED ||
	    mmap(m + FZ_PAGE, FZ_PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
		 FZ_PAGE) == MAP_FAILED)
		return -1;
	a->rw1 = mmap(NULL, FZ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      FZ_PAGE);
	close(fd);
	if (a->rw1 == MAP_FAILED)
		return -1;
	a->base = m;
	return 0;
}

/* The writable view of @n bytes at @addr in the arena, which must be in it */
static inline void fz_arena_copy(struct fz_arena *a, __u64 addr, void *p,
				 size_t n, bool to_arena)
{
	__u8 *q = p;
	size_t i;
	__u64 o;

	for (i = 0; i < n; i++) {
		o = addr + i - (uintptr_t)a->base;
		if (o >= 2 * FZ_PAGE)
			break;
		if (o < FZ_PAGE) {
			if (to_arena)
				a->base[o] = q[i];
			else
				q[i] = a->base[o];
		} else if (to_arena) {
			a->rw1[o - FZ_PAGE] = q[i];
		} else {
			q[i] = a->rw1[o - FZ_PAGE];
		}
	}
}

/*
 * Put the @size bytes of @arg at @pos; @cut (1 to @size - 1) is how many
 * of them go before the page boundary for FZ_ARG_RO_TAIL and FZ_ARG_CUT.
 * Returns where the kernel finds it.
 */
static inline struct fz_ptr fz_arg_put(struct fz_arena *a, struct fz_rng *r,
				       enum fz_argpos pos, const void *arg,
				       size_t size, size_t cut)
{
	struct fz_ptr p;

	switch (pos) {
	case FZ_ARG_GOOD:
		p = (struct fz_ptr){ (uintptr_t)a->base, 2 * FZ_PAGE, FZ_PAGE };
		break;
	case FZ_ARG_RO_TAIL:
		p = (struct fz_ptr){ (uintptr_t)a->base + FZ_PAGE - cut,
				     FZ_PAGE + cut, cut };
		break;
	case FZ_ARG_RO:
		p = (struct fz_ptr){ (uintptr_t)a->base + FZ_PAGE, FZ_PAGE, 0 };
		break;
	case FZ_ARG_CUT:
		p = (struct fz_ptr){ (uintptr_t)a->base + 2 * FZ_PAGE - cut,
				     cut, 0 };
		break;
	default:
		return fz_ptr_bad(r);
	}
	fz_arena_copy(a, p.addr, (void *)arg, size, true);
	return p;
}

/* Read back @size bytes of the argument at @p, where the arena has them */
static inline void fz_arg_get(struct fz_arena *a, const struct fz_ptr *p,
			      void *arg, size_t size)
{
	if (p->rd)
		fz_arena_copy(a, p->addr, arg, size < p->rd ? size : p->rd,
			      false);
}

#endif /* FUZZ_MEM_H */
