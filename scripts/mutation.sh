#!/usr/bin/env bash
# Mutation testing of the modules that decide whether a request is posted, reconciled or
# reported: mutmut 3 on one module at a time, each against the fast tests that cover it.
#
#   pip install mutmut            # a dev tool, not a dependency (extra "mutation")
#   scripts/mutation.sh                       # every module below
#   scripts/mutation.sh reconcile journal     # some of them
#
# Each module runs in a scratch copy of the working tree (mutmut writes mutants/ and a
# setup.cfg there, never in the repository); the summary and the surviving mutants' diffs go
# to ${MUTATION_OUT:-mutation-results}/<module>.txt. Cores: ${MUTATION_CORES:-2}.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${MUTATION_OUT:-$repo/mutation-results}
cores=${MUTATION_CORES:-2}
mkdir -p "$out"

# module name | file to mutate | tests that cover it (fast ones only) | pytest -k filter
targets() {
    cat <<'TABLE'
transitions|smsc_frames/campaign/transitions.py|tests/test_transitions.py|
dispatch|smsc_frames/campaign/dispatch.py|tests/test_reconcile_posts.py tests/test_transitions.py|not panel
reconcile|smsc_frames/campaign/reconcile.py|tests/test_reconcile_posts.py|not panel
journal|smsc_frames/journal.py|tests/test_journal.py tests/test_journal_report.py|
payloads|smsc_frames/payloads.py|tests/test_payloads.py|
segments|smsc_frames/segments.py|tests/test_segments.py|
phones|smsc_frames/phones.py|tests/test_phones.py|
widgets|smsc_frames/widgets.py|tests/test_widgets.py tests/test_reconcile_posts.py|panel
TABLE
}

wanted=("$@")
targets | while IFS='|' read -r name file tests filter; do
    if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " =~ " $name " ]]; then
        continue
    fi
    work=$(mktemp -d "${TMPDIR:-/tmp}/mutation-$name.XXXX")
    (cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work")
    # pyproject has no [tool.mutmut]: mutmut reads setup.cfg
    {
        echo "[mutmut]"
        echo "source_paths = smsc_frames"
        echo "only_mutate = $file"
        echo "pytest_add_cli_args_test_selection ="
        for t in $tests; do echo "    $t"; done
        echo "pytest_add_cli_args ="
        echo "    -p"
        echo "    no:cacheprovider"
        if [[ -n "$filter" ]]; then
            echo "    -k"
            echo "    $filter"
        fi
        # a mutant that hangs (a retry loop that never ends) is killed after 3x the test time
        echo "timeout_multiplier = 3.0"
        echo "timeout_constant = 5.0"
    } >"$work/setup.cfg"
    echo "== $name: $file against $tests ($work)"
    start=$SECONDS
    (cd "$work" && python -m mutmut run --max-children "$cores" </dev/null >"$work/run.log" 2>&1) || true
    {
        echo "module: $file"
        echo "tests: $tests"
        echo "seconds: $((SECONDS - start))"
        (cd "$work" && python -m mutmut export-cicd-stats </dev/null >/dev/null 2>&1 &&
            cat mutants/mutmut-cicd-stats.json) || tail -5 "$work/run.log"
        echo
        (cd "$work" && python -m mutmut results </dev/null) || true
        for mutant in $(cd "$work" && python -m mutmut results </dev/null |
            awk -F: '/survived|no tests|timeout|suspicious/ {print $1}'); do
            (cd "$work" && python -m mutmut show "$mutant" </dev/null) || true
        done
    } >"$out/$name.txt" 2>&1
    python - "$work/mutants/mutmut-cicd-stats.json" "$name" <<'PY' | tee -a "$out/summary.txt" || true
import json, sys
stats = json.load(open(sys.argv[1]))
tested = stats["total"] - stats["skipped"] - stats["no_tests"]
killed = stats["killed"] + stats["timeout"]
print(f"{sys.argv[2]}: {killed}/{tested} killed ({100 * killed / max(tested, 1):.1f}%), "
      f"{stats['survived']} survived, {stats['no_tests']} without tests")
PY
    [[ -n "${MUTATION_KEEP:-}" ]] || rm -rf "$work"
done
