# Gantry: the two commands a fresh machine needs are `make run` and `make test`.
.PHONY: run test test-deps build bench clean

DATA_DIR ?= ./data
URLS ?= http://127.0.0.1:8080

run:
	dotnet run --project src/Gantry.Server -c Release -- --urls $(URLS) --data-dir $(abspath $(DATA_DIR))

build:
	dotnet build Gantry.slnx -nologo

test-deps:
	./scripts/test-deps.sh

test: test-deps
	./scripts/test.sh

bench:
	@echo "The benchmark harness arrives with the Git engine (bench/Gantry.Bench)."

clean:
	dotnet clean Gantry.slnx -nologo
	rm -rf .tmp
