"""Every investigation in docs/reproduction.md that shows its output prints exactly that output."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reproduction.md"
RUNS = re.findall(r"```bash\npython (docs/investigations/\S+\.py[^\n#]*?)\s*(?:#[^\n]*)?\n```\n+```text\n(.*?)```",
                  DOC.read_text() if DOC.exists() else "", re.DOTALL)


def test_the_document_shows_investigations_with_output():
    assert len(RUNS) >= 4


@pytest.mark.slow
@pytest.mark.parametrize("command, shown", RUNS, ids=[command for command, _ in RUNS])
def test_investigation_output_is_real(command, shown):
    printed = subprocess.run([sys.executable, *shlex.split(command)], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    assert printed == shown
