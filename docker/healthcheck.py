"""Health check of the web container: GET /sante/ on gunicorn answers 200.

The request carries the first ALLOWED_HOSTS name as its Host header (Django refuses other
hosts with a 400), and X-Forwarded-Proto: https when the portal sits behind a TLS proxy.
Exits 0 when healthy, 1 otherwise.
"""

import http.client
import os
import sys


def main() -> int:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and h != "*"), "localhost")
    headers = {"Host": host}
    if os.environ.get("BEHIND_HTTPS_PROXY", "").lower() in {"1", "true", "yes", "on"}:
        headers["X-Forwarded-Proto"] = "https"
    connection = http.client.HTTPConnection("127.0.0.1", 8000, timeout=5)
    try:
        connection.request("GET", "/sante/", headers=headers)
        status = connection.getresponse().status
    except OSError as error:
        print(f"unhealthy: {error}")
        return 1
    finally:
        connection.close()
    print(f"GET /sante/ -> {status}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
