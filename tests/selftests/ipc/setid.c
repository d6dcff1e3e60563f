// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of IPC_SETID: changing the ID of System V message queues, semaphore
 * sets and shared memory segments, and trading IDs between two of them.
 *
 * Every test runs in a fresh IPC namespace. IDs are built from the ID
 * layout of the running kernel ("ipcmni_extend" or not), which setid.h
 * probes.
 */
#include "setid.h"
#include "../kselftest_harness.h"

FIXTURE(ns) {
	int unused;
};

FIXTURE_SETUP(ns)
{
	bool broken;
	const char *why = setid_setup(&broken);

	ASSERT_FALSE(broken) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(ns)
{
}

/*
 * The probe without an object with which a program can tell whether the
 * kernel has the command, for each type: EFAULT for a NULL argument, and
 * EPERM first without the capability (EINVAL, as for any unknown command,
 * where the command does not exist).
 */
TEST_F(ns, probe_without_object)
{
	pid_t pid;

	TH_LOG("ID layout: seq << %d | index", seq_shift());
	for (enum kind k = MSG; k <= SHM; k++) {
		EXPECT_EQ(-EFAULT, ctl(k, 0, IPC_SETID, NULL))
			TH_LOG("%s", kind_name(k));
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(become(65534, 0) ? 1 :
		      ctl(MSG, 0, IPC_SETID, NULL) == -EPERM ? 0 : 2);
	EXPECT_EQ(0, reap(pid));
}

TEST_F(ns, move_each_type)
{
	for (enum kind k = MSG; k <= SHM; k++) {
		int id = create(k, 100 + k), newid = mkid(77, 3);

		ASSERT_GE(id, 0);
		ASSERT_EQ(0, setid(k, id, newid, 0)) TH_LOG("%s", kind_name(k));
		EXPECT_EQ(newid, get(k, 100 + k, 0));
		EXPECT_EQ(newid, stat_index(k, 77));
		EXPECT_EQ(-EINVAL, stat_index(k, idx_of(id)));
		EXPECT_EQ(-EINVAL, setid(k, id, mkid(5, 0), 0));
		/* newid == id is a successful no-op. */
		EXPECT_EQ(0, setid(k, newid, newid, 0));
		EXPECT_EQ(0, setid(k, newid, newid, IPC_SETID_EXCHANGE));
		EXPECT_EQ(newid, get(k, 100 + k, 0));
	}
}

TEST_F(ns, errors_change_nothing)
{
	for (enum kind k = MSG; k <= SHM; k++) {
		int a = create(k, 10), b = create(k, 11);
		int stale = mkid(idx_of(a), seq_of(a) + 1);
		struct ipc_setid arg = { .newid = mkid(50, 0) };
		char before[256], after[256];

		ASSERT_GE(a, 0);
		ASSERT_GE(b, 0);
		snapshot(k, before, sizeof(before));
		/* No object at the ID: a free slot, a stale seq, negative. */
		EXPECT_EQ(-EINVAL, setid(k, mkid(99, 0), mkid(50, 0), 0));
		EXPECT_EQ(-EINVAL, setid(k, stale, mkid(50, 0), 0));
		EXPECT_EQ(-EINVAL, setid(k, -1, mkid(50, 0), 0));
		/* Unknown flags. */
		EXPECT_EQ(-EINVAL, setid(k, a, mkid(50, 0), 2));
		EXPECT_EQ(-EINVAL, setid(k, a, mkid(50, 0), 0x80000000));
		/* Outside the ID space. */
		EXPECT_EQ(-ERANGE, setid(k, a, -1, 0));
		EXPECT_EQ(-ERANGE, setid(k, a, -2147483647 - 1, IPC_SETID_EXCHANGE));
		/* A held slot, also with another sequence number. */
		EXPECT_EQ(-EEXIST, setid(k, a, b, 0));
		EXPECT_EQ(-EEXIST, setid(k, a, mkid(idx_of(b), seq_of(b) + 2), 0));
		/* An exchange names the other object exactly. */
		EXPECT_EQ(-EEXIST, setid(k, a, mkid(idx_of(b), seq_of(b) + 2),
					 IPC_SETID_EXCHANGE));
		/* A bad argument pointer. */
		EXPECT_EQ(-EFAULT, ctl(k, a, IPC_SETID, (void *)8));
		/* semnum is kept for later: it must be 0. */
		if (k == SEM)
			EXPECT_EQ(-EINVAL, semctl_raw(a, 1, IPC_SETID, &arg));
		snapshot(k, after, sizeof(after));
		EXPECT_STREQ(before, after) TH_LOG("%s", kind_name(k));
		EXPECT_EQ(a, get(k, 10, 0));
		EXPECT_EQ(b, get(k, 11, 0));
	}
}

/* IPC_64 in cmd is treated as for IPC_STAT. */
TEST_F(ns, ipc64_flag_like_other_commands)
{
	for (enum kind k = MSG; k <= SHM; k++) {
		char buf[512];
		int id = create(k, 20);
		long st, r;

		ASSERT_GE(id, 0);
		st = ctl(k, id, IPC_STAT | IPC_64, buf);
		r = ctl(k, id, IPC_SETID | IPC_64,
			&(struct ipc_setid){ .newid = mkid(30, 1) });
		EXPECT_EQ(st == 0, r == 0)
			TH_LOG("IPC_STAT|IPC_64 %ld, IPC_SETID|IPC_64 %ld", st, r);
		if (r == 0)
			EXPECT_EQ(mkid(30, 1), get(k, 20, 0));
	}
}

TEST_F(ns, exchange_each_type)
{
	for (enum kind k = MSG; k <= SHM; k++) {
		int a = create(k, 1), b = create(k, 2);
		/* B's slot under another ID than B's: nothing to trade with. */
		int reused = mkid(idx_of(b), seq_of(b) + 7);

		ASSERT_GE(a, 0);
		ASSERT_GE(b, 0);
		EXPECT_EQ(-EEXIST, setid(k, a, reused, IPC_SETID_EXCHANGE));
		EXPECT_EQ(a, get(k, 1, 0));
		EXPECT_EQ(b, get(k, 2, 0));
		ASSERT_EQ(0, setid(k, a, b, IPC_SETID_EXCHANGE)) TH_LOG("%s", kind_name(k));
		EXPECT_EQ(b, get(k, 1, 0));
		EXPECT_EQ(a, get(k, 2, 0));
		EXPECT_EQ(-EINVAL, stat_index(k, 99));
		/* An exchange with a free slot is a move. */
		ASSERT_EQ(0, setid(k, b, mkid(99, 0), IPC_SETID_EXCHANGE));
		EXPECT_EQ(mkid(99, 0), get(k, 1, 0));
		EXPECT_EQ(a, get(k, 2, 0));
		/* A new sequence number in the object's own slot is a move too. */
		ASSERT_EQ(0, setid(k, a, mkid(idx_of(a), seq_of(a) + 3), 0));
		EXPECT_EQ(mkid(idx_of(a), seq_of(a) + 3), get(k, 2, 0));
	}
}

/*
 * A new ID is a change of the object, as IPC_SET's new permissions are: the
 * change time of both objects of an exchange is updated. A refused change
 * leaves it.
 */
TEST_F(ns, change_time_updated)
{
	long long t0 = 0;
	int a[3], b[3];

	for (enum kind k = MSG; k <= SHM; k++) {
		ASSERT_LE(0, a[k] = create(k, 60));
		ASSERT_LE(0, b[k] = create(k, 61));
		t0 = ctime_of(k, a[k]) > t0 ? ctime_of(k, a[k]) : t0;
		t0 = ctime_of(k, b[k]) > t0 ? ctime_of(k, b[k]) : t0;
	}
	/* Let the clock pass the times of creation. */
	while (time(NULL) <= t0)
		usleep(10000);
	for (enum kind k = MSG; k <= SHM; k++) {
		EXPECT_EQ(-EEXIST, setid(k, a[k], b[k], 0));
		EXPECT_GE(t0, ctime_of(k, a[k])) TH_LOG("%s", kind_name(k));
		ASSERT_EQ(0, setid(k, a[k], b[k], IPC_SETID_EXCHANGE));
		EXPECT_LT(t0, ctime_of(k, a[k])) TH_LOG("%s", kind_name(k));
		EXPECT_LT(t0, ctime_of(k, b[k])) TH_LOG("%s", kind_name(k));
	}
}

TEST_F(ns, three_cycle_with_exchanges)
{
	int id[3], key;

	for (key = 0; key < 3; key++)
		ASSERT_LE(0, id[key] = create(MSG, 40 + key));
	/* Rotate: 0 takes 1's ID, 1 takes 2's, 2 takes 0's. */
	ASSERT_EQ(0, setid(MSG, id[0], id[1], IPC_SETID_EXCHANGE));
	ASSERT_EQ(0, setid(MSG, id[0], id[2], IPC_SETID_EXCHANGE));
	EXPECT_EQ(id[1], get(MSG, 40, 0));
	EXPECT_EQ(id[2], get(MSG, 41, 0));
	EXPECT_EQ(id[0], get(MSG, 42, 0));
}

struct msgbuf_big {
	long mtype;
	char mtext[4096];
};

/* 100 queues trade IDs by a random permutation, with exchanges only. */
TEST_F(ns, permutation_of_100)
{
	enum { N = 100 };
	int cur[N], want[N], perm[N], before[N], after[N], i, j, calls = 0;
	struct msgbuf_big m;

	srand(12345);
	for (i = 0; i < N; i++) {
		ASSERT_LE(0, cur[i] = create(MSG, 1000 + i));
		m.mtype = 1;
		snprintf(m.mtext, sizeof(m.mtext), "queue %d", i);
		ASSERT_EQ(0, msgsnd(cur[i], &m, strlen(m.mtext) + 1, 0));
		perm[i] = i;
	}
	for (i = N - 1; i > 0; i--) {
		int r = rand() % (i + 1), t = perm[i];

		perm[i] = perm[r];
		perm[r] = t;
	}
	for (i = 0; i < N; i++)
		want[i] = cur[perm[i]];
	/* The IDs in use are the same set before and after. */
	ASSERT_EQ(N, id_set(MSG, before, N));
	for (i = 0; i < N; i++) {
		while (cur[i] != want[i]) {
			for (j = 0; cur[j] != want[i]; j++)
				;
			ASSERT_EQ(0, setid(MSG, cur[i], want[i], IPC_SETID_EXCHANGE));
			cur[j] = cur[i];
			cur[i] = want[i];
			calls++;
		}
	}
	EXPECT_GT(N, calls);
	ASSERT_EQ(N, id_set(MSG, after, N));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	for (i = 0; i < N; i++) {
		char text[32];

		EXPECT_EQ(want[i], get(MSG, 1000 + i, 0));
		snprintf(text, sizeof(text), "queue %d", i);
		EXPECT_EQ((long)strlen(text) + 1,
			  msgrcv(want[i], &m, sizeof(m.mtext), 0, IPC_NOWAIT));
		EXPECT_STREQ(text, m.mtext);
	}
}

TEST_F(ns, messages_survive)
{
	static const size_t size[] = { 1, 100, 4000 };
	struct msgbuf_big m;
	int id = create(MSG, 5), newid = mkid(12, 9), t;
	struct msqid_ds ds;

	ASSERT_GE(id, 0);
	for (t = 0; t < 3; t++) {
		m.mtype = t + 1;
		memset(m.mtext, 'a' + t, size[t]);
		ASSERT_EQ(0, msgsnd(id, &m, size[t], 0));
	}
	ASSERT_EQ(0, setid(MSG, id, newid, 0));
	ASSERT_EQ(0, msgctl(newid, IPC_STAT, &ds));
	EXPECT_EQ(3UL, ds.msg_qnum);
	EXPECT_EQ(5, ds.msg_perm.__key);
	EXPECT_EQ(0666U, ds.msg_perm.mode & 0777);
	/* Received by type, out of order. */
	for (t = 2; t >= 0; t--) {
		EXPECT_EQ((long)size[t], msgrcv(newid, &m, sizeof(m.mtext), t + 1, IPC_NOWAIT));
		EXPECT_EQ(t + 1, m.mtype);
		EXPECT_EQ('a' + t, m.mtext[size[t] - 1]);
	}
}

static int wait_blocked(pid_t pid)
{
	char path[64], buf[512], *p;
	int i, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (i = 0; i < 500; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return -1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		p = strrchr(buf, ')');
		if (p && p[2] == 'S')
			return 0;
		usleep(10000);
	}
	return -1;
}

/* A receiver blocked before the change gets a message sent after it. */
TEST_F(ns, blocked_receiver_follows)
{
	int id = create(MSG, 6), newid = mkid(30, 2);
	struct msgbuf_big m;
	pid_t pid;

	ASSERT_GE(id, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		long n = msgrcv(id, &m, sizeof(m.mtext), 7, 0);

		_exit(n == 6 && !strcmp(m.mtext, "hello") ? 0 : 1);
	}
	ASSERT_EQ(0, wait_blocked(pid));
	ASSERT_EQ(0, setid(MSG, id, newid, 0));
	m.mtype = 7;
	snprintf(m.mtext, sizeof(m.mtext), "hello");
	ASSERT_EQ(0, msgsnd(newid, &m, 6, 0));
	EXPECT_EQ(0, reap(pid));
}

/* Values survive, and SEM_UNDO is applied at exit to the renamed array. */
TEST_F(ns, semaphores_and_undo)
{
	unsigned short vals[3] = { 1, 2, 3 }, got[3];
	int id = create(SEM, 7), other = create(SEM, 8), newid;
	int go[2], ready[2];
	pid_t pid;
	char c;

	ASSERT_GE(id, 0);
	ASSERT_GE(other, 0);
	ASSERT_EQ(0, semctl(id, 0, SETALL, vals));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct sembuf up = { .sem_num = 0, .sem_op = 5, .sem_flg = SEM_UNDO };

		close(ready[0]);
		close(go[1]);
		if (semop(id, &up, 1))
			_exit(errno);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(255);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1))
		TH_LOG("child: exit %d", reap(pid));
	/* Trade IDs with the other set, so the old ID names another array. */
	newid = other;
	ASSERT_EQ(0, setid(SEM, id, newid, IPC_SETID_EXCHANGE));
	EXPECT_EQ(6, semctl(newid, 0, GETVAL));
	EXPECT_EQ(0, semctl(id, 0, GETVAL));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, reap(pid));
	ASSERT_EQ(0, semctl(newid, 0, GETALL, got));
	EXPECT_EQ(1, got[0]);
	EXPECT_EQ(2, got[1]);
	EXPECT_EQ(3, got[2]);
	/* The other array was not touched by the undo. */
	EXPECT_EQ(0, semctl(id, 0, GETVAL));
}

