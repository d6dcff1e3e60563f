// SPDX-License-Identifier: GPL-2.0

//! The dump format: versioned JSON.

use serde::{Deserialize, Serialize};

/// The format version this program writes. It reads this one and 1.
///
/// Version 2 adds the namespace's limits (`limits`), its pending
/// `*_next_id` cursors (`next_id`) and a segment's `SHM_LOCKED` and
/// `SHM_DEST` state (`locked`, `destroyed`).
pub const VERSION: u32 = 2;

/// The oldest format version this program reads.
pub const OLDEST: u32 = 1;

/// A dump of the System V IPC objects of one IPC namespace.
#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Dump {
    /// Always "ipcid".
    pub format: String,
    pub version: u32,
    /// Where the sequence number starts in the IDs: 15, or 24 with
    /// "ipcmni_extend".
    pub seq_shift: u32,
    /// The namespace's limits (version 2; absent from version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// The namespace's `*_next_id` cursors, -1 where none is pending
    /// (version 2; absent from version 1, and where the kernel has no
    /// `CONFIG_CHECKPOINT_RESTORE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_id: Option<NextIds>,
    pub objects: Vec<Object>,
}

/// The limits of an IPC namespace, as `/proc/sys/kernel` shows them.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest message, in bytes.
    pub msgmax: u64,
    /// Default `msg_qbytes` of a new queue.
    pub msgmnb: u64,
    /// Most queues.
    pub msgmni: u64,
    /// `kernel.sem`: most semaphores per set (SEMMSL), in all (SEMMNS),
    /// operations per `semop()` (SEMOPM), and most sets (SEMMNI).
    pub sem: [u64; 4],
    /// Largest segment, in bytes.
    pub shmmax: u64,
    /// Most pages of all segments together.
    pub shmall: u64,
    /// Most segments.
    pub shmmni: u64,
    /// 1 where a segment is destroyed as soon as it is neither attached
    /// nor its creator alive.
    pub shm_rmid_forced: u64,
}

impl Limits {
    /// The sysctls of `/proc/sys/kernel`, each with its value as the file
    /// reads.
    pub fn entries(&self) -> [(&'static str, String); 8] {
        let [msl, mns, opm, mni] = self.sem;
        [
            ("msgmax", self.msgmax.to_string()),
            ("msgmnb", self.msgmnb.to_string()),
            ("msgmni", self.msgmni.to_string()),
            ("sem", format!("{msl}\t{mns}\t{opm}\t{mni}")),
            ("shmmax", self.shmmax.to_string()),
            ("shmall", self.shmall.to_string()),
            ("shmmni", self.shmmni.to_string()),
            ("shm_rmid_forced", self.shm_rmid_forced.to_string()),
        ]
    }

    /// The values the kernel keeps as `int` fit one, and
    /// `shm_rmid_forced` is 0 or 1.
    fn check(&self) -> Result<(), String> {
        let int = i32::MAX as u64;
        let ints = [
            ("msgmax", self.msgmax),
            ("msgmnb", self.msgmnb),
            ("msgmni", self.msgmni),
            ("sem", self.sem.into_iter().max().unwrap_or(0)),
            ("shmmni", self.shmmni),
        ];
        if let Some((name, v)) = ints.into_iter().find(|&(_, v)| v > int) {
            return Err(format!("limits: {name} {v} is above {int}"));
        }
        if self.shm_rmid_forced > 1 {
            return Err(format!(
                "limits: shm_rmid_forced {} is neither 0 nor 1",
                self.shm_rmid_forced
            ));
        }
        Ok(())
    }
}

/// The `*_next_id` cursors of an IPC namespace.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NextIds {
    pub msg: i32,
    pub sem: i32,
    pub shm: i32,
}

impl NextIds {
    pub fn get(&self, kind: crate::sys::Kind) -> i32 {
        match kind {
            crate::sys::Kind::Msg => self.msg,
            crate::sys::Kind::Sem => self.sem,
            crate::sys::Kind::Shm => self.shm,
        }
    }
}

/// What every object has.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Common {
    pub id: i32,
    pub key: i32,
    pub uid: u32,
    pub gid: u32,
    /// The permission bits (`0o777`).
    pub mode: u32,
}

/// A queued message.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub mtype: i64,
    /// The text, in hexadecimal.
    pub text: String,
}

