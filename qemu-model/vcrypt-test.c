/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QTest for the vcrypt crypto card.
 *
 * Each test boots a q35 machine with the card, drives its rings from guest
 * memory and steps the virtual clock so the rate-limited engine completes
 * deterministically. Known answers come from the standards: NIST SP 800-38A
 * (CBC, CTR), IEEE 1619 (XTS), the GCM specification's test cases
 * (NIST SP 800-38D), FIPS 180-4 examples (SHA) and RFC 4231 (HMAC). Beyond
 * them, every result is compared with OpenSSL's libcrypto (the /vcrypt/ref
 * sweeps), which shares no code with the model.
 *
 * Assertions are not fatal: a test goes on after a failed check and
 * reports every one (qemu-model/run-qtest.sh runs each test in a process
 * of its own, so that one that aborts hides no other).
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "hw/misc/vcrypt_hw.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define VC_SLOT         4
#define VC_QOM          "/machine/peripheral/vc"

/* A guest-physical address with nothing behind it: DMA there fails */
#define UNMAPPED        (1ULL << 44)

/* Upper bound of a wait for one completion: 2000 steps of 100 us */
#define WAIT_STEP_NS    (100 * 1000)
#define WAIT_STEPS      2000

#define DESC_SIZE       sizeof(struct vcrypt_hw_desc)
#define CQE_SIZE        sizeof(struct vcrypt_hw_cqe)

typedef struct Card {
    QOSState *qs;
    QTestState *qts;
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t rq;
    uint64_t cq;
    uint32_t rq_size;
    uint32_t cq_size;
    uint32_t rq_tail;   /* next RQ slot the test fills */
    uint32_t cq_head;   /* next CQ slot the test reads */
    bool phase;         /* phase bit of a new entry at cq_head */
    bool any_flags;     /* the card was told to set reserved CQE flags */
} Card;

/* A request in host byte order */
typedef struct Req {
    uint64_t cookie;
    uint8_t op;
    uint8_t flags;
    uint8_t key_len;
    uint8_t iv_len;
    uint8_t tag_len;
    uint8_t rsvd0;
    uint64_t key;
    uint64_t iv;
    uint64_t src;
    uint64_t dst;
    uint32_t src_len;
    uint32_t dst_len;
    uint32_t aad_len;
    uint16_t src_nsge;
    uint16_t dst_nsge;
} Req;

/* Known answers */

/* NIST SP 800-38A F.2.1 / F.2.2 and F.5.1 */
static const char aes128_key[] = "2b7e151628aed2a6abf7158809cf4f3c";
static const char sp800_38a_pt[] =
    "6bc1bee22e409f96e93d7e117393172a" "ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef" "f69f2445df4f9b17ad2b417be66c3710";
static const char cbc_iv[] = "000102030405060708090a0b0c0d0e0f";
static const char cbc_ct[] =
    "7649abac8119b246cee98e9b12e9197d" "5086cb9b507219ee95db113a917678b2"
    "73bed6b8e3c1743b7116e69e22229516" "3ff1caa1681fac09120eca307586e1a7";
static const char zero_hex[] = "00000000000000000000000000000000";
static const char ctr_iv[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char ctr_ct[] =
    "874d6191b620e3261bef6864990db6ce" "9806f66b7970fdff8617187bb9fffdff"
    "5ae4df3edbd5d35e5b4f09020db03eab" "1e031dda2fbe03d1792170a0f3009cee";

/* IEEE 1619-2007 XTS-AES-128 vectors 2 and 15 */
static const char xts2_key[] =
    "11111111111111111111111111111111" "22222222222222222222222222222222";
static const char xts2_iv[] = "33333333330000000000000000000000";
static const char xts2_pt[] =
    "44444444444444444444444444444444" "44444444444444444444444444444444";
static const char xts2_ct[] =
    "c454185e6a16936e39334038acef838b" "fb186fff7480adc4289382ecd6d394f0";
static const char xts15_key[] =
    "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" "bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0";
static const char xts15_iv[] = "9a785634120000000000000000000000";
static const char xts15_pt[] = "000102030405060708090a0b0c0d0e0f10";
static const char xts15_ct[] = "6c1625db4671522d3d7599601de7ca09ed";

/* The GCM specification (McGrew, Viega), test case 16: AES-256 with AAD */
static const char gcm_key[] =
    "feffe9928665731c6d6a8f9467308308" "feffe9928665731c6d6a8f9467308308";
static const char gcm_iv[] = "cafebabefacedbaddecaf888";
static const char gcm_aad[] = "feedfacedeadbeeffeedfacedeadbeef" "abaddad2";
static const char gcm_pt[] =
    "d9313225f88406e5a55909c5aff5269a" "86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525" "b16aedf5aa0de657ba637b39";
static const char gcm_ct[] =
    "522dc1f099567d07f47f37a32a84427d" "643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838" "c5f61e6393ba7a0abcc9f662";
static const char gcm_tag[] = "76fc6ece0f4e1768cddf8853bb2d551b";

/* FIPS 180-4 examples ("abc", and the empty message) */
static const char sha256_abc[] =
    "ba7816bf8f01cfea414140de5dae2223" "b00361a396177a9cb410ff61f20015ad";
static const char sha256_empty[] =
    "e3b0c44298fc1c149afbf4c8996fb924" "27ae41e4649b934ca495991b7852b855";
static const char sha512_abc[] =
    "ddaf35a193617abacc417349ae204131" "12e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd" "454d4423643ce80e2a9ac94fa54ca49f";

/* FIPS 180-2 appendix B.3 / C.3: one million "a" */
static const char sha256_million_a[] =
    "cdc76e5c9914fb9281a1c7e284d73e67" "f1809a48a497200e046d39ccc7112cd0";
static const char sha512_million_a[] =
    "e718483d0ce769644e2e42c7bc15b463" "8e1f98b13b2044285632a803afa973eb"
    "de0ff244877ea60a4cb0432ce577c31b" "eb009c5c2c49aa2e4eadb217ad8cc09b";

/* RFC 4231 test case 2 */
static const char hmac2_key[] = "Jefe";
static const char hmac2_data[] = "what do ya want for nothing?";
static const char hmac2_mac[] =
    "5bdcc146bf60754e6a042426089575c7" "5a003f089d2739839dec58b964ec3843";

/* Helpers */

static GByteArray *unhex(const char *hex)
{
    size_t n = strlen(hex) / 2;
    GByteArray *b = g_byte_array_sized_new(n);
    size_t i;

    g_assert(strlen(hex) % 2 == 0);
    for (i = 0; i < n; i++) {
        unsigned v;
        uint8_t byte;

        g_assert(sscanf(hex + 2 * i, "%2x", &v) == 1);
        byte = v;
        g_byte_array_append(b, &byte, 1);
    }
    return b;
}

static GByteArray *cat(const char *a, const char *b)
{
    g_autofree char *s = g_strconcat(a, b, NULL);

    return unhex(s);
}

static uint32_t rd32(Card *c, uint64_t reg)
{
    return qpci_io_readl(c->dev, c->bar, reg);
}

static uint64_t rd64(Card *c, uint64_t reg)
{
    return qpci_io_readq(c->dev, c->bar, reg);
}

static void wr32(Card *c, uint64_t reg, uint32_t val)
{
    qpci_io_writel(c->dev, c->bar, reg, val);
}

static uint64_t galloc(Card *c, size_t len)
{
    return guest_alloc(&c->qs->alloc, MAX(len, 1));
}

static uint64_t gput(Card *c, const void *data, size_t len)
{
    uint64_t addr = galloc(c, len);

    qtest_memwrite(c->qts, addr, data, len);
    return addr;
}

static uint64_t gfill(Card *c, uint8_t pattern, size_t len)
{
    uint64_t addr = galloc(c, len);

    qtest_memset(c->qts, addr, pattern, len);
    return addr;
}

static void assert_mem(Card *c, uint64_t addr, const GByteArray *want)
{
    g_autofree uint8_t *got = g_malloc(want->len);

    qtest_memread(c->qts, addr, got, want->len);
    g_assert_cmpmem(got, want->len, want->data, want->len);
}

static void assert_filled(Card *c, uint64_t addr, uint8_t pattern, size_t len)
{
    g_autofree uint8_t *got = g_malloc(len);
    size_t i;

    qtest_memread(c->qts, addr, got, len);
    for (i = 0; i < len; i++) {
        g_assert_cmphex(got[i], ==, pattern);
    }
}

static void card_boot(Card *c, const char *props)
{
    memset(c, 0, sizeof(*c));
    c->qs = qtest_pc_boot("-machine q35 -nodefaults "
                          "-device vcrypt,id=vc,addr=%d.0%s",
                          VC_SLOT, props);
    c->qts = c->qs->qts;
    c->dev = qpci_device_find(c->qs->pcibus, QPCI_DEVFN(VC_SLOT, 0));
    g_assert(c->dev);
    qpci_device_enable(c->dev);
    c->bar = qpci_iomap(c->dev, VCRYPT_HW_BAR_REGS, NULL);
    /* Vectors stay masked: a notification shows as a pending bit */
    qpci_msix_enable(c->dev);
}

static void card_free(Card *c)
{
    qpci_msix_disable(c->dev);
    qpci_iounmap(c->dev, c->bar);
    g_free(c->dev);
    qtest_shutdown(c->qs);
}

static void card_program(Card *c, uint64_t rq, uint32_t rq_size,
                         uint64_t cq, uint32_t cq_size)
{
    c->rq = rq;
    c->cq = cq;
    c->rq_size = rq_size;
    c->cq_size = cq_size;
    c->rq_tail = 0;
    c->cq_head = 0;
    c->phase = true;
    wr32(c, VCRYPT_REG_RQ_BASE_LO, rq);
    wr32(c, VCRYPT_REG_RQ_BASE_HI, rq >> 32);
    wr32(c, VCRYPT_REG_RQ_SIZE, rq_size);
    wr32(c, VCRYPT_REG_CQ_BASE_LO, cq);
    wr32(c, VCRYPT_REG_CQ_BASE_HI, cq >> 32);
    wr32(c, VCRYPT_REG_CQ_SIZE, cq_size);
    wr32(c, VCRYPT_REG_CTRL, VCRYPT_CTRL_ENABLE);
}

/* Allocate rings, program and enable the card */
static void card_setup(Card *c, uint32_t rq_size, uint32_t cq_size)
{
    uint64_t rq = gfill(c, 0, rq_size * DESC_SIZE);
    uint64_t cq = gfill(c, 0, cq_size * CQE_SIZE);

    card_program(c, rq, rq_size, cq, cq_size);
    g_assert_cmphex(rd32(c, VCRYPT_REG_STATUS), ==, VCRYPT_STATUS_ENABLED);
    g_assert_cmphex(rd32(c, VCRYPT_REG_ERROR), ==, VCRYPT_HW_ERR_NONE);
}

static void card_boot_setup(Card *c, const char *props)
{
    card_boot(c, props);
    card_setup(c, 8, 8);
}

/* Write a descriptor at the tail of the RQ, without ringing */
static void card_put(Card *c, const Req *r)
{
    struct vcrypt_hw_desc d = {
        .cookie = cpu_to_le64(r->cookie),
        .op = r->op,
        .flags = r->flags,
        .key_len = r->key_len,
        .iv_len = r->iv_len,
        .tag_len = r->tag_len,
        .rsvd0 = { 0, r->rsvd0, 0 },
        .key_addr = cpu_to_le64(r->key),
        .iv_addr = cpu_to_le64(r->iv),
        .src_addr = cpu_to_le64(r->src),
        .dst_addr = cpu_to_le64(r->dst),
        .src_len = cpu_to_le32(r->src_len),
        .dst_len = cpu_to_le32(r->dst_len),
        .aad_len = cpu_to_le32(r->aad_len),
        .src_nsge = cpu_to_le16(r->src_nsge),
        .dst_nsge = cpu_to_le16(r->dst_nsge),
    };

    qtest_memwrite(c->qts, c->rq + c->rq_tail * DESC_SIZE, &d, sizeof(d));
    c->rq_tail = (c->rq_tail + 1) % c->rq_size;
}

static void card_ring(Card *c)
{
    wr32(c, VCRYPT_REG_RQ_TAIL, c->rq_tail);
}

static void card_submit(Card *c, const Req *r)
{
    card_put(c, r);
    card_ring(c);
}

/*
 * Read the entry at the test's CQ head if the card has written it (its
 * phase matches); with @ack, consume it and write CQ_HEAD.
 */
static bool card_poll(Card *c, struct vcrypt_hw_cqe *cqe, bool ack)
{
    struct vcrypt_hw_cqe e;

    qtest_memread(c->qts, c->cq + c->cq_head * CQE_SIZE, &e, sizeof(e));
    if (!!(le16_to_cpu(e.flags) & VCRYPT_HW_CQE_PHASE) != c->phase) {
        return false;
    }
    if (!c->any_flags) {
        g_assert_cmphex(le16_to_cpu(e.flags) & ~VCRYPT_HW_CQE_PHASE, ==, 0);
    }
    if (cqe) {
        cqe->cookie = le64_to_cpu(e.cookie);
        cqe->out_len = le32_to_cpu(e.out_len);
        cqe->status = le16_to_cpu(e.status);
        cqe->flags = le16_to_cpu(e.flags);
    }
    if (ack) {
        c->cq_head = (c->cq_head + 1) % c->cq_size;
        if (!c->cq_head) {
            c->phase = !c->phase;
        }
        wr32(c, VCRYPT_REG_CQ_HEAD, c->cq_head);
    }
    return true;
}

/* Step the clock until the next completion arrives (bounded) */
static void card_wait(Card *c, struct vcrypt_hw_cqe *cqe)
{
    int i;

    for (i = 0; i < WAIT_STEPS; i++) {
        if (card_poll(c, cqe, true)) {
            return;
        }
        qtest_clock_step(c->qts, WAIT_STEP_NS);
    }
    g_assert_not_reached();
}

/* Submit @r, wait for its completion; returns the status */
static uint16_t card_run(Card *c, const Req *r, uint32_t *out_len)
{
    struct vcrypt_hw_cqe cqe;

    card_submit(c, r);
    card_wait(c, &cqe);
    g_assert_cmphex(cqe.cookie, ==, r->cookie);
    if (out_len) {
        *out_len = cqe.out_len;
    }
    return cqe.status;
}

/* Run @r and expect an error @status: nothing written, out_len 0 */
static void expect_status(Card *c, const Req *r, uint16_t status)
{
    uint32_t out_len = 1;

    g_assert_cmpuint(card_run(c, r, &out_len), ==, status);
    g_assert_cmpuint(out_len, ==, 0);
}

static void qom_set_uint(Card *c, const char *prop, uint64_t val)
{
    qtest_qmp_assert_success(c->qts,
        "{'execute': 'qom-set', 'arguments':"
        " {'path': %s, 'property': %s, 'value': %" PRIu64 "}}",
        VC_QOM, prop, val);
}

static uint64_t qom_get_uint(Card *c, const char *prop)
{
    QDict *rsp = qtest_qmp(c->qts,
        "{'execute': 'qom-get', 'arguments': {'path': %s, 'property': %s}}",
        VC_QOM, prop);
    uint64_t val;

    g_assert(qdict_haskey(rsp, "return"));
    val = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return val;
}

static void assert_halted(Card *c, uint32_t error)
{
    g_assert_cmphex(rd32(c, VCRYPT_REG_STATUS), ==, VCRYPT_STATUS_ERROR);
    g_assert_cmpuint(rd32(c, VCRYPT_REG_ERROR), ==, error);
    g_assert_true(qpci_msix_pending(c->dev, VCRYPT_HW_VEC_ERROR));
}

/* A request for a cipher op on flat buffers; dst is filled with 0xee */
static Req cipher_req(Card *c, uint8_t op, uint8_t flags,
                      const GByteArray *key, const GByteArray *iv,
                      const GByteArray *in, uint32_t dst_len)
{
    Req r = {
        .cookie = 0x1122334455667788ULL ^ op ^ (flags << 8),
        .op = op,
        .flags = flags,
        .key_len = key->len,
        .iv_len = iv ? iv->len : 0,
        .key = gput(c, key->data, key->len),
        .iv = iv ? gput(c, iv->data, iv->len) : 0,
        .src = gput(c, in->data, in->len),
        .dst = gfill(c, 0xee, dst_len),
        .src_len = in->len,
        .dst_len = dst_len,
    };

    return r;
}

/* Run a cipher op and check the result and the IV left in memory */
static void check_cipher(Card *c, uint8_t op, uint8_t flags, const char *key,
                         const char *iv, const char *in, const char *out,
                         const char *next_iv)
{
    g_autoptr(GByteArray) k = unhex(key);
    g_autoptr(GByteArray) v = unhex(iv);
    g_autoptr(GByteArray) i = unhex(in);
    g_autoptr(GByteArray) o = unhex(out);
    g_autoptr(GByteArray) nv = unhex(next_iv ? next_iv : iv);
    Req r = cipher_req(c, op, flags, k, v, i, i->len + 16);
    uint32_t out_len;

    g_assert_cmpuint(card_run(c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, o->len);
    assert_mem(c, r.dst, o);
    assert_filled(c, r.dst + o->len, 0xee, 16);
    assert_mem(c, r.iv, nv);
}

/* Identity and limits */

static void test_identity(void)
{
    Card c;
    uint8_t cap;

    card_boot(&c, "");
    g_assert_cmphex(qpci_config_readw(c.dev, PCI_VENDOR_ID), ==,
                    VCRYPT_HW_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(c.dev, PCI_DEVICE_ID), ==,
                    VCRYPT_HW_DEVICE_ID);
    g_assert_cmphex(qpci_config_readb(c.dev, PCI_REVISION_ID), ==,
                    VCRYPT_HW_REVISION);
    g_assert_cmphex(qpci_config_readw(c.dev, PCI_CLASS_DEVICE), ==,
                    VCRYPT_HW_CLASS);
    g_assert_cmphex(qpci_config_readb(c.dev, PCI_INTERRUPT_PIN), ==, 0);
    g_assert_cmphex(qpci_find_capability(c.dev, PCI_CAP_ID_EXP, 0), !=, 0);
    cap = qpci_find_capability(c.dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmphex(cap, !=, 0);
    g_assert_cmpuint((qpci_config_readw(c.dev, cap + PCI_MSIX_FLAGS) &
                      PCI_MSIX_FLAGS_QSIZE) + 1, ==, VCRYPT_HW_NR_VECS);
    g_assert_cmpuint(qpci_config_readl(c.dev, cap + PCI_MSIX_TABLE) &
                     PCI_MSIX_FLAGS_BIRMASK, ==, VCRYPT_HW_BAR_MSIX);

    g_assert_cmphex(rd32(&c, VCRYPT_REG_MAGIC), ==, VCRYPT_HW_MAGIC);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_VERSION), ==,
                    VCRYPT_HW_VERSION_MAJOR << 16 | VCRYPT_HW_VERSION_MINOR);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_CAPS), ==,
                    BIT(VCRYPT_HW_OP_AES_CBC) | BIT(VCRYPT_HW_OP_AES_CTR) |
                    BIT(VCRYPT_HW_OP_AES_XTS) | BIT(VCRYPT_HW_OP_AES_GCM) |
                    BIT(VCRYPT_HW_OP_SHA256) | BIT(VCRYPT_HW_OP_SHA512) |
                    BIT(VCRYPT_HW_OP_HMAC_SHA256));
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_MAX_RING), ==, VCRYPT_HW_RING_MAX);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_MAX_DATA), ==, VCRYPT_HW_DATA_MAX);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_MAX_SGE), ==, VCRYPT_HW_SGE_MAX);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_CTRL), ==, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_STATUS), ==, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_ERROR), ==, 0);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_RATE_OPS), ==, 20000);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_RATE_BYTES), ==, 100000000);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_OPS), ==, 0);
    card_free(&c);
}

