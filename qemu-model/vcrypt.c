/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vcrypt: a PCI Express crypto card shared by virtual machines.
 *
 * The card takes request descriptors from a ring in guest memory, performs
 * AES (CBC, CTR, XTS, GCM), SHA-256/512 and HMAC-SHA-256 on data it reads by
 * DMA, and posts completion entries to a second ring. A single engine serves
 * one descriptor at a time at a configurable rate (ops-per-sec,
 * bytes-per-sec). The interface is defined by vcrypt_hw.h; the behaviour is
 * specified in Documentation/card-spec.rst of the vcrypt project.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "vcrypt-ops.h"

#define TYPE_VCRYPT "vcrypt"
OBJECT_DECLARE_SIMPLE_TYPE(VCryptState, VCRYPT)

/* Defaults of the rate properties; see the card specification */
#define VCRYPT_DEFAULT_OPS_PER_SEC      20000
#define VCRYPT_DEFAULT_BYTES_PER_SEC    (100 * 1000 * 1000)

/* Descriptors completed per engine run before yielding to the main loop */
#define VCRYPT_BATCH_MAX                64

#define VCRYPT_RQ_ALIGN                 64
#define VCRYPT_CQ_ALIGN                 16

/* 64-bit registers from VCRYPT_REG_STAT_OPS on */
#define VCRYPT_REG64_FIRST              VCRYPT_REG_STAT_OPS
#define VCRYPT_NR_REG64                 6

struct VCryptState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    QEMUTimer *timer;   /* engine: due completions and kicks */
    QEMUBH *bh;         /* engine: continuation of a long batch */

    /* Registers */
    uint32_t ctrl;
    uint32_t status;
    uint32_t error;
    uint64_t rq_base;
    uint32_t rq_size;
    uint32_t rq_head;
    uint32_t rq_tail;
    uint64_t cq_base;
    uint32_t cq_size;
    uint32_t cq_head;
    uint32_t cq_tail;
    bool cq_phase;
    uint64_t stat_ops;
    uint64_t stat_bytes;
    uint64_t stat_errors;
    uint64_t stat_busy_ns;
    uint64_t latch[VCRYPT_NR_REG64]; /* 64-bit value latched by a low read */

    /* Engine */
    bool busy;                  /* a descriptor is in service */
    struct vcrypt_hw_desc cur;  /* ... this one, as fetched */
    int64_t cur_cost;           /* its service time, ns */
    int64_t cur_due;            /* when its service ends (virtual clock) */
    bool chaining;              /* the engine has been busy until free_at */
    int64_t free_at;
    int64_t rq_avail[VCRYPT_HW_RING_MAX]; /* doorbell time of each RQ slot */

    /* Properties */
    uint64_t ops_per_sec;
    uint64_t bytes_per_sec;
    bool fault_stall;
    uint32_t fault_drop;
    uint32_t fault_corrupt;
    int32_t fault_out_len_delta;
    uint32_t fault_dst_skip;
    uint16_t fault_cqe_status;
    uint16_t fault_cqe_flags;
    bool fault_lie_limits;
};

QEMU_BUILD_BUG_ON(sizeof(struct vcrypt_hw_desc) != 64);
QEMU_BUILD_BUG_ON(sizeof(struct vcrypt_hw_cqe) != 16);
QEMU_BUILD_BUG_ON(sizeof(struct vcrypt_hw_sge) != 16);

static bool vcrypt_live(VCryptState *s)
{
    return s->status & VCRYPT_STATUS_ENABLED;
}

static bool vcrypt_halted(VCryptState *s)
{
    return s->status & VCRYPT_STATUS_ERROR;
}

static void vcrypt_notify(VCryptState *s, unsigned vector)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (msix_enabled(pdev)) {
        msix_notify(pdev, vector);
    }
}

