"""The ``fitbalance`` command line (:mod:`fitbalance.cli.root`). Prefect is imported only by the commands that run
flows, which live beside the flows and are registered as entry points."""

from fitbalance.cli.root import app, main

__all__ = ["app", "main"]
