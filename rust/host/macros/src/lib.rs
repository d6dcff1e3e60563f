// SPDX-License-Identifier: GPL-2.0

//! The host stand-in for the kernel's `macros` crate (`rust/macros/`): the
//! attributes that `ipc/chid.rs` uses, with their effect on a host build.

use proc_macro::TokenStream;

/// `#[export]`: in the kernel, it disables name mangling and checks the
/// function's signature against the C declaration that bindgen generated.
/// The host build has no such declarations for its entry points, so this
/// only disables name mangling.
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return "compile_error!(\"#[export] takes no arguments\");"
            .parse()
            .unwrap_or_default();
    }
    let mut out: TokenStream = "#[no_mangle]".parse().unwrap_or_default();
    out.extend(item);
    out
}

/// `#[kunit_tests(suite)]`: in the kernel, it turns the `#[test]` functions
/// of an inline module into a KUnit suite, with `assert!` and `assert_eq!`
/// reporting to KUnit. On the host the module is compiled for `cargo test`
/// only, and its `#[test]` functions are ordinary tests.
#[proc_macro_attribute]
pub fn kunit_tests(attr: TokenStream, item: TokenStream) -> TokenStream {
    if attr.is_empty() {
        return "compile_error!(\"#[kunit_tests] takes the suite's name\");"
            .parse()
            .unwrap_or_default();
    }
    let mut out: TokenStream = "#[cfg(test)]".parse().unwrap_or_default();
    out.extend(item);
    out
}
