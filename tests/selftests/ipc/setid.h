/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the IPC_SETID selftests: the ID layout of the running
 * kernel, the common setup, and the ctl system calls made directly, as the
 * C library refuses commands it does not know. Where the multiplexed ipc()
 * call exists (32-bit x86), it is used.
 */
#ifndef SELFTESTS_IPC_SETID_H
#define SELFTESTS_IPC_SETID_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/ipc_setid.h>

#include "../kselftest.h"

#ifndef IPC_64
#define IPC_64 0x0100
#endif
#define SEMCTL 3
#define MSGCTL 14
#define SHMCTL 24

enum kind { MSG, SEM, SHM };

static inline const char *kind_name(enum kind k)
{
	static const char *const name[] = { "msg", "sem", "shm" };

	return name[k];
}

/* The raw semctl() system call: 0 or -errno. */
static inline long semctl_raw(int id, int semnum, int cmd, void *arg)
{
	long r;

#ifdef SYS_ipc
	/* ipc(SEMCTL, id, semnum, cmd, ptr) takes a pointer to the arg. */
	r = syscall(SYS_ipc, SEMCTL, id, semnum, cmd, &arg);
#else
	r = syscall(SYS_semctl, id, semnum, cmd, arg);
#endif
	return r < 0 ? -errno : r;
}

/* The raw ctl system calls: 0 or -errno. */
static inline long ctl(enum kind k, int id, int cmd, void *arg)
{
	long r;

	if (k == SEM)
		return semctl_raw(id, 0, cmd, arg);
#ifdef SYS_ipc
	r = syscall(SYS_ipc, k == MSG ? MSGCTL : SHMCTL, id, cmd, 0, arg);
#else
	if (k == MSG)
		r = syscall(SYS_msgctl, id, cmd, arg);
	else
		r = syscall(SYS_shmctl, id, cmd, arg);
#endif
	return r < 0 ? -errno : r;
}

static inline long setid(enum kind k, int id, int newid, unsigned int flags)
{
	struct ipc_setid arg = { .newid = newid, .flags = flags };

	return ctl(k, id, IPC_SETID, &arg);
}

static inline int get(enum kind k, key_t key, int flags)
{
	switch (k) {
	case MSG:
		return msgget(key, flags);
	case SEM:
		return semget(key, 3, flags);
	default:
		return shmget(key, 3 * 4096, flags);
	}
}

static inline int create(enum kind k, key_t key)
{
	return get(k, key, IPC_CREAT | IPC_EXCL | 0666);
}

/* The ID that IPC_STAT-by-index (*_STAT) reports for a slot, or -errno. */
static inline long stat_index(enum kind k, int idx)
{
	static const int cmd[] = { MSG_STAT, SEM_STAT, SHM_STAT };
	char buf[512];
	union semun {
		void *buf;
	} arg = { .buf = buf };

	if (k == SEM)
		return ctl(k, idx, cmd[k], arg.buf);
	return ctl(k, idx, cmd[k], buf);
}

/* The change time (*_ctime) of an object, as IPC_STAT reports it, or -1. */
static inline long long ctime_of(enum kind k, int id)
{
	struct msqid_ds m;
	struct semid_ds s;
	struct shmid_ds h;
	union semun {
		struct semid_ds *buf;
	} arg = { .buf = &s };

	switch (k) {
	case MSG:
		return msgctl(id, IPC_STAT, &m) ? -1 : m.msg_ctime;
	case SEM:
		return semctl(id, 0, IPC_STAT, arg) ? -1 : s.sem_ctime;
	default:
		return shmctl(id, IPC_STAT, &h) ? -1 : h.shm_ctime;
	}
}

