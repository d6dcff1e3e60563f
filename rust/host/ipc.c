// SPDX-License-Identifier: GPL-2.0
/* Helpers for the host harness: the IDR's inline functions, and set-up. */
#include <pthread.h>
#include <urcu.h>
#include <linux/radix-tree.h>
#include "ipc.h"


static pthread_once_t once = PTHREAD_ONCE_INIT;
static __thread int registered;

void host_init(void)
{
	pthread_once(&once, radix_tree_init);
	if (!registered) {
		rcu_register_thread();
		registered = 1;
	}
}

void host_done(void)
{
	if (registered) {
		rcu_unregister_thread();
		registered = 0;
	}
}

void host_ids_init(struct ipc_ids *ids)
{
	idr_init(&ids->ipcs_idr);
	ids->max_idx = -1;
}

void host_ids_destroy(struct ipc_ids *ids)
{
	idr_destroy(&ids->ipcs_idr);
}

void host_idr_preload(void)
{
	idr_preload(GFP_KERNEL);
}

void host_idr_preload_end(void)
{
	idr_preload_end();
}
