"""Asya payload-mode handler that calls a model server over HTTP.

Entry point: ``bridge.handle(payload)`` (ASYA_HANDLER=bridge.handle). Standard library only.
Configured by environment variables (read on every call, so a bad value fails the first message
with a clear error rather than the import): see handlers/README.md for the full contract.
"""

from __future__ import annotations

import json
import os

import asya_http

PROTOCOLS = (
    "openai-chat", "openai-completions", "openai-embeddings",
    "kserve-v1", "open-inference", "ray-serve-http", "http-json",
)
PASS_THROUGH = ("temperature", "max_tokens", "top_p", "stop", "response_format")
TEXT_PROTOCOLS = ("ray-serve-http", "http-json")
OUTPUTS = ("field", "response")
# Body keys the bridge builds itself: BRIDGE_PASS_THROUGH cannot name them.
OWN_KEYS = ("model", "messages", "prompt", "input", "inputs", "instances")
EXCERPT_CHARS = 300
DEFAULT_MAX_RESULT_BYTES = 256 * 1024


class BridgeError(RuntimeError):
    """The model server failed, refused the request or answered something unusable."""


def _env_number(name, default, cast, minimum):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise ValueError(f"{name} must be a {cast.__name__}, got {raw!r}") from None
    if not minimum <= value < float("inf"):  # also refuses NaN
        raise ValueError(f"{name} must be a finite number >= {minimum}, got {raw!r}")
    return value


def _config():
    protocol = os.environ.get("BRIDGE_PROTOCOL", "").strip()
    if protocol not in PROTOCOLS:
        raise ValueError(f"BRIDGE_PROTOCOL must be one of {', '.join(PROTOCOLS)}; got {protocol!r}")
    url = os.environ.get("BRIDGE_URL", "").strip()
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"BRIDGE_URL must be set to an http(s) URL to POST to; got {url!r}")
    model = os.environ.get("BRIDGE_MODEL", "").strip()
    if protocol.startswith("openai-") and not model:
        raise ValueError(f"BRIDGE_MODEL must be set for protocol {protocol} (it is the 'model' field)")
    try:
        headers = json.loads(os.environ.get("BRIDGE_HEADERS", "").strip() or "{}")
    except ValueError:
        raise ValueError("BRIDGE_HEADERS must be a JSON object of strings") from None
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ValueError("BRIDGE_HEADERS must be a JSON object of strings")
    proxy = os.environ.get("BRIDGE_PROXY_URL", "").strip()
    if proxy and not proxy.startswith("http://"):
        raise ValueError(f"BRIDGE_PROXY_URL must be an http:// URL of a proxy; got {proxy!r}")
    retry_not_found = os.environ.get("BRIDGE_RETRY_NOT_FOUND", "").strip().lower()
    if retry_not_found not in ("", "true", "false"):
        raise ValueError(f"BRIDGE_RETRY_NOT_FOUND must be true or false; got {retry_not_found!r}")
    policy = asya_http.RetryPolicy(
        timeout=_env_number("BRIDGE_TIMEOUT_SECONDS", 60.0, float, 0.001),
        max_retries=_env_number("BRIDGE_MAX_RETRIES", 3, int, 0),
        backoff=_env_number("BRIDGE_BACKOFF_SECONDS", 1.0, float, 0.0),
        cold_start=_env_number("BRIDGE_COLD_START_SECONDS", 0.0, float, 0.0),
        retry_not_found=retry_not_found == "true",
    )
    extra = tuple(k.strip() for k in os.environ.get("BRIDGE_PASS_THROUGH", "").split(",") if k.strip())
    bad = [k for k in extra if k in OWN_KEYS or not k.isidentifier()]
    if bad:
        raise ValueError(f"BRIDGE_PASS_THROUGH: {', '.join(bad)} cannot be passed through (identifiers other than {', '.join(OWN_KEYS)})")
    output = os.environ.get("BRIDGE_OUTPUT", "").strip() or "field"
    if output not in OUTPUTS:
        raise ValueError(f"BRIDGE_OUTPUT must be one of {', '.join(OUTPUTS)}; got {output!r}")
    return {
        "protocol": protocol,
        "url": url,
        "pass_through": extra,
        "output": output,
        "model": model,
        "headers": headers,
        "policy": policy,
        "proxy": proxy,
        "max_result_bytes": _env_number("BRIDGE_MAX_RESULT_BYTES", DEFAULT_MAX_RESULT_BYTES, int, 1024),
        "output_key": os.environ.get("BRIDGE_OUTPUT_KEY", "").strip() or "result",
    }