/* "key:id" of every object, as /proc/sysvipc shows them. */
static inline void snapshot(enum kind k, char *out, size_t size)
{
	char path[64], line[512];
	size_t used = 0;
	FILE *f;
	int key, id, n;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", kind_name(k));
	out[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d %d", &key, &id) != 2)
			continue;
		n = snprintf(out + used, size - used, "%d:%d ", key, id);
		if (n < 0 || (size_t)n >= size - used) {
			/* Truncated: keep whole entries only. */
			out[used] = 0;
			break;
		}
		used += n;
	}
	fclose(f);
}

static inline int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The IDs in use, sorted; returns how many. */
static inline int id_set(enum kind k, int *ids, int max)
{
	char buf[16384], *p = buf;
	int n = 0, key, id, len;

	snapshot(k, buf, sizeof(buf));
	while (n < max && sscanf(p, "%d:%d %n", &key, &id, &len) == 2) {
		ids[n++] = id;
		p += len;
	}
	qsort(ids, n, sizeof(*ids), cmp_int);
	return n;
}

/* The exit status of the child pid, or -1 if it did not exit. */
static inline int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The ID layout of the running kernel: an ID is seq << shift | index, with
 * the sequence number from bit 15 by default and from bit 24 with the boot
 * parameter "ipcmni_extend". The layout is probed, not guessed: a child
 * creates a queue in a new, empty IPC namespace, moves it to ID 1 << 15,
 * and asks MSG_STAT for index 0. With the sequence number from bit 15 that
 * ID is index 0, sequence number 1, and index 0 finds the queue; from bit
 * 24 it is index 32768, and index 0 finds nothing. The child exits with the
 * shift, or with why it could not tell, which layout_probe_why() turns into
 * a message; the caller's IPC namespace is left as it was.
 */
enum {
	PROBE_NO_IPC_NS = 1,	/* unshare(CLONE_NEWIPC): EINVAL */
	PROBE_NS_EPERM,		/* unshare(CLONE_NEWIPC): EPERM */
	PROBE_NO_NS,		/* unshare(CLONE_NEWIPC): another error */
	PROBE_NO_QUEUE,		/* msgget() failed */
	PROBE_NO_SETID,		/* IPC_SETID: EINVAL, an unknown command */
	PROBE_EPERM,		/* IPC_SETID: EPERM */
	PROBE_EACCES,		/* IPC_SETID: EACCES */
	PROBE_UNKNOWN,		/* MSG_STAT found the queue at neither index */
	PROBE_ERRNO = 100,	/* IPC_SETID: PROBE_ERRNO + another errno */
};

static inline int layout_probe_child(void)
{
	long r;
	int id;

	if (unshare(CLONE_NEWIPC))
		return errno == EINVAL ? PROBE_NO_IPC_NS :
		       errno == EPERM ? PROBE_NS_EPERM : PROBE_NO_NS;
	id = create(MSG, IPC_PRIVATE);
	if (id < 0)
		return PROBE_NO_QUEUE;
	r = setid(MSG, id, 1 << 15, 0);
	if (r == -EINVAL)
		return PROBE_NO_SETID;
	if (r == -EPERM)
		return PROBE_EPERM;
	if (r == -EACCES)
		return PROBE_EACCES;
	if (r)
		return -r < 256 - PROBE_ERRNO ? PROBE_ERRNO - r : PROBE_ERRNO;
	if (stat_index(MSG, 0) == 1 << 15)
		return 15;
	if (stat_index(MSG, 0) == -EINVAL && stat_index(MSG, 1 << 15) == 1 << 15)
		return 24;
	return PROBE_UNKNOWN;
}

/*
 * Why the probe's exit status is not a layout, or NULL. *broken tells
 * whether that is an answer no kernel with IPC_SETID should give (a test
 * fails) rather than something this system lacks (a test skips).
 */
