/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vcrypt crypto card: validation and execution of request descriptors.
 *
 * AES-CBC, AES-CTR, the hashes and HMAC use QEMU's crypto layer. AES-GCM
 * and AES-XTS (with ciphertext stealing, which QEMU's XTS lacks) use
 * nettle directly. All guest memory is accessed with the PCI DMA API, so
 * an IOMMU in front of the card translates and checks every access.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/bswap.h"
#include "qapi/error.h"
#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "crypto/hmac.h"
#include <nettle/aes.h>
#include <nettle/gcm.h>
#include <nettle/xts.h>
#include <nettle/memops.h>
#include "vcrypt-ops.h"

#define VCRYPT_AES_BLOCK        16
#define VCRYPT_GCM_IV_LEN       12
#define VCRYPT_SHA256_LEN       32
#define VCRYPT_SHA512_LEN       64

/* A source or destination: a flat buffer or the entries of an SG table */
typedef struct VCryptBuf {
    struct vcrypt_hw_sge *sge;  /* NULL: flat buffer at addr */
    unsigned nsge;
    uint64_t addr;
    uint32_t len;
} VCryptBuf;

/* What one descriptor needs during its execution */
typedef struct VCryptJob {
    PCIDevice *pdev;
    const VCryptDesc *d;
    const VCryptOmit *omit;
    bool decrypt;
    VCryptBuf src;
    VCryptBuf dst;
    uint8_t key[VCRYPT_HW_KEY_MAX];
    uint8_t iv[VCRYPT_AES_BLOCK];
    uint8_t *in;                /* src_len bytes of source */
    uint8_t *out;               /* out_len bytes of result */
    uint32_t out_len;
} VCryptJob;

void vcrypt_desc_load(VCryptDesc *d, const struct vcrypt_hw_desc *raw)
{
    d->cookie = le64_to_cpu(raw->cookie);
    d->op = raw->op;
    d->flags = raw->flags;
    d->key_len = raw->key_len;
    d->iv_len = raw->iv_len;
    d->tag_len = raw->tag_len;
    memcpy(d->rsvd0, raw->rsvd0, sizeof(d->rsvd0));
    d->key_addr = le64_to_cpu(raw->key_addr);
    d->iv_addr = le64_to_cpu(raw->iv_addr);
    d->src_addr = le64_to_cpu(raw->src_addr);
    d->dst_addr = le64_to_cpu(raw->dst_addr);
    d->src_len = le32_to_cpu(raw->src_len);
    d->dst_len = le32_to_cpu(raw->dst_len);
    d->aad_len = le32_to_cpu(raw->aad_len);
    d->src_nsge = le16_to_cpu(raw->src_nsge);
    d->dst_nsge = le16_to_cpu(raw->dst_nsge);
}

/* Validation, in the order the specification gives */

static uint16_t vcrypt_check_desc(const VCryptDesc *d)
{
    if (d->rsvd0[0] || d->rsvd0[1] || d->rsvd0[2] ||
        d->src_nsge > VCRYPT_HW_SGE_MAX || d->dst_nsge > VCRYPT_HW_SGE_MAX) {
        return VCRYPT_HW_ST_BAD_DESC;
    }
    return VCRYPT_HW_ST_OK;
}

static bool vcrypt_is_hash(uint8_t op)
{
    return op == VCRYPT_HW_OP_SHA256 || op == VCRYPT_HW_OP_SHA512 ||
           op == VCRYPT_HW_OP_HMAC_SHA256;
}

static uint16_t vcrypt_check_op(const VCryptDesc *d)
{
    if (d->op >= 32 || !(VCRYPT_CAPS & (1u << d->op)) ||
        (d->flags & ~VCRYPT_HW_DF_MASK) ||
        (vcrypt_is_hash(d->op) && (d->flags & VCRYPT_HW_DF_DECRYPT))) {
        return VCRYPT_HW_ST_BAD_OP;
    }
    return VCRYPT_HW_ST_OK;
}

static uint16_t vcrypt_check_key(const VCryptDesc *d)
{
    bool ok;

    switch (d->op) {
    case VCRYPT_HW_OP_AES_CBC:
    case VCRYPT_HW_OP_AES_CTR:
    case VCRYPT_HW_OP_AES_GCM:
        ok = d->key_len == 16 || d->key_len == 24 || d->key_len == 32;
        break;
    case VCRYPT_HW_OP_AES_XTS:
        ok = d->key_len == 32 || d->key_len == 48 || d->key_len == 64;
        break;
    case VCRYPT_HW_OP_HMAC_SHA256:
        ok = d->key_len <= VCRYPT_HW_KEY_MAX;
        break;
    default:
        ok = d->key_len == 0;
        break;
    }
    return ok ? VCRYPT_HW_ST_OK : VCRYPT_HW_ST_BAD_KEY;
}

static bool vcrypt_gcm_tag_len_ok(uint8_t tag_len)
{
    return tag_len == 4 || tag_len == 8 || (tag_len >= 12 && tag_len <= 16);
}

/* Length rules of GCM; sets the length of the result */
static bool vcrypt_gcm_len_ok(const VCryptDesc *d, bool decrypt,
                              uint32_t *out_len)
{
    uint64_t need = (uint64_t)d->aad_len + (decrypt ? d->tag_len : 0);

    if (d->iv_len != VCRYPT_GCM_IV_LEN || !vcrypt_gcm_tag_len_ok(d->tag_len) ||
        d->src_len < need) {
        return false;
    }
    *out_len = decrypt ? d->src_len - d->tag_len : d->src_len + d->tag_len;
    return d->dst_len >= *out_len;
}

/* Length rules of every op; sets the length of the result */
static uint16_t vcrypt_check_len(const VCryptDesc *d, uint32_t *out_len)
{
    bool decrypt = d->flags & VCRYPT_HW_DF_DECRYPT;
    bool ok;

    if (d->src_len > VCRYPT_HW_DATA_MAX) {
        return VCRYPT_HW_ST_BAD_LEN;
    }
    if (d->op == VCRYPT_HW_OP_AES_GCM) {
        ok = vcrypt_gcm_len_ok(d, decrypt, out_len);
        return ok ? VCRYPT_HW_ST_OK : VCRYPT_HW_ST_BAD_LEN;
    }
    if (d->aad_len || d->tag_len) {
        return VCRYPT_HW_ST_BAD_LEN;
    }

    switch (d->op) {
    case VCRYPT_HW_OP_AES_CBC:
        ok = d->iv_len == VCRYPT_AES_BLOCK &&
             !(d->src_len % VCRYPT_AES_BLOCK);
        *out_len = d->src_len;
        break;
    case VCRYPT_HW_OP_AES_CTR:
        ok = d->iv_len == VCRYPT_AES_BLOCK;
        *out_len = d->src_len;
        break;
    case VCRYPT_HW_OP_AES_XTS:
        ok = d->iv_len == VCRYPT_AES_BLOCK && d->src_len >= VCRYPT_AES_BLOCK;
        *out_len = d->src_len;
        break;
    case VCRYPT_HW_OP_SHA512:
        ok = d->iv_len == 0;
        *out_len = VCRYPT_SHA512_LEN;
        break;
    default: /* SHA-256, HMAC-SHA-256 */
        ok = d->iv_len == 0;
        *out_len = VCRYPT_SHA256_LEN;
        break;
    }
    ok = ok && d->dst_len >= *out_len;
    return ok ? VCRYPT_HW_ST_OK : VCRYPT_HW_ST_BAD_LEN;
}

/* DMA */

/* Describe a source or destination; reads and checks its SG table */
static uint16_t vcrypt_buf_load(PCIDevice *pdev, VCryptBuf *b, uint64_t addr,
                                uint16_t nsge, uint32_t len)
{
    uint64_t sum = 0;
    unsigned i;

    b->addr = addr;
    b->len = len;
    b->nsge = nsge;
    if (!nsge) {
        return VCRYPT_HW_ST_OK;
    }
    b->sge = g_new(struct vcrypt_hw_sge, nsge);
    if (pci_dma_read(pdev, addr, b->sge, nsge * sizeof(*b->sge)) !=
        MEMTX_OK) {
        return VCRYPT_HW_ST_DMA;
    }
    for (i = 0; i < nsge; i++) {
        if (!le32_to_cpu(b->sge[i].len) || b->sge[i].rsvd) {
            return VCRYPT_HW_ST_BAD_DESC;
        }
        sum += le32_to_cpu(b->sge[i].len);
    }
    return sum == len ? VCRYPT_HW_ST_OK : VCRYPT_HW_ST_BAD_DESC;
}

/* Read the first @len bytes of @b into @data */
static bool vcrypt_buf_read(PCIDevice *pdev, const VCryptBuf *b,
                            uint8_t *data, uint32_t len)
{
    unsigned i;

    if (!b->sge) {
        return !len || pci_dma_read(pdev, b->addr, data, len) == MEMTX_OK;
    }
    for (i = 0; i < b->nsge && len; i++) {
        uint32_t n = MIN(len, le32_to_cpu(b->sge[i].len));

        if (pci_dma_read(pdev, le64_to_cpu(b->sge[i].addr), data, n) !=
            MEMTX_OK) {
            return false;
        }
        data += n;
        len -= n;
    }
    return true;
}

/* Write bytes @from to @to of @data to the same offsets of @b */
static bool vcrypt_buf_write(PCIDevice *pdev, const VCryptBuf *b,
                             const uint8_t *data, uint32_t from, uint32_t to)
{
    uint64_t pos = 0;
    unsigned i;

    if (from >= to) {
        return true;
    }
    if (!b->sge) {
        return pci_dma_write(pdev, b->addr + from, data + from,
                             to - from) == MEMTX_OK;
    }
    for (i = 0; i < b->nsge && pos < to; i++) {
        uint32_t len = le32_to_cpu(b->sge[i].len);
        uint64_t start = MAX(pos, from), end = MIN(pos + len, to);

        if (start < end &&
            pci_dma_write(pdev, le64_to_cpu(b->sge[i].addr) + (start - pos),
                          data + start, end - start) != MEMTX_OK) {
            return false;
        }
        pos += len;
    }
    return true;
}

static bool vcrypt_read(PCIDevice *pdev, uint64_t addr, void *buf,
                        uint32_t len)
{
    return !len || pci_dma_read(pdev, addr, buf, len) == MEMTX_OK;
}

/* Fetch key, IV and source */
static uint16_t vcrypt_job_read(VCryptJob *j)
{
    const VCryptDesc *d = j->d;

    if (!vcrypt_read(j->pdev, d->key_addr, j->key, d->key_len) ||
        !vcrypt_read(j->pdev, d->iv_addr, j->iv, d->iv_len) ||
        !vcrypt_buf_read(j->pdev, &j->src, j->in, d->src_len)) {
        return VCRYPT_HW_ST_DMA;
    }
    return VCRYPT_HW_ST_OK;
}

/* Operations */

static QCryptoCipherAlgo vcrypt_aes_algo(size_t key_len)
{
    switch (key_len) {
    case 16:
        return QCRYPTO_CIPHER_ALGO_AES_128;
    case 24:
        return QCRYPTO_CIPHER_ALGO_AES_192;
    default:
        return QCRYPTO_CIPHER_ALGO_AES_256;
    }
}

/* Add @n to a 128-bit big-endian counter */
static void vcrypt_ctr_add(uint8_t *ctr, uint64_t n)
{
    int i;

    for (i = VCRYPT_AES_BLOCK - 1; i >= 0 && n; i--) {
        n += ctr[i];
        ctr[i] = n;
        n >>= 8;
    }
}

/*
 * AES-CBC and AES-CTR with QEMU's cipher layer. CTR of a partial last block
 * uses the keystream of a whole one: the bounce buffers are padded to a
 * multiple of the block size. Leaves the next IV in j->iv.
 */
static uint16_t vcrypt_run_cbc_ctr(VCryptJob *j)
{
    const VCryptDesc *d = j->d;
    QCryptoCipherMode mode = d->op == VCRYPT_HW_OP_AES_CBC ?
                             QCRYPTO_CIPHER_MODE_CBC : QCRYPTO_CIPHER_MODE_CTR;
    size_t len = ROUND_UP(d->src_len, VCRYPT_AES_BLOCK);
    g_autoptr(QCryptoCipher) cipher = NULL;
    Error *err = NULL;
    int ret;

    if (!len) {
        return VCRYPT_HW_ST_OK;
    }
    cipher = qcrypto_cipher_new(vcrypt_aes_algo(d->key_len), mode,
                                j->key, d->key_len, &err);
    if (!cipher ||
        qcrypto_cipher_setiv(cipher, j->iv, VCRYPT_AES_BLOCK, &err) < 0) {
        goto fail;
    }
    if (j->decrypt) {
        ret = qcrypto_cipher_decrypt(cipher, j->in, j->out, len, &err);
    } else {
        ret = qcrypto_cipher_encrypt(cipher, j->in, j->out, len, &err);
    }
    if (ret < 0) {
        goto fail;
    }

    if (mode == QCRYPTO_CIPHER_MODE_CTR) {
        vcrypt_ctr_add(j->iv, len / VCRYPT_AES_BLOCK);
    } else {
        /* The chaining value is the last ciphertext block */
        memcpy(j->iv, (j->decrypt ? j->in : j->out) + len - VCRYPT_AES_BLOCK,
               VCRYPT_AES_BLOCK);
    }
    return VCRYPT_HW_ST_OK;

fail:
    qemu_log_mask(LOG_UNIMP, "vcrypt: cipher: %s\n", error_get_pretty(err));
    error_free(err);
    return VCRYPT_HW_ST_BAD_KEY;
}

#define VCRYPT_DEFINE_XTS(bits)                                             \
static void vcrypt_xts##bits(const uint8_t *key, const uint8_t *tweak,      \
                             bool decrypt, size_t len, uint8_t *dst,        \
                             const uint8_t *src)                            \
{                                                                           \
    struct aes##bits##_ctx data_key, tweak_key;                             \
                                                                            \
    aes##bits##_set_encrypt_key(&tweak_key, key + bits / 8);                \
    if (decrypt) {                                                          \
        aes##bits##_set_decrypt_key(&data_key, key);                        \
        xts_decrypt_message(&data_key, &tweak_key,                          \
                            (nettle_cipher_func *)aes##bits##_decrypt,      \
                            (nettle_cipher_func *)aes##bits##_encrypt,      \
                            tweak, len, dst, src);                          \
    } else {                                                                \
        aes##bits##_set_encrypt_key(&data_key, key);                        \
        xts_encrypt_message(&data_key, &tweak_key,                          \
                            (nettle_cipher_func *)aes##bits##_encrypt,      \
                            tweak, len, dst, src);                          \
    }                                                                       \
}

