#!/bin/bash
# After new entries: best-known optima from every entry's runs (entries rescored against them), then the README.
set -e
cd "$(dirname "$0")/../.."
for task in $(archgym bench list --json | python -c "import json,sys; print(' '.join(t['id'] for t in json.load(sys.stdin) if t['optimum'] and not t['optimum']['exact']))"); do
  archgym bench optimum "$task" --runs benchmarks/leaderboard/entries --write > /dev/null
done
archgym bench report benchmarks/leaderboard/entries --out benchmarks/leaderboard
