//! The C++ wrapper (`include/das.hpp`) uses every function `das.h` declares (calls it, or
//! passes it, as its owners pass the `_free` functions), so a C function added without its C++
//! form fails here rather than going unnoticed.

use crate::symbols::declared_functions;

/// Whether `name` occurs in `text` as a whole identifier.
fn mentions(text: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

#[test]
fn the_cpp_wrapper_uses_every_c_function() {
    let wrapper = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../include/das.hpp"
    ))
    .expect("include/das.hpp");
    assert!(!mentions("das_run_x(", "das_run") && mentions("f(das_run)", "das_run"));
    let missing: Vec<_> = declared_functions()
        .into_iter()
        .filter(|name| !mentions(&wrapper, name))
        .collect();
    assert!(missing.is_empty(), "das.hpp never uses {missing:?}");
}
