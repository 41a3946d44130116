#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one guest run of the mheap harness.

Reads the guest's results channel (KTAP blocks framed by MHEAP-KTAP-BEGIN /
MHEAP-KTAP-END, the kmemleak report) and its console log, and prints one
line per test case plus one line per problem found in the console.  The
last line is "COUNTS <passed> <failed> <skipped>".

The KTAP of each block is parsed by the kernel's own parser,
tools/testing/kunit/kunit_parser.py of the linux-source-6.12 tree the
harness unpacks (scripts/debug-kernel.sh --source), or --kunit-dir.  What
this script adds is what kunit.py does not do:

- judge the console log: every kernel report (KASAN, UBSAN, lockdep,
  kmemleak, WARN, BUG, Oops, panic, lockup, forbidden taint, guest crash
  or timeout) counts as one more failure, named after its cause;
- KCSAN reports one by one: a report with a frame of mheap's modules in
  its title or stacks (``func+0x12/0x40 [mheap]``) fails the run, one
  failure per distinct title; a report purely inside the kernel's own
  code is printed as a NOTE line (with how often it was seen);
- a missing plan, or more results than the plan: kunit_parser accepts
  both silently (it reads to the end without a plan and stops reading at
  the planned count);
- a selftest's exit status against its results (the kselftest runner's
  rule: 0 pass, 4 skip) and the settings timeout the guest enforced;
- the suites and selftests that were expected but never reported.
"""
import argparse
import contextlib
import io
import os
import re
import subprocess
import sys

# Console patterns that fail a run, in the order they are reported.
CONSOLE_BAD = [
    (re.compile(r'BUG: KASAN'), 'KASAN report'),
    (re.compile(r'UBSAN:'), 'UBSAN report'),
    (re.compile(r'WARNING: possible (circular|recursive) locking|'
                r'inconsistent lock state|possible irq lock inversion|'
                r'WARNING: suspicious RCU usage|INFO: trying to register '
                r'non-static key|WARNING: lock held when returning|'
                r'WARNING: bad unlock balance|WARNING: held lock freed'),
     'lockdep splat'),
    (re.compile(r'BUG: sleeping function called from invalid context|'
                r'BUG: scheduling while atomic'), 'sleep in atomic context'),
    (re.compile(r'unreferenced object 0x'), 'kmemleak report'),
    (re.compile(r'WARNING: CPU: \d+ PID: \d+|------------\[ cut here \]'),
     'kernel WARN'),
    (re.compile(r'BUG: (?!KASAN|KCSAN)'), 'kernel BUG'),
    (re.compile(r'Oops:|general protection fault'), 'Oops'),
    (re.compile(r'Kernel panic'), 'kernel panic'),
    (re.compile(r'soft lockup|hung_task|blocked for more than'), 'lockup'),
    (re.compile(r'MHEAP-HOST: (.*)'), None),
    (re.compile(r'MHEAP-JOB-FAIL (.*)'), None),
]

# Taint flags a healthy run may carry: O (out-of-tree module), E (unsigned
# module), N (KUnit tests were run).
TAINT_ALLOWED = (1 << 12) | (1 << 13) | (1 << 18)
TAINT_LETTERS = 'PFSRMBUDAWCIOELKXTN'

KCSAN_TITLE = re.compile(r'BUG: KCSAN: (.*\S)')
KCSAN_END = re.compile(r'^={20,}$')
# mheap.ko, mheap_kunit.ko and the other modules of this tree.
OURS = re.compile(r'\[mheap\w*\]')
PRINTK_TIME = re.compile(r'^\[\s*\d+\.\d+\]\s?')
# A race of unknown origin names one frame with its offset: drop it, so
# the report is counted as the same race however the code was entered.
OFFSET = re.compile(r'\+0x[0-9a-f]+/0x[0-9a-f]+')


def kcsan_reports(lines):
    """Yield (title, body_lines) for each KCSAN report in a console log."""
    title = None
    body = []
    for raw in lines:
        line = PRINTK_TIME.sub('', raw)
        m = KCSAN_TITLE.search(line)
        if m:
            if title is not None:
                yield title, body
            title, body = OFFSET.sub('', m.group(1)), []
            continue
        if title is None:
            continue
        if KCSAN_END.match(line.strip()):
            yield title, body
            title, body = None, []
        else:
            body.append(line)
    if title is not None:
        yield title, body + ['<report cut short>']


def judge_kcsan(lines, out, notes):
    """Fail each distinct KCSAN report touching mheap; note the others."""
    seen = {}
    for title, body in kcsan_reports(lines):
        ours = bool(OURS.search(title)) or any(OURS.search(l) for l in body)
        first = next((l.strip() for l in body
                      if ' bytes by ' in l), '')
        cnt = seen.setdefault(title, [False, 0, first])
        cnt[0] = cnt[0] or ours
        cnt[1] += 1
    for title, (ours, n, first) in seen.items():
        times = f'{n} time{"s" if n > 1 else ""}'
        if ours:
            out.append(('FAIL', f'console/KCSAN {title}',
                        f'{times}; {first}'[:160]))
        else:
            notes.append(f'KCSAN in the kernel only, {times}: {title}')


def parse_blocks(lines):
    """Yield (kind, name, end_line, body_lines) for each framed KTAP block."""
    cur = None
    for line in lines:
        if line.startswith('MHEAP-KTAP-BEGIN '):
            parts = line.split()
            cur = (parts[1], parts[2] if len(parts) > 2 else '?', [])
        elif line.startswith('MHEAP-KTAP-END') and cur:
            yield cur[0], cur[1], line, cur[2]
            cur = None
        elif cur is not None:
            cur[2].append(line)
    if cur is not None:
        yield cur[0], cur[1], None, cur[2] + ['<block cut short>']


def kunit_dir(given):
    """The kernel's tools/testing/kunit directory, unpacked if need be."""
    if given:
        return given
    here = os.path.dirname(os.path.abspath(__file__))
    src = subprocess.run([os.path.join(here, 'debug-kernel.sh'), '--source'],
                         check=True, capture_output=True, text=True)
    return os.path.join(src.stdout.strip().splitlines()[-1],
                        'tools', 'testing', 'kunit')