/* 64-bit registers: one 8-byte read, or 4-byte reads low then high */
static void test_reg64(void)
{
    Card c;

    card_boot(&c, ",bytes-per-sec=0x123456789a");
    g_assert_cmphex(rd64(&c, VCRYPT_REG_RATE_BYTES), ==, 0x123456789aULL);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_RATE_BYTES), ==, 0x3456789a);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_RATE_BYTES + 4), ==, 0x12);
    /* Ring bases are two 32-bit registers, also readable at once */
    wr32(&c, VCRYPT_REG_RQ_BASE_LO, 0x89abcdc0);
    wr32(&c, VCRYPT_REG_RQ_BASE_HI, 0x1);
    g_assert_cmphex(rd64(&c, VCRYPT_REG_RQ_BASE_LO), ==, 0x189abcdc0ULL);
    card_free(&c);
}

/* Ring configuration */

static void expect_config_halt(Card *c, uint64_t rq, uint32_t rq_size,
                               uint64_t cq, uint32_t cq_size)
{
    wr32(c, VCRYPT_REG_CTRL, VCRYPT_CTRL_RESET);
    card_program(c, rq, rq_size, cq, cq_size);
    g_assert_cmphex(rd32(c, VCRYPT_REG_STATUS), ==, VCRYPT_STATUS_ERROR);
    g_assert_cmpuint(rd32(c, VCRYPT_REG_ERROR), ==,
                     VCRYPT_HW_ERR_RING_CONFIG);
}

static void test_ring_config(void)
{
    Card c;
    uint64_t rq, cq;

    card_boot(&c, "");
    rq = galloc(&c, 8192 * DESC_SIZE);
    cq = galloc(&c, 8192 * CQE_SIZE);

    g_assert_false(qpci_msix_pending(c.dev, VCRYPT_HW_VEC_ERROR));
    expect_config_halt(&c, rq, 3, cq, 8);
    g_assert_true(qpci_msix_pending(c.dev, VCRYPT_HW_VEC_ERROR));
    expect_config_halt(&c, rq, 8, cq, 1);
    expect_config_halt(&c, rq, 8192, cq, 8);
    expect_config_halt(&c, rq, 0, cq, 8);
    expect_config_halt(&c, rq + 32, 8, cq, 8);
    expect_config_halt(&c, rq, 8, cq + 8, 8);
    expect_config_halt(&c, 0, 8, cq, 8);
    expect_config_halt(&c, rq, 8, 0, 8);

    /* Halted: only RESET is obeyed */
    wr32(&c, VCRYPT_REG_CTRL, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_STATUS), ==, VCRYPT_STATUS_ERROR);

    /* The limits themselves are fine */
    wr32(&c, VCRYPT_REG_CTRL, VCRYPT_CTRL_RESET);
    card_program(&c, rq + 64, 2, cq + 16, VCRYPT_HW_RING_MAX);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_STATUS), ==, VCRYPT_STATUS_ENABLED);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_CTRL), ==, VCRYPT_CTRL_ENABLE);

    /* Ring registers are read-only while enabled */
    wr32(&c, VCRYPT_REG_RQ_BASE_LO, rq + 128);
    wr32(&c, VCRYPT_REG_RQ_SIZE, 16);
    wr32(&c, VCRYPT_REG_CQ_SIZE, 16);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_RQ_BASE_LO), ==, (uint32_t)rq + 64);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_SIZE), ==, 2);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_CQ_SIZE), ==, VCRYPT_HW_RING_MAX);
    card_free(&c);
}

/* Known answers */

static void test_aes_cbc(void)
{
    Card c;

    card_boot_setup(&c, "");
    /* F.2.1 encrypt; the next IV is the last ciphertext block */
    check_cipher(&c, VCRYPT_HW_OP_AES_CBC, 0, aes128_key, cbc_iv,
                 sp800_38a_pt, cbc_ct, "3ff1caa1681fac09120eca307586e1a7");
    /* F.2.2 decrypt; the next IV is again the last ciphertext block */
    check_cipher(&c, VCRYPT_HW_OP_AES_CBC, VCRYPT_HW_DF_DECRYPT, aes128_key,
                 cbc_iv, cbc_ct, sp800_38a_pt,
                 "3ff1caa1681fac09120eca307586e1a7");
    /* Chaining: the second half continues from the written-back IV */
    check_cipher(&c, VCRYPT_HW_OP_AES_CBC, 0, aes128_key,
                 "5086cb9b507219ee95db113a917678b2", sp800_38a_pt + 64,
                 cbc_ct + 64, "3ff1caa1681fac09120eca307586e1a7");
    /* Empty: success, nothing written, IV left alone */
    check_cipher(&c, VCRYPT_HW_OP_AES_CBC, 0, aes128_key, cbc_iv, "", "",
                 NULL);
    card_free(&c);
}

