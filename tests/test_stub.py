"""The hand-written type stub _core.pyi names exactly what the compiled module has."""

import ast
import inspect
from pathlib import Path

from lstm97 import _core


def test_stub_matches_module():
    stub = ast.parse((Path(_core.__file__).parent / "_core.pyi").read_text())
    classes = {n.name: n for n in stub.body if isinstance(n, ast.ClassDef)}
    top = {t.id for n in stub.body if isinstance(n, ast.AnnAssign) for t in [n.target]} | set(classes)
    public = {n for n in dir(_core) if not n.startswith("_") and n not in ("np",)}
    assert top == public
    core = classes["Core"]
    methods = {n.name for n in core.body if isinstance(n, ast.FunctionDef)} - {"__init__"}
    attrs = {n.target.id for n in core.body if isinstance(n, ast.AnnAssign)}
    actual = {n for n in dir(_core.Core) if not n.startswith("_")}
    assert methods | attrs == actual
    for name in methods:
        stub_args = [a.arg for a in next(n for n in core.body if getattr(n, "name", "") == name).args.args]
        assert stub_args == list(inspect.signature(getattr(_core.Core, name)).parameters), name


def test_recurrent_stub_matches_module():
    from lstm97 import _recurrent
    stub = ast.parse((Path(_recurrent.__file__).parent / "_recurrent.pyi").read_text())
    functions = {n.name: n for n in stub.body if isinstance(n, ast.FunctionDef)}
    public = {n for n in dir(_recurrent) if not n.startswith("_") and n not in ("np",)}
    assert set(functions) == public
    for name, node in functions.items():
        assert [a.arg for a in node.args.args] == list(inspect.signature(getattr(_recurrent, name)).parameters), name
