"""Independent PPO: one small PPO learner per agent of the multi-agent design env, sharing the team reward.

The setting of Krishnan et al., "Multi-Agent Reinforcement Learning for
Microprocessor Design Space Exploration" (arXiv 2211.16385): the knobs of
different sub-systems are nearly independent, so one learner per knob (or
group of knobs) can learn its part of the design in a decentralised way,
each seeing the shared observation and the shared reward.

Why a compact torch implementation: of the PettingZoo training libraries on
the package index, AgileRL's IPPO pins an older PettingZoo and pulls in JAX,
wandb and redis; BenchMARL and TorchRL need their own task and tensordict
layers; Tianshou's multi-agent manager drives turn-based (AEC) envs; and
SuperSuit with stable-baselines3 gives parameter sharing only, over
identical spaces, with no exact budget stop. The learner here is PPO as
stable-baselines3 runs it (clipped surrogate, GAE, per-batch advantage
normalisation, entropy bonus, value loss, gradient-norm clipping), with the
agents' networks stacked in batched matrix products so ten agents cost about
what one does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from archgym.agents.base import Agent, HyperParameter
from archgym.agents.ppo import PPO

if TYPE_CHECKING:
    import gymnasium
    import torch

#: gain of the policy's output layer: near-uniform first designs, as in stable-baselines3
POLICY_GAIN = 0.01
#: per-agent gradient-norm clip (stable-baselines3's max_grad_norm)
MAX_GRAD_NORM = 0.5
#: value-loss weight (stable-baselines3's vf_coef)
VF_COEF = 0.5
#: logit of an action outside an agent's knobs (finite, so masked entropies stay 0, not NaN)
MASKED_LOGIT = -1e9


class IPPO(Agent):
    """Independent PPO over :class:`~archgym.envs.multi_agent.MultiAgentDesign`: every agent learns its knobs.

    Each agent has its own policy and value networks (two ``tanh`` layers of
    ``hidden`` units) over its own observation, and learns from the shared
    team reward with PPO, as if the other agents were part of the
    environment. With ``share_parameters`` every agent runs one network
    (its input carries a one-hot agent id; actions outside an agent's knobs
    are masked). Every step all agents act, the joint design is evaluated
    once, so ``budget`` counts designs exactly as for single-agent agents.
    ``agents="single"`` gives one PPO learner over the whole design, the
    single-agent baseline in the same code.

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/DRAM-v1", workload="cloud-1", reward_formulation="power")
        >>> history = make_agent("ippo", n_steps=16).run(env, budget=32, seed=0)
        >>> len(history)
        32

    Args:
        learning_rate: Adam step size.
        n_steps: designs per rollout (one update of every agent per rollout).
        batch_size: minibatch size (a divisor of ``n_steps`` is best).
        n_epochs: passes over each rollout.
        gamma: discount between successive designs of an episode (0: a bandit over designs).
        gae_lambda: GAE's bias-variance trade-off.
        ent_coef: entropy bonus (keeps exploring).
        clip_range: PPO clipping.
        hidden: units per hidden layer.
        share_parameters: one network for all agents instead of one each.
        agents: ``"per_knob"`` (one agent per knob) or ``"single"`` (one agent for the design).
        observation: ``"metrics"`` (shared) or ``"own_knobs"`` (metrics plus the agent's last choice).
        formulation: the env as given (``"env"``), or posed as ``"archgym"`` or ``"bandit"`` (one
            design per episode) through ``DesignEnv.reformulated``, as for the single-agent RL agents.
    """

    name = "ippo"
    family = "multi-agent reinforcement learning"
    #: PPO's own hyperparameters are the ppo agent's (same defaults and sweep ranges), then the learners'
    hyperparameters = tuple(h for h in PPO.hyperparameters if h.name != "formulation") + (
        HyperParameter("gae_lambda", float, 0.95, (0.9, 0.95, 1.0), "GAE lambda", low=0.0, high=1.0),
        HyperParameter("hidden", int, 64, (32, 64, 128), "units per hidden layer", low=1),
        HyperParameter("share_parameters", bool, False, (False, True), "one network for all agents"),
        HyperParameter("agents", str, "per_knob", ("per_knob",), "agent layout (single: the single-agent control)",
                       choices=("per_knob", "single")),
        HyperParameter("observation", str, "metrics", ("metrics", "own_knobs"), "what each agent observes",
                       choices=("metrics", "own_knobs")),
        HyperParameter("formulation", str, "env", ("env", "archgym", "bandit"),
                       "the env as given or posed as archgym/bandit (agents compose complete designs: no edit)",
                       choices=("env", "archgym", "bandit")),
    )

    def _search(self, env: "gymnasium.Env", budget: int, seed: int) -> None:
        import torch

        from archgym.envs.multi_agent import MultiAgentDesign

        torch.set_num_threads(1)
        formulation = self.hp["formulation"]
        if formulation not in ("env", getattr(env.unwrapped, "formulation", "archgym")):
            env = env.unwrapped.reformulated(formulation)
        ma = MultiAgentDesign(env, agents=self.hp["agents"], observation=self.hp["observation"])
        learner = _Learner(ma, self.hp, seed)
        obs, _ = ma.reset(seed=seed)
        n_steps = self.hp["n_steps"]
        rollout = _Rollout()
        for _ in range(budget):
            x = learner.observations(obs)
            actions, logp, value = learner.act(x)
            obs, rewards, terminated, truncated, _ = ma.step(learner.to_env(actions))
            reward = np.array([rewards[a] for a in learner.agents], dtype=np.float64)
            done_term = any(terminated.values())
            done = done_term or any(truncated.values())
            if done and not done_term:  # truncated: bootstrap from the value of the last observation
                reward = reward + self.hp["gamma"] * learner.value(learner.observations(obs))
            rollout.add(x, actions, logp, value, reward, done)
            if done:
                obs, _ = ma.reset()
            if len(rollout) == n_steps:
                learner.update(rollout, learner.value(learner.observations(obs)))
                rollout = _Rollout()


class _Rollout:
    """One rollout: per step, every agent's observation, action, log-probability, value and reward."""

    def __init__(self) -> None:
        self.obs: list[Any] = []
        self.actions: list[Any] = []
        self.logp: list[Any] = []
        self.values: list[np.ndarray] = []
        self.rewards: list[np.ndarray] = []
        self.dones: list[bool] = []

    def __len__(self) -> int:
        return len(self.dones)

    def add(self, obs: Any, actions: Any, logp: Any, value: np.ndarray, reward: np.ndarray, done: bool) -> None:
        self.obs.append(obs)
        self.actions.append(actions)
        self.logp.append(logp)
        self.values.append(value)
        self.rewards.append(reward)
        self.dones.append(done)


class _Learner:
    """Every agent's policy and value networks, stacked: parameters have a leading agent axis.

    Agents with fewer knobs, fewer values per knob or shorter observations
    are padded to the widest; padded actions are masked out and padded
    inputs are zero, so each agent's networks compute exactly its own
    policy. One Adam over the stacked parameters is independent Adam per
    agent (Adam is elementwise); the loss is the sum of the agents' losses,
    each depending only on its own parameters (without parameter sharing).
    """

    def __init__(self, ma: Any, hp: dict[str, Any], seed: int):
        import torch

        self.hp = hp
        self.agents: list[str] = list(ma.possible_agents)
        self.discrete = [len(ma.groups[a]) == 1 for a in self.agents]
        n_agents = len(self.agents)
        nvecs = [ma.design_space.nvec[ma._columns[a]] for a in self.agents]
        self.n_knobs = [len(n) for n in nvecs]
        k_max, w_max = max(self.n_knobs), int(max(int(n.max()) for n in nvecs))
        valid = np.zeros((n_agents, k_max, w_max), dtype=bool)
        for i, n in enumerate(nvecs):
            for k, width in enumerate(n):
                valid[i, k, :width] = True
        self.valid = torch.as_tensor(valid)
        self.knob_valid = self.valid.any(-1)  # (A, K)
        self.obs_dims = [int(ma.observation_space(a).shape[0]) for a in self.agents]
        self.shared = bool(hp["share_parameters"])
        obs_dim = max(self.obs_dims) + (n_agents if self.shared else 0)
        self.shape = (k_max, w_max)
        self.generator = torch.Generator().manual_seed(int(seed))
        self.rng = np.random.default_rng(seed)
        stacks = 1 if self.shared else n_agents
        h = hp["hidden"]
        self.policy = _StackedMLP(stacks, [obs_dim, h, h, k_max * w_max], POLICY_GAIN, self.generator)
        self.critic = _StackedMLP(stacks, [obs_dim, h, h, 1], 1.0, self.generator)
        self.params = list(self.policy.parameters()) + list(self.critic.parameters())
        self.optimizer = torch.optim.Adam(self.params, lr=hp["learning_rate"], eps=1e-5)
        self.n_agents = n_agents

    # -- acting -----------------------------------------------------------------
    def observations(self, obs: dict[str, np.ndarray]) -> "torch.Tensor":
        """The agents' observations padded into one ``(A, D)`` tensor (plus agent ids when shared)."""
        import torch

        width = max(self.obs_dims)
        x = np.zeros((self.n_agents, width + (self.n_agents if self.shared else 0)), dtype=np.float32)
        for i, a in enumerate(self.agents):
            x[i, : self.obs_dims[i]] = obs[a]
            if self.shared:
                x[i, width + i] = 1.0
        return torch.as_tensor(x)

    def _logits(self, x: "torch.Tensor") -> "torch.Tensor":
        """Masked logits ``(A, B, K, W)`` for observations ``(A, B, D)``."""
        logits = self.policy(x).reshape(x.shape[0], x.shape[1], *self.shape)
        return logits.masked_fill(~self.valid[:, None], MASKED_LOGIT)

    def act(self, x: "torch.Tensor") -> tuple["torch.Tensor", "torch.Tensor", np.ndarray]:
        """Sample every agent's action ``(A, K)``; their log-probabilities ``(A,)`` and values ``(A,)``."""
        import torch

        with torch.no_grad():
            logits = self._logits(x[:, None])[:, 0]  # (A, K, W)
            probs = torch.softmax(logits, dim=-1).reshape(-1, self.shape[1])
            actions = torch.multinomial(probs, 1, generator=self.generator).reshape(self.n_agents, self.shape[0])
            actions = actions * self.knob_valid
            logp = self._log_prob(logits[:, None], actions[:, None])[:, 0]
            value = self.critic(x[:, None])[:, 0, 0]
        return actions, logp, value.numpy().astype(np.float64)

    def value(self, x: "torch.Tensor") -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.critic(x[:, None])[:, 0, 0].numpy().astype(np.float64)

    def _log_prob(self, logits: "torch.Tensor", actions: "torch.Tensor") -> "torch.Tensor":
        """Joint log-probability over each agent's knobs: logits ``(A, B, K, W)``, actions ``(A, B, K)``."""
        import torch

        logp = torch.log_softmax(logits, dim=-1).gather(-1, actions[..., None])[..., 0]
        return (logp * self.knob_valid[:, None]).sum(-1)

    def to_env(self, actions: "torch.Tensor") -> dict[str, Any]:
        """The env's per-agent actions: an int for one-knob agents, an index array for groups."""
        a = actions.numpy()
        return {agent: (int(a[i, 0]) if self.discrete[i] else a[i, : self.n_knobs[i]].astype(np.int64))
                for i, agent in enumerate(self.agents)}

    # -- learning ---------------------------------------------------------------
    def update(self, rollout: _Rollout, last_value: np.ndarray) -> None:
        """PPO epochs over one rollout; advantages by GAE, normalised per agent over the rollout."""
        import torch

        gamma, lam = self.hp["gamma"], self.hp["gae_lambda"]
        values = np.stack(rollout.values)  # (T, A)
        rewards = np.stack(rollout.rewards)
        T = len(rollout)
        adv = np.zeros_like(values)
        gae = np.zeros(self.n_agents)
        for t in reversed(range(T)):
            if rollout.dones[t]:
                next_value, gae = np.zeros(self.n_agents), np.zeros(self.n_agents)
            else:
                next_value = last_value if t == T - 1 else values[t + 1]
            delta = rewards[t] + gamma * next_value - values[t]
            gae = delta + gamma * lam * gae
            adv[t] = gae
        returns = torch.as_tensor((adv + values).T, dtype=torch.float32)  # (A, T)
        advantages = torch.as_tensor(adv.T, dtype=torch.float32)
        obs = torch.stack(rollout.obs, dim=1)  # (A, T, D)
        actions = torch.stack(rollout.actions, dim=1)  # (A, T, K)
        old_logp = torch.stack(rollout.logp, dim=1)  # (A, T)
        batch = min(self.hp["batch_size"], T)
        clip = self.hp["clip_range"]
        for _ in range(self.hp["n_epochs"]):
            order = self.rng.permutation(T)
            for start in range(0, T, batch):
                idx = torch.as_tensor(order[start:start + batch])
                if len(idx) < 2:
                    continue
                a = advantages[:, idx]
                a = (a - a.mean(1, keepdim=True)) / (a.std(1, keepdim=True) + 1e-8)
                logits = self._logits(obs[:, idx])
                logp = self._log_prob(logits, actions[:, idx])
                ratio = torch.exp(logp - old_logp[:, idx])
                policy_loss = -torch.min(a * ratio, a * torch.clamp(ratio, 1 - clip, 1 + clip)).mean(1)
                probs = torch.softmax(logits, dim=-1)
                entropy = -(probs * torch.log_softmax(logits, -1)).sum(-1)
                entropy = (entropy * self.knob_valid[:, None]).sum(-1).mean(1)
                value_loss = ((self.critic(obs[:, idx])[..., 0] - returns[:, idx]) ** 2).mean(1)
                loss = (policy_loss - self.hp["ent_coef"] * entropy + VF_COEF * value_loss).sum()
                self.optimizer.zero_grad()
                loss.backward()
                _clip_gradients(self.policy.parameters())
                _clip_gradients(self.critic.parameters())
                self.optimizer.step()


def _clip_gradients(params: list["torch.Tensor"]) -> None:
    """Clip the gradient norm of each stacked network on its own (per agent, or the one shared network).

    Policy and critic are clipped apart, so a value loss on a large reward
    scale cannot shrink the policy's step.
    """
    import torch

    grads = [p.grad for p in params if p.grad is not None]
    norms = torch.sqrt(sum((g.reshape(g.shape[0], -1) ** 2).sum(1) for g in grads))  # (stacks,)
    scale = torch.clamp(MAX_GRAD_NORM / (norms + 1e-6), max=1.0)
    for g in grads:
        g.mul_(scale.reshape(-1, *([1] * (g.dim() - 1))))


class _StackedMLP:
    """``tanh`` MLPs stacked along a leading axis: one per agent, or one broadcast to all agents."""

    def __init__(self, stacks: int, sizes: list[int], out_gain: float, generator: "torch.Generator"):
        import torch

        self.weights: list[torch.Tensor] = []
        self.biases: list[torch.Tensor] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            gain = out_gain if i == len(sizes) - 2 else float(np.sqrt(2.0))
            w = torch.empty(stacks, n_in, n_out)
            for s in range(stacks):  # orthogonal initialisation per agent, as stable-baselines3's
                torch.nn.init.orthogonal_(w[s], gain=gain, generator=generator)
            self.weights.append(w.requires_grad_())
            self.biases.append(torch.zeros(stacks, 1, n_out, requires_grad=True))

    def parameters(self) -> list["torch.Tensor"]:
        return self.weights + self.biases

    def __call__(self, x: "torch.Tensor") -> "torch.Tensor":
        """``(A, B, n_in) -> (A, B, n_out)``."""
        import torch

        n = x.shape[0]
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(b.expand(n, -1, -1), x, w.expand(n, -1, -1))
            if i < len(self.weights) - 1:
                x = torch.tanh(x)
        return x
