#!/bin/bash
# After new entries: best-known optima from every entry's runs (entries rescored against them), then the READMEs:
# benchmarks/leaderboard/README.md over the complete entries, partial/README.md adding the partial ones
# (aggregated over the tasks they all cover).
set -e
cd "$(dirname "$0")/../.."
lb=benchmarks/leaderboard
best_known=$(archgym bench list --json | python -c "import json, sys; print(' '.join(t['id'] for t in json.load(sys.stdin) if t['optimum'] and not t['optimum']['exact']))")
partial=$(ls $lb/partial/entries/*.json 2>/dev/null || true)
runs="--runs $lb/entries"
for p in $partial; do runs="$runs --runs $p"; done
for task in $best_known; do
  archgym bench optimum "$task" $runs --write > /dev/null
done
archgym bench report $lb/entries --out $lb
if [ -n "$partial" ]; then
  archgym bench report $lb/entries $partial --out $lb/partial
fi
