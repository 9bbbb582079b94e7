"""Env ids registered with Gymnasium on ``import archgym``, by string entry point (cheap)."""

from __future__ import annotations

from dataclasses import dataclass

#: designs (or edits) per episode unless ``max_steps`` says otherwise; the registered ``max_episode_steps``
DEFAULT_MAX_STEPS = 10


@dataclass(frozen=True)
class EnvEntry:
    """What ``archgym envs`` lists and what Gymnasium's registry needs."""

    entry_point: str
    vector_entry_point: str
    description: str


#: every archgym environment id; a change that alters an env's numbers bumps its version
ENVS: dict[str, EnvEntry] = {
    "archgym/Accelerator-v1": EnvEntry(
        "archgym.envs.accelerator:AcceleratorEnv",
        "archgym.envs.accelerator:make_vec",
        "Spatial DNN accelerator: systolic array shape, dataflow, SRAM sizes, DRAM bandwidth on CNN/Transformer nets",
    ),
    "archgym/DRAM-v1": EnvEntry(
        "archgym.envs.dram:DRAMEnv",
        "archgym.envs.dram:make_vec",
        "DRAM memory controller (DRAMGym): DRAMSys's page policy, scheduler, buffers, refresh, arbiter on traces",
    ),
    "archgym/SoC-v1": EnvEntry(
        "archgym.envs.soc:SoCEnv",
        "archgym.envs.soc:make_vec",
        "SoC for AR/VR task graphs (FARSIGym): A53 cores, per-task accelerators, buses, memories; FARSI's model",
    ),
    "archgym/Mapping-v0": EnvEntry(
        "archgym.envs.mapping:MappingEnv",
        "archgym.envs.mapping:make_vec",
        "Dataflow mapping of one DNN layer on fixed accelerator hardware: tile sizes, loop order (MaestroGym's problem)",
    ),
    "archgym/LLMServing-v0": EnvEntry(
        "archgym.envs.llm_serving:LLMServingEnv",
        "archgym.envs.llm_serving:make_vec",
        "LLM-serving platform (GenZ-style): per-chip compute, HBM, links, TP/PP/EP, batch, precision for a model's use case",
    ),
}


def register_all() -> None:
    """Register every id in :data:`ENVS` with Gymnasium (idempotent).

    ``max_episode_steps`` is the envs' default episode length, so Gymnasium's
    ``TimeLimit`` and any wrapper reading ``env.spec`` see the horizon.
    """
    import gymnasium

    for env_id, entry in ENVS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(env_id, entry_point=entry.entry_point, vector_entry_point=entry.vector_entry_point,
                               max_episode_steps=DEFAULT_MAX_STEPS)