/// One object with its contents.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Object {
    Msg {
        #[serde(flatten)]
        common: Common,
        qbytes: u64,
        messages: Vec<Message>,
    },
    Sem {
        #[serde(flatten)]
        common: Common,
        values: Vec<u16>,
    },
    Shm {
        #[serde(flatten)]
        common: Common,
        size: u64,
        /// The contents, in hexadecimal, without trailing zero bytes.
        data: String,
        /// Locked in memory (`SHM_LOCK`, `SHM_LOCKED` in its mode).
        #[serde(default, skip_serializing_if = "is_false")]
        locked: bool,
        /// Removed while attached (`SHM_DEST` in its mode): it goes away
        /// at its last detach.
        #[serde(default, skip_serializing_if = "is_false")]
        destroyed: bool,
    },
}

impl Object {
    pub fn common(&self) -> &Common {
        match self {
            Object::Msg { common, .. }
            | Object::Sem { common, .. }
            | Object::Shm { common, .. } => common,
        }
    }

    pub fn kind(&self) -> crate::sys::Kind {
        match self {
            Object::Msg { .. } => crate::sys::Kind::Msg,
            Object::Sem { .. } => crate::sys::Kind::Sem,
            Object::Shm { .. } => crate::sys::Kind::Shm,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(D[usize::from(b >> 4)]));
        s.push(char::from(D[usize::from(b & 15)]));
    }
    s
}

pub fn unhex(s: &str) -> Result<Vec<u8>, String> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(format!("not a hexadecimal digit: {:?}", char::from(c))),
    };
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err("odd number of hexadecimal digits".into());
    }
    b.chunks(2)
        .map(|p| match p {
            [h, l] => Ok(digit(*h)? << 4 | digit(*l)?),
            _ => Err("odd number of hexadecimal digits".into()),
        })
        .collect()
}

/// Parses a dump, with errors that say what is wrong and where.
pub fn parse(text: &str) -> Result<Dump, String> {
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        version: Option<u32>,
    }
    let head: Head = serde_json::from_str(text).map_err(|e| describe(&e))?;
    if head.format.as_deref() != Some("ipcid") {
        return Err("not an ipcid dump (no \"format\": \"ipcid\")".into());
    }
    match head.version {
        Some(v) if (OLDEST..=VERSION).contains(&v) => {}
        Some(v) => {
            return Err(format!(
                "unknown format version {v} (this ipcid reads versions {OLDEST} to {VERSION})"
            ))
        }
        None => return Err("no format version".into()),
    }
    let dump: Dump = serde_json::from_str(text).map_err(|e| describe(&e))?;
    if dump.version < 2 {
        let v2 = dump.limits.is_some()
            || dump.next_id.is_some()
            || dump.objects.iter().any(|o| {
                matches!(
                    o,
                    Object::Shm { locked: true, .. }
                        | Object::Shm {
                            destroyed: true,
                            ..
                        }
                )
            });
        if v2 {
            return Err(format!(
                "a version {} dump with fields of version 2",
                dump.version
            ));
        }
    }
    if let Some(l) = &dump.limits {
        l.check()?;
    }
    if dump.seq_shift != 15 && dump.seq_shift != 24 {
        return Err(format!("seq_shift {} is neither 15 nor 24", dump.seq_shift));
    }
    for o in &dump.objects {
        let c = o.common();
        let what = format!("{} {}", o.kind().name(), c.id);
        if c.id < 0 {
            return Err(format!("{what}: an ID is not negative"));
        }
        if c.uid == u32::MAX || c.gid == u32::MAX {
            return Err(format!("{what}: owner or group 4294967295 is not valid"));
        }
        if c.mode > 0o777 {
            return Err(format!(
                "{} {}: mode {:o} is not a permission mode",
                o.kind().name(),
                c.id,
                c.mode
            ));
        }
        let check = |what: &str, h: &str| {
            unhex(h)
                .map(drop)
                .map_err(|e| format!("{} {}: {what}: {e}", o.kind().name(), c.id))
        };
        match o {
            Object::Msg { messages, .. } => {
                for m in messages {
                    check("message text", &m.text)?;
                    if m.mtype < 1 {
                        return Err(format!("{what}: message type {} is not positive", m.mtype));
                    }
                }
            }
            Object::Shm {
                data,
                size,
                destroyed,
                ..
            } => {
                check("data", data)?;
                if *destroyed && c.key != libc::IPC_PRIVATE {
                    return Err(format!(
                        "{what}: a destroyed segment has key 0 (IPC_PRIVATE), not {}",
                        c.key
                    ));
                }
                if (data.len() / 2) as u64 > *size || *size == 0 {
                    return Err(format!("{what}: size {size} cannot hold its data"));
                }
            }
            Object::Sem { values, .. } => {
                if values.is_empty() {
                    return Err(format!("{what}: a set has at least one semaphore"));
                }
                // SEMVMX
                if let Some(v) = values.iter().find(|&&v| v > 32767) {
                    return Err(format!("{what}: semaphore value {v} is above 32767"));
                }
            }
        }
    }
    Ok(dump)
}

