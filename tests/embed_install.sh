#!/bin/sh
# Installs the build into a scratch prefix (cmake --install), then builds examples/embed/host.c
# the way a host project would, with `pkg-config --cflags --libs pf` against libpf.so, and runs it.
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