def load_parser(path):
    """Import kunit_parser from @path, its messages going to a buffer."""
    sys.path.insert(0, path)
    buf = io.StringIO()
    # kunit_printer binds sys.stdout at import: bind it to the buffer.
    with contextlib.redirect_stdout(buf):
        import kunit_parser  # pylint: disable=import-outside-toplevel
    return kunit_parser, buf


class Judge:
    """Turns framed KTAP blocks into (status, test, why) tuples."""

    def __init__(self, parser, buf):
        self.kp = parser
        self.buf = buf
        self.skips = {}

    def parse(self, body):
        """Parse one block: (main test, leftover result lines, errors)."""
        kp = self.kp
        self.buf.seek(0)
        self.buf.truncate()
        lines = kp.extract_tap_lines(body)
        if not lines:
            return None, [], ['no KTAP output']
        main = kp.parse_test(lines, 0, [], False)
        left = [l for l in lines if kp.TEST_RESULT.match(l)]
        errors = [m.group(1) for m in
                  re.finditer(r'\[ERROR\] Test: (.*)', self.buf.getvalue())]
        return main, left, errors

    def cases(self, kind, name, parent, out, errors):
        """One line per case of @parent; the plan checked."""
        kp = self.kp
        missing = 0
        for t in parent.subtests:
            if t.name == '' and t.status == kp.TestStatus.TEST_CRASHED:
                missing += 1        # kunit_parser's "missing expected subtest!"
                continue
            test = f'{kind}/{name}/{t.name}'
            if t.status == kp.TestStatus.SKIPPED:
                # The directive's reason, else the diagnostic line before
                # (ktap_helpers.sh's ktap_test_skip takes no reason).
                why = self.skips.get(t.name, '')
                diag = [l.strip().lstrip('#').strip() for l in t.log
                        if l.strip().startswith('#')]
                if not why and diag:
                    why = diag[-1]
                out.append(('SKIP', test, why))
            elif t.status == kp.TestStatus.SUCCESS:
                out.append(('PASS', test, ''))
            elif t.status == kp.TestStatus.NO_TESTS:
                out.append(('FAIL', test, 'ran no test'))
            else:
                out.append(('FAIL', test, 'reported not ok'
                            if t.status == kp.TestStatus.FAILURE
                            else 'crashed'))
        seen = len(parent.subtests) - missing
        before = len(out)
        if parent.expected_count is None:
            out.append(('FAIL', f'{kind}/{name}', 'no KTAP plan'))
        elif missing:
            out.append(('FAIL', f'{kind}/{name}',
                        f'plan said {parent.expected_count} results, '
                        f'saw {seen}'))
        # Any other complaint of the parser (test numbers out of order, a
        # result line missing), when the plan did not explain it already.
        for e in errors if len(out) == before else []:
            if 'missing expected subtest' in e or '0 tests run' in e:
                continue
            out.append(('FAIL', f'{kind}/{name}', f'KTAP: {e}'[:160]))
            break

    def block(self, kind, name, end, body, out):
        """Append (status, test, why) tuples for one block to out."""
        main, left, errors = self.parse(body)
        # kunit_parser keeps no SKIP reason: take it from the lines.
        self.skips = {}
        for l in body:
            m = self.kp.TEST_RESULT_SKIP.match(l)
            if m:
                self.skips.setdefault(m.group(4).strip(), m.group(5).strip())
        if main is None or not main.subtests:
            out.append(('FAIL', f'{kind}/{name}', 'no KTAP result at all'))
            return
        if left:
            out.append(('FAIL', f'{kind}/{name}',
                        f'{len(left)} result(s) after the plan'))
        if kind == 'kunit':
            # debugfs results: a plan of one suite, its cases inside.
            for suite in main.subtests:
                if not suite.subtests:
                    out.append(('FAIL', f'kunit/{suite.name or name}',
                                'suite ran no test case'))
                    continue
                if suite.status in (self.kp.TestStatus.FAILURE,
                                    self.kp.TestStatus.TEST_CRASHED) and \
                        all(t.ok_status() for t in suite.subtests):
                    # A suite that failed without a failing case (init).
                    out.append(('FAIL', f'kunit/{suite.name}', 'suite failed'))
                self.cases(kind, name, suite, out, errors)
            return
        self.cases(kind, name, main, out, errors)
        if kind != 'selftest':
            return
        cases = [t for t in main.subtests if t.name]
        all_ok = all(t.ok_status() for t in cases)
        m = re.search(r'rc=(\d+)', end or '')
        rc = int(m.group(1)) if m else None
        tmo = re.search(r'timeout=(\d+)', end or '')
        if tmo:
            out.append(('FAIL', f'selftest/{name}',
                        f'killed after the settings timeout of {tmo.group(1)} s'))
        elif rc is None:
            out.append(('FAIL', f'selftest/{name}', 'no exit status'))
        elif rc not in (0, 4) and all_ok:
            out.append(('FAIL', f'selftest/{name}', f'exit status {rc}'))
        elif rc == 0 and not all_ok:
            out.append(('FAIL', f'selftest/{name}', 'failed but exited 0'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--label', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('--console', required=True)
    ap.add_argument('--expect', action='append', default=[],
                    help='kind/name that must report, e.g. kunit/mheap_heap')
    ap.add_argument('--kunit-dir',
                    help="the kernel's tools/testing/kunit (default: that of "
                         'scripts/debug-kernel.sh --source)')
    args = ap.parse_args()

    def read(path):
        try:
            with open(path, errors='replace') as f:
                return [l.rstrip('\r\n').replace('\r', '') for l in f]
        except OSError:
            return []

    res = read(args.results)
    con = read(args.console)
    out = []
    seen = set()
    try:
        judge = Judge(*load_parser(kunit_dir(args.kunit_dir)))
    except (OSError, ImportError, subprocess.CalledProcessError) as e:
        judge = None
        out.append(('FAIL', 'harness/kunit_parser', f'cannot load it: {e}'))
    for kind, name, end, body in parse_blocks(res):
        seen.add(f'{kind}/{name}')
        if judge:
            judge.block(kind, name, end, body, out)
        else:
            out.append(('FAIL', f'{kind}/{name}', 'not judged'))
    if 'MHEAP-RESULTS-END' not in res:
        out.append(('FAIL', 'harness/results',
                    'results channel cut short (no MHEAP-RESULTS-END)'))
    for exp in args.expect:
        if exp not in seen:
            out.append(('FAIL', exp, 'never reported a result'))

    notes = []
    judge_kcsan(con, out, notes)
    found = {}
    for line in con + res:
        for pat, what in CONSOLE_BAD:
            m = pat.search(line)
            if m:
                why = what or m.group(1)
                found.setdefault(why, line.strip())
                break
    for why, line in found.items():
        out.append(('FAIL', f'console/{why}', line[:160]))

    taint = [l for l in con if l.startswith('MHEAP-TAINT ')]
    if taint:
        val = int(taint[-1].split()[1])
        bad = val & ~TAINT_ALLOWED
        if bad:
            letters = ''.join(c for i, c in enumerate(TAINT_LETTERS)
                              if bad & (1 << i))
            out.append(('FAIL', 'console/taint',
                        f'kernel tainted {val} (forbidden flags {letters})'))
    elif not any(w == 'MHEAP-HOST' for w in found):
        out.append(('FAIL', 'console/taint', 'guest never reported taint'))

    for note in notes:
        print(f'NOTE {args.label}: {note}')
    counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
    for status, test, why in out:
        counts[status] += 1
        tail = f' ({why})' if why else ''
        print(f'{status} {args.label}: {test}{tail}')
    print(f"COUNTS {counts['PASS']} {counts['FAIL']} {counts['SKIP']}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
