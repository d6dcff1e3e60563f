// SPDX-License-Identifier: GPL-2.0
/*
 * Objects for the ipcid tests and demo, in the current IPC namespace:
 *
 *   ipc-fixture scatter          queues with messages, semaphore sets with
 *                                values and segments with contents, owned
 *                                by several users, at scattered IDs whose
 *                                indexes the objects a restore creates
 *                                take first, some sharing an index across
 *                                types with other sequence numbers
 *   ipc-fixture state PIDFILE    what a namespace has beyond its objects:
 *                                changed limits, a locked segment, one
 *                                removed while a child (its PID in PIDFILE)
 *                                keeps it attached, and pending
 *                                msg_next_id and shm_next_id cursors
 *   ipc-fixture many N           N objects (queues, sets, segments in turn)
 *                                at scattered IDs from index 1000 on
 *   ipc-fixture foreign          unrelated objects, at indexes from 500 on
 *   ipc-fixture block TYPE INDEX an object of TYPE at INDEX (sequence 0)
 *   ipc-fixture attach SHMID SEC attach a segment for SEC seconds
 *   ipc-fixture as UID PROG ARGS run PROG as UID, without capabilities
 *   ipc-fixture sigdfl PROG ARGS run PROG with SIGINT not ignored (as a
 *                                shell starts a background job)
 *
 * IDs are built for the booted layout (ipcmni_extend or not).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <linux/ipc_setid.h>

static int shift(void)
{
	char buf[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strstr(buf, "ipcmni_extend") ? 24 : 15;
}

static int mkid(int index, int seq)
{
	return (seq << shift()) | index;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void setid(long nr, int semctl, int id, int newid)
{
	struct ipc_setid arg = { .newid = newid };
	long r = semctl ? syscall(nr, id, 0, IPC_SETID, &arg) : syscall(nr, id, IPC_SETID, &arg);

	if (r)
		die("IPC_SETID");
}

static void queue(int key, int newid, uid_t uid, int mode, int nmsg)
{
	struct { long mtype; char mtext[64]; } m;
	struct msqid_ds ds;
	int id = msgget(key, IPC_CREAT | IPC_EXCL | 0600), i;

	if (id < 0)
		die("msgget");
	for (i = 0; i < nmsg; i++) {
		m.mtype = 1 + i % 3;
		snprintf(m.mtext, sizeof(m.mtext), "message %d of queue %d", i, newid);
		if (msgsnd(id, &m, strlen(m.mtext), IPC_NOWAIT))
			die("msgsnd");
	}
	setid(SYS_msgctl, 0, id, newid);
	if (msgctl(newid, IPC_STAT, &ds))
		die("IPC_STAT");
	ds.msg_perm.uid = uid;
	ds.msg_perm.mode = mode;
	if (msgctl(newid, IPC_SET, &ds))
		die("IPC_SET");
}

static void sems(int key, int newid, uid_t uid, int mode, int n)
{
	unsigned short vals[8];
	struct semid_ds ds;
	int id = semget(key, n, IPC_CREAT | IPC_EXCL | 0600), i;

	if (id < 0)
		die("semget");
	for (i = 0; i < n; i++)
		vals[i] = 10 * newid % 1000 + i;
	if (semctl(id, 0, SETALL, vals))
		die("SETALL");
	setid(SYS_semctl, 1, id, newid);
	if (semctl(newid, 0, IPC_STAT, &ds))
		die("IPC_STAT");
	ds.sem_perm.uid = uid;
	ds.sem_perm.mode = mode;
	if (semctl(newid, 0, IPC_SET, &ds))
		die("IPC_SET");
}

static void segment(int key, int newid, uid_t uid, int mode, size_t size)
{
	struct shmid_ds ds;
	int id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
	char *p;

	if (id < 0)
		die("shmget");
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		die("shmat");
	snprintf(p, size, "segment %d: %s", newid, "the contents come back");
	/* One segment ends in its last byte, the others in zeros. */
	if (size > 4096)
		p[size - 1] = 'z';
	shmdt(p);
	setid(SYS_shmctl, 0, id, newid);
	if (shmctl(newid, IPC_STAT, &ds))
		die("IPC_STAT");
	ds.shm_perm.uid = uid;
	ds.shm_perm.mode = mode;
	if (shmctl(newid, IPC_SET, &ds))
		die("IPC_SET");
}

static void sysctl(const char *name, const char *value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	f = fopen(path, "w");
	if (!f || fputs(value, f) < 0 || fclose(f))
		die(path);
}

