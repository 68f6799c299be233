/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vcrypt crypto card: execution of one request descriptor.
 *
 * Private interface between the device model (vcrypt.c) and the crypto
 * engine (vcrypt-ops.c). See Documentation/card-spec.rst of the vcrypt
 * project for the behaviour.
 */

#ifndef HW_MISC_VCRYPT_OPS_H
#define HW_MISC_VCRYPT_OPS_H

#include "hw/pci/pci_device.h"
#include "hw/misc/vcrypt_hw.h"

/* struct vcrypt_hw_desc converted to host byte order */
typedef struct VCryptDesc {
    uint64_t cookie;
    uint8_t op;
    uint8_t flags;
    uint8_t key_len;
    uint8_t iv_len;
    uint8_t tag_len;
    uint8_t rsvd0[3];
    uint64_t key_addr;
    uint64_t iv_addr;
    uint64_t src_addr;
    uint64_t dst_addr;
    uint32_t src_len;
    uint32_t dst_len;
    uint32_t aad_len;
    uint16_t src_nsge;
    uint16_t dst_nsge;
} VCryptDesc;

/* Operations the card implements, as the CAPS register reports them */
#define VCRYPT_CAPS ((1u << VCRYPT_HW_OP_AES_CBC) | \
                     (1u << VCRYPT_HW_OP_AES_CTR) | \
                     (1u << VCRYPT_HW_OP_AES_XTS) | \
                     (1u << VCRYPT_HW_OP_AES_GCM) | \
                     (1u << VCRYPT_HW_OP_SHA256) | \
                     (1u << VCRYPT_HW_OP_SHA512) | \
                     (1u << VCRYPT_HW_OP_HMAC_SHA256))

void vcrypt_desc_load(VCryptDesc *d, const struct vcrypt_hw_desc *raw);

/*
 * Fault injection: the bytes of a successful result the card leaves
 * unwritten in the destination: the first @skip, and the last -@delta
 * if @delta is negative.
 */
typedef struct VCryptOmit {
    uint32_t skip;
    int32_t delta;
} VCryptOmit;

/*
 * Validate and execute @d: DMA the key, IV and source in through @pdev,
 * compute, DMA the result out, less what @omit leaves out. Returns a
 * VCRYPT_HW_ST_* status and, for VCRYPT_HW_ST_OK, the length of the result
 * in @out_len (0 otherwise).
 */
uint16_t vcrypt_exec(PCIDevice *pdev, const VCryptDesc *d,
                     const VCryptOmit *omit, uint32_t *out_len);

#endif
