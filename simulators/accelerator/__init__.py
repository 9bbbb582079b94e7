"""Analytical model of a spatial (systolic) DNN accelerator."""
