/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-facing side of ipc/chid.rs, for the host: the kernel's own IDR
 * (lib/idr.c, lib/radix-tree.c, lib/xarray.c, built with the userspace shims
 * of tools/testing/radix-tree), and the fields of struct ipc_ids and struct
 * kern_ipc_perm that ipc/chid.rs uses, with the kernel's types.
 */
#include <linux/gfp.h>
#include <linux/idr.h>

struct kern_ipc_perm {
	int id;
	unsigned long seq;
};

struct ipc_ids {
	struct idr ipcs_idr;
	int max_idx;
};

/* As in include/linux/ipc_namespace.h. */
#define IPC_CHID_EXCHANGE	0x1
#define IPC_CHID_KEEP		0
#define IPC_CHID_RESEQ		1
#define IPC_CHID_MOVE		2
#define IPC_CHID_SWAP		3

struct ipc_chid_layout {
	int seq_shift;
	int mni;
	int seq_max;
};

/* Evaluated by bindgen, as in rust/bindings/bindings_helper.h. */
const gfp_t RUST_CONST_HELPER_GFP_NOWAIT = GFP_NOWAIT;

/* Set up the IDR library and register the calling thread with RCU. */
void host_init(void);
/* Unregister the calling thread from RCU, before it exits. */
void host_done(void);
void host_ids_init(struct ipc_ids *ids);
void host_ids_destroy(struct ipc_ids *ids);
void host_idr_preload(void);
void host_idr_preload_end(void);
