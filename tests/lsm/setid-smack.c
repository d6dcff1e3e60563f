// SPDX-License-Identifier: GPL-2.0
/*
 * IPC_SETID under Smack (boot with "lsm=smack"): the command asks for write
 * access to each object it changes, as IPC_SET does, and a refusal changes
 * nothing. Objects get the label of the task that creates them; a task
 * labelled "B", root but without CAP_MAC_OVERRIDE, changes the ID of an
 * object labelled "A" only once the rule "B A rw" is loaded through
 * smackfs, and in an exchange needs that for both objects. Prints TAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/ipc_setid.h>

#define SMACKFS "/sys/fs/smackfs"

static int tests, failures;

static void check(int ok, const char *what, long got)
{
	printf("%s %d %s", ok ? "ok" : "not ok", ++tests, what);
	if (!ok)
		printf(" (got %ld)", got);
	printf("\n");
	fflush(stdout);
	failures += !ok;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/* IPC_SETID as the manual page says: 0 or -errno. */
static long setid(int id, int newid, unsigned int flags)
{
	struct ipc_setid arg = { .newid = newid, .flags = flags };

	return syscall(SYS_msgctl, id, IPC_SETID, &arg) ? -errno : 0;
}

/* Label the calling task. */
static int label(const char *name)
{
	return write_file("/proc/self/attr/current", name);
}

/* A queue with mode created by a task labelled name, or -1. */
static int queue_labelled(const char *name, int mode)
{
	int fds[2], id = -1;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		id = label(name) ? -1 : msgget(IPC_PRIVATE, mode);
		_exit(write(fds[1], &id, sizeof(id)) == sizeof(id) ? 0 : 1);
	}
	if (pid < 0 || read(fds[0], &id, sizeof(id)) != sizeof(id))
		id = -1;
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	return id;
}

/*
 * setid(id, newid, flags) in a child labelled "B" that keeps only
 * CAP_CHECKPOINT_RESTORE: its result, or a value below -4095 if the child
 * could not be set up.
 */
static long setid_as_b(int id, int newid, unsigned int flags)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ 0 }, { .effective = 1U << (CAP_CHECKPOINT_RESTORE - 32),
			 .permitted = 1U << (CAP_CHECKPOINT_RESTORE - 32) },
	};
	int fds[2];
	long r = -9999;
	pid_t pid;

	if (pipe(fds))
		return r;
	pid = fork();
	if (pid == 0) {
		if (!label("B") && !syscall(SYS_capset, &hdr, data))
			r = setid(id, newid, flags);
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	if (pid < 0 || read(fds[0], &r, sizeof(r)) != sizeof(r))
		r = -9999;
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	return r;
}

/* The mode of the queue at id, or -1. */
static int mode_of(int id)
{
	struct msqid_ds ds;

	return msgctl(id, IPC_STAT, &ds) ? -1 : (int)(ds.msg_perm.mode & 0777);
}

static int exists(int id)
{
	return mode_of(id) >= 0;
}

int main(void)
{
	int a, c, ida, idc;
	long r;

	printf("TAP version 13\n1..8\n");
	if (access(SMACKFS, F_OK) || (mount("smackfs", SMACKFS, "smackfs", 0, NULL) &&
				      errno != EBUSY) || access(SMACKFS "/load2", W_OK)) {
		printf("Bail out! Smack is not active (boot with lsm=smack)\n");
		return 1;
	}
	if (unshare(CLONE_NEWIPC)) {
		printf("Bail out! unshare(CLONE_NEWIPC): %s\n", strerror(errno));
		return 1;
	}
	a = queue_labelled("A", 0600);
	c = queue_labelled("C", 0640);
	if (a < 0 || c < 0) {
		printf("Bail out! cannot create labelled queues\n");
		return 1;
	}

	r = setid_as_b(a, 100, 0);
	check(r == -EACCES, "no rule B A: EACCES", r);
	check(exists(a) && !exists(100), "the refused move changed nothing", 0);

	check(!write_file(SMACKFS "/load2", "B A rw"), "load the rule B A rw", 0);
	r = setid_as_b(a, 100, 0);
	check(r == 0 && exists(100) && !exists(a), "rule B A rw: the move is allowed", r);
	ida = 100;
	idc = c;

	r = setid_as_b(ida, idc, IPC_SETID_EXCHANGE);
	check(r == -EACCES, "exchange with an object labelled C, no rule B C: EACCES", r);
	check(mode_of(ida) == 0600 && mode_of(idc) == 0640,
	      "the refused exchange changed nothing", 0);

	check(!write_file(SMACKFS "/load2", "B C rw"), "load the rule B C rw", 0);
	r = setid_as_b(ida, idc, IPC_SETID_EXCHANGE);
	check(r == 0 && mode_of(ida) == 0640 && mode_of(idc) == 0600,
	      "rules B A rw and B C rw: the exchange is allowed", r);
	return failures || tests != 8 ? 1 : 0;
}