/* Schedule an engine run at the current virtual time */
static void vcrypt_kick(VCryptState *s)
{
    if (vcrypt_live(s)) {
        timer_mod_anticipate_ns(s->timer,
                                qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    }
}

/* Forget the descriptor in service, if any: its completion is never posted */
static void vcrypt_engine_stop(VCryptState *s)
{
    s->busy = false;
    s->chaining = false;
    timer_del(s->timer);
    qemu_bh_cancel(s->bh);
}

static void vcrypt_rings_reset(VCryptState *s)
{
    s->rq_head = 0;
    s->rq_tail = 0;
    s->cq_head = 0;
    s->cq_tail = 0;
    s->cq_phase = true;
}

static void vcrypt_halt(VCryptState *s, uint32_t error)
{
    if (vcrypt_halted(s)) {
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "vcrypt: halted, error %u\n", error);
    vcrypt_engine_stop(s);
    s->status = VCRYPT_STATUS_ERROR;
    s->error = error;
    vcrypt_notify(s, VCRYPT_HW_VEC_ERROR);
}

static void vcrypt_reset(VCryptState *s)
{
    vcrypt_engine_stop(s);
    s->ctrl = 0;
    s->status = 0;
    s->error = VCRYPT_HW_ERR_NONE;
    s->rq_base = 0;
    s->rq_size = 0;
    s->cq_base = 0;
    s->cq_size = 0;
    vcrypt_rings_reset(s);
    s->stat_ops = 0;
    s->stat_bytes = 0;
    s->stat_errors = 0;
    s->stat_busy_ns = 0;
    memset(s->latch, 0, sizeof(s->latch));
}

/* Ring processing */

static bool vcrypt_ring_size_ok(uint32_t size)
{
    return size >= 2 && size <= VCRYPT_HW_RING_MAX && is_power_of_2(size);
}

static bool vcrypt_ring_config_ok(VCryptState *s)
{
    return vcrypt_ring_size_ok(s->rq_size) && vcrypt_ring_size_ok(s->cq_size) &&
           s->rq_base && !(s->rq_base & (VCRYPT_RQ_ALIGN - 1)) &&
           s->cq_base && !(s->cq_base & (VCRYPT_CQ_ALIGN - 1));
}

static bool vcrypt_cq_full(VCryptState *s)
{
    return ((s->cq_tail + 1) & (s->cq_size - 1)) == s->cq_head;
}

static int64_t vcrypt_cost(VCryptState *s, uint32_t src_len)
{
    uint64_t ns = 0;

    if (s->ops_per_sec) {
        ns += NANOSECONDS_PER_SECOND / s->ops_per_sec;
    }
    if (s->bytes_per_sec) {
        /* src_len is bounded by the card's limit so this cannot overflow */
        src_len = MIN(src_len, VCRYPT_HW_DATA_MAX);
        ns += (uint64_t)src_len * NANOSECONDS_PER_SECOND / s->bytes_per_sec;
    }
    return ns;
}

/* Take the next descriptor into service; false if there is none to take */
static bool vcrypt_fetch(VCryptState *s, int64_t now)
{
    dma_addr_t addr;
    int64_t start;

    if (s->fault_stall || s->rq_head == s->rq_tail || vcrypt_cq_full(s)) {
        s->chaining = false;
        return false;
    }
    addr = s->rq_base + (dma_addr_t)s->rq_head * sizeof(s->cur);
    if (pci_dma_read(PCI_DEVICE(s), addr, &s->cur, sizeof(s->cur)) !=
        MEMTX_OK) {
        vcrypt_halt(s, VCRYPT_HW_ERR_RQ_DMA);
        return false;
    }
    /*
     * The engine starts on the descriptor when it has finished the previous
     * one, or when the descriptor's doorbell rang if that was later.
     */
    start = s->chaining ? MAX(s->free_at, s->rq_avail[s->rq_head]) : now;
    s->rq_head = (s->rq_head + 1) & (s->rq_size - 1);
    s->cur_cost = vcrypt_cost(s, le32_to_cpu(s->cur.src_len));
    s->cur_due = start + s->cur_cost;
    s->busy = true;
    return true;
}

/* Post a completion entry; false if it could not be written */
static bool vcrypt_post(VCryptState *s, uint64_t cookie, uint16_t status,
                        uint32_t out_len)
{
    uint16_t flags = s->fault_cqe_flags & ~VCRYPT_HW_CQE_PHASE;
    struct vcrypt_hw_cqe cqe = {
        .cookie = cpu_to_le64(cookie),
        .out_len = cpu_to_le32(out_len),
        .status = cpu_to_le16(status),
        .flags = cpu_to_le16(flags |
                             (s->cq_phase ? VCRYPT_HW_CQE_PHASE : 0)),
    };
    dma_addr_t addr = s->cq_base + (dma_addr_t)s->cq_tail * sizeof(cqe);
    size_t body = offsetof(struct vcrypt_hw_cqe, flags);

    /*
     * The phase bit makes the entry valid, so it goes out last: the
     * driver must never see a new phase next to an old cookie.
     * pci_dma_write() orders the two writes.
     */
    if (pci_dma_write(PCI_DEVICE(s), addr, &cqe, body) != MEMTX_OK ||
        pci_dma_write(PCI_DEVICE(s), addr + body, &cqe.flags,
                      sizeof(cqe.flags)) != MEMTX_OK) {
        vcrypt_halt(s, VCRYPT_HW_ERR_CQ_DMA);
        return false;
    }
    s->cq_tail = (s->cq_tail + 1) & (s->cq_size - 1);
    if (!s->cq_tail) {
        s->cq_phase = !s->cq_phase;
    }
    return true;
}

/* Execute the descriptor in service; true if a completion was posted */
static bool vcrypt_complete(VCryptState *s)
{
    VCryptOmit omit = {
        .skip = s->fault_dst_skip,
        .delta = s->fault_out_len_delta,
    };
    VCryptDesc d;
    uint32_t out_len = 0;
    uint16_t status;
    uint64_t cookie;

    vcrypt_desc_load(&d, &s->cur);
    status = vcrypt_exec(PCI_DEVICE(s), &d, &omit, &out_len);

    s->busy = false;
    s->chaining = true;
    s->free_at = s->cur_due;
    s->stat_ops++;
    s->stat_busy_ns += s->cur_cost;
    if (status == VCRYPT_HW_ST_OK) {
        s->stat_bytes += d.src_len;
    } else {
        s->stat_errors++;
        out_len = 0;
    }

    if (s->fault_drop) {
        s->fault_drop--;
        return false;
    }
    cookie = d.cookie;
    if (s->fault_corrupt) {
        s->fault_corrupt--;
        cookie = ~cookie;
    }
    /* The lies of fault injection: counted above as what really happened */
    if (status == VCRYPT_HW_ST_OK && s->fault_cqe_status) {
        status = s->fault_cqe_status;
        out_len = 0;
    }
    out_len += (uint32_t)s->fault_out_len_delta;
    return vcrypt_post(s, cookie, status, out_len);
}

static void vcrypt_engine_run(VCryptState *s)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    unsigned posted = 0;
    unsigned done = 0;

    while (vcrypt_live(s)) {
        if (s->busy) {
            if (s->cur_due > now) {
                timer_mod_ns(s->timer, s->cur_due);
                break;
            }
            if (done == VCRYPT_BATCH_MAX) {
                qemu_bh_schedule(s->bh);
                break;
            }
            posted += vcrypt_complete(s);
            done++;
        } else if (!vcrypt_fetch(s, now)) {
            break;
        }
    }
    /* One interrupt per batch, after its completion entries are written */
    if (posted) {
        vcrypt_notify(s, VCRYPT_HW_VEC_CQ);
    }
}

