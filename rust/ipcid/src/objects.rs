// SPDX-License-Identifier: GPL-2.0

//! The objects of the current IPC namespace: listing and dumping.

use crate::format::{hex, Common, Dump, Limits, Message, NextIds, Object, VERSION};
use crate::sys::{self, Kind};
use kernel::chid_rules::Layout;

/// A line of `/proc/sysvipc/{msg,sem,shm}`.
#[derive(Clone, Debug)]
pub struct Listed {
    pub id: i32,
    pub key: i32,
    pub uid: u32,
    pub gid: u32,
    /// The permission bits (`0o777`).
    pub mode: u32,
    /// The other bits of the mode: `SHM_DEST`, `SHM_LOCKED`.
    pub state: u32,
}

/// The ID layout of the running kernel.
pub fn layout() -> Result<Layout, String> {
    let cmdline =
        std::fs::read_to_string("/proc/cmdline").map_err(|e| format!("/proc/cmdline: {e}"))?;
    let shift = if cmdline.split_whitespace().any(|w| w == "ipcmni_extend") {
        24
    } else {
        15
    };
    Layout::new(shift, 1 << shift, i32::MAX >> shift).ok_or_else(|| "no ID layout".to_string())
}

pub fn seq_shift() -> Result<u32, String> {
    Ok(if layout()?.slots() > 1 << 15 { 24 } else { 15 })
}

/// The objects of one kind, from `/proc/sysvipc`.
pub fn list(kind: Kind) -> Result<Vec<Listed>, String> {
    let path = format!("/proc/sysvipc/{}", kind.name());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        // key id perms ...; uid gid cuid cgid come at a per-kind column.
        let uid_col = match kind {
            Kind::Msg => 7,
            Kind::Sem => 4,
            Kind::Shm => 7,
        };
        let parse = |i: usize| f.get(i).and_then(|s| s.parse::<i64>().ok());
        let (Some(key), Some(id), Some(perms), Some(uid), Some(gid)) = (
            parse(0),
            parse(1),
            f.get(2).and_then(|s| u32::from_str_radix(s, 8).ok()),
            parse(uid_col),
            parse(uid_col + 1),
        ) else {
            return Err(format!("{path}: cannot read {line:?}"));
        };
        out.push(Listed {
            id: i32::try_from(id).map_err(|_| format!("{path}: bad ID"))?,
            key: i32::try_from(key).map_err(|_| format!("{path}: bad key"))?,
            uid: u32::try_from(uid).map_err(|_| format!("{path}: bad uid"))?,
            gid: u32::try_from(gid).map_err(|_| format!("{path}: bad gid"))?,
            mode: perms & 0o777,
            state: perms & !0o777,
        });
    }
    out.sort_by_key(|o| o.id);
    Ok(out)
}

/// One object with its contents.
pub fn read(kind: Kind, l: &Listed) -> Result<Object, String> {
    let err = |what: &str, e: std::io::Error| format!("{} {}: {what}: {e}", kind.name(), l.id);
    let common = Common {
        id: l.id,
        key: l.key,
        uid: l.uid,
        gid: l.gid,
        mode: l.mode,
    };
    Ok(match kind {
        Kind::Msg => {
            let ds = sys::msg_stat(l.id).map_err(|e| err("IPC_STAT", e))?;
            // No message is larger than what the queue holds.
            let max = usize::try_from(ds.cbytes)
                .unwrap_or(usize::MAX)
                .min(1 << 30);
            let messages = sys::msg_copy_all(l.id, ds.qnum, max)
                .map_err(|e| match e.raw_os_error() {
                    // MSG_COPY copies at most kernel.msgmax bytes.
                    Some(libc::EINVAL) => format!(
                        "msg {}: MSG_COPY: a message is larger than kernel.msgmax, which \
                         bounds what it copies: raise kernel.msgmax for the dump",
                        l.id
                    ),
                    _ => err("MSG_COPY", e),
                })?
                .into_iter()
                .map(|(mtype, text)| Message {
                    mtype,
                    text: hex(&text),
                })
                .collect();
            Object::Msg {
                common,
                qbytes: ds.qbytes,
                messages,
            }
        }
        Kind::Sem => {
            let ds = sys::sem_stat(l.id).map_err(|e| err("IPC_STAT", e))?;
            let n = usize::try_from(ds.nsems).map_err(|_| format!("sem {}: size", l.id))?;
            let values = sys::sem_values(l.id, n).map_err(|e| err("GETVAL", e))?;
            Object::Sem { common, values }
        }
        Kind::Shm => {
            let ds = sys::shm_stat(l.id).map_err(|e| err("IPC_STAT", e))?;
            // A destroyed segment can still be attached by its ID.
            let mut data = sys::shm_io(l.id, None).map_err(|e| err("shmat", e))?;
            while data.last() == Some(&0) {
                data.pop();
            }
            Object::Shm {
                common,
                size: ds.segsz,
                data: hex(&data),
                locked: ds.perm.mode & sys::SHM_LOCKED != 0,
                destroyed: ds.perm.mode & sys::SHM_DEST != 0,
            }
        }
    })
}

