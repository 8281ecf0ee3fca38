"""Synthetic data: a FIT encoder and a training-history generator for sample data, tests and benchmarks."""

from fitbalance.synth.fitwriter import FitWriter, chain, fit_crc

__all__ = ["FitWriter", "chain", "fit_crc"]
