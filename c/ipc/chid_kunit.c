// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of msg_chid(), sem_chid(), shm_chid() and ipc_chid().
 *
 * Each test runs in a kthread of its own, which moves to a fresh IPC
 * namespace and creates real objects there with the ksys_*() helpers of
 * the system calls. IDs are built from the live layout, so the suite runs
 * unchanged with and without "ipcmni_extend".
 */

#include <kunit/test.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/msg.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/sem.h>
#include <linux/shm.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

#include "chid.h"
#include "util.h"

#define KEY_A	0x4a000001
#define KEY_B	0x4a000002

#define chid_ids(ns, type)	(&(ns)->ids[type])

static struct ipc_namespace *chid_ns(void)
{
	return current->nsproxy->ipc_ns;
}

static int mkid(int idx, int seq)
{
	return (seq << ipcmni_seq_shift()) + idx;
}

static int chid_test_init(struct kunit *test)
{
	int err = ksys_unshare(CLONE_NEWIPC);

	KUNIT_ASSERT_EQ_MSG(test, err, 0, "unshare(CLONE_NEWIPC)");
	return 0;
}

/* User memory for the message and shm tests; attaches an mm to the kthread. */
static void __user *chid_user_page(struct kunit *test)
{
	unsigned long addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_ANONYMOUS | MAP_PRIVATE, 0);

	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	return (void __user *)addr;
}

struct chid_msg {
	long mtype;
	char mtext[16];
};

static void chid_msgsnd(struct kunit *test, void __user *ubuf, int id,
			long type, const char *text)
{
	struct chid_msg m = { .mtype = type };

	strscpy(m.mtext, text, sizeof(m.mtext));
	KUNIT_ASSERT_EQ(test, copy_to_user(ubuf, &m, sizeof(m)), 0);
	KUNIT_ASSERT_EQ(test, ksys_msgsnd(id, ubuf, strlen(text) + 1,
					  IPC_NOWAIT), 0);
}

static void chid_msgrcv(struct kunit *test, void __user *ubuf, int id,
			long type, const char *text)
{
	struct chid_msg m;

	KUNIT_ASSERT_EQ(test, ksys_msgrcv(id, ubuf, sizeof(m.mtext), 0,
					  IPC_NOWAIT), (long)strlen(text) + 1);
	KUNIT_ASSERT_EQ(test, copy_from_user(&m, ubuf, sizeof(m)), 0);
	KUNIT_EXPECT_EQ(test, m.mtype, type);
	KUNIT_EXPECT_STREQ(test, m.mtext, text);
}

static void chid_msg_move_keeps_messages(struct kunit *test)
{
	void __user *ubuf = chid_user_page(test);
	struct ipc_namespace *ns = chid_ns();
	int id = ksys_msgget(KEY_A, IPC_CREAT | 0600);
	int newid = mkid(7, 3);

	KUNIT_ASSERT_GE(test, id, 0);
	chid_msgsnd(test, ubuf, id, 1, "one");
	chid_msgsnd(test, ubuf, id, 2, "two");

	KUNIT_EXPECT_EQ(test, msg_chid(ns, id, newid), 0);
	/* The key now leads to the new ID, the old ID to nothing. */
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_A, 0), newid);
	KUNIT_EXPECT_EQ(test, ksys_msgrcv(id, ubuf, 16, 0, IPC_NOWAIT),
			-EINVAL);
	chid_msgrcv(test, ubuf, newid, 1, "one");
	chid_msgrcv(test, ubuf, newid, 2, "two");
	KUNIT_EXPECT_EQ(test, chid_ids(ns, IPC_MSG_IDS)->in_use, 1);
	KUNIT_EXPECT_EQ(test, chid_ids(ns, IPC_MSG_IDS)->max_idx, 7);
}

static void chid_msg_errors_change_nothing(struct kunit *test)
{
	struct ipc_namespace *ns = chid_ns();
	int a = ksys_msgget(KEY_A, IPC_CREAT | 0600);
	int b = ksys_msgget(KEY_B, IPC_CREAT | 0600);
	int seq_b = ipcid_to_seqx(b);
	int stale = mkid(ipcid_to_idx(a), ipcid_to_seqx(a) + 1);

	KUNIT_ASSERT_GE(test, a, 0);
	KUNIT_ASSERT_GE(test, b, 0);
	/* No object: a free slot, then a stale sequence number. */
	KUNIT_EXPECT_EQ(test, msg_chid(ns, mkid(9, 0), 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, msg_chid(ns, stale, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, msg_chid(ns, -1, 100), -EINVAL);
	/* Outside the ID space. */
	KUNIT_EXPECT_EQ(test, msg_chid(ns, a, -1), -ERANGE);
	KUNIT_EXPECT_EQ(test, msg_chid(ns, a, INT_MIN), -ERANGE);
	/* A held slot, with the holder's ID or another sequence number. */
	KUNIT_EXPECT_EQ(test, msg_chid(ns, a, b), -EEXIST);
	KUNIT_EXPECT_EQ(test, msg_chid(ns, a, mkid(ipcid_to_idx(b), seq_b + 1)),
			-EEXIST);
	/* Unknown flags. */
	KUNIT_EXPECT_EQ(test, ipc_chid(chid_ids(ns, IPC_MSG_IDS), a, 100, 0x2, &msg_chid_ops),
			-EINVAL);
	/* The same ID: nothing to do. */
	KUNIT_EXPECT_EQ(test, msg_chid(ns, a, a), 0);

	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_A, 0), a);
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_B, 0), b);
	KUNIT_EXPECT_EQ(test, chid_ids(ns, IPC_MSG_IDS)->in_use, 2);
}

