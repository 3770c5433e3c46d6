# Gantry: the two commands a fresh machine needs are `make run` and `make test`.
.PHONY: run test test-deps build pack dist bench clean

DATA_DIR ?= ./data
URLS ?= http://127.0.0.1:8080

run:
	dotnet run --project src/Gantry.Server -c Release -- --urls $(URLS) --data-dir $(abspath $(DATA_DIR))

build:
	dotnet build Gantry.slnx -nologo

# The gantry CLI as a .NET tool package in artifacts/packages:
#   dotnet tool install --global gantry --add-source artifacts/packages
pack:
	dotnet pack src/Gantry.Cli -c Release -nologo -o artifacts/packages

# The gantry CLI as self-contained single-file programs, one per platform, in artifacts/dist/<rid>/gantry[.exe]:
# no .NET needed where they run. The runtime packs come from NuGet like any package (docs/cli.md).
DIST_RIDS ?= linux-x64 linux-arm64 osx-arm64 win-x64
dist:
	for rid in $(DIST_RIDS); do \
	  dotnet publish src/Gantry.Cli -c Release -r $$rid --self-contained -nologo -clp:ErrorsOnly \
	    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
	    -o artifacts/dist/$$rid || exit 1; \
	  rm -f artifacts/dist/$$rid/*.xml; \
	done

test-deps:
	./scripts/test-deps.sh

test: test-deps
	./scripts/test.sh

BENCH_INSTANCES ?= 1000,20000,100000
BENCH_API_INSTANCES ?= 2000,10000

# engine: the Git store (gantry-local, gantry-remote over git http-backend) against a naive git CLI;
# api: the whole server over HTTP on the embedded defaults; seal: Sealed Secrets values/s and key generation;
# fuzz: hostile requests generated from the OpenAPI document (5xx, errors without words, leaks, partial writes);
# ha: one replica against three on PostgreSQL and a Git HTTP remote (changes/s, p99, lost updates), then 200 kill -9 trials.
bench: test-deps
	dotnet build -c Release bench/Gantry.Bench -nologo -clp:ErrorsOnly
	dotnet bench/Gantry.Bench/bin/Release/net10.0/Gantry.Bench.dll engine --instances $(BENCH_INSTANCES) --json bench/results/engine.json
	dotnet bench/Gantry.Bench/bin/Release/net10.0/Gantry.Bench.dll api --instances $(BENCH_API_INSTANCES) --json bench/results/api.json
	dotnet bench/Gantry.Bench/bin/Release/net10.0/Gantry.Bench.dll seal
	dotnet bench/Gantry.Bench/bin/Release/net10.0/Gantry.Bench.dll status --json bench/results/status.json
	dotnet bench/Gantry.Bench/bin/Release/net10.0/Gantry.Bench.dll fuzz --requests 50000 --json bench/results/fuzz.json
	dotnet bench/Gantry.Bench/bin/Release/net10.0/Gantry.Bench.dll rollout --instances 500,10000
	dotnet bench/Gantry.Bench/bin/Release/net10.0/Gantry.Bench.dll environments --claims 1000 --json bench/results/environments.json
	dotnet bench/Gantry.Bench/bin/Release/net10.0/Gantry.Bench.dll ui --instances 1000 --loads 20 --json bench/results/ui.json
	dotnet bench/Gantry.Bench/bin/Release/net10.0/Gantry.Bench.dll ha --clients 64 --kill-trials 200 --json bench/results/ha.json

clean:
	dotnet clean Gantry.slnx -nologo
	rm -rf .tmp
