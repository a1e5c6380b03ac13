"""What an OpenAI-compatible server says about itself: the served models (GET /models) and its
name and version where it exposes them (the Server header, GET /version, GET /info)."""

from __future__ import annotations

from typing import Any

from harness.backends.remote_client import ServerError
from harness.generative.openai_http import OpenAIHttp
from harness.generative.openai_options import OpenAIOptions


def check_model(http: OpenAIHttp, o: OpenAIOptions) -> dict[str, Any]:
    """Return the served model's /models entry; ServerError when the server does not serve
    o.model (listing what it does) or refuses the key. A server without /models passes."""
    reply = http.get("/models")
    if reply.status in (401, 403):
        raise ServerError(f"The server at {o.url} refused the API key ({reply.status}).",
                          "Set generative.options.api_key_env to the NAME of an environment "
                          "variable that holds a valid key.")
    data = reply.body.get("data") if isinstance(reply.body, dict) else None
    if reply.status != 200 or not isinstance(data, list):
        return {"id": o.model, "listed": False}
    for entry in data:
        if isinstance(entry, dict) and entry.get("id") == o.model:
            return {"id": o.model, "listed": True, "owned_by": entry.get("owned_by"),
                    "max_model_len": entry.get("max_model_len")}
    names = ", ".join(str(e.get("id")) for e in data if isinstance(e, dict)) or "nothing"
    raise ServerError(f"The server at {o.url} does not serve a model named '{o.model}'.",
                      f"It serves: {names}. Set generative.options.model to one of them.")


def server_info(http: OpenAIHttp, o: OpenAIOptions) -> dict[str, Any]:
    """Return the server's Server header and the version it reports (vLLM /version, TGI /info)."""
    info: dict[str, Any] = {"header": None, "version": None, "name": None}
    for path in ("/version", "/info"):
        try:
            reply = http.get(path, root=True)
        except ServerError:
            continue
        info["header"] = info["header"] or reply.headers.get("server")
        body = reply.body if reply.status == 200 and isinstance(reply.body, dict) else {}
        info["version"] = info["version"] or body.get("version")
        info["name"] = info["name"] or body.get("model_id") and "text-generation-inference"
    parts = [str(v) for v in (info["name"] or info["header"], info["version"]) if v]
    info["describe"] = f"{' '.join(parts)} at {o.url}" if parts else o.url
    return info
