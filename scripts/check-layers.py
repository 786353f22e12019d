#!/usr/bin/env python3
"""check-layers.py — keep the layering of proxy/ honest, from the symbols of the built objects
(nm), so what is checked is what links, not what the #includes say (docs/architecture.md).

  check-layers.py core LIB.a   the pure core (base + dialplan + routing) calls no SIP engine
                               (nta_, tport_), no DNS (ares_) and no TLS (SSL_, SSL_CTX_)
  check-layers.py deps OBJ...  objects named <layer>/<file>.o: a file calls only its own layer or a
                               lower one, and no two files call each other, directly or round a
                               circle
  check-layers.py self-test    both checks reject a planted violation (run by `make test`)

Exit status 0 when clean, 1 with one line per violation on stderr."""
import os
import re
import subprocess
import sys
import tempfile

# Lower first. A file may call files of its own layer and of lower-ranked layers only; layers of
# one rank are independent of each other (dns, tls, presence and ops never call one another).
LAYER_RANK = {
    "base": 0,
    "dialplan": 1,
    "routing": 2,
    "dns": 3, "tls": 3, "presence": 3, "ops": 3,
    "sip": 4, "gateway": 4,
    "cli": 5,
}
# Functions the executable defines to interpose a shared library's own (ELF interposition: sofia
# calls them, ours forward to the library through dlsym(RTLD_NEXT)): tls/tls_hook.c's SSL_new and
# SSL_shutdown, tls/tls_readbuf.c's tls_init_secondary, tls_read and tls_free and
# sip/stream_read.c's su_getmsgsize (sofia's own),
# sip/inbound_hook.c's accept and close. A file that calls close() calls libc's
# function, not the hook's file, so these are no edge of the file graph.
INTERPOSED = {"SSL_new", "SSL_shutdown", "accept", "close", "tls_init_secondary", "tls_read", "tls_free", "tls_pending", "su_getmsgsize"}
# What the pure core must never call: sofia's transaction engine and transports, c-ares, OpenSSL.
CORE_FORBIDDEN = re.compile(r"^(nta_|tport_|ares_|SSL_)")


def nm(path):
    """(defined, undefined) global symbol names of an object or archive."""
    out = subprocess.run(["nm", "-g", path], check=True, capture_output=True, text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("U", "w"):
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] not in ("U", "w"):
            defined.add(parts[2])
    return defined, undefined


def check_core(lib):
    _, undefined = nm(lib)
    bad = sorted(s for s in undefined if CORE_FORBIDDEN.match(s))
    for s in bad:
        print(f"check-layers: {lib}: the pure core calls {s} (base, dialplan and routing must not "
              "use nta/tport, c-ares or OpenSSL: move the call to dns/, tls/ or sip/)",
              file=sys.stderr)
    return not bad


def file_graph(objs):
    """{file: {callee file: [symbols]}} for objects named <layer>/<name>.o."""
    defs, undefs = {}, {}
    for obj in sorted(objs):
        layer = os.path.basename(os.path.dirname(obj))
        if layer not in LAYER_RANK:
            raise SystemExit(f"check-layers: {obj}: not in a layer folder ({', '.join(LAYER_RANK)})")
        f = f"{layer}/{os.path.basename(obj)[:-2]}"
        defined, undefs[f] = nm(obj)
        for s in defined - INTERPOSED:
            defs[s] = f
    graph = {f: {} for f in undefs}
    for f, undefined in undefs.items():
        for s in sorted(undefined):
            g = defs.get(s)
            if g and g != f:
                graph[f].setdefault(g, []).append(s)
    return graph


def cycles(graph):
    """Strongly connected components with more than one file (Tarjan, iterative)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(graph[w])))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def check_deps(objs):
    graph = file_graph(objs)
    ok = True
    for f in sorted(graph):
        lf = f.split("/")[0]
        for g, syms in sorted(graph[f].items()):
            lg = g.split("/")[0]
            if lf != lg and LAYER_RANK[lg] >= LAYER_RANK[lf]:
                ok = False
                print(f"check-layers: proxy/{f}.c calls up or sideways into proxy/{g}.c "
                      f"({', '.join(syms[:4])}): {lf}/ may call only lower layers",
                      file=sys.stderr)
    for comp in cycles(graph):
        ok = False
        members = set(comp)
        edges = [f"{f} -> {g} ({', '.join(graph[f][g][:3])})"
                 for f in comp for g in sorted(graph[f]) if g in members]
        print("check-layers: files call each other in a circle: " + "; ".join(edges) +
              " — move the shared helper into a file below its callers", file=sys.stderr)
    return ok


def self_test():
    """Plant a forbidden call in a core library and a two-file cycle; both must be caught."""
    cc = os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory() as tmp:
        def compile_to(rel, code, objdir="obj"):
            src = os.path.join(tmp, rel.replace("/", "_") + ".c")
            obj = os.path.join(tmp, objdir, rel + ".o")
            os.makedirs(os.path.dirname(obj), exist_ok=True)
            with open(src, "w") as fh:
                fh.write(code)
            subprocess.run([cc, "-c", "-o", obj, src], check=True)
            return obj
        core = compile_to("routing/bad", "void *nta_agent_create(void);\n"
                          "void *bad(void); void *bad(void) { return nta_agent_create(); }\n")
        lib = os.path.join(tmp, "libcore.a")
        subprocess.run(["ar", "rcs", lib, core], check=True)
        os.remove(core)
        compile_to("sip/a", "int b(void); int a(int n); int a(int n) { return n ? b() : 0; }\n")
        compile_to("sip/b", "int a(int n); int b(void); int b(void) { return a(0); }\n")
        compile_to("sip/a", "int a(int n); int a(int n) { return n; }\n", "obj-up")
        compile_to("dialplan/up", "int a(int n); int up(void); int up(void) { return a(1); }\n",
                   "obj-up")
        with open(os.devnull, "w") as null:
            saved, sys.stderr = sys.stderr, null
            try:
                caught_core = not check_core(lib)
                objs = [os.path.join(tmp, "obj", "sip", n) for n in ("a.o", "b.o")]
                objs_up = [os.path.join(tmp, "obj-up", n) for n in ("sip/a.o", "dialplan/up.o")]
                caught_cycle = cycles(file_graph(objs)) == [["sip/a", "sip/b"]]
                caught_cycle = caught_cycle and not check_deps(objs)
                caught_up = not cycles(file_graph(objs_up)) and not check_deps(objs_up)
            finally:
                sys.stderr = saved
    for what, caught in (("a core call to nta_agent_create", caught_core),
                         ("a cycle sip/a <-> sip/b", caught_cycle),
                         ("a call from dialplan/ up into sip/", caught_up)):
        print(f"check-layers self-test: {what}: {'caught' if caught else 'MISSED'}")
    return caught_core and caught_cycle and caught_up


def main(argv):
    if len(argv) == 3 and argv[1] == "core":
        return 0 if check_core(argv[2]) else 1
    if len(argv) >= 3 and argv[1] == "deps":
        return 0 if check_deps(argv[2:]) else 1
    if len(argv) == 2 and argv[1] == "self-test":
        return 0 if self_test() else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
