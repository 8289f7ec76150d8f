"""config/gunicorn.py: processes from the cores, address from BIND, few connections per process, no access log, the app
preloaded."""

import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "config" / "gunicorn.py"


@pytest.fixture
def gunicorn_config(monkeypatch):
    def load(**environ):
        for name in ("BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_CONNECTIONS"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG))

    return load


def test_defaults(gunicorn_config):
    config = gunicorn_config()
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["workers"] == config["default_workers"](config["cpu_count"]())
    assert config["worker_class"] == "gthread"
    assert config["threads"] == 4
    # A process holds few connections: kept-alive ones would otherwise gather on one process (one core).
    assert config["worker_connections"] == 8
    assert config["preload_app"] is True
    assert config["accesslog"] is None
    assert config["errorlog"] == "-"
    assert config["control_socket_disable"] is True


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (3, 7), (4, 8), (64, 8)])
def test_two_processes_per_core_plus_one_at_most_eight(gunicorn_config, cpus, workers):
    assert gunicorn_config()["default_workers"](cpus) == workers


def test_environment(gunicorn_config):
    config = gunicorn_config(BIND="0.0.0.0:9000, unix:/run/maillage.sock", WEB_CONCURRENCY="3", GUNICORN_THREADS="8")
    assert config["bind"] == ["0.0.0.0:9000", "unix:/run/maillage.sock"]
    assert config["workers"] == 3
    assert config["threads"] == 8
    assert config["worker_connections"] == 16
    assert gunicorn_config(GUNICORN_CONNECTIONS="50")["worker_connections"] == 50
