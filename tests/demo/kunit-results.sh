#!/bin/sh
# Show what the kernel's own tests of the ID change API reported at boot.
echo "== the ipc_chid KUnit suite, run at boot:"
dmesg | sed -n 's/^.*\(# Subtest: ipc_chid\)$/    \1/p; s/^.*\(\(not \)\{0,1\}ok [0-9]* chid_.*\)$/      \1/p; s/^\(\(not \)\{0,1\}ok [0-9]* ipc_chid\)$/    \1/p'
echo "== ID layout: $(grep -o ipcmni_extend /proc/cmdline || echo default)"