static unsigned long maps_inode(void *addr)
{
	unsigned long start, end, ino = 0, off;
	char line[512], perms[8], dev[16];
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu", &start, &end, perms,
			   &off, dev, &ino) == 6 && start == (unsigned long)addr)
			break;
		ino = 0;
	}
	if (f)
		fclose(f);
	return ino;
}

TEST_F(ns, shm_contents_inode_and_attach)
{
	int id = create(SHM, 9), other = create(SHM, 10), newid = mkid(40, 5);
	char *p;

	ASSERT_GE(id, 0);
	ASSERT_GE(other, 0);
	p = shmat(id, NULL, 0);
	ASSERT_TRUE(p != (void *)-1);
	EXPECT_EQ((unsigned long)id, maps_inode(p));
	snprintf(p, 4096, "contents");
	/* Attached: refused, alone or on either side of an exchange. */
	EXPECT_EQ(-EBUSY, setid(SHM, id, newid, 0));
	EXPECT_EQ(-EBUSY, setid(SHM, id, other, IPC_SETID_EXCHANGE));
	EXPECT_EQ(-EBUSY, setid(SHM, other, id, IPC_SETID_EXCHANGE));
	EXPECT_EQ(id, get(SHM, 9, 0));
	EXPECT_EQ(0, strcmp(p, "contents"));
	ASSERT_EQ(0, shmdt(p));

	ASSERT_EQ(0, setid(SHM, id, newid, 0));
	p = shmat(newid, NULL, 0);
	ASSERT_TRUE(p != (void *)-1);
	EXPECT_STREQ("contents", p);
	EXPECT_EQ((unsigned long)newid, maps_inode(p));
	ASSERT_EQ(0, shmdt(p));
}

