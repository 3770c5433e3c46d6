#!/usr/bin/env bash
# Runs every test project and prints one summary line: "Tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

results_dir="${TEST_RESULTS_DIR:-$PWD/.tmp/test-results}"
rm -rf "$results_dir" && mkdir -p "$results_dir"

dotnet build Gantry.slnx -c "${CONFIGURATION:-Debug}" -nologo -clp:ErrorsOnly || exit 1

status=0
dotnet test Gantry.slnx -c "${CONFIGURATION:-Debug}" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results_dir" \
  -- xUnit.ParallelizeTestCollections=true || status=$?

# Sum the counters of every TRX file so the last line speaks for the whole suite.
python3 - "$results_dir" <<'PY' || status=1
import sys, pathlib, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = list(pathlib.Path(sys.argv[1]).rglob("*.trx"))
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed")); failed += int(c.get("failed")) + int(c.get("error")) + int(c.get("timeout")) + int(c.get("aborted"))
    skipped += int(c.get("notExecuted"))
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not files or passed == 0 else 0)
PY
exit $status
