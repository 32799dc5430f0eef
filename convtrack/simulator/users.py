"""Per-tenant pools of pseudonymous-looking users.

A user is a pure function of (seed, tenant, index), so a pool of any size costs no memory and
the same user keeps their id and market across conversations.
"""

import hashlib
from random import Random

from convtrack.simulator.catalog import CATALOG, TENANTS, Tenant
from convtrack.simulator.transcript import User

_CONVERSATIONS_PER_USER = 2.5
_MIN_POOL = 20


class UserPool:
    def __init__(self, seed: int, conversations: int) -> None:
        self._seed = seed
        total = sum(spec.weight for spec in CATALOG)
        self._sizes = {
            tenant.tenant_id: max(
                _MIN_POOL,
                round(
                    conversations
                    * sum(s.weight for s in CATALOG if s.tenant is tenant)
                    / total
                    / _CONVERSATIONS_PER_USER
                ),
            )
            for tenant in TENANTS
        }

    def pick(self, rng: Random, tenant: Tenant) -> User:
        """A user of `tenant`; low indices are drawn more often (a few heavy users, a long
        tail of occasional ones)."""
        index = int(self._sizes[tenant.tenant_id] * rng.random() ** 2)
        digest = hashlib.blake2b(
            f"{self._seed}/{tenant.tenant_id}/{index}".encode(), digest_size=9
        ).digest()
        country, locale = tenant.markets[digest[0] % len(tenant.markets)]
        return User(f"usr-{digest[1:].hex()}", country, locale)
