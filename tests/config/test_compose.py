"""The production deployment files, checked without a Docker engine: docker-compose.yml is
parsed with PyYAML, the Dockerfile instruction by instruction, and .env.example is compared
with what config/settings.py and compose actually read."""

import re
import shlex
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
# ${NAME}, ${NAME:-default}, ${NAME:?message}: compose interpolation.
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}")
SETTINGS_READ = re.compile(r"""\benv_(?:str|bool|int|list)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
# A variable line in .env.example, set ("NAME=...") or commented out ("# NAME=...").
EXAMPLE_VARIABLE = re.compile(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
# Read outside config/settings.py: PORT by the Makefile, POSTGRES_PASSWORD by compose.
READ_ELSEWHERE = {"PORT", "POSTGRES_PASSWORD"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile():
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions = []
    pending = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), " ".join(arguments.split())))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def _environment(service):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return {name: str(value) for name, value in environment.items()}


def _command(service):
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]


def _interpolated(value):
    """The value as compose would pass it, with every ${...} filled in with a placeholder."""
    return INTERPOLATION.sub("placeholder", value)


def _volume_mounts(service):
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, _, target = volume.partition(":")
            mounts[target.split(":")[0]] = source
        else:
            mounts[volume["target"]] = volume["source"]
    return mounts


def _instructions(dockerfile, keyword):
    return [arguments for name, arguments in dockerfile if name == keyword]


def _example_names():
    return set(EXAMPLE_VARIABLE.findall((ROOT / ".env.example").read_text()))


def _example_values():
    """The variables .env.example sets (not commented out), quotes removed."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match[1]] = match[2].strip().strip("\"'")
    return values


# --- docker-compose.yml ---


def test_compose_runs_web_worker_beat_postgres_and_redis(compose):
    assert set(compose["services"]) >= {"web", "worker", "beat", "postgres", "redis"}


def test_web_worker_and_beat_are_built_from_the_dockerfile(compose):
    for name in APP_SERVICES:
        build = compose["services"][name]["build"]
        if isinstance(build, str):
            build = {"context": build}
        dockerfile = ROOT / build["context"] / build.get("dockerfile", "Dockerfile")
        assert dockerfile.resolve() == (ROOT / "Dockerfile").resolve(), name


def test_web_migrates_the_database_then_runs_gunicorn_on_config_wsgi(compose):
    command = _command(compose["services"]["web"])
    assert command[:2] == ["sh", "-c"]
    steps = [shlex.split(step) for step in command[2].split("&&")]
    assert steps[0] == ["python", "manage.py", "migrate", "--noinput"]
    gunicorn = steps[-1]
    assert gunicorn[:3] == ["exec", "gunicorn", "config.wsgi:application"]
    assert gunicorn[gunicorn.index("--bind") + 1].endswith(":8000")


def test_worker_runs_a_celery_worker_on_the_config_app(compose):
    assert _command(compose["services"]["worker"])[:4] == ["celery", "-A", "config", "worker"]


def test_beat_runs_celery_beat_with_its_schedule_in_the_shared_var_volume(compose):
    command = _command(compose["services"]["beat"])
    assert command[:4] == ["celery", "-A", "config", "beat"]
    assert command[command.index("--schedule") + 1].startswith("/app/var/")


def test_postgres_and_redis_have_healthchecks_and_keep_their_data_in_named_volumes(compose):
    services = compose["services"]
    declared = set(compose.get("volumes") or {})
    expected = {
        "postgres": ("pg_isready", "/var/lib/postgresql/data"),
        "redis": ("redis-cli ping", "/data"),
    }
    for name, (probe, data_dir) in expected.items():
        test = services[name]["healthcheck"]["test"]
        assert probe in (test if isinstance(test, str) else " ".join(test)), name
        assert _volume_mounts(services[name]).get(data_dir) in declared, name


def test_web_worker_and_beat_share_the_production_environment(compose):
    environments = [_environment(compose["services"][name]) for name in APP_SERVICES]
    assert environments[0]
    assert environments[1] == environments[0]
    assert environments[2] == environments[0]