static inline const char *layout_probe_why(int status, bool *broken)
{
	static char why[96];

	*broken = false;
	switch (status) {
	case 15:
	case 24:
		return NULL;
	case PROBE_NO_IPC_NS:
		return "needs IPC namespaces (CONFIG_IPC_NS)";
	case PROBE_NS_EPERM:
		return "needs CAP_SYS_ADMIN to create an IPC namespace";
	case PROBE_NO_NS:
		return "cannot create an IPC namespace";
	case PROBE_NO_QUEUE:
		return "cannot create a message queue";
	case PROBE_NO_SETID:
		return "IPC_SETID is not supported (CONFIG_SYSVIPC_CHID=n)";
	case PROBE_EPERM:
		return "IPC_SETID of its own queue is refused to root (EPERM)";
	case PROBE_EACCES:
		return "IPC_SETID of its own queue is refused to root (EACCES)";
	}
	*broken = true;
	if (status == PROBE_UNKNOWN)
		return "ID layout unknown: MSG_STAT finds ID 32768 at neither index 0 nor 32768";
	if (status < 0)
		return "ID layout unknown: the probe did not exit";
	if (status > PROBE_ERRNO)
		snprintf(why, sizeof(why),
			 "ID layout unknown: IPC_SETID of its own queue: errno %d",
			 status - PROBE_ERRNO);
	else
		snprintf(why, sizeof(why),
			 "ID layout unknown: the probe exited with %d", status);
	return why;
}

static int setid_shift;

/*
 * Probe the ID layout, once per process (children inherit it): NULL, or
 * why it is not known, with *broken as for layout_probe_why().
 */
static inline const char *probe_layout(bool *broken)
{
	const char *why;
	pid_t pid;
	int status;

	*broken = false;
	if (setid_shift)
		return NULL;
	pid = fork();
	if (pid < 0)
		return "cannot fork";
	if (pid == 0)
		_exit(layout_probe_child());
	status = reap(pid);
	why = layout_probe_why(status, broken);
	if (!why)
		setid_shift = status;
	return why;
}

/*
 * The bit where the sequence number starts. setid_setup() probes it, before
 * the test enters its namespace or drops privileges, so that the children a
 * test forks inherit it; a program that gets here without a layout stops,
 * rather than assume one.
 */
static inline int seq_shift(void)
{
	const char *why;
	bool broken;

	if (!setid_shift) {
		why = probe_layout(&broken);
		if (why) {
			fprintf(stderr, "# %s\n", why);
			exit(KSFT_FAIL);
		}
	}
	return setid_shift;
}

static inline int mkid(int idx, int seq)
{
	return (seq << seq_shift()) | idx;
}

static inline int idx_of(int id)
{
	return id & ((1 << seq_shift()) - 1);
}

static inline int seq_of(int id)
{
	return id >> seq_shift();
}

/*
 * The setup of every IPC_SETID test: root, in a fresh IPC namespace, on a
 * kernel with the command, whose ID layout the probe above found. Returns
 * NULL, or why the test cannot run, and then *broken tells whether it must
 * fail (the kernel gave an answer it should not) rather than skip.
 */
static inline const char *setid_setup(bool *broken)
{
	const char *why;

	*broken = false;
	if (geteuid() != 0)
		return "needs root";
	why = probe_layout(broken);
	if (why)
		return why;
	if (unshare(CLONE_NEWIPC))
		return "cannot create an IPC namespace";
	return NULL;
}

/*
 * Keep only the capabilities in caps (a mask of CAP_* bits), effective and
 * permitted, across a change of user ID to uid. 0 or -1.
 */
static inline int become(uid_t uid, unsigned long long caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ .effective = caps, .permitted = caps },
		{ .effective = caps >> 32, .permitted = caps >> 32 },
	};

	if (prctl(PR_SET_KEEPCAPS, 1) || setgroups(0, NULL) || setgid(uid) ||
	    setuid(uid))
		return -1;
	/* Stay dumpable, or /proc/self/uid_map is root's. */
	return syscall(SYS_capset, &hdr, data) || prctl(PR_SET_DUMPABLE, 1) ? -1 : 0;
}

#define CAP(c) (1ULL << (c))

#endif /* SELFTESTS_IPC_SETID_H */
