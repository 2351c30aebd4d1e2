#!/usr/bin/env python3
"""Print the kernel modules the Linux guest needs for the network rows
(virtio-net over virtio-pci), in load order, for the kernel ./capos bench
boots (the newest /boot/vmlinuz-*); print nothing when one is missing."""

import glob
import os
import re
import sys

MODULES = ["drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko",
           "drivers/virtio/virtio_pci_legacy_dev.ko", "drivers/virtio/virtio_pci_modern_dev.ko",
           "drivers/virtio/virtio_pci.ko", "net/core/failover.ko", "drivers/net/net_failover.ko",
           "drivers/net/virtio_net.ko"]


def main():
    def key(p):
        return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", p)]
    kernels = sorted(glob.glob("/boot/vmlinuz-*"), key=key)
    if not kernels:
        return 0
    base = "/lib/modules/" + kernels[-1].split("vmlinuz-", 1)[1] + "/kernel/"
    paths = [base + m for m in MODULES]
    if all(os.path.exists(p) for p in paths):
        print(" ".join(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
