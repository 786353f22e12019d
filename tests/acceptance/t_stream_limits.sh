#!/usr/bin/env bash
# TCP stream limits: 200 pipelined MESSAGEs (about 140 kB) written at once on one connection are
# all forwarded and answered (sofia closes a connection whose unread bytes exceed its read limit:
# that limit must not be max_message_size); a single request larger than max_message_size gets
# 513 and a log line, and the connection stays usable.
. "$(dirname "$0")/lib.sh"

N=200

# client.py MODE: MODE pipeline sends N MESSAGEs in one write, big sends one 5000-byte body then one
# small MESSAGE; prints the status codes received, one per line (bounded: 20 s).
cat > "$T/client.py" <<'PY'
import socket, sys, time
mode, src, dst, port, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def msg(i, body_len):
    body = "x" * body_len
    return ("MESSAGE sip:alice@ciscoexample.test SIP/2.0\r\n"
            "Via: SIP/2.0/TCP %s:5999;branch=z9hG4bK-%s-%d\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:bob@msexample.test>;tag=t%d\r\n"
            "To: <sip:alice@ciscoexample.test>\r\nCall-ID: %s-%d@test\r\nCSeq: 1 MESSAGE\r\n"
            "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
            % (src, mode, i, i, mode, i, body_len, body)).encode()
s = socket.socket()
s.bind((src, 0))
s.connect((dst, port))
if mode == "pipeline":
    s.sendall(b"".join(msg(i, 400) for i in range(n)))
    want = n
else:
    s.sendall(msg(0, 5000) + msg(1, 100))
    want = 2
s.settimeout(1)
data, deadline = b"", time.time() + 20
while data.count(b"\r\nCSeq:") < want and time.time() < deadline:
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        continue
    if not chunk:
        break
    data += chunk
for line in data.split(b"\r\n"):
    if line.startswith(b"SIP/2.0 ") and not line.startswith(b"SIP/2.0 100"):
        print(line.split()[1].decode())
PY

node_file tcp; lab_rules tcp
sed -i 's/^max_forwards = 70$/max_forwards = 70\nmax_message_size = 4096/' "$T/sipfed.ini"
start_sipfed

uas_xml "$T/uas.xml" MESSAGE 200
sipp_server imp "$T/uas.xml" tcp "$IMP_IP" "$IMP_PORT" -m "$N"
python3 "$T/client.py" pipeline "$MS_IP" "$PROXY_IP" "$PROXY_PORT" "$N" > "$T/pipeline.out"
got=$(grep -c '^200$' "$T/pipeline.out")
[ "$got" -eq "$N" ] || fail "pipelined MESSAGEs: $got of $N answered 200 ($(sort "$T/pipeline.out" | uniq -c | tr '\n' ' '))"
expect_ok imp sipp_wait imp

uas_xml "$T/uas1.xml" MESSAGE 200
sipp_server imp1 "$T/uas1.xml" tcp "$IMP_IP" "$IMP_PORT"
python3 "$T/client.py" big "$MS_IP" "$PROXY_IP" "$PROXY_PORT" 1 > "$T/big.out"
[ "$(tr '\n' ' ' < "$T/big.out")" = "513 200 " ] ||
    fail "a request over max_message_size: expected 513 then 200 on the same connection, got $(tr '\n' ' ' < "$T/big.out")"
wait_log "method=MESSAGE status=513 size=[0-9]+ reason=\"larger than max_message_size\""
expect_ok imp1 sipp_wait imp1
stop_all
pass "$N pipelined MESSAGEs on one TCP connection; 513 over max_message_size, connection kept"
