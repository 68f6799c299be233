// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: freeing the memory that held a tenant's secrets.
 *
 * Every object that held a key or an IV of a tenant (a session, a file
 * request) is wiped by its owner and then freed here, and only here: the
 * KUnit suite vcrypt_secrets intercepts this function to check that what
 * is freed holds no byte of the secrets any more.
 */
#include <linux/slab.h>
#include <kunit/static_stub.h>

#include "vcrypt.h"

/**
 * vcrypt_free_secret() - free an object whose secrets were wiped
 * @cache: the slab cache of @obj, or NULL for memory from kmalloc()
 * @obj: the object; its owner has wiped the keys and IVs it held
 * @size: the size @obj was allocated with: the bytes that must hold no
 *	secret any more (what the KUnit suite checks)
 */
void vcrypt_free_secret(struct kmem_cache *cache, void *obj, size_t size)
{
	KUNIT_STATIC_STUB_REDIRECT(vcrypt_free_secret, cache, obj, size);

	if (cache)
		kmem_cache_free(cache, obj);
	else
		kfree(obj);
}
