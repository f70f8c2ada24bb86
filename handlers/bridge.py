"""Asya payload-mode handler that calls a model server over HTTP.

Entry point: ``bridge.handle(payload)`` (ASYA_HANDLER=bridge.handle). Standard library only.
Configured by environment variables (read on every call, so a bad value fails the first message
with a clear error rather than the import): see handlers/README.md for the full contract.
"""

import http.client
import json
import os
import time
import urllib.error
import urllib.request

PROTOCOLS = (
    "openai-chat", "openai-completions", "openai-embeddings",
    "kserve-v1", "open-inference", "ray-serve-http", "http-json",
)
PASS_THROUGH = ("temperature", "max_tokens", "top_p", "stop", "response_format")
MAX_SLEEP_SECONDS = 30.0
EXCERPT_CHARS = 300


class BridgeError(RuntimeError):
    """The model server failed, refused the request or answered something unusable."""


class _Retryable(Exception):
    def __init__(self, detail, retry_after=None):
        super().__init__(detail)
        self.retry_after = retry_after


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
    return {
        "protocol": protocol,
        "url": url,
        "model": model,
        "headers": headers,
        "timeout": _env_number("BRIDGE_TIMEOUT_SECONDS", 60.0, float, 0.001),
        "retries": _env_number("BRIDGE_MAX_RETRIES", 3, int, 0),
        "backoff": _env_number("BRIDGE_BACKOFF_SECONDS", 1.0, float, 0.0),
        "output_key": os.environ.get("BRIDGE_OUTPUT_KEY", "").strip() or "result",
    }


def _field(payload, *names):
    if isinstance(payload, dict):
        for name in names:
            if payload.get(name) is not None:
                return payload[name]
    return None


def _request_body(protocol, model, payload):
    """The JSON body to POST for a payload, or ValueError when the payload does not fit."""
    if protocol in ("ray-serve-http", "http-json"):
        return payload
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


def _retry_after(headers):
    try:
        return max(0.0, float(headers.get("Retry-After", "")))
    except (TypeError, ValueError):
        return None  # absent, or an HTTP date: fall back to the exponential backoff


def _read_quietly(response):
    try:
        return response.read() or b""
    except (OSError, http.client.HTTPException):
        return b"<body unreadable>"


def _post_once(cfg, where, data):
    """One POST; returns (status, raw body) or raises _Retryable / BridgeError."""
    headers = {"Content-Type": "application/json", "Accept": "application/json", **cfg["headers"]}
    request = urllib.request.Request(cfg["url"], data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=cfg["timeout"]) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, _excerpt(_read_quietly(err))
        if status == 429 or status >= 500:
            delay = _retry_after(err.headers) if status in (429, 503) else None
            raise _Retryable(f"HTTP {status}: {body}", delay) from None
        raise BridgeError(f"{where} failed: HTTP {status}: {body} (not retried)") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
        reason = getattr(err, "reason", None) or err
        raise _Retryable(f"{type(reason).__name__}: {reason}") from None


def _call(cfg, body):
    where = f"{cfg['protocol']} POST {cfg['url'].split('?')[0]}"  # no query string: it may hold a key
    data = json.dumps(body).encode("utf-8")
    attempts = cfg["retries"] + 1
    for attempt in range(1, attempts + 1):
        try:
            status, raw = _post_once(cfg, where, data)
            break
        except _Retryable as err:
            if attempt == attempts:
                raise BridgeError(f"{where} failed after {attempts} attempt(s): {err}") from None
            delay = err.retry_after if err.retry_after is not None else cfg["backoff"] * 2 ** (attempt - 1)
            time.sleep(min(delay, MAX_SLEEP_SECONDS))
    try:
        decoded = json.loads(raw)
    except ValueError:
        raise BridgeError(f"{where}: HTTP {status} response is not JSON: {_excerpt(raw)}") from None
    try:
        return _output(cfg["protocol"], decoded)
    except (KeyError, IndexError, TypeError):
        raise BridgeError(
            f"{where}: HTTP {status} response has no {EXPECTED[cfg['protocol']]}: {_excerpt(raw)}"
        ) from None


def handle(payload):
    """Asya payload-mode entry point: POST the payload to the model server, return payload + output."""
    cfg = _config()
    output = _call(cfg, _request_body(cfg["protocol"], cfg["model"], payload))
    if isinstance(payload, dict):
        return {**payload, cfg["output_key"]: output}
    return {cfg["output_key"]: output}
