// SPDX-License-Identifier: GPL-2.0

//! `ipcid`: dump the System V IPC objects of an IPC namespace, and restore
//! them into another, each at the ID it had, with `IPC_SETID`.
//!
//! ```text
//! ipcid dump [-o FILE]          every object, with its contents, as JSON
//! ipcid restore FILE            recreate the objects at their IDs
//! ipcid set {msg|sem|shm} ID NEWID [--exchange]
//! ipcid ls [--json]             an ipcs-like table, with index and sequence
//! ```

use ipcid::{objects, restore, sys};

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: ipcid dump [-o FILE]
       ipcid restore FILE
       ipcid set {msg|sem|shm} ID NEWID [--exchange]
       ipcid ls [--json]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["dump"] => dump(None),
        ["dump", "-o", file] => dump(Some(file)),
        ["restore", file] => restore::restore(file).map(|r| {
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
            eprintln!("ipcid: {e}");
            ExitCode::FAILURE
        }
    }
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
    eprintln!("dumped {} objects", d.objects.len());
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
        "{:<5} {:>10} {:>8} {:>5} {:>10} {:>6} {:>6} {:>5}",
        "type", "id", "index", "seq", "key", "uid", "gid", "mode"
    );
    for (k, o, d) in rows {
        println!(
            "{:<5} {:>10} {:>8} {:>5} {:>#10x} {:>6} {:>6} {:>5o}",
            k.name(),
            o.id,
            d.index,
            d.seq,
            o.key,
            o.uid,
            o.gid,
            o.mode
        );
    }
    Ok(())
}