static void test_aes_ctr(void)
{
    g_autofree char *ct60 = g_strndup(ctr_ct, 120);
    g_autofree char *pt60 = g_strndup(sp800_38a_pt, 120);
    Card c;

    card_boot_setup(&c, "");
    /* F.5.1; the counter after 4 blocks */
    check_cipher(&c, VCRYPT_HW_OP_AES_CTR, 0, aes128_key, ctr_iv,
                 sp800_38a_pt, ctr_ct, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff03");
    /* F.5.2 decrypt of a partial last block: 60 bytes use 4 counters */
    check_cipher(&c, VCRYPT_HW_OP_AES_CTR, VCRYPT_HW_DF_DECRYPT, aes128_key,
                 ctr_iv, ct60, pt60, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff03");
    card_free(&c);
}

static void test_aes_xts(void)
{
    Card c;

    card_boot_setup(&c, "");
    check_cipher(&c, VCRYPT_HW_OP_AES_XTS, 0, xts2_key, xts2_iv, xts2_pt,
                 xts2_ct, NULL);
    check_cipher(&c, VCRYPT_HW_OP_AES_XTS, VCRYPT_HW_DF_DECRYPT, xts2_key,
                 xts2_iv, xts2_ct, xts2_pt, NULL);
    /* Ciphertext stealing */
    check_cipher(&c, VCRYPT_HW_OP_AES_XTS, 0, xts15_key, xts15_iv, xts15_pt,
                 xts15_ct, NULL);
    check_cipher(&c, VCRYPT_HW_OP_AES_XTS, VCRYPT_HW_DF_DECRYPT, xts15_key,
                 xts15_iv, xts15_ct, xts15_pt, NULL);
    card_free(&c);
}

static Req gcm_req(Card *c, uint8_t flags, const GByteArray *in,
                   uint32_t aad_len, uint32_t dst_len)
{
    g_autoptr(GByteArray) k = unhex(gcm_key);
    g_autoptr(GByteArray) iv = unhex(gcm_iv);
    Req r = cipher_req(c, VCRYPT_HW_OP_AES_GCM, flags, k, iv, in, dst_len);

    r.aad_len = aad_len;
    r.tag_len = 16;
    return r;
}

static void test_aes_gcm(void)
{
    g_autofree char *aad_ct_tag = g_strconcat(gcm_aad, gcm_ct, gcm_tag, NULL);
    g_autoptr(GByteArray) aad_pt = cat(gcm_aad, gcm_pt);
    g_autoptr(GByteArray) sealed = unhex(aad_ct_tag);
    g_autoptr(GByteArray) tampered = unhex(aad_ct_tag);
    uint32_t aad_len = strlen(gcm_aad) / 2;
    uint32_t out_len;
    Card c;
    Req r;

    card_boot_setup(&c, "");

    /* Encrypt: dst = AAD || CT || TAG */
    r = gcm_req(&c, 0, aad_pt, aad_len, sealed->len);
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, sealed->len);
    assert_mem(&c, r.dst, sealed);

    /* Decrypt: dst = AAD || PT */
    r = gcm_req(&c, VCRYPT_HW_DF_DECRYPT, sealed, aad_len, aad_pt->len);
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, aad_pt->len);
    assert_mem(&c, r.dst, aad_pt);

    /* A truncated tag is the leading bytes of the full one */
    r = gcm_req(&c, 0, aad_pt, aad_len, sealed->len);
    r.tag_len = 12;
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, sealed->len - 4);
    sealed->len -= 4;
    assert_mem(&c, r.dst, sealed);
    sealed->len += 4;

    /* Wrong tag: AUTH, nothing written */
    tampered->data[tampered->len - 1] ^= 1;
    r = gcm_req(&c, VCRYPT_HW_DF_DECRYPT, tampered, aad_len, aad_pt->len);
    expect_status(&c, &r, VCRYPT_HW_ST_AUTH);
    assert_filled(&c, r.dst, 0xee, aad_pt->len);

    /* Tampered AAD fails too */
    tampered->data[tampered->len - 1] ^= 1;
    tampered->data[0] ^= 0x80;
    r = gcm_req(&c, VCRYPT_HW_DF_DECRYPT, tampered, aad_len, aad_pt->len);
    expect_status(&c, &r, VCRYPT_HW_ST_AUTH);
    assert_filled(&c, r.dst, 0xee, aad_pt->len);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_ERRORS), ==, 2);
    card_free(&c);
}

static Req hash_req(Card *c, uint8_t op, const void *key, size_t key_len,
                    const void *data, size_t len, uint32_t dst_len)
{
    Req r = {
        .cookie = 0xabc0 + op,
        .op = op,
        .key_len = key_len,
        .key = key_len ? gput(c, key, key_len) : 0,
        .src = gput(c, data, len),
        .dst = gfill(c, 0xee, dst_len),
        .src_len = len,
        .dst_len = dst_len,
    };

    return r;
}

static void check_hash(Card *c, const Req *r, const char *digest)
{
    g_autoptr(GByteArray) want = unhex(digest);
    uint32_t out_len;

    g_assert_cmpuint(card_run(c, r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, want->len);
    assert_mem(c, r->dst, want);
    assert_filled(c, r->dst + want->len, 0xee, r->dst_len - want->len);
}

static void test_hash(void)
{
    Card c;
    Req r;

    card_boot_setup(&c, "");
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 40);
    check_hash(&c, &r, sha256_abc);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "", 0, 32);
    check_hash(&c, &r, sha256_empty);
    r = hash_req(&c, VCRYPT_HW_OP_SHA512, NULL, 0, "abc", 3, 64);
    check_hash(&c, &r, sha512_abc);
    r = hash_req(&c, VCRYPT_HW_OP_HMAC_SHA256, hmac2_key, strlen(hmac2_key),
                 hmac2_data, strlen(hmac2_data), 32);
    check_hash(&c, &r, hmac2_mac);
    card_free(&c);
}

/* Large requests: one million bytes, close to the 1 MiB limit */
static void test_hash_large(void)
{
    const size_t len = 1000000;
    Card c;
    Req r;

    card_boot_setup(&c, "");
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "", 0, 32);
    r.src = gfill(&c, 'a', len);
    r.src_len = len;
    check_hash(&c, &r, sha256_million_a);
    r = hash_req(&c, VCRYPT_HW_OP_SHA512, NULL, 0, "", 0, 64);
    r.src = gfill(&c, 'a', len);
    r.src_len = len;
    check_hash(&c, &r, sha512_million_a);
    /* 50 us + 10 ms per request at the default rates */
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_BUSY_NS), ==,
                     2 * (50000 + 10000000));
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_BYTES), ==, 2 * len);
    card_free(&c);
}

/* Scatter-gather and in-place operation */

static uint64_t sg_table(Card *c, uint64_t base, const uint32_t *lens,
                         unsigned n, uint64_t *segs)
{
    struct vcrypt_hw_sge sge[8];
    unsigned i;

    g_assert(n <= ARRAY_SIZE(sge));
    for (i = 0; i < n; i++) {
        /* Scatter the segments in reverse order over separate pages */
        segs[i] = base + (n - i) * 4096 + 8;
        sge[i].addr = cpu_to_le64(segs[i]);
        sge[i].len = cpu_to_le32(lens[i]);
        sge[i].rsvd = 0;
    }
    return gput(c, sge, n * sizeof(sge[0]));
}

static void test_sg(void)
{
    static const uint32_t src_lens[] = { 5, 27, 1, 31 };
    static const uint32_t dst_lens[] = { 48, 24 };
    g_autoptr(GByteArray) key = unhex(aes128_key);
    g_autoptr(GByteArray) iv = unhex(cbc_iv);
    g_autoptr(GByteArray) pt = unhex(sp800_38a_pt);
    g_autoptr(GByteArray) ct = unhex(cbc_ct);
    g_autoptr(GByteArray) hmac_data = g_byte_array_new();
    uint64_t src_seg[4], dst_seg[2], src_area, dst_area;
    uint32_t out_len, off;
    unsigned i;
    Card c;
    Req r;

    card_boot_setup(&c, "");
    src_area = galloc(&c, 5 * 4096);
    dst_area = gfill(&c, 0xee, 3 * 4096);
    r = cipher_req(&c, VCRYPT_HW_OP_AES_CBC, 0, key, iv, pt, 72);
    r.src = sg_table(&c, src_area, src_lens, 4, src_seg);
    r.src_nsge = 4;
    r.dst = sg_table(&c, dst_area, dst_lens, 2, dst_seg);
    r.dst_nsge = 2;
    for (i = 0, off = 0; i < 4; off += src_lens[i++]) {
        qtest_memwrite(c.qts, src_seg[i], pt->data + off, src_lens[i]);
    }
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, 64);
    {
        g_autoptr(GByteArray) first = g_byte_array_new();
        g_autoptr(GByteArray) second = g_byte_array_new();

        g_byte_array_append(first, ct->data, 48);
        g_byte_array_append(second, ct->data + 48, 16);
        assert_mem(&c, dst_seg[0], first);
        assert_mem(&c, dst_seg[1], second);
        assert_filled(&c, dst_seg[1] + 16, 0xee, 8);
    }

    /* In place: src and dst are the same flat buffer */
    r = cipher_req(&c, VCRYPT_HW_OP_AES_CBC, VCRYPT_HW_DF_DECRYPT, key, iv,
                   ct, 64);
    r.dst = r.src;
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    assert_mem(&c, r.dst, pt);

    /* RFC 4231 case 2 again, the message in one SG entry per byte */
    g_byte_array_append(hmac_data, (const uint8_t *)hmac2_data,
                        strlen(hmac2_data));
    {
        struct vcrypt_hw_sge sge[28];

        g_assert(hmac_data->len == ARRAY_SIZE(sge));
        for (i = 0; i < hmac_data->len; i++) {
            sge[i].addr = cpu_to_le64(src_area + i * 3);
            sge[i].len = cpu_to_le32(1);
            sge[i].rsvd = 0;
            qtest_memwrite(c.qts, src_area + i * 3, hmac_data->data + i, 1);
        }
        r = hash_req(&c, VCRYPT_HW_OP_HMAC_SHA256, hmac2_key,
                     strlen(hmac2_key), "", 0, 32);
        r.src = gput(&c, sge, sizeof(sge));
        r.src_nsge = ARRAY_SIZE(sge);
        r.src_len = hmac_data->len;
        check_hash(&c, &r, hmac2_mac);
    }
    card_free(&c);
}

/* Error statuses */

static void test_bad_op(void)
{
    Card c;
    Req r;

    card_boot_setup(&c, "");
    r = hash_req(&c, 0x7f, NULL, 0, "abc", 3, 32);
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_OP);
    r = hash_req(&c, 0, NULL, 0, "abc", 3, 32);
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_OP);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 32);
    r.flags = 0x80;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_OP);
    r.flags = VCRYPT_HW_DF_DECRYPT;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_OP);
    assert_filled(&c, r.dst, 0xee, 32);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_ERRORS), ==, 4);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_OPS), ==, 4);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_BYTES), ==, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_STATUS), ==, VCRYPT_STATUS_ENABLED);
    card_free(&c);
}

static void test_bad_key(void)
{
    g_autoptr(GByteArray) key = unhex(xts2_key);
    g_autoptr(GByteArray) iv = unhex(cbc_iv);
    g_autoptr(GByteArray) pt = unhex(sp800_38a_pt);
    Card c;
    Req r;

    card_boot_setup(&c, "");
    r = cipher_req(&c, VCRYPT_HW_OP_AES_CBC, 0, key, iv, pt, 64);
    r.key_len = 20;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_KEY);
    r.op = VCRYPT_HW_OP_AES_XTS;
    r.key_len = 16;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_KEY);
    r.op = VCRYPT_HW_OP_AES_GCM;
    r.key_len = 64;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_KEY);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, "k", 1, "abc", 3, 32);
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_KEY);
    r.op = VCRYPT_HW_OP_HMAC_SHA256;
    r.key_len = VCRYPT_HW_KEY_MAX + 1;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_KEY);
    card_free(&c);
}

static void test_bad_len(void)
{
    g_autoptr(GByteArray) key = unhex(aes128_key);
    g_autoptr(GByteArray) iv = unhex(cbc_iv);
    g_autoptr(GByteArray) pt = unhex(sp800_38a_pt);
    g_autoptr(GByteArray) xkey = unhex(xts2_key);
    g_autoptr(GByteArray) gkey = unhex(gcm_key);
    g_autoptr(GByteArray) giv = unhex(gcm_iv);
    Card c;
    Req r;

    card_boot_setup(&c, "");
    r = cipher_req(&c, VCRYPT_HW_OP_AES_CBC, 0, key, iv, pt, 64);
    r.src_len = 63;                     /* CBC: whole blocks only */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    r.src_len = 64;
    r.dst_len = 48;                     /* dst too small */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    r.dst_len = 64;
    r.iv_len = 12;                      /* IV */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    r.iv_len = 16;
    r.aad_len = 16;                     /* AAD on a non-AEAD op */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    r.aad_len = 0;
    r.tag_len = 16;                     /* tag on a non-AEAD op */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    r.tag_len = 0;
    r.src_len = VCRYPT_HW_DATA_MAX + 16;  /* over the card's limit */
    r.dst_len = VCRYPT_HW_DATA_MAX + 16;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);

    r = cipher_req(&c, VCRYPT_HW_OP_AES_XTS, 0, xkey, iv, pt, 64);
    r.src_len = 15;                     /* XTS: at least one block */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);

    r = cipher_req(&c, VCRYPT_HW_OP_AES_GCM, 0, gkey, giv, pt, 80);
    r.tag_len = 16;
    r.iv_len = 16;                      /* GCM IV is 12 bytes */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    r.iv_len = 12;
    r.tag_len = 5;                      /* tag length */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    r.tag_len = 16;
    r.dst_len = 79;                     /* no room for the tag */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    r.dst_len = 80;
    r.aad_len = 65;                     /* AAD longer than the source */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    r.aad_len = 56;
    r.flags = VCRYPT_HW_DF_DECRYPT;     /* no room for AAD and tag */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);

    r = hash_req(&c, VCRYPT_HW_OP_SHA512, NULL, 0, "abc", 3, 63);
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);   /* digest does not fit */
    r.dst_len = 64;
    r.iv_len = 16;                      /* hashes take no IV */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_ERRORS), ==, 14);
    card_free(&c);
}

