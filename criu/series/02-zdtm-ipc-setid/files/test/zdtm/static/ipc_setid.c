#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "zdtmtst.h"

const char *test_doc = "Check that System V IPC objects come back at their IDs: scattered IDs "
		       "with sequence numbers, types sharing indexes, pending *_next_id, "
		       "an attached segment";
const char *test_author = "SysV IPC chid <sysvipc-chid@lists.invalid>";

/*
 * An ID is a sequence number above an index (ipc/util.h); with
 * ipcmni_extend the index has more bits, and the same IDs name other
 * indexes and sequence numbers, all valid.
 */
#define ID(seq, idx) (((seq) << 15) | (idx))

enum {
	MSG,
	SEM,
	SHM,
	NR_TYPES,
};

static const char *names[] = { "msg", "sem", "shm" };

struct obj {
	int type;
	int id;
	key_t key;
};

/*
 * Index 7 is held by one object of each type, each with a sequence number
 * of its own; the rest are scattered, out of creation order.
 */
static struct obj objs[] = {
	{ MSG, ID(3, 7), 0x5e710001 },
	{ MSG, ID(1, 2), IPC_PRIVATE },
	{ MSG, ID(0, 40), 0x5e710002 },
	{ MSG, ID(200, 32000), 0 },
	{ SEM, ID(5, 7), 0x5e710003 },
	{ SEM, ID(2, 0), IPC_PRIVATE },
	{ SEM, ID(0, 1000), 0 },
	{ SHM, ID(9, 7), 0x5e710004 },
	{ SHM, ID(4, 3), IPC_PRIVATE },
	{ SHM, ID(0, 12), 0 },
};

#define NR_OBJS	 (sizeof(objs) / sizeof(objs[0]))
#define NSEMS	 3
#define SHM_SIZE (3 * 4096)
#define ATTACHED 7 /* objs[ATTACHED] stays attached */

/* Left pending at dump: the IDs the next message queue and segment get. */
static const int pending[NR_TYPES] = { ID(11, 5), -1, ID(6, 100) };

static int next_id(int type, int *id, int set)
{
	char path[64];
	char buf[32];
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s_next_id", names[type]);
	fd = open(path, set ? O_WRONLY : O_RDONLY);
	if (fd < 0) {
		pr_perror("Can't open %s", path);
		return -1;
	}
	if (set) {
		ret = snprintf(buf, sizeof(buf), "%d", *id);
		ret = (write(fd, buf, ret) == ret) ? 0 : -1;
	} else {
		ret = read(fd, buf, sizeof(buf) - 1);
		if (ret > 0) {
			buf[ret] = 0;
			*id = atoi(buf);
			ret = 0;
		} else {
			ret = -1;
		}
	}
	if (ret)
		pr_perror("Can't %s %s", set ? "write" : "read", path);
	close(fd);
	return ret;
}

static void fill(char *buf, size_t len, int id)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(id * 31 + i * 7);
}

struct msgbuf_t {
	long mtype;
	char mtext[64];
};

static int create(struct obj *o)
{
	int id, i;

	if (next_id(o->type, &o->id, 1))
		return -1;

	switch (o->type) {
	case MSG:
		id = msgget(o->key, IPC_CREAT | IPC_EXCL | 0600);
		break;
	case SEM:
		id = semget(o->key, NSEMS, IPC_CREAT | IPC_EXCL | 0640);
		break;
	default:
		id = shmget(o->key, SHM_SIZE, IPC_CREAT | IPC_EXCL | 0660);
		break;
	}
	if (id < 0) {
		pr_perror("Can't create %s %d", names[o->type], o->id);
		return -1;
	}
	if (id != o->id) {
		pr_err("%s created at %d instead of %d\n", names[o->type], id, o->id);
		return -1;
	}

	if (o->type == MSG) {
		for (i = 1; i <= 2; i++) {
			struct msgbuf_t m = { .mtype = i };

			fill(m.mtext, sizeof(m.mtext), id + i);
			if (msgsnd(id, &m, sizeof(m.mtext), 0)) {
				pr_perror("Can't send to %d", id);
				return -1;
			}
		}
	} else if (o->type == SEM) {
		unsigned short vals[NSEMS] = { id % 100, 1, 42 };

		if (semctl(id, 0, SETALL, vals)) {
			pr_perror("Can't set the values of %d", id);
			return -1;
		}
	} else if (o != &objs[ATTACHED]) {
		char *p = shmat(id, NULL, 0);

		if (p == (void *)-1) {
			pr_perror("Can't attach %d", id);
			return -1;
		}
		fill(p, SHM_SIZE, id);
		shmdt(p);
	}
	return 0;
}

