fn main() {
    println!("das {}", env!("CARGO_PKG_VERSION"));
}
