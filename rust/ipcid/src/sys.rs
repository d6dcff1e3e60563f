// SPDX-License-Identifier: GPL-2.0

//! The System V IPC system calls, made directly: the C library refuses
//! `IPC_SETID`, and the structures are the kernel's (x86-64 layout).

use std::io;

#[cfg(not(target_arch = "x86_64"))]
compile_error!("ipcid knows the IPC structures of x86-64 only");

pub const IPC_SETID: i32 = 4;
pub const IPC_SETID_EXCHANGE: u32 = 1;
const MSG_COPY: i32 = 0o40000;

/// The three kinds of object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Msg,
    Sem,
    Shm,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Msg, Kind::Sem, Kind::Shm];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Msg => "msg",
            Kind::Sem => "sem",
            Kind::Shm => "shm",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// `struct ipc64_perm`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Perm {
    pub key: i32,
    pub uid: u32,
    pub gid: u32,
    pub cuid: u32,
    pub cgid: u32,
    pub mode: u32,
    seq: u16,
    pad: u16,
    unused: [u64; 2],
}

/// `struct msqid64_ds`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MsqidDs {
    pub perm: Perm,
    pub stime: i64,
    pub rtime: i64,
    pub ctime: i64,
    pub cbytes: u64,
    pub qnum: u64,
    pub qbytes: u64,
    pub lspid: i32,
    pub lrpid: i32,
    unused: [u64; 2],
}

/// `struct semid64_ds`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct SemidDs {
    pub perm: Perm,
    pub otime: i64,
    unused1: u64,
    pub ctime: i64,
    unused2: u64,
    pub nsems: u64,
    unused: [u64; 2],
}

/// `struct shmid64_ds`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct ShmidDs {
    pub perm: Perm,
    pub segsz: u64,
    pub atime: i64,
    pub dtime: i64,
    pub ctime: i64,
    pub cpid: i32,
    pub lpid: i32,
    pub nattch: u64,
    unused: [u64; 2],
}

/// `struct ipc_setid` of `<linux/ipc_setid.h>`.
#[repr(C)]
struct SetidArg {
    newid: i32,
    flags: u32,
}

fn check(r: libc::c_long) -> io::Result<libc::c_long> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn id_of(r: libc::c_long) -> io::Result<i32> {
    i32::try_from(r).map_err(|_| io::Error::from_raw_os_error(libc::EOVERFLOW))
}

/// `msgctl()`, `semctl()` or `shmctl()` with a pointer argument.
fn ctl(kind: Kind, id: i32, cmd: i32, arg: *mut libc::c_void) -> io::Result<libc::c_long> {
    // SAFETY: the kernel reads or writes at most the structure that `cmd`
    // names through `arg`, which the callers size accordingly (or null).
    check(unsafe {
        match kind {
            Kind::Msg => libc::syscall(libc::SYS_msgctl, id, cmd, arg),
            Kind::Sem => libc::syscall(libc::SYS_semctl, id, 0, cmd, arg),
            Kind::Shm => libc::syscall(libc::SYS_shmctl, id, cmd, arg),
        }
    })
}

/// `IPC_SETID`: give the object `id` the ID `newid`.
pub fn setid(kind: Kind, id: i32, newid: i32, exchange: bool) -> io::Result<()> {
    let mut arg = SetidArg {
        newid,
        flags: if exchange { IPC_SETID_EXCHANGE } else { 0 },
    };
    ctl(kind, id, IPC_SETID, (&mut arg as *mut SetidArg).cast()).map(drop)
}

/// Whether the kernel has `IPC_SETID`: a NULL argument fails with EFAULT
/// (EPERM without the capability) where it does, EINVAL where it does not.
pub fn probe_setid() -> io::Result<()> {
    match ctl(Kind::Msg, 0, IPC_SETID, std::ptr::null_mut()) {
        Ok(_) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EFAULT) => Ok(()),
        Err(e) => Err(e),
    }
}

pub fn msgget(key: i32, flags: i32) -> io::Result<i32> {
    // SAFETY: no pointer arguments.
    id_of(check(unsafe {
        libc::syscall(libc::SYS_msgget, key, flags)
    })?)
}

pub fn semget(key: i32, nsems: i32, flags: i32) -> io::Result<i32> {
    // SAFETY: no pointer arguments.
    id_of(check(unsafe {
        libc::syscall(libc::SYS_semget, key, nsems, flags)
    })?)
}

pub fn shmget(key: i32, size: u64, flags: i32) -> io::Result<i32> {
    // SAFETY: no pointer arguments.
    id_of(check(unsafe {
        libc::syscall(libc::SYS_shmget, key, size, flags)
    })?)
}

pub fn rmid(kind: Kind, id: i32) -> io::Result<()> {
    ctl(kind, id, libc::IPC_RMID, std::ptr::null_mut()).map(drop)
}

pub fn msg_stat(id: i32) -> io::Result<MsqidDs> {
    let mut ds = MsqidDs::default();
    ctl(
        Kind::Msg,
        id,
        libc::IPC_STAT,
        (&mut ds as *mut MsqidDs).cast(),
    )?;
    Ok(ds)
}

pub fn sem_stat(id: i32) -> io::Result<SemidDs> {
    let mut ds = SemidDs::default();
    ctl(
        Kind::Sem,
        id,
        libc::IPC_STAT,
        (&mut ds as *mut SemidDs).cast(),
    )?;
    Ok(ds)
}

pub fn shm_stat(id: i32) -> io::Result<ShmidDs> {
    let mut ds = ShmidDs::default();
    ctl(
        Kind::Shm,
        id,
        libc::IPC_STAT,
        (&mut ds as *mut ShmidDs).cast(),
    )?;
    Ok(ds)
}

