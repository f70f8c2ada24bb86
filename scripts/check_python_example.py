"""Checks the Python example apps (examples/python/*.py) against the generated bindings (dist/bindings/python).

The jsii Python runtime and the cdk8s/constructs Python packages come from PyPI, which this project's
machines cannot reach, so the example cannot be run here. This check covers what can be checked offline:
- every example compiles (py_compile);
- every name imported from `cdk8s_asya` is defined by the generated package;
- every call of a `cdk8s_asya` class, struct or static method passes only keyword arguments the generated
  signature declares, and every required keyword argument;
- every dict literal passed where the generated signature expects a struct uses only that struct's keys
  (recursively), so a camelCase or misspelt key fails here instead of at run time.
"""
import ast
import pathlib
import py_compile
import re
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parent.parent
pkg = root / "dist" / "bindings" / "python" / "src" / "cdk8s_asya" / "__init__.py"
examples = sorted((root / "examples" / "python").glob("*.py"))
if not pkg.exists():
    sys.exit(f"{pkg.relative_to(root)} is missing: run `npx projen bindings:python` first")

generated = ast.parse(pkg.read_text())


class Signature:
    def __init__(self, fn: ast.FunctionDef):
        self.kwonly = [a.arg for a in fn.args.kwonlyargs]
        self.required = {a.arg for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is None}
        self.positional = [a.arg for a in fn.args.args if a.arg not in ("self", "cls")]
        self.annotations = {a.arg: ast.unparse(a.annotation) if a.annotation else "" for a in fn.args.kwonlyargs}


classes: dict = {}  # name -> {"init": Signature | None, "methods": {name: Signature}}
for node in generated.body:
    if isinstance(node, ast.ClassDef):
        entry = {"init": None, "methods": {}}
        for item in node.body:
            if isinstance(item, ast.FunctionDef):
                sig = Signature(item)
                if item.name == "__init__":
                    entry["init"] = sig
                elif not item.name.startswith("_"):
                    entry["methods"][item.name] = sig
        classes[node.name] = entry

problems = []


def struct_of(annotation: str):
    """The struct class a keyword argument takes, when its annotation allows a dict for it."""
    m = re.search(r'Union\[\s*["\']?(\w+)["\']?\s*,\s*typing\.Dict\[', annotation)
    return m.group(1) if m and m.group(1) in classes else None


def list_struct_of(annotation: str):
    m = re.search(r'Sequence\[\s*typing\.Union\[\s*["\']?(\w+)["\']?\s*,\s*typing\.Dict\[', annotation)
    return m.group(1) if m and m.group(1) in classes else None


def check_dict(where: str, struct: str, node: ast.AST, path: str) -> None:
    init = classes[struct]["init"]
    if not isinstance(node, ast.Dict) or init is None:
        return
    keys = []
    for k, v in zip(node.keys, node.values):
        if not isinstance(k, ast.Constant) or not isinstance(k.value, str):
            continue
        keys.append(k.value)
        if k.value not in init.kwonly:
            problems.append(f"{where}: {path}: key '{k.value}' is not a field of {struct} (fields: {', '.join(init.kwonly)})")
            continue
        check_value(where, init.annotations[k.value], v, f"{path}.{k.value}")
    missing = sorted(init.required - set(keys))
    if missing:
        problems.append(f"{where}: {path}: {struct} needs {', '.join(missing)}")


def check_value(where: str, annotation: str, value: ast.AST, path: str) -> None:
    s = struct_of(annotation)
    if s:
        check_dict(where, s, value, path)
        return
    ls = list_struct_of(annotation)
    if ls and isinstance(value, ast.List):
        for i, el in enumerate(value.elts):
            check_dict(where, ls, el, f"{path}[{i}]")


def check_call(where: str, what: str, sig: Signature, call: ast.Call, names: dict) -> None:
    given = set()
    for kw in call.keywords:
        if kw.arg is None:
            continue
        given.add(kw.arg)
        if kw.arg not in sig.kwonly:
            problems.append(f"{where}: {what}() has no keyword argument '{kw.arg}' (it takes: {', '.join(sig.kwonly) or 'none'})")
            continue
        value = names.get(kw.value.id, kw.value) if isinstance(kw.value, ast.Name) else kw.value
        check_value(where, sig.annotations[kw.arg], value, f"{what}({kw.arg}=)")
    missing = sorted(sig.required - given)
    if missing:
        problems.append(f"{where}: {what}() is missing the required keyword argument(s) {', '.join(missing)}")
    if len(call.args) > len(sig.positional):
        problems.append(f"{where}: {what}() takes {len(sig.positional)} positional argument(s), got {len(call.args)}")


with tempfile.TemporaryDirectory() as tmp:
    for i, ex in enumerate(examples):
        rel = ex.relative_to(root)
        try:
            py_compile.compile(str(ex), doraise=True, cfile=str(pathlib.Path(tmp) / f"{i}.pyc"))
        except py_compile.PyCompileError as err:
            problems.append(f"{rel} does not compile: {err.msg}")
            continue
        tree = ast.parse(ex.read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "cdk8s_asya":
                for alias in node.names:
                    imported.add(alias.name)
                    if alias.name not in classes:
                        problems.append(f"{rel}:{node.lineno}: cdk8s_asya has no {alias.name}")
        # Simple local constants (x = {...} / [...]) so that dicts bound to names are checked too.
        names = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if isinstance(node.value, (ast.Dict, ast.List)):
                    names[node.targets[0].id] = node.value
        calls = 0
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{rel}:{node.lineno}"
            f = node.func
            if isinstance(f, ast.Name) and f.id in imported and f.id in classes:
                init = classes[f.id]["init"]
                if init is not None:
                    check_call(where, f.id, init, node, names)
                    calls += 1
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in imported and f.value.id in classes:
                methods = classes[f.value.id]["methods"]
                if f.attr not in methods:
                    problems.append(f"{where}: {f.value.id} has no static method {f.attr} (it has: {', '.join(sorted(methods)) or 'none'})")
                    continue
                check_call(where, f"{f.value.id}.{f.attr}", methods[f.attr], node, names)
                calls += 1
        print(f"{rel}: {len(imported)} imports, {calls} calls checked against the generated bindings")

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"python examples: {len(examples)} checked, no problems")