/* A change in one namespace leaves another alone. */
TEST_F(ns, namespaces_are_separate)
{
	int id = create(MSG, 50);
	pid_t pid;

	ASSERT_GE(id, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int mine;

		if (unshare(CLONE_NEWIPC))
			_exit(1);
		/* Not visible here... */
		if (setid(MSG, id, mkid(60, 0), 0) != -EINVAL)
			_exit(2);
		/* ...and the same ID may exist and change here. */
		mine = create(MSG, 50);
		if (mine != id || setid(MSG, mine, mkid(60, 0), 0))
			_exit(3);
		_exit(0);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(id, get(MSG, 50, 0));
	EXPECT_EQ(-EINVAL, stat_index(MSG, 60));
}

/* Make uid the owner of an object, as IPC_SET does: 0 or -1. */
static int give(enum kind k, int id, uid_t uid)
{
	struct msqid_ds m;
	struct semid_ds s;
	struct shmid_ds h;

	switch (k) {
	case MSG:
		if (msgctl(id, IPC_STAT, &m))
			return -1;
		m.msg_perm.uid = uid;
		return msgctl(id, IPC_SET, &m);
	case SEM:
		if (semctl(id, 0, IPC_STAT, &s))
			return -1;
		s.sem_perm.uid = uid;
		return semctl(id, 0, IPC_SET, &s);
	default:
		if (shmctl(id, IPC_STAT, &h))
			return -1;
		h.shm_perm.uid = uid;
		return shmctl(id, IPC_SET, &h);
	}
}

/* The exit status a child uses when user namespaces are not available. */
#define NO_USERNS 4

/*
 * Become root of a new user namespace, mapped to nobody; the IPC namespace
 * stays the caller's. 0, NO_USERNS, or -1.
 */
static int userns_root(void)
{
	int fd, ok;

	if (become(65534, 0))
		return -1;
	if (unshare(CLONE_NEWUSER))
		return errno == EINVAL || errno == EPERM || errno == ENOSPC ?
		       NO_USERNS : -1;
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, "0 65534 1", 9) == 9;
	close(fd);
	return ok ? 0 : -1;
}

