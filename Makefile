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

BENCH_INSTANCES ?= 1000,20000,100000

# The Git engine benchmark: gantry-local, gantry-remote (git http-backend on loopback) and naive-git-cli.
bench: test-deps
	dotnet run -c Release --project bench/Gantry.Bench -- engine --instances $(BENCH_INSTANCES) --json bench/results/engine.json

clean:
	dotnet clean Gantry.slnx -nologo
	rm -rf .tmp
