"""Benchmarks: ``python -m bench`` prints the tables of the README's Performance section.

Every row is a median of several runs and, where it compares, a ratio measured
in the same run (so a busy machine shifts both sides alike).
"""
