#!/usr/bin/env python3
"""hops.py PCAP [SIPP_TRACE] — where a transaction's time goes, hop by hop (docs/performance.md).

PCAP: `tcpdump -i lo -s 1500 -w PCAP 'tcp port 5060 or tcp port 5090'` taken in the bench's network
namespace during a load step (A_PORT 5060, UAS_PORT 5090: the plaintext hops; the TLS hop between
two nodes is not readable). For every Call-ID: t0 MESSAGE into node A, t1 MESSAGE out to the UAS,
t2 the UAS's 200, t3 the 200 back to the UAC. Prints p50/p90/p99 of t1-t0 (the node(s) forwarding),
t2-t1 (sipp UAS), t3-t2 (the node(s) relaying the 200); with sipp's -trace_msg file, also sipp's
own view. Offline, bounded by the capture's size.
"""
import struct, sys, re
def packets(path):
    f = open(path, 'rb'); gh = f.read(24)
    magic = struct.unpack('<I', gh[:4])[0]
    ns = magic == 0xa1b23c4d
    link = struct.unpack('<I', gh[20:24])[0]
    while True:
        h = f.read(16)
        if len(h) < 16: return
        s, us, incl, orig = struct.unpack('<IIII', h)
        data = f.read(incl)
        ts = s + us / (1e9 if ns else 1e6)
        off = 14 if link == 1 else (16 if link == 113 else 0)
        ip = data[off:]
        if len(ip) < 20 or ip[0] >> 4 != 4: continue
        ihl = (ip[0] & 15) * 4
        tcp = ip[ihl:]
        sp, dp = struct.unpack('>HH', tcp[:4])
        doff = (tcp[12] >> 4) * 4
        yield ts, sp, dp, tcp[doff:]
start = re.compile(rb'(MESSAGE sip:|SIP/2\.0 (\d{3}))')
cid = re.compile(rb'\r\n(?:Call-ID|i):\s*([^\r\n]+)', re.I)
ev = {}
for ts, sp, dp, pl in packets(sys.argv[1]):
    if not pl: continue
    for m in start.finditer(pl):
        c = cid.search(pl, m.end())
        if not c: continue
        nxt = start.search(pl, m.end())
        if nxt and nxt.start() < c.start(): continue
        k = c.group(1).strip()
        if m.group(1).startswith(b'MESSAGE'):
            key = 't0' if dp == 5060 else ('t1' if dp == 5090 else None)
        elif m.group(2) == b'200':
            key = 't2' if sp == 5090 else ('t3' if sp == 5060 else None)
        else: key = None
        if key and key not in ev.setdefault(k, {}): ev[k][key] = ts
def pct(a, p): return a[min(len(a) - 1, int(len(a) * p))] if a else float('nan')
rows = [e for e in ev.values() if len(e) == 4]
def show(name, vals):
    vals = sorted(v * 1000 for v in vals)
    print(f"{name:28s} n={len(vals):6d} mean={sum(vals)/max(1,len(vals)):7.2f} p50={pct(vals,.5):7.2f} p90={pct(vals,.9):7.2f} p99={pct(vals,.99):7.2f} max={vals[-1] if vals else 0:8.2f} ms")
show("node(s) forward (t1-t0)", [e['t1'] - e['t0'] for e in rows])
show("UAS answer (t2-t1)", [e['t2'] - e['t1'] for e in rows])
show("node(s) relay 200 (t3-t2)", [e['t3'] - e['t2'] for e in rows])
show("on the wire total (t3-t0)", [e['t3'] - e['t0'] for e in rows])
if len(sys.argv) > 2:
    # sipp's own view: send and receive timestamps per Call-ID from -trace_msg
    s, r = {}, {}
    hdr = re.compile(r'^-+ (\S+) (\S+)'); cur = None; first = None; ts = 0
    for line in open(sys.argv[2], errors='replace'):
        m = hdr.match(line)
        if m and ('message sent' in line or 'message received' in line):
            h, mi, sec = m.group(2).split(':'); ts = int(h) * 3600 + int(mi) * 60 + float(sec)
            cur = 's' if 'sent' in line else 'r'; first = None; continue
        if first is None and line.strip(): first = line; continue
        if line.lower().startswith(('call-id:', 'i:')):
            k = line.split(':', 1)[1].strip().encode()
            if cur == 's' and first.startswith('MESSAGE') and k not in s: s[k] = ts
            elif cur == 'r' and first.startswith('SIP/2.0 200') and k not in r: r[k] = ts
    import time
    both = [k for k in s if k in r and k in ev and len(ev[k]) == 4]
    # wall-clock to day-seconds offset for the pcap times
    def day(t): lt = time.localtime(t); return lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + (t % 1)
    show("sipp UAC rtt", [r[k] - s[k] for k in both])
    show("UAC send delay (t0-sipp)", [day(ev[k]['t0']) - s[k] for k in both])
    show("UAC recv delay (sipp-t3)", [r[k] - day(ev[k]['t3']) for k in both])