TEST_F(ns, unprivileged_gets_eperm)
{
	int id = create(MSG, 51);
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, give(MSG, id, 65534));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Even the owner needs the capability. */
		if (become(65534, 0))
			_exit(1);
		_exit(setid(MSG, id, mkid(61, 0), 0) == -EPERM ? 0 : 2);
	}
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(id, get(MSG, 51, 0));
}

/*
 * As for IPC_SET: with CAP_CHECKPOINT_RESTORE but not CAP_SYS_ADMIN, the
 * caller may not change the ID of an object it neither owns nor created,
 * not even to the same ID, and an exchange needs that right to both
 * objects. A refusal changes nothing, and comes before any error that
 * would tell the caller about the slot of newid (ERANGE, EEXIST).
 */
TEST_F(ns, owner_or_creator_only)
{
	for (enum kind k = MSG; k <= SHM; k++) {
		int roots = create(k, 30), given = create(k, 31);
		char before[256], after[256];
		pid_t pid;

		ASSERT_GE(roots, 0);
		ASSERT_GE(given, 0);
		ASSERT_EQ(0, give(k, given, 65534));
		snapshot(k, before, sizeof(before));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			if (become(65534, CAP(CAP_CHECKPOINT_RESTORE)))
				_exit(1);
			if (setid(k, roots, mkid(40, 0), 0) != -EPERM ||
			    setid(k, roots, roots, 0) != -EPERM)
				_exit(2);
			/* Nothing is said of the slot of newid first. */
			if (setid(k, roots, -1, 0) != -EPERM ||
			    setid(k, roots, given, 0) != -EPERM ||
			    setid(k, roots, mkid(idx_of(given), seq_of(given) + 1),
				  IPC_SETID_EXCHANGE) != -EPERM)
				_exit(5);
			if (setid(k, given, roots, IPC_SETID_EXCHANGE) != -EPERM ||
			    setid(k, roots, given, IPC_SETID_EXCHANGE) != -EPERM)
				_exit(3);
			/* The owner may: the capability alone is not refused. */
			_exit(setid(k, given, given, 0) ? 4 : 0);
		}
		EXPECT_EQ(0, reap(pid)) TH_LOG("%s", kind_name(k));
		snapshot(k, after, sizeof(after));
		EXPECT_STREQ(before, after);
	}
}

