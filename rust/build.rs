// SPDX-License-Identifier: GPL-2.0

//! With the `kernel-idr` feature, build the kernel's own IDR for the host
//! and generate the bindings that `ipc/chid.rs` uses, so that the same
//! source that runs in the kernel runs under `cargo test`.
//!
//! `lib/idr.c`, `lib/radix-tree.c` and `lib/xarray.c` of the tree named by
//! `KERNEL_TREE` are compiled as `tools/testing/radix-tree` compiles them:
//! with that directory's userspace shims and liburcu.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug)]
struct StripConstHelper;

impl bindgen::callbacks::ParseCallbacks for StripConstHelper {
    fn item_name(&self, name: &str) -> Option<String> {
        name.strip_prefix("RUST_CONST_HELPER_").map(String::from)
    }
}

/// Copy a library source as the radix-tree test suite does: its static and
/// inline functions become visible to the harness.
fn unstatic(from: &Path, to: &Path) {
    let src = fs::read_to_string(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    let out: String = src
        .lines()
        .map(|l| {
            let l = l.strip_prefix("static ").unwrap_or(l);
            l.replace("__always_inline ", "").replace("inline ", "") + "\n"
        })
        .collect();
    fs::write(to, out).unwrap();
}

fn main() {
    println!("cargo:rerun-if-env-changed=KERNEL_TREE");
    println!("cargo:rerun-if-changed=host/ipc.h");
    println!("cargo:rerun-if-changed=host/ipc.c");
    if env::var_os("CARGO_FEATURE_KERNEL_IDR").is_none() {
        return;
    }
    let tree = PathBuf::from(
        env::var("KERNEL_TREE").expect("the kernel-idr feature needs KERNEL_TREE, a Linux tree"),
    );
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let shared = tree.join("tools/testing/shared");
    let radix = tree.join("tools/testing/radix-tree");
    let tools = tree.join("tools");

    let gen = out.join("generated");
    fs::create_dir_all(&gen).unwrap();
    fs::write(gen.join("map-shift.h"), "#define XA_CHUNK_SHIFT 6\n").unwrap();
    fs::write(gen.join("bit-length.h"), "#define CONFIG_64BIT 1\n").unwrap();
    fs::copy(shared.join("autoconf.h"), gen.join("autoconf.h")).unwrap();
    unstatic(&tree.join("lib/idr.c"), &out.join("idr.c"));
    unstatic(&tree.join("lib/radix-tree.c"), &out.join("radix-tree.c"));
    for f in [
        "lib/idr.c",
        "lib/radix-tree.c",
        "lib/xarray.c",
        "include/linux/idr.h",
    ] {
        println!("cargo:rerun-if-changed={}", tree.join(f).display());
    }

    let includes = [
        out.clone(),
        shared.clone(),
        radix,
        tools.join("include"),
        tree.join("lib"),
    ];
    let mut cc = cc::Build::new();
    cc.files([
        out.join("idr.c"),
        out.join("radix-tree.c"),
        shared.join("xarray-shared.c"),
        shared.join("linux.c"),
        tools.join("lib/slab.c"),
        tools.join("lib/find_bit.c"),
        tools.join("lib/bitmap.c"),
        tools.join("lib/hweight.c"),
        tools.join("lib/vsprintf.c"),
        PathBuf::from("host/ipc.c"),
    ])
    .define("_LGPL_SOURCE", None)
    .flag("-w")
    .opt_level(1);
    for i in &includes {
        cc.include(i);
    }
    cc.compile("kernel_idr");
    println!("cargo:rustc-link-lib=urcu");
    println!("cargo:rustc-link-lib=pthread");

    let mut b = bindgen::Builder::default()
        .header("host/ipc.h")
        .clang_arg("-D_LGPL_SOURCE")
        .use_core()
        .ctypes_prefix("crate::ffi")
        .allowlist_type("ipc_ids|kern_ipc_perm|ipc_chid_layout")
        .allowlist_function("idr_find|idr_alloc|idr_replace|idr_remove|idr_get_next|host_.*")
        .allowlist_var("IPC_CHID_.*|RUST_CONST_HELPER_.*")
        .parse_callbacks(Box::new(StripConstHelper));
    for i in &includes {
        b = b.clang_arg(format!("-I{}", i.display()));
    }
    b.generate()
        .expect("bindgen failed on host/ipc.h")
        .write_to_file(out.join("bindings.rs"))
        .unwrap();
}