def test_web_worker_and_beat_use_the_postgres_service_as_database(compose):
    for name in APP_SERVICES:
        url = urlsplit(_interpolated(_environment(compose["services"][name])["DATABASE_URL"]))
        assert url.scheme == "postgres", name
        assert url.hostname == "postgres", name


def test_web_worker_and_beat_use_the_redis_service_as_broker(compose):
    for name in APP_SERVICES:
        environment = _environment(compose["services"][name])
        url = urlsplit(_interpolated(environment["CELERY_BROKER_URL"]))
        assert url.scheme == "redis", name
        assert url.hostname == "redis", name


def test_web_worker_and_beat_run_with_debug_off_and_a_secret_key_from_the_environment(compose):
    for name in APP_SERVICES:
        environment = _environment(compose["services"][name])
        assert environment["DEBUG"] == "0", name
        # ${SECRET_KEY} or ${SECRET_KEY:?message}; never a literal, never a :-default.
        assert re.fullmatch(r"\$\{SECRET_KEY(:?\?[^}]*)?\}", environment["SECRET_KEY"]), name


def test_web_worker_and_beat_wait_for_healthy_postgres_and_redis(compose):
    for name in APP_SERVICES:
        depends_on = compose["services"][name]["depends_on"]
        for dependency in ("postgres", "redis"):
            assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)
            assert "healthcheck" in compose["services"][dependency]


def test_web_worker_and_beat_share_the_var_volume(compose):
    for name in APP_SERVICES:
        source = _volume_mounts(compose["services"][name]).get("/app/var")
        assert source == "parley-var", name
    assert "parley-var" in (compose.get("volumes") or {})


def test_every_service_restarts_unless_stopped(compose):
    for name, service in compose["services"].items():
        assert service.get("restart") == "unless-stopped", name


def test_web_is_published_on_the_loopback_interface_only(compose):
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_web_healthcheck_gets_healthz_with_the_first_allowed_host(compose, monkeypatch):
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    code = test[test.index("-c") + 1]
    requests = []

    def fake_urlopen(request, timeout=None):
        requests.append(request)

    monkeypatch.setenv("ALLOWED_HOSTS", "parley.example.org,www.parley.example.org")
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    exec(code, {})  # noqa: S102 - the health check's own code, from our compose file

    assert len(requests) == 1
    assert requests[0].full_url == "http://127.0.0.1:8000/healthz"
    assert requests[0].get_header("Host") == "parley.example.org"


def test_web_healthcheck_fails_when_healthz_answers_503(compose, monkeypatch):
    test = compose["services"]["web"]["healthcheck"]["test"]
    code = test[test.index("-c") + 1]

    def unavailable(request, timeout=None):
        raise urllib.error.HTTPError(request.full_url, 503, "Service Unavailable", {}, None)

    monkeypatch.setenv("ALLOWED_HOSTS", "parley.example.org")
    monkeypatch.setattr(urllib.request, "urlopen", unavailable)
    with pytest.raises(urllib.error.HTTPError):
        exec(code, {})  # noqa: S102 - the health check's own code, from our compose file


# --- .env.example ---


def test_every_variable_the_web_environment_uses_is_in_env_example(compose):
    web = _environment(compose["services"]["web"])
    used = set(web) | {name for value in web.values() for name in INTERPOLATION.findall(value)}
    assert "POSTGRES_PASSWORD" in used
    assert sorted(used - _example_names()) == []


def test_every_variable_compose_interpolates_is_in_env_example():
    used = set(INTERPOLATION.findall((ROOT / "docker-compose.yml").read_text()))
    assert "SECRET_KEY" in used
    assert sorted(used - _example_names()) == []


def test_every_variable_the_settings_read_is_in_env_example():
    read = set(SETTINGS_READ.findall((ROOT / "config" / "settings.py").read_text()))
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CELERY_BROKER_URL"} <= read
    assert sorted((read | READ_ELSEWHERE) - _example_names()) == []