/*
 * The restore flow without CAP_SYS_ADMIN: create, change the ID, give the
 * object to its owner; the creator keeps the right, and so does an owner.
 */
TEST_F(ns, owner_and_creator_may)
{
	for (enum kind k = MSG; k <= SHM; k++) {
		int given = create(k, 32);
		pid_t pid;

		ASSERT_GE(given, 0);
		ASSERT_EQ(0, give(k, given, 65534));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			int made;

			if (become(65534, CAP(CAP_CHECKPOINT_RESTORE)))
				_exit(1);
			made = create(k, 33);
			if (made < 0 || setid(k, made, mkid(41, 2), 0))
				_exit(2);
			if (give(k, mkid(41, 2), 0) || setid(k, mkid(41, 2), mkid(42, 0), 0))
				_exit(3);
			if (setid(k, given, mkid(42, 0), IPC_SETID_EXCHANGE))
				_exit(4);
			_exit(0);
		}
		EXPECT_EQ(0, reap(pid)) TH_LOG("%s", kind_name(k));
		EXPECT_EQ(mkid(42, 0), get(k, 32, 0));
		EXPECT_EQ(given, get(k, 33, 0));
	}
}

/* CAP_SYS_ADMIN alone suffices, for any objects, as for IPC_SET. */
TEST_F(ns, cap_sys_admin_may_change_any)
{
	for (enum kind k = MSG; k <= SHM; k++) {
		int a = create(k, 34), b = create(k, 35);
		pid_t pid;

		ASSERT_GE(a, 0);
		ASSERT_GE(b, 0);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(become(65534, CAP(CAP_SYS_ADMIN)) ? 1 :
			      setid(k, a, mkid(43, 0), 0) ? 2 :
			      setid(k, b, mkid(43, 0), IPC_SETID_EXCHANGE) ? 3 : 0);
		EXPECT_EQ(0, reap(pid)) TH_LOG("%s", kind_name(k));
		EXPECT_EQ(b, get(k, 34, 0));
		EXPECT_EQ(mkid(43, 0), get(k, 35, 0));
	}
}

