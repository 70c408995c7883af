"""Packaging: what the sdist and the wheel hold, the version, the optional dependencies, and
the message of an import from a source tree whose core is not built (issue #19)."""

import ast
import importlib.machinery
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

import lstm97
from lstm97._optional import MissingDependency, require

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(lstm97.__file__).resolve().parent

# What the sdist must hold to build lstm97 and to run its tests and benchmarks.
NEEDED = ["lstm97/_core.pyx", "lstm97/_core.pyi", "lstm97/_recurrent.pyx", "lstm97/_recurrent.pyi", "lstm97/py.typed", "lstm97/__init__.py",
          "setup.py", "pyproject.toml", "MANIFEST.in", "README.md", "LICENSE",
          "tests/conftest.py", "tests/reference.py", "tests/torch_twin.py",
          "docs/reproduction.md", "benchmarks/asv.conf.json"]
# Built in place by a build or an editable install; never shipped.
BUILT = [pyx.with_suffix(ext).relative_to(ROOT).as_posix() for pyx in sorted((ROOT / "lstm97").rglob("*.pyx"))
         for ext in (".c", importlib.machinery.EXTENSION_SUFFIXES[0])]


CACHES = {"__pycache__", ".pytest_cache", ".hypothesis", ".asv", ".benchmarks"}


def _tree(pattern):
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern)
                  if p.is_file() and not CACHES & set(p.parts) and p.suffix not in (".pyc", ".so"))


def _needed():
    """Every file that the sdist must hold and this tree has."""
    return NEEDED + _tree("lstm97/**/*.pyx") + _tree("lstm97/**/*.pyi") + _tree("lstm97/*.h") + _tree("tests/**/*") + _tree("benchmarks/**/*") + _tree("tools/**/*.py") \
        + _tree("docs/*.md") + _tree("docs/results/*.jsonl") + _tree("docs/investigations/*.py")


# ------------------------------------------------------------------------------ MANIFEST.in


def test_the_manifest_takes_in_the_core_source_the_tests_and_the_recorded_trials(monkeypatch):
    """MANIFEST.in's rules, applied by setuptools to this tree, keep what the sdist needs and
    drop what a build makes (which setuptools' defaults would add: the generated _core.c)."""
    egg_info = pytest.importorskip("setuptools.command.egg_info")
    if not (ROOT / "MANIFEST.in").is_file():
        pytest.skip("no MANIFEST.in beside the tests")
    monkeypatch.chdir(ROOT)
    files = egg_info.FileList()
    files.files = ["README.md", "setup.py", "pyproject.toml"] + BUILT  # as setuptools' defaults do
    for line in (ROOT / "MANIFEST.in").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            files.process_template_line(line)
    kept = set(files.files)
    present = [f for f in _needed() if (ROOT / f).exists()]
    assert len(present) >= len(NEEDED) + 20  # the tree is there: tests, recorded trials, investigations
    missing = sorted(set(present) - kept)
    assert not missing, f"MANIFEST.in leaves out {missing}"
    assert not set(BUILT) & kept
    assert not [f for f in kept if f.endswith((".so", ".pyc")) or "__pycache__" in f]


def test_the_version_is_one_static_assignment_that_the_metadata_agrees_with():
    """setuptools reads ``lstm97.__version__`` without importing lstm97 (whose core is not built
    when the metadata is made): that needs a plain ``__version__ = "..."`` at module level."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    versions = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
                and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]
    assert versions == [lstm97.__version__]
    assert importlib.metadata.version("lstm97") == lstm97.__version__
    pyproject = ROOT / "pyproject.toml"
    tomllib = pytest.importorskip("tomllib")
    if pyproject.is_file():
        config = tomllib.loads(pyproject.read_text())
        assert "version" in config["project"]["dynamic"] and "version" not in config["project"]
        assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "lstm97.__version__"}


def test_lstm97_version(tmp_path):
    printed = subprocess.run([sys.executable, "-m", "lstm97", "--version"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert (printed.returncode, printed.stdout) == (0, f"lstm97 {lstm97.__version__}\n")


def test_numpy_and_tqdm_are_the_only_hard_dependencies():
    """matplotlib and distributed are extras: `lstm97[plot]`, `lstm97[dask]`, `lstm97[all]`."""
    tomllib = pytest.importorskip("tomllib")
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("no pyproject.toml beside the tests")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(re.split(r"[<>=!~; \[]", r)[0] for r in project["dependencies"]) == ["numpy", "tqdm"]
    extras = project["optional-dependencies"]
    assert {"plot", "dask", "all", "test"} <= set(extras)
    assert any(r.startswith("matplotlib") for r in extras["plot"])
    assert any(r.startswith("distributed") for r in extras["dask"])


# ------------------------------------------------------------------------------ source tree


def _source_copy(tmp_path, core=None):
    """A copy of the lstm97 package in ``tmp_path``, without its compiled core (or with the
    bytes ``core`` in its place)."""
    target = tmp_path / "lstm97"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd", "*.c"))
    if core is not None:
        (target / ("_core" + importlib.machinery.EXTENSION_SUFFIXES[0])).write_bytes(core)
    return tmp_path


# An editable install's finder would find the checkout's core for the copy; leave it out.
NO_EDITABLE = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path "
               "if not getattr(f, '__module__', '').startswith('__editable__')]; ")


RUN_MAIN = "import runpy; runpy.run_module('lstm97', run_name='__main__', alter_sys=True)"


@pytest.mark.parametrize("command", [["-c", NO_EDITABLE + "import lstm97"],
                                     ["-c", NO_EDITABLE + RUN_MAIN, "list"]], ids=["import", "python -m lstm97"])
def test_a_source_tree_without_the_core_says_so_and_what_to_do(tmp_path, command):
    where = _source_copy(tmp_path)
    result = subprocess.run([sys.executable, *command], cwd=where, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: lstm97's compiled core (lstm97._core) is not built in ")
    assert str(where / "lstm97") in last
    assert "Run from another folder" in last and "pip install -e ." in last
    assert "circular import" not in result.stderr


def test_a_broken_core_is_named_with_the_reason(tmp_path):
    where = _source_copy(tmp_path, core=b"not a shared object")
    result = subprocess.run([sys.executable, "-c", NO_EDITABLE + "import lstm97"], cwd=where,
                            capture_output=True, text=True, timeout=60)
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode != 0 and "cannot be imported" in last and "rebuild it" in last


# ------------------------------------------------------------------------------ optional dependencies


def test_import_and_training_need_numpy_alone(tmp_path):
    code = textwrap.dedent("""
        import sys
        import numpy as np
        import lstm97
        from lstm97.tasks import Adding
        net = lstm97.LSTM(lstm97.table10("4-1"), rng=0)
        task = Adding(T=50)
        for i in range(3):
            net.train_sequence(*task.sample(rng=i), learning_rate=0.5)
        print(sorted(m for m in ("matplotlib", "tqdm", "joblib", "distributed") if m in sys.modules))
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert (result.returncode, result.stdout) == (0, "[]\n"), result.stderr


