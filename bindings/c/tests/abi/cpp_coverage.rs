//! The C++ wrapper (`bindings/cpp/das.hpp`) calls every function `das.h` declares, so a C
//! function added without its C++ form fails here rather than going unnoticed.

use crate::symbols::declared_functions;

#[test]
fn the_cpp_wrapper_calls_every_c_function() {
    let wrapper =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../cpp/das.hpp"))
            .expect("bindings/cpp/das.hpp");
    let missing: Vec<_> = declared_functions()
        .into_iter()
        .filter(|name| !wrapper.contains(&format!("{name}(")))
        .collect();
    assert!(missing.is_empty(), "das.hpp never calls {missing:?}");
}