/* Root of a user namespace that owns the IPC namespace may change IDs. */
TEST_F(ns, user_namespace_root_succeeds)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int id;

		status = userns_root();
		if (status)
			_exit(status == NO_USERNS ? NO_USERNS : 1);
		if (unshare(CLONE_NEWIPC))
			_exit(3);
		id = create(SHM, 52);
		if (id < 0)
			_exit(5);
		_exit(setid(SHM, id, mkid(62, 1), 0) == 0 &&
		      get(SHM, 52, 0) == mkid(62, 1) ? 0 : 6);
	}
	status = reap(pid);
	if (status == NO_USERNS)
		SKIP(return, "user namespaces are not available");
	EXPECT_EQ(0, status);
}

/*
 * Root of a user namespace that does not own the IPC namespace may not,
 * even for an object it owns.
 */
TEST_F(ns, user_namespace_root_elsewhere_gets_eperm)
{
	int id = create(MSG, 54), status;
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, give(MSG, id, 65534));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		status = userns_root();
		if (status)
			_exit(status == NO_USERNS ? NO_USERNS : 1);
		_exit(setid(MSG, id, mkid(63, 0), 0) == -EPERM ? 0 : 2);
	}
	status = reap(pid);
	if (status == NO_USERNS)
		SKIP(return, "user namespaces are not available");
	EXPECT_EQ(0, status);
	EXPECT_EQ(id, get(MSG, 54, 0));
}