VCRYPT_DEFINE_XTS(128)
VCRYPT_DEFINE_XTS(192)
VCRYPT_DEFINE_XTS(256)

/* AES-XTS (IEEE 1619) with ciphertext stealing, any length >= 16 */
static uint16_t vcrypt_run_xts(VCryptJob *j)
{
    const VCryptDesc *d = j->d;

    switch (d->key_len) {
    case 32:
        vcrypt_xts128(j->key, j->iv, j->decrypt, d->src_len, j->out, j->in);
        break;
    case 48:
        vcrypt_xts192(j->key, j->iv, j->decrypt, d->src_len, j->out, j->in);
        break;
    default:
        vcrypt_xts256(j->key, j->iv, j->decrypt, d->src_len, j->out, j->in);
        break;
    }
    return VCRYPT_HW_ST_OK;
}

#define VCRYPT_DEFINE_GCM(bits)                                             \
static void vcrypt_gcm##bits(const uint8_t *key, const uint8_t *iv,         \
                             const uint8_t *aad, size_t aad_len,            \
                             bool decrypt, size_t len, uint8_t *dst,        \
                             const uint8_t *src, uint8_t *tag,              \
                             size_t tag_len)                                \
{                                                                           \
    struct gcm_aes##bits##_ctx ctx;                                         \
                                                                            \
    gcm_aes##bits##_set_key(&ctx, key);                                     \
    gcm_aes##bits##_set_iv(&ctx, VCRYPT_GCM_IV_LEN, iv);                    \
    gcm_aes##bits##_update(&ctx, aad_len, aad);                             \
    if (decrypt) {                                                          \
        gcm_aes##bits##_decrypt(&ctx, len, dst, src);                       \
    } else {                                                                \
        gcm_aes##bits##_encrypt(&ctx, len, dst, src);                       \
    }                                                                       \
    gcm_aes##bits##_digest(&ctx, tag_len, tag);                             \
}

