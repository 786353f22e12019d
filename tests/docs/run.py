#!/usr/bin/env python3
"""Docs test: every example in README.md and docs/*.md runs as shown (issue 12).

The Markdown is the test. In a fenced code block:

* a **transcript** starts with a line `$ COMMAND` (a trailing `\\` continues it on the next line);
  each command runs under bash in a scratch copy of the repository, and the lines up to the next
  `$ ` line are its expected output (stdout and stderr together), compared exactly after trailing
  blanks are dropped; a line `...` matches any number of lines.
* `<!-- docs-test: file PATH -->` just before a block writes the block to PATH in the scratch
  directory (a node file, a rules directory, a .cases file the transcripts below then use).
* `<!-- docs-test: proxy -->` just before a transcript runs it while the lab proxy
  (`build/sipfed -c sipfed.ini run`) is up on its lab ports.
* `<!-- docs-test: skip REASON -->` just before a block leaves it out, with its reason.

So docs cannot go stale unnoticed, any other block that shows a `build/sipfed` or `openssl`
command line, or routing cases (`... -> EXPECT`), fails the test: make it a transcript, give it
to a file, or skip it with a reason. A command quoted in prose (`sipfed locate --from IMP`) must
name a command and options that `sipfed [COMMAND] --help` lists, and no path outside the
repository may be cited. Usage: run.py [FILE.md]... (default: README.md docs/*.md).
Exit 0 when every example ran as shown.
"""
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARKER = re.compile(r'^<!--\s*docs-test:\s*(file|proxy|skip)\b\s*(.*?)\s*-->\s*$')
FENCE = re.compile(r'^(\s*)(```|~~~)')
COMMAND_LINE = re.compile(r'^\s*(build/sipfed\s+[^\[\s]|openssl\s+s_client)')
CASE_LINE = re.compile(r'^\s*\S+\s+[A-Za-z]+\s+\S+.*\s->\s+\S+\s*$')
COPIED = ('rules',)             # copied into the scratch directory (the rest is linked)
COMMAND_TIMEOUT = 60
PROXY_START_TIMEOUT = 20


class Block:
    def __init__(self, path, line, lines, marker, arg):
        self.path, self.line, self.lines, self.marker, self.arg = path, line, lines, marker, arg

    def where(self):
        return '%s:%d' % (os.path.relpath(self.path, ROOT), self.line)


def blocks_of(path):
    """The fenced blocks of a Markdown file with the marker just before each (or None)."""
    out, marker, arg = [], None, ''
    with open(path, encoding='utf-8') as f:
        text = f.read().split('\n')
    i = 0
    while i < len(text):
        m = MARKER.match(text[i])
        if m:
            marker, arg = m.group(1), m.group(2)
            i += 1
            continue
        f = FENCE.match(text[i])
        if f:
            indent, fence = f.group(1), f.group(2)
            start, body = i + 1, []
            i += 1
            while i < len(text) and not text[i].strip().startswith(fence):
                body.append(text[i][len(indent):] if text[i].startswith(indent) else text[i])
                i += 1
            out.append(Block(path, start, body, marker, arg))
            marker, arg = None, ''
        elif text[i].strip():
            marker, arg = None, ''
        i += 1
    return out


def transcript_steps(block):
    """[(line, command, [expected lines])] of a transcript block."""
    steps, i, lines = [], 0, block.lines
    while i < len(lines):
        if not lines[i].startswith('$ '):
            raise ValueError('%s: line %d: expected a "$ command" line'
                             % (block.where(), block.line + i))
        first, cmd = block.line + i, lines[i][2:]
        while cmd.endswith('\\') and i + 1 < len(lines):
            i += 1
            cmd = cmd + '\n' + lines[i]
        i += 1
        expect = []
        while i < len(lines) and not lines[i].startswith('$ '):
            expect.append(lines[i].rstrip())
            i += 1
        while expect and expect[-1] == '':
            expect.pop()
        steps.append((first, cmd, expect))
    return steps