fn sysctl_path(name: &str) -> String {
    format!("/proc/sys/kernel/{name}")
}

/// Reads `/proc/sys/kernel/NAME`: its whitespace-separated numbers (wide
/// enough for an `unsigned long` and for -1).
pub fn read_sysctl(name: &str) -> Result<Vec<i128>, String> {
    let path = sysctl_path(name);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    text.split_whitespace()
        .map(|w| {
            w.parse()
                .map_err(|_| format!("{path}: not a number: {w:?}"))
        })
        .collect()
}

/// Writes `/proc/sys/kernel/NAME`.
pub fn write_sysctl(name: &str, value: &str) -> Result<(), String> {
    let path = sysctl_path(name);
    std::fs::write(&path, value).map_err(|e| format!("{path}: writing {value:?}: {e}"))
}

fn one(name: &str) -> Result<i128, String> {
    match read_sysctl(name)?.as_slice() {
        [v] => Ok(*v),
        _ => Err(format!("{}: not one number", sysctl_path(name))),
    }
}

fn unsigned(name: &str) -> Result<u64, String> {
    u64::try_from(one(name)?).map_err(|_| format!("{}: negative", sysctl_path(name)))
}

/// The limits of the current IPC namespace.
pub fn limits() -> Result<Limits, String> {
    let sem: Vec<u64> = read_sysctl("sem")?
        .into_iter()
        .map(|v| u64::try_from(v).map_err(|_| "/proc/sys/kernel/sem: negative".to_string()))
        .collect::<Result<_, _>>()?;
    let sem: [u64; 4] = sem
        .try_into()
        .map_err(|_| "/proc/sys/kernel/sem: not four numbers".to_string())?;
    Ok(Limits {
        msgmax: unsigned("msgmax")?,
        msgmnb: unsigned("msgmnb")?,
        msgmni: unsigned("msgmni")?,
        sem,
        shmmax: unsigned("shmmax")?,
        shmall: unsigned("shmall")?,
        shmmni: unsigned("shmmni")?,
        shm_rmid_forced: unsigned("shm_rmid_forced")?,
    })
}

/// The `*_next_id` cursors of the current IPC namespace, or `None` where
/// the kernel has none (no `CONFIG_CHECKPOINT_RESTORE`).
pub fn next_ids() -> Result<Option<NextIds>, String> {
    if !std::path::Path::new(&sysctl_path("msg_next_id")).exists() {
        return Ok(None);
    }
    let get = |kind: Kind| -> Result<i32, String> {
        let name = format!("{}_next_id", kind.name());
        i32::try_from(one(&name)?).map_err(|_| format!("{}: out of range", sysctl_path(&name)))
    };
    Ok(Some(NextIds {
        msg: get(Kind::Msg)?,
        sem: get(Kind::Sem)?,
        shm: get(Kind::Shm)?,
    }))
}

/// Every object of the namespace.
pub fn dump() -> Result<Dump, String> {
    let mut listed = Vec::new();
    for kind in Kind::ALL {
        listed.extend(list(kind)?.into_iter().map(|l| (kind, l)));
    }
    let mut objects = Vec::with_capacity(listed.len());
    let mut progress = crate::progress::Progress::new("dump: reading", listed.len());
    for (kind, l) in &listed {
        objects.push(read(*kind, l)?);
        progress.inc();
    }
    progress.finish();
    Ok(Dump {
        format: "ipcid".into(),
        version: VERSION,
        seq_shift: seq_shift()?,
        limits: Some(limits()?),
        next_id: next_ids()?,
        objects,
    })
}
