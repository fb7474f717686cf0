"""Plain helpers shared by the test modules: secret values the leak scans look for, fast timing."""

from __future__ import annotations

from connector_sim import TimingProfile

#: Secret values used across the suite; tests search captured output for each of them.
SECRETS = {
    "password": "p@ss:w%rd-Sécret-9f2",
    "client_secret": "client-secret-7Hq~e2",
    "api_key": "api-key-0f8e7d6c5b",
    "static_token": "static-bearer-token-44aa",
}
#: A timing profile fast enough for tests: 0.5 s per attempt, one retry.
FAST = TimingProfile("test-fast", 0.5, 1)