static void test_bad_desc(void)
{
    struct vcrypt_hw_sge sge[2] = {
        { cpu_to_le64(0), cpu_to_le32(2), 0 },
        { cpu_to_le64(0), cpu_to_le32(1), 0 },
    };
    Card c;
    Req r;

    card_boot_setup(&c, "");
    sge[0].addr = sge[1].addr = cpu_to_le64(gput(&c, "abc", 3));

    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 32);
    r.rsvd0 = 1;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_DESC);
    /* Reserved fields are checked before the op */
    r.op = 0x7f;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_DESC);
    r.op = VCRYPT_HW_OP_SHA256;
    r.rsvd0 = 0;

    r.src = gput(&c, sge, sizeof(sge));
    r.src_nsge = 2;
    g_assert_cmpuint(card_run(&c, &r, NULL), ==, VCRYPT_HW_ST_OK);

    r.src_nsge = VCRYPT_HW_SGE_MAX + 1;   /* too many entries */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_DESC);
    r.src_nsge = 2;
    r.src_len = 4;                        /* entries do not add up */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_DESC);
    r.src_len = 2;                        /* nor add up to more */
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_DESC);
    r.src_len = 3;
    sge[1].rsvd = cpu_to_le32(1);         /* reserved field of an entry */
    r.src = gput(&c, sge, sizeof(sge));
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_DESC);
    sge[1].rsvd = 0;
    sge[1].len = 0;                       /* empty entry */
    sge[0].len = cpu_to_le32(3);
    r.src = gput(&c, sge, sizeof(sge));
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_DESC);
    /* The destination table is checked the same way */
    r.src_nsge = 0;
    r.src = gput(&c, "abc", 3);
    r.dst = gput(&c, sge, sizeof(sge));
    r.dst_nsge = 2;
    r.dst_len = 32;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_DESC);
    card_free(&c);
}

static void test_dma_error(void)
{
    g_autoptr(GByteArray) key = unhex(aes128_key);
    g_autoptr(GByteArray) iv = unhex(cbc_iv);
    g_autoptr(GByteArray) pt = unhex(sp800_38a_pt);
    struct vcrypt_hw_sge sge[2];
    Card c;
    Req r, ok;

    card_boot_setup(&c, "");
    ok = cipher_req(&c, VCRYPT_HW_OP_AES_CBC, 0, key, iv, pt, 64);

    r = ok;
    r.src = UNMAPPED;
    expect_status(&c, &r, VCRYPT_HW_ST_DMA);
    r = ok;
    r.key = UNMAPPED;
    expect_status(&c, &r, VCRYPT_HW_ST_DMA);
    r = ok;
    r.iv = UNMAPPED;
    expect_status(&c, &r, VCRYPT_HW_ST_DMA);
    r = ok;
    r.dst = UNMAPPED;
    expect_status(&c, &r, VCRYPT_HW_ST_DMA);
    r = ok;
    r.src = UNMAPPED;                   /* the SG table itself */
    r.src_nsge = 1;
    expect_status(&c, &r, VCRYPT_HW_ST_DMA);

    /* Second segment of an SG source unmapped */
    sge[0].addr = cpu_to_le64(ok.src);
    sge[0].len = cpu_to_le32(32);
    sge[0].rsvd = 0;
    sge[1].addr = cpu_to_le64(UNMAPPED);
    sge[1].len = cpu_to_le32(32);
    sge[1].rsvd = 0;
    r = ok;
    r.src = gput(&c, sge, sizeof(sge));
    r.src_nsge = 2;
    expect_status(&c, &r, VCRYPT_HW_ST_DMA);

    /* DMA into the card's own registers fails: it cannot reset itself */
    r = ok;
    r.dst = c.bar.addr + VCRYPT_REG_CTRL;
    expect_status(&c, &r, VCRYPT_HW_ST_DMA);

    /* The card is still live and the untouched request still works */
    g_assert_cmphex(rd32(&c, VCRYPT_REG_STATUS), ==, VCRYPT_STATUS_ENABLED);
    g_assert_cmpuint(card_run(&c, &ok, NULL), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_ERRORS), ==, 7);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_OPS), ==, 8);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_BYTES), ==, 64);
    card_free(&c);
}

/* Ring protocol */

static void test_phase_wrap(void)
{
    struct vcrypt_hw_cqe cqe;
    uint64_t msg;
    unsigned i;
    Card c;
    Req r;

    card_boot(&c, "");
    card_setup(&c, 4, 4);
    msg = gput(&c, "abc", 3);
    g_assert_false(qpci_msix_pending(c.dev, VCRYPT_HW_VEC_CQ));
    for (i = 0; i < 11; i++) {
        r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "", 0, 32);
        r.cookie = 1000 + i;
        r.src = msg;
        r.src_len = 3;
        card_submit(&c, &r);
        card_wait(&c, &cqe);
        g_assert_cmphex(cqe.cookie, ==, 1000 + i);
        g_assert_cmpuint(cqe.status, ==, VCRYPT_HW_ST_OK);
        g_assert_cmpuint(cqe.out_len, ==, 32);
        /* 1 on the first pass, 0 on the second, 1 on the third */
        g_assert_cmpuint(cqe.flags, ==, (i / 4) % 2 ? 0 : VCRYPT_HW_CQE_PHASE);
        g_assert_cmpuint(rd32(&c, VCRYPT_REG_CQ_TAIL), ==, (i + 1) % 4);
        g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_HEAD), ==, (i + 1) % 4);
    }
    g_assert_true(qpci_msix_pending(c.dev, VCRYPT_HW_VEC_CQ));
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_OPS), ==, 11);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_BYTES), ==, 33);
    card_free(&c);
}

/* Completions are posted in request order, several per doorbell */
static void test_batch(void)
{
    struct vcrypt_hw_cqe cqe;
    uint64_t msg;
    unsigned i;
    Card c;
    Req r;

    card_boot(&c, "");
    card_setup(&c, 16, 16);
    msg = gput(&c, "abc", 3);
    for (i = 0; i < 15; i++) {
        r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "", 0, 32);
        r.cookie = 77 + i;
        r.src = msg;
        r.src_len = 3;
        card_put(&c, &r);
    }
    card_ring(&c);
    for (i = 0; i < 15; i++) {
        card_wait(&c, &cqe);
        g_assert_cmphex(cqe.cookie, ==, 77 + i);
    }
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_HEAD), ==, 15);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_CQ_TAIL), ==, 15);
    card_free(&c);
}

static Req small_req(Card *c, uint64_t cookie)
{
    Req r = hash_req(c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 32);

    r.cookie = cookie;
    return r;
}

static void test_cq_full(void)
{
    struct vcrypt_hw_cqe cqe;
    Req r[3];
    unsigned i;
    Card c;

    card_boot(&c, "");
    card_setup(&c, 8, 2);       /* the CQ holds a single entry */
    for (i = 0; i < 3; i++) {
        r[i] = small_req(&c, 500 + i);
        card_put(&c, &r[i]);
    }
    card_ring(&c);
    qtest_clock_step(c.qts, 10 * 1000 * 1000);
    /* One completion; the card does not fetch more until CQ_HEAD moves */
    g_assert_true(card_poll(&c, &cqe, false));
    g_assert_cmphex(cqe.cookie, ==, 500);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_CQ_TAIL), ==, 1);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_HEAD), ==, 1);
    qtest_clock_step(c.qts, 10 * 1000 * 1000);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_HEAD), ==, 1);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_OPS), ==, 1);

    for (i = 0; i < 3; i++) {
        card_wait(&c, &cqe);
        g_assert_cmphex(cqe.cookie, ==, 500 + i);
        g_assert_cmpuint(cqe.status, ==, VCRYPT_HW_ST_OK);
    }
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_HEAD), ==, 3);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_OPS), ==, 3);
    card_free(&c);
}

static void test_doorbell_halt(void)
{
    Card c;
    Req r;

    card_boot_setup(&c, "");
    g_assert_false(qpci_msix_pending(c.dev, VCRYPT_HW_VEC_ERROR));
    wr32(&c, VCRYPT_REG_RQ_TAIL, 8);
    assert_halted(&c, VCRYPT_HW_ERR_DOORBELL);
    /* Halted: doorbells are ignored, nothing is processed */
    r = small_req(&c, 1);
    card_put(&c, &r);
    card_ring(&c);
    qtest_clock_step(c.qts, 10 * 1000 * 1000);
    g_assert_false(card_poll(&c, NULL, false));
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_TAIL), ==, 0);
    card_free(&c);

    card_boot_setup(&c, "");
    wr32(&c, VCRYPT_REG_CQ_HEAD, 9);
    assert_halted(&c, VCRYPT_HW_ERR_DOORBELL);
    card_free(&c);

    /* CQ_HEAD may not pass CQ_TAIL */
    card_boot_setup(&c, "");
    r = small_req(&c, 1);
    g_assert_cmpuint(card_run(&c, &r, NULL), ==, VCRYPT_HW_ST_OK);
    wr32(&c, VCRYPT_REG_CQ_HEAD, 2);
    assert_halted(&c, VCRYPT_HW_ERR_DOORBELL);
    card_free(&c);
}

static void test_ring_dma_halt(void)
{
    Card c;
    Req r;

    card_boot(&c, "");
    card_program(&c, UNMAPPED, 8, gfill(&c, 0, 8 * CQE_SIZE), 8);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_STATUS), ==, VCRYPT_STATUS_ENABLED);
    wr32(&c, VCRYPT_REG_RQ_TAIL, 1);
    qtest_clock_step(c.qts, 1000 * 1000);
    assert_halted(&c, VCRYPT_HW_ERR_RQ_DMA);
    card_free(&c);

    card_boot(&c, "");
    card_program(&c, gfill(&c, 0, 8 * DESC_SIZE), 8, UNMAPPED, 8);
    r = small_req(&c, 1);
    card_submit(&c, &r);
    qtest_clock_step(c.qts, 1000 * 1000);
    assert_halted(&c, VCRYPT_HW_ERR_CQ_DMA);
    card_free(&c);
}

static void test_reset(void)
{
    struct vcrypt_hw_cqe cqe;
    Card c;
    Req r;
    int i;

    card_boot(&c, "");
    card_setup(&c, 4, 4);
    for (i = 0; i < 5; i++) {
        r = small_req(&c, i);
        g_assert_cmpuint(card_run(&c, &r, NULL), ==, VCRYPT_HW_ST_OK);
    }
    /* Leave one in service and one waiting */
    r = small_req(&c, 98);
    card_put(&c, &r);
    r = small_req(&c, 99);
    card_submit(&c, &r);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_TAIL), ==, 3);

    wr32(&c, VCRYPT_REG_CTRL, VCRYPT_CTRL_RESET);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_CTRL), ==, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_STATUS), ==, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_ERROR), ==, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_RQ_BASE_LO), ==, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_RQ_SIZE), ==, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_CQ_BASE_LO), ==, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_CQ_SIZE), ==, 0);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_HEAD), ==, 0);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_TAIL), ==, 0);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_CQ_HEAD), ==, 0);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_CQ_TAIL), ==, 0);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_OPS), ==, 0);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_BUSY_NS), ==, 0);
    /* The work in flight is gone: nothing lands in the old ring */
    qtest_clock_step(c.qts, 10 * 1000 * 1000);
    g_assert_false(card_poll(&c, NULL, false));

    /* A fresh start: slot 0, phase 1 */
    card_setup(&c, 4, 4);
    r = small_req(&c, 7);
    card_submit(&c, &r);
    card_wait(&c, &cqe);
    g_assert_cmphex(cqe.cookie, ==, 7);
    g_assert_cmpuint(cqe.flags, ==, VCRYPT_HW_CQE_PHASE);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_CQ_TAIL), ==, 1);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_OPS), ==, 1);
    card_free(&c);
}

/* Clearing ENABLE stops the card and rewinds the rings */
static void test_disable(void)
{
    Card c;
    Req r;

    card_boot_setup(&c, "");
    r = small_req(&c, 1);
    g_assert_cmpuint(card_run(&c, &r, NULL), ==, VCRYPT_HW_ST_OK);
    r = small_req(&c, 2);
    card_submit(&c, &r);
    wr32(&c, VCRYPT_REG_CTRL, 0);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_STATUS), ==, 0);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_HEAD), ==, 0);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_CQ_TAIL), ==, 0);
    qtest_clock_step(c.qts, 10 * 1000 * 1000);
    g_assert_false(card_poll(&c, NULL, false));
    /* Ring registers are writable again */
    wr32(&c, VCRYPT_REG_RQ_SIZE, 16);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_SIZE), ==, 16);
    card_free(&c);
}

/* Rate model */

