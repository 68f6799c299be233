// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite vcrypt_secrets: a tenant's keys and IVs are wiped before the
 * memory that held them is freed.
 *
 * The tests drive the character device's file operations, as a tenant's
 * system calls would, on a slice of a scheduler that has no card and
 * never dispatches: sessions are set up and freed, requests are refused,
 * fail on a bad pointer, or are queued and cancelled by close(2). Every
 * object that held a secret is freed through vcrypt_free_secret(), which
 * the tests replace by a stub: it fails the test if any 8 bytes of the
 * test's key or IV are still in the object, and counts the calls, which
 * each test checks against the number of objects it made hold a secret.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/test-bug.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vcrypt.h>

#include "../vcrypt.h"
#include "../vcrypt_sched.h"
#include "../vcrypt_user.h"

#define SECRET_WINDOW	8	/* bytes of a secret that count as a leak */

/* Offsets in the test's user memory */
#define U_SESSION	0
#define U_KEY		256
#define U_IV		512
#define U_REQUEST	1024
#define U_SUBMIT	1536
#define U_OP		2048
#define U_HANDLE	3072
#define U_SRC		PAGE_SIZE
#define U_DST		(2 * PAGE_SIZE)
#define U_PAGES		3
/* A user address that no mapping can have: below mmap_min_addr */
#define U_UNMAPPED	PAGE_SIZE

struct secrets_env {
	struct vcrypt_sched *sched;
	struct vcrypt_slice *slice;
	struct inode inode;
	struct file file;
	bool open;
	unsigned long user;
	u8 key[32];
	u8 iv[16];
	unsigned int freed;
};

/* Whether @size bytes at @obj hold SECRET_WINDOW bytes of @secret */
static bool secrets_found(const u8 *obj, size_t size, const u8 *secret,
			  size_t len)
{
	size_t i, j;

	for (i = 0; i + SECRET_WINDOW <= len; i++)
		for (j = 0; j + SECRET_WINDOW <= size; j++)
			if (!memcmp(obj + j, secret + i, SECRET_WINDOW))
				return true;
	return false;
}

/* Replaces vcrypt_free_secret(): checks the object, counts, frees it */
static void secrets_free_stub(struct kmem_cache *cache, void *obj,
			      size_t size)
{
	struct kunit *test = kunit_get_current_test();
	struct secrets_env *env = test->priv;

	env->freed++;
	KUNIT_EXPECT_FALSE_MSG(test, secrets_found(obj, size, env->key,
						   sizeof(env->key)),
			       "an object of %zu bytes is freed with the key in it",
			       size);
	KUNIT_EXPECT_FALSE_MSG(test, secrets_found(obj, size, env->iv,
						   sizeof(env->iv)),
			       "an object of %zu bytes is freed with the IV in it",
			       size);
	if (cache)
		kmem_cache_free(cache, obj);
	else
		kfree(obj);
}

static void secrets_slice_release(struct device *dev)
{
	struct vcrypt_slice *slice = container_of(dev, struct vcrypt_slice,
						  dev);

	vcrypt_sched_put(slice->sched);
	kfree(slice);
}

/*
 * A scheduler with no card and no thread, which never dispatches (room
 * for no job in flight), and a slice of it.
 */
