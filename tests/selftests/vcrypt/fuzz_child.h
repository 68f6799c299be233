/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fork(2) with requests in flight: the child makes a few calls on the
 * inherited file, closes it, and reports what it queued and read through
 * a pipe, so that the parent still accounts for every request. The child
 * takes no lock and allocates only with mmap().
 */
#ifndef FUZZ_CHILD_H
#define FUZZ_CHILD_H

#include <sys/time.h>
#include <sys/wait.h>

#include "fuzz_req.h"

/* A child's report to its parent, through a pipe */
enum fz_cmsg_type { FZ_CM_QUEUED, FZ_CM_COMPLETION, FZ_CM_FAIL, FZ_CM_END };

struct fz_cmsg {
	__u32 type;
	__u32 alg;
	__u32 flags;
	__u32 dst_len;
	__u64 tag;
	__u64 out_len;
	__u64 bytes;
	struct vcrypt_completion c;
	__u8 loose;
	char text[95];
};

static inline void fz_child_send(int fd, struct fz_cmsg *m)
{
	if (write(fd, m, sizeof(*m)) != sizeof(*m))
		_exit(3);
}

static inline void fz_child_fail(int fd, const char *what, int err, fz_set allowed)
{
	struct fz_cmsg m = { .type = FZ_CM_FAIL };
	char set[160];

	snprintf(m.text, sizeof(m.text), "%s: errno %d, documented: %s", what,
		 err, fz_set_str(allowed, set, sizeof(set)));
	fz_child_send(fd, &m);
}

static inline void fz_child_alarm(unsigned int ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* The child: a few calls on the inherited file of @s, then close it */
static inline __noreturn void fz_child(struct fz_worker *w,
				       struct fz_slot *s, int out,
				       __u64 tags)
{
	struct vcrypt_completion comps[16];
	struct vcrypt_request *q = (void *)w->reqs;
	struct vcrypt_info info;
	struct fz_cmsg m;
	struct fz_rq rq[4];
	struct vcrypt_submit sub;
	struct pollfd p;
	unsigned int n = fz_range(&w->rng, 2, 8), i, j, nq, queued = 0;
	fz_set extra = fz.admin ? FZ_M(FZ_ENODEV) : 0, allowed;
	ssize_t len;
	int ret;

	for (i = 0; i < n; i++) {
		switch (fz_below(&w->rng, 10)) {
		case 0: case 1: case 2: case 3:
			nq = fz_range(&w->rng, 1, 4);
			if (queued + nq > FZ_CHILD_REQS)
				break;
			for (j = 0; j < nq; j++) {
				fz_rq_build(w, s, &rq[j], false, true);
				q[j] = fz_req_of(&rq[j], tags + queued + j);
			}
			sub = (struct vcrypt_submit){ .reqs = (uintptr_t)q,
						      .count = nq };
			fz_child_alarm(500);
			ret = ioctl(s->fd, VCRYPT_IOC_SUBMIT, &sub) ? errno : 0;
			fz_child_alarm(0);
			allowed = (rq[0].set ? rq[0].set : FZ_M(FZ_OK) |
				   FZ_M(FZ_EAGAIN) | FZ_M(FZ_EINTR)) | extra |
				  FZ_M(FZ_OK);
			if (!(allowed & FZ_M(fz_res_of(ret))))
				fz_child_fail(out, "child SUBMIT", ret, allowed);
			for (j = 0; !ret && j < sub.done && j < nq; j++) {
				if (rq[j].set && !(rq[j].set & FZ_M(FZ_OK)))
					fz_child_fail(out, "child SUBMIT queued an invalid request",
						      0, rq[j].set);
				m = (struct fz_cmsg){
					.type = FZ_CM_QUEUED,
					.tag = tags + queued + j,
					.alg = rq[j].op.alg,
					.flags = rq[j].op.flags,
					.dst_len = rq[j].op.dst_len,
					.out_len = rq[j].out_len,
					.bytes = rq[j].op.src_len + rq[j].out_len,
					.loose = rq[j].loose,
				};
				fz_child_send(out, &m);
			}
			/* The buffers stay until the child exits */
			queued += nq;
			break;
		case 4: case 5: case 6: case 7:
			p = (struct pollfd){ .fd = s->fd, .events = POLLIN };
			if (poll(&p, 1, 20) != 1 || !(p.revents & POLLIN))
				break;
			fz_child_alarm(300);
			len = read(s->fd, comps, sizeof(comps));
			fz_child_alarm(0);
			ret = len < 0 ? errno : 0;
			allowed = FZ_M(FZ_OK) | FZ_M(FZ_EAGAIN) | FZ_M(FZ_EINTR) |
				  extra;
			if (!(allowed & FZ_M(fz_res_of(ret))))
				fz_child_fail(out, "child read", ret, allowed);
			for (j = 0; len > 0 && j < len / sizeof(comps[0]); j++) {
				m = (struct fz_cmsg){ .type = FZ_CM_COMPLETION,
						      .c = comps[j] };
				fz_child_send(out, &m);
			}
			break;
		default:
			ret = ioctl(s->fd, VCRYPT_IOC_INFO, &info) ? errno : 0;
			allowed = FZ_M(FZ_OK) | extra;
			if (!(allowed & FZ_M(fz_res_of(ret))))
				fz_child_fail(out, "child INFO", ret, allowed);
			if (s->wild) {
				__u32 h = fz_range(&w->rng, 1, 16);

				ret = ioctl(s->fd, VCRYPT_IOC_SESSION_FREE, &h) ?
				      errno : 0;
				allowed = FZ_M(FZ_OK) | FZ_M(FZ_ENOENT) | extra;
				if (!(allowed & FZ_M(fz_res_of(ret))))
					fz_child_fail(out, "child SESSION_FREE",
						      ret, allowed);
			}
			break;
		}
	}
	if (fz_chance(&w->rng, 80))
		close(s->fd);
	m = (struct fz_cmsg){ .type = FZ_CM_END };
	fz_child_send(out, &m);
	_exit(0);
}

/* A child's report of a queued request */
static inline void fz_child_queued(struct fz_worker *w, struct fz_slot *s,
				   const struct fz_cmsg *m)
{
	struct fz_entry *e;

	pthread_mutex_lock(&fz.lock);
	e = fz_table_take(m->tag);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (e) {
			*e = (struct fz_entry){
				.tag = m->tag, .slot = s, .alg = m->alg,
				.flags = m->flags, .out_len = m->out_len,
				.dst_len = m->dst_len, .bytes = m->bytes,
				.queued = true, .loose = m->loose,
				.foreign = true, .worker = w->id,
				.call = w->call,
			};
			fz_table_add(e);
			s->outstanding++;
			s->bytes += e->bytes;
		}
		pthread_mutex_unlock(&fz.lock);
		return;
	}
	pthread_mutex_unlock(&fz.lock);
	/* Its completion came first */
	if (!e->early) {
		fz_fail(w, FZ_C_COMPLETION, "child's tag %#llx is in use",
			m->tag);
		return;
	}
	e->early = false;
	e->foreign = true;
	e->alg = m->alg;
	e->flags = m->flags;
	e->out_len = m->out_len;
	e->dst_len = m->dst_len;
	e->loose = m->loose;
	fz_verify(w, s, e, &e->early_c);
	free(e);
}

