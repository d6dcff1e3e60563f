// SPDX-License-Identifier: GPL-2.0
/*
 * ipc-paths: the cost of the ordinary System V IPC paths, the ones every
 * user of IPC takes whether or not it ever changes an ID: semop() with and
 * without SEM_UNDO, a msgsnd()/msgrcv() ping-pong between two processes,
 * shmat()/shmdt(), msgget()/IPC_RMID and IPC_STAT.
 *
 * make bench boots kernels built with and without CONFIG_SYSVIPC_CHID in
 * turn and runs this in each; it prints, per path, the median time of one
 * operation over REPS runs of ITERS operations each, the runs of the paths
 * interleaved:
 *
 *	ipc-paths: semop 1234.5 ns (min 1200.1, max 1301.9)
 *
 * Usage: ipc-paths [ITERS [REPS]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

static void die(const char *what)
{
	fprintf(stderr, "ipc-paths: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int semid, msqid, pongid, shmid;
static pid_t ponger;

struct msg {
	long mtype;
	char mtext[8];
};

/* One +1 and one -1: two semop() calls. */
static void semop_plain(long n)
{
	struct sembuf up = { 0, 1, 0 }, down = { 0, -1, 0 };

	for (long i = 0; i < n; i += 2)
		if (semop(semid, &up, 1) || semop(semid, &down, 1))
			die("semop");
}

static void semop_undo(long n)
{
	struct sembuf up = { 0, 1, SEM_UNDO }, down = { 0, -1, SEM_UNDO };

	for (long i = 0; i < n; i += 2)
		if (semop(semid, &up, 1) || semop(semid, &down, 1))
			die("semop SEM_UNDO");
}

/* One round trip: a message to the other process and its answer. */
static void pingpong(long n)
{
	struct msg m = { .mtype = 1 };

	for (long i = 0; i < n; i++) {
		if (msgsnd(msqid, &m, sizeof(m.mtext), 0))
			die("msgsnd");
		if (msgrcv(pongid, &m, sizeof(m.mtext), 0, 0) < 0)
			die("msgrcv");
	}
}

static void attach(long n)
{
	for (long i = 0; i < n; i++) {
		void *p = shmat(shmid, NULL, 0);

		if (p == (void *)-1 || shmdt(p))
			die("shmat/shmdt");
	}
}

static void create_remove(long n)
{
	for (long i = 0; i < n; i++) {
		int q = msgget(IPC_PRIVATE, 0600);

		if (q < 0 || msgctl(q, IPC_RMID, NULL))
			die("msgget/IPC_RMID");
	}
}

static void stat_queue(long n)
{
	struct msqid_ds ds;

	for (long i = 0; i < n; i++)
		if (msgctl(msqid, IPC_STAT, &ds))
			die("IPC_STAT");
}

static const struct path {
	const char *name;
	void (*run)(long n);
	int scale;	/* fewer iterations for the slow paths */
} paths[] = {
	{ "semop", semop_plain, 1 },
	{ "semop-undo", semop_undo, 1 },
	{ "msg-pingpong", pingpong, 8 },
	{ "shmat-shmdt", attach, 4 },
	{ "msgget-rmid", create_remove, 4 },
	{ "ipc-stat", stat_queue, 1 },
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	int reps = argc > 2 ? atoi(argv[2]) : 7;
	double (*t)[NPATHS];
	struct msg m;

	if (iters < 2 || reps < 1 || reps > 1000) {
		fprintf(stderr, "usage: ipc-paths [ITERS [REPS]]\n");
		return 2;
	}
	t = calloc(reps, sizeof(*t));
	semid = semget(IPC_PRIVATE, 1, 0600);
	msqid = msgget(IPC_PRIVATE, 0600);
	pongid = msgget(IPC_PRIVATE, 0600);
	shmid = shmget(IPC_PRIVATE, 4096, 0600);
	if (!t || semid < 0 || msqid < 0 || pongid < 0 || shmid < 0)
		die("setup");
	ponger = fork();
	if (ponger < 0)
		die("fork");
	if (ponger == 0) {
		/* Answer every message until the queue is removed. */
		while (msgrcv(msqid, &m, sizeof(m.mtext), 0, 0) >= 0)
			if (msgsnd(pongid, &m, sizeof(m.mtext), 0))
				break;
		_exit(0);
	}
	/* A warm-up run of each path, not counted. */
	for (size_t p = 0; p < NPATHS; p++)
		paths[p].run(iters / paths[p].scale / 10 + 2);
	for (int r = 0; r < reps; r++) {
		for (size_t p = 0; p < NPATHS; p++) {
			long n = iters / paths[p].scale;
			double start = now_ns();

			paths[p].run(n);
			t[r][p] = (now_ns() - start) / n;
		}
	}
	msgctl(msqid, IPC_RMID, NULL);
	msgctl(pongid, IPC_RMID, NULL);
	semctl(semid, 0, IPC_RMID);
	shmctl(shmid, IPC_RMID, NULL);
	waitpid(ponger, NULL, 0);
	for (size_t p = 0; p < NPATHS; p++) {
		double v[1000];

		for (int r = 0; r < reps; r++)
			v[r] = t[r][p];
		qsort(v, reps, sizeof(v[0]), cmp);
		printf("ipc-paths: %s %.1f ns (min %.1f, max %.1f)\n", paths[p].name,
		       v[reps / 2], v[0], v[reps - 1]);
	}
	free(t);
	return 0;
}
