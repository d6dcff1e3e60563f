// SPDX-License-Identifier: GPL-2.0
/*
 * What a restore does with IPC_SETID: two message queues that were A=1, B=2
 * at checkpoint were recreated as A=2, B=1; one exchange puts them back,
 * with their messages. Then a shared memory segment is moved, and its
 * /proc/self/maps inode follows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <linux/ipc_setid.h>

struct msg {
	long mtype;
	char mtext[64];
};

static int setid(long nr, int id, int newid, unsigned int flags)
{
	struct ipc_setid arg = { .newid = newid, .flags = flags };

	return syscall(nr, id, IPC_SETID, &arg) ? -errno : 0;
}

static void show(const char *when)
{
	char line[256];
	FILE *f = fopen("/proc/sysvipc/msg", "r");

	printf("--- %s: /proc/sysvipc/msg\n", when);
	while (f && fgets(line, sizeof(line), f))
		printf("    %.60s\n", line);
	if (f)
		fclose(f);
}

static void peek(const char *name, key_t key)
{
	int id = msgget(key, 0);
	struct msg m;

	if (msgrcv(id, &m, sizeof(m.mtext), 0, IPC_NOWAIT | MSG_COPY) < 0 &&
	    msgrcv(id, &m, sizeof(m.mtext), 0, IPC_NOWAIT) < 0)
		strcpy(m.mtext, "(none)");
	printf("    queue %s (key %d) is at ID %d, first message: \"%s\"\n", name, key, id, m.mtext);
}

static unsigned long maps_inode(void *addr)
{
	unsigned long start, end, off, ino;
	char line[512], perms[8], dev[16];
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu", &start, &end, perms, &off, dev,
			   &ino) == 6 && start == (unsigned long)addr) {
			fclose(f);
			return ino;
		}
	if (f)
		fclose(f);
	return 0;
}

int main(void)
{
	struct msg m = { .mtype = 1 };
	int a, b, id, newid, r;
	void *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (unshare(CLONE_NEWIPC)) {
		perror("unshare(CLONE_NEWIPC)");
		return 1;
	}
	/* Restored in the wrong order: B got the first ID. */
	b = msgget(0xb, IPC_CREAT | 0600);
	a = msgget(0xa, IPC_CREAT | 0600);
	strcpy(m.mtext, "hello from A");
	msgsnd(a, &m, strlen(m.mtext) + 1, 0);
	strcpy(m.mtext, "hello from B");
	msgsnd(b, &m, strlen(m.mtext) + 1, 0);
	show("restored, IDs swapped");
	peek("A", 0xa);
	peek("B", 0xb);

	printf("\n>>> msgctl(%d, IPC_SETID, { .newid = %d, .flags = 0 })\n", a, b);
	printf("    = %s\n", strerror(-setid(SYS_msgctl, a, b, 0)));
	printf(">>> msgctl(%d, IPC_SETID, { .newid = %d, .flags = IPC_SETID_EXCHANGE })\n", a, b);
	r = setid(SYS_msgctl, a, b, IPC_SETID_EXCHANGE);
	printf("    = %d%s\n", r, r ? strerror(-r) : " (A and B traded IDs)");
	show("after the exchange");
	peek("A", 0xa);
	peek("B", 0xb);

	id = shmget(0xc, 4096, IPC_CREAT | 0600);
	newid = 12345;
	p = shmat(id, NULL, 0);
	strcpy(p, "segment contents");
	printf("\n    shm segment at ID %d, inode in /proc/self/maps: %lu\n", id, maps_inode(p));
	printf(">>> shmctl(%d, IPC_SETID, { .newid = %d }) while attached = %s\n", id, newid,
	       strerror(-setid(SYS_shmctl, id, newid, 0)));
	shmdt(p);
	printf(">>> shmctl(%d, IPC_SETID, { .newid = %d }) after shmdt() = %d\n", id, newid,
	       setid(SYS_shmctl, id, newid, 0));
	p = shmat(newid, NULL, 0);
	printf("    shm segment at ID %d, inode in /proc/self/maps: %lu, contents: \"%s\"\n",
	       newid, maps_inode(p), (char *)p);
	return 0;
}