/*
 * Like the bottom half (qemu_bh_new_guarded), the timer engages the
 * device's re-entrancy guard: card DMA aimed at the card's own registers
 * fails instead of re-entering the engine.
 */
static void vcrypt_timer_cb(void *opaque)
{
    VCryptState *s = opaque;
    MemReentrancyGuard *guard = &DEVICE(s)->mem_reentrancy_guard;
    bool engaged = guard->engaged_in_io;

    guard->engaged_in_io = true;
    vcrypt_engine_run(s);
    guard->engaged_in_io = engaged;
}

static void vcrypt_bh_cb(void *opaque)
{
    vcrypt_engine_run(opaque);
}

/* Register writes */

static void vcrypt_enable(VCryptState *s)
{
    if (!vcrypt_ring_config_ok(s)) {
        vcrypt_halt(s, VCRYPT_HW_ERR_RING_CONFIG);
        return;
    }
    vcrypt_rings_reset(s);
    s->chaining = false;
    s->status |= VCRYPT_STATUS_ENABLED;
}

static void vcrypt_disable(VCryptState *s)
{
    vcrypt_engine_stop(s);
    vcrypt_rings_reset(s);
    s->status &= ~VCRYPT_STATUS_ENABLED;
}

static void vcrypt_ctrl_write(VCryptState *s, uint32_t val)
{
    bool was = s->ctrl & VCRYPT_CTRL_ENABLE;
    bool now = val & VCRYPT_CTRL_ENABLE;

    if (val & VCRYPT_CTRL_RESET) {
        vcrypt_reset(s);
        return;
    }
    if (vcrypt_halted(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "vcrypt: CTRL write while halted\n");
        return;
    }
    s->ctrl = now ? VCRYPT_CTRL_ENABLE : 0;
    if (now && !was) {
        vcrypt_enable(s);
    } else if (!now && was) {
        vcrypt_disable(s);
    }
}

