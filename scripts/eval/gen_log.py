"""Application logs that leak: logfmt, bracketed framework lines, JSON logs, access logs.

Each line carries the ids, timestamps, paths, status codes, latencies and
versions that make logs useful (kept), and some of what leaks into logs in
practice (planted): credentials and tokens in key=value pairs, URLs,
headers and config dumps, plus the user's email and IP.
"""

import base64
import json
import string

from . import checksums
from . import negatives as neg
from .model import Collector, dump_json

ALNUM = string.ascii_letters + string.digits
SERVICES = ["checkout-api", "auth-svc", "billing-worker", "search-gateway", "notifier"]
LOGGERS = ["c.a.payments.Client", "org.app.db.Pool", "app.auth.session", "svc.notify.Slack"]
DB_HOSTS = ["db-1.internal", "orders-db.prod.svc", "pg-replica-2.internal", "mysql.billing.local"]


def rand(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def secret(rng):
    """(entity id, value, how it appears in a log line) for one credential."""
    kind = rng.randrange(8)
    if kind == 0:
        v = "AKIA" + rand(rng, string.ascii_uppercase + "234567", 16)
        return (
            "AWS_ACCESS_KEY_ID",
            v,
            rng.choice(["aws_access_key_id={}", "AWS_ACCESS_KEY_ID={}", "using access key {}"]),
        )
    if kind == 1:
        v = rand(rng, ALNUM + "/+", 40)
        return "AWS_SECRET_ACCESS_KEY", v, rng.choice(["aws_secret_access_key={}", 'AWS_SECRET_ACCESS_KEY="{}"'])
    if kind == 2:
        return (
            "GITHUB_TOKEN",
            checksums.github_token(rng),
            rng.choice(["token={}", "Authorization: token {}", "GITHUB_TOKEN={}"]),
        )
    if kind == 3:
        v = f"xoxb-{rand(rng, string.digits, 11)}-{rand(rng, string.digits, 13)}-{rand(rng, ALNUM, 24)}"
        return "SLACK_TOKEN", v, rng.choice(["slack_token={}", "posting with bot token {}"])
    if kind == 4:
        header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        iat = neg.epoch_ms(rng) // 1000
        claims = {"sub": neg.hex_string(rng, 16), "iat": iat, "exp": iat + 3600, "scope": "orders:read"}
        payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
        v = f"{header}.{payload}.{b64url(rng.randbytes(32))}"
        return "JWT", v, rng.choice(["Authorization: Bearer {}", "jwt={}", "session token {}"])
    if kind == 5:
        v = "sk_live_" + rand(rng, ALNUM, 24)
        return "STRIPE_KEY", v, rng.choice(["stripe_key={}", "STRIPE_SECRET_KEY={}"])
    pw = rand(rng, ALNUM, rng.randint(10, 16))
    if kind == 6:
        scheme = rng.choice(["postgres", "mysql", "redis", "amqp"])
        return (
            "PASSWORD",
            pw,
            f"{rng.choice(['db_url', 'dsn', 'broker'])}={scheme}://svc_app:{{}}@{rng.choice(DB_HOSTS)}:5432/app",
        )
    return "PASSWORD", pw, rng.choice(["password={}", "passwd={}", 'db_password="{}"'])


def record(rng, src, _lang):
    c = Collector()
    pii, keep = c.pii, c.keep
    person = src.person(rng, "en")
    email = pii("EMAIL_ADDRESS", src.email(rng, "en", person))
    ip = pii("IP_ADDRESS", src.ip(rng))
    request_id = neg.uuid(rng)
    trace = neg.hex_string(rng, 32)
    path = neg.http_path(rng)
    status = rng.choice([200, 200, 201, 204, 400, 401, 403, 404, 500, 503])
    latency = rng.randint(1, 4000)
    type_, value, shape = secret(rng)
    leak = shape.format(pii(type_, value))
    style = rng.randrange(4)
    if style == 0:
        level = rng.choice(["info", "warn", "error", "debug"])
        line = (
            f"ts={keep('timestamp', neg.iso_timestamp(rng))} level={level} svc={rng.choice(SERVICES)} msg=\"request done\" "
            f"request_id={keep('uuid', request_id)} trace_id={keep('trace_id', trace)} user={email} ip={ip} "
            f"method={rng.choice(['GET', 'POST', 'PUT'])} path={keep('http_path', path)} "
            f"{keep('status_code', f'status={status}')} {keep('latency', f'latency_ms={latency}')} "
            f"{keep('semver', 'version=' + neg.semver(rng))} {leak}"
        )
        return c.record("app_log", "en", "text", line)
    if style == 1:
        level = rng.choice(["INFO", "WARN", "ERROR", "DEBUG"])
        line = (
            f"[{keep('timestamp', neg.log_timestamp(rng))}] {level} [worker-{rng.randint(1, 16)}] {rng.choice(LOGGERS)} - "
            f"login for {email} from {ip} request_id={keep('uuid', request_id)} {leak} ({keep('latency', f'took {latency} ms')})"
        )
        return c.record("app_log", "en", "text", line)
    if style == 2:
        entry = {
            "@timestamp": keep("timestamp", neg.iso_timestamp(rng)),
            "level": rng.choice(["info", "warn", "error"]),
            "logger": rng.choice(LOGGERS),
            "message": f"upstream call failed for {email}: {leak}",
            "request_id": keep("uuid", request_id),
            "trace_id": keep("trace_id", trace),
            "http": {
                "method": rng.choice(["GET", "POST"]),
                "path": keep("http_path", path),
                "status": status,
                "duration_ms": latency,
            },
            "client_ip": ip,
            "service": {"name": rng.choice(SERVICES), "version": keep("semver", neg.semver(rng))},
        }
        return c.record("app_log", "en", "json", dump_json(entry))
    line = (
        f"{ip} - - [{keep('timestamp', neg.log_timestamp(rng))}] \"{rng.choice(['GET', 'POST'])} {keep('http_path', path)}?email={email} HTTP/1.1\" "
        f"{keep('status_code', f'{status} {rng.randint(100, 90000)}')} \"-\" \"{src.faker('en').user_agent()}\" "
        f"{keep('latency', f'rt={latency / 1000:.3f}')} req={keep('uuid', request_id)} {leak}"
    )
    return c.record("app_log", "en", "text", line)
