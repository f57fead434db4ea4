# Writes the output of every command and variant (tables, --json, run directories) into OUT_DIR, so that two builds can be compared with `diff -r`.
#
# Usage: scripts/goldens.sh BINARY OUT_DIR
#   e.g. scripts/goldens.sh target/release/backchannel /tmp/goldens-after
#        diff -r /tmp/goldens-before /tmp/goldens-after
#
# Sizes are small so that the whole set takes seconds; every seed is fixed. Wall-clock fields
# and the binary's path are masked (at the end).
set -euo pipefail

bin=$(realpath "$1")
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"
mkdir -p "$out"
cd "$out"
# Inputs by a relative path, so that outputs naming them are the same from any checkout.
ln -s "$root/tests/data" data
data=data

# run NAME ARGS...: the command's stdout, stderr (progress bars excluded by --quiet where taken)
# and exit code, into NAME.out / NAME.err / NAME.code.
run() {
    local name=$1
    shift
    set +e
    "$bin" "$@" >"$name.out" 2>"$name.err"
    echo $? >"$name.code"
    set -e
}

# The forecast and its variants, as table, JSON and run directory.
run run-default run --runs 400 --seed 7
run run-default-json run --runs 400 --seed 7 --json
run run-default-dir run --runs 400 --seed 7 --out run-dir --quiet
for v in direct grand_bargain leverage discreet; do
    run "run-$v" run --variant "$v" --runs 300 --seed 3
    run "run-$v-json" run --variant "$v" --runs 300 --seed 3 --json
done
run run-england run "$data/diplomacy/england_zimbabwe.toml" --runs 300 --seed 5
run run-shard0 run --runs 400 --seed 7 --out shard0 --shard 0/2 --quiet
run run-shard1 run --runs 400 --seed 7 --out shard1 --shard 1/2 --quiet
run run-merge merge shard0 shard1 --out merged
run run-merge-quiet merge shard0 shard1 --out merged-quiet --quiet
run run-dry run --runs 400 --dry-run

# One run's story.
run trace trace --seed 7 --run 3
run trace-json trace --seed 7 --run 3 --json
run trace-direct trace --variant direct --seed 7 --run 11

# Scenario files.
run scenario-export scenario export
run scenario-export-leverage scenario export --variant leverage
run scenario-schema scenario schema
run scenario-validate scenario validate "$data/diplomacy/england_zimbabwe.toml"
run scenario-validate-json scenario validate "$data/diplomacy/england_zimbabwe.toml" --json

# Parameter studies.
run sweep-grid sweep --grid mediator.leak=0.1,0.3 --runs 200 --seed 2
run sweep-grid-json sweep --grid mediator.leak=0.1,0.3 --runs 200 --seed 2 --json
run sweep-lhs-dir sweep --lhs 3 mediator.leak=0.05..0.4 --runs 100 --seed 2 --out sweep-dir --quiet
run sens-sobol sensitivity "$data/diplomacy/gsa_two_params.toml" --method sobol --samples 64 --seed 1
run sens-morris-json sensitivity --method morris --samples 4 --seed 1 --json
run sens-sobol-dir sensitivity "$data/diplomacy/gsa_two_params.toml" --method sobol --samples 32 --seed 1 --out sens-dir --quiet
run discover discover --target breakdown --runs 400 --seed 4
run discover-json discover --target comprehensive --runs 400 --seed 4 --json
run discover-dir discover --target breakdown --runs 400 --seed 4 --out discover-dir --quiet

# Negotiations, tournaments, analytics, conversion.
g="$data/genius"
run negotiate negotiate "$g/Travel" --agents boulware,conceder --seed 1
run negotiate-json negotiate "$g/Travel" --agents boulware,conceder --seed 1 --json
run negotiate-confidential negotiate "$g/Car" --agents boulware,conceder --protocol confidential --seed 1
run negotiate-single-text negotiate "$g/Car" --agents conceder,linear --protocol single-text --seed 1
run negotiate-list negotiate --agents list
run tournament tournament "$g/Travel" "$g/Car" --agents boulware,conceder,linear --steps 60 --seed 1 --out tour-table --quiet
run tournament-json tournament "$g/Travel" --agents boulware,conceder --steps 60 --seed 1 --out tour-json --quiet --json
run tournament-dir tournament "$g/Travel" "$g/Car" --agents boulware,conceder --steps 60 --seed 1 --out tour-dir --quiet
run analyze analyze "$g/Travel"
run analyze-json analyze "$g/EnglandZimbabwe" --json
run analyze-outcome analyze "$g/Camera" --outcome "Canon|APS-C|Middle range model|Manfrotto|Lowepro|Battery Grip"
run convert convert "$g/Travel" --to geniusweb --out convert-dir

# Stakeholder models.
run stakeholders stakeholders
run stakeholders-json stakeholders --json
run stakeholders-bdm stakeholders --model bdm --seed 1
run stakeholders-ktab stakeholders "$data/ktab/dummyData_3Dim.csv" --json
run stakeholders-dir stakeholders --out stake-dir

# Errors: the message and the exit code are part of the contract.
run err-missing run /nonexistent.toml
run err-variant run --variant nosuch
run err-agents negotiate "$g/Travel" --agents nosuch,conceder
# What may differ between two builds of the same code: the wall-clock times and git revision of
# run.json, the binary's path in its command line, and the dry run's estimates (calibrated on
# as many runs as fit in a time budget).
find . -name run.json -exec sed -i -E 's/"(started|finished|git_revision)": "[^"]*"/"\1": "(masked)"/; s#"[^"]*/backchannel",#"backchannel",#' {} +
sed -i -E 's/^(  (time|output): ).*/\1(masked)/' run-dry.out
echo "goldens written to $out"
