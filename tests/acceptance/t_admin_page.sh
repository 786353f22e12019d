#!/usr/bin/env bash
# acceptance: ~45 s
# The admin page (GET /) in headless Chromium: the rendered DOM has the zones, the peer, the
# searches just made (with the rules tried) and the presence just mapped (also in /presence and
# sipfed_presence_mapped_total), and a screenshot of it is a real, non-blank image.
. "$(dirname "$0")/lib.sh"

command -v chromium >/dev/null || fail "chromium not installed (scripts/deps.sh)"
node_file tcp
lab_rules tcp
admin_on
start_sipfed
wait_until 10 port_open tcp "$PROXY_IP" "$ADMIN_PORT" || fail "admin listener not open"

sipp_server ms "$SIPP_DIR/uas_message.xml" tcp "$MS_IP" "$MS_PORT"
expect_ok uac sipp_client uac "$SIPP_DIR/uac_message.xml" tcp "$IMP_IP" -s bob \
    -key from_domain ciscoexample.test -key to_domain msexample.test
expect_ok ms sipp_wait ms
uac_xml "$T/uac_404.xml" MESSAGE "sip:mallory@elsewhere.test" 404
expect_ok uac_404 sipp_client uac_404 "$T/uac_404.xml" tcp "$MS_IP" \
    -key from_domain msexample.test -key max_forwards 70
wait_log "alias=mallory@elsewhere.test src=default .*status=404"
# Presence from the Microsoft side (categories: busy, on-the-phone) toward IM&P.
uas_xml "$T/uas_notify.xml" NOTIFY 200
sipp_server imp "$T/uas_notify.xml" tcp "$IMP_IP" "$IMP_PORT"
expect_ok notify sipp_client notify "$SIPP_DIR/uac_notify.xml" tcp "$MS_IP" -s alice \
    -key from_domain msexample.test -key to_domain ciscoexample.test
expect_ok imp sipp_wait imp
metric_is 'sipfed_presence_mapped_total{from="categories",to="busy"}' 1
admin_get presence | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["count"] == 1, p
e = p["presentities"][0]
assert e["entity"] == "sip:bob@msexample.test" and e["state"] == "busy", e
assert e["activity"] == "on-the-phone" and e["note"] == "In a call", e' || fail "/presence: $(admin_get presence)"

chrome() {   # chrome ARGS...: headless Chromium on the page, bounded, own profile
    timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" "$@" "http://$ADMIN/" 2>>"$T/chrome.err"
}
chrome --dump-dom > "$T/page.html" || fail "chromium could not load the page: $(tail -5 "$T/chrome.err")"
for text in '<h1>sipfed edge.ciscoexample.test</h1>' '<td>IMP</td><td>neighbor</td><td>tcp</td>' \
            "<td>$IMP_IP:$IMP_PORT</td>" '<td>bob@msexample.test</td>' '<td>mallory@elsewhere.test</td>' \
            'Outbound to Microsoft: <b>matched</b>' 'Inbound to IM&amp;P: pattern' \
            "<td>$MS_IP:$MS_PORT/tcp</td>" '>404 no search rule matched<' \
            '<td>sip:bob@msexample.test</td><td>busy</td><td>on-the-phone</td><td>In a call</td>'; do
    grep -qF -- "$text" "$T/page.html" || fail "the rendered page lacks '$text'"
done

chrome --screenshot="$T/page.png" --window-size=1280,900 >/dev/null ||
    fail "chromium could not take a screenshot: $(tail -5 "$T/chrome.err")"
python3 - "$T/page.png" <<'PY' || fail "the screenshot is not the rendered page"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
assert (w, h, depth) == (1280, 900, 8) and ctype in (2, 6), (w, h, depth, ctype)
idat, pos = b"", 8
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw, bpp = zlib.decompress(idat), 3 if ctype == 2 else 4
stride, prev, rows = w * bpp, bytearray(w * bpp), []
for y in range(h):   # undo the PNG row filters (RFC 2083 section 6)
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
px = [(r[x], r[x + 1], r[x + 2]) for r in rows for x in range(0, stride, bpp)]
dark = sum(1 for p in px if max(p) < 90)                            # text and borders
red = sum(1 for p in px if p[0] > 150 and p[1] < 60 and p[2] < 60)  # the 404 status
green = sum(1 for p in px if p[1] > 100 and p[0] < 60 and p[2] < 60)  # the 200 status
white = sum(1 for p in px if min(p) > 240)
assert 2000 < dark < len(px) // 4 and red > 50 and green > 20 and white > len(px) // 2, \
    (dark, red, green, white)
print("  screenshot %dx%d: %d text, %d red, %d green pixels" % (w, h, dark, red, green))
PY
pass "the page renders in headless Chromium with zones, peers and the last searches"
