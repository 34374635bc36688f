# The two commands: `make run` builds and starts the server on the embedded default
# (SQLite in ./data, port 8080); `make test` builds with sanitizers and runs every test.
# Both install what is missing from Debian's packages and npm first.

JOBS ?= 2
RELEASE := build/release
CHECKED := build/asan

.PHONY: run test build build-test deps lint clean

run: build
	$(RELEASE)/modu serve

build:
	scripts/install-deps.sh run
	cmake -S . -B $(RELEASE) -G Ninja -DCMAKE_BUILD_TYPE=Release -DMODU_TESTS=OFF
	cmake --build $(RELEASE) -j$(JOBS)

test: build-test
	tests/run.sh $(CHECKED)

# AddressSanitizer + UndefinedBehaviorSanitizer, in a folder of its own.
build-test:
	scripts/install-deps.sh test
	cmake -S . -B $(CHECKED) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMODU_SANITIZE=ON
	cmake --build $(CHECKED) -j$(JOBS)

clean:
	rm -rf build
