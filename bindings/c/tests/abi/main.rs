//! The C ABI's Rust-side checks, as one test binary: the committed header is what cbindgen
//! generates, `libdas.so` exports exactly what it declares, and the C++ wrapper calls all of
//! it. (The C and C++ programs beside this folder run through `scripts/test-c`.)

mod cpp_coverage;
mod header;
mod symbols;
