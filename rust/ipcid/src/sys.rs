// SPDX-License-Identifier: GPL-2.0

//! The System V IPC system calls. The objects are read and set through
//! the C library's wrappers and the structures the `libc` crate declares
//! for them, so that the kernel's layouts of each architecture (and the
//! `IPC_64` flag and `ipc()` multiplexer of 32-bit x86) are the C
//! library's business. Only `IPC_SETID`, which the C library refuses, is a
//! raw system call; its argument is the same on every architecture.

use std::io;

pub const IPC_SETID: i32 = 4;
pub const IPC_SETID_EXCHANGE: u32 = 1;
const MSG_COPY: i32 = 0o40000;
/// Mode bits of a segment (`<linux/shm.h>`): removed while attached, and
/// locked in memory.
pub const SHM_DEST: u32 = 0o1000;
pub const SHM_LOCKED: u32 = 0o2000;

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

/// What ipcid uses of `struct ipc_perm`.
#[derive(Clone, Copy, Default, Debug)]
pub struct Perm {
    pub uid: u32,
    pub gid: u32,
    /// The permission bits and, for segments, `SHM_DEST` and `SHM_LOCKED`.
    pub mode: u32,
}

impl From<&libc::ipc_perm> for Perm {
    fn from(p: &libc::ipc_perm) -> Perm {
        Perm {
            uid: p.uid,
            gid: p.gid,
            mode: u32::from(p.mode),
        }
    }
}

/// What ipcid uses of `struct msqid_ds`.
#[derive(Clone, Copy, Default, Debug)]
pub struct MsqidDs {
    pub perm: Perm,
    pub cbytes: u64,
    pub qnum: u64,
    pub qbytes: u64,
}

/// What ipcid uses of `struct semid_ds`.
#[derive(Clone, Copy, Default, Debug)]
pub struct SemidDs {
    pub perm: Perm,
    pub nsems: u64,
}

/// What ipcid uses of `struct shmid_ds`.
#[derive(Clone, Copy, Default, Debug)]
pub struct ShmidDs {
    pub perm: Perm,
    pub segsz: u64,
    pub nattch: u64,
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

/// A C library call's `int` result: -1 and `errno`, or the result.
fn check_int(r: libc::c_int) -> io::Result<libc::c_int> {
    check(libc::c_long::from(r)).map(|_| r)
}

fn id_of(r: libc::c_int) -> io::Result<i32> {
    check_int(r)
}

/// The `ipc()` call numbers of `<linux/ipc.h>`, for 32-bit x86, whose C
/// library headers name no direct System V IPC system calls.
#[cfg(target_arch = "x86")]
mod ipc_call {
    pub const SEMCTL: libc::c_long = 3;
    pub const MSGCTL: libc::c_long = 14;
    pub const SHMCTL: libc::c_long = 24;
}

/// `msgctl()`, `semctl()` or `shmctl()` as a raw system call, with a
/// pointer argument: for the commands the C library does not know.
fn raw_ctl(kind: Kind, id: i32, cmd: i32, arg: *mut libc::c_void) -> io::Result<libc::c_long> {
    #[cfg(not(target_arch = "x86"))]
    // SAFETY: the kernel reads or writes at most the structure that `cmd`
    // names through `arg`, which the callers size accordingly (or null).
    let r = unsafe {
        match kind {
            Kind::Msg => libc::syscall(libc::SYS_msgctl, id, cmd, arg),
            Kind::Sem => libc::syscall(libc::SYS_semctl, id, 0, cmd, arg),
            Kind::Shm => libc::syscall(libc::SYS_shmctl, id, cmd, arg),
        }
    };
    #[cfg(target_arch = "x86")]
    // SAFETY: as above; through ipc(), semctl() takes a pointer to its
    // fourth argument (the union semun), here `arg` itself.
    let r = unsafe {
        let mut semun = arg;
        match kind {
            Kind::Msg => libc::syscall(libc::SYS_ipc, ipc_call::MSGCTL, id, cmd, 0, arg),
            Kind::Sem => libc::syscall(libc::SYS_ipc, ipc_call::SEMCTL, id, 0, cmd, &raw mut semun),
            Kind::Shm => libc::syscall(libc::SYS_ipc, ipc_call::SHMCTL, id, cmd, 0, arg),
        }
    };
    check(r)
}

/// `IPC_SETID`: give the object `id` the ID `newid`.
pub fn setid(kind: Kind, id: i32, newid: i32, exchange: bool) -> io::Result<()> {
    let mut arg = SetidArg {
        newid,
        flags: if exchange { IPC_SETID_EXCHANGE } else { 0 },
    };
    raw_ctl(kind, id, IPC_SETID, (&raw mut arg).cast()).map(drop)
}

/// Whether the kernel has `IPC_SETID`: a NULL argument fails with EFAULT
/// (EPERM without the capability) where it does, EINVAL where it does not.
pub fn probe_setid() -> io::Result<()> {
    match raw_ctl(Kind::Msg, 0, IPC_SETID, std::ptr::null_mut()) {
        Ok(_) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EFAULT) => Ok(()),
        Err(e) => Err(e),
    }
}