static int secrets_init(struct kunit *test)
{
	struct secrets_env *env;
	unsigned int i;

	env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	if (!env)
		return -ENOMEM;
	test->priv = env;
	for (i = 0; i < sizeof(env->key); i++)
		env->key[i] = 0x80 | (i * 37 + 11);
	for (i = 0; i < sizeof(env->iv); i++)
		env->iv[i] = 0x40 | (i * 53 + 7);

	env->user = kunit_vm_mmap(test, NULL, 0, U_PAGES * PAGE_SIZE,
				  PROT_READ | PROT_WRITE,
				  MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (!env->user)
		return -ENOMEM;
	if (copy_to_user((void __user *)env->user + U_KEY, env->key,
			 sizeof(env->key)) ||
	    copy_to_user((void __user *)env->user + U_IV, env->iv,
			 sizeof(env->iv)))
		return -EFAULT;

	env->sched = kzalloc(sizeof(*env->sched), GFP_KERNEL);
	if (!env->sched)
		return -ENOMEM;
	spin_lock_init(&env->sched->lock);
	kref_init(&env->sched->ref);
	init_waitqueue_head(&env->sched->wait);
	env->sched->slices.root = RB_ROOT_CACHED;
	env->sched->alg = VCRYPT_SCHED_WFQ;
	env->sched->inflight_us = VCRYPT_INFLIGHT_US_DEFAULT;
	env->sched->caps = VCRYPT_USER_ALGS;
	env->sched->max_data = VCRYPT_HW_DATA_MAX;
	env->sched->max_sge = VCRYPT_HW_SGE_MAX;
	vcrypt_sched_set_model(env->sched, 0, 0);

	env->slice = kzalloc(sizeof(*env->slice), GFP_KERNEL);
	if (!env->slice) {
		vcrypt_sched_put(env->sched);
		env->sched = NULL;
		return -ENOMEM;
	}
	vcrypt_sched_slice_init(env->slice, env->sched);
	/* what a slice of a card takes (vcrypt_slice.c), or nothing queues */
	env->slice->max_bytes = VCRYPT_MAX_BYTES_DEFAULT;
	device_initialize(&env->slice->dev);
	env->slice->dev.release = secrets_slice_release;
	env->inode.i_cdev = &env->slice->cdev;
	return 0;
}

static void secrets_close(struct kunit *test)
{
	struct secrets_env *env = test->priv;

	if (env->open)
		vcrypt_fops.release(&env->inode, &env->file);
	env->open = false;
}

static void secrets_exit(struct kunit *test)
{
	struct secrets_env *env = test->priv;

	if (!env)
		return;
	secrets_close(test);
	if (env->slice)
		put_device(&env->slice->dev);
	if (env->sched)
		vcrypt_sched_put(env->sched);
}

/* Opens the slice's device, with the stub in place of the free */
static void secrets_open(struct kunit *test)
{
	struct secrets_env *env = test->priv;

	KUNIT_ASSERT_EQ(test, vcrypt_fops.open(&env->inode, &env->file), 0);
	env->open = true;
	kunit_activate_static_stub(test, vcrypt_free_secret,
				   secrets_free_stub);
}

static long secrets_ioctl(struct kunit *test, unsigned int cmd,
			  unsigned long off)
{
	struct secrets_env *env = test->priv;

	return vcrypt_fops.unlocked_ioctl(&env->file, cmd, env->user + off);
}

static void __user *secrets_uptr(struct kunit *test, unsigned long off)
{
	struct secrets_env *env = test->priv;

	return (void __user *)(env->user + off);
}

/* A session of the test's AES-256 key; returns its handle */
static u32 secrets_session(struct kunit *test)
{
	struct secrets_env *env = test->priv;
	struct vcrypt_session_new sn = {
		.alg = VCRYPT_ALG_AES_CBC,
		.key = env->user + U_KEY,
		.key_len = sizeof(env->key),
	};

	KUNIT_ASSERT_EQ(test, copy_to_user(secrets_uptr(test, U_SESSION), &sn,
					   sizeof(sn)), 0);
	KUNIT_ASSERT_EQ(test, secrets_ioctl(test, VCRYPT_IOC_SESSION_NEW,
					    U_SESSION), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&sn, secrets_uptr(test, U_SESSION),
					     sizeof(sn)), 0);
	KUNIT_ASSERT_NE(test, sn.handle, 0);
	return sn.handle;
}

/* Submits one AES-CBC request of @src_len on @session */
static long secrets_submit(struct kunit *test, u32 session, u32 src_len)
{
	struct secrets_env *env = test->priv;
	struct vcrypt_request r = {
		.tag = 1,
		.session = session,
		.iv = env->user + U_IV,
		.src = env->user + U_SRC,
		.dst = env->user + U_DST,
		.iv_len = sizeof(env->iv),
		.src_len = src_len,
		.dst_len = src_len,
	};
	struct vcrypt_submit sub = {
		.reqs = env->user + U_REQUEST,
		.count = 1,
	};

	KUNIT_ASSERT_EQ(test, copy_to_user(secrets_uptr(test, U_REQUEST), &r,
					   sizeof(r)), 0);
	KUNIT_ASSERT_EQ(test, copy_to_user(secrets_uptr(test, U_SUBMIT), &sub,
					   sizeof(sub)), 0);
	return secrets_ioctl(test, VCRYPT_IOC_SUBMIT, U_SUBMIT);
}

/* VCRYPT_IOC_SESSION_FREE frees the session with its key wiped. */
static void secrets_session_free(struct kunit *test)
{
	struct secrets_env *env = test->priv;
	u32 handle;

	secrets_open(test);
	handle = secrets_session(test);
	KUNIT_EXPECT_EQ(test, env->freed, 0);
	KUNIT_ASSERT_EQ(test, put_user(handle, (u32 __user *)
				       secrets_uptr(test, U_HANDLE)), 0);
	KUNIT_EXPECT_EQ(test, secrets_ioctl(test, VCRYPT_IOC_SESSION_FREE,
					    U_HANDLE), 0);
	KUNIT_EXPECT_EQ(test, env->freed, 1);
	secrets_close(test);
	KUNIT_EXPECT_EQ(test, env->freed, 1);
}