def test_a_missing_extra_is_named(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    from lstm97.report import plot

    with pytest.raises(MissingDependency, match=r'^plotting needs the \'matplotlib\' package, which is not '
                                                r'installed: pip install "lstm97\[plot\]"$') as info:
        plot(tmp_path)
    assert isinstance(info.value, ImportError) and isinstance(info.value, RuntimeError)
    assert info.value.name == "matplotlib"
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'the dask backend needs .* pip install "lstm97\[dask\]"'):
        require("distributed", "dask", what="the dask backend")
    with pytest.raises(RuntimeError, match=r"pip install no_such_module_xyz \(a dependency of lstm97"):
        require("no_such_module_xyz")


def test_a_missing_dependency_of_an_installed_extra_is_not_blamed_on_the_extra(monkeypatch, tmp_path):
    (tmp_path / "fakeplot").mkdir()
    (tmp_path / "fakeplot" / "__init__.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as info:
        require("fakeplot", "plot")
    assert info.value.name == "no_such_dependency_xyz" and not isinstance(info.value, MissingDependency)
    assert require("json").dumps([1]) == "[1]"


def test_lstm97_plot_without_matplotlib_exits_2_naming_the_extra(tmp_path):
    out = tmp_path / "results"
    run = subprocess.run([sys.executable, "-m", "lstm97", "run", "temporal-order-6a", "--trials", "1",
                          "--jobs", "1", "--max-sequences", "50", "--out", str(out)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    code = ("import sys; sys.modules['matplotlib'] = None  # as if not installed\n"
            "from lstm97.cli import main; sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", code, "plot", str(out)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == ("lstm97: error: plotting needs the 'matplotlib' package, which is not installed: "
                             'pip install "lstm97[plot]"\n')


# ------------------------------------------------------------------------------ the real build


def _clean_copy(target):
    """This source tree without what a build, a test or a run leaves in it."""
    def junk(directory, names):
        top = Path(directory) == ROOT
        return {n for n in names if n in CACHES or n.endswith((".so", ".pyc"))
                or top and (n in (".git", "build", "dist", "lstm97-results") or n.endswith(".egg-info"))
                or Path(directory).is_relative_to(ROOT / "lstm97") and n.endswith((".c", ".html"))}

    shutil.copytree(ROOT, target, ignore=junk)
    return target


@pytest.mark.slow
def test_the_sdist_and_the_wheel_built_from_it(tmp_path):
    """``python -m build``: the sdist, then the wheel from the sdist (about a minute: it
    fetches the build requirements and compiles the core)."""
    pytest.importorskip("build")
    if not (ROOT / "setup.py").is_file():
        pytest.skip("no source tree beside the tests")
    source = _clean_copy(tmp_path / "source")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp_path / "dist"), str(source)],
                   check=True, capture_output=True, timeout=900)
    (sdist,) = (tmp_path / "dist").glob("lstm97-*.tar.gz")
    (wheel,) = (tmp_path / "dist").glob("lstm97-*.whl")
    with tarfile.open(sdist) as tar:
        prefix = f"lstm97-{lstm97.__version__}/"
        shipped = {name.removeprefix(prefix) for name in tar.getnames()}
    missing = sorted({f for f in _needed() if (ROOT / f).exists()} - shipped)
    assert not missing, f"the sdist lacks {missing}"
    assert not [f for f in shipped if f in BUILT or f.endswith((".so", ".pyc"))]  # the C baseline is source
    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        metadata = whl.read(f"lstm97-{lstm97.__version__}.dist-info/METADATA").decode()
    assert {"lstm97/_core.pyi", "lstm97/py.typed", "lstm97/_core.pyx", "lstm97/_recurrent.pyi",
            "lstm97/tasks/_draws.pyi"} <= set(names)
    for module in ("_core", "_recurrent", "_lockstep", "tasks/_draws"):
        assert [n for n in names if n.startswith(f"lstm97/{module}.") and n.endswith(".so")]
    assert not [n for n in names if n.endswith(".c") or n.startswith(("tests/", "docs/", "benchmarks/"))]
    assert "License-Expression: MIT\n" in metadata and "Classifier: License ::" not in metadata
    assert "Project-URL: Homepage, https://github.com/lstm97/lstm97\n" in metadata
    always = [line for line in metadata.splitlines()
              if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert always == ["Requires-Dist: numpy>=1.25", "Requires-Dist: tqdm>=4.60"]
