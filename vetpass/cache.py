"""The shared cache's Redis backend (CACHES when CACHE_URL names Redis): Django's own, with
two savings on what every signed-in request reads (issue 10).

- One redis-py client per connection pool, kept, instead of a new one for every command:
  the client's constructor builds its table of some 170 reply callbacks each time, which
  cost more than the round trip of a cache read itself. The client holds no connection (the
  pool lends one per command), so keeping it changes nothing else.
- `get_chained`: a key, a "pointer" key, and the keys named after the pointer's value, in
  one round trip (a Lua script) instead of two. The session store reads a session, the
  account id kept beside it, and the account's cached copy and its companions this way
  (vetpass.accounts.sessions).

Other caches (the embedded file cache, tests' caches) answer get_chained with two reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

# KEYS: the key and its pointer; ARGV: (before, after) pairs, each naming a key
# before .. pointer .. after. Missing keys come back as false (nil to the client).
_CHAINED = """
local found = redis.call('MGET', KEYS[1], KEYS[2])
local pointer = found[2]
if not pointer or #ARGV == 0 then
  return {found[1], pointer}
end
local keys = {}
for i = 1, #ARGV, 2 do
  keys[#keys + 1] = ARGV[i] .. pointer .. ARGV[i + 1]
end
local values = redis.call('MGET', unpack(keys))
local answer = {found[1], pointer}
for i = 1, #keys do
  answer[i + 2] = values[i]
end
return answer
"""
_MARK = "\x00"


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._scripts: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))  # pools live as long as this object
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def get_chained(
        self, key: str, pointer_key: str, templates: Sequence[tuple[str, str]]
    ) -> tuple[Any, str | None, list[Any]]:
        # On the first server: with replicas, a script is not everywhere allowed to run.
        client = self.get_client(key, write=True)
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(_CHAINED)
        args = [part for pair in templates for part in pair]
        answer = script(keys=[key, pointer_key], args=args, client=client)
        loads = self._serializer.loads  # type: ignore[attr-defined]
        value = None if answer[0] is None else loads(answer[0])
        raw_pointer = answer[1] if len(answer) > 1 else None
        if raw_pointer is None:
            return value, None, [None] * len(templates)
        pointer = (
            raw_pointer.decode("latin-1") if isinstance(raw_pointer, bytes) else str(raw_pointer)
        )
        if not pointer.isdigit():  # pointers are integers, which Django stores unpickled
            return value, None, [None] * len(templates)
        followers = list(answer[2:]) + [None] * (len(templates) - len(answer[2:]))
        return value, pointer, [None if v is None else loads(v) for v in followers]


class RedisCache(DjangoRedisCache):
    """Django's RedisCache with the client above (CACHES' BACKEND when CACHE_URL is Redis)."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def key_template(self, template: str) -> tuple[str, str] | None:
        """The full key of `template` (a key with one "{}") as (before, after) around the
        "{}", or None when the key function does not keep the key's text (a hashing
        KEY_FUNCTION): then no script can name the key."""
        if template.count("{}") != 1:
            return None
        full = self.make_key(template.replace("{}", _MARK))
        if full.count(_MARK) != 1:
            return None
        before, after = full.split(_MARK)
        sample = self.make_key(template.replace("{}", "42"))
        return (before, after) if sample == f"{before}42{after}" else None


def get_chained(
    cache: Any, key: str, pointer_key: str, templates: Sequence[str]
) -> tuple[Any, str | None, dict[str, Any]]:
    """(key's value, pointer_key's value as text, {template.format(pointer): value}) where
    each template is a key with one "{}" filled with the pointer, an integer. One round trip
    on Redis; two reads elsewhere. A missing pointer answers None and no followers."""
    if isinstance(cache, RedisCache):
        parts = [cache.key_template(t) for t in templates]
        if all(p is not None for p in parts):
            full_key = cache.make_and_validate_key(key)
            full_pointer = cache.make_and_validate_key(pointer_key)
            value, pointer, values = cache._cache.get_chained(  # type: ignore[attr-defined]
                full_key, full_pointer, parts
            )
            if pointer is None:
                return value, None, {}
            return (
                value,
                pointer,
                {t.format(pointer): v for t, v in zip(templates, values, strict=True)},
            )
    found = cache.get_many([key, pointer_key])
    value, pointer = found.get(key), found.get(pointer_key)
    if pointer is None:
        return value, None, {}
    if type(pointer) is not int:
        return value, None, {}
    pointer = str(pointer)
    names = [t.format(pointer) for t in templates]
    followed = cache.get_many(names) if names else {}
    return value, pointer, {name: followed.get(name) for name in names}
