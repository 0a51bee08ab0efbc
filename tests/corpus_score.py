"""Score ddblint against the labelled corpus: `python tests/corpus_score.py` prints the table.

Labels are trailing `# label: CODE|ok` comments (see tests/corpus/README.md).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
LABEL = re.compile(r"#\s*label:\s*(\S+)\s*$")
CODES = ("DDB101", "DDB102")


def labels(corpus=CORPUS):
    found = {}
    for path in sorted(corpus.rglob("*.py")):
        for row, line in enumerate(path.read_text().splitlines(), start=1):
            match = LABEL.search(line)
            if match:
                found[(str(path.resolve()), row)] = match.group(1)
    return found


def findings(corpus=CORPUS, codes=CODES):
    found = set()
    for app in sorted(p for p in corpus.iterdir() if p.is_dir()):
        out = subprocess.run([sys.executable, "-m", "ddblint", "check", str(app), "--select", ",".join(codes),
                              "--output-format", "json", "--exit-zero", "-q"],
                             capture_output=True, text=True, check=True).stdout
        for d in json.loads(out):
            found.add((d["filename"], d["location"]["row"], d["code"]))
    return found


def score(corpus=CORPUS, codes=CODES):
    truth, reported = labels(corpus), findings(corpus, codes)
    counts = {code: Counter() for code in codes}
    misses = []
    for filename, row, code in sorted(reported):
        label = truth.get((filename, row))
        counts[code]["tp" if label == code else "fp"] += 1
        if label != code:
            misses.append(f"FP {code} {filename}:{row} (label {label})")
    for (filename, row), label in sorted(truth.items()):
        if label in codes and (filename, row, label) not in reported:
            counts[label]["fn"] += 1
            misses.append(f"FN {label} {filename}:{row}")
    return counts, misses


def ratio(a, b):
    return a / b if b else 1.0


if __name__ == "__main__":
    # python tests/corpus_score.py [CORPUS_DIR [CODE ...]]
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    codes = tuple(sys.argv[2:]) or CODES
    counts, misses = score(corpus.resolve(), codes)
    total = sum(counts.values(), Counter())
    for code, c in list(counts.items()) + [("all", total)]:
        print(f"{code}: tp={c['tp']} fp={c['fp']} fn={c['fn']} precision={ratio(c['tp'], c['tp'] + c['fp']):.3f} "
              f"recall={ratio(c['tp'], c['tp'] + c['fn']):.3f}")
    print("\n".join(misses))