/// `IPC_SET` of owner, group and mode, and for queues their byte limit.
pub fn set_perm(
    kind: Kind,
    id: i32,
    uid: u32,
    gid: u32,
    mode: u32,
    qbytes: Option<u64>,
) -> io::Result<()> {
    match kind {
        Kind::Msg => {
            let mut ds = msg_stat(id)?;
            (ds.perm.uid, ds.perm.gid, ds.perm.mode) = (uid, gid, mode);
            if let Some(q) = qbytes {
                ds.qbytes = q;
            }
            ctl(kind, id, libc::IPC_SET, (&mut ds as *mut MsqidDs).cast()).map(drop)
        }
        Kind::Sem => {
            let mut ds = sem_stat(id)?;
            (ds.perm.uid, ds.perm.gid, ds.perm.mode) = (uid, gid, mode);
            ctl(kind, id, libc::IPC_SET, (&mut ds as *mut SemidDs).cast()).map(drop)
        }
        Kind::Shm => {
            let mut ds = shm_stat(id)?;
            (ds.perm.uid, ds.perm.gid, ds.perm.mode) = (uid, gid, mode);
            ctl(kind, id, libc::IPC_SET, (&mut ds as *mut ShmidDs).cast()).map(drop)
        }
    }
}

/// The messages of a queue, in order, without receiving them (`MSG_COPY`).
/// `max` is the size of the largest message (the queue's byte count bounds
/// it); a larger one makes the buffer grow.
pub fn msg_copy_all(id: i32, qnum: u64, max: usize) -> io::Result<Vec<(i64, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut max = max.max(1);
    let mut buf = vec![0u8; 8 + max];
    let mut n = 0;
    while n < qnum {
        // SAFETY: `buf` holds a `long` type and `max` bytes of text.
        let r = unsafe {
            libc::syscall(
                libc::SYS_msgrcv,
                id,
                buf.as_mut_ptr(),
                max,
                n,
                MSG_COPY | libc::IPC_NOWAIT,
            )
        };
        let len = match check(r) {
            Ok(len) => usize::try_from(len).unwrap_or(0),
            Err(e) if e.raw_os_error() == Some(libc::E2BIG) && max < 1 << 30 => {
                max = max.saturating_mul(2);
                buf.resize(8 + max, 0);
                continue;
            }
            Err(e) => return Err(e),
        };
        let (head, text) = buf.split_at(8);
        let mut t = [0u8; 8];
        t.copy_from_slice(head);
        out.push((
            i64::from_ne_bytes(t),
            text.get(..len).unwrap_or_default().to_vec(),
        ));
        n += 1;
    }
    Ok(out)
}

pub fn msgsnd(id: i32, mtype: i64, text: &[u8]) -> io::Result<()> {
    let mut buf = mtype.to_ne_bytes().to_vec();
    buf.extend_from_slice(text);
    // SAFETY: `buf` holds a `long` type followed by `text.len()` bytes.
    check(unsafe {
        libc::syscall(
            libc::SYS_msgsnd,
            id,
            buf.as_ptr(),
            text.len(),
            libc::IPC_NOWAIT,
        )
    })
    .map(drop)
}

/// The values of the first `nsems` semaphores of a set, one `GETVAL` each:
/// unlike `GETALL`, which writes as many as the set has at that instant,
/// it cannot overrun a buffer if another set took the ID meanwhile.
pub fn sem_values(id: i32, nsems: usize) -> io::Result<Vec<u16>> {
    (0..nsems)
        .map(|i| {
            // SAFETY: GETVAL takes no pointer.
            let r = check(unsafe { libc::syscall(libc::SYS_semctl, id, i, libc::GETVAL, 0) })?;
            u16::try_from(r).map_err(|_| io::Error::from_raw_os_error(libc::ERANGE))
        })
        .collect()
}

/// Sets each semaphore of a set, one `SETVAL` each (no buffer the kernel
/// could read past).
pub fn sem_set_values(id: i32, vals: &[u16]) -> io::Result<()> {
    for (i, &v) in vals.iter().enumerate() {
        // SAFETY: SETVAL takes its value, not a pointer.
        check(unsafe {
            libc::syscall(libc::SYS_semctl, id, i, libc::SETVAL, libc::c_long::from(v))
        })?;
    }
    Ok(())
}

/// The bytes of a segment, or writes `data` into it.
pub fn shm_io(id: i32, data: Option<&[u8]>) -> io::Result<Vec<u8>> {
    let flags = if data.is_some() { 0 } else { libc::SHM_RDONLY };
    // SAFETY: a new attachment at an address the kernel picks.
    let p = unsafe { libc::syscall(libc::SYS_shmat, id, std::ptr::null::<u8>(), flags) };
    let p = check(p)? as *mut u8;
    // The size of what is attached: an attached segment keeps its ID.
    let size = shm_stat(id).and_then(|ds| {
        usize::try_from(ds.segsz).map_err(|_| io::Error::from_raw_os_error(libc::EOVERFLOW))
    });
    let out = size.map(|size| match data {
        Some(d) => {
            // SAFETY: the attachment maps `size` writable bytes.
            unsafe { std::ptr::copy_nonoverlapping(d.as_ptr(), p, d.len().min(size)) };
            Vec::new()
        }
        // SAFETY: the attachment maps `size` readable bytes.
        None => unsafe { std::slice::from_raw_parts(p, size) }.to_vec(),
    });
    // SAFETY: `p` is the attachment made above.
    check(unsafe { libc::syscall(libc::SYS_shmdt, p) })?;
    out
}
