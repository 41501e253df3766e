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

# module name | files to mutate | tests that cover it (fast ones only) | pytest -k filter |
# mutant name globs (empty: every function of the files; else only the functions named, the ones
# that place a recipient or decide a post)
targets() {
    cat <<'TABLE'
transitions|smsc_frames/campaign/transitions.py|tests/test_transitions.py||
dispatch|smsc_frames/campaign/dispatch.py|tests/test_reconcile_posts.py tests/test_transitions.py|not panel|
reconcile|smsc_frames/campaign/reconcile.py|tests/test_reconcile_posts.py|not panel|
earlier|smsc_frames/campaign/reconcile.py|tests/test_mutants_reconcile.py||smsc_frames.campaign.reconcile.xǁReconcilerǁfind_earlier_posts__* smsc_frames.campaign.reconcile.x__known__* smsc_frames.campaign.reconcile.x_known_requests__*
journal|smsc_frames/journal.py|tests/test_journal.py tests/test_journal_report.py||
journal-read|smsc_frames/journal.py|tests/test_safety.py|results_can_be or no_journal|smsc_frames.journal.xǁJournalǁread__* smsc_frames.journal.xǁJournalǁ__repr____*
payloads|smsc_frames/payloads.py smsc_frames/batching.py smsc_frames/wireformat.py smsc_frames/phonetable.py|tests/test_payloads.py tests/test_mutants_payloads.py||smsc_frames.payloads.x_payloads__* smsc_frames.batching.x_* smsc_frames.wireformat.x_build_requests__* smsc_frames.wireformat.x__line_* smsc_frames.wireformat.x__recipients__* smsc_frames.phonetable.x_*
segments|smsc_frames/segments.py|tests/test_segments.py tests/test_segments_fast.py tests/test_plan_fast.py||
phones|smsc_frames/phones.py|tests/test_phones.py tests/test_mutants_phones.py|not agree_on_every_row and not vectorised_fast_path and not excel_float|smsc_frames.phones.x_normalize_phones__* smsc_frames.phones.x__normalize_the_rest__* smsc_frames.phones.x__one_number__* smsc_frames.phones.x__one_phone__* smsc_frames.phones.x__settle_russian_mobiles__* smsc_frames.phones.x__certain_in_chunk__* smsc_frames.phones.x__e164_of_national__* smsc_frames.phones.x__cut_excel_fraction__*
widgets|smsc_frames/widgets.py|tests/test_widgets.py tests/test_reconcile_posts.py|panel or widgets|smsc_frames.widgets.xǁCampaignPanelǁ_may_send__* smsc_frames.widgets.xǁCampaignPanelǁ_claim__* smsc_frames.widgets.xǁCampaignPanelǁsend__* smsc_frames.widgets.xǁCampaignPanelǁ_on_click__* smsc_frames.widgets.xǁCampaignPanelǁ_on_confirm__* smsc_frames.widgets.xǁCampaignPanelǁ_claimable__*
TABLE
}

wanted=("$@")
targets | while IFS='|' read -r name files tests filter functions; do
    if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " =~ " $name " ]]; then
        continue
    fi
    work=$(mktemp -d "${TMPDIR:-/tmp}/mutation-$name.XXXX")
    (cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work")
    # pyproject has no [tool.mutmut]: mutmut reads setup.cfg
    {
        echo "[mutmut]"
        echo "source_paths = smsc_frames"
        echo "only_mutate ="
        for f in $files; do echo "    $f"; done
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
    echo "== $name: $files against $tests ($work)"
    start=$SECONDS
    # shellcheck disable=SC2086  # $functions: globs for mutmut, not for the shell
    # few hypothesis examples (tests/conftest.py) and one sandbox reading: minutes, not hours
    (cd "$work" && set -f && SMSC_FRAMES_HYPOTHESIS_PROFILE=mutation \
        SMSC_FRAMES_READING=${SMSC_FRAMES_READING:-guess} \
        python -m mutmut run --max-children "$cores" $functions </dev/null >"$work/run.log" 2>&1) || true
    {
        echo "module: $files"
        echo "functions: ${functions:-all}"
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
killed = stats["killed"] + stats["timeout"]
tested = killed + stats["survived"] + stats["suspicious"] + stats["segfault"]
print(f"{sys.argv[2]}: {killed}/{tested} killed ({100 * killed / max(tested, 1):.1f}%), "
      f"{stats['survived']} survived, {stats['no_tests']} without tests")
PY
    [[ -n "${MUTATION_KEEP:-}" ]] || rm -rf "$work"
done
