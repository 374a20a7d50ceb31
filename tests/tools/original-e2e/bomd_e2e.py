"""pytest plugin for the original's e2e tests against bomd: the fixtures
their test_auth.py names but their conftest.py does not define (a second
client, an admin, no key), each a client of the running bomd."""
import os

import httpx
import pytest
import pytest_asyncio

URL = os.environ["BOMD_E2E_URL"]


def _client(key):
    headers = {"X-API-Key": key} if key else {}
    return httpx.AsyncClient(base_url=URL, headers=headers, timeout=300)


@pytest_asyncio.fixture
async def unauthenticated_client():
    async with _client(None) as c:
        yield c


@pytest_asyncio.fixture
async def client_b():
    async with _client(os.environ["BOMD_E2E_API_KEY_B"]) as c:
        yield c


@pytest_asyncio.fixture
async def admin_client():
    async with _client(os.environ["BOMD_E2E_ADMIN_SCOPE_KEY"]) as c:
        yield c


@pytest.fixture
def test_client_id():
    return os.environ["BOMD_E2E_CLIENT_ID"]


@pytest.fixture
def client_b_id():
    return os.environ["BOMD_E2E_CLIENT_B_ID"]