VCRYPT_DEFINE_GCM(128)
VCRYPT_DEFINE_GCM(192)
VCRYPT_DEFINE_GCM(256)

/*
 * AES-GCM. Encrypt: in = AAD || PT, out = AAD || CT || TAG.
 * Decrypt: in = AAD || CT || TAG, out = AAD || PT once the tag matched.
 */
static uint16_t vcrypt_run_gcm(VCryptJob *j)
{
    const VCryptDesc *d = j->d;
    size_t aad = d->aad_len;
    size_t len = d->src_len - aad - (j->decrypt ? d->tag_len : 0);
    uint8_t tag[VCRYPT_AES_BLOCK];

    switch (d->key_len) {
    case 16:
        vcrypt_gcm128(j->key, j->iv, j->in, aad, j->decrypt, len,
                      j->out + aad, j->in + aad, tag, d->tag_len);
        break;
    case 24:
        vcrypt_gcm192(j->key, j->iv, j->in, aad, j->decrypt, len,
                      j->out + aad, j->in + aad, tag, d->tag_len);
        break;
    default:
        vcrypt_gcm256(j->key, j->iv, j->in, aad, j->decrypt, len,
                      j->out + aad, j->in + aad, tag, d->tag_len);
        break;
    }
    memcpy(j->out, j->in, aad);
    if (!j->decrypt) {
        memcpy(j->out + aad + len, tag, d->tag_len);
        return VCRYPT_HW_ST_OK;
    }
    if (!memeql_sec(tag, j->in + aad + len, d->tag_len)) {
        return VCRYPT_HW_ST_AUTH;
    }
    return VCRYPT_HW_ST_OK;
}

