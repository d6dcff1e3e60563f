# SPDX-License-Identifier: GPL-2.0
# Sourced by ipcid-test: what an IPC namespace has beyond its objects.

# Its limits and *_next_id cursors, as /proc/sys/kernel shows them.
sysctls() {
	for f in msgmax msgmnb msgmni sem shmmax shmall shmmni shm_rmid_forced \
		msg_next_id sem_next_id shm_next_id; do
		echo "$f $(cat /proc/sys/kernel/$f)"
	done
}

# Its segments with their state: "id perms" of /proc/sysvipc/shm, whose
# mode has SHM_DEST (01000) and SHM_LOCKED (02000).
shm_state() {
	awk 'NR > 1 { print $2, $3 }' /proc/sysvipc/shm | sort
}
