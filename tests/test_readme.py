"""Every README example that shows its output prints exactly that output."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```\n+(?:[^`\n][^\n]*\n+)?```text\n(.*?)```",
                      README.read_text() if README.exists() else "", re.S)


def test_the_readme_has_examples_with_output():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("code, shown", EXAMPLES, ids=lambda s: s.split("\n", 1)[0][:40])
def test_example_output_is_real(code, shown):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README example", "exec"), {})
    assert printed.getvalue() == shown