/*
 * Lookups racing with exchanges: an ID valid before and after never fails,
 * a lookup only finds an object at an ID it holds, and an ID that is never
 * valid never resolves.
 */
TEST_F(ns, lookups_during_exchanges)
{
	int x = create(MSG, 70), y = create(MSG, 71), status, i;
	int ghost = mkid(idx_of(x), seq_of(x) + 1);
	long fail_x = 0, fail_y = 0, ghost_found = 0, wrong_key = 0, n = 0;
	struct msqid_ds ds;
	pid_t pid;

	ASSERT_GE(x, 0);
	ASSERT_GE(y, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* x and y trade places, again and again; both stay valid. */
		for (i = 0; i < 20000; i++)
			if (setid(MSG, x, y, IPC_SETID_EXCHANGE))
				_exit(1);
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		n++;
		if (msgctl(x, IPC_STAT, &ds))
			fail_x++;
		else if (ds.msg_perm.__key != 70 && ds.msg_perm.__key != 71)
			wrong_key++;
		if (msgctl(y, IPC_STAT, &ds))
			fail_y++;
		if (msgctl(ghost, IPC_STAT, &ds) == 0)
			ghost_found++;
	}
	TH_LOG("%ld rounds of lookups during 20000 exchanges", n);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_LT(0, n);
	EXPECT_EQ(0, fail_x);
	EXPECT_EQ(0, fail_y);
	EXPECT_EQ(0, wrong_key);
	EXPECT_EQ(0, ghost_found);
}

/* IDs that only the booted layout has. */
TEST_F(ns, layout_specific_ids)
{
	int id = create(MSG, 53);

	ASSERT_GE(id, 0);
	/* 0x8005: index 5, seq 1 by default; index 0x8005 with ipcmni_extend. */
	ASSERT_EQ(0, setid(MSG, id, 0x8005, 0));
	EXPECT_EQ(0x8005, stat_index(MSG, seq_shift() == 24 ? 0x8005 : 5));
	/*
	 * 100000 is index 100000 with ipcmni_extend, index 1696 and seq 3
	 * by default.
	 */
	ASSERT_EQ(0, setid(MSG, 0x8005, 100000, 0));
	EXPECT_EQ(seq_shift() == 24 ? -EINVAL : 100000, stat_index(MSG, 1696));
	EXPECT_EQ(100000, get(MSG, 53, 0));
	/* The largest ID of either layout. */
	ASSERT_EQ(0, setid(MSG, 100000, 0x7fffffff, 0));
	EXPECT_EQ(0x7fffffff, get(MSG, 53, 0));
}

TEST_HARNESS_MAIN
