// SPDX-License-Identifier: GPL-2.0
/*
 * Stress of IPC_SETID over all three IPC types at once: threads move and
 * exchange the IDs of a pool of queues, semaphore sets and shared memory
 * segments, while others use them the way programs do (looking an object
 * up again by key after EINVAL or EIDRM), create and remove other objects,
 * and read /proc/sysvipc and *_STAT. At the end every message sent must
 * have been received exactly once, every semaphore be back at 0, every
 * segment be intact and unattached, and every object of the pool be at
 * exactly one ID.
 *
 * It runs for 10 seconds, short enough for a kselftest run of the ipc
 * directory; SETID_STRESS_SECONDS in the environment sets another time, up
 * to 3000 seconds. Beyond 80 seconds the runner's timeout for each program
 * (90 seconds, in settings) must be raised too, e.g.
 *
 *	SETID_STRESS_SECONDS=600 ./run_kselftest.sh -o 700 -t ipc:setid_stress
 */
#include "setid.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../kselftest_harness.h"

#define POOL		4
/*
 * The pool lives at indexes [POOL_BASE, POOL_BASE + 256), the other
 * objects are created below 64 (the allocator's cycle while few objects
 * exist) and moved to [256, 512): an ID looked up for the pool may name
 * another object of the pool by the time it is used, but never one that
 * is removed, so that messages and semaphore counts are kept.
 */
#define POOL_BASE	1024
#define SENDERS		2
#define MAX_SENT	(4 * 1024 * 1024)
#define SHM_WORDS	1024
#define MAX_ERRNO	134

static key_t pool_key(enum kind k, int i)
{
	return 0x5e7000 + k * 16 + i;
}

static uint32_t pattern(key_t key, int word)
{
	return (uint32_t)key * 2654435761u ^ word;
}

struct stress {
	atomic_bool stop;
	atomic_long changes, exchanges, refused;
	atomic_long sent[SENDERS], received, semops, undo_exits;
	atomic_long attaches, created, removed, stat_reads, proc_reads;
	atomic_long proc_twice;
	atomic_long err[MAX_ERRNO + 1];
	atomic_long bad;
	char why[160];
	unsigned char *seen[SENDERS];
};

static struct stress st;

static void fail(const char *fmt, int a, int b)
{
	if (atomic_fetch_add(&st.bad, 1) == 0)
		snprintf(st.why, sizeof(st.why), fmt, a, b);
}

/* Count an errno that a user of a moving object may meet. */
static void met(int err)
{
	atomic_fetch_add(&st.err[err > 0 && err <= MAX_ERRNO ? err : 0], 1);
}

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* The pool object of kind k with index i, looked up by key. */
static int lookup(enum kind k, int i)
{
	return get(k, pool_key(k, i), 0);
}

/* Moves pool objects to random IDs and trades the IDs of two of them. */
static void *changer(void *arg)
{
	unsigned int s = (uintptr_t)arg;
	int id, other;
	enum kind k;
	long r;

	while (!atomic_load(&st.stop)) {
		k = rnd(&s) % 3;
		id = lookup(k, rnd(&s) % POOL);
		if (id < 0)
			continue;
		if (rnd(&s) & 1) {
			other = lookup(k, rnd(&s) % POOL);
			if (other < 0 || other == id)
				continue;
			r = setid(k, id, other, IPC_SETID_EXCHANGE);
			if (!r)
				atomic_fetch_add(&st.exchanges, 1);
		} else {
			r = setid(k, id, mkid(POOL_BASE + rnd(&s) % 256, rnd(&s) % 4), 0);
			if (!r)
				atomic_fetch_add(&st.changes, 1);
		}
		/* Taken slots, attached segments, IDs that moved meanwhile. */
		if (r == -EEXIST || r == -EBUSY || r == -EINVAL)
			atomic_fetch_add(&st.refused, 1);
		else if (r)
			fail("IPC_SETID: errno %d (kind %d)", -r, k);
	}
	return NULL;
}

struct seqmsg {
	long mtype;
	long sender;
	long n;
};

static void *sender(void *arg)
{
	long me = (uintptr_t)arg, n = 0;
	struct seqmsg m = { .mtype = 1, .sender = me };
	unsigned int s = me + 1;
	int i = 0, id = -1;

	while (!atomic_load(&st.stop) && n < MAX_SENT) {
		if (id < 0) {
			i = rnd(&s) % POOL;
			id = lookup(MSG, i);
			continue;
		}
		m.n = n;
		if (msgsnd(id, &m, sizeof(m) - sizeof(long), IPC_NOWAIT) == 0) {
			atomic_store(&st.sent[me], ++n);
			if (rnd(&s) % 8 == 0)
				id = -1;
			continue;
		}
		met(errno);
		if (errno == EINVAL || errno == EIDRM)
			id = -1;
		else if (errno != EAGAIN)
			fail("msgsnd: errno %d", errno, 0);
	}
	return NULL;
}

