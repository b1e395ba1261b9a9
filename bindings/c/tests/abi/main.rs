//! The C ABI's Rust-side checks, as one test binary: the committed header is what cbindgen
//! generates, and `libdas.so` exports exactly what it declares. (The C and C++ programs beside
//! this folder run through `scripts/test-c`.)

mod header;
mod symbols;
