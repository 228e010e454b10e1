"""docker-compose.yml, Dockerfile and .env.example agree with each other and with the code.

No Docker engine runs here, so the files are parsed: services, ports, the healthcheck, the env
names Neo4jStore.from_env reads, the serve port the CLI takes, the bank path the image ingests.
Issue #20: only the app is published on every interface, there is no default password (compose
refuses to start without NEO4J_PASSWORD) and the admin key comes from .env; where a docker client
with the compose plugin exists, `docker compose config` checks the same rules.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
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
_VAR = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")
PASSWORD = "a-team-password-from-dotenv"


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


class Refused(Exception):
    """Compose would refuse to start: a required variable (${VAR:?message}) is unset or empty."""


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message} with `env` as the .env file."""

    def one(m: re.Match[str]) -> str:
        name, kind, arg = m.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            raise Refused(arg)
        return arg or ""

    return _VAR.sub(one, str(value))


def _variables(compose: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """name -> (kind, default or message): every variable compose reads."""
    text = yaml.safe_dump(compose, width=10_000)
    return {m.group(1): (m.group(2) or "", m.group(3) or "") for m in _VAR.finditer(text)}


def _instructions(dockerfile: list[tuple[str, str]], name: str) -> list[str]:
    return [args for instruction, args in dockerfile if instruction == name]


def test_services(compose) -> None:
    assert set(compose["services"]) == {"neo4j", "app"}


def test_neo4j_is_5_community_with_ports_volume_and_no_plugins(compose) -> None:
    neo = compose["services"]["neo4j"]
    assert re.fullmatch(r"neo4j:5(\.\d+)*(-community)?", neo["image"]), neo["image"]
    assert set(neo.get("ports", [])) <= {"127.0.0.1:7474:7474", "127.0.0.1:7687:7687"}
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
    assert "ZHITU_ADMIN_KEY" in app_env  # the key from .env (empty: a read-only app)


def _published(port: object) -> tuple[str, str]:
    """(host address, host port) of a short-syntax port mapping ("" address: every interface)."""
    parts = str(port).rsplit(":", 2)
    return ("", parts[0]) if len(parts) == 2 else (parts[0], parts[1])


def test_only_the_app_is_published_on_every_interface(compose) -> None:
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            address, _ = _published(port)
            assert name == "app" or address == "127.0.0.1", (name, port)


def test_there_is_no_default_password_and_compose_refuses_without_one(compose) -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "zhitu-local-password" not in text
    kind, message = _variables(compose)["NEO4J_PASSWORD"]
    assert kind == "?" and ".env.example" in message and ".env" in message  # says how
    for env_file in ({}, {"NEO4J_PASSWORD": ""}):
        with pytest.raises(Refused):
            _interpolate(compose["services"]["neo4j"]["environment"]["NEO4J_AUTH"], env_file)
        with pytest.raises(Refused):
            _interpolate(compose["services"]["app"]["environment"]["NEO4J_PASSWORD"], env_file)


def test_app_credentials_open_the_server_neo4j_was_given(
    compose, env_example, monkeypatch
) -> None:
    env_file = {**env_example, "NEO4J_PASSWORD": PASSWORD}  # .env as the operator filled it in
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


def test_env_example_documents_every_variable_and_holds_no_secret(compose, env_example) -> None:
    variables = _variables(compose)
    assert set(env_example) == set(variables)  # every variable compose reads, and only those
    assert env_example == {"NEO4J_PASSWORD": "", "ZHITU_ADMIN_KEY": ""}  # copied, it must be set
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "NEO4J_AUTH=neo4j/<password>" in text and "read-only" in text
    with pytest.raises(Refused):  # `cp .env.example .env` alone does not start a default
        _interpolate(compose["services"]["neo4j"]["environment"]["NEO4J_AUTH"], env_example)


def _compose_plugin() -> bool:
    if not shutil.which("docker"):
        return False
    found = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    return found.returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="no docker client with the compose plugin "
                    "(the structural tests above check the same rules)")  # fmt: skip
def test_docker_compose_config_applies_the_rules(tmp_path) -> None:
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text("NEO4J_PASSWORD=\nZHITU_ADMIN_KEY=\n", encoding="utf-8")
    refused = subprocess.run(["docker", "compose", "config"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)  # fmt: skip
    assert refused.returncode != 0 and "NEO4J_PASSWORD" in refused.stderr
    (tmp_path / ".env").write_text(f"NEO4J_PASSWORD={PASSWORD}\n", encoding="utf-8")
    found = subprocess.run(["docker", "compose", "config", "--format", "json"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    services = json.loads(found.stdout)["services"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert name == "app" or port.get("host_ip") == "127.0.0.1", (name, port)
    assert services["app"]["environment"]["NEO4J_PASSWORD"] == PASSWORD


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