static void chid_msg_reseq_in_place(struct kunit *test)
{
	struct ipc_namespace *ns = chid_ns();
	int a = ksys_msgget(KEY_A, IPC_CREAT | 0600);
	int newid;

	KUNIT_ASSERT_GE(test, a, 0);
	newid = mkid(ipcid_to_idx(a), ipcid_seq_max());
	KUNIT_EXPECT_EQ(test, msg_chid(ns, a, newid), 0);
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_A, 0), newid);
	/* The largest ID of the layout is a valid one. */
	KUNIT_EXPECT_EQ(test, msg_chid(ns, newid, INT_MAX), 0);
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_A, 0), INT_MAX);
}

static void chid_msg_exchange(struct kunit *test)
{
	void __user *ubuf = chid_user_page(test);
	struct ipc_namespace *ns = chid_ns();
	int a = ksys_msgget(KEY_A, IPC_CREAT | 0600);
	int b = ksys_msgget(KEY_B, IPC_CREAT | 0600);
	/* B's slot under another ID than B's: no object to trade with. */
	int other = mkid(ipcid_to_idx(b), ipcid_to_seqx(b) + 1);
	int newid = b;

	KUNIT_ASSERT_GE(test, a, 0);
	KUNIT_ASSERT_GE(test, b, 0);
	chid_msgsnd(test, ubuf, a, 1, "to a");
	chid_msgsnd(test, ubuf, b, 2, "to b");

	KUNIT_EXPECT_EQ(test, ipc_chid(chid_ids(ns, IPC_MSG_IDS), a, other, IPC_CHID_EXCHANGE,
				       &msg_chid_ops), -EEXIST);
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_A, 0), a);
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_B, 0), b);
	KUNIT_EXPECT_EQ(test, ipc_chid(chid_ids(ns, IPC_MSG_IDS), a, newid, IPC_CHID_EXCHANGE,
				       &msg_chid_ops), 0);
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_A, 0), newid);
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_B, 0), a);
	chid_msgrcv(test, ubuf, newid, 1, "to a");
	chid_msgrcv(test, ubuf, a, 2, "to b");

	/* And back: A at its old ID again, B at A's new one. */
	KUNIT_EXPECT_EQ(test, ipc_chid(chid_ids(ns, IPC_MSG_IDS), newid, a, IPC_CHID_EXCHANGE,
				       &msg_chid_ops), 0);
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_A, 0), a);
	KUNIT_EXPECT_EQ(test, ksys_msgget(KEY_B, 0), newid);
	KUNIT_EXPECT_EQ(test, chid_ids(ns, IPC_MSG_IDS)->in_use, 2);
}

/* Wait-for-zero without waiting: 0 if the semaphore is 0, else -EAGAIN. */
static long chid_sem_iszero(int id)
{
	struct sembuf op = { .sem_num = 0, .sem_op = 0, .sem_flg = IPC_NOWAIT };

	return __do_semtimedop(id, &op, 1, NULL, chid_ns());
}

static void chid_sem_undo_follows(struct kunit *test)
{
	struct sembuf up = { .sem_num = 0, .sem_op = 1, .sem_flg = SEM_UNDO };
	struct ipc_namespace *ns = chid_ns();
	int a = ksys_semget(KEY_A, 1, IPC_CREAT | 0600);
	int b = ksys_semget(KEY_B, 1, IPC_CREAT | 0600);
	int newid = b;

	KUNIT_ASSERT_GE(test, a, 0);
	KUNIT_ASSERT_GE(test, b, 0);
	KUNIT_ASSERT_EQ(test, __do_semtimedop(a, &up, 1, NULL, ns), 0);
	KUNIT_ASSERT_EQ(test, chid_sem_iszero(a), -EAGAIN);

	KUNIT_EXPECT_EQ(test, sem_chid(ns, a, b), -EEXIST);
	KUNIT_EXPECT_EQ(test, ipc_chid(chid_ids(ns, IPC_SEM_IDS), a, newid, IPC_CHID_EXCHANGE,
				       &sem_chid_ops), 0);
	/* The value moved with the array; B, now at A's old ID, is 0. */
	KUNIT_EXPECT_EQ(test, chid_sem_iszero(newid), -EAGAIN);
	KUNIT_EXPECT_EQ(test, chid_sem_iszero(a), 0);
	KUNIT_EXPECT_EQ(test, ksys_semget(KEY_B, 0, 0), a);

	/* The undo entry followed: exit_sem() undoes the +1 at the new ID. */
	exit_sem(current);
	KUNIT_EXPECT_EQ(test, chid_sem_iszero(newid), 0);
	KUNIT_EXPECT_EQ(test, chid_sem_iszero(a), 0);

	/* A plain move. */
	KUNIT_EXPECT_EQ(test, sem_chid(ns, newid, mkid(20, 1)), 0);
	KUNIT_EXPECT_EQ(test, ksys_semget(KEY_A, 0, 0), mkid(20, 1));
}

