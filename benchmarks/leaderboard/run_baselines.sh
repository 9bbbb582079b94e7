#!/bin/bash
# Baseline leaderboard entries: every agent in AGENTS with default hyperparameters (or HP="k=v k=v" and
# NAME for a tuned entry) on TASKS (default: every task), SEEDS seeds (default 20).
# Each command resumes where a killed one stopped; WORKERS sets the process pool size.
# Results go to runs/NAME (not committed). The entry is written to entries/NAME.json, or, when TASKS is a
# subset and entries/NAME.json exists (the suite gained tasks), merged into it (`archgym bench merge`:
# the old tasks are not re-run). DEST=partial/entries writes entries with fewer seeds or tasks there.
set -e
cd "$(dirname "$0")/../.."
lb=benchmarks/leaderboard
dest=$lb/${DEST:-entries}
for a in ${AGENTS:-random grid sobol ga aco tpe}; do
  name=${NAME:-$a}
  hp=()
  for kv in $HP; do hp+=(--hp "$kv"); done
  echo "== $name $(date -u +%T)"
  archgym bench run --agent "$a" "${hp[@]}" --name "$name" --tasks "${TASKS:-all}" --seeds "${SEEDS:-20}" \
    --workers "${WORKERS:-1}" --quiet --out "$lb/runs/$name" --entry "$lb/runs/$name/entry.json"
  if [ "${TASKS:-all}" != all ] && [ -f "$dest/$name.json" ]; then
    archgym bench merge "$dest/$name.json" "$lb/runs/$name/entry.json" --out "$dest/$name.json"
  else
    mkdir -p "$dest" && cp "$lb/runs/$name/entry.json" "$dest/$name.json"
  fi
done
echo "== done $(date -u +%T)"
