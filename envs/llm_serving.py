"""``archgym/LLMServing-v0``: design a platform that serves a large language model for a use case."""

from __future__ import annotations

from typing import Any

from archgym.envs.design_env import DesignEnv, document, vector_factory
from archgym.objectives import Objective
from archgym.simulators.llm import LLMServingSimulator
from archgym.simulators.llm.knobs import SPACE
from archgym.simulators.llm.workloads import load_workload

#: the metric the default objective maximises
THROUGHPUT = "throughput_per_chip_tokens_per_s"


def latency_objective(workload: Any) -> str:
    """Most tokens/s per chip with the use case's TTFT and TPOT targets as hard budgets."""
    case = load_workload(workload).use_case
    return f"minimize:max:{THROUGHPUT};ttft_ms<={case.ttft_ms:g},tpot_ms<={case.tpot_ms:g}"


class LLMServingEnv(DesignEnv):
    """Choose chips (compute, HBM, links), parallelism, batch and precision to serve an LLM use case.

    ## Description

    The question GenZ (Bambhaniya et al. 2024) and DeepSeek-V3's hardware
    paper ask: which platform serves a model's use case within its latency
    targets. Each step proposes one platform; the analytical model of
    :mod:`archgym.simulators.llm` (GenZ's per-operator roofline for
    GQA/MHA and multi-head latent attention, dense and mixture-of-experts FFNs,
    ring collectives for tensor-parallel all-reduce and expert-parallel
    all-to-all, pipeline hand-offs and micro-batching, KV cache, precision)
    returns time to first token, time per output token, throughput and memory
    per chip. A platform whose weights and KV cache do not fit in HBM is
    infeasible with the numbers in the reason.

    ## Action Space

    ``MultiDiscrete`` with one index per knob (``action_format="dict"`` gives
    a ``Dict`` of ``Discrete``). ``env.unwrapped.design_space`` decodes
    indices; ``env.unwrapped.evaluate({"tensor_parallel": 8, ...})`` takes values.
    With ``formulation="edit"`` an action is one knob edit instead: ``Discrete``,
    see ``edit_actions`` and :class:`archgym.envs.formulations.DesignEditor`.
    Chips = ``tensor_parallel x pipeline_parallel x expert_parallel``;
    ``expert_parallel`` must divide a mixture-of-experts model's experts (on a
    dense model it splits attention further, as in GenZ).

    {knob_table}

    ## Observation Space

    ``formulation="archgym"`` (the default): ``Box(float32)`` of shape (7,):

    | index | meaning | min | max |
    | --- | --- | --- | --- |
    | 0 | log10 ttft_ms of the last design (0 if none or infeasible) | -30 | 30 |
    | 1 | log10 tpot_ms | -30 | 30 |
    | 2 | log10 throughput_per_chip_tokens_per_s | -30 | 30 |
    | 3 | log10 memory_per_chip_bytes | -30 | 30 |
    | 4 | memory_utilization (memory per chip / HBM capacity, as is) | -30 | 30 |
    | 5 | 1 if the last design was feasible | 0 | 1 |
    | 6 | 1 if the last design was infeasible | 0 | 1 |

    {observation_formulations}

    ## Rewards

    From the objective (see :mod:`archgym.objectives`). The default serves
    the most tokens per second per chip (reward ``log10`` of it) with the use
    case's latency targets as hard budgets, e.g. for ``llama-3.1-70b/chat``
    ``minimize:max:throughput_per_chip_tokens_per_s;ttft_ms<=200,tpot_ms<=10``:
    a platform over a target gets ``infeasible_reward`` minus its relative
    excess and ``info["within_budget"] = False``. ArchGym's target rewards
    work as for every env (``objective="target:ttft_ms=200,tpot_ms=10"``).
    A platform whose memory does not fit gets the objective's
    ``infeasible_reward`` and ``info["feasible"] = False`` with the reason.

    {reward_formulations}

    {episode_rules}

    ## Arguments

    | parameter | type | default | description |
    | --- | --- | --- | --- |
    | workload | str | ``"llama-3.1-70b/chat"`` | ``<model>/<use case>``: models llama-3.1-8b, llama-3.1-70b, \
    llama-3.1-405b, qwen-2.5-72b, mixtral-8x7b, gpt-3-175b, deepseek-v3 (or their Hugging Face ids); \
    use cases qa, chat, rag, summarization, code-generation (GenZ's lengths and targets) |
    | objective | str or Objective | see Rewards | e.g. ``"minimize:ttft_ms;tpot_ms<=20"`` |
    {common_arguments}

    ## Version History

    * v0: initial release (LLM-serving model 0.1.0).
    """

    env_id = "archgym/LLMServing-v0"
    default_objective = f"minimize:max:{THROUGHPUT}"
    observation_metrics = ("ttft_ms", "tpot_ms", THROUGHPUT, "memory_per_chip_bytes", "memory_utilization")

    def __init__(self, workload: Any = None, objective: str | Objective | None = None, **options: Any):
        simulator = LLMServingSimulator()
        wl = simulator.load_workload(workload)
        super().__init__(simulator, wl, objective or latency_objective(wl), **options)


document(LLMServingEnv, SPACE)
make_vec = vector_factory(LLMServingEnv)
