"""Asya envelope-mode handler that creates one Kubernetes job per message from a fixed manifest.

Entry point: ``job_launcher.handle(envelope)`` (ASYA_HANDLER=job_launcher.handle,
ASYA_HANDLER_MODE=envelope). Standard library only. The message payload holds parameter values; each
declared parameter is validated and written only at its declared JSON pointers. The job name is derived
from the envelope id, so a redelivered message finds its job (409) instead of starting a second one.
See handlers/README.md for the environment contract.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import ssl
import time

import asya_http

TYPES = ("string", "integer", "number", "boolean")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Targets a message may never write: identity of the object and what this handler sets itself.
PROTECTED = ("/apiVersion", "/kind", "/metadata")
MAX_API_RESPONSE_BYTES = 8 * 1024 * 1024
# The field manager of the jobs this handler creates (?fieldManager= on the POST).
FIELD_MANAGER = "asya-job-launcher"
# Set by the construct on the manifest (JobLauncher.LAUNCHER_LABEL): the launcher's name.
LAUNCHER_LABEL = "asya.sh/launcher"
HASH_LABEL = "asya.sh/message-id-hash"

# The regular-expression subset JavaScript (no flags, as checked at synth) and Python's re read the same
# way; src/asya/portable-pattern.ts implements the same rules. Python compiles it with re.ASCII (\d, \w, \b
# then match JavaScript's) after two rewrites: "." excludes what JavaScript's excludes, and "$" is the
# very end (Python's also matches before a final newline).
_META = set("\\^$.|?*+()[]{}/-")
_SHORTHAND = set("dDwW")
_CONTROL = set("ntrfv")
_QUANTIFIER = re.compile(r"\{[0-9]+(,[0-9]*)?\}")


_RANGE_PROBLEM = "a - next to \\d \\D \\w \\W inside a class is not portable (JavaScript reads a literal -, Python a bad range): escape it as \\- or put it first or last"


def portable_pattern(pattern: str) -> str:
    """The Python form of a portable pattern; ValueError naming the construct outside the subset."""
    out, i, n = [], 0, len(pattern)
    if any(ord(c) > 0xFFFF for c in pattern):
        raise ValueError("characters outside the Basic Multilingual Plane are read differently (UTF-16 in JavaScript)")
    while i < n:
        c = pattern[i]
        if c == "\\":
            e = pattern[i + 1] if i + 1 < n else ""
            if not (e in _META or e in _SHORTHAND or e in _CONTROL or e in ("b", "B")) or not e:
                raise ValueError(f"escape \\{e} is not portable (allowed: escaped punctuation, \\d \\D \\w \\W \\b \\B \\n \\t \\r \\f \\v)")
            out.append(pattern[i:i + 2])
            i += 2
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                raise ValueError("[] and [^] are read differently: write a non-empty class")
            first = j
            while j < n and pattern[j] != "]":
                if pattern[j] == "\\":
                    e = pattern[j + 1] if j + 1 < n else ""
                    if not (e in _META or e in _SHORTHAND or e in _CONTROL) or not e:
                        raise ValueError(f"escape \\{e} in a class is not portable")
                    if e in _SHORTHAND and pattern[j + 2:j + 3] == "-" and pattern[j + 3:j + 4] != "]":
                        raise ValueError(_RANGE_PROBLEM)
                    j += 2
                elif pattern[j] == "-" and j > first and pattern[j + 1:j + 2] == "\\" and pattern[j + 2:j + 3] in _SHORTHAND:
                    raise ValueError(_RANGE_PROBLEM)
                elif pattern[j] in "-&~|" and pattern[j + 1:j + 2] == pattern[j]:
                    raise ValueError(f"{pattern[j] * 2} inside a class is not portable (Python warns of a future set operation): escape one of them")
                elif pattern[j] == "[":
                    raise ValueError("[ inside a class is not portable (escape it as \\[)")
                else:
                    j += 1
            if j >= n:
                raise ValueError("unterminated character class")
            out.append(pattern[i:j + 1])
            i = j + 1
        elif c == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                raise ValueError("only plain (...) and (?:...) groups are portable (no named groups, lookarounds or inline flags)")
            group = "(?:" if pattern.startswith("(?:", i) else "("
            out.append(group)
            i += len(group)
        elif c == "{":
            m = _QUANTIFIER.match(pattern, i)
            if not m:
                raise ValueError("{ must start a quantifier {n}, {n,} or {n,m} (escape a literal { as \\{)")
            out.append(m.group())
            i = m.end()
        elif c == "}":
            raise ValueError("a lone } is not portable (escape it as \\})")
        elif c == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")
            i += 1
        elif c == "$":
            out.append("\\Z")
            i += 1
        else:
            out.append(c)
            i += 1
    translated = "".join(out)
    try:
        re.compile(translated, re.ASCII)
    except re.error as err:
        raise ValueError(f"not a valid regular expression: {err}") from None
    return translated


def _json_env(name, default=None):
    raw = os.environ.get(name, "").strip()
    if not raw:
        if default is None:
            raise ValueError(f"{name} must be set")
        return default
    try:
        return json.loads(raw)
    except ValueError as err:
        raise ValueError(f"{name} is not valid JSON: {err}") from None


def _env_number(name, default, cast, minimum):
    raw = os.environ.get(name, "").strip()
    try:
        value = cast(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a {cast.__name__}, got {raw!r}") from None
    if not minimum <= value < float("inf"):
        raise ValueError(f"{name} must be a finite number >= {minimum}, got {raw!r}")
    return value


def _tokens(pointer):
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise ValueError(f"target {pointer!r} is not a JSON pointer")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _resolve(doc, pointer):
    """(container, key) of an existing location; ValueError when the pointer does not exist."""
    tokens, node = _tokens(pointer), doc
    for i, token in enumerate(tokens):
        if isinstance(node, list) and re.fullmatch(r"0|[1-9][0-9]*", token) and int(token) < len(node):
            key = int(token)
        elif isinstance(node, dict) and token in node:
            key = token
        else:
            raise ValueError(f"target {pointer} does not exist in the manifest")
        if i == len(tokens) - 1:
            return node, key
        node = node[key]


def _check_param(spec, manifest):
    name = spec.get("name") if isinstance(spec, dict) else None
    if not isinstance(name, str) or not name:
        raise ValueError(f"LAUNCHER_PARAMETERS: every parameter needs a name: {spec!r}")
    if spec.get("type") not in TYPES:
        raise ValueError(f"LAUNCHER_PARAMETERS: {name}: type must be one of {', '.join(TYPES)}")
    targets = spec.get("targets")
    if not isinstance(targets, list) or not targets:
        raise ValueError(f"LAUNCHER_PARAMETERS: {name}: targets must be a non-empty list of JSON pointers")
    for pointer in targets:
        _tokens(pointer)
        if any(pointer == p or pointer.startswith(p + "/") for p in PROTECTED):
            raise ValueError(f"LAUNCHER_PARAMETERS: {name}: target {pointer} is protected")
        container, key = _resolve(manifest, pointer)
        if isinstance(container[key], (dict, list)):
            raise ValueError(f"LAUNCHER_PARAMETERS: {name}: target {pointer} is not a scalar value")
    if spec.get("pattern") is not None:
        if not isinstance(spec["pattern"], str):
            raise ValueError(f"LAUNCHER_PARAMETERS: {name}: pattern must be a string")
        try:
            spec["_compiled"] = re.compile(portable_pattern(spec["pattern"]), re.ASCII)
        except ValueError as err:
            raise ValueError(f"LAUNCHER_PARAMETERS: {name}: pattern {spec['pattern']!r}: {err}") from None
    for bound in ("minimum", "maximum"):
        if spec.get(bound) is not None and (isinstance(spec[bound], bool) or not isinstance(spec[bound], (int, float))):
            raise ValueError(f"LAUNCHER_PARAMETERS: {name}: {bound} must be a number")
    if "default" in spec:
        problem = _problem(spec, spec["default"])
        if problem:
            raise ValueError(f"LAUNCHER_PARAMETERS: default of {problem}")


def _config():
    manifest = _json_env("LAUNCHER_MANIFEST")
    meta = manifest.get("metadata") if isinstance(manifest, dict) else None
    if not isinstance(meta, dict) or not manifest.get("apiVersion") or not manifest.get("kind"):
        raise ValueError("LAUNCHER_MANIFEST must be a JSON object with apiVersion, kind and metadata")
    base = meta.get("name")
    if not isinstance(base, str) or len(base) > 63 or not DNS_LABEL.match(base):
        raise ValueError(f"LAUNCHER_MANIFEST metadata.name must be a DNS-1123 label; got {base!r}")
    params = _json_env("LAUNCHER_PARAMETERS", [])
    if not isinstance(params, list):
        raise ValueError("LAUNCHER_PARAMETERS must be a JSON list")
    for spec in params:
        _check_param(spec, manifest)
    if len({p["name"] for p in params}) != len(params):
        raise ValueError("LAUNCHER_PARAMETERS: parameter names must be unique")
    namespace = os.environ.get("LAUNCHER_NAMESPACE", "").strip() or meta.get("namespace")
    if not namespace:
        raise ValueError("LAUNCHER_NAMESPACE must be set")
    path = os.environ.get("LAUNCHER_RESOURCE_PATH", "").strip().rstrip("/")
    if not path.startswith("/"):
        raise ValueError("LAUNCHER_RESOURCE_PATH must be set, e.g. /apis/batch/v1/namespaces/<ns>/jobs")
    in_path = re.search(r"/namespaces/([^/]+)/", path)
    if in_path and in_path.group(1) != namespace:
        raise ValueError(f"LAUNCHER_RESOURCE_PATH is in namespace {in_path.group(1)}, LAUNCHER_NAMESPACE is {namespace}")
    return {
        "manifest": manifest,
        "params": params,
        "namespace": namespace,
        "url": os.environ.get("LAUNCHER_API_URL", "").strip().rstrip("/") or "https://kubernetes.default.svc",
        "path": path,
        "token_path": os.environ.get("LAUNCHER_TOKEN_PATH", "").strip()
        or "/var/run/secrets/kubernetes.io/serviceaccount/token",
        "ca_path": os.environ.get("LAUNCHER_CA_PATH", "").strip()
        or "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
        "policy": asya_http.RetryPolicy(
            timeout=_env_number("LAUNCHER_TIMEOUT_SECONDS", 30.0, float, 0.001),
            max_retries=_env_number("LAUNCHER_MAX_RETRIES", 3, int, 0),
            backoff=_env_number("LAUNCHER_BACKOFF_SECONDS", 1.0, float, 0.0),
        ),
    }


CLIP_CHARS = 100
"""Longest piece of a payload value or name echoed in an error (see ``_clip``)."""
MAX_NAMES_SHOWN = 10


def _clip(text, limit=CLIP_CHARS):
    """``text`` cut to ``limit`` characters, naming the original length.

    The runtime repeats an error's text in its traceback and the sidecar adds the payload to the
    error-end message (deliveryhero/asya v0.1.1 src/asya-sidecar/internal/router/router.go:489-496): an
    echoed 100 KB value would push that message past SQS's 256 KiB and loop on redelivery.
    """
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _problem(spec, value):
    """What is wrong with a value for a parameter, or None."""
    name, kind = spec["name"], spec["type"]
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < float("inf"),
        "boolean": isinstance(value, bool),
    }[kind]
    if not ok:
        return f"{name}: expected {kind}, got {_clip(json.dumps(value))}"
    if kind == "string" and spec.get("_compiled") is not None and not spec["_compiled"].fullmatch(value):
        return f"{name}: {_clip(json.dumps(value))} does not match pattern {spec['pattern']}"
    if kind in ("integer", "number"):
        if spec.get("minimum") is not None and value < spec["minimum"]:
            return f"{name}: {_clip(str(value))} is below the minimum {spec['minimum']}"
        if spec.get("maximum") is not None and value > spec["maximum"]:
            return f"{name}: {_clip(str(value))} is above the maximum {spec['maximum']}"
    return None


def _parameters(params, payload):
    """The validated parameter values (given or default); one ValueError listing every problem."""
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ValueError(f"payload must be a JSON object of parameters, got {type(payload).__name__}")
    declared = {p["name"]: p for p in params}
    problems, values = [], {}
    unknown = sorted(set(payload) - set(declared))
    if unknown:
        shown = ", ".join(_clip(n) for n in unknown[:MAX_NAMES_SHOWN])
        more = f" and {len(unknown) - MAX_NAMES_SHOWN} more" if len(unknown) > MAX_NAMES_SHOWN else ""
        problems.append(f"unknown parameter(s): {shown}{more}")
    for name, spec in declared.items():
        if name in payload:
            problem = _problem(spec, payload[name])
            if problem:
                problems.append(problem)
            else:
                values[name] = payload[name]
        elif "default" in spec:
            values[name] = spec["default"]
        elif spec.get("required"):
            problems.append(f"{name}: required")
    if problems:
        raise ValueError("invalid parameters: " + "; ".join(problems))
    return values


def _render(cfg, values, message_id):
    manifest = copy.deepcopy(cfg["manifest"])
    for spec in cfg["params"]:
        if spec["name"] not in values:
            continue
        value = values[spec["name"]]
        for pointer in spec["targets"]:
            container, key = _resolve(manifest, pointer)
            # A string slot (args element, env value) takes the value's JSON text: 3, 0.5, true.
            if isinstance(container[key], str) and not isinstance(value, str):
                container[key] = json.dumps(value)
            else:
                container[key] = value
    base = cfg["manifest"]["metadata"]["name"]
    digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:10]
    meta = manifest["metadata"]
    meta["name"] = f"{base[:63 - 11].rstrip('-')}-{digest}"
    meta["namespace"] = cfg["namespace"]
    meta.pop("generateName", None)
    meta["labels"] = {**(meta.get("labels") or {}), "asya.sh/launched-by": base, HASH_LABEL: digest}
    return manifest


def _api_message(raw):
    try:
        message = json.loads(raw).get("message")
    except (ValueError, AttributeError):
        message = None
    text = message if isinstance(message, str) and message else raw.decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return text if len(text) <= 500 else text[:500] + "..."


def _request(cfg, method, url, body=None):
    """One API call with the shared retry policy (asya_http); returns (status, raw body)."""
    with open(cfg["token_path"], encoding="utf-8") as f:  # re-read each time: projected tokens rotate
        token = f.read().strip()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode("utf-8")
    context = None
    if url.startswith("https://"):
        context = ssl.create_default_context(cafile=cfg["ca_path"] if os.path.exists(cfg["ca_path"]) else None)
    try:
        response = asya_http.request(
            cfg["policy"], method, url, data, headers, max_bytes=MAX_API_RESPONSE_BYTES, context=context,
            deadline=cfg["deadline"],
        )
    except asya_http.HttpFailure as err:
        raise RuntimeError(f"{method} {url}: {err}") from None
    return response.status, response.body


def _object(method, url, status, raw):
    try:
        decoded = json.loads(raw)
    except ValueError:
        decoded = None
    if not isinstance(decoded, dict):
        raise RuntimeError(f"{method} {url}: HTTP {status} answer is not a JSON object: {_api_message(raw)}")
    return decoded


def _raise_for(method, url, status, raw):
    message = f"{method} {url}: HTTP {status}: {_api_message(raw)}"
    if status in (401, 403):
        raise PermissionError(message)
    if status in (400, 422):
        raise ValueError(message)
    raise RuntimeError(message)


def _launch(cfg, manifest):
    """Create the job, or find it when it exists already; returns (job object, created)."""
    url = cfg["url"] + cfg["path"]
    # JL-6: name the field manager, so managedFields say who created the job (not the client's default).
    post_url = f"{url}?fieldManager={FIELD_MANAGER}"
    status, raw = _request(cfg, "POST", post_url, manifest)
    if status in (200, 201):
        return _object("POST", post_url, status, raw), True
    if status != 409:
        _raise_for("POST", post_url, status, raw)
    name = manifest["metadata"]["name"]
    status, raw = _request(cfg, "GET", f"{url}/{name}")
    if status != 200:
        _raise_for("GET", f"{url}/{name}", status, raw)
    existing = _object("GET", f"{url}/{name}", status, raw)
    labels = (existing.get("metadata") or {}).get("labels") or {}
    wanted = manifest["metadata"]["labels"]
    # JL-5: the same name is ours only if this launcher (not another one whose job template has the same
    # name) launched it for this message.
    if labels.get(LAUNCHER_LABEL) != wanted.get(LAUNCHER_LABEL):
        raise RuntimeError(
            f"{name} exists in {cfg['namespace']} but was launched by {labels.get(LAUNCHER_LABEL)!r}, "
            f"not by this launcher ({wanted.get(LAUNCHER_LABEL)!r}): another launcher's job of the same name"
        )
    if labels.get(HASH_LABEL) != wanted[HASH_LABEL]:
        raise RuntimeError(f"{name} exists in {cfg['namespace']} but was not launched for this message")
    return existing, False


def handle(envelope):
    """Asya envelope-mode entry point: launch the job, return the envelope advanced by one actor."""
    cfg = _config()
    if not isinstance(envelope, dict) or not isinstance(envelope.get("route"), dict):
        raise ValueError("envelope must be an object with a route")
    route = envelope["route"]
    current = route.get("current")
    if not isinstance(current, int) or isinstance(current, bool) or not isinstance(route.get("actors"), list):
        raise ValueError("envelope route needs actors (a list) and current (an integer)")
    message_id = envelope.get("id")
    if not isinstance(message_id, str) or not message_id:
        raise ValueError("envelope id must be a non-empty string (the job name is derived from it)")
    values = _parameters(cfg["params"], envelope.get("payload"))
    # One deadline for the message: the POST and the GET after a 409 share the policy's worst case.
    cfg["deadline"] = time.monotonic() + cfg["policy"].worst_case_seconds()
    job, created = _launch(cfg, _render(cfg, values, message_id))
    meta = job.get("metadata") or {}
    return {
        **envelope,
        "route": {**route, "current": current + 1},
        "payload": {
            "job": {
                "apiVersion": job.get("apiVersion", cfg["manifest"]["apiVersion"]),
                "kind": job.get("kind", cfg["manifest"]["kind"]),
                "name": meta.get("name"),
                "namespace": meta.get("namespace", cfg["namespace"]),
                "uid": meta.get("uid"),
            },
            "created": created,
            "parameters": values,
        },
    }
