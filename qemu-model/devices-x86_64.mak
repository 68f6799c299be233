# SPDX-License-Identifier: GPL-2.0-or-later
#
# Minimal x86_64 device set for the vcrypt card: the q35 machine (which
# brings the PC platform: 16550 serial port, RTC, PIT, i8042, ...), its
# IOMMU for DMA remapping and interrupt remapping, PCIe root ports, the
# ISA debug exit port and the card itself.

CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_PCIE_PORT=y
CONFIG_ISA_DEBUG=y
CONFIG_VCRYPT=y
