// SPDX-License-Identifier: GPL-2.0

//! `ipcid`: dump the System V IPC objects of an IPC namespace, and restore
//! them into another, each at the ID it had, with `IPC_SETID`.
//!
//! ```text
//! ipcid dump [-o FILE]          every object, with its contents, as JSON
//! ipcid restore FILE            recreate the objects at their IDs, and the
//!                               namespace's limits and *_next_id cursors
//! ipcid set {msg|sem|shm} ID NEWID [--exchange]
//! ipcid ls [--json]             an ipcs-like table, with index and sequence
//! ```

use ipcid::{objects, restore, signals, sys};

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: ipcid dump [-o FILE]
       ipcid restore FILE
       ipcid set {msg|sem|shm} ID NEWID [--exchange]
       ipcid ls [--json]
       ipcid {dump|restore} --help";

const DUMP_HELP: &str = "usage: ipcid dump [-o FILE]

Writes every System V IPC object of the current IPC namespace as JSON
(format version 2), to FILE or standard output: each object's ID, key,
owner, group and mode; the messages of queues (type and text), the values
of semaphore sets, and the contents, size and state (locked, removed while
attached) of segments; and the namespace's limits (kernel.msgmax, msgmnb,
msgmni, sem, shmmax, shmall, shmmni, shm_rmid_forced) and its pending
kernel.*_next_id cursors. Progress goes to standard error.";

const RESTORE_HELP: &str = "usage: ipcid restore FILE

Recreates the objects of a dump in the current IPC namespace, each at the
ID it had (with IPC_SETID), with its contents, owner, group and mode. The
namespace's limits are restored before the objects (raised meanwhile where
an object exceeds them), and its *_next_id cursors after them. Objects that
were there before are left alone; a wanted ID or key that one of them holds
is an error. On any error, and on SIGINT, SIGTERM or SIGHUP, the restore
removes every object it created and puts the limits and cursors back.
Dumps of format version 1 restore too, without limits, cursors or segment
state. Needs CAP_CHECKPOINT_RESTORE (or CAP_SYS_ADMIN) in the user
namespace that owns the IPC namespace, and root for the limits.

";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["dump"] => dump(None),
        ["dump", "-o", file] => dump(Some(file)),
        ["dump", "--help"] => help(DUMP_HELP),
        ["restore", "--help"] => {
            println!("{RESTORE_HELP}{}", restore::NOT_RESTORED);
            Ok(())
        }
        ["restore", file] => restore::restore(file).map(|r| {
            if let Some(pid) = r.holder {
                println!(
                    "the segments removed while attached are held by process {pid}: kill it \
                     once their processes have attached them, and they go at their last detach"
                );
            }
            println!(
                "restored {} objects, {} exchanges, {} lost",
                r.objects, r.exchanges, r.lost
            );
        }),
        ["set", kind, id, newid] => set(kind, id, newid, false),
        ["set", kind, id, newid, "--exchange"] => set(kind, id, newid, true),
        ["ls"] => ls(false),
        ["ls", "--json"] => ls(true),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            ipcid::note!("ipcid: {e}");
            // Interrupted: killed by the signal, now that nothing is left.
            signals::die_of_caught();
            ExitCode::FAILURE
        }
    }
}

fn help(text: &str) -> Result<(), String> {
    println!("{text}");
    Ok(())
}

fn dump(file: Option<&str>) -> Result<(), String> {
    let d = objects::dump()?;
    let mut text = serde_json::to_string_pretty(&d).map_err(|e| e.to_string())?;
    text.push('\n');
    match file {
        Some(f) => std::fs::write(f, text).map_err(|e| format!("{f}: {e}"))?,
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string())?,
    }
    ipcid::note!("dumped {} objects", d.objects.len());
    Ok(())
}

fn number(s: &str) -> Result<i32, String> {
    s.parse().map_err(|_| format!("not an ID: {s}"))
}

fn set(kind: &str, id: &str, newid: &str, exchange: bool) -> Result<(), String> {
    let kind = sys::Kind::parse(kind).ok_or_else(|| format!("not msg, sem or shm: {kind}"))?;
    let (id, newid) = (number(id)?, number(newid)?);
    restore::check_kernel()?;
    let layout = objects::layout()?;
    layout
        .decode(newid)
        .map_err(|_| format!("{newid} is not an ID of this kernel's layout"))?;
    sys::setid(kind, id, newid, exchange).map_err(|e| restore::explain(kind, id, newid, &e))
}

fn ls(json: bool) -> Result<(), String> {
    let layout = objects::layout()?;
    let mut rows = Vec::new();
    for kind in sys::Kind::ALL {
        for o in objects::list(kind)? {
            let d = layout
                .decode(o.id)
                .map_err(|_| format!("bad ID {}", o.id))?;
            rows.push((kind, o, d));
        }
    }
    if json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|(k, o, d)| {
                serde_json::json!({
                    "type": k.name(), "id": o.id, "index": d.index, "seq": d.seq,
                    "key": o.key, "uid": o.uid, "gid": o.gid, "mode": o.mode,
                    "status": status(o.state),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    println!(
        "{:<5} {:>10} {:>8} {:>5} {:>10} {:>6} {:>6} {:>5} status",
        "type", "id", "index", "seq", "key", "uid", "gid", "mode"
    );
    for (k, o, d) in rows {
        println!(
            "{:<5} {:>10} {:>8} {:>5} {:>#10x} {:>6} {:>6} {:>5o} {}",
            k.name(),
            o.id,
            d.index,
            d.seq,
            o.key,
            o.uid,
            o.gid,
            o.mode,
            status(o.state)
        );
    }
    Ok(())
}

/// A segment's state as ipcs shows it: "locked", "dest", both or "-".
fn status(state: u32) -> String {
    let words: Vec<&str> = [(sys::SHM_LOCKED, "locked"), (sys::SHM_DEST, "dest")]
        .into_iter()
        .filter(|&(bit, _)| state & bit != 0)
        .map(|(_, w)| w)
        .collect();
    if words.is_empty() {
        "-".into()
    } else {
        words.join(",")
    }
}