def output_matches(expect, got):
    """Exact line match; `...` in `expect` matches any run of lines."""
    def match(e, g):
        if not e:
            return not g
        if e[0] == '...':
            return any(match(e[1:], g[k:]) for k in range(len(g) + 1))
        return bool(g) and e[0] == g[0] and match(e[1:], g[1:])
    return match(expect, got)


def scratch_dir():
    d = tempfile.mkdtemp(prefix='sipfed-docs.')
    for name in os.listdir(ROOT):
        if name.startswith('.') or name.startswith('build-'):
            continue
        src = os.path.join(ROOT, name)
        if name in COPIED:
            shutil.copytree(src, os.path.join(d, name))
        else:
            os.symlink(src, os.path.join(d, name))
    return d


def write_file(scratch, block):
    rel = os.path.normpath(block.arg)
    if rel.startswith('..') or os.path.isabs(rel):
        raise ValueError('%s: docs-test file %s is outside the scratch directory'
                         % (block.where(), block.arg))
    top = rel.split(os.sep)[0]
    if os.path.islink(os.path.join(scratch, top)):
        raise ValueError('%s: docs-test file %s would write into the repository'
                         % (block.where(), block.arg))
    dest = os.path.join(scratch, rel)
    os.makedirs(os.path.dirname(dest) or scratch, exist_ok=True)
    with open(dest, 'w', encoding='utf-8') as f:
        f.write('\n'.join(block.lines) + '\n')


class Proxy:
    """The lab proxy, started in the scratch directory and stopped by its pid."""
    def __init__(self, scratch):
        self.log = os.path.join(scratch, 'docs-proxy.log')
        self.proc = subprocess.Popen(['build/sipfed', '-c', 'sipfed.ini', 'run'], cwd=scratch,
                                     stdout=open(self.log, 'w'), stderr=subprocess.STDOUT)
        deadline = time.time() + PROXY_START_TIMEOUT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('the lab proxy exited (%d):\n%s' % (self.proc.returncode,
                                                                      self.log_text()))
            if 'event=start ' in self.log_text():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError('the lab proxy did not start:\n' + self.log_text())

    def log_text(self):
        with open(self.log, encoding='utf-8', errors='replace') as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_step(scratch, block, step):
    first, cmd, expect = step
    try:
        r = subprocess.run(['bash', '-c', cmd], cwd=scratch, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=COMMAND_TIMEOUT)
        got = [line.rstrip() for line in r.stdout.decode('utf-8', 'replace').split('\n')]
    except subprocess.TimeoutExpired:
        got = ['(timed out after %d s)' % COMMAND_TIMEOUT]
    while got and got[-1] == '':
        got.pop()
    if output_matches(expect, got):
        return True
    where = '%s:%d' % (os.path.relpath(block.path, ROOT), first)
    print('FAIL %s: $ %s' % (where, cmd.replace('\n', '\n    ')))
    print('  expected:\n' + ''.join('    | %s\n' % x for x in expect), end='')
    print('  got:\n' + ''.join('    | %s\n' % x for x in got), end='')
    return False


def stray_examples(block):
    """Lines of an unmarked, non-transcript block that look like a runnable example."""
    return [l for l in block.lines if COMMAND_LINE.match(l) or CASE_LINE.match(l)]


OUTSIDE_PATH = re.compile(r'`(/(?!etc/|usr/|var/|lib/|run/|dev/|proc/|sys/|tmp/)[A-Za-z0-9_.-]+/[^`\s]*)')


def outside_paths(path):
    """Paths outside the repository and the system a reader cannot follow (`/home/me/x`)."""
    with open(path, encoding='utf-8') as f:
        return [(n, m.group(1)) for n, line in enumerate(f, 1) for m in OUTSIDE_PATH.finditer(line)]


INLINE_COMMAND = re.compile(r'`((?:build/)?sipfed(?: [^`]*)?)`')
HELP_CACHE = {}


