"""Worked examples that the documentation walks through and the tests use.

:mod:`archgym.examples.toy` is the smallest complete simulator and env, laid
out as ``docs/adding-a-simulator.md`` asks a new one to be. It is not a model
of any hardware and ``import archgym`` does not register it.
"""