fn describe(e: &serde_json::Error) -> String {
    if e.is_eof() {
        format!(
            "truncated JSON (ends at line {}, column {})",
            e.line(),
            e.column()
        )
    } else {
        format!("malformed JSON: {e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dump {
        Dump {
            format: "ipcid".into(),
            version: VERSION,
            seq_shift: 15,
            limits: Some(Limits {
                msgmax: 8192,
                msgmnb: 16384,
                msgmni: 32000,
                sem: [32000, 1024000000, 500, 32000],
                shmmax: 18446744073692774399,
                shmall: 18446744073692774399,
                shmmni: 4096,
                shm_rmid_forced: 0,
            }),
            next_id: Some(NextIds {
                msg: 98307,
                sem: -1,
                shm: -1,
            }),
            objects: vec![
                Object::Msg {
                    common: Common {
                        id: 32768,
                        key: 7,
                        uid: 0,
                        gid: 0,
                        mode: 0o600,
                    },
                    qbytes: 16384,
                    messages: vec![Message {
                        mtype: 3,
                        text: hex(b"hello"),
                    }],
                },
                Object::Sem {
                    common: Common {
                        id: 5,
                        key: 0,
                        uid: 1000,
                        gid: 1000,
                        mode: 0o640,
                    },
                    values: vec![1, 0, 42],
                },
                Object::Shm {
                    common: Common {
                        id: 9,
                        key: 8,
                        uid: 0,
                        gid: 0,
                        mode: 0o666,
                    },
                    size: 4096,
                    data: hex(b"contents"),
                    locked: true,
                    destroyed: false,
                },
            ],
        }
    }

    #[test]
    fn round_trip() {
        let d = sample();
        let text = serde_json::to_string_pretty(&d).expect("serializes");
        assert_eq!(parse(&text), Ok(d));
    }

    /// A dump of version 1: no limits, cursors or segment state.
    #[test]
    fn version_1_still_reads() {
        let v1 = r#"{"format":"ipcid","version":1,"seq_shift":15,"objects":[
            {"type":"shm","id":9,"key":8,"uid":0,"gid":0,"mode":438,"size":4096,"data":"00"}]}"#;
        let d = parse(v1).expect("a version 1 dump");
        assert_eq!((d.version, d.limits, d.next_id), (1, None, None));
        assert!(matches!(
            d.objects.first(),
            Some(Object::Shm {
                locked: false,
                destroyed: false,
                ..
            })
        ));
    }

    #[test]
    fn hex_round_trip() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unhex(&hex(&all)), Ok(all));
        assert!(unhex("abc").is_err());
        assert!(unhex("zz").is_err());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let text = serde_json::to_string(&sample()).expect("serializes");
        let cut = &text[..text.len() / 2];
        assert!(parse(cut).unwrap_err().starts_with("truncated JSON"));
        assert!(parse("{\"format\": \"ipcid\", \"version\": 1,, }")
            .unwrap_err()
            .starts_with("malformed JSON"));
        let v3 = text.replace("\"version\":2", "\"version\":3");
        assert_eq!(
            parse(&v3).unwrap_err(),
            "unknown format version 3 (this ipcid reads versions 1 to 2)"
        );
        let v1 = text.replace("\"version\":2", "\"version\":1");
        assert_eq!(
            parse(&v1).unwrap_err(),
            "a version 1 dump with fields of version 2"
        );
        let forced = text.replace("\"shm_rmid_forced\":0", "\"shm_rmid_forced\":2");
        assert!(parse(&forced).unwrap_err().contains("neither 0 nor 1"));
        let dest = text.replace("\"locked\":true", "\"destroyed\":true");
        assert!(parse(&dest)
            .unwrap_err()
            .contains("a destroyed segment has key 0"));
        assert!(parse("{\"version\": 1}")
            .unwrap_err()
            .starts_with("not an ipcid dump"));
        let bad = text.replace(&hex(b"hello"), "xyz");
        assert!(parse(&bad).unwrap_err().contains("message text"));
        let extra = text.replacen("\"seq_shift\"", "\"surprise\":1,\"seq_shift\"", 1);
        assert!(parse(&extra).unwrap_err().starts_with("malformed JSON"));
    }
}