static unsigned long chid_shm_ino(struct kunit *test, int id)
{
	struct vm_area_struct *vma;
	unsigned long addr, ino;

	KUNIT_ASSERT_EQ(test, do_shmat(id, NULL, 0, &addr, SHMLBA), 0);
	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, addr);
	ino = vma && vma->vm_file ? file_inode(vma->vm_file)->i_ino : 0;
	mmap_read_unlock(current->mm);
	KUNIT_EXPECT_EQ(test, ksys_shmdt((char __user *)addr), 0);
	return ino;
}

static void chid_shm_inode_and_attach(struct kunit *test)
{
	struct ipc_namespace *ns = chid_ns();
	int a, b, newid = mkid(11, 4);
	unsigned long addr;
	char __user *p;
	char c;

	chid_user_page(test);
	a = ksys_shmget(KEY_A, PAGE_SIZE, IPC_CREAT | 0600);
	b = ksys_shmget(KEY_B, PAGE_SIZE, IPC_CREAT | 0600);
	KUNIT_ASSERT_GE(test, a, 0);
	KUNIT_ASSERT_GE(test, b, 0);
	KUNIT_EXPECT_EQ(test, chid_shm_ino(test, a), (unsigned long)a);

	/* Write into the segment, keep it attached: the change is refused. */
	KUNIT_ASSERT_EQ(test, do_shmat(a, NULL, 0, &addr, SHMLBA), 0);
	p = (char __user *)addr;
	KUNIT_ASSERT_EQ(test, put_user('x', p), 0);
	KUNIT_EXPECT_EQ(test, shm_chid(ns, a, newid), -EBUSY);
	/* Either side of an exchange. */
	KUNIT_EXPECT_EQ(test, ipc_chid(chid_ids(ns, IPC_SHM_IDS), b, a, IPC_CHID_EXCHANGE,
				       &shm_chid_ops), -EBUSY);
	KUNIT_EXPECT_EQ(test, ksys_shmdt(p), 0);

	KUNIT_EXPECT_EQ(test, shm_chid(ns, a, newid), 0);
	KUNIT_EXPECT_EQ(test, chid_shm_ino(test, newid), (unsigned long)newid);
	KUNIT_ASSERT_EQ(test, do_shmat(newid, NULL, 0, &addr, SHMLBA), 0);
	p = (char __user *)addr;
	KUNIT_EXPECT_EQ(test, get_user(c, p), 0);
	KUNIT_EXPECT_EQ(test, c, 'x');
	KUNIT_EXPECT_EQ(test, ksys_shmdt(p), 0);

	KUNIT_EXPECT_EQ(test, ipc_chid(chid_ids(ns, IPC_SHM_IDS), newid, b, IPC_CHID_EXCHANGE,
				       &shm_chid_ops), 0);
	KUNIT_EXPECT_EQ(test, chid_shm_ino(test, b), (unsigned long)b);
	KUNIT_EXPECT_EQ(test, chid_shm_ino(test, newid), (unsigned long)newid);
	KUNIT_EXPECT_EQ(test, ksys_shmget(KEY_A, 0, 0), b);
	KUNIT_EXPECT_EQ(test, ksys_shmget(KEY_B, 0, 0), newid);
}

static struct kunit_case chid_test_cases[] = {
	KUNIT_CASE(chid_msg_move_keeps_messages),
	KUNIT_CASE(chid_msg_errors_change_nothing),
	KUNIT_CASE(chid_msg_reseq_in_place),
	KUNIT_CASE(chid_msg_exchange),
	KUNIT_CASE(chid_sem_undo_follows),
	KUNIT_CASE(chid_shm_inode_and_attach),
	{}
};

static struct kunit_suite chid_test_suite = {
	.name = "ipc_chid",
	.init = chid_test_init,
	.test_cases = chid_test_cases,
};

kunit_test_suite(chid_test_suite);
