"""The ASGI app the original's tests drive through httpx.ASGITransport:
every request goes to the bomd at BOMD_E2E_URL, with BOMD_E2E_API_KEY as
X-API-Key unless the test sent a key of its own."""
import os

import httpx

URL = os.environ["BOMD_E2E_URL"]
KEY = os.environ["BOMD_E2E_API_KEY"]
_DROP = {"host", "content-length", "transfer-encoding", "connection"}


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = [(k.decode(), v.decode()) for k, v in scope["headers"]
               if k.decode().lower() not in _DROP]
    if not any(k.lower() in ("x-api-key", "authorization", "x-admin-key")
               for k, _ in headers):
        headers.append(("X-API-Key", KEY))
    # httpx puts the query in raw_path too; the path alone, still encoded
    path = (scope.get("raw_path") or scope["path"].encode()).decode()
    path = path.split("?", 1)[0]
    if scope.get("query_string"):
        path += "?" + scope["query_string"].decode()
    async with httpx.AsyncClient(base_url=URL, timeout=300) as c:
        r = await c.request(scope["method"], path, content=body,
                            headers=headers)
    out = [(k.encode(), v.encode()) for k, v in r.headers.items()
           if k.lower() not in _DROP | {"content-encoding"}]
    out.append((b"content-length", str(len(r.content)).encode()))
    await send({"type": "http.response.start", "status": r.status_code,
                "headers": out})
    await send({"type": "http.response.body", "body": r.content})