static void vcrypt_rq_doorbell(VCryptState *s, uint32_t tail)
{
    uint32_t mask = s->rq_size - 1;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    uint32_t i;

    if (!vcrypt_live(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "vcrypt: RQ_TAIL write while off\n");
        return;
    }
    /*
     * The tail must be in the ring and may only move forward, never past
     * the head: a write that shrinks the pending count overran the ring.
     */
    if (tail >= s->rq_size ||
        ((tail - s->rq_head) & mask) < ((s->rq_tail - s->rq_head) & mask)) {
        vcrypt_halt(s, VCRYPT_HW_ERR_DOORBELL);
        return;
    }
    for (i = s->rq_tail; i != tail; i = (i + 1) & mask) {
        s->rq_avail[i] = now;
    }
    s->rq_tail = tail;
    vcrypt_kick(s);
}

static void vcrypt_cq_doorbell(VCryptState *s, uint32_t head)
{
    uint32_t mask = s->cq_size - 1;

    if (!vcrypt_live(s)) {
        qemu_log_mask(LOG_GUEST_ERROR, "vcrypt: CQ_HEAD write while off\n");
        return;
    }
    /* The head may not move past entries the card has not written */
    if (head >= s->cq_size ||
        ((head - s->cq_head) & mask) > ((s->cq_tail - s->cq_head) & mask)) {
        vcrypt_halt(s, VCRYPT_HW_ERR_DOORBELL);
        return;
    }
    s->cq_head = head;
    vcrypt_kick(s);
}