pub fn msgget(key: i32, flags: i32) -> io::Result<i32> {
    // SAFETY: no pointer arguments.
    id_of(unsafe { libc::msgget(key, flags) })
}

pub fn semget(key: i32, nsems: i32, flags: i32) -> io::Result<i32> {
    // SAFETY: no pointer arguments.
    id_of(unsafe { libc::semget(key, nsems, flags) })
}

pub fn shmget(key: i32, size: u64, flags: i32) -> io::Result<i32> {
    let size = usize::try_from(size).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: no pointer arguments.
    id_of(unsafe { libc::shmget(key, size, flags) })
}

pub fn rmid(kind: Kind, id: i32) -> io::Result<()> {
    // SAFETY: IPC_RMID reads no argument.
    check_int(unsafe {
        match kind {
            Kind::Msg => libc::msgctl(id, libc::IPC_RMID, std::ptr::null_mut()),
            Kind::Sem => libc::semctl(id, 0, libc::IPC_RMID),
            Kind::Shm => libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()),
        }
    })
    .map(drop)
}

/// `SHM_LOCK`: keep a segment's pages in memory.
pub fn shm_lock(id: i32) -> io::Result<()> {
    // SAFETY: SHM_LOCK reads no argument.
    check_int(unsafe { libc::shmctl(id, libc::SHM_LOCK, std::ptr::null_mut()) }).map(drop)
}

fn msg_ds(id: i32) -> io::Result<libc::msqid_ds> {
    // SAFETY: all-zero bytes are a valid `msqid_ds` (integers only).
    let mut ds: libc::msqid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: IPC_STAT writes one `msqid_ds`, the C library's, into `ds`.
    check_int(unsafe { libc::msgctl(id, libc::IPC_STAT, &raw mut ds) })?;
    Ok(ds)
}

fn sem_ds(id: i32) -> io::Result<libc::semid_ds> {
    // SAFETY: all-zero bytes are a valid `semid_ds` (integers only).
    let mut ds: libc::semid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: IPC_STAT writes one `semid_ds` through the pointer of its
    // union semun argument.
    check_int(unsafe { libc::semctl(id, 0, libc::IPC_STAT, &raw mut ds) })?;
    Ok(ds)
}

fn shm_ds(id: i32) -> io::Result<libc::shmid_ds> {
    // SAFETY: all-zero bytes are a valid `shmid_ds` (integers only).
    let mut ds: libc::shmid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: IPC_STAT writes one `shmid_ds` into `ds`.
    check_int(unsafe { libc::shmctl(id, libc::IPC_STAT, &raw mut ds) })?;
    Ok(ds)
}

/// A C `unsigned long` or `size_t`, 32 or 64 bits wide.
fn wide<T: TryInto<u64>>(v: T) -> u64 {
    v.try_into().unwrap_or(u64::MAX)
}

/// A `u64` as a C `unsigned long`, if it fits.
fn narrow<T: TryFrom<u64>>(v: u64) -> Option<T> {
    T::try_from(v).ok()
}

/// A C `long` as an `i64`.
fn signed<T: Into<i64>>(v: T) -> i64 {
    v.into()
}

pub fn msg_stat(id: i32) -> io::Result<MsqidDs> {
    let ds = msg_ds(id)?;
    Ok(MsqidDs {
        perm: Perm::from(&ds.msg_perm),
        cbytes: wide(ds.__msg_cbytes),
        qnum: wide(ds.msg_qnum),
        qbytes: wide(ds.msg_qbytes),
    })
}

pub fn sem_stat(id: i32) -> io::Result<SemidDs> {
    let ds = sem_ds(id)?;
    Ok(SemidDs {
        perm: Perm::from(&ds.sem_perm),
        nsems: wide(ds.sem_nsems),
    })
}

pub fn shm_stat(id: i32) -> io::Result<ShmidDs> {
    let ds = shm_ds(id)?;
    Ok(ShmidDs {
        perm: Perm::from(&ds.shm_perm),
        segsz: wide(ds.shm_segsz),
        nattch: wide(ds.shm_nattch),
    })
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
    let too_big = || io::Error::from_raw_os_error(libc::EINVAL);
    // `mode` is an unsigned short on some architectures, an int on others.
    let set = |p: &mut libc::ipc_perm| -> io::Result<()> {
        (p.uid, p.gid) = (uid, gid);
        p.mode = narrow(u64::from(mode)).ok_or_else(too_big)?;
        Ok(())
    };
    // SAFETY: IPC_SET reads one structure of the kind's type from a valid
    // one, as IPC_STAT filled it.
    check_int(unsafe {
        match kind {
            Kind::Msg => {
                let mut ds = msg_ds(id)?;
                set(&mut ds.msg_perm)?;
                if let Some(q) = qbytes {
                    ds.msg_qbytes = narrow(q).ok_or_else(too_big)?;
                }
                libc::msgctl(id, libc::IPC_SET, &raw mut ds)
            }
            Kind::Sem => {
                let mut ds = sem_ds(id)?;
                set(&mut ds.sem_perm)?;
                libc::semctl(id, 0, libc::IPC_SET, &raw mut ds)
            }
            Kind::Shm => {
                let mut ds = shm_ds(id)?;
                set(&mut ds.shm_perm)?;
                libc::shmctl(id, libc::IPC_SET, &raw mut ds)
            }
        }
    })
    .map(drop)
}

