"""Read wafersim results from Python with the standard library only.

wafersim writes report.json (`wafersim run`) and sweep.json (`wafersim sweep`); both are
described field by field by `wafersim schema report` and `wafersim schema sweep-report`. This
module runs the command with --json, or reads the files, and flattens them into rows (one dict
per run x phase, or per sweep point) that go straight into pandas.DataFrame(rows) or csv.

    python3 examples/python/wafersim_results.py out/mediswift-xl/report.json
    python3 examples/python/wafersim_results.py out/sparsity-gpt3-xl/sweep.json
"""

import json
import subprocess
import sys

# The figures most analyses start from, named as in report.json and report.csv.
PHASE_FIELDS = [
    "sparsity",
    "flopReduction",
    "realizedSpeedup",
    "efficiency",
    "stepSeconds",
    "denseStepSeconds",
]


def run_wafersim(args, wafersim=("npx", "wafersim")):
    """Runs `wafersim <args> --json` and returns the parsed JSON (raises on a non-zero exit)."""
    done = subprocess.run(
        [*wafersim, *args, "--json"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wafersim exited {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def phase_row(run, phase):
    row = {"run": run["name"], "phase": phase["name"], "hardware": run["hardware"]["name"]}
    row.update({k: phase[k] for k in PHASE_FIELDS})
    row["timeToTrainSeconds"] = phase["timeToTrain"]["sparse"]["seconds"]
    row["joulesPerToken"] = phase["energy"]["joulesPerToken"]
    for cause, share in phase["stalls"].items():
        row[f"stalls.{cause}"] = share
    return row


def report_rows(report):
    """One row per run x phase of a report.json."""
    return [phase_row(run, phase) for run in report["runs"] for phase in run["phases"]]


def sweep_rows(sweep):
    """One row per point of a sweep.json: its varied values, then its sparse phase's figures."""
    rows = []
    for point in sweep["points"]:
        phase = next(p for p in point["run"]["phases"] if p["name"] == point["phase"])
        row = {f"values.{k}": v for k, v in point["values"].items()}
        row["index"] = point["index"]
        row.update(phase_row(point["run"], phase))
        rows.append(row)
    return rows


def rows_of(results):
    """Rows of either file, told apart by their fields."""
    return sweep_rows(results) if "points" in results else report_rows(results)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = rows_of(load(argv[1]))
    columns = ["run", "phase", "sparsity", "flopReduction", "realizedSpeedup", "efficiency", "stepSeconds"]
    print("\t".join(columns))
    for row in rows:
        print("\t".join(f"{row[c]:.4g}" if isinstance(row[c], float) else str(row[c]) for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
