"""A deployment's flow runs do the job it was made for: their parameters come from it, not from whoever creates a run.

Whoever can create a flow run on a Prefect API can give it parameters, and the ingest flows' parameters name files:
the folder read (``inbox``, ``paths``), the database and the report written, the settings file, the athlete, the Dask
scheduler the files' contents go to. A run of ``fitbalance serve``'s deployment runs as the user who serves it: with
parameters of someone else's choosing it would read that user's files into a database of theirs. So a deployed flow
checks, first thing and before it reads anything (:func:`refuse_other_jobs`), that its run has

- the parameters ``fitbalance serve`` was started with: serve puts them in its own environment (:data:`JOB_VAR`,
  :func:`job_env`), which its flow-run processes inherit; Prefect's runner applies no job variables to them, so a
  run's creator cannot change it;
- the parameters of its deployment (defaults filled in), when it is a run of one: a run created with
  ``--param db=...`` or a custom run in the UI overrides them, and is refused. (The ``prefect.yaml`` deployments,
  run by a worker, are checked this way.)

A run that differs fails before reading a file: its state message names each parameter that differs, and the same
line goes to its output (``fitbalance serve`` shows it). Called as a plain function or as a subflow, a flow is no
run of a deployment, and only :data:`JOB_VAR` is checked. An operator changes what a deployment does by changing
the deployment: ``fitbalance serve`` with other options, or ``prefect deploy`` again from an edited ``prefect.yaml``.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Mapping
from typing import Any

from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext

from fitbalance.errors import ConfigError

JOB_VAR = "FITBALANCE_SERVE_JOB"  # {"flow": <flow name>, "parameters": {...}}: what serve was started with


def job_env(flow: Flow[..., Any], parameters: Mapping[str, Any]) -> str:
    """The value of :data:`JOB_VAR` for ``fitbalance serve`` serving ``flow`` with ``parameters``."""
    return json.dumps({"flow": flow.name, "parameters": dict(parameters)}, sort_keys=True)


def with_defaults(flow: Flow[..., Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter of ``flow``: the value ``parameters`` gives, else the flow's default (None when it has none)."""
    return {
        name: parameters.get(name, None if p.default is inspect.Parameter.empty else p.default)
        for name, p in inspect.signature(flow.fn).parameters.items()
    }


def _plain(value: Any) -> Any:
    """``value`` as JSON gives it back (a tuple as a list, a path as a string): how an API hands parameters over."""
    return json.loads(json.dumps(value, default=str))


def differences(expected: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    """``name=<given> (the job's: <expected>)`` for each parameter whose values differ, in name order."""
    return [
        f"{name}={given.get(name)!r} (the job's: {expected.get(name)!r})"
        for name in sorted(set(expected) | set(given))
        if _plain(given.get(name)) != _plain(expected.get(name))
    ]


def _deployment_parameters() -> tuple[str, dict[str, Any] | None]:
    """The name of the flow run in progress, and its deployment's parameters (None when it is no run of one)."""
    context = FlowRunContext.get()
    run = context.flow_run if context is not None else None
    if run is None:
        return "", None
    if run.deployment_id is None:
        return run.name, None
    with get_client(sync_client=True) as client:
        return run.name, dict(client.read_deployment(run.deployment_id).parameters)


def refuse_other_jobs(flow: Flow[..., Any], given: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` (after printing why) when ``given``, the parameters the flow runs with, are not the
    job it was served or deployed for (see the module docstring). Call it before reading anything."""
    jobs: list[tuple[str, Mapping[str, Any]]] = []
    served = json.loads(os.environ.get(JOB_VAR) or "{}")
    if served.get("flow") == flow.name:
        jobs.append(("the ones `fitbalance serve` was started with", served["parameters"]))
    name, deployed = _deployment_parameters()
    if deployed is not None:
        jobs.append(("its deployment's", deployed))
    for whose, job in jobs:
        if found := differences(with_defaults(flow, job), with_defaults(flow, given)):
            message = (
                f"refused flow run {name or flow.name!r}: its parameters are not {whose}: {'; '.join(found)}. "
                "Nothing was read; a deployment's parameters are changed by deploying it again"
            )
            print(message, flush=True)
            raise ConfigError(message)
