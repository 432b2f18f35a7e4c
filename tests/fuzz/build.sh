#!/bin/sh
# Builds the libFuzzer target for the lexer+parser with clang (ASan + UBSan) and runs it on the
# seed corpus: sh tests/fuzz/build.sh [SECONDS]  (default 60). New crash inputs land in the
# current directory as crash-*; copy interesting ones into tests/fuzz/corpus/ after fixing them.
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=$(command -v clang-19 || command -v clang)
out=${FUZZ_OUT:-$root/build-fuzz}
mkdir -p "$out/corpus"
"$cc" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root" "$root"/tests/fuzz/fuzz_parse.c "$root"/lexer/*.c "$root"/parser/*.c -lm \
    -o "$out/fuzz_parse"
"$out/fuzz_parse" -max_total_time="${1:-60}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -dict="$root/tests/fuzz/pf.dict" "$out/corpus" "$root/tests/fuzz/corpus"
