#!/bin/bash
# Baseline leaderboard entries: every agent in AGENTS with default hyperparameters on every task, 20 seeds.
# Each command resumes where a killed one stopped. WORKERS sets the process pool size.
set -e
cd "$(dirname "$0")/../.."
for a in ${AGENTS:-random grid sobol ga aco tpe}; do
  echo "== $a $(date -u +%T)"
  archgym bench run --agent "$a" --seeds 20 --workers "${WORKERS:-1}" --quiet \
    --out "benchmarks/leaderboard/runs/$a" --entry "benchmarks/leaderboard/entries/$a.json"
done
echo "== done $(date -u +%T)"
