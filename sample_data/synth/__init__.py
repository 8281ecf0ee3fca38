"""Synthetic data: a FIT encoder, a training-history generator, the committed sample set, benchmark corpora.

- :mod:`~synth.fitwriter`: ``FitWriter().message("record", ...).to_bytes()``, ``chain(...)``.
- :mod:`~synth.history`: ``training_history(start, weeks, seed)``, ``generate_corpus(out_dir, n, seed)``.
- :mod:`~synth.samples`: ``sample_set()`` / ``write_sample_set(out_dir)`` (what ``sample_data/`` holds).
"""

from synth.fitwriter import FitWriter, chain, fit_crc, fit_seconds
from synth.history import encode_activity, generate_corpus, other_files, training_history
from synth.samples import sample_set, write_sample_set

__all__ = [
    "FitWriter",
    "chain",
    "encode_activity",
    "fit_crc",
    "fit_seconds",
    "generate_corpus",
    "other_files",
    "sample_set",
    "training_history",
    "write_sample_set",
]
