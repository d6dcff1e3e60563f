// SPDX-License-Identifier: GPL-2.0
/*
 * IPC_SETID is audited as IPC_SET is: with a syscall rule for the calling
 * task, the record of the call has an AUDIT_IPC record naming the object
 * (owner, group, mode), and an AUDIT_IPC_SETID record with the ID and the
 * new ID and, for an exchange, the other object, whether the change is
 * allowed or refused. This program registers itself as the audit daemon
 * over netlink, adds an exit rule for one child's PID, and reads the
 * records of the child's calls. Prints TAP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/ipc_setid.h>
#include <linux/netlink.h>

static int tests, failures;

static void check(int ok, const char *what)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++tests, what);
	fflush(stdout);
	failures += !ok;
}

/* Send an audit request and wait for its acknowledgement: 0 or -errno. */
static int request(int fd, int type, const void *data, size_t len)
{
	struct {
		struct nlmsghdr h;
		char data[8192];
	} req = { 0 }, ack;
	struct nlmsgerr *err;
	ssize_t n;

	req.h.nlmsg_len = NLMSG_LENGTH(len);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = type;
	memcpy(NLMSG_DATA(&req.h), data, len);
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, &ack, sizeof(ack), 0);
		if (n < 0)
			return -errno;
		if (ack.h.nlmsg_type != NLMSG_ERROR || ack.h.nlmsg_seq != (unsigned int)type)
			continue;
		err = NLMSG_DATA(&ack.h);
		return err->error;
	}
}

static int set_status(int fd, unsigned int enabled, unsigned int pid)
{
	struct audit_status s = {
		.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID,
		.enabled = enabled,
		.pid = pid,
	};

	return request(fd, AUDIT_SET, &s, sizeof(s));
}

/* An exit rule for every system call of the task pid: add or delete. */
static int rule(int fd, int type, pid_t pid)
{
	struct audit_rule_data r = { 0 };

	r.flags = AUDIT_FILTER_EXIT;
	r.action = AUDIT_ALWAYS;
	memset(r.mask, 0xff, sizeof(r.mask));
	r.field_count = 1;
	r.fields[0] = AUDIT_PID;
	r.values[0] = pid;
	r.fieldflags[0] = AUDIT_EQUAL;
	return request(fd, type, &r, sizeof(r));
}

/*
 * Read records until one of type that contains what, or a second without
 * records: 1 if found.
 */
static int find_record(int fd, int type, const char *what)
{
	struct {
		struct nlmsghdr h;
		char data[8192];
	} msg;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (poll(&p, 1, 1000) > 0) {
		n = recv(fd, &msg, sizeof(msg) - 1, 0);
		if (n < (ssize_t)sizeof(msg.h))
			return 0;
		((char *)&msg)[n] = 0;
		if (msg.h.nlmsg_type == type && strstr(NLMSG_DATA(&msg.h), what)) {
			printf("# %s\n", (char *)NLMSG_DATA(&msg.h));
			return 1;
		}
	}
	return 0;
}

/* Become nobody with CAP_CHECKPOINT_RESTORE alone: 0 or -1. */
static int nobody_restorer(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ 0 }, { .effective = 1U << (CAP_CHECKPOINT_RESTORE - 32),
			 .permitted = 1U << (CAP_CHECKPOINT_RESTORE - 32) },
	};

	if (prctl(PR_SET_KEEPCAPS, 1) || setgid(65534) || setuid(65534))
		return -1;
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}

static long setid(int id, int newid, unsigned int flags)
{
	struct ipc_setid arg = { .newid = newid, .flags = flags };

	return syscall(SYS_msgctl, id, IPC_SETID, &arg) ? -errno : 0;
}

int main(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int fd, go[2], q, o, r;
	char what[128];
	long result = 1;
	pid_t pid;

	printf("TAP version 13\n1..8\n");
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    unshare(CLONE_NEWIPC) || pipe(go)) {
		printf("Bail out! setup: %s\n", strerror(errno));
		return 1;
	}
	r = set_status(fd, 1, getpid());
	if (r) {
		printf("Bail out! AUDIT_SET: %s\n", strerror(-r));
		return 1;
	}
	/* A mode that no other object has, to find the records. */
	q = msgget(IPC_PRIVATE, 0604);
	o = msgget(IPC_PRIVATE, 0640);
	if (q < 0 || o < 0 || q == 100 || o == 100 || q == 200 || o == 200) {
		printf("Bail out! msgget: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		char c;

		/* Audited from its next system call on, once the rule exists. */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		/* A move, then an exchange of q's queue with o's. */
		result = setid(q, 100, 0) || setid(100, o, IPC_SETID_EXCHANGE);
		/* Refused: neither owner nor creator of the queue. */
		if (nobody_restorer())
			_exit(3);
		_exit(result ? 2 : setid(o, 200, 0) == -EPERM ? 0 : 4);
	}
	r = rule(fd, AUDIT_ADD_RULE, pid);
	check(!r, "add an exit rule for the child");
	if (write(go[1], "g", 1) != 1 || waitpid(pid, &r, 0) != pid)
		return 1;
	check(WIFEXITED(r) && WEXITSTATUS(r) == 0,
	      "the child moved and exchanged, then was refused another change");
	check(find_record(fd, AUDIT_IPC, "mode=0604"),
	      "an AUDIT_IPC record names the object IPC_SETID moved");
	snprintf(what, sizeof(what), " ipcid=%d new_ipcid=100", q);
	check(find_record(fd, AUDIT_IPC_SETID, what),
	      "an AUDIT_IPC_SETID record has its ID and new ID");
	check(find_record(fd, AUDIT_IPC, "mode=0604"),
	      "an AUDIT_IPC record names the object of the exchange");
	snprintf(what, sizeof(what), " ipcid=100 new_ipcid=%d ouid=0 ogid=0 mode=0640", o);
	check(find_record(fd, AUDIT_IPC_SETID, what),
	      "an AUDIT_IPC_SETID record names the other object of the exchange");
	/* The refused call names the same queue, now at o. */
	check(find_record(fd, AUDIT_IPC, "mode=0604"),
	      "a refused IPC_SETID is audited with its object too");
	snprintf(what, sizeof(what), " ipcid=%d new_ipcid=200", o);
	check(find_record(fd, AUDIT_IPC_SETID, what),
	      "and with the ID it asked for");
	rule(fd, AUDIT_DEL_RULE, pid);
	set_status(fd, 0, 0);
	return failures || tests != 8 ? 1 : 0;
}
