/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_LINUX_IPC_SETID_H
#define _UAPI_LINUX_IPC_SETID_H

/*
 * Changing the ID of a System V IPC object, for checkpoint/restore.
 *
 * This header defines nothing that the C library's <sys/ipc.h>, <sys/msg.h>,
 * <sys/sem.h> or <sys/shm.h> define, so that programs can include it with
 * them, which they cannot do with <linux/ipc.h>; <linux/ipc.h> does not
 * include it. Nor does it include <linux/libc-compat.h>, which settles at
 * its first inclusion how later kernel headers coordinate with the C
 * library.
 */

#include <linux/types.h>

/* The ctl command of msgctl(), semctl() and shmctl(). */
#define IPC_SETID 4

/**
 * struct ipc_setid - the argument of IPC_SETID
 * @newid: the ID the object is to have
 * @flags: 0, or IPC_SETID_EXCHANGE
 *
 * The layout is the same for 32-bit and 64-bit callers. C libraries may
 * refuse ctl commands they do not know, so programs pass it with syscall():
 *
 *	syscall(SYS_msgctl, id, IPC_SETID, &arg);
 *	syscall(SYS_semctl, id, 0, IPC_SETID, &arg);
 *	syscall(SYS_shmctl, id, IPC_SETID, &arg);
 */
struct ipc_setid {
	__s32 newid;
	__u32 flags;
};

/*
 * If another object holds the slot of newid, trade IDs with it; its ID must
 * be newid exactly.
 */
#define IPC_SETID_EXCHANGE	0x1

#endif /* _UAPI_LINUX_IPC_SETID_H */