/* Takes one message from id: 0, or the errno. */
static int take(int id)
{
	struct seqmsg m;

	if (msgrcv(id, &m, sizeof(m) - sizeof(long), 0, IPC_NOWAIT) < 0)
		return errno;
	if (m.sender < 0 || m.sender >= SENDERS || m.n < 0 || m.n >= MAX_SENT)
		fail("message from nowhere: %d %d", (int)m.sender, (int)m.n);
	else if (__atomic_fetch_add(&st.seen[m.sender][m.n], 1, __ATOMIC_RELAXED))
		fail("message %d of sender %d received twice", (int)m.n, (int)m.sender);
	atomic_fetch_add(&st.received, 1);
	return 0;
}

static void *receiver(void *arg)
{
	unsigned int s = (uintptr_t)arg;
	int id, err;

	while (!atomic_load(&st.stop)) {
		id = lookup(MSG, rnd(&s) % POOL);
		while (id >= 0 && !atomic_load(&st.stop)) {
			err = take(id);
			if (err == ENOMSG)
				break;
			if (err)
				met(err);
			if (err == EINVAL || err == EIDRM)
				break;
			if (err)
				fail("msgrcv: errno %d", err, 0);
		}
	}
	return NULL;
}

/* semop() that re-finds the set by key when its ID moved: 0 or -errno. */
static int semop_key(int i, struct sembuf *ops, int n)
{
	int id, tries;

	for (tries = 0; tries < 1000; tries++) {
		id = lookup(SEM, i);
		if (id >= 0 && semop(id, ops, n) == 0)
			return 0;
		if (id >= 0 && errno != EINVAL && errno != EIDRM)
			return -errno;
		met(id < 0 ? ENOENT : errno);
	}
	return -EAGAIN;
}

/*
 * Takes one away from whichever set of the pool has something to take:
 * the ID that semop_key() used for +1 may have named another set by then.
 */
static int take_one(struct sembuf *down, unsigned int *s)
{
	int tries, id;

	for (tries = 0; tries < 100000; tries++) {
		id = lookup(SEM, rnd(s) % POOL);
		if (id >= 0 && semop(id, down, 1) == 0)
			return 0;
		if (id >= 0 && errno != EAGAIN && errno != EINVAL && errno != EIDRM)
			return -errno;
	}
	return -EAGAIN;
}

/*
 * Balanced operations, with and without SEM_UNDO: +1 and -1 in one call,
 * or in two calls (which may land on different sets when IDs are traded
 * in between, so only the sum over the pool is kept).
 */
static void *sem_worker(void *arg)
{
	unsigned int s = (uintptr_t)arg;
	struct sembuf up = { 0, 1, IPC_NOWAIT }, down = { 0, -1, IPC_NOWAIT };
	struct sembuf pair[2];
	int i, err;

	while (!atomic_load(&st.stop)) {
		i = rnd(&s) % POOL;
		up.sem_flg = IPC_NOWAIT | (rnd(&s) & 1 ? SEM_UNDO : 0);
		down.sem_flg = up.sem_flg;
		pair[0] = up;
		pair[1] = down;
		if (rnd(&s) & 1) {
			err = semop_key(i, pair, 2);
		} else {
			err = semop_key(i, &up, 1);
			if (!err)
				err = take_one(&down, &s);
		}
		if (err)
			fail("semop: errno %d (set %d)", -err, i);
		atomic_fetch_add(&st.semops, 1);
	}
	return NULL;
}

/*
 * Processes that exit holding an undo entry (+1, undone at exit), on
 * semaphore 1 of each set, which nothing else takes from (an undo that
 * would go below 0 is cut off at 0).
 */
static void *undo_exiter(void *arg)
{
	unsigned int s = (uintptr_t)arg;
	struct sembuf up = { 1, 1, IPC_NOWAIT | SEM_UNDO };
	pid_t pid;
	int i;

	while (!atomic_load(&st.stop)) {
		i = rnd(&s) % POOL;
		pid = fork();
		if (pid < 0) {
			fail("fork: errno %d", errno, 0);
			break;
		}
		if (pid == 0)
			_exit(-semop_key(i, &up, 1));
		i = reap(pid);
		if (i)
			fail("exiting with an undo entry: status %d", i, 0);
		atomic_fetch_add(&st.undo_exits, 1);
	}
	return NULL;
}

