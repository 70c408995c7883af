"""The hand-written type stubs _core.pyi, _recurrent.pyi, _lockstep.pyi and tasks/_draws.pyi name exactly what the
compiled modules have."""

import ast
import inspect
from pathlib import Path

from lstm97 import _core, _lockstep, _recurrent
from lstm97.tasks import _draws


def check_stub(module, classes_with_methods):
    """The stub beside ``module`` names exactly its public functions, classes and the
    classes' methods and attributes, with the same parameters."""
    stub = ast.parse((Path(module.__file__).parent / (module.__name__.rsplit(".", 1)[1] + ".pyi")).read_text())
    classes = {n.name: n for n in stub.body if isinstance(n, ast.ClassDef)}
    functions = {n.name: n for n in stub.body if isinstance(n, ast.FunctionDef)}
    top = {t.id for n in stub.body if isinstance(n, ast.AnnAssign) for t in [n.target]} | set(classes) | set(functions)
    public = {n for n in dir(module) if not n.startswith("_") and n not in ("np",)}
    assert top == public
    for name, node in functions.items():
        assert [a.arg for a in node.args.args] == list(inspect.signature(getattr(module, name)).parameters), name
    for cls_name in classes_with_methods:
        cls, node = getattr(module, cls_name), classes[cls_name]
        methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} - {"__init__"}
        attrs = {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
        assert methods | attrs == {n for n in dir(cls) if not n.startswith("_")}
        for name in methods:
            stub_args = [a.arg for a in next(n for n in node.body if getattr(n, "name", "") == name).args.args]
            assert stub_args == list(inspect.signature(getattr(cls, name)).parameters), name


def test_stub_matches_module():
    check_stub(_core, ["Core"])


def test_recurrent_stub_matches_module():
    check_stub(_recurrent, ["Learner"])


def test_lockstep_stub_matches_module():
    check_stub(_lockstep, ["Lanes"])


def test_draws_stub_matches_module():
    check_stub(_draws, [])
