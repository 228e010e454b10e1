"""docker-compose.yml, Dockerfile and .env.example agree with each other and with the code.

No Docker engine runs here, so the files are parsed: services, ports, the healthcheck, the env
names Neo4jStore.from_env reads, the serve port the CLI takes, the bank path the image ingests.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import neo4j
import pytest
import yaml
from zhitu import data
from zhitu.graph.neo4j_store import ENV_NAMES, Neo4jStore
from zhitu.graph.store import is_neo4j_target
from zhitu.ui import cli

ROOT = Path(__file__).resolve().parent.parent
_VAR = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    lines = [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(ln.split("=", 1) for ln in lines if ln.strip() and not ln.startswith("#"))


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR} / ${VAR:-default} with `env` as the .env file."""
    return _VAR.sub(lambda m: env.get(m.group(1)) or m.group(2) or "", str(value))


def _defaults(compose: dict[str, Any]) -> dict[str, str]:
    text = yaml.safe_dump(compose)
    return {m.group(1): m.group(2) for m in _VAR.finditer(text) if m.group(2) is not None}


def _instructions(dockerfile: list[tuple[str, str]], name: str) -> list[str]:
    return [args for instruction, args in dockerfile if instruction == name]


def test_services(compose) -> None:
    assert set(compose["services"]) == {"neo4j", "app"}


def test_neo4j_is_5_community_with_ports_volume_and_no_plugins(compose) -> None:
    neo = compose["services"]["neo4j"]
    assert re.fullmatch(r"neo4j:5(\.\d+)*(-community)?", neo["image"]), neo["image"]
    assert {"7474:7474", "7687:7687"} <= set(neo["ports"])
    volume, mount = neo["volumes"][0].split(":")
    assert mount == "/data" and volume in compose["volumes"]
    assert "NEO4J_PLUGINS" not in neo.get("environment", {})


def test_neo4j_healthcheck_logs_in_with_cypher_shell(compose) -> None:
    check = compose["services"]["neo4j"]["healthcheck"]
    command = " ".join(check["test"])
    assert check["test"][0] == "CMD-SHELL" and "cypher-shell" in command
    assert "$${NEO4J_AUTH#neo4j/}" in command  # the password the container was given
    assert "RETURN 1" in command
    assert check["retries"] * int(check["interval"].rstrip("s")) >= 60  # a slow first start


def test_app_waits_for_a_healthy_neo4j_and_serves_8501(compose, dockerfile) -> None:
    app = compose["services"]["app"]
    assert app["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
    assert app["build"] == "." and (ROOT / "Dockerfile").is_file()
    serve_port = next(p.default for p in cli.serve.params if p.name == "port")
    assert app["ports"] == [f"{serve_port}:{serve_port}"]
    assert _instructions(dockerfile, "EXPOSE") == [str(serve_port)]


def test_app_env_names_are_the_ones_from_env_reads(compose, env_example) -> None:
    app_env = compose["services"]["app"]["environment"]
    assert set(ENV_NAMES) | {"ZHITU_GRAPH"} <= set(app_env)
    uri = app_env["ZHITU_GRAPH"]
    assert is_neo4j_target(uri) and uri.endswith("://neo4j:7687")  # the service, its bolt port
    assert "7687:7687" in compose["services"]["neo4j"]["ports"]


@pytest.mark.parametrize("dotenv", ["example", "none"])
def test_app_credentials_open_the_server_neo4j_was_given(
    compose, env_example, monkeypatch, dotenv: str
) -> None:
    env_file = env_example if dotenv == "example" else {}
    auth = _interpolate(compose["services"]["neo4j"]["environment"]["NEO4J_AUTH"], env_file)
    user, password = auth.split("/", 1)
    assert len(password) >= 8  # Neo4j 5 refuses shorter passwords at first start
    app_env = {
        k: _interpolate(v, env_file) for k, v in compose["services"]["app"]["environment"].items()
    }
    for name, value in app_env.items():
        monkeypatch.setenv(name, value)
    factory = MagicMock(return_value=MagicMock(spec=neo4j.Driver))
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", factory)
    store = Neo4jStore.from_env(app_env["ZHITU_GRAPH"])
    factory.assert_called_once_with(app_env["ZHITU_GRAPH"], auth=(user, password))
    assert store.database == "neo4j"  # Community Edition's one user database


def test_env_example_documents_the_default(compose, env_example) -> None:
    defaults = _defaults(compose)
    assert set(env_example) == set(defaults)  # every variable compose reads, and only those
    assert env_example == defaults  # the example holds the documented defaults
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert f"NEO4J_AUTH=neo4j/{defaults['NEO4J_PASSWORD']}" in text


def test_dockerfile_installs_ingests_the_bank_and_serves(dockerfile) -> None:
    assert _instructions(dockerfile, "FROM") == ["python:3.11-slim"]
    assert any(re.search(r"\bpip install \.", run) for run in _instructions(dockerfile, "RUN"))
    workdir = Path(_instructions(dockerfile, "WORKDIR")[0])
    copied = [Path(workdir, args.split()[-1]) for args in _instructions(dockerfile, "COPY")]
    (cmd,) = _instructions(dockerfile, "CMD")
    shell = json.loads(cmd)
    assert shell[:2] == ["sh", "-c"]
    ingest, serve = [shlex.split(part) for part in shell[2].split("&&")]
    assert ingest[:2] == ["zhitu", "ingest"]
    bank = Path(ingest[2])  # in the image; the same path relative to the repository
    assert ROOT / bank.relative_to(workdir) == Path(data.QUESTIONS_DIR)
    assert any(bank.is_relative_to(c) for c in copied)
    assert serve == ["exec", "zhitu", "serve", "--host", "0.0.0.0", "--port", "8501"]


def test_image_copies_what_the_package_needs(dockerfile) -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    folders = {p.split(".")[1] for p in project["tool"]["setuptools"]["packages"] if "." in p}
    copies = _instructions(dockerfile, "COPY")
    sources = {s.rstrip("/") for args in copies for s in args.split()[:-1]}
    assert folders | {"pyproject.toml", "__init__.py", "__main__.py"} <= sources


def test_dockerignore_keeps_the_context_small() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env", "node_modules"} <= set(ignored)
