"""The shipped examples run as a user would run them, against a real store."""

import subprocess
import sys
from pathlib import Path

import pytest

from index.pipeline import IndexConfig, index_paths

from .conftest import CORPUS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_llama_index_example_runs_against_a_real_store(tmp_path):
    index_paths([CORPUS], IndexConfig(store=tmp_path / "store"))
    env = {"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "OPENAI_API_KEY": ""}
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "use_with_llama_index.py"),
            str(tmp_path / "store"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "source nodes" in out.stdout
    assert "'hit_rate': 1.0" in out.stdout
    assert "abstained: False" in out.stdout
    assert "Eddie Wu" in out.stdout
