"""Checks the generated Python bindings (dist/bindings/python) against the jsii assembly (.jsii).

- every generated .py file compiles (py_compile);
- every public type of the assembly (class, interface, struct, enum) is defined in `cdk8s_asya`;
- every class, struct and enum carries its documentation (a docstring right after the definition).

The jsii Python runtime (`jsii` on PyPI) and the cdk8s/constructs Python packages are not reachable
from this project's registries (npm, Debian), so importing the bindings is not possible here; this
check covers what can be checked offline.
"""
import json
import pathlib
import py_compile
import re
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parent.parent
assembly = json.loads((root / ".jsii").read_text())
src = root / "dist" / "bindings" / "python" / "src" / "cdk8s_asya"
init = (src / "__init__.py").read_text()

problems = []
files = sorted(src.rglob("*.py"))
with tempfile.TemporaryDirectory() as tmp:
    for i, f in enumerate(files):
        try:
            py_compile.compile(str(f), doraise=True, cfile=str(pathlib.Path(tmp) / f"{i}.pyc"))
        except py_compile.PyCompileError as err:
            problems.append(f"{f.relative_to(root)} does not compile: {err.msg}")

types = assembly.get("types", {})
blocks = {}
for m in re.finditer(r"^class (\w+)\b.*?(?=^class |\Z)", init, re.M | re.S):
    blocks.setdefault(m.group(1), m.group(0))


def norm(text):
    return re.sub(r"\s+", " ", text.replace("`", "")).strip()


checked = 0
for fqn, t in sorted(types.items()):
    name = t["name"]
    if "namespace" in t:
        continue  # nested types live in submodules
    checked += 1
    block = blocks.get(name)
    if block is None:
        problems.append(f"{fqn}: no class {name} in cdk8s_asya/__init__.py")
        continue
    summary = norm(t.get("docs", {}).get("summary", ""))[:40]
    if not summary:
        problems.append(f"{fqn}: {name} has no documentation")
    elif summary not in norm(block):
        problems.append(f"{fqn}: the docs of {name} are missing from the bindings (expected: {summary!r})")

print(f"python bindings: {len(files)} files compiled, {checked} public types checked, {len(problems)} problem(s)")
for p in problems:
    print(f"  {p}")
sys.exit(1 if problems else 0)
