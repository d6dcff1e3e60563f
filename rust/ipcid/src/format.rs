// SPDX-License-Identifier: GPL-2.0

//! The dump format: versioned JSON.

use serde::{Deserialize, Serialize};

/// The format version this program writes and reads.
pub const VERSION: u32 = 1;

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
    pub objects: Vec<Object>,
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
        Some(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "unknown format version {v} (this ipcid reads version {VERSION})"
            ))
        }
        None => return Err("no format version".into()),
    }
    let dump: Dump = serde_json::from_str(text).map_err(|e| describe(&e))?;
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
            Object::Shm { data, size, .. } => {
                check("data", data)?;
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
        let v2 = text.replace("\"version\":1", "\"version\":2");
        assert_eq!(
            parse(&v2).unwrap_err(),
            "unknown format version 2 (this ipcid reads version 1)"
        );
        assert!(parse("{\"version\": 1}")
            .unwrap_err()
            .starts_with("not an ipcid dump"));
        let bad = text.replace(&hex(b"hello"), "xyz");
        assert!(parse(&bad).unwrap_err().contains("message text"));
        let extra = text.replacen("\"seq_shift\"", "\"surprise\":1,\"seq_shift\"", 1);
        assert!(parse(&extra).unwrap_err().starts_with("malformed JSON"));
    }
}
