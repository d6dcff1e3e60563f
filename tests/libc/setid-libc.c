// SPDX-License-Identifier: GPL-2.0
/*
 * What a C program gets when it follows the manual pages: the C library's
 * headers together with <linux/ipc_setid.h>, IPC_SETID through syscall()
 * in the documented forms, the probe without an object, and what the C
 * library's own msgctl(), semctl() and shmctl() do with the command. Built
 * 64-bit and 32-bit against glibc with -Wall -Wextra -Werror; prints TAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <linux/ipc_setid.h>

/* IDs valid in both layouts: index 7 and sequence number 1 by default. */
#define ID_A ((1 << 15) | 7)
#define ID_B 9

static int tests, failures;

static void check(int ok, const char *what, long got)
{
	printf("%s %d %s", ok ? "ok" : "not ok", ++tests, what);
	if (!ok)
		printf(" (got %ld, errno %d)", got, errno);
	printf("\n");
	failures += !ok;
}

/* The documented forms. */
static long set_msg(int id, int newid, unsigned int flags)
{
	struct ipc_setid arg = { .newid = newid, .flags = flags };

	return syscall(SYS_msgctl, id, IPC_SETID, &arg);
}

static long set_sem(int id, int newid, unsigned int flags)
{
	struct ipc_setid arg = { .newid = newid, .flags = flags };

	return syscall(SYS_semctl, id, 0, IPC_SETID, &arg);
}

static long set_shm(int id, int newid, unsigned int flags)
{
	struct ipc_setid arg = { .newid = newid, .flags = flags };

	return syscall(SYS_shmctl, id, IPC_SETID, &arg);
}

/* The documented probe: EINVAL means no IPC_SETID in this kernel. */
static int have_ipc_setid(void)
{
	return syscall(SYS_msgctl, 0, IPC_SETID, NULL) == -1 && errno != EINVAL;
}

