"""Search agents behind one interface: ``agent.run(env, budget, seed) -> History``."""
