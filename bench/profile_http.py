"""Where a request's time goes: pyinstrument over N requests through the app in this
process (no server), on the database bench_http.py --keep FOLDER left behind: first
their mean time unprofiled, then the profile of as many more.

Run: .venv/bin/python bench/profile_http.py FOLDER [page|kept|endorse|queue] [N]

``page`` renders the public page each time (a query string the kept pages do not keep);
``kept`` asks for the kept public page with a bare WSGI call (no test client, whose own
cost would hide the page's), as a reader without a session does.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyinstrument import Profiler  # noqa: E402

from tests.conftest import make_app  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402


def main(folder: str, what: str = "page", n: int = 50) -> None:
    base = Path(folder)
    app = make_app(f"sqlite:///{base}/bench.sqlite3", base / "instance", TESTING=False,
                   PUBLIC_URL="http://127.0.0.1", WTF_CSRF_ENABLED=False)
    client = app.test_client()
    tokens = (base / "tokens.txt").read_text().split()  # the last ones: unused
    if what == "page":
        rendered = iter(range(10**9))

        def one() -> None:
            assert client.get(f"/s/published?x={next(rendered)}").status_code == 200
    elif what == "kept":
        def one() -> None:
            answered: list[str] = []
            environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/s/published",
                       "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
                       "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1",
                       "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
                       "wsgi.errors": sys.stderr}
            b"".join(app(environ, lambda status, headers, *_: answered.append(status)))
            assert answered == ["200 OK"], answered
    elif what == "queue":  # the moderation queue of the statement in amendment
        assert client.post("/login", data={"email": "moderator@example.org",
                                           "password": PASSWORD}).status_code == 302

        def one() -> None:
            assert client.get("/statements/amending/amendments").status_code == 200
    else:
        def one() -> None:
            response = client.post("/api/v1/statements/published/endorsements",
                                   data=json.dumps({"kind": "individual", "public": True}),
                                   headers={"Authorization": f"Bearer {tokens.pop()}",
                                            "Content-Type": "application/json"})
            assert response.status_code == 201, response.get_data(as_text=True)
    one()
    started = time.perf_counter()
    for _ in range(n):
        one()
    print(f"{what}: {(time.perf_counter() - started) * 1000 / n:.2f} ms a request, unprofiled "
          f"({n} requests); then {n} more, profiled:")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(n):
        one()
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main(sys.argv[1], *(sys.argv[2:3]), *(int(a) for a in sys.argv[3:4]))