/* Checks that an attached segment is one of the pool's, whole. */
static void check_segment(const uint32_t *p, unsigned int *s)
{
	key_t key = p[0];
	int w = 1 + rnd(s) % (SHM_WORDS - 1), i;

	for (i = 0; i < POOL; i++)
		if (key == pool_key(SHM, i))
			break;
	if (i == POOL)
		fail("attached a segment with key %d", key, 0);
	else if (p[w] != pattern(key, w))
		fail("segment %d: word %d changed", key, w);
}

static void *attacher(void *arg)
{
	unsigned int s = (uintptr_t)arg;
	uint32_t *p;
	int id;

	while (!atomic_load(&st.stop)) {
		id = lookup(SHM, rnd(&s) % POOL);
		if (id < 0)
			continue;
		p = shmat(id, NULL, rnd(&s) & 1 ? SHM_RDONLY : 0);
		if (p == (void *)-1) {
			met(errno);
			if (errno != EINVAL && errno != EIDRM)
				fail("shmat: errno %d", errno, 0);
			continue;
		}
		check_segment(p, &s);
		atomic_fetch_add(&st.attaches, 1);
		if (shmdt(p))
			fail("shmdt: errno %d", errno, 0);
	}
	return NULL;
}

/* Other objects come and go, some moved before they go. */
static void *churn(void *arg)
{
	unsigned int s = (uintptr_t)arg;
	int id, newid;
	enum kind k;
	long r;

	while (!atomic_load(&st.stop)) {
		k = rnd(&s) % 3;
		id = get(k, IPC_PRIVATE, 0600);
		if (id < 0) {
			fail("creation: errno %d (kind %d)", errno, k);
			continue;
		}
		atomic_fetch_add(&st.created, 1);
		if (rnd(&s) & 1) {
			newid = mkid(256 + rnd(&s) % 256, rnd(&s) % 4);
			r = setid(k, id, newid, 0);
			if (!r)
				id = newid;
			else if (r != -EEXIST)
				fail("IPC_SETID of a new object: errno %d", -r, 0);
		}
		if (ctl(k, id, IPC_RMID, NULL))
			fail("IPC_RMID: errno %d", errno, 0);
		else
			atomic_fetch_add(&st.removed, 1);
	}
	return NULL;
}

/*
 * Each ID of /proc/sysvipc at most once. The file is read in chunks, each
 * under ids->rwsem: an object that moves between two chunks of one read
 * may be listed twice (at both IDs) or not at all, so a key of the pool
 * twice is only counted.
 */
static void check_proc(enum kind k)
{
	char buf[65536], *p = buf;
	int ids[1024], keys[POOL] = { 0 }, n = 0, key, id, len, i, j;

	snapshot(k, buf, sizeof(buf));
	while (n < 1024 && sscanf(p, "%d:%d %n", &key, &id, &len) == 2) {
		for (j = 0; j < n; j++)
			if (ids[j] == id)
				fail("/proc/sysvipc: ID %d twice", id, 0);
		for (i = 0; i < POOL; i++)
			if (key == pool_key(k, i) && keys[i]++)
				atomic_fetch_add(&st.proc_twice, 1);
		ids[n++] = id;
		p += len;
	}
}

static void *reader(void *arg)
{
	unsigned int s = (uintptr_t)arg;
	enum kind k;
	long r;

	while (!atomic_load(&st.stop)) {
		k = rnd(&s) % 3;
		check_proc(k);
		atomic_fetch_add(&st.proc_reads, 1);
		r = stat_index(k, rnd(&s) % (POOL_BASE + 256));
		if (r < 0 && r != -EINVAL && r != -EIDRM)
			fail("*_STAT: errno %d", -r, 0);
		atomic_fetch_add(&st.stat_reads, 1);
	}
	return NULL;
}

static long stress_seconds(void)
{
	const char *s = getenv("SETID_STRESS_SECONDS");

	return s && atol(s) > 0 ? atol(s) : 10;
}

FIXTURE(ns) {
	int unused;
};

FIXTURE_SETUP(ns)
{
	enum kind k;
	uint32_t *p;
	bool broken;
	const char *why = setid_setup(&broken);
	int i, w;

	ASSERT_FALSE(broken) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	for (k = MSG; k <= SHM; k++)
		for (i = 0; i < POOL; i++)
			ASSERT_EQ(0, setid(k, create(k, pool_key(k, i)),
					   mkid(POOL_BASE + i, 0), 0));
	for (i = 0; i < POOL; i++) {
		p = shmat(lookup(SHM, i), NULL, 0);
		ASSERT_TRUE(p != (void *)-1);
		p[0] = pool_key(SHM, i);
		for (w = 1; w < SHM_WORDS; w++)
			p[w] = pattern(p[0], w);
		shmdt(p);
	}
	for (i = 0; i < SENDERS; i++) {
		st.seen[i] = calloc(MAX_SENT, 1);
		ASSERT_TRUE(!!st.seen[i]);
	}
}