static void test_rate(void)
{
    struct vcrypt_hw_cqe cqe;
    Card c;
    Req r;

    card_boot_setup(&c, ",ops-per-sec=1000,bytes-per-sec=0");
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_RATE_OPS), ==, 1000);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_RATE_BYTES), ==, 0);
    r = small_req(&c, 1);
    card_submit(&c, &r);
    qtest_clock_step(c.qts, 999999);
    g_assert_false(card_poll(&c, NULL, false));
    qtest_clock_step(c.qts, 1);
    g_assert_true(card_poll(&c, &cqe, true));
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_BUSY_NS), ==, 1000000);

    /* Two back to back: the second completes 1 ms after the first */
    r = small_req(&c, 2);
    card_put(&c, &r);
    r = small_req(&c, 3);
    card_submit(&c, &r);
    qtest_clock_step(c.qts, 1000000);
    g_assert_true(card_poll(&c, &cqe, true));
    g_assert_cmphex(cqe.cookie, ==, 2);
    qtest_clock_step(c.qts, 999999);
    g_assert_false(card_poll(&c, NULL, false));
    qtest_clock_step(c.qts, 1);
    g_assert_true(card_poll(&c, &cqe, true));
    g_assert_cmphex(cqe.cookie, ==, 3);

    /* Rates change at run time */
    qom_set_uint(&c, "ops-per-sec", 0);
    qom_set_uint(&c, "bytes-per-sec", 1000);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_RATE_OPS), ==, 0);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_RATE_BYTES), ==, 1000);
    g_assert_cmpuint(qom_get_uint(&c, "bytes-per-sec"), ==, 1000);
    r = small_req(&c, 4);               /* 3 bytes: 3 ms */
    card_submit(&c, &r);
    qtest_clock_step(c.qts, 2999999);
    g_assert_false(card_poll(&c, NULL, false));
    qtest_clock_step(c.qts, 1);
    g_assert_true(card_poll(&c, &cqe, true));
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_BUSY_NS), ==, 6000000);
    card_free(&c);
}

/* Fault injection */

static void test_fault_stall(void)
{
    struct vcrypt_hw_cqe cqe;
    Card c;
    Req r;

    card_boot_setup(&c, "");
    qtest_qom_set_bool(c.qts, VC_QOM, "fault-stall", true);
    g_assert_true(qtest_qom_get_bool(c.qts, VC_QOM, "fault-stall"));
    r = small_req(&c, 1);
    card_submit(&c, &r);
    qtest_clock_step(c.qts, 100 * 1000 * 1000);
    g_assert_false(card_poll(&c, NULL, false));
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_RQ_HEAD), ==, 0);
    qtest_qom_set_bool(c.qts, VC_QOM, "fault-stall", false);
    card_wait(&c, &cqe);
    g_assert_cmphex(cqe.cookie, ==, 1);
    g_assert_cmpuint(cqe.status, ==, VCRYPT_HW_ST_OK);
    card_free(&c);
}

static void test_fault_drop(void)
{
    g_autoptr(GByteArray) want = unhex(sha256_abc);
    struct vcrypt_hw_cqe cqe;
    Card c;
    Req r1, r2;

    card_boot_setup(&c, "");
    qom_set_uint(&c, "fault-drop-completions", 1);
    g_assert_cmpuint(qom_get_uint(&c, "fault-drop-completions"), ==, 1);
    r1 = small_req(&c, 1);
    card_put(&c, &r1);
    r2 = small_req(&c, 2);
    card_submit(&c, &r2);
    card_wait(&c, &cqe);
    g_assert_cmphex(cqe.cookie, ==, 2);
    /* The dropped one was processed all the same */
    assert_mem(&c, r1.dst, want);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_OPS), ==, 2);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_CQ_TAIL), ==, 1);
    g_assert_cmpuint(qom_get_uint(&c, "fault-drop-completions"), ==, 0);
    card_free(&c);
}

static void test_fault_corrupt(void)
{
    struct vcrypt_hw_cqe cqe;
    Card c;
    Req r;

    card_boot_setup(&c, "");
    qom_set_uint(&c, "fault-corrupt-completions", 1);
    r = small_req(&c, 0x1234);
    card_submit(&c, &r);
    card_wait(&c, &cqe);
    g_assert_cmphex(cqe.cookie, ==, ~0x1234ULL);
    g_assert_cmpuint(cqe.status, ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(cqe.out_len, ==, 32);
    r = small_req(&c, 0x5678);
    card_submit(&c, &r);
    card_wait(&c, &cqe);
    g_assert_cmphex(cqe.cookie, ==, 0x5678);
    g_assert_cmpuint(qom_get_uint(&c, "fault-corrupt-completions"), ==, 0);
    card_free(&c);
}

static void test_fault_device_error(void)
{
    struct vcrypt_hw_cqe cqe;
    Card c;
    Req r;

    card_boot_setup(&c, "");
    g_assert_false(qtest_qom_get_bool(c.qts, VC_QOM, "fault-device-error"));
    r = small_req(&c, 1);
    card_submit(&c, &r);
    qtest_qom_set_bool(c.qts, VC_QOM, "fault-device-error", true);
    assert_halted(&c, VCRYPT_HW_ERR_INJECTED);
    g_assert_true(qtest_qom_get_bool(c.qts, VC_QOM, "fault-device-error"));
    qtest_clock_step(c.qts, 10 * 1000 * 1000);
    g_assert_false(card_poll(&c, NULL, false));

    wr32(&c, VCRYPT_REG_CTRL, VCRYPT_CTRL_RESET);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_STATUS), ==, 0);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_ERROR), ==, VCRYPT_HW_ERR_NONE);
    g_assert_false(qtest_qom_get_bool(c.qts, VC_QOM, "fault-device-error"));
    card_setup(&c, 8, 8);
    card_submit(&c, &r);
    card_wait(&c, &cqe);
    g_assert_cmpuint(cqe.status, ==, VCRYPT_HW_ST_OK);
    card_free(&c);
}

static void qom_set_int(Card *c, const char *prop, int64_t val)
{
    qtest_qmp_assert_success(c->qts,
        "{'execute': 'qom-set', 'arguments':"
        " {'path': %s, 'property': %s, 'value': %" PRId64 "}}",
        VC_QOM, prop, val);
}

/* A GByteArray of @len bytes of @hex from byte @from on */
static GByteArray *unhex_part(const char *hex, size_t from, size_t len)
{
    GByteArray *all = unhex(hex), *part = g_byte_array_new();

    g_byte_array_append(part, all->data + from, len);
    g_byte_array_unref(all);
    return part;
}

/*
 * A short out_len: the card reports and writes 4 bytes less; a long one:
 * it reports 5 more than it wrote. An error completion carries the delta
 * as well. The statistics count what really happened.
 */
static void test_fault_out_len_delta(void)
{
    g_autoptr(GByteArray) head = unhex_part(sha256_abc, 0, 28);
    g_autoptr(GByteArray) want = unhex(sha256_abc);
    uint32_t out_len;
    Card c;
    Req r;

    card_boot_setup(&c, "");
    qom_set_int(&c, "fault-out-len-delta", -4);
    g_assert_cmpint(qom_get_uint(&c, "fault-out-len-delta"), ==, -4);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 40);
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, 28);
    assert_mem(&c, r.dst, head);
    assert_filled(&c, r.dst + 28, 0xee, 12);

    qom_set_int(&c, "fault-out-len-delta", 5);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 40);
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, 37);
    assert_mem(&c, r.dst, want);
    assert_filled(&c, r.dst + 32, 0xee, 8);
    r.op = 0x7f;
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_BAD_OP);
    g_assert_cmpuint(out_len, ==, 5);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_BYTES), ==, 6);

    qom_set_int(&c, "fault-out-len-delta", 0);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 40);
    check_hash(&c, &r, sha256_abc);
    card_free(&c);
}

/*
 * The card leaves the first bytes of the result alone and reports the
 * full out_len: on a flat destination, and across the entries of an SG
 * table (48 + 24 bytes, the first 52 skipped).
 */
static void test_fault_dst_skip(void)
{
    static const uint32_t dst_lens[] = { 48, 24 };
    g_autoptr(GByteArray) tail = unhex_part(sha256_abc, 8, 24);
    g_autoptr(GByteArray) ct_tail = unhex_part(cbc_ct, 52, 12);
    g_autoptr(GByteArray) key = unhex(aes128_key);
    g_autoptr(GByteArray) iv = unhex(cbc_iv);
    g_autoptr(GByteArray) pt = unhex(sp800_38a_pt);
    uint64_t dst_seg[2], dst_area;
    uint32_t out_len;
    Card c;
    Req r;

    card_boot_setup(&c, "");
    qom_set_uint(&c, "fault-dst-skip", 8);
    g_assert_cmpuint(qom_get_uint(&c, "fault-dst-skip"), ==, 8);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 32);
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, 32);
    assert_filled(&c, r.dst, 0xee, 8);
    assert_mem(&c, r.dst + 8, tail);

    qom_set_uint(&c, "fault-dst-skip", 52);
    dst_area = gfill(&c, 0xee, 3 * 4096);
    r = cipher_req(&c, VCRYPT_HW_OP_AES_CBC, 0, key, iv, pt, 72);
    r.dst = sg_table(&c, dst_area, dst_lens, 2, dst_seg);
    r.dst_nsge = 2;
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, VCRYPT_HW_ST_OK);
    g_assert_cmpuint(out_len, ==, 64);
    assert_filled(&c, dst_seg[0], 0xee, 48);
    assert_filled(&c, dst_seg[1], 0xee, 4);
    assert_mem(&c, dst_seg[1] + 4, ct_tail);
    assert_filled(&c, dst_seg[1] + 16, 0xee, 8);

    qom_set_uint(&c, "fault-dst-skip", 0);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 32);
    check_hash(&c, &r, sha256_abc);
    card_free(&c);
}

/*
 * A descriptor that succeeded is reported with another status and out_len
 * 0 (but its result is written); errors keep their own status.
 */
static void test_fault_cqe_status(void)
{
    g_autoptr(GByteArray) want = unhex(sha256_abc);
    uint32_t out_len;
    Card c;
    Req r;

    card_boot_setup(&c, "");
    qom_set_uint(&c, "fault-cqe-status", 0x7f);
    g_assert_cmpuint(qom_get_uint(&c, "fault-cqe-status"), ==, 0x7f);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 32);
    g_assert_cmpuint(card_run(&c, &r, &out_len), ==, 0x7f);
    g_assert_cmpuint(out_len, ==, 0);
    assert_mem(&c, r.dst, want);
    r.op = 0x7f;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_OP);
    g_assert_cmpuint(rd64(&c, VCRYPT_REG_STAT_ERRORS), ==, 1);
    qom_set_uint(&c, "fault-cqe-status", 0);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "abc", 3, 32);
    check_hash(&c, &r, sha256_abc);
    card_free(&c);
}

/* Reserved flag bits of completion entries; the phase stays the card's */
static void test_fault_cqe_flags(void)
{
    struct vcrypt_hw_cqe cqe;
    Card c;
    Req r;

    card_boot_setup(&c, "");
    c.any_flags = true;
    qom_set_uint(&c, "fault-cqe-flags", 0xffff);
    g_assert_cmpuint(qom_get_uint(&c, "fault-cqe-flags"), ==, 0xffff);
    r = small_req(&c, 1);
    card_submit(&c, &r);
    card_wait(&c, &cqe);
    g_assert_cmphex(cqe.flags, ==, 0xffff);
    g_assert_cmpuint(cqe.status, ==, VCRYPT_HW_ST_OK);
    qom_set_uint(&c, "fault-cqe-flags", 0x8000);
    r = small_req(&c, 2);
    card_submit(&c, &r);
    card_wait(&c, &cqe);
    g_assert_cmphex(cqe.flags, ==, 0x8000 | VCRYPT_HW_CQE_PHASE);
    card_free(&c);
}

/* The limit registers lie; the card keeps its real limits */
static void test_fault_lie_limits(void)
{
    Card c;
    Req r;

    card_boot_setup(&c, "");
    qtest_qom_set_bool(c.qts, VC_QOM, "fault-lie-limits", true);
    g_assert_true(qtest_qom_get_bool(c.qts, VC_QOM, "fault-lie-limits"));
    g_assert_cmphex(rd32(&c, VCRYPT_REG_MAX_RING), ==, UINT32_MAX);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_MAX_DATA), ==, UINT32_MAX);
    g_assert_cmphex(rd32(&c, VCRYPT_REG_MAX_SGE), ==, UINT32_MAX);
    r = hash_req(&c, VCRYPT_HW_OP_SHA256, NULL, 0, "", 0, 32);
    r.src_len = VCRYPT_HW_DATA_MAX + 1;
    expect_status(&c, &r, VCRYPT_HW_ST_BAD_LEN);
    qtest_qom_set_bool(c.qts, VC_QOM, "fault-lie-limits", false);
    g_assert_cmpuint(rd32(&c, VCRYPT_REG_MAX_DATA), ==, VCRYPT_HW_DATA_MAX);
    card_free(&c);
}

/*
 * Reference sweeps: every operation at every length from 0 to 1 KiB, at
 * the block and page boundaries, at the card's largest source and at
 * random lengths, through flat buffers at unaligned addresses and through
 * SG tables of random shapes, checked against OpenSSL's libcrypto, which
 * shares no code with the model (QEMU's crypto and nettle).
 */

/* An operation as the card takes it, for the reference */
typedef struct RefOp {
    uint8_t op;
    bool decrypt;
    const uint8_t *key;
    uint32_t key_len;
    const uint8_t *iv;
    const uint8_t *src;
    uint32_t src_len;
    uint32_t aad_len;
    uint32_t tag_len;
} RefOp;

static const uint32_t gcm_tags[] = { 4, 8, 12, 13, 14, 15, 16 };