/* Collect the child @pid's reports until it ends, within FZ_CHILD_MS */
static inline void fz_child_collect(struct fz_worker *w, struct fz_slot *s, int in,
				    pid_t pid)
{
	long long end = fz_ms() + FZ_CHILD_MS;
	bool ended = false, exited = false;
	struct pollfd p = { .fd = in, .events = POLLIN };
	struct fz_cmsg m;
	int st;

	while (!ended || !exited) {
		poll(&p, 1, 20);
		while (read(in, &m, sizeof(m)) == sizeof(m)) {
			switch (m.type) {
			case FZ_CM_QUEUED:
				fz_child_queued(w, s, &m);
				break;
			case FZ_CM_COMPLETION:
				fz_complete(w, s, &m.c);
				break;
			case FZ_CM_FAIL:
				m.text[sizeof(m.text) - 1] = '\0';
				fz_fail(w, FZ_C_CALL, "child %d: %s", pid, m.text);
				break;
			default:
				ended = true;
			}
		}
		if (!exited && waitpid(pid, &st, WNOHANG) == pid) {
			exited = true;
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				fz_fail(w, FZ_C_CALL, "child %d died (status %#x)",
					pid, st);
			continue;
		}
		if (exited && !ended)
			break;
		if (fz_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fz_fail(w, FZ_C_HANG, "child %d did not finish within %d ms",
				pid, FZ_CHILD_MS);
			break;
		}
	}
}

static inline void fz_do_fork(struct fz_worker *w, struct fz_slot *s)
{
	const __u64 phantom = FZ_CHILD_REQS * 2 * (FZ_CHILD_LEN + 64);
	__u64 tags = FZ_TAG_CHILD |
		     (__u64)atomic_fetch_add(&fz.forks, 1) << 16;
	bool tracked = !s->wild;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return;
	fz_desc(w, "fork: a child uses file %u (slice %u) and closes it",
		s->idx, s->slice);
	if (tracked)
		pthread_rwlock_rdlock(&s->sess);
	pthread_mutex_lock(&fz.lock);
	s->outstanding += FZ_CHILD_REQS;
	s->bytes += phantom;
	s->reg += FZ_CHILD_REQS;
	s->reg_bytes += phantom;
	s->extra++;
	pthread_mutex_unlock(&fz.lock);

	pid = fork();
	if (!pid) {
		close(p[0]);
		fcntl(p[1], F_SETFL, 0);
		fz_child(w, s, p[1], tags);
	}
	close(p[1]);
	if (fz_check(w, NULL, false, pid < 0 ? errno : 0,
		     FZ_M(FZ_OK) | FZ_M(FZ_EAGAIN) | FZ_M(FZ_ENOMEM), "fork") &&
	    pid > 0)
		fz_child_collect(w, s, p[0], pid);
	close(p[0]);

	pthread_mutex_lock(&fz.lock);
	s->outstanding -= FZ_CHILD_REQS;
	s->bytes -= phantom;
	s->extra--;
	pthread_mutex_unlock(&fz.lock);
	if (tracked)
		pthread_rwlock_unlock(&s->sess);
}

#endif /* FUZZ_CHILD_H */