static void state(const char *pidfile)
{
	struct shmid_ds ds;
	char buf[32];
	int fds[2], id;
	pid_t pid;
	FILE *f;

	sysctl("msgmax", "4000");
	sysctl("msgmnb", "12000");
	sysctl("msgmni", "200");
	sysctl("sem", "100 3000 40 150");
	sysctl("shmmax", "1073741824");
	sysctl("shmall", "262144");
	sysctl("shmmni", "300");

	segment(0x3003, mkid(6, 2), 0, 0600, 4096);
	if (shmctl(mkid(6, 2), SHM_LOCK, NULL))
		die("SHM_LOCK");

	/* Removed while a child keeps it attached: it goes when the child does. */
	segment(IPC_PRIVATE, mkid(7, 4), 1000, 0640, 4096);
	id = mkid(7, 4);
	if (pipe(fds))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(fds[0]);
		setsid();
		if (shmat(id, NULL, SHM_RDONLY) == (void *)-1)
			die("shmat");
		if (write(fds[1], "a", 1) != 1)
			die("write");
		close(fds[1]);
		close(0);
		close(1);
		close(2);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], buf, 1) != 1)
		die("the child did not attach");
	if (shmctl(id, IPC_RMID, NULL) || shmctl(id, IPC_STAT, &ds))
		die("IPC_RMID");
	f = fopen(pidfile, "w");
	if (!f || fprintf(f, "%d\n", pid) < 0 || fclose(f))
		die(pidfile);

	/* Last: any creation would use them up. */
	snprintf(buf, sizeof(buf), "%d", mkid(77, 5));
	sysctl("msg_next_id", buf);
	snprintf(buf, sizeof(buf), "%d", mkid(88, 6));
	sysctl("shm_next_id", buf);
}

/* N objects of the three types in turn, one small message, value or byte each. */
static void many(int n)
{
	int i, id, newid;

	for (i = 0; i < n; i++) {
		/* Scattered: indexes from 1000 on, in steps of 3, sequence 1 to 7. */
		newid = mkid(1000 + 3 * (i / 3) + (i * 7) % 3, 1 + i % 7);
		switch (i % 3) {
		case 0: {
			struct { long mtype; char mtext[8]; } m = { 1, "m" };

			id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
			if (id < 0 || msgsnd(id, &m, 1, IPC_NOWAIT))
				die("msgget");
			setid(SYS_msgctl, 0, id, newid);
			break;
		}
		case 1:
			id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
			if (id < 0 || semctl(id, 0, SETVAL, i % 100))
				die("semget");
			setid(SYS_semctl, 1, id, newid);
			break;
		default:
			id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
			if (id < 0)
				die("shmget");
			setid(SYS_shmctl, 0, id, newid);
			break;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "scatter")) {
		queue(0x1001, mkid(3, 1), 0, 0600, 3);
		queue(0x1002, mkid(40, 2), 1000, 0640, 0);
		queue(0x1003, mkid(1, 3), 1000, 0600, 5);
		queue(IPC_PRIVATE, mkid(0, 7), 0, 0666, 1);
		sems(0x2001, mkid(1, 1), 0, 0600, 3);
		sems(0x2002, mkid(0, 4), 1000, 0660, 1);
		sems(IPC_PRIVATE, mkid(2, 0), 0, 0600, 5);
		segment(0x3001, mkid(2, 5), 0, 0600, 4096);
		segment(0x3002, mkid(0, 1), 1000, 0644, 8192);
		segment(IPC_PRIVATE, mkid(1, 9), 0, 0600, 4096);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "state")) {
		state(argv[2]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "many")) {
		many(atoi(argv[2]));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "foreign")) {
		queue(0x4001, mkid(500, 0), 0, 0600, 2);
		sems(0x4002, mkid(501, 3), 0, 0600, 2);
		segment(0x4003, mkid(502, 1), 0, 0600, 4096);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "block")) {
		int index = atoi(argv[3]);

		if (!strcmp(argv[2], "msg"))
			queue(0x5000 + index, mkid(index, 0), 0, 0600, 0);
		else if (!strcmp(argv[2], "sem"))
			sems(0x5000 + index, mkid(index, 0), 0, 0600, 1);
		else
			segment(0x5000 + index, mkid(index, 0), 0, 0600, 4096);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "attach")) {
		if (shmat(atoi(argv[2]), NULL, SHM_RDONLY) == (void *)-1)
			die("shmat");
		sleep(atoi(argv[3]));
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "sigdfl")) {
		signal(SIGINT, SIG_DFL);
		execv(argv[2], argv + 2);
		die(argv[2]);
	}
	if (argc >= 4 && !strcmp(argv[1], "as")) {
		uid_t uid = atoi(argv[2]);

		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			die("setuid");
		execv(argv[3], argv + 3);
		die(argv[3]);
	}
	fprintf(stderr, "usage: see the source\n");
	return 2;
}
