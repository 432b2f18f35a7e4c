#!/bin/sh
# Builds a libFuzzer target with clang (ASan + UBSan) and runs it on its seed corpus:
#   sh tests/fuzz/build.sh [SECONDS] [parse|check]      (defaults: 60, parse)
# parse = lexer + parser (fuzz_parse.c); check = lexer + parser + ir_check (fuzz_check.c).
# New crash inputs land in the current directory as crash-*; after fixing, add a minimised
# copy to tests/fuzz/corpus/ so the fuzz/*_replay ctests keep checking it.
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=$(command -v clang-19 || command -v clang)
out=${FUZZ_OUT:-$root/build-fuzz}
target=${2:-parse}
case $target in
parse) srcs="$root/tests/fuzz/fuzz_parse.c" ;;
check) srcs="$root/tests/fuzz/fuzz_check.c $root/ir/*.c" ;;
*) echo "build.sh: unknown target '$target' (parse or check)" >&2; exit 2 ;;
esac
mkdir -p "$out/corpus-$target"
# shellcheck disable=SC2086
"$cc" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root" $srcs "$root"/lexer/*.c "$root"/parser/*.c -lm -o "$out/fuzz_$target"
"$out/fuzz_$target" -max_total_time="${1:-60}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -dict="$root/tests/fuzz/pf.dict" "$out/corpus-$target" "$root/tests/fuzz/corpus" \
    "$root/tests/lang"
