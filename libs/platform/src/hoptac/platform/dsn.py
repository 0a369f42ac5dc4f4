"""From the SQLAlchemy URL a service is configured with to the DSN a plain asyncpg connection takes.

Both name one server (`postgresql+asyncpg://user@host:5432/db`) or several, a primary and its
standbys, of which the connection takes the one that accepts writes: SQLAlchemy writes them as
`postgresql+asyncpg://user@/db?host=a:5432&host=b:5432&target_session_attrs=read-write`,
asyncpg as `postgresql://user@a:5432,b:5432/db?target_session_attrs=read-write`.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from sqlalchemy.engine import make_url


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    url = make_url(sqlalchemy_url)
    query = {key: value for key, value in url.query.items() if key != "host"}
    hosts = url.query.get("host")
    if hosts:
        netloc = ",".join([hosts] if isinstance(hosts, str) else list(hosts))
    else:
        netloc = url.host or ""
        if url.port is not None:
            netloc += f":{url.port}"
    login = ""
    if url.username:
        login = quote(url.username, safe="")
        if url.password:
            login += ":" + quote(str(url.password), safe="")
        login += "@"
    path = f"/{url.database}" if url.database else ""
    flat = {k: v if isinstance(v, str) else v[-1] for k, v in query.items()}
    return f"postgresql://{login}{netloc}{path}" + (f"?{urlencode(flat)}" if flat else "")