def test_every_variable_in_env_example_is_explained_with_its_default():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for number, line in enumerate(lines):
        match = EXAMPLE_VARIABLE.match(line)
        if not match:
            continue
        comment = []
        for previous in reversed(lines[:number]):
            if not previous.startswith("#") or EXAMPLE_VARIABLE.match(previous):
                break
            comment.append(previous)
        assert comment, f"{match[1]} has no comment above it"
        assert "default" in " ".join(comment).lower(), f"{match[1]}'s comment gives no default"


def test_env_example_holds_only_placeholder_secrets():
    values = _example_values()
    assert values["SECRET_KEY"].startswith("change-me")
    assert values["POSTGRES_PASSWORD"].startswith("change-me")
    assert values.get("EMAIL_HOST_PASSWORD", "") == ""


# --- Dockerfile ---


def test_image_is_based_on_python_313_slim_bookworm(dockerfile):
    assert dockerfile[0] == ("FROM", "python:3.13-slim-bookworm")


def test_image_installs_pango_and_noto_fonts_for_weasyprint(dockerfile):
    installs = [run for run in _instructions(dockerfile, "RUN") if "apt-get install" in run]
    assert len(installs) == 1
    words = installs[0].split()
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-noto-core", "fonts-noto-cjk"):
        assert package in words, package
    assert "--no-install-recommends" in words
    assert "/var/lib/apt/lists/*" in words


def test_image_copies_the_project_and_installs_its_dependencies(dockerfile):
    copied = []
    for arguments in _instructions(dockerfile, "COPY"):
        copied += [source.rstrip("/") for source in arguments.split()[:-1]]
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = [pattern.rstrip("*") for pattern in packages["packages"]["find"]["include"]]
    needed = ["pyproject.toml", "README.md", "manage.py", "templates", "static", *packages]
    for source in needed:
        assert source in copied, source
    assert copied.index("pyproject.toml") < copied.index("config")

    installs = [run for run in _instructions(dockerfile, "RUN") if "pip install" in run]
    assert len(installs) == 1
    assert "pyproject.toml" in installs[0] and "['dependencies']" in installs[0]
    assert "--no-cache-dir" in installs[0]
    assert not {"-e", "--editable"} & set(installs[0].split())
    # The code runs from /app, where the settings find templates/ and static/.
    assert "PYTHONPATH=/app" in " ".join(_instructions(dockerfile, "ENV"))


def test_every_app_of_the_project_is_packaged_and_so_copied_into_the_image(settings):
    # An installed app left out of the image stops the settings loading there.
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {pattern.rstrip("*") for pattern in packages["packages"]["find"]["include"]}
    ours = {app.split(".")[0] for app in settings.INSTALLED_APPS}
    ours = {app for app in ours if (ROOT / app).is_dir()}
    assert {"dialogues", "uptake", "monitoring", "bench"} <= ours
    assert ours <= packages


def test_image_collects_static_files_with_a_build_only_secret_key(dockerfile):
    runs = [run for run in _instructions(dockerfile, "RUN") if "collectstatic" in run]
    assert len(runs) == 1
    assert re.search(r"\bSECRET_KEY=\S+.*manage\.py collectstatic --noinput", runs[0])


def test_image_never_bakes_in_a_secret_key(dockerfile):
    for keyword in ("ENV", "ARG"):
        for arguments in _instructions(dockerfile, keyword):
            assert "SECRET_KEY" not in arguments, f"{keyword} {arguments}"


def test_image_runs_gunicorn_as_parley_from_app_on_port_8000(dockerfile):
    environment = {}
    for arguments in _instructions(dockerfile, "ENV"):
        environment.update(pair.partition("=")[::2] for pair in shlex.split(arguments))
    assert environment["PYTHONUNBUFFERED"] == "1"
    assert environment["PARLEY_VAR_DIR"] == "/app/var"
    assert _instructions(dockerfile, "WORKDIR")[-1] == "/app"
    assert _instructions(dockerfile, "USER")[-1] == "parley"
    assert "8000" in _instructions(dockerfile, "EXPOSE")[-1].split()
    command = yaml.safe_load(_instructions(dockerfile, "CMD")[-1])  # a JSON array
    assert command[:2] == ["gunicorn", "config.wsgi:application"]
    assert command[command.index("--bind") + 1].endswith(":8000")
