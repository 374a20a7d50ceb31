"""The original's ApiKeyStore, as its test AUTH4 uses it, through bomd's
/api-keys routes with the admin key (BOMD_ADMIN_KEY)."""
import os
from types import SimpleNamespace

import httpx


class ApiKeyStore:
    def __init__(self):
        self._c = httpx.Client(base_url=os.environ["BOMD_E2E_URL"],
                               headers={"X-Admin-Key":
                                        os.environ["BOMD_ADMIN_KEY"]})

    def create_key(self, client_id, name, scopes=None):
        r = self._c.post("/api-keys", json={"client_id": client_id,
                                            "name": name,
                                            "scopes": scopes or ["all"]})
        r.raise_for_status()
        return SimpleNamespace(**r.json()["key"]), r.json()["raw_key"]

    def revoke_key(self, key_id):
        return self._c.post(f"/api-keys/{key_id}/revoke").status_code == 200