static uint16_t vcrypt_run_hash(VCryptJob *j)
{
    const VCryptDesc *d = j->d;
    size_t out_len = j->out_len;
    Error *err = NULL;
    int ret;

    if (d->op == VCRYPT_HW_OP_HMAC_SHA256) {
        g_autoptr(QCryptoHmac) hmac =
            qcrypto_hmac_new(QCRYPTO_HASH_ALGO_SHA256, j->key, d->key_len,
                             &err);

        ret = hmac ? qcrypto_hmac_bytes(hmac, (const char *)j->in,
                                        d->src_len, &j->out, &out_len,
                                        &err) : -1;
    } else {
        QCryptoHashAlgo alg = d->op == VCRYPT_HW_OP_SHA256 ?
                              QCRYPTO_HASH_ALGO_SHA256 :
                              QCRYPTO_HASH_ALGO_SHA512;

        ret = qcrypto_hash_bytes(alg, (const char *)j->in, d->src_len,
                                 &j->out, &out_len, &err);
    }
    if (ret < 0) {
        qemu_log_mask(LOG_UNIMP, "vcrypt: hash: %s\n", error_get_pretty(err));
        error_free(err);
        return VCRYPT_HW_ST_BAD_OP;
    }
    return VCRYPT_HW_ST_OK;
}

