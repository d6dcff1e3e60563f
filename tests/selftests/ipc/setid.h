/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the IPC_SETID selftests: the ID layout of the booted
 * kernel, and the ctl system calls made directly, so that the C library
 * does not filter the new command. Where the multiplexed ipc() call exists
 * (32-bit x86), it is used.
 */
#ifndef SELFTESTS_IPC_SETID_H
#define SELFTESTS_IPC_SETID_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/*
 * From <linux/ipc.h>, which cannot be included together with the C
 * library's <sys/ipc.h>.
 */
#ifndef IPC_SETID
#define IPC_SETID 4
#define IPC_SETID_EXCHANGE 0x1
struct ipc_setid {
	int newid;
	unsigned int flags;
};
#endif
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

static inline int seq_shift(void)
{
	static int shift;
	char buf[4096] = "";
	FILE *f;

	if (shift)
		return shift;
	f = fopen("/proc/cmdline", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	shift = strstr(buf, "ipcmni_extend") ? 24 : 15;
	return shift;
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

/* The raw ctl system calls: 0 or -errno. */
static inline long ctl(enum kind k, int id, int cmd, void *arg)
{
	long r;

#ifdef SYS_ipc
	static const int ipc_call[] = { MSGCTL, SEMCTL, SHMCTL };

	/* ipc(MSGCTL, id, cmd, 0, ptr); semctl takes a pointer to the arg. */
	if (k == SEM)
		r = syscall(SYS_ipc, ipc_call[k], id, 0, cmd, &arg);
	else
		r = syscall(SYS_ipc, ipc_call[k], id, cmd, 0, arg);
#else
	switch (k) {
	case MSG:
		r = syscall(SYS_msgctl, id, cmd, arg);
		break;
	case SEM:
		r = syscall(SYS_semctl, id, 0, cmd, arg);
		break;
	default:
		r = syscall(SYS_shmctl, id, cmd, arg);
		break;
	}
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

/*
 * Whether the kernel has IPC_SETID: 1 or 0, or -errno if the probe could
 * not be made. Changing a queue's ID to itself succeeds, and fails with
 * EINVAL as an unknown command otherwise. The queue is removed again.
 */
static inline int setid_supported(void)
{
	int id = create(MSG, IPC_PRIVATE), ok;

	if (id < 0)
		return -errno;
	ok = setid(MSG, id, id, 0) == 0;
	if (msgctl(id, IPC_RMID, NULL))
		return -errno;
	return ok;
}

/* The exit status of the child pid, or -1 if it did not exit. */
static inline int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif /* SELFTESTS_IPC_SETID_H */
