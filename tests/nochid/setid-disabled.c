// SPDX-License-Identifier: GPL-2.0
/*
 * On a kernel built from the series with CONFIG_SYSVIPC_CHID=n, IPC_SETID
 * is an unknown command: EINVAL, and nothing changes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <linux/ipc_setid.h>

int main(void)
{
	struct ipc_setid arg = { .newid = 77, .flags = 0 };
	const char *name[] = { "msgctl", "semctl", "shmctl" };
	int id[3], i, failed = 0;
	long r[3];

	printf("TAP version 13\n1..3\n");
	if (unshare(CLONE_NEWIPC)) {
		perror("unshare");
		return 1;
	}
	id[0] = msgget(1, IPC_CREAT | 0600);
	id[1] = semget(1, 1, IPC_CREAT | 0600);
	id[2] = shmget(1, 4096, IPC_CREAT | 0600);
	errno = 0;
	r[0] = syscall(SYS_msgctl, id[0], IPC_SETID, &arg) ? -errno : 0;
	r[1] = syscall(SYS_semctl, id[1], 0, IPC_SETID, &arg) ? -errno : 0;
	r[2] = syscall(SYS_shmctl, id[2], IPC_SETID, &arg) ? -errno : 0;
	for (i = 0; i < 3; i++) {
		int now = i == 0 ? msgget(1, 0) : i == 1 ? semget(1, 0, 0) : shmget(1, 0, 0);
		int ok = id[i] >= 0 && r[i] == -EINVAL && now == id[i];

		printf("%sok %d %s(IPC_SETID) = %ld, id %d -> %d\n", ok ? "" : "not ",
		       i + 1, name[i], r[i], id[i], now);
		failed += !ok;
	}
	return failed ? 1 : 0;
}
