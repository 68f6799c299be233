// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: sessions, the keys an open file sets up once for its requests.
 *
 * The kernel keeps its own copy of each key and never returns it. Requests
 * copy the key when they are queued, so a session may be freed while its
 * requests are outstanding. Keys are wiped when their session or its file
 * is closed.
 */
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vcrypt.h"
#include "vcrypt_user.h"

/**
 * struct vcrypt_session - a key set up with VCRYPT_IOC_SESSION_NEW
 * @alg: VCRYPT_ALG_*
 * @key_len: bytes of @key
 * @key: the key
 */
struct vcrypt_session {
	u32 alg;
	u32 key_len;
	u8 key[] __counted_by(key_len);
};

/* Wipes the key of @s and frees it. */
static void vcrypt_session_destroy(struct vcrypt_session *s)
{
	memzero_explicit(s->key, s->key_len);
	vcrypt_free_secret(NULL, s, struct_size(s, key, s->key_len));
}

/**
 * vcrypt_sessions_init() - set up the sessions of a new file
 * @ss: the sessions
 */
void vcrypt_sessions_init(struct vcrypt_sessions *ss)
{
	xa_init_flags(&ss->xa, XA_FLAGS_ALLOC1);
}

/**
 * vcrypt_sessions_destroy() - wipe and free all sessions of a file
 * @ss: the sessions, which nothing else uses any more
 */
void vcrypt_sessions_destroy(struct vcrypt_sessions *ss)
{
	struct vcrypt_session *s;
	unsigned long handle;

	xa_for_each(&ss->xa, handle, s)
		vcrypt_session_destroy(s);
	xa_destroy(&ss->xa);
}

/**
 * vcrypt_session_new() - VCRYPT_IOC_SESSION_NEW
 * @ss: the file's sessions
 * @caps: the card's VCRYPT_REG_CAPS
 * @usn: the caller's struct vcrypt_session_new; its handle is set
 *
 * The session becomes visible under its handle only once the handle has
 * been written back, and is never taken back afterwards: the handle is
 * first reserved (a NULL entry, which neither VCRYPT_IOC_SESSION_FREE nor a
 * request can see), then written to user space, and only then is the
 * session stored in it. A failed write releases the reservation, which
 * nothing else can have touched.
 *
 * Return: 0; -EINVAL for a non-zero flag or reserved field, an unknown
 * algorithm or a bad key length; -EOPNOTSUPP for an algorithm the card
 * lacks; -ENOSPC if the file has VCRYPT_SESSIONS_MAX sessions; -EFAULT;
 * -ENOMEM.
 */
int vcrypt_session_new(struct vcrypt_sessions *ss, u32 caps,
		       struct vcrypt_session_new __user *usn)
{
	struct vcrypt_session_new sn;
	struct vcrypt_session *s;
	u32 handle;
	int ret;

	if (copy_from_user(&sn, usn, sizeof(sn)))
		return -EFAULT;
	if (sn.flags || memchr_inv(sn.reserved, 0, sizeof(sn.reserved)))
		return -EINVAL;
	ret = vcrypt_user_check_alg(caps, sn.alg);
	if (ret)
		return ret;
	ret = vcrypt_user_check_key(sn.alg, sn.key_len);
	if (ret)
		return ret;

	s = kmalloc(struct_size(s, key, sn.key_len), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->alg = sn.alg;
	s->key_len = sn.key_len;
	if (copy_from_user(s->key, u64_to_user_ptr(sn.key), sn.key_len)) {
		ret = -EFAULT;
		goto err_free;
	}

	ret = xa_alloc(&ss->xa, &handle, NULL, XA_LIMIT(1, VCRYPT_SESSIONS_MAX),
		       GFP_KERNEL_ACCOUNT);
	if (ret) {
		if (ret == -EBUSY)
			ret = -ENOSPC;
		goto err_free;
	}
	if (put_user(handle, &usn->handle)) {
		xa_release(&ss->xa, handle);
		ret = -EFAULT;
		goto err_free;
	}
	/* The entry exists: storing into it allocates nothing, cannot fail. */
	xa_store(&ss->xa, handle, s, GFP_KERNEL_ACCOUNT);
	return 0;

err_free:
	vcrypt_session_destroy(s);
	return ret;
}

/**
 * vcrypt_session_free() - VCRYPT_IOC_SESSION_FREE
 * @ss: the file's sessions
 * @uhandle: the caller's handle
 *
 * A handle that VCRYPT_IOC_SESSION_NEW has reserved but not yet filled is
 * no session: it is left alone.
 *
 * Return: 0; -ENOENT if the file has no such session; -EFAULT.
 */
int vcrypt_session_free(struct vcrypt_sessions *ss, u32 __user *uhandle)
{
	struct vcrypt_session *s;
	u32 handle;

	if (get_user(handle, uhandle))
		return -EFAULT;
	xa_lock(&ss->xa);
	s = xa_load(&ss->xa, handle);
	if (s)
		__xa_erase(&ss->xa, handle);
	xa_unlock(&ss->xa);
	if (!s)
		return -ENOENT;
	vcrypt_session_destroy(s);
	return 0;
}

/**
 * vcrypt_session_key() - copy the key of a session into a command
 * @ss: the file's sessions
 * @handle: the session
 * @cmd: the command; its key and key length are set
 * @alg: set to the session's algorithm
 *
 * Return: 0, or -ENOENT if the file has no such session.
 */
int vcrypt_session_key(struct vcrypt_sessions *ss, u32 handle,
		       struct vcrypt_cmd *cmd, u32 *alg)
{
	struct vcrypt_session *s;

	xa_lock(&ss->xa);
	s = xa_load(&ss->xa, handle);
	if (s) {
		*alg = s->alg;
		cmd->key_len = s->key_len;
		memcpy(cmd->key, s->key, s->key_len);
	}
	xa_unlock(&ss->xa);
	return s ? 0 : -ENOENT;
}
