"""Five-fold cross-validation of POOLING (by MRR) then TEMPERATURE (by Brier) on the tuned set only.

`PYTHONPATH=. python -m evaluation.pooling_cv`; never reads the unseen set."""

# ruff: noqa: T201, S311
import random
import statistics

from evaluation import runner
from taut.core.knowledge.loader import load_base
from taut.core.reasoning import ranking

base = load_base()
cases = runner.load_cases(base) + runner.load_word_cases(base, runner.CASES)
cases = [c for c in cases if c.chart is not None]
n = len(cases) // 2
folds = [i % 5 for i in range(n)]
random.Random(7).shuffle(folds)
folds = folds + folds  # a case's id and word versions share a fold


def per_case(pool, temp):
    ranking.POOLING = pool
    ranking.TEMPERATURE = temp
    rr, br, t3 = [], [], []
    for c in cases:
        ms = runner.taut_ranking(base, c.chart)
        pos = next((i for i, m in enumerate(ms, 1) if m in c.expected), None)
        rr.append(1 / pos if pos else 0)
        t3.append(1 if pos and pos <= 3 else 0)
        top = ranking.rank(base, c.chart)[0]
        br.append((top.probability - (top.muscle in c.expected)) ** 2)
    return rr, br, t3


pools = [0.0, 0.25, 0.5, 0.75, 1.0]
temps = [0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5, 2.0]

res = {(p, t): per_case(p, t) for p in pools for t in temps}
for p in pools:
    rr, _, t3 = res[(p, 0.6)]
    print(
        f"pool {p}: MRR {statistics.fmean(rr):.3f} top3 {statistics.fmean(t3):.3f} ",
        " ".join(f"T{t}:{statistics.fmean(res[(p, t)][1]):.3f}" for t in temps),
    )
# nested CV: choose pool by MRR, then temp by Brier, on training folds
held_rr, held_br, held_t3, chosen = [], [], [], []
for k in range(5):
    tr = [i for i in range(len(cases)) if folds[i] != k]
    te = [i for i in range(len(cases)) if folds[i] == k]
    p = max(pools, key=lambda p: (statistics.fmean(res[(p, 0.6)][0][i] for i in tr), -p))
    t = min(temps, key=lambda t: statistics.fmean(res[(p, t)][1][i] for i in tr))
    chosen.append((p, t))
    held_rr += [res[(p, t)][0][i] for i in te]
    held_br += [res[(p, t)][1][i] for i in te]
    held_t3 += [res[(p, t)][2][i] for i in te]
print("chosen per fold", chosen)
print(
    f"held-out MRR {statistics.fmean(held_rr):.3f} top3 {statistics.fmean(held_t3):.3f}",
    f"Brier {statistics.fmean(held_br):.3f}",
)