int main(void)
{
	struct { long mtype; char mtext[8]; } msg = { 3, "queued" };
	struct msqid_ds mds, mds2;
	struct semid_ds sds, sds2;
	struct shmid_ds hds, hds2;
	struct ipc_setid arg = { .newid = ID_B };
	int q, q2, s, m;
	char *p;
	long r;

	printf("TAP version 13\n1..16\n");
	if (unshare(CLONE_NEWIPC)) {
		printf("Bail out! unshare(CLONE_NEWIPC): %s\n", strerror(errno));
		return 1;
	}
	r = have_ipc_setid();
	check(r, "probe: syscall(SYS_msgctl, 0, IPC_SETID, NULL) is not EINVAL", r);
	r = syscall(SYS_msgctl, 0, IPC_SETID, NULL);
	check(r == -1 && errno == EFAULT, "probe: EFAULT for root", r);

	q = msgget(IPC_PRIVATE, 0600);
	q2 = msgget(IPC_PRIVATE, 0640);
	s = semget(IPC_PRIVATE, 2, 0600);
	m = shmget(IPC_PRIVATE, 4096, 0600);
	if (q < 0 || q2 < 0 || s < 0 || m < 0 || msgsnd(q, &msg, sizeof(msg.mtext), 0) ||
	    semctl(s, 1, SETVAL, 42)) {
		printf("Bail out! setup: %s\n", strerror(errno));
		return 1;
	}
	p = shmat(m, NULL, 0);
	if (p == (void *)-1) {
		printf("Bail out! shmat: %s\n", strerror(errno));
		return 1;
	}
	strcpy(p, "contents");
	shmdt(p);
	if (msgctl(q, IPC_STAT, &mds) || semctl(s, 0, IPC_STAT, &sds) ||
	    shmctl(m, IPC_STAT, &hds)) {
		printf("Bail out! IPC_STAT: %s\n", strerror(errno));
		return 1;
	}
	/* The ctime that the moves update differs by now. */
	sleep(1);

	r = set_msg(q, ID_A, 0);
	check(r == 0, "syscall(SYS_msgctl, id, IPC_SETID, &arg)", r);
	r = msgrcv(ID_A, &msg, sizeof(msg.mtext), 3, IPC_NOWAIT);
	check(r > 0 && !strcmp(msg.mtext, "queued"), "the message is at the new ID", r);
	r = set_sem(s, ID_A, 0);
	check(r == 0, "syscall(SYS_semctl, id, 0, IPC_SETID, &arg)", r);
	r = semctl(ID_A, 1, GETVAL);
	check(r == 42, "the semaphore value is at the new ID", r);
	r = set_shm(m, ID_A, 0);
	check(r == 0, "syscall(SYS_shmctl, id, IPC_SETID, &arg)", r);
	p = shmat(ID_A, NULL, SHM_RDONLY);
	check(p != (void *)-1 && !strcmp(p, "contents"), "the contents are at the new ID", 0);
	if (p != (void *)-1)
		shmdt(p);

	r = msgctl(ID_A, IPC_STAT, &mds2) || semctl(ID_A, 0, IPC_STAT, &sds2) ||
	    shmctl(ID_A, IPC_STAT, &hds2);
	check(!r && mds2.msg_ctime > mds.msg_ctime && sds2.sem_ctime > sds.sem_ctime &&
	      hds2.shm_ctime > hds.shm_ctime, "a move updates *_ctime, as IPC_SET does", r);

	r = set_msg(ID_A, q2, 0);
	check(r == -1 && errno == EEXIST, "a held ID without IPC_SETID_EXCHANGE: EEXIST", r);
	r = set_msg(ID_A, q2, IPC_SETID_EXCHANGE);
	check(r == 0 && msgctl(q2, IPC_STAT, &mds2) == 0 && (mds2.msg_perm.mode & 0777) == 0600 &&
	      msgctl(ID_A, IPC_STAT, &mds) == 0 && (mds.msg_perm.mode & 0777) == 0640,
	      "IPC_SETID_EXCHANGE: the two queues trade IDs", r);
	r = syscall(SYS_semctl, ID_A, 1, IPC_SETID, &arg);
	check(r == -1 && errno == EINVAL, "semctl: semnum must be 0", r);

	/*
	 * The C library's wrappers: semctl() refuses commands it does not
	 * know on every ABI; msgctl() and shmctl() refuse them where they
	 * translate the structures (32-bit time_t, as on i386), and pass them
	 * to the kernel otherwise (x86-64).
	 */
	errno = 0;
	r = semctl(ID_A, 0, IPC_SETID, &arg);
	check(r == -1 && errno == EINVAL && semctl(ID_A, 1, GETVAL) == 42,
	      "glibc semctl(IPC_SETID): EINVAL without calling the kernel", r);
#if defined(__x86_64__)
	r = msgctl(q2, IPC_SETID, (struct msqid_ds *)&arg);
	check(r == 0 && msgctl(ID_B, IPC_STAT, &mds2) == 0,
	      "glibc msgctl(IPC_SETID) on x86-64: passed to the kernel", r);
	r = shmctl(ID_A, IPC_SETID, (struct shmid_ds *)&arg);
	check(r == 0 && shmctl(ID_B, IPC_STAT, &hds2) == 0,
	      "glibc shmctl(IPC_SETID) on x86-64: passed to the kernel", r);
#else
	errno = 0;
	r = msgctl(q2, IPC_SETID, (struct msqid_ds *)&arg);
	check(r == -1 && errno == EINVAL && msgctl(q2, IPC_STAT, &mds2) == 0,
	      "glibc msgctl(IPC_SETID) on i386: EINVAL without calling the kernel", r);
	errno = 0;
	r = shmctl(ID_A, IPC_SETID, (struct shmid_ds *)&arg);
	check(r == -1 && errno == EINVAL && shmctl(ID_A, IPC_STAT, &hds2) == 0,
	      "glibc shmctl(IPC_SETID) on i386: EINVAL without calling the kernel", r);
#endif
	r = tests;
	check(r == 15, "all checks ran", r);
	return failures ? 1 : 0;
}