static void vcrypt_write32(VCryptState *s, hwaddr addr, uint32_t val)
{
    bool cfg = !(s->ctrl & VCRYPT_CTRL_ENABLE);

    switch (addr) {
    case VCRYPT_REG_CTRL:
        vcrypt_ctrl_write(s, val);
        return;
    case VCRYPT_REG_RQ_TAIL:
        vcrypt_rq_doorbell(s, val);
        return;
    case VCRYPT_REG_CQ_HEAD:
        vcrypt_cq_doorbell(s, val);
        return;
    case VCRYPT_REG_RQ_BASE_LO:
    case VCRYPT_REG_RQ_BASE_HI:
    case VCRYPT_REG_RQ_SIZE:
    case VCRYPT_REG_CQ_BASE_LO:
    case VCRYPT_REG_CQ_BASE_HI:
    case VCRYPT_REG_CQ_SIZE:
        if (!cfg) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "vcrypt: ring register 0x%" HWADDR_PRIx
                          " written while enabled\n", addr);
            return;
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "vcrypt: write to read-only or unknown register 0x%"
                      HWADDR_PRIx "\n", addr);
        return;
    }

    switch (addr) {
    case VCRYPT_REG_RQ_BASE_LO:
        s->rq_base = deposit64(s->rq_base, 0, 32, val);
        break;
    case VCRYPT_REG_RQ_BASE_HI:
        s->rq_base = deposit64(s->rq_base, 32, 32, val);
        break;
    case VCRYPT_REG_RQ_SIZE:
        s->rq_size = val;
        break;
    case VCRYPT_REG_CQ_BASE_LO:
        s->cq_base = deposit64(s->cq_base, 0, 32, val);
        break;
    case VCRYPT_REG_CQ_BASE_HI:
        s->cq_base = deposit64(s->cq_base, 32, 32, val);
        break;
    case VCRYPT_REG_CQ_SIZE:
        s->cq_size = val;
        break;
    }
}

/* Register reads */

static bool vcrypt_is_reg64(hwaddr addr)
{
    return addr >= VCRYPT_REG64_FIRST &&
           addr < VCRYPT_REG64_FIRST + VCRYPT_NR_REG64 * 8;
}

static uint64_t vcrypt_read64(VCryptState *s, hwaddr addr)
{
    switch (addr & ~7ULL) {
    case VCRYPT_REG_STAT_OPS:
        return s->stat_ops;
    case VCRYPT_REG_STAT_BYTES:
        return s->stat_bytes;
    case VCRYPT_REG_STAT_ERRORS:
        return s->stat_errors;
    case VCRYPT_REG_STAT_BUSY_NS:
        return s->stat_busy_ns;
    case VCRYPT_REG_RATE_OPS:
        return s->ops_per_sec;
    case VCRYPT_REG_RATE_BYTES:
        return s->bytes_per_sec;
    }
    g_assert_not_reached();
}

/* 4-byte access to a 64-bit register: the low half latches the high half */
static uint32_t vcrypt_read64_half(VCryptState *s, hwaddr addr)
{
    unsigned i = (addr - VCRYPT_REG64_FIRST) / 8;

    if (!(addr & 4)) {
        s->latch[i] = vcrypt_read64(s, addr);
        return s->latch[i];
    }
    return s->latch[i] >> 32;
}

