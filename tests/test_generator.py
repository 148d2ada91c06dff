"""Generator backends: chosen by name, the OpenAI-compatible one against a real HTTP server on 127.0.0.1,
and the real packaged local model once (a few new tokens)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from models.generator import BACKENDS, NoneGenerator, OpenAIGenerator, load_generator
from review_service.core.config import Settings
from review_service.core.errors import ConfigError, GeneratorError


class ChatServer:
    """A tiny OpenAI-compatible server: answers /v1/chat/completions with ``reply(body) -> (status, text)``."""

    def __init__(self, reply):
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                status, text = reply(body)
                payload = json.dumps({
                    "id": "x", "object": "chat.completion",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 11, "completion_tokens": 7},
                } if status == 200 else {"error": text}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_backends_by_name_and_unknown_name_lists_known(settings):
    assert set(BACKENDS) == {"local", "openai", "none"}
    with pytest.raises(ConfigError, match="known backends: local, none, openai"):
        load_generator(settings, backend="gpt-9")
    gen = load_generator(settings, backend="none")
    assert isinstance(gen, NoneGenerator) and gen.languages == ()
    with pytest.raises(GeneratorError):
        gen.generate("hi", max_new_tokens=5)


def test_openai_backend_talks_to_a_real_http_server(tmp_path):
    with ChatServer(lambda body: (200, "Сәлем! " + body["messages"][-1]["content"][:5])) as srv:
        settings = Settings(environment="test", data_dir=tmp_path, generator_backend="openai",
                            generator_url=srv.url, generator_api_key="k3y", generator_remote_model="kazllm-8b")
        gen = load_generator(settings)
        assert isinstance(gen, OpenAIGenerator) and gen.model_id == "openai:kazllm-8b"
        out = gen.generate("Hello there", system="be brief", max_new_tokens=12)
    assert out == "Сәлем! Hello"
    req = srv.requests[0]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer k3y"
    assert req["body"]["model"] == "kazllm-8b" and req["body"]["max_tokens"] == 12
    assert [m["role"] for m in req["body"]["messages"]] == ["system", "user"]
    assert gen.last_stats is not None and gen.last_stats.new_tokens == 7


def test_openai_backend_errors_are_actionable(tmp_path):
    with ChatServer(lambda body: (404, "model not found")) as srv:
        gen = OpenAIGenerator(srv.url, model="missing")
        with pytest.raises(GeneratorError, match="404"):
            gen.generate("x")
    with pytest.raises(GeneratorError, match="unreachable"):
        OpenAIGenerator(srv.url, model="m", timeout=2).generate("x")  # server is closed now
    with pytest.raises(ConfigError, match="REVIEW_GENERATOR_URL"):
        load_generator(Settings(environment="test", data_dir=tmp_path), backend="openai")


@pytest.fixture(scope="module")
def local_generator():
    return load_generator(Settings(environment="test"), backend="local")


@pytest.mark.slow  # the real packaged Qwen
def test_local_packaged_generator_generates(local_generator):
    gen = local_generator
    assert gen.model_id == "qwen2.5-coder-1.5b-instruct" and "Qwen2.5" in gen.revision
    assert gen.languages == ("ru", "en")
    out = gen.generate("Reply with the single word: library", max_new_tokens=6)
    assert "librar" in out.lower()
    assert gen.last_stats.new_tokens <= 6
    assert load_generator(Settings(environment="test"), backend="local") is gen  # loaded once per process
