// SPDX-License-Identifier: GPL-2.0

//! The host stand-in for the kernel's `macros` crate (`rust/macros/`): the
//! attributes that `ipc/chid.rs` uses, with their effect on a host build.

use proc_macro::TokenStream;

/// `item` with the attribute `attr` in front, or `error` as a compile error
/// when the check `ok` failed.
fn prepend(ok: bool, error: &str, attr: &str, item: TokenStream) -> TokenStream {
    let code = if ok {
        attr.to_string()
    } else {
        format!("compile_error!({error:?});")
    };
    let mut out: TokenStream = code.parse().unwrap_or_default();
    if ok {
        out.extend(item);
    }
    out
}

/// `#[export]`: in the kernel, it disables name mangling and checks the
/// function's signature against the C declaration that bindgen generated.
/// The host build has no such declarations for its entry points, so this
/// only disables name mangling.
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    let ok = attr.is_empty();
    prepend(ok, "#[export] takes no arguments", "#[no_mangle]", item)
}

/// `#[kunit_tests(suite)]`: in the kernel, it turns the `#[test]` functions
/// of an inline module into a KUnit suite, with `assert!` and `assert_eq!`
/// reporting to KUnit. On the host the module is compiled for `cargo test`
/// only, and its `#[test]` functions are ordinary tests.
#[proc_macro_attribute]
pub fn kunit_tests(attr: TokenStream, item: TokenStream) -> TokenStream {
    let ok = !attr.is_empty();
    prepend(
        ok,
        "#[kunit_tests] takes the suite's name",
        "#[cfg(test)]",
        item,
    )
}
