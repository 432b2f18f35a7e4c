# Thin wrapper over CMake: `make demo` and `make test` are the README's two commands.
BUILD ?= build
JOBS  ?= $(shell nproc)

.PHONY: setup build demo test asan tsan bench clean
setup:
	@sh scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/pfc run examples/nearest.pf

# The whole suite, then the whole suite again under AddressSanitizer + LeakSanitizer (no leaks).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory asan

asan: setup
	@cmake -S . -B build-asan -DPF_SANITIZE=address -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

tsan: setup
	@cmake -S . -B build-tsan -DPF_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-tsan -j $(JOBS)
	cd build-tsan && ctest --output-on-failure -j $(JOBS) -L stress

bench: build
	python3 bench/run.py --build $(BUILD)
	$(BUILD)/bench/runtime/bench_runtime 5

clean:
	rm -rf build build-asan build-tsan
