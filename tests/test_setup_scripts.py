"""The interpreter finder behind `make run` and `make test`."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIND_PYTHON = ROOT / "scripts" / "find-python"


def _run(env):
    return subprocess.run(
        [str(FIND_PYTHON)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_finds_a_python_of_at_least_3_12():
    result = _run({"PATH": "/usr/bin:/bin", "HOME": str(Path.home())})
    assert result.returncode == 0, result.stderr
    version = subprocess.run(
        [result.stdout.strip(), "-c", "import sys; print(sys.version_info[:2] >= (3, 12))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == "True"


def test_python_override_is_used_when_suitable():
    result = _run({"PATH": "/usr/bin:/bin", "PYTHON": sys.executable})
    assert result.returncode == 0
    assert Path(result.stdout.strip()).resolve() == Path(sys.executable).resolve()


def test_unsuitable_override_is_refused_in_one_clear_line(tmp_path):
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)
    result = _run({"PATH": "/usr/bin:/bin", "PYTHON": str(old)})
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "is not a working Python >= 3.12 with venv and ensurepip" in result.stderr