FIXTURE_TEARDOWN(ns)
{
}

TEST_F_TIMEOUT(ns, all_types_at_once, 3600)
{
	static const struct {
		void *(*fn)(void *arg);
		int n;
	} jobs[] = {
		{ changer, 2 }, { sender, SENDERS }, { receiver, 2 },
		{ sem_worker, 2 }, { undo_exiter, 1 }, { attacher, 2 },
		{ churn, 1 }, { reader, 1 },
	};
	long secs = stress_seconds(), lost = 0, dup = 0, n, e;
	pthread_t t[32];
	int nt = 0, j, i, id;
	uintptr_t arg;
	uint32_t *p;
	double end;
	enum kind k;

	ASSERT_GE(3000, secs);
	for (j = 0; j < (int)ARRAY_SIZE(jobs); j++)
		for (i = 0; i < jobs[j].n; i++) {
			/* A sender's number, or a seed. */
			arg = jobs[j].fn == sender ? i : 7 * nt + 1;
			ASSERT_EQ(0, pthread_create(&t[nt++], NULL, jobs[j].fn,
						    (void *)arg));
		}
	end = time(NULL) + secs;
	while (time(NULL) < end)
		sleep(1);
	atomic_store(&st.stop, true);
	for (i = 0; i < nt; i++)
		pthread_join(t[i], NULL);

	/* Drain the queues, then account for every message sent. */
	for (i = 0; i < POOL; i++) {
		id = lookup(MSG, i);
		ASSERT_LE(0, id);
		while (!take(id))
			;
	}
	for (j = 0; j < SENDERS; j++) {
		for (n = 0; n < atomic_load(&st.sent[j]); n++)
			lost += !st.seen[j][n];
		for (; n < MAX_SENT; n++)
			dup += st.seen[j][n];
	}

	TH_LOG("%ld s: %ld moves, %ld exchanges, %ld refused (EEXIST, EBUSY, EINVAL)",
	       secs, atomic_load(&st.changes), atomic_load(&st.exchanges),
	       atomic_load(&st.refused));
	TH_LOG("%ld + %ld messages sent, %ld received; %ld semop pairs, %ld exits with undo",
	       atomic_load(&st.sent[0]), atomic_load(&st.sent[1]),
	       atomic_load(&st.received), atomic_load(&st.semops),
	       atomic_load(&st.undo_exits));
	TH_LOG("%ld attaches; %ld objects created, %ld removed; %ld *_STAT",
	       atomic_load(&st.attaches), atomic_load(&st.created),
	       atomic_load(&st.removed), atomic_load(&st.stat_reads));
	TH_LOG("%ld /proc/sysvipc reads, %ld of them listed an object moved between chunks twice",
	       atomic_load(&st.proc_reads), atomic_load(&st.proc_twice));
	for (e = 0; e <= MAX_ERRNO; e++)
		if (atomic_load(&st.err[e]))
			TH_LOG("users met errno %ld (%s) %ld times", e,
			       e ? strerror(e) : "other", atomic_load(&st.err[e]));
	TH_LOG("%ld lost, %ld duplicated", lost, dup);
	EXPECT_EQ(0, atomic_load(&st.bad)) TH_LOG("%s", st.why);
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, dup);
	EXPECT_LT(0, atomic_load(&st.changes) + atomic_load(&st.exchanges));

	/* Every object of the pool at one ID, as /proc/sysvipc says. */
	for (k = MSG; k <= SHM; k++) {
		char buf[65536], want[64];

		check_proc(k);
		snapshot(k, buf, sizeof(buf));
		for (i = 0; i < POOL; i++) {
			id = lookup(k, i);
			ASSERT_LE(0, id);
			snprintf(want, sizeof(want), "%d:%d ", pool_key(k, i), id);
			EXPECT_TRUE(!!strstr(buf, want)) TH_LOG("%s", want);
			if (k == SEM) {
				EXPECT_EQ(0, semctl(id, 0, GETVAL));
				EXPECT_EQ(0, semctl(id, 1, GETVAL));
			}
			if (k != SHM)
				continue;
			{
				struct shmid_ds ds;

				ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
				EXPECT_EQ(0UL, ds.shm_nattch);
			}
			p = shmat(id, NULL, SHM_RDONLY);
			ASSERT_TRUE(p != (void *)-1);
			EXPECT_EQ((uint32_t)pool_key(k, i), p[0]);
			for (n = 1; n < SHM_WORDS; n++)
				if (p[n] != pattern(p[0], n))
					break;
			EXPECT_EQ(SHM_WORDS, n);
			shmdt(p);
		}
	}
	TH_LOG("%ld lost", lost + dup);
}

TEST_HARNESS_MAIN