static uint32_t vcrypt_read32(VCryptState *s, hwaddr addr)
{
    if (vcrypt_is_reg64(addr)) {
        return vcrypt_read64_half(s, addr);
    }

    switch (addr) {
    case VCRYPT_REG_MAGIC:
        return VCRYPT_HW_MAGIC;
    case VCRYPT_REG_VERSION:
        return VCRYPT_HW_VERSION_MAJOR << 16 | VCRYPT_HW_VERSION_MINOR;
    case VCRYPT_REG_CAPS:
        return VCRYPT_CAPS;
    case VCRYPT_REG_MAX_RING:
        return s->fault_lie_limits ? UINT32_MAX : VCRYPT_HW_RING_MAX;
    case VCRYPT_REG_MAX_DATA:
        return s->fault_lie_limits ? UINT32_MAX : VCRYPT_HW_DATA_MAX;
    case VCRYPT_REG_MAX_SGE:
        return s->fault_lie_limits ? UINT32_MAX : VCRYPT_HW_SGE_MAX;
    case VCRYPT_REG_CTRL:
        return s->ctrl;
    case VCRYPT_REG_STATUS:
        return s->status;
    case VCRYPT_REG_ERROR:
        return s->error;
    case VCRYPT_REG_RQ_BASE_LO:
        return s->rq_base;
    case VCRYPT_REG_RQ_BASE_HI:
        return s->rq_base >> 32;
    case VCRYPT_REG_RQ_SIZE:
        return s->rq_size;
    case VCRYPT_REG_RQ_TAIL:
        return s->rq_tail;
    case VCRYPT_REG_RQ_HEAD:
        return s->rq_head;
    case VCRYPT_REG_CQ_BASE_LO:
        return s->cq_base;
    case VCRYPT_REG_CQ_BASE_HI:
        return s->cq_base >> 32;
    case VCRYPT_REG_CQ_SIZE:
        return s->cq_size;
    case VCRYPT_REG_CQ_HEAD:
        return s->cq_head;
    case VCRYPT_REG_CQ_TAIL:
        return s->cq_tail;
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "vcrypt: read of unknown register 0x%" HWADDR_PRIx "\n",
                  addr);
    return 0;
}

static uint64_t vcrypt_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    VCryptState *s = opaque;

    if (size == 8) {
        if (vcrypt_is_reg64(addr)) {
            return vcrypt_read64(s, addr);
        }
        return vcrypt_read32(s, addr) |
               (uint64_t)vcrypt_read32(s, addr + 4) << 32;
    }
    return vcrypt_read32(s, addr);
}

static void vcrypt_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    VCryptState *s = opaque;

    vcrypt_write32(s, addr, val);
    if (size == 8) {
        vcrypt_write32(s, addr + 4, val >> 32);
    }
}