static uint32_t ref_out_len(const RefOp *r)
{
    switch (r->op) {
    case VCRYPT_HW_OP_SHA512:
        return 64;
    case VCRYPT_HW_OP_SHA256:
    case VCRYPT_HW_OP_HMAC_SHA256:
        return 32;
    case VCRYPT_HW_OP_AES_GCM:
        return r->decrypt ? r->src_len - r->tag_len : r->src_len + r->tag_len;
    default:
        return r->src_len;
    }
}

static uint32_t ref_iv_len(uint8_t op)
{
    switch (op) {
    case VCRYPT_HW_OP_AES_CBC:
    case VCRYPT_HW_OP_AES_CTR:
    case VCRYPT_HW_OP_AES_XTS:
        return 16;
    case VCRYPT_HW_OP_AES_GCM:
        return 12;
    default:
        return 0;
    }
}

static bool ref_len_ok(uint8_t op, uint32_t len)
{
    return op == VCRYPT_HW_OP_AES_CBC ? len % 16 == 0 :
           op == VCRYPT_HW_OP_AES_XTS ? len >= 16 : true;
}

static const EVP_CIPHER *ref_cipher(uint8_t op, uint32_t key_len)
{
    unsigned k = key_len == 16 ? 0 : key_len == 24 ? 1 : 2;

    switch (op) {
    case VCRYPT_HW_OP_AES_CBC:
        return (const EVP_CIPHER *[]){ EVP_aes_128_cbc(), EVP_aes_192_cbc(),
                                       EVP_aes_256_cbc() }[k];
    case VCRYPT_HW_OP_AES_CTR:
        return (const EVP_CIPHER *[]){ EVP_aes_128_ctr(), EVP_aes_192_ctr(),
                                       EVP_aes_256_ctr() }[k];
    case VCRYPT_HW_OP_AES_GCM:
        return (const EVP_CIPHER *[]){ EVP_aes_128_gcm(), EVP_aes_192_gcm(),
                                       EVP_aes_256_gcm() }[k];
    default:
        /* XTS is built on ECB of one key half */
        return (const EVP_CIPHER *[]){ EVP_aes_128_ecb(), EVP_aes_192_ecb(),
                                       EVP_aes_256_ecb() }[k];
    }
}

static void ref_evp(const EVP_CIPHER *cipher, bool decrypt,
                    const uint8_t *key, const uint8_t *iv,
                    const uint8_t *in, size_t len, uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, m = 0;

    g_assert(ctx);
    g_assert(EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, !decrypt));
    g_assert(EVP_CIPHER_CTX_set_padding(ctx, 0));
    g_assert(!len || EVP_CipherUpdate(ctx, out, &n, in, len));
    g_assert(EVP_CipherFinal_ex(ctx, out + n, &m));
    g_assert_cmpint(n + m, ==, len);
    EVP_CIPHER_CTX_free(ctx);
}

/* XTS: the tweak times alpha in GF(2^128), little-endian */
static void ref_xts_mul(uint8_t *t)
{
    uint8_t carry = 0, c;
    unsigned i;

    for (i = 0; i < 16; i++) {
        c = t[i] >> 7;
        t[i] = t[i] << 1 | carry;
        carry = c;
    }
    if (carry) {
        t[0] ^= 0x87;
    }
}

static void ref_xts_block(const EVP_CIPHER *ecb, bool decrypt,
                          const uint8_t *key1, const uint8_t *t,
                          const uint8_t *in, uint8_t *out)
{
    uint8_t x[16];
    unsigned i;

    for (i = 0; i < 16; i++) {
        x[i] = in[i] ^ t[i];
    }
    ref_evp(ecb, decrypt, key1, NULL, x, 16, x);
    for (i = 0; i < 16; i++) {
        out[i] = x[i] ^ t[i];
    }
}

/*
 * IEEE 1619 XTS-AES of one data unit, ciphertext stealing included: the
 * whole blocks through one ECB call between two XORs with their tweaks,
 * then the stolen pair block by block
 */
static void ref_xts(bool decrypt, const uint8_t *key, uint32_t key_len,
                    const uint8_t *iv, const uint8_t *in, uint32_t len,
                    uint8_t *out)
{
    const EVP_CIPHER *ecb = ref_cipher(VCRYPT_HW_OP_AES_XTS, key_len / 2);
    uint32_t full = len / 16, rest = len % 16, bulk, j, i;
    g_autofree uint8_t *tw = NULL;
    uint8_t t[16], t2[16], pp[16];

    g_assert(len >= 16);
    bulk = rest ? full - 1 : full;
    tw = g_malloc(bulk * 16 + 1);
    ref_evp(ecb, false, key + key_len / 2, NULL, iv, 16, t);
    for (j = 0; j < bulk; j++) {
        memcpy(tw + j * 16, t, 16);
        ref_xts_mul(t);
    }
    for (i = 0; i < bulk * 16; i++) {
        out[i] = in[i] ^ tw[i];
    }
    ref_evp(ecb, decrypt, key, NULL, out, bulk * 16, out);
    for (i = 0; i < bulk * 16; i++) {
        out[i] ^= tw[i];
    }
    if (!rest) {
        return;
    }
    j = bulk;
    memcpy(t2, t, 16);
    ref_xts_mul(t2);
    ref_xts_block(ecb, decrypt, key, decrypt ? t2 : t, in + j * 16, pp);
    memcpy(out + (j + 1) * 16, pp, rest);
    memcpy(pp, in + (j + 1) * 16, rest);
    ref_xts_block(ecb, decrypt, key, decrypt ? t : t2, pp, out + j * 16);
}

/* AES-GCM; a decryption with a wrong tag gives AUTH and writes nothing */
static uint16_t ref_gcm(const RefOp *r, uint8_t *out)
{
    uint32_t text = r->src_len - r->aad_len - (r->decrypt ? r->tag_len : 0);
    const uint8_t *in = r->src + r->aad_len;
    g_autofree uint8_t *buf = g_malloc(text + 16);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    uint8_t tag[16];
    int n = 0, m = 0;
    bool ok;

    g_assert(ctx);
    g_assert(EVP_CipherInit_ex(ctx, ref_cipher(r->op, r->key_len), NULL,
                               r->key, r->iv, !r->decrypt));
    g_assert(!r->aad_len ||
             EVP_CipherUpdate(ctx, NULL, &n, r->src, r->aad_len));
    g_assert(!text || EVP_CipherUpdate(ctx, buf, &n, in, text));
    if (r->decrypt) {
        memcpy(tag, in + text, r->tag_len);
        g_assert(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, r->tag_len,
                                     tag));
        ok = EVP_CipherFinal_ex(ctx, buf + n, &m);
    } else {
        g_assert(EVP_CipherFinal_ex(ctx, buf + n, &m));
        g_assert(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, r->tag_len,
                                     buf + text));
        ok = true;
    }
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        return VCRYPT_HW_ST_AUTH;
    }
    memcpy(out, r->src, r->aad_len);
    memcpy(out + r->aad_len, buf, r->decrypt ? text : text + r->tag_len);
    return VCRYPT_HW_ST_OK;
}

/* @iv plus @n as one 128-bit big-endian number */
static void ref_ctr_add(const uint8_t *iv, uint64_t n, uint8_t *out)
{
    unsigned carry = 0, i;

    for (i = 16; i--; ) {
        carry += iv[i] + (n & 0xff);
        out[i] = carry;
        carry >>= 8;
        n >>= 8;
    }
}

/*
 * What the card must give for @r: its status, its output into @out
 * (ref_out_len() bytes) and the IV left in memory into @iv_after.
 */
static uint16_t ref_run(const RefOp *r, uint8_t *out, uint8_t *iv_after)
{
    static const uint8_t no_key[1];
    uint32_t iv_len = ref_iv_len(r->op);
    unsigned md_len;

    memcpy(iv_after, r->iv, iv_len);
    switch (r->op) {
    case VCRYPT_HW_OP_AES_CBC:
        ref_evp(ref_cipher(r->op, r->key_len), r->decrypt, r->key, r->iv,
                r->src, r->src_len, out);
        if (r->src_len) {
            memcpy(iv_after, (r->decrypt ? r->src : out) + r->src_len - 16,
                   16);
        }
        return VCRYPT_HW_ST_OK;
    case VCRYPT_HW_OP_AES_CTR:
        ref_evp(ref_cipher(r->op, r->key_len), r->decrypt, r->key, r->iv,
                r->src, r->src_len, out);
        ref_ctr_add(r->iv, DIV_ROUND_UP(r->src_len, 16), iv_after);
        return VCRYPT_HW_ST_OK;
    case VCRYPT_HW_OP_AES_XTS:
        ref_xts(r->decrypt, r->key, r->key_len, r->iv, r->src, r->src_len,
                out);
        return VCRYPT_HW_ST_OK;
    case VCRYPT_HW_OP_AES_GCM:
        return ref_gcm(r, out);
    case VCRYPT_HW_OP_SHA256:
    case VCRYPT_HW_OP_SHA512:
        g_assert(EVP_Digest(r->src, r->src_len, out, &md_len,
                            r->op == VCRYPT_HW_OP_SHA256 ? EVP_sha256() :
                            EVP_sha512(), NULL));
        return VCRYPT_HW_ST_OK;
    default:
        g_assert(HMAC(EVP_sha256(), r->key_len ? r->key : no_key,
                      r->key_len, r->src, r->src_len, out, &md_len));
        return VCRYPT_HW_ST_OK;
    }
}

/* The reference itself: XTS as built above against OpenSSL's */
static void test_ref_self(void)
{
    static const uint32_t lens[] = { 16, 17, 31, 32, 33, 100, 512, 527 };
    uint8_t key[64], iv[16], in[527], a[527], b[527];
    unsigned i, k;

    for (k = 0; k < 2; k++) {
        const EVP_CIPHER *x = k ? EVP_aes_256_xts() : EVP_aes_128_xts();
        uint32_t key_len = k ? 64 : 32;

        for (i = 0; i < sizeof(key); i++) {
            key[i] = i * 13 + k;
        }
        memset(iv, 0x5a + k, sizeof(iv));
        for (i = 0; i < sizeof(in); i++) {
            in[i] = i * 7 + k;
        }
        for (i = 0; i < ARRAY_SIZE(lens); i++) {
            ref_xts(false, key, key_len, iv, in, lens[i], a);
            ref_evp(x, false, key, iv, in, lens[i], b);
            g_assert_cmpmem(a, lens[i], b, lens[i]);
            ref_xts(true, key, key_len, iv, a, lens[i], b);
            g_assert_cmpmem(b, lens[i], in, lens[i]);
        }
    }
    {
        g_autoptr(GByteArray) key15 = unhex(xts15_key);
        g_autoptr(GByteArray) iv15 = unhex(xts15_iv);
        g_autoptr(GByteArray) pt15 = unhex(xts15_pt);
        g_autoptr(GByteArray) ct15 = unhex(xts15_ct);

        ref_xts(false, key15->data, key15->len, iv15->data, pt15->data,
                pt15->len, a);
        g_assert_cmpmem(a, ct15->len, ct15->data, ct15->len);
    }
}

/* The next value of a seeded xorshift generator */
static uint32_t sw_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void sw_fill(uint8_t *buf, size_t len, uint32_t *s)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = sw_rand(s);
    }
}

#define SW_RING         64
#define SW_BATCH        (SW_RING - 1)
#define SW_AREA         (3 * VCRYPT_HW_DATA_MAX)
#define SW_SGE          256
#define SW_GAP          3       /* canary bytes between segments */
#define SW_TAIL         16      /* canary bytes after a destination */
#define SW_CANARY       0xee
#define SW_IV_SLOT      32
#define SW_REPORT_MAX   8
#define SW_INPLACE      UINT_MAX  /* nseg: flat, destination = source */

/* One request of a batch: where its data is, what it must give */
typedef struct SwReq {
    RefOp r;
    uint16_t status;
    uint32_t out_len;
    uint32_t iv_off;
    uint32_t dst_len;
    unsigned src_nsge;
    unsigned dst_nsge;
    uint32_t src_seg_off[SW_SGE];     /* offsets in the source area */
    uint32_t src_seg_len[SW_SGE];
    uint32_t dst_seg_off[SW_SGE];     /* offsets in the destination area */
    uint32_t dst_seg_len[SW_SGE];
    bool inplace;                   /* the destination is in the source area */
    uint8_t *input;                 /* the source, for what stays in place */
    uint8_t *want;
    uint8_t iv_after[16];
} SwReq;

/*
 * A sweep: a card with unlimited rates, a key, and areas in guest memory
 * for the sources, destinations, IVs and SG tables of a batch of up to
 * SW_BATCH requests, mirrored on the host.
 */
typedef struct Sweep {
    Card c;
    uint8_t op;
    uint32_t key_len;
    uint8_t key[VCRYPT_HW_KEY_MAX];
    uint64_t g_key, g_src, g_dst, g_ivs, g_sgt;
    uint8_t *src;
    uint8_t *dst;
    uint8_t *back;                  /* the source area after the batch */
    uint8_t ivs[SW_BATCH * SW_IV_SLOT];
    uint32_t src_used;
    uint32_t dst_used;
    SwReq *req;
    unsigned n;
    uint32_t seed;
    unsigned long checked;
    unsigned failures;
} Sweep;