def _field(payload, *names):
    if isinstance(payload, dict):
        for name in names:
            if payload.get(name) is not None:
                return payload[name]
    return None


def _request_body(protocol, model, payload, extra=()):
    """The JSON body to POST for a payload, or ValueError when the payload does not fit."""
    if protocol in ("ray-serve-http", "http-json"):
        return payload
    body = _protocol_body(protocol, model, payload)
    if isinstance(payload, dict):  # opt-in (BRIDGE_PASS_THROUGH): seed, n, tools, extra_body, outputs, ...
        body.update({k: payload[k] for k in extra if k in payload})
    return body


def _protocol_body(protocol, model, payload):
    if protocol in ("openai-chat", "openai-completions"):
        prompt = payload if isinstance(payload, str) else _field(payload, "prompt")
        body = {"model": model}
        if protocol == "openai-chat":
            messages = _field(payload, "messages")
            if messages is None and isinstance(prompt, str):
                messages = [{"role": "user", "content": prompt}]
            if not isinstance(messages, list) or not messages:
                raise ValueError("openai-chat payload needs 'messages' (a non-empty list) or 'prompt' (a string)")
            body["messages"] = messages
        else:
            if not isinstance(prompt, (str, list)) or not prompt:
                raise ValueError("openai-completions payload needs 'prompt' (a string or list)")
            body["prompt"] = prompt
        if isinstance(payload, dict):
            body.update({k: payload[k] for k in PASS_THROUGH if k in payload})
        return body
    if protocol == "openai-embeddings":
        given = payload if isinstance(payload, (str, list)) else _field(payload, "input", "text")
        if not given or not (isinstance(given, str) or all(isinstance(t, str) for t in given)):
            raise ValueError("openai-embeddings payload needs 'input' (or 'text'): a string or a list of strings")
        return {"model": model, "input": given}
    if protocol == "kserve-v1":
        instances = _field(payload, "instances")
        if not isinstance(instances, list):
            raise ValueError("kserve-v1 payload needs 'instances' (a list)")
        return {"instances": instances}
    inputs = _field(payload, "inputs")  # open-inference
    if not isinstance(inputs, list) or not inputs:
        raise ValueError("open-inference payload needs 'inputs' (a non-empty list of tensors)")
    body = {"inputs": inputs}
    if _field(payload, "parameters") is not None:
        body["parameters"] = payload["parameters"]
    return body