static int check(struct obj *o, char *attached)
{
	int i, id = o->id;

	if (o->type == MSG) {
		struct msqid_ds ds;

		if (msgctl(id, IPC_STAT, &ds)) {
			pr_perror("msg %d is gone", id);
			return -1;
		}
		if (ds.msg_perm.__key != o->key || ds.msg_qnum != 2) {
			pr_err("msg %d: key %#x, %lu messages\n", id, ds.msg_perm.__key, ds.msg_qnum);
			return -1;
		}
		for (i = 1; i <= 2; i++) {
			struct msgbuf_t m;
			char want[sizeof(m.mtext)];

			if (msgrcv(id, &m, sizeof(m.mtext), 0, IPC_NOWAIT) != sizeof(m.mtext)) {
				pr_perror("Can't receive from %d", id);
				return -1;
			}
			fill(want, sizeof(want), id + i);
			if (m.mtype != i || memcmp(m.mtext, want, sizeof(want))) {
				pr_err("msg %d: message %d differs\n", id, i);
				return -1;
			}
		}
	} else if (o->type == SEM) {
		unsigned short vals[NSEMS];
		struct semid_ds ds;

		if (semctl(id, 0, IPC_STAT, &ds) < 0) {
			pr_perror("sem %d is gone", id);
			return -1;
		}
		if (ds.sem_perm.__key != o->key || ds.sem_nsems != NSEMS || semctl(id, 0, GETALL, vals) < 0) {
			pr_err("sem %d: key %#x, %lu semaphores\n", id, ds.sem_perm.__key, ds.sem_nsems);
			return -1;
		}
		if (vals[0] != id % 100 || vals[1] != 1 || vals[2] != 42) {
			pr_err("sem %d: values %d %d %d\n", id, vals[0], vals[1], vals[2]);
			return -1;
		}
	} else {
		struct shmid_ds ds;
		char want[SHM_SIZE];
		char *p = attached;

		if (shmctl(id, IPC_STAT, &ds)) {
			pr_perror("shm %d is gone", id);
			return -1;
		}
		if (ds.shm_perm.__key != o->key || ds.shm_segsz != SHM_SIZE ||
		    ds.shm_nattch != (o == &objs[ATTACHED] ? 1 : 0)) {
			pr_err("shm %d: key %#x, size %zu, %lu attached\n", id, ds.shm_perm.__key, ds.shm_segsz,
			       ds.shm_nattch);
			return -1;
		}
		if (o != &objs[ATTACHED]) {
			p = shmat(id, NULL, SHM_RDONLY);
			if (p == (void *)-1) {
				pr_perror("Can't attach %d", id);
				return -1;
			}
		}
		fill(want, sizeof(want), id);
		i = memcmp(p, want, sizeof(want));
		if (o != &objs[ATTACHED])
			shmdt(p);
		if (i) {
			pr_err("shm %d: contents differ\n", id);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	char want[SHM_SIZE];
	unsigned int i;
	char *attached;
	int t, id, ret = 1;

	test_init(argc, argv);

	for (i = 0; i < NR_OBJS; i++)
		if (create(&objs[i]))
			goto out;

	attached = shmat(objs[ATTACHED].id, NULL, 0);
	if (attached == (void *)-1) {
		pr_perror("Can't attach %d", objs[ATTACHED].id);
		goto out;
	}
	fill(attached, SHM_SIZE, objs[ATTACHED].id);

	for (t = 0; t < NR_TYPES; t++) {
		id = pending[t];
		if (id >= 0 && next_id(t, &id, 1))
			goto out;
	}

	test_daemon();
	test_waitsig();

	for (t = 0; t < NR_TYPES; t++) {
		if (next_id(t, &id, 0))
			goto out;
		if (id != pending[t]) {
			fail("%s_next_id is %d, not %d", names[t], id, pending[t]);
			goto out;
		}
	}

	for (i = 0; i < NR_OBJS; i++) {
		if (check(&objs[i], attached)) {
			fail("%s %d did not come back as it was", names[objs[i].type], objs[i].id);
			goto out;
		}
	}

	fill(want, sizeof(want), objs[ATTACHED].id);
	if (memcmp(attached, want, sizeof(want))) {
		fail("the attached segment's mapping differs");
		goto out;
	}

	pass();
	ret = 0;
out:
	return ret;
}
