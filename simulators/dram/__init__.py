"""Trace-driven DRAM memory-controller model."""