def _output(protocol, data):
    """The useful part of a decoded response; KeyError/IndexError/TypeError when it is missing."""
    if protocol == "openai-chat":
        content = data["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise TypeError("choices[0].message.content is not a string")
        return content
    if protocol == "openai-completions":
        text = data["choices"][0]["text"]
        if not isinstance(text, str):
            raise TypeError("choices[0].text is not a string")
        return text
    if protocol == "openai-embeddings":
        items = sorted(data["data"], key=lambda item: item["index"])
        vectors = [item["embedding"] for item in items]
        if not vectors or not all(isinstance(v, list) for v in vectors):
            raise TypeError("data[].embedding is missing or not a list")
        return vectors
    if protocol == "kserve-v1":
        return data["predictions"]
    if protocol == "open-inference":
        return data["outputs"]
    return data


EXPECTED = {
    "openai-chat": "choices[0].message.content",
    "openai-completions": "choices[0].text",
    "openai-embeddings": "data[].embedding",
    "kserve-v1": "predictions",
    "open-inference": "outputs",
}


def _excerpt(raw):
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "..."


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


class _NonFiniteNumber(Exception):
    """NaN, Infinity or -Infinity in a JSON answer (json.loads accepts them, JSON does not)."""


def _refuse_constant(name):
    raise _NonFiniteNumber(name)


def _decode(cfg: dict, where: str, response: asya_http.Response):
    """The answer as JSON, or as text for the free-form protocols (BentoML ``-> str``, Ray Serve ``str``)."""
    raw, status, kind = response.body, response.status, response.content_type
    if cfg["protocol"] in TEXT_PROTOCOLS and kind and not _is_json(kind):
        if not kind.startswith("text/"):
            raise BridgeError(f"{where}: HTTP {status} answer of type {kind} is neither JSON nor text (not retried)")
        charset = "utf-8"
        for part in response.headers.get("Content-Type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return raw.decode(charset, errors="replace")
        except LookupError:
            return raw.decode("utf-8", errors="replace")
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except _NonFiniteNumber as err:
        # Python would keep it as a float, the runtime would write it back as bare NaN (invalid JSON) and
        # the sidecar fail with "failed to parse runtime response" (asya v0.1.1
        # src/asya-sidecar/internal/runtime/client.go:116), redelivering the message: refuse it here.
        raise BridgeError(
            f"{where}: HTTP {status} response holds {err}, which is not JSON and cannot travel in an Asya message (not retried)"
        ) from None
    except ValueError:
        raise BridgeError(f"{where}: HTTP {status} response is not JSON: {_excerpt(raw)}") from None


def _call(cfg, body):
    where = f"{cfg['protocol']} POST {cfg['url'].split('?')[0]}"  # no query string: it may hold a key
    data = json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/plain;q=0.5", **cfg["headers"]}
    try:
        response = asya_http.request(
            cfg["policy"], "POST", cfg["url"], data, headers, max_bytes=cfg["max_result_bytes"], proxy=cfg["proxy"] or None,
        )
    except asya_http.ResponseTooLarge as err:
        raise BridgeError(f"{where}: {err} (BRIDGE_MAX_RESULT_BYTES; not retried: it would not fit the message)") from None
    except asya_http.HttpFailure as err:
        raise BridgeError(f"{where} {err}") from None
    if response.status >= 400 or response.status < 200:
        raise BridgeError(f"{where} failed: HTTP {response.status}: {_excerpt(response.body)} (not retried)")
    decoded = _decode(cfg, where, response)
    if cfg["output"] == "response":  # BRIDGE_OUTPUT=response: finish_reason, usage, tool_calls, ids kept
        return decoded
    try:
        return _output(cfg["protocol"], decoded)
    except (KeyError, IndexError, TypeError):
        raise BridgeError(
            f"{where}: HTTP {response.status} response has no {EXPECTED[cfg['protocol']]}: {_excerpt(response.body)}"
        ) from None


def wire_size(value):
    """Bytes of ``value`` as the sidecar publishes it: the runtime's ``json.dumps`` (``ensure_ascii=True``:
    every non-ASCII character is a 6- or 12-byte ``\\uXXXX`` escape), re-encoded by Go ``json.Marshal``,
    which also writes ``<``, ``>`` and ``&`` as the 6-byte ``\\u003c``, ``\\u003e``, ``\\u0026``
    (deliveryhero/asya v0.1.1 src/asya-runtime/asya_runtime.py:518, src/asya-sidecar/internal/router/router.go:396)."""
    text = json.dumps(value)
    return len(text) + 5 * (text.count("<") + text.count(">") + text.count("&"))


def handle(payload):
    """Asya payload-mode entry point: POST the payload to the model server, return payload + output."""
    cfg = _config()
    output = _call(cfg, _request_body(cfg["protocol"], cfg["model"], payload, cfg["pass_through"]))
    result = {**payload, cfg["output_key"]: output} if isinstance(payload, dict) else {cfg["output_key"]: output}
    # The result travels in one broker message with the route: bound it here, or the sidecar's publish
    # fails and the message is redelivered, calling the model again in a loop.
    size = wire_size(result)
    if size > cfg["max_result_bytes"]:
        raise BridgeError(
            f"result of {size} bytes (payload plus {cfg['output_key']}) exceeds BRIDGE_MAX_RESULT_BYTES "
            f"({cfg['max_result_bytes']}): it would not fit the broker message (not retried)"
        )
    return result