static const MemoryRegionOps vcrypt_mmio_ops = {
    .read = vcrypt_mmio_read,
    .write = vcrypt_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

/* Properties */

static void vcrypt_get_u64(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint64_t *field = (uint64_t *)((uint8_t *)obj + (uintptr_t)opaque);

    visit_type_uint64(v, name, field, errp);
}

/* Rates apply to descriptors taken into service after the change */
static void vcrypt_set_u64(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint64_t *field = (uint64_t *)((uint8_t *)obj + (uintptr_t)opaque);
    uint64_t val;

    if (visit_type_uint64(v, name, &val, errp)) {
        *field = val;
    }
}

static void vcrypt_get_u32(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint32_t *field = (uint32_t *)((uint8_t *)obj + (uintptr_t)opaque);

    visit_type_uint32(v, name, field, errp);
}

static void vcrypt_set_u32(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint32_t *field = (uint32_t *)((uint8_t *)obj + (uintptr_t)opaque);
    uint32_t val;

    if (visit_type_uint32(v, name, &val, errp)) {
        *field = val;
    }
}

static void vcrypt_get_i32(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    int32_t *field = (int32_t *)((uint8_t *)obj + (uintptr_t)opaque);

    visit_type_int32(v, name, field, errp);
}

static void vcrypt_set_i32(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    int32_t *field = (int32_t *)((uint8_t *)obj + (uintptr_t)opaque);
    int32_t val;

    if (visit_type_int32(v, name, &val, errp)) {
        *field = val;
    }
}

static void vcrypt_get_u16(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint16_t *field = (uint16_t *)((uint8_t *)obj + (uintptr_t)opaque);

    visit_type_uint16(v, name, field, errp);
}

static void vcrypt_set_u16(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint16_t *field = (uint16_t *)((uint8_t *)obj + (uintptr_t)opaque);
    uint16_t val;

    if (visit_type_uint16(v, name, &val, errp)) {
        *field = val;
    }
}

static bool vcrypt_get_lie_limits(Object *obj, Error **errp)
{
    return VCRYPT(obj)->fault_lie_limits;
}

static void vcrypt_set_lie_limits(Object *obj, bool value, Error **errp)
{
    VCRYPT(obj)->fault_lie_limits = value;
}

static bool vcrypt_get_stall(Object *obj, Error **errp)
{
    return VCRYPT(obj)->fault_stall;
}

static void vcrypt_set_stall(Object *obj, bool value, Error **errp)
{
    VCryptState *s = VCRYPT(obj);

    s->fault_stall = value;
    if (!value) {
        vcrypt_kick(s);
    }
}

static bool vcrypt_get_device_error(Object *obj, Error **errp)
{
    VCryptState *s = VCRYPT(obj);

    return vcrypt_halted(s) && s->error == VCRYPT_HW_ERR_INJECTED;
}

static void vcrypt_set_device_error(Object *obj, bool value, Error **errp)
{
    if (!DEVICE(obj)->realized) {
        error_setg(errp, "fault-device-error: the card is not running yet");
        return;
    }
    if (value) {
        vcrypt_halt(VCRYPT(obj), VCRYPT_HW_ERR_INJECTED);
    }
}

static void vcrypt_add_props(ObjectClass *oc)
{
    object_class_property_add(oc, "ops-per-sec", "uint64",
                              vcrypt_get_u64, vcrypt_set_u64, NULL,
                              (void *)offsetof(VCryptState, ops_per_sec));
    object_class_property_set_description(oc, "ops-per-sec",
        "Descriptors per second the engine serves, 0: no limit");
    object_class_property_add(oc, "bytes-per-sec", "uint64",
                              vcrypt_get_u64, vcrypt_set_u64, NULL,
                              (void *)offsetof(VCryptState, bytes_per_sec));
    object_class_property_set_description(oc, "bytes-per-sec",
        "Source bytes per second the engine processes, 0: no limit");

    object_class_property_add_bool(oc, "fault-stall", vcrypt_get_stall,
                                   vcrypt_set_stall);
    object_class_property_set_description(oc, "fault-stall",
        "Fault injection: fetch no descriptor while true");
    object_class_property_add(oc, "fault-drop-completions", "uint32",
                              vcrypt_get_u32, vcrypt_set_u32, NULL,
                              (void *)offsetof(VCryptState, fault_drop));
    object_class_property_set_description(oc, "fault-drop-completions",
        "Fault injection: process the next N descriptors without posting "
        "their completions");
    object_class_property_add(oc, "fault-corrupt-completions", "uint32",
                              vcrypt_get_u32, vcrypt_set_u32, NULL,
                              (void *)offsetof(VCryptState, fault_corrupt));
    object_class_property_set_description(oc, "fault-corrupt-completions",
        "Fault injection: post the next N completions with an inverted "
        "cookie");
    object_class_property_add_bool(oc, "fault-device-error",
                                   vcrypt_get_device_error,
                                   vcrypt_set_device_error);
    object_class_property_set_description(oc, "fault-device-error",
        "Fault injection: setting true halts the card with ERROR=INJECTED");

    object_class_property_add(oc, "fault-out-len-delta", "int32",
                              vcrypt_get_i32, vcrypt_set_i32, NULL,
                              (void *)offsetof(VCryptState,
                                               fault_out_len_delta));
    object_class_property_set_description(oc, "fault-out-len-delta",
        "Fault injection: add N to the out_len of every completion; a "
        "negative N also leaves the last -N bytes of a result unwritten");
    object_class_property_add(oc, "fault-dst-skip", "uint32",
                              vcrypt_get_u32, vcrypt_set_u32, NULL,
                              (void *)offsetof(VCryptState, fault_dst_skip));
    object_class_property_set_description(oc, "fault-dst-skip",
        "Fault injection: leave the first N bytes of every result "
        "unwritten, reporting the full out_len");
    object_class_property_add(oc, "fault-cqe-status", "uint16",
                              vcrypt_get_u16, vcrypt_set_u16, NULL,
                              (void *)offsetof(VCryptState,
                                               fault_cqe_status));
    object_class_property_set_description(oc, "fault-cqe-status",
        "Fault injection: post status N (not 0) with out_len 0 for every "
        "descriptor that succeeded");
    object_class_property_add(oc, "fault-cqe-flags", "uint16",
                              vcrypt_get_u16, vcrypt_set_u16, NULL,
                              (void *)offsetof(VCryptState, fault_cqe_flags));
    object_class_property_set_description(oc, "fault-cqe-flags",
        "Fault injection: set these reserved bits in the flags of every "
        "completion entry");
    object_class_property_add_bool(oc, "fault-lie-limits",
                                   vcrypt_get_lie_limits,
                                   vcrypt_set_lie_limits);
    object_class_property_set_description(oc, "fault-lie-limits",
        "Fault injection: MAX_RING, MAX_DATA and MAX_SGE read 0xffffffff");
}

/* Device */

static void vcrypt_realize(PCIDevice *pdev, Error **errp)
{
    VCryptState *s = VCRYPT(pdev);

    pci_config_set_interrupt_pin(pdev->config, 0);

    memory_region_init_io(&s->mmio, OBJECT(s), &vcrypt_mmio_ops, s,
                          "vcrypt-regs", VCRYPT_HW_REGS_SIZE);
    pci_register_bar(pdev, VCRYPT_HW_BAR_REGS,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);

    if (pci_is_express(pdev) && pcie_endpoint_cap_init(pdev, 0x80) < 0) {
        error_setg(errp, "vcrypt: cannot add the PCI Express capability");
        return;
    }
    if (msix_init_exclusive_bar(pdev, VCRYPT_HW_NR_VECS, VCRYPT_HW_BAR_MSIX,
                                errp)) {
        return;
    }
    msix_vector_use(pdev, VCRYPT_HW_VEC_CQ);
    msix_vector_use(pdev, VCRYPT_HW_VEC_ERROR);

    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, vcrypt_timer_cb, s);
    s->bh = qemu_bh_new_guarded(vcrypt_bh_cb, s,
                                &DEVICE(pdev)->mem_reentrancy_guard);
    vcrypt_reset(s);
}

