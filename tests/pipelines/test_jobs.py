"""A deployment's flow runs do the job it was made for: a run whose parameters are not the deployment's (or not the
ones ``fitbalance serve`` was started with) is refused before it reads a file. With ``fitbalance serve`` and a real
server: tests/pipelines/test_other_user.py."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import State
from prefect.flow_engine import run_flow

from fitbalance.errors import ConfigError
from fitbalance_pipelines.jobs import JOB_VAR, differences, job_env, refuse_other_jobs, with_defaults
from fitbalance_pipelines.scale import dask_ingest_flow
from fitbalance_pipelines.serve import inbox_flow
from tests.conftest import ROOT


def test_differences_name_each_parameter_with_both_values() -> None:
    expected = {"db": "/home/me/t.duckdb", "inbox": "/home/me/in", "workers": None}
    given = {"db": "/tmp/theirs.duckdb", "inbox": "/home/me/in", "workers": 2}
    assert differences(expected, given) == [
        "db='/tmp/theirs.duckdb' (the job's: '/home/me/t.duckdb')",
        "workers=2 (the job's: None)",
    ]
    assert differences(expected, dict(expected)) == []


def test_values_compare_as_an_api_hands_them_over() -> None:
    """A list and a tuple of the same paths, a path and its string: the same parameters."""
    assert differences({"paths": ["/a", "/b"], "db": "/t"}, {"paths": ("/a", "/b"), "db": Path("/t")}) == []


def test_a_flows_defaults_fill_what_the_job_leaves_out() -> None:
    filled = with_defaults(inbox_flow, {"inbox": "/in", "db": "/t.duckdb"})
    assert filled == {
        "inbox": "/in",
        "db": "/t.duckdb",
        "report": None,
        "athlete": None,
        "settings_path": None,
        "workers": None,
    }


@pytest.fixture
def served_job(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """What ``fitbalance serve`` puts in its environment for its flow-run processes."""
    job = {"inbox": str(tmp_path / "inbox"), "db": str(tmp_path / "mine.duckdb"), "report": None, "athlete": "me"}
    monkeypatch.setenv(JOB_VAR, job_env(inbox_flow, job))
    return job


def test_serves_own_job_passes(served_job: dict[str, Any]) -> None:
    refuse_other_jobs(inbox_flow, served_job | {"settings_path": None, "workers": None})


def test_another_job_than_serves_is_refused_and_says_so(
    served_job: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The refusal names the parameter and both values, and goes to the run's output as well."""
    theirs = served_job | {"db": str(tmp_path / "theirs.duckdb")}
    with pytest.raises(ConfigError, match=r"parameters are not the ones `fitbalance serve` was started with") as error:
        refuse_other_jobs(inbox_flow, theirs)
    assert f"db={str(tmp_path / 'theirs.duckdb')!r}" in str(error.value)
    assert "Nothing was read" in capsys.readouterr().out


def test_serves_job_binds_only_the_flow_it_serves(served_job: dict[str, Any], tmp_path: Path) -> None:
    """Another flow run in a process that inherited serve's environment is not held to the inbox flow's job."""
    refuse_other_jobs(dask_ingest_flow, {"paths": [str(tmp_path)], "db": str(tmp_path / "cohort.duckdb")})


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "inbox"
    folder.mkdir()
    yield folder


def deployed_run(flow: Flow[..., Any], deployed: dict[str, Any], overrides: dict[str, Any]) -> State[Any]:
    """Create a deployment of ``flow`` with ``deployed`` parameters and a flow run of it with ``overrides`` (as
    ``prefect deployment run --param`` does), and run that flow run here, to its final state."""
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow(flow)
        deployment_id = client.create_deployment(flow_id, name="t", parameters=deployed, entrypoint="x.py:f")
        flow_run = client.create_flow_run_from_deployment(deployment_id, parameters=overrides)
    state = run_flow(flow, flow_run=flow_run, parameters=flow_run.parameters, return_type="state")
    assert isinstance(state, State)
    return state


@pytest.mark.parametrize("flow", [inbox_flow, dask_ingest_flow], ids=["inbox", "cohort"])
def test_a_run_with_other_parameters_than_its_deployments_is_refused_before_reading_a_file(
    flow: Flow[..., Any], inbox: Path, tmp_path: Path, prefect_harness: None
) -> None:
    """The deployments of prefect.yaml: a run created with another database fails, its state naming the parameter,
    and no file appears at the database it named."""
    mine, theirs = tmp_path / "mine.duckdb", tmp_path / "theirs.duckdb"
    source = {"inbox": str(inbox)} if flow is inbox_flow else {"paths": [str(inbox)]}
    state = deployed_run(flow, source | {"db": str(mine)}, {"db": str(theirs)})
    assert state.is_failed()
    assert "its parameters are not its deployment's" in (state.message or "")
    assert str(theirs) in (state.message or "")
    assert not theirs.exists() and not mine.exists()


def test_a_run_with_its_deployments_parameters_runs(inbox: Path, tmp_path: Path, prefect_harness: None) -> None:
    """`prefect deployment run` without parameters, a schedule, a quick run in the UI: the deployment's job."""
    db = tmp_path / "mine.duckdb"
    state = deployed_run(inbox_flow, {"inbox": str(inbox), "db": str(db)}, {})
    assert state.is_completed(), state.message
    assert db.exists()


def test_every_deployment_in_prefect_yaml_gives_every_parameter_its_flow_needs() -> None:
    """A run takes its parameters from its deployment, so the deployment must give all those without a default:
    otherwise every run would need some of its own, and be refused."""
    deployments = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    assert {d["name"] for d in deployments} == {"inbox", "cohort"}
    for deployment in deployments:
        path, name = deployment["entrypoint"].split(":")
        module = path.removeprefix("pipelines/").removesuffix(".py").replace("/", ".")  # the folder is on sys.path
        flow = getattr(importlib.import_module(module), name)
        required = {n for n, p in inspect.signature(flow.fn).parameters.items() if p.default is inspect.Parameter.empty}
        assert required <= set(deployment["parameters"]), deployment["name"]
