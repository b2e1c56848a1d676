//! Shared build script of every crate whose binaries link libtorch.
//!
//! Two link-time facts cannot be expressed by tch itself for dependent binaries:
//! 1. the binaries must find libtorch at run time without LD_LIBRARY_PATH, so we embed an
//!    rpath to the wheel's `torch/lib`;
//! 2. on CUDA wheels `libtorch_cuda` must stay linked even though no symbol from it is
//!    referenced directly (the CUDA backend registers itself in a static initializer), or
//!    `Cuda::is_available()` reports false. `--no-as-needed` keeps it.
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-changed=../build/torch_link.rs");
    let Ok(libtorch) = std::env::var("LIBTORCH") else {
        return;
    };
    let lib = PathBuf::from(&libtorch).join("lib");
    let lib = lib.canonicalize().unwrap_or(lib);
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    if lib.join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-search=native={}", lib.display());
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-ltorch_cuda");
        println!("cargo:rustc-link-arg=-Wl,--as-needed");
    }
}
