// SPDX-License-Identifier: GPL-2.0
/*
 * The programs of the joined-namespace measurement (tests/criu/joinns.sh),
 * one binary:
 *
 *   ipc-joinns hold N       create N message queues with keys KEY+i and one
 *                           message each, print "ID KEY" per queue, then
 *                           wait to be dumped
 *   ipc-joinns churn SECS   create and remove private queues, at most two
 *                           alive, until SECS pass or SIGTERM: another
 *                           program of the same namespace
 *   ipc-joinns check FILE   for each "ID KEY" of FILE: "ok" if the queue
 *                           at ID has KEY and its message, "foreign" if an
 *                           object of another key holds ID, "missing" if
 *                           none; one line "check: O ok, F foreign, M missing"
 *   ipc-joinns sweep        remove every queue with a key of "hold" (what a
 *                           failed restore left behind); "sweep: N removed"
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#define KEY 0x5e720000
#define KEY_MASK 0xffff0000

struct msg {
	long mtype;
	char mtext[16];
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int hold(int n)
{
	int i, id;

	for (i = 0; i < n; i++) {
		struct msg m = { .mtype = 1 };

		id = msgget(KEY + i, IPC_CREAT | IPC_EXCL | 0600);
		if (id < 0) {
			perror("msgget");
			return 1;
		}
		snprintf(m.mtext, sizeof(m.mtext), "queue %d", i);
		if (msgsnd(id, &m, sizeof(m.mtext), 0)) {
			perror("msgsnd");
			return 1;
		}
		printf("%d %d\n", id, KEY + i);
	}
	fflush(stdout);
	for (;;)
		pause();
}

static int churn(int secs)
{
	time_t end = time(NULL) + secs;
	int ids[2] = { -1, -1 };
	long created = 0;
	int i = 0;

	signal(SIGTERM, on_term);
	while (!stop && time(NULL) < end) {
		if (ids[i] >= 0)
			msgctl(ids[i], IPC_RMID, NULL);
		ids[i] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (ids[i] >= 0)
			created++;
		i = !i;
		usleep(100);
	}
	for (i = 0; i < 2; i++)
		if (ids[i] >= 0)
			msgctl(ids[i], IPC_RMID, NULL);
	printf("churn: %ld queues created\n", created);
	return 0;
}

static int check(const char *file)
{
	int id, key, ok = 0, foreign = 0, missing = 0;
	struct msqid_ds ds;
	FILE *f;

	f = fopen(file, "r");
	if (!f) {
		perror(file);
		return 1;
	}
	while (fscanf(f, "%d %d", &id, &key) == 2) {
		if (msgctl(id, IPC_STAT, &ds)) {
			printf("missing %d\n", id);
			missing++;
		} else if (ds.msg_perm.__key != key || ds.msg_qnum != 1) {
			printf("foreign %d (key %#x, %lu messages)\n", id, ds.msg_perm.__key, ds.msg_qnum);
			foreign++;
		} else {
			ok++;
		}
	}
	fclose(f);
	printf("check: %d ok, %d foreign, %d missing\n", ok, foreign, missing);
	return 0;
}

static int sweep(void)
{
	struct msqid_ds ds;
	int idx, max, id, n = 0;

	max = msgctl(0, MSG_INFO, (struct msqid_ds *)&(struct msginfo){ 0 });
	if (max < 0) {
		perror("MSG_INFO");
		return 1;
	}
	for (idx = 0; idx <= max; idx++) {
		id = msgctl(idx, MSG_STAT_ANY, &ds);
		if (id < 0 || (ds.msg_perm.__key & KEY_MASK) != KEY)
			continue;
		if (msgctl(id, IPC_RMID, NULL) == 0)
			n++;
	}
	printf("sweep: %d removed\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "churn"))
		return churn(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "check"))
		return check(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "sweep"))
		return sweep();
	fprintf(stderr, "usage: %s hold N | churn SECS | check FILE | sweep\n", argv[0]);
	return 2;
}
