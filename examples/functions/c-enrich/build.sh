#!/bin/sh
# Builds enrich.wasm without make; same flags as the Makefile.
# Debian 12: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || echo clang)}
WASI_SYSROOT=${WASI_SYSROOT:-/usr}
OUT=${OUT:-enrich.wasm}
set -x
"$CLANG" --target=wasm32-wasi --sysroot="$WASI_SYSROOT" -mexec-model=reactor \
	-msimd128 -mbulk-memory -O2 -Wall -Wextra -Werror -Wl,--strip-all \
	-Wl,--export=kinesin_abi_version -Wl,--export=kinesin_alloc \
	-Wl,--export=kinesin_invoke \
	-o "$OUT" enrich.c