/// The size of a message's type, a C `long`, before its text.
const MTYPE: usize = std::mem::size_of::<libc::c_long>();

/// The messages of a queue, in order, without receiving them (`MSG_COPY`).
/// `max` is the size of the largest message (the queue's byte count bounds
/// it); a larger one makes the buffer grow.
pub fn msg_copy_all(id: i32, qnum: u64, max: usize) -> io::Result<Vec<(i64, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut max = max.max(1);
    let mut buf = vec![0u8; MTYPE + max];
    let mut n: u64 = 0;
    while n < qnum {
        let at =
            libc::c_long::try_from(n).map_err(|_| io::Error::from_raw_os_error(libc::EOVERFLOW))?;
        // SAFETY: `buf` holds a `long` type and `max` bytes of text.
        let r = unsafe {
            libc::msgrcv(
                id,
                buf.as_mut_ptr().cast(),
                max,
                at,
                MSG_COPY | libc::IPC_NOWAIT,
            )
        };
        let len = match check(r as libc::c_long) {
            Ok(len) => usize::try_from(len).unwrap_or(0),
            Err(e) if e.raw_os_error() == Some(libc::E2BIG) && max < 1 << 30 => {
                max = max.saturating_mul(2);
                buf.resize(MTYPE + max, 0);
                continue;
            }
            Err(e) => return Err(e),
        };
        let (head, text) = buf.split_at(MTYPE);
        let mut t = [0u8; MTYPE];
        t.copy_from_slice(head);
        out.push((
            signed(libc::c_long::from_ne_bytes(t)),
            text.get(..len).unwrap_or_default().to_vec(),
        ));
        n += 1;
    }
    Ok(out)
}

pub fn msgsnd(id: i32, mtype: i64, text: &[u8]) -> io::Result<()> {
    let mtype =
        libc::c_long::try_from(mtype).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let mut buf = mtype.to_ne_bytes().to_vec();
    buf.extend_from_slice(text);
    // SAFETY: `buf` holds a `long` type followed by `text.len()` bytes.
    check_int(unsafe { libc::msgsnd(id, buf.as_ptr().cast(), text.len(), libc::IPC_NOWAIT) })
        .map(drop)
}

fn semnum(i: usize) -> io::Result<libc::c_int> {
    libc::c_int::try_from(i).map_err(|_| io::Error::from_raw_os_error(libc::ERANGE))
}

/// The values of the first `nsems` semaphores of a set, one `GETVAL` each:
/// unlike `GETALL`, which writes as many as the set has at that instant,
/// it cannot overrun a buffer if another set took the ID meanwhile.
pub fn sem_values(id: i32, nsems: usize) -> io::Result<Vec<u16>> {
    (0..nsems)
        .map(|i| {
            // SAFETY: GETVAL takes no argument.
            let r = check_int(unsafe { libc::semctl(id, semnum(i)?, libc::GETVAL) })?;
            u16::try_from(r).map_err(|_| io::Error::from_raw_os_error(libc::ERANGE))
        })
        .collect()
}

/// Sets each semaphore of a set, one `SETVAL` each (no buffer the kernel
/// could read past).
pub fn sem_set_values(id: i32, vals: &[u16]) -> io::Result<()> {
    for (i, &v) in vals.iter().enumerate() {
        // SAFETY: SETVAL takes its value in the union semun, whose `int`
        // member is passed as an `int`.
        check_int(unsafe { libc::semctl(id, semnum(i)?, libc::SETVAL, libc::c_int::from(v)) })?;
    }
    Ok(())
}

/// `shmat()` where the kernel picks the address.
fn attach(id: i32, flags: libc::c_int) -> io::Result<*mut u8> {
    // SAFETY: a new attachment at an address the kernel picks.
    let p = unsafe { libc::shmat(id, std::ptr::null(), flags) };
    if p as isize == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(p.cast())
    }
}

/// Attaches a segment read-only where the kernel picks: its address.
pub fn shm_attach(id: i32) -> io::Result<usize> {
    attach(id, libc::SHM_RDONLY).map(|p| p as usize)
}

/// Detaches what [`shm_attach`] attached at `addr`.
pub fn shm_detach(addr: usize) -> io::Result<()> {
    // SAFETY: `addr` is an attachment of this process, which nothing
    // refers to (no reference into it was made).
    check_int(unsafe { libc::shmdt(addr as *const libc::c_void) }).map(drop)
}

/// The bytes of a segment, or writes `data` into it.
pub fn shm_io(id: i32, data: Option<&[u8]>) -> io::Result<Vec<u8>> {
    let flags = if data.is_some() { 0 } else { libc::SHM_RDONLY };
    let p = attach(id, flags)?;
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
    check_int(unsafe { libc::shmdt(p.cast()) })?;
    out
}