static uint16_t vcrypt_compute(VCryptJob *j)
{
    switch (j->d->op) {
    case VCRYPT_HW_OP_AES_CBC:
    case VCRYPT_HW_OP_AES_CTR:
        return vcrypt_run_cbc_ctr(j);
    case VCRYPT_HW_OP_AES_XTS:
        return vcrypt_run_xts(j);
    case VCRYPT_HW_OP_AES_GCM:
        return vcrypt_run_gcm(j);
    default:
        return vcrypt_run_hash(j);
    }
}

/*
 * Write the result, less what fault injection leaves out, then the next
 * IV of CBC and CTR
 */
static uint16_t vcrypt_job_write(VCryptJob *j)
{
    const VCryptDesc *d = j->d;
    bool iv_back = d->op == VCRYPT_HW_OP_AES_CBC ||
                   d->op == VCRYPT_HW_OP_AES_CTR;
    int64_t end = (int64_t)j->out_len + MIN(j->omit->delta, 0);

    if (!vcrypt_buf_write(j->pdev, &j->dst, j->out, j->omit->skip,
                          MAX(end, 0))) {
        return VCRYPT_HW_ST_DMA;
    }
    if (iv_back && d->src_len &&
        pci_dma_write(j->pdev, d->iv_addr, j->iv, VCRYPT_AES_BLOCK) !=
        MEMTX_OK) {
        return VCRYPT_HW_ST_DMA;
    }
    return VCRYPT_HW_ST_OK;
}