/* close(2) frees every session of the file with its key wiped. */
static void secrets_close_sessions(struct kunit *test)
{
	struct secrets_env *env = test->priv;
	unsigned int i;

	secrets_open(test);
	for (i = 0; i < 3; i++)
		secrets_session(test);
	secrets_close(test);
	KUNIT_EXPECT_EQ(test, env->freed, 3);
}

/*
 * A session refused after its key was copied (the file has the most
 * sessions it may have) is freed with its key wiped; so is one whose key
 * cannot be read.
 */
static void secrets_session_refused(struct kunit *test)
{
	struct secrets_env *env = test->priv;
	struct vcrypt_session_new sn = {
		.alg = VCRYPT_ALG_AES_CBC,
		.key = U_UNMAPPED,
		.key_len = sizeof(env->key),
	};
	unsigned int i;

	secrets_open(test);
	for (i = 0; i < VCRYPT_SESSIONS_MAX; i++)
		secrets_session(test);
	KUNIT_ASSERT_EQ(test, copy_to_user(secrets_uptr(test, U_SESSION), &sn,
					   sizeof(sn)), 0);
	KUNIT_EXPECT_EQ(test, secrets_ioctl(test, VCRYPT_IOC_SESSION_NEW,
					    U_SESSION), -EFAULT);
	KUNIT_EXPECT_EQ(test, env->freed, 1);

	sn.key = env->user + U_KEY;
	KUNIT_ASSERT_EQ(test, copy_to_user(secrets_uptr(test, U_SESSION), &sn,
					   sizeof(sn)), 0);
	KUNIT_EXPECT_EQ(test, secrets_ioctl(test, VCRYPT_IOC_SESSION_NEW,
					    U_SESSION), -ENOSPC);
	KUNIT_EXPECT_EQ(test, env->freed, 2);
	secrets_close(test);
	KUNIT_EXPECT_EQ(test, env->freed, 2 + VCRYPT_SESSIONS_MAX);
}

/* A request refused after its session's key was copied into it */
static void secrets_request_refused(struct kunit *test)
{
	struct secrets_env *env = test->priv;
	u32 handle;

	secrets_open(test);
	handle = secrets_session(test);
	/* AES-CBC of 15 bytes: not a whole block */
	KUNIT_EXPECT_EQ(test, secrets_submit(test, handle, 15), -EINVAL);
	KUNIT_EXPECT_EQ(test, env->freed, 1);
	secrets_close(test);
	KUNIT_EXPECT_EQ(test, env->freed, 2);
}

/*
 * VCRYPT_IOC_OP whose source cannot be pinned, after its key and IV were
 * copied in: the request is freed with both wiped.
 */
static void secrets_op_fault(struct kunit *test)
{
	struct secrets_env *env = test->priv;
	struct vcrypt_op op = {
		.alg = VCRYPT_ALG_AES_CBC,
		.key = env->user + U_KEY,
		.iv = env->user + U_IV,
		.src = U_UNMAPPED,
		.dst = env->user + U_DST,
		.key_len = sizeof(env->key),
		.iv_len = sizeof(env->iv),
		.src_len = 64,
		.dst_len = 64,
	};

	secrets_open(test);
	KUNIT_ASSERT_EQ(test, copy_to_user(secrets_uptr(test, U_OP), &op,
					   sizeof(op)), 0);
	KUNIT_EXPECT_EQ(test, secrets_ioctl(test, VCRYPT_IOC_OP, U_OP),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, env->freed, 1);
	secrets_close(test);
	KUNIT_EXPECT_EQ(test, env->freed, 1);
}

/*
 * Requests queued (their pages pinned, key and IV in their commands) and
 * cancelled by close(2): freed with key and IV wiped, as is the session.
 */
static void secrets_request_cancelled(struct kunit *test)
{
	struct secrets_env *env = test->priv;
	u32 handle;

	secrets_open(test);
	handle = secrets_session(test);
	KUNIT_EXPECT_EQ(test, secrets_submit(test, handle, 64), 0);
	KUNIT_EXPECT_EQ(test, secrets_submit(test, handle, 4096), 0);
	KUNIT_EXPECT_EQ(test, env->freed, 0);
	secrets_close(test);
	KUNIT_EXPECT_EQ(test, env->freed, 3);
}

static struct kunit_case secrets_cases[] = {
	KUNIT_CASE(secrets_session_free),
	KUNIT_CASE(secrets_close_sessions),
	KUNIT_CASE(secrets_session_refused),
	KUNIT_CASE(secrets_request_refused),
	KUNIT_CASE(secrets_op_fault),
	KUNIT_CASE(secrets_request_cancelled),
	{}
};

static struct kunit_suite secrets_suite = {
	.name = "vcrypt_secrets",
	.init = secrets_init,
	.exit = secrets_exit,
	.test_cases = secrets_cases,
};

kunit_test_suite(secrets_suite);
