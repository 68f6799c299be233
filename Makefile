# SPDX-License-Identifier: GPL-2.0
#
# vcrypt top level. Every target installs what it needs (Debian packages,
# Debian source packages) on first use; see README.md.

BUILD		:= $(CURDIR)/build
KERNEL_DIR	:= $(BUILD)/kernel
DEBUG_KERNEL	:= $(BUILD)/debug-kernel
DEBUG_MODULE	:= $(BUILD)/debug-module
QEMU_DIR	:= $(BUILD)/qemu
QEMU		:= $(QEMU_DIR)/qemu-system-x86_64
HOST_DEPS	:= /var/lib/vcrypt-host-deps.v6

# Build the module against the running kernel when it has a build tree,
# else against the Debian kernel the tests boot.
RUNNING_KDIR	:= /lib/modules/$(shell uname -r)/build
ifneq ($(wildcard $(RUNNING_KDIR)/Makefile),)
KDIR		?= $(RUNNING_KDIR)
else
KDIR		?= $(KERNEL_DIR)/kdir
GUEST_KDIR	:= 1
endif

CHECKPATCH	:= $(KERNEL_DIR)/src/scripts/checkpatch.pl

# The version of the driver, vcryptctl and the package: dkms.conf's
VERSION		:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
DESTDIR		?=
TOOLS_OUTPUT	?= $(BUILD)/tools
# What DKMS builds the module from, in /usr/src/vcrypt-$(VERSION)
DKMS_FILES	:= Kbuild dkms.conf LICENSE include/uapi/linux/vcrypt.h \
		   drivers/crypto/vcrypt/Makefile drivers/crypto/vcrypt/Kconfig \
		   $(filter-out %.mod.c,$(wildcard drivers/crypto/vcrypt/*.[ch]))

.PHONY: all module tools deps kernel qemu guest run check mutate bench vm-run \
	clean debug-kernel debug-module
.PHONY: install install-dkms deb

all: module tools

deps: $(HOST_DEPS)

$(HOST_DEPS):
	@echo "make: installing build dependencies (Debian packages, as root)"
	bash scripts/host-deps.sh

kernel: $(KERNEL_DIR)/.done

$(KERNEL_DIR)/.done: $(HOST_DEPS)
	bash scripts/fetch-kernel.sh $(KERNEL_DIR)

# The test guest's debug kernel (KASAN, lockdep, kmemleak, KUnit, ...),
# built from Debian's linux-source-6.12 with tests/vm/debug-kernel.config;
# rebuilt only when the source package or the config changed (about
# 15 minutes on 2 cores; see Documentation/testing.rst).
debug-kernel: $(HOST_DEPS)
	bash scripts/build-debug-kernel.sh $(DEBUG_KERNEL)

# vcrypt.ko for the debug kernel, with the KUnit suites, in build/
debug-module: debug-kernel
	bash scripts/build-module.sh $(DEBUG_KERNEL)/kdir $(DEBUG_MODULE) W=1

ifdef GUEST_KDIR
module: $(KERNEL_DIR)/.done
endif
module: $(HOST_DEPS)
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tools:
	$(MAKE) -C tools/vcryptctl
	$(MAKE) -C tools/vcrypt-bench

qemu: $(HOST_DEPS)
	bash qemu-model/build.sh $(QEMU_DIR)

# Everything a guest run needs: QEMU with the card, the Debian kernel, and
# the module built against that kernel (whatever KDIR says).
guest: qemu kernel
	$(MAKE) -C $(KERNEL_DIR)/kdir M=$(CURDIR) W=1 modules

# make vm-run CMD='...' | SCRIPT=file: run it in a guest with the card and
# the driver loaded (tests/vm/vm-run.sh documents the variables it takes;
# VM_KERNEL=debug boots the debug kernel).
ifeq ($(VM_KERNEL),debug)
vm-run: debug-module
endif
vm-run: guest
	bash tests/vm/vm-run.sh

run: guest
	SCRIPT=tools/demo/vcrypt-demo.sh bash tests/vm/vm-run.sh

check: guest
	bash tests/check.sh

# Realistic bugs planted one at a time (tests/mutants/): every one must be
# caught by the stages it lists; an hour or more, not part of check.
mutate: guest
	bash tests/mutate.sh

# The benchmark scenarios in one guest run (about 7 minutes); writes
# Documentation/bench/report.md and its plots, see Documentation/bench.rst.
bench: guest
	bash tools/vcrypt-bench/report.sh

# The module's source for DKMS: then "dkms install vcrypt/$(VERSION)"
# builds and installs it for the running kernel, and every kernel
# installed later (Documentation/admin-guide.rst).
install-dkms:
	for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)/usr/src/vcrypt-$(VERSION)/$$f || exit 1; \
	done

# What the Debian package holds: vcryptctl with its man page and bash
# completion, the udev rules and their owners file, the tmpfiles entry of
# /run/cdi, and the DKMS source.
install: install-dkms
	$(MAKE) -C tools/vcryptctl install PREFIX=/usr OUTPUT=$(TOOLS_OUTPUT)
	install -D -m 0644 tools/vcryptctl/vcryptctl.bash-completion \
		$(DESTDIR)/usr/share/bash-completion/completions/vcryptctl
	install -D -m 0644 tools/udev/60-vcrypt.rules \
		$(DESTDIR)/usr/lib/udev/rules.d/60-vcrypt.rules
	install -D -m 0644 tools/udev/vcrypt.tmpfiles \
		$(DESTDIR)/usr/lib/tmpfiles.d/vcrypt.conf
	install -D -m 0644 tools/udev/owners $(DESTDIR)/etc/vcrypt/owners

# build/deb/vcrypt_$(VERSION)_<arch>.deb, with Debian's own tools
deb: $(HOST_DEPS)
	bash scripts/mkdeb.sh $(BUILD)/deb

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