static uint16_t vcrypt_job_run(VCryptJob *j)
{
    const VCryptDesc *d = j->d;
    uint16_t st;

    st = vcrypt_check_desc(d);
    if (st == VCRYPT_HW_ST_OK) {
        st = vcrypt_buf_load(j->pdev, &j->src, d->src_addr, d->src_nsge,
                             d->src_len);
    }
    if (st == VCRYPT_HW_ST_OK) {
        st = vcrypt_buf_load(j->pdev, &j->dst, d->dst_addr, d->dst_nsge,
                             d->dst_len);
    }
    if (st == VCRYPT_HW_ST_OK) {
        st = vcrypt_check_op(d);
    }
    if (st == VCRYPT_HW_ST_OK) {
        st = vcrypt_check_key(d);
    }
    if (st == VCRYPT_HW_ST_OK) {
        st = vcrypt_check_len(d, &j->out_len);
    }
    if (st != VCRYPT_HW_ST_OK) {
        return st;
    }

    j->decrypt = d->flags & VCRYPT_HW_DF_DECRYPT;
    /* Room for CTR's padded last block and for GCM's tag; never empty */
    j->in = g_malloc0(ROUND_UP(MAX(d->src_len, 1), VCRYPT_AES_BLOCK));
    j->out = g_malloc0(ROUND_UP(MAX(MAX(d->src_len, j->out_len), 1),
                                VCRYPT_AES_BLOCK));

    st = vcrypt_job_read(j);
    if (st == VCRYPT_HW_ST_OK) {
        st = vcrypt_compute(j);
    }
    if (st == VCRYPT_HW_ST_OK) {
        st = vcrypt_job_write(j);
    }
    return st;
}

uint16_t vcrypt_exec(PCIDevice *pdev, const VCryptDesc *d,
                     const VCryptOmit *omit, uint32_t *out_len)
{
    VCryptJob j = { .pdev = pdev, .d = d, .omit = omit };
    uint16_t st;

    st = vcrypt_job_run(&j);
    *out_len = st == VCRYPT_HW_ST_OK ? j.out_len : 0;
    g_free(j.src.sge);
    g_free(j.dst.sge);
    g_free(j.in);
    g_free(j.out);
    return st;
}
