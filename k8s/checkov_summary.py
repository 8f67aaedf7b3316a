"""One line per build from checkov's JSON report (passed, failed, skipped with their reasons), and each
failed check; exit 1 when any failed.

    checkov -f BUILT.yaml --framework kubernetes -o json | python k8s/checkov_summary.py NAME
"""

import json
import sys


def main(name: str) -> int:
    report = json.load(sys.stdin)
    reports = report if isinstance(report, list) else [report]
    failed, passed, skipped = [], 0, []
    for one in reports:
        if "results" not in one:  # nothing to check ({"passed": 0, ...} alone)
            continue
        passed += len(one["results"]["passed_checks"])
        failed += one["results"]["failed_checks"]
        skipped += one["results"]["skipped_checks"]
    print(f"{name}: checkov {passed} passed, {len(failed)} failed, {len(skipped)} skipped")
    for check in skipped:
        print(f"  skipped {check['check_id']} on {check['resource']}: {check['check_result'].get('suppress_comment', '')}")
    for check in failed:
        print(f"  FAILED {check['check_id']} ({check['check_name']}) on {check['resource']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