static void sw_start(Sweep *s, uint8_t op, uint32_t key_len, uint32_t seed)
{
    memset(s, 0, sizeof(*s));
    card_boot(&s->c, ",ops-per-sec=0,bytes-per-sec=0");
    card_setup(&s->c, SW_RING, SW_RING);
    s->op = op;
    s->seed = seed | 1;
    s->g_src = galloc(&s->c, SW_AREA);
    s->g_dst = galloc(&s->c, SW_AREA);
    s->g_ivs = galloc(&s->c, sizeof(s->ivs));
    s->g_sgt = galloc(&s->c, SW_BATCH * SW_SGE * 2 *
                      sizeof(struct vcrypt_hw_sge));
    s->g_key = galloc(&s->c, VCRYPT_HW_KEY_MAX);
    s->src = g_malloc(SW_AREA);
    s->dst = g_malloc(SW_AREA);
    s->back = g_malloc(SW_AREA);
    s->req = g_new0(SwReq, SW_BATCH);
    s->key_len = key_len;
    sw_fill(s->key, key_len, &s->seed);
    qtest_memwrite(s->c.qts, s->g_key, s->key, VCRYPT_HW_KEY_MAX);
}

/* A new key of @key_len bytes for the requests added from now on */
static void sw_flush(Sweep *s);

static void sw_set_key(Sweep *s, const uint8_t *key, uint32_t key_len)
{
    sw_flush(s);
    s->key_len = key_len;
    memcpy(s->key, key, key_len);
    qtest_memwrite(s->c.qts, s->g_key, s->key, VCRYPT_HW_KEY_MAX);
}

static void sw_fail(Sweep *s, const SwReq *q, const char *what, long at)
{
    s->failures++;
    if (s->failures <= SW_REPORT_MAX) {
        g_test_message("op %#x%s key %u bytes, src_len %u (aad %u, tag %u)"
                       "%s: %s (at %ld)", s->op,
                       q->r.decrypt ? " decrypt" : "", s->key_len,
                       q->r.src_len, q->r.aad_len, q->r.tag_len,
                       q->src_nsge ? " through SG tables" :
                       q->inplace ? " in place" : "", what, at);
    }
    g_test_fail();
}

/* The first offset where @a and @b differ, or -1 */
static long sw_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (a[i] != b[i]) {
            return i;
        }
    }
    return -1;
}

/* Wait for the completions of a batch of @n; they arrive in order */
static void sw_wait(Sweep *s, struct vcrypt_hw_cqe *cqe, unsigned n)
{
    Card *c = &s->c;
    unsigned got = 0, i;

    for (i = 0; i < WAIT_STEPS && got < n; i++) {
        while (got < n && card_poll(c, &cqe[got], true)) {
            got++;
        }
        if (got < n) {
            qtest_clock_step(c->qts, WAIT_STEP_NS);
        }
    }
    g_assert_cmpuint(got, ==, n);
}

/* Lay @len bytes out in @nseg segments of random lengths, SW_GAP apart */
static unsigned sw_segments(Sweep *s, uint32_t len, unsigned nseg,
                            uint32_t *used, uint32_t *off, uint32_t *seg)
{
    uint32_t left = len;
    unsigned k;

    if (nseg > len) {
        nseg = len;
    }
    for (k = 0; k < nseg; k++) {
        seg[k] = k + 1 == nseg ? left :
                 1 + sw_rand(&s->seed) % MAX(1, 2 * left / (nseg - k));
        if (seg[k] > left - (nseg - k - 1)) {
            seg[k] = left - (nseg - k - 1);
        }
        off[k] = *used;
        *used += seg[k] + SW_GAP;
        left -= seg[k];
    }
    return nseg;
}

/*
 * Add one request of @len bytes of text (with @aad_len bytes of AAD and
 * @tag_len of tag for AES-GCM), through SG tables of up to @nseg segments
 * (0: flat buffers; SW_INPLACE: one flat buffer for both), to the batch.
 * Decryptions get the reference's encryption of random text; with @tamper
 * a bit of it is flipped.
 */
static void sw_add(Sweep *s, bool decrypt, uint32_t len, uint32_t aad_len,
                   uint32_t tag_len, unsigned nseg, bool tamper)
{
    uint32_t src_len = len + aad_len + (decrypt ? tag_len : 0);
    uint32_t iv_len = ref_iv_len(s->op);
    g_autofree uint8_t *plain = NULL;
    g_autofree uint8_t *in = NULL;
    bool inplace = nseg == SW_INPLACE;
    uint8_t iv_dummy[16];
    RefOp e;
    SwReq *q;
    uint32_t k, done, room;

    if (inplace) {
        nseg = 0;
    }
    if (s->n == SW_BATCH ||
        s->src_used + 2 * src_len + (SW_SGE + 2) * SW_GAP + 128 > SW_AREA ||
        s->dst_used + src_len + 64 + (SW_SGE + 1) * SW_GAP + SW_TAIL >
        SW_AREA) {
        sw_flush(s);
    }
    q = &s->req[s->n];
    memset(q, 0, offsetof(SwReq, want));
    q->iv_off = s->n * SW_IV_SLOT + s->n % 7;
    sw_fill(s->ivs + q->iv_off, iv_len, &s->seed);
    if (s->op == VCRYPT_HW_OP_AES_CTR && s->n % 3 == 0) {
        /* counters that carry across bytes and 64-bit halves */
        memset(s->ivs + q->iv_off + 7, 0xff, 9);
        s->ivs[q->iv_off + 15] -= s->n % 5;
    }

    /* the source, in the card's layout */
    in = g_malloc(src_len + 1);
    plain = g_malloc(aad_len + len + 1);
    sw_fill(plain, aad_len + len, &s->seed);
    if (decrypt && s->op != VCRYPT_HW_OP_AES_GCM) {
        e = (RefOp) { .op = s->op, .key = s->key, .key_len = s->key_len,
                      .iv = s->ivs + q->iv_off, .src = plain,
                      .src_len = len };
        ref_run(&e, in, iv_dummy);
    } else if (decrypt) {
        e = (RefOp) { .op = s->op, .key = s->key, .key_len = s->key_len,
                      .iv = s->ivs + q->iv_off, .src = plain,
                      .src_len = aad_len + len, .aad_len = aad_len,
                      .tag_len = tag_len };
        ref_run(&e, in, iv_dummy);
    } else {
        memcpy(in, plain, src_len);
    }
    if (tamper && src_len) {
        in[sw_rand(&s->seed) % src_len] ^= 1 << (s->n % 8);
    }

    q->r = (RefOp) { .op = s->op, .decrypt = decrypt, .key = s->key,
                     .key_len = s->key_len, .iv = s->ivs + q->iv_off,
                     .src = in, .src_len = src_len, .aad_len = aad_len,
                     .tag_len = tag_len };
    q->want = g_malloc(ref_out_len(&q->r) + 1);
    q->status = ref_run(&q->r, q->want, q->iv_after);
    q->out_len = q->status == VCRYPT_HW_ST_OK ? ref_out_len(&q->r) : 0;
    q->dst_len = ref_out_len(&q->r) + (nseg ? SW_GAP : SW_TAIL);

    /* where it goes: segments, or one buffer at an odd offset */
    s->src_used += 1 + s->n % 13;
    s->dst_used += 1 + s->n % 11;
    if (inplace) {
        /* the source, then canary bytes as far as the result reaches */
        room = MAX(src_len, q->dst_len);
        q->inplace = true;
        q->input = g_memdup2(in, src_len + 1);
        q->src_seg_off[0] = s->src_used;
        q->src_seg_len[0] = src_len;
        q->dst_seg_off[0] = s->src_used;
        q->dst_seg_len[0] = q->dst_len;
        memset(s->src + s->src_used + src_len, SW_CANARY, room - src_len);
        s->src_used += room;
    } else if (nseg && src_len) {
        q->src_nsge = sw_segments(s, src_len, nseg, &s->src_used,
                                  q->src_seg_off, q->src_seg_len);
    } else {
        q->src_seg_off[0] = s->src_used;
        q->src_seg_len[0] = src_len;
        s->src_used += src_len;
    }
    if (inplace) {
        /* placed above */
    } else if (nseg) {
        q->dst_nsge = sw_segments(s, q->dst_len, nseg, &s->dst_used,
                                  q->dst_seg_off, q->dst_seg_len);
    } else {
        q->dst_seg_off[0] = s->dst_used;
        q->dst_seg_len[0] = q->dst_len;
        s->dst_used += q->dst_len;
    }
    for (k = 0, done = 0; done < src_len; k++) {
        memcpy(s->src + q->src_seg_off[k], in + done, q->src_seg_len[k]);
        done += q->src_seg_len[k];
    }
    /* the copy in the batch's source area is what counts from now on */
    q->r.src = NULL;
    s->n++;
}

static uint64_t sw_table(Sweep *s, unsigned slot, unsigned nsge,
                         uint64_t base, const uint32_t *off,
                         const uint32_t *len)
{
    g_autofree struct vcrypt_hw_sge *t = g_new0(struct vcrypt_hw_sge, nsge);
    uint64_t addr = s->g_sgt + slot * sizeof(*t) * SW_SGE;
    unsigned k;

    for (k = 0; k < nsge; k++) {
        t[k].addr = cpu_to_le64(base + off[k]);
        t[k].len = cpu_to_le32(len[k]);
    }
    qtest_memwrite(s->c.qts, addr, t, nsge * sizeof(*t));
    return addr;
}

/* Run the batch on the card and check every request against the reference */
static void sw_flush(Sweep *s)
{
    struct vcrypt_hw_cqe cqe[SW_BATCH];
    g_autofree uint8_t *got = NULL;
    QTestState *qts = s->c.qts;
    uint32_t iv_len = ref_iv_len(s->op), k, done, n;
    unsigned i;
    SwReq *q;
    long at;

    if (!s->n) {
        return;
    }
    qtest_bufwrite(qts, s->g_src, s->src, s->src_used);
    qtest_bufwrite(qts, s->g_ivs, s->ivs, sizeof(s->ivs));
    qtest_memset(qts, s->g_dst, SW_CANARY, s->dst_used);
    for (i = 0; i < s->n; i++) {
        q = &s->req[i];
        Req r = {
            .cookie = 0x5eed0000ULL + i,
            .op = s->op,
            .flags = q->r.decrypt ? VCRYPT_HW_DF_DECRYPT : 0,
            .key_len = s->key_len,
            .iv_len = iv_len,
            .tag_len = q->r.tag_len,
            .key = s->key_len ? s->g_key : 0,
            .iv = iv_len ? s->g_ivs + q->iv_off : 0,
            .src = s->g_src + q->src_seg_off[0],
            .dst = (q->inplace ? s->g_src : s->g_dst) + q->dst_seg_off[0],
            .src_len = q->r.src_len,
            .dst_len = q->dst_len,
            .aad_len = q->r.aad_len,
        };

        if (q->src_nsge) {
            r.src = sw_table(s, 2 * i, q->src_nsge, s->g_src,
                             q->src_seg_off, q->src_seg_len);
            r.src_nsge = q->src_nsge;
        }
        if (q->dst_nsge) {
            r.dst = sw_table(s, 2 * i + 1, q->dst_nsge, s->g_dst,
                             q->dst_seg_off, q->dst_seg_len);
            r.dst_nsge = q->dst_nsge;
        }
        card_put(&s->c, &r);
    }
    card_ring(&s->c);
    sw_wait(s, cqe, s->n);

    qtest_bufread(qts, s->g_dst, s->dst, s->dst_used);
    qtest_bufread(qts, s->g_src, s->back, s->src_used);
    qtest_bufread(qts, s->g_ivs, s->ivs, sizeof(s->ivs));
    for (i = 0; i < s->n; i++) {
        q = &s->req[i];
        s->checked++;
        if (cqe[i].cookie != 0x5eed0000ULL + i) {
            sw_fail(s, q, "completion out of order", cqe[i].cookie);
            continue;
        }
        if (cqe[i].status != q->status) {
            sw_fail(s, q, "status", cqe[i].status);
            continue;
        }
        if (cqe[i].out_len != q->out_len) {
            sw_fail(s, q, "out_len", cqe[i].out_len);
            continue;
        }
        /* gather the destination; AUTH: nothing may be written */
        got = g_realloc(got, q->dst_len + 1);
        for (k = 0, done = 0; done < q->dst_len; k++) {
            memcpy(got + done, (q->inplace ? s->back : s->dst) +
                   q->dst_seg_off[k], q->dst_seg_len[k]);
            done += q->dst_seg_len[k];
            if (q->dst_nsge && k + 1 < q->dst_nsge &&
                s->dst[q->dst_seg_off[k] + q->dst_seg_len[k]] != SW_CANARY) {
                sw_fail(s, q, "written between segments", done);
            }
        }
        at = sw_diff(got, q->want, q->out_len);
        if (at >= 0) {
            sw_fail(s, q, "output differs from the reference", at);
        }
        for (n = q->out_len; n < q->dst_len; n++) {
            /* in place, what the result does not cover stays the source */
            if (got[n] != (q->inplace && n < q->r.src_len ? q->input[n] :
                           SW_CANARY)) {
                sw_fail(s, q, "written past out_len", n);
                break;
            }
        }
        at = sw_diff(s->ivs + q->iv_off, q->iv_after, iv_len);
        if (at >= 0 && q->status == VCRYPT_HW_ST_OK) {
            sw_fail(s, q, "IV left in memory differs from the reference", at);
        }
    }
    for (i = 0; i < s->n; i++) {
        g_free(s->req[i].want);
        g_free(s->req[i].input);
        s->req[i].want = NULL;
        s->req[i].input = NULL;
    }
    s->n = 0;
    s->src_used = 0;
    s->dst_used = 0;
}

