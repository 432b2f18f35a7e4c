#!/bin/sh
# Installs the build into a scratch prefix (cmake --install), then builds examples/embed/host.c
# the way a host project would, with `pkg-config --cflags --libs pf` against libpf.so, and runs it;
# checks that libpf.so exports only the pf.h API.
# usage: embed_install.sh BUILD_DIR SOURCE_DIR SCRATCH_DIR [EXTRA_CFLAGS]  (a sanitizer build's
# libpf.so needs the host built with the same -fsanitize)
set -e
build=$1 src=$2 dir=$3 extra=$4
rm -rf "$dir"
cmake --install "$build" --prefix "$dir/prefix" > /dev/null
pc=$(find "$dir/prefix" -name pf.pc)
export PKG_CONFIG_PATH=$(dirname "$pc")
cc -std=c11 -Wall -Wextra -Werror $extra -o "$dir/host" "$src/examples/embed/host.c" $(pkg-config --cflags --libs pf) \
   -Wl,-rpath,"$(pkg-config --variable=libdir pf)"
"$dir/host" "$src/examples/embed/nearest.pf" 2
# libpf.so exports the pf.h API only (driver/libpf/libpf.map): every defined dynamic symbol is pf_*
lib=$(pkg-config --variable=libdir pf)/libpf.so
if command -v nm > /dev/null; then
  extra_syms=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^pf_' || true)
  if [ -n "$extra_syms" ]; then
    echo "libpf.so exports internal symbols:" $extra_syms | head -c 400; echo
    exit 1
  fi
  nm -D --defined-only "$lib" | grep -q ' pf_call$' || { echo "libpf.so does not export pf_call"; exit 1; }
fi
