"""Helpers for replay and validation tests: record a run, find and edit its shard.

Test modules load them with ``runpy.run_path`` (the importlib import mode cannot import them by name).
"""

from __future__ import annotations

import gymnasium
import pyarrow as pa
import pyarrow.parquet as pq

from archgym.records import RecordWriter, attach_recorder


def record_run(env_id: str, out, agent: str = "random", budget: int = 6, seed: int = 0, **kwargs):
    """Search ``env_id`` and write its records to ``out`` (what ``archgym run`` does, without the CLI)."""
    from archgym.agents import make_agent

    env = gymnasium.make(env_id, **kwargs)
    search = make_agent(agent)
    with RecordWriter(out, env.unwrapped.design_space, env.unwrapped.simulator.metric_names) as writer:
        attach_recorder(env, writer, agent=agent, hyperparameters=search.hp, seed=seed)
        search.run(env, budget=budget, seed=seed)
    return out


def only_shard(folder):
    (shard,) = sorted(folder.glob("part-*.parquet"))
    return shard


def edit_shard(path, column: str, row: int, value) -> None:
    table = pq.read_table(path)
    values = table.column(column).to_pylist()
    values[row] = value
    column_type = table.schema.field(column).type
    table = table.set_column(table.schema.get_field_index(column), column, pa.array(values, column_type))
    pq.write_table(table, path)
