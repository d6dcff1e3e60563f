/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between ipc_chid() in ipc/util.c and its Rust core,
 * ipc/chid.rs. For those two only; rust/bindings/bindings_helper.h includes
 * it so that #[export] checks the Rust definitions against the prototypes.
 */
#ifndef _IPC_CHID_H
#define _IPC_CHID_H

#include <linux/ipc.h>
#include <linux/ipc_namespace.h>

/* Trade IDs with the object whose ID is the new ID. */
#define IPC_CHID_EXCHANGE	0x1

/* What a change of ID amounts to, as ipc_chid_find() finds. */
#define IPC_CHID_KEEP		0	/* the new ID is the ID */
#define IPC_CHID_RESEQ		1	/* same slot, new sequence number */
#define IPC_CHID_MOVE		2	/* to a free slot */
#define IPC_CHID_SWAP		3	/* trade IDs with the slot's holder */

/**
 * struct ipc_chid_layout - the layout of System V IPC IDs of this boot
 * @seq_shift: ipcmni_seq_shift(): where the sequence number starts
 * @mni: ipc_mni: the number of index slots
 * @seq_max: ipcid_seq_max(): the largest sequence number
 *
 * The layout depends on the "ipcmni_extend" boot parameter; ipc_chid()
 * passes it to its Rust core, which assumes none.
 */
struct ipc_chid_layout {
	int seq_shift;
	int mni;
	int seq_max;
};

int ipc_chid_find(struct ipc_ids *ids, const struct ipc_chid_layout *layout,
		  int id, int newid, unsigned int flags,
		  struct kern_ipc_perm **objp, struct kern_ipc_perm **otherp);
int ipc_chid_commit(struct ipc_ids *ids,
		    const struct ipc_chid_layout *layout,
		    struct kern_ipc_perm *obj, struct kern_ipc_perm *other,
		    int newid);

#endif /* _IPC_CHID_H */