def sipfed_help(command):
    """`build/sipfed [COMMAND] --help`, cached ('' when it cannot run)."""
    if command not in HELP_CACHE:
        args = [os.path.join(ROOT, 'build', 'sipfed')] + ([command] if command else []) + ['--help']
        try:
            HELP_CACHE[command] = subprocess.run(args, stdout=subprocess.PIPE,
                                                 stderr=subprocess.STDOUT, timeout=10
                                                 ).stdout.decode('utf-8', 'replace')
        except (OSError, subprocess.TimeoutExpired):
            HELP_CACHE[command] = ''
    return HELP_CACHE[command]


def stale_inline_commands(path):
    """Commands quoted in prose (`sipfed locate --from IMP ...`) whose command or options the
    CLI no longer has: each must appear in `sipfed [COMMAND] --help`."""
    bad = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            for m in INLINE_COMMAND.finditer(line):
                words = re.sub(r'[\[\]|\\]', ' ', m.group(1)).split()[1:]
                command = next((w for i, w in enumerate(words) if not w.startswith('-') and
                                (i == 0 or words[i - 1] not in ('-c', '--config'))), None)
                if command is not None and not re.match(r'^[a-z]+$', command):
                    command = None
                known = sipfed_help(None)
                if command and ('sipfed [-c FILE] %s' % command not in known and
                                'sipfed %s' % command not in known):
                    bad.append((n, m.group(1), "command '%s'" % command))
                    continue
                helptext = sipfed_help(command) if command else known
                for opt in re.findall(r'(?<![\w-])(--[a-z][a-z-]*)', ' '.join(words)):
                    if opt not in helptext and opt not in ('--help', '--version'):
                        bad.append((n, m.group(1), "option %s" % opt))
    return bad


def check_file(path):
    """Run the examples of one Markdown file; returns (commands run, failures)."""
    run = failed = 0
    for n, cmd, what in stale_inline_commands(path):
        print('FAIL %s:%d: `%s`: %s is not in sipfed --help (the docs are stale, or --help is)'
              % (os.path.relpath(path, ROOT), n, cmd, what))
        failed += 1
    for n, p in outside_paths(path):
        print('FAIL %s:%d: %s is outside the repository: a reader of a clone cannot follow it'
              % (os.path.relpath(path, ROOT), n, p))
        failed += 1
    scratch = scratch_dir()
    try:
        for block in blocks_of(path):
            is_transcript = bool(block.lines) and block.lines[0].startswith('$ ')
            if block.marker == 'skip':
                if not block.arg:
                    print('FAIL %s: docs-test skip needs a reason' % block.where())
                    failed += 1
                continue
            if block.marker == 'file':
                write_file(scratch, block)
                continue
            if not is_transcript:
                stray = stray_examples(block)
                if block.marker == 'proxy' or stray:
                    print('FAIL %s: an example that is not tested (make it a "$ " transcript, '
                          'a docs-test file, or skip it with a reason): %s'
                          % (block.where(), (stray or block.lines or [''])[0].strip()))
                    failed += 1
                continue
            proxy = Proxy(scratch) if block.marker == 'proxy' else None
            try:
                for step in transcript_steps(block):
                    run += 1
                    if not run_step(scratch, block, step):
                        failed += 1
            finally:
                if proxy:
                    proxy.stop()
    except (ValueError, RuntimeError) as e:
        print('FAIL %s' % e)
        failed += 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return run, failed


def main(argv):
    os.chdir(ROOT)
    files = argv or ['README.md'] + sorted(glob.glob('docs/*.md'))
    total = bad = 0
    for path in files:
        run, failed = check_file(os.path.join(ROOT, path))
        total += run
        bad += failed
        print('%s %s: %d command%s run, %d failed'
              % ('ok  ' if failed == 0 else 'FAIL', path, run, '' if run == 1 else 's', failed))
    print('docs test: %d commands, %d failed' % (total, bad))
    return 0 if bad == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
