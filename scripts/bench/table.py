#!/usr/bin/env python3
"""table.py RESULTS TLS_CONNS LAT_RATE VERSIONS CALLGRIND SECONDS — make bench's report.

RESULTS has one line of key=value per (mode, flavour, workers), written by scripts/bench.sh.
Prints one Markdown table per mode: a column per configuration, then the sipfed/Kamailio ratio
for the same worker count, and sipfed's workers=2/workers=1 scaling.
"""
import sys
import time

MODES = {
    "tls": "sipp UAC -TCP-> node A -mutual TLS-> node B -TCP-> sipp UAS",
    "tcp1": "sipp UAC -TCP-> one node -TCP-> sipp UAS",
}


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def fmt(v, unit=""):
    n = num(v)
    if n is None:
        return "–"
    return (f"{n:.0f}" if n >= 100 or n == int(n) else f"{n:.2f}") + unit


def ratio(a, b, higher_is_better=True):
    a, b = num(a), num(b)
    if a is None or b is None or b == 0 or a == 0:
        return "–"
    return f"{a / b:.2f}×"


def main():
    path, conns, lat_rate, versions, ipm, secs = sys.argv[1:7]
    rows = [dict(kv.split("=", 1) for kv in line.split()) for line in open(path) if line.strip()]
    for r in rows:
        if num(r.get("mem_conns_kb")) and num(r.get("conns")):
            r["mem_idle_mb"] = num(r["mem_idle_kb"]) / 1024
            r["mem_conns_mb"] = num(r["mem_conns_kb"]) / 1024
            r["per_conn_kb"] = (num(r["mem_conns_kb"]) - num(r["mem_idle_kb"])) / num(r["conns"])
        if num(r.get("mem_anon_conns_kb")) and num(r.get("conns")):
            r["per_conn_mem_kb"] = (num(r["mem_anon_conns_kb"]) - num(r["mem_anon_idle_kb"])) / num(r["conns"])
        if "lat_p50" in r:
            r["lat"] = f'{fmt(r["lat_p50"])} / {fmt(r["lat_p99"])}'
        if "p99_80" in r:
            r["p80"] = f'{fmt(r["p50_80"])} / {fmt(r["p99_80"])} ms at {r["rate80"]}/s'
        if num(r.get("cpu_ms_per_k")):
            r["per_core"] = 1e6 / num(r["cpu_ms_per_k"])
        r["load"] = f'{r.get("load_start", "?")} → {r.get("load_end", "?")}'

    print(f"# make bench — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {versions}")
    print(f"total {secs} s; load = 1-minute load average at the start and end of each column")
    for mode, title in MODES.items():
        cols = [r for r in rows if r["mode"] == mode]
        if not cols:
            continue
        def col(flavour, workers):
            return next((r for r in cols if r["flavour"] == flavour and r["workers"] == workers), {})
        print(f"\n## {mode}: {title}\n")
        heads = [f'{r["flavour"]} w={r["workers"]}' for r in cols]
        extra = ["sipfed ÷ Kamailio w=1", "sipfed ÷ Kamailio w=2", "sipfed w=2 ÷ w=1"]
        print("| measure | " + " | ".join(heads + extra) + " |")
        print("|---" * (len(heads) + len(extra) + 1) + "|")
        lines = [
            ("highest sustained MESSAGE/s", "max_rate", True),
            (f"p50 / p99 ms at {lat_rate}/s", "lat", None),
            ("p50 / p99 ms at 80 % of the highest rate (1 ms resolution)", "p80", None),
            ("CPU ms per 1000 transactions (all nodes)", "cpu_ms_per_k", False),
            ("on paper: MESSAGE/s per core of proxy CPU", "per_core", True),
            (f"µs per transaction the nodes waited for a CPU at {lat_rate}/s", "runq_us_per_tx", None),
        ]
        if mode == "tls":
            lines += [
                ("memory of B idle, MB (PSS)", "mem_idle_mb", False),
                (f"memory of B with {conns} TLS connections, MB", "mem_conns_mb", False),
                ("kB per idle TLS connection", "per_conn_kb", False),
                ("kB per idle TLS connection, file-backed pages excluded", "per_conn_mem_kb", False),
            ]
        lines += [("processes (both nodes)", "procs", None), ("load", "load", None)]
        for name, key, better in lines:
            cells = []
            for r in cols:
                v = r.get(key)
                if "skipped" in r:
                    cells.append(r["skipped"].replace("_", " ") if key == "max_rate" else "–")
                elif key in ("lat", "p80", "load", "procs", "runq_us_per_tx"):
                    cells.append(v or "–")
                else:
                    cells.append(fmt(v))
            if better is None:
                cells += ["", "", ""]
            else:
                s1, s2 = col("sipfed", "1"), col("sipfed", "2")
                cells += [ratio(s1.get(key), col("kamailio", "1").get(key)),
                          ratio(s2.get(key), col("kamailio", "2").get(key)),
                          ratio(s2.get(key), s1.get(key))]
            print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"\ninstructions per forwarded MESSAGE (callgrind, sipfed w=1, tls): {ipm}")


if __name__ == "__main__":
    main()