static void sw_end(Sweep *s)
{
    sw_flush(s);
    g_test_message("%lu operations checked, %u wrong", s->checked,
                   s->failures);
    g_assert_cmpuint(s->checked, >, 0);
    g_free(s->src);
    g_free(s->dst);
    g_free(s->back);
    g_free(s->req);
    card_free(&s->c);
}

/* One kind of sweep of one operation */
typedef struct SwCase {
    uint8_t op;
    uint32_t key_len;
    void (*run)(Sweep *s);
} SwCase;

static bool sw_cipher(const Sweep *s)
{
    return ref_iv_len(s->op) != 0;
}

/*
 * @len bytes in each direction the operation has; AES-GCM with AAD and
 * tag lengths that change with @k, and every 17th decryption tampered
 */
static void sw_both(Sweep *s, uint32_t len, unsigned k, unsigned nseg)
{
    uint32_t aad = 0, tag = 0;

    if (!ref_len_ok(s->op, len)) {
        return;
    }
    if (s->op == VCRYPT_HW_OP_AES_GCM) {
        aad = len > 1024 ? 20 : (k * 7) % 45;
        tag = gcm_tags[k % ARRAY_SIZE(gcm_tags)];
        if ((uint64_t)len + aad + tag > VCRYPT_HW_DATA_MAX) {
            return;
        }
    }
    sw_add(s, false, len, aad, tag, nseg, false);
    if (sw_cipher(s)) {
        sw_add(s, true, len, aad, tag, nseg,
               s->op == VCRYPT_HW_OP_AES_GCM && k % 17 == 5);
    }
}

/* HMAC: the key lengths of the sweeps (below, at and over the block) */
static const uint32_t hmac_keys[] = { 32, 64, 100, VCRYPT_HW_KEY_MAX };

static void sw_key(Sweep *s, uint32_t key_len)
{
    uint8_t key[VCRYPT_HW_KEY_MAX];

    sw_fill(key, key_len, &s->seed);
    sw_set_key(s, key, key_len);
}

/*
 * Every length from 0 to 1 KiB, flat buffers at odd addresses, every
 * fourth in place
 */
static void sw_lengths(Sweep *s)
{
    unsigned k, len, kk;

    for (kk = 0; kk < (s->op == VCRYPT_HW_OP_HMAC_SHA256 ?
                       ARRAY_SIZE(hmac_keys) : 1); kk++) {
        if (s->op == VCRYPT_HW_OP_HMAC_SHA256) {
            sw_key(s, hmac_keys[kk]);
        }
        for (len = 0, k = 0; len <= 1024; len++, k++) {
            sw_both(s, len, k, k % 4 == 3 ? SW_INPLACE : 0);
        }
    }
    if (s->op == VCRYPT_HW_OP_AES_GCM) {
        /* every AAD length from 0 to 1 KiB, every tag length */
        for (k = 0; k <= 1024; k++) {
            uint32_t tag = gcm_tags[k % ARRAY_SIZE(gcm_tags)];

            sw_add(s, false, (k * 13) % 67, k, tag, 0, false);
            sw_add(s, true, (k * 13) % 67, k, tag, 0, k % 19 == 3);
        }
    }
    if (s->op == VCRYPT_HW_OP_HMAC_SHA256) {
        /* every key length the card takes */
        for (k = 0; k <= VCRYPT_HW_KEY_MAX; k++) {
            sw_key(s, k);
            sw_add(s, false, (k * 11) % 300, 0, 0, 0, false);
            sw_add(s, false, 64 + k, 0, 0, 0, false);
        }
    }
}

/* Lengths at block and page boundaries, up to the card's MAX_DATA */
static void sw_boundaries(Sweep *s)
{
    static const uint32_t base[] = {
        16, 32, 48, 64, 128, 256, 512, 4096, 8192, 12288, 16384, 32768,
        65536, 131072, 262144, 524288, VCRYPT_HW_DATA_MAX,
    };
    /* a block either side, and one byte either side of those */
    static const int delta[] = { -17, -16, -15, -1, 0, 1, 15, 16, 17 };
    unsigned i, j, k = 0;
    int64_t len;

    if (s->op == VCRYPT_HW_OP_HMAC_SHA256) {
        sw_key(s, 100);
    }
    for (i = 0; i < ARRAY_SIZE(base); i++) {
        for (j = 0; j < ARRAY_SIZE(delta); j++) {
            len = (int64_t)base[i] + delta[j];
            if (len >= 0 && len <= VCRYPT_HW_DATA_MAX) {
                sw_both(s, len, k++, 0);
            }
        }
    }
}

/* Lengths drawn at random up to MAX_DATA (a fixed seed: the same each run) */
static void sw_random(Sweep *s)
{
    unsigned i;
    uint32_t len;

    if (s->op == VCRYPT_HW_OP_HMAC_SHA256) {
        sw_key(s, 65);
    }
    for (i = 0; i < 24; i++) {
        len = sw_rand(&s->seed) % (i % 3 ? 65536 : VCRYPT_HW_DATA_MAX + 1);
        if (s->op == VCRYPT_HW_OP_AES_CBC) {
            len &= ~15u;
        }
        sw_both(s, len, i, 0);
    }
}

/*
 * SG tables of random shapes (2 to 8 segments, some of one byte, both
 * sides, 3 canary bytes between them) at every length from 1 to 1 KiB;
 * then 64 KiB and MAX_DATA in the most segments the card takes
 */
static void sw_sg(Sweep *s)
{
    uint32_t len;
    unsigned k = 0;

    if (s->op == VCRYPT_HW_OP_HMAC_SHA256) {
        sw_key(s, 64);
    }
    for (len = 1; len <= 1024; len++, k++) {
        sw_both(s, len, k, 2 + k % 7);
    }
    sw_both(s, 300, k++, SW_SGE);
    sw_both(s, 65536, k++, SW_SGE);
    sw_both(s, VCRYPT_HW_DATA_MAX - 32, k++, SW_SGE);
}

static void test_sweep(const void *data)
{
    const SwCase *c = data;
    Sweep s;

    sw_start(&s, c->op, c->key_len, (c->op << 8) + c->key_len);
    c->run(&s);
    sw_end(&s);
}

static void add_sweeps(void)
{
    static const struct {
        const char *name;
        uint8_t op;
        uint32_t key_len;
    } ops[] = {
        { "aes-cbc-128", VCRYPT_HW_OP_AES_CBC, 16 },
        { "aes-cbc-192", VCRYPT_HW_OP_AES_CBC, 24 },
        { "aes-cbc-256", VCRYPT_HW_OP_AES_CBC, 32 },
        { "aes-ctr-128", VCRYPT_HW_OP_AES_CTR, 16 },
        { "aes-ctr-192", VCRYPT_HW_OP_AES_CTR, 24 },
        { "aes-ctr-256", VCRYPT_HW_OP_AES_CTR, 32 },
        { "aes-xts-256", VCRYPT_HW_OP_AES_XTS, 32 },
        { "aes-xts-384", VCRYPT_HW_OP_AES_XTS, 48 },
        { "aes-xts-512", VCRYPT_HW_OP_AES_XTS, 64 },
        { "aes-gcm-128", VCRYPT_HW_OP_AES_GCM, 16 },
        { "aes-gcm-192", VCRYPT_HW_OP_AES_GCM, 24 },
        { "aes-gcm-256", VCRYPT_HW_OP_AES_GCM, 32 },
        { "sha256", VCRYPT_HW_OP_SHA256, 0 },
        { "sha512", VCRYPT_HW_OP_SHA512, 0 },
        { "hmac-sha256", VCRYPT_HW_OP_HMAC_SHA256, 32 },
    };
    static const struct {
        const char *name;
        void (*run)(Sweep *s);
    } kinds[] = {
        { "lengths", sw_lengths },
        { "boundaries", sw_boundaries },
        { "random", sw_random },
        { "sg", sw_sg },
    };
    unsigned i, k;

    for (i = 0; i < ARRAY_SIZE(ops); i++) {
        for (k = 0; k < ARRAY_SIZE(kinds); k++) {
            SwCase *c = g_new0(SwCase, 1);
            g_autofree char *path = g_strdup_printf("/vcrypt/ref/%s/%s",
                                                    ops[i].name,
                                                    kinds[k].name);

            c->op = ops[i].op;
            c->key_len = ops[i].key_len;
            c->run = kinds[k].run;
            qtest_add_data_func(path, c, test_sweep);
        }
    }
}

/*
 * The counter is a 128-bit big-endian number: from all-ones, the second
 * block uses counter 0 and the written-back counter is 1; the keystream
 * is OpenSSL's.
 */
static void test_aes_ctr_carry(void)
{
    g_autoptr(GByteArray) key = unhex(aes128_key);
    g_autoptr(GByteArray) ones = unhex("ffffffffffffffffffffffffffffffff");
    g_autoptr(GByteArray) one = unhex("00000000000000000000000000000001");
    g_autoptr(GByteArray) zeros = cat(zero_hex, zero_hex);
    g_autoptr(GByteArray) want = g_byte_array_sized_new(32);
    uint8_t iv_after[16];
    RefOp ref = {
        .op = VCRYPT_HW_OP_AES_CTR, .key = key->data, .key_len = key->len,
        .iv = ones->data, .src = zeros->data, .src_len = zeros->len,
    };
    Card c;
    Req r;

    g_byte_array_set_size(want, 32);
    ref_run(&ref, want->data, iv_after);
    g_assert_cmpmem(iv_after, 16, one->data, 16);
    card_boot_setup(&c, "");
    r = cipher_req(&c, VCRYPT_HW_OP_AES_CTR, 0, key, ones, zeros, 32);
    g_assert_cmpuint(card_run(&c, &r, NULL), ==, VCRYPT_HW_ST_OK);
    assert_mem(&c, r.dst, want);
    assert_mem(&c, r.iv, one);
    card_free(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();

    qtest_add_func("/vcrypt/identity", test_identity);
    qtest_add_func("/vcrypt/reg64", test_reg64);
    qtest_add_func("/vcrypt/ring-config", test_ring_config);
    qtest_add_func("/vcrypt/kat/aes-cbc", test_aes_cbc);
    qtest_add_func("/vcrypt/kat/aes-ctr", test_aes_ctr);
    qtest_add_func("/vcrypt/aes-ctr-carry", test_aes_ctr_carry);
    qtest_add_func("/vcrypt/kat/aes-xts", test_aes_xts);
    qtest_add_func("/vcrypt/kat/aes-gcm", test_aes_gcm);
    qtest_add_func("/vcrypt/kat/hash", test_hash);
    qtest_add_func("/vcrypt/kat/hash-large", test_hash_large);
    qtest_add_func("/vcrypt/sg", test_sg);
    qtest_add_func("/vcrypt/error/bad-op", test_bad_op);
    qtest_add_func("/vcrypt/error/bad-key", test_bad_key);
    qtest_add_func("/vcrypt/error/bad-len", test_bad_len);
    qtest_add_func("/vcrypt/error/bad-desc", test_bad_desc);
    qtest_add_func("/vcrypt/error/dma", test_dma_error);
    qtest_add_func("/vcrypt/ring/phase-wrap", test_phase_wrap);
    qtest_add_func("/vcrypt/ring/batch", test_batch);
    qtest_add_func("/vcrypt/ring/cq-full", test_cq_full);
    qtest_add_func("/vcrypt/ring/disable", test_disable);
    qtest_add_func("/vcrypt/halt/doorbell", test_doorbell_halt);
    qtest_add_func("/vcrypt/halt/ring-dma", test_ring_dma_halt);
    qtest_add_func("/vcrypt/reset", test_reset);
    qtest_add_func("/vcrypt/rate", test_rate);
    qtest_add_func("/vcrypt/fault/stall", test_fault_stall);
    qtest_add_func("/vcrypt/fault/drop", test_fault_drop);
    qtest_add_func("/vcrypt/fault/corrupt", test_fault_corrupt);
    qtest_add_func("/vcrypt/fault/device-error", test_fault_device_error);
    qtest_add_func("/vcrypt/fault/out-len-delta", test_fault_out_len_delta);
    qtest_add_func("/vcrypt/fault/dst-skip", test_fault_dst_skip);
    qtest_add_func("/vcrypt/fault/cqe-status", test_fault_cqe_status);
    qtest_add_func("/vcrypt/fault/cqe-flags", test_fault_cqe_flags);
    qtest_add_func("/vcrypt/fault/lie-limits", test_fault_lie_limits);
    qtest_add_func("/vcrypt/ref/self-test", test_ref_self);
    add_sweeps();

    return g_test_run();
}
