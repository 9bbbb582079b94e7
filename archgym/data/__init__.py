"""Datasets of evaluation records and their collection.

:mod:`~archgym.data.datasets` reads, checks, merges and exports datasets (a
folder of Parquet shards and a manifest); :mod:`~archgym.data.collect`
evaluates many designs of an env in parallel and appends them to one. The
record format itself (schema, writer, journal) is :mod:`archgym.records`.

Example:
    >>> from archgym.data import datasets                   # doctest: +SKIP
    >>> df = datasets.load("data/dram")                     # doctest: +SKIP
"""