static void vcrypt_exit(PCIDevice *pdev)
{
    VCryptState *s = VCRYPT(pdev);

    vcrypt_engine_stop(s);
    timer_free(s->timer);
    qemu_bh_delete(s->bh);
    msix_uninit_exclusive_bar(pdev);
}

static void vcrypt_qdev_reset(DeviceState *dev)
{
    vcrypt_reset(VCRYPT(dev));
}

static void vcrypt_instance_init(Object *obj)
{
    VCryptState *s = VCRYPT(obj);

    s->ops_per_sec = VCRYPT_DEFAULT_OPS_PER_SEC;
    s->bytes_per_sec = VCRYPT_DEFAULT_BYTES_PER_SEC;
}

static const VMStateDescription vcrypt_vmstate = {
    .name = TYPE_VCRYPT,
    .unmigratable = 1,
};

static void vcrypt_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->realize = vcrypt_realize;
    pc->exit = vcrypt_exit;
    pc->vendor_id = VCRYPT_HW_VENDOR_ID;
    pc->device_id = VCRYPT_HW_DEVICE_ID;
    pc->revision = VCRYPT_HW_REVISION;
    pc->class_id = VCRYPT_HW_CLASS;

    dc->desc = "vcrypt shared crypto card";
    dc->vmsd = &vcrypt_vmstate;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_legacy_reset(dc, vcrypt_qdev_reset);
    vcrypt_add_props(oc);
}

static const TypeInfo vcrypt_info = {
    .name = TYPE_VCRYPT,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VCryptState),
    .instance_init = vcrypt_instance_init,
    .class_init = vcrypt_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void vcrypt_register_types(void)
{
    type_register_static(&vcrypt_info);
}

type_init(vcrypt_register_types)
