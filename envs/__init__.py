"""Gymnasium environments built on archgym simulators."""
