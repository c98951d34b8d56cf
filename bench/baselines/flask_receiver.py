"""The receiver pattern from Kite's postback guides, for comparison: Flask, raw body, sha256 check, sqlite insert.
Run with Debian's python3-flask: PORT=... DB=... SECRET=... /usr/bin/python3 bench/baselines/flask_receiver.py"""
import hashlib, hmac, json, os, sqlite3, threading
from flask import Flask, request

app = Flask(__name__)
DB, SECRET = os.environ.get("DB", ":memory:"), os.environ.get("SECRET", "")
local = threading.local()

def db():
    if not hasattr(local, "conn"):
        local.conn = sqlite3.connect(DB, timeout=30)
        local.conn.execute("PRAGMA journal_mode=WAL")
        local.conn.execute("PRAGMA synchronous=FULL")
        local.conn.execute("CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, dedup_key TEXT UNIQUE, order_id TEXT, raw_body TEXT)")
    return local.conn

@app.route("/kite/postback", methods=["POST"])
def postback():
    raw = request.get_data(as_text=True)
    try:
        body = json.loads(raw)
    except ValueError:
        return "", 400
    expected = hashlib.sha256((str(body.get("order_id")) + str(body.get("order_timestamp")) + SECRET).encode()).hexdigest()
    if not hmac.compare_digest(expected, str(body.get("checksum", ""))):
        return "", 403
    key = hashlib.sha256(f"{body.get('order_id')}|{body.get('status')}|{body.get('filled_quantity')}".encode()).hexdigest()
    conn = db()
    conn.execute("INSERT OR IGNORE INTO inbox (dedup_key, order_id, raw_body) VALUES (?, ?, ?)", (key, str(body.get("order_id")), raw))
    conn.commit()
    return {"status": "ok"}

if __name__ == "__main__":
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", int(os.environ.get("PORT", "0")), app, threaded=True)
    print(f"listening {server.server_port}", flush=True)
    server.serve_forever()
