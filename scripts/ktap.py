#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one guest run of the mheap harness.

Reads the guest's results channel (KTAP blocks framed by MHEAP-KTAP-BEGIN /
MHEAP-KTAP-END, the kmemleak report) and its console log, and prints one
line per test case plus one line per problem found in the console.  The
last line is "COUNTS <passed> <failed> <skipped>".

A test case counts as failed when KTAP says so, when its result is missing
(fewer results than the plan announced, or an expected suite or selftest
that never reported), and every kernel report in the console log (KASAN,
UBSAN, lockdep, kmemleak, WARN, BUG, Oops, panic, forbidden taint, guest
crash or timeout) counts as one more failure, named after its cause.

KCSAN reports are judged one by one: a report with a frame of mheap's
modules in its title or stacks (``func+0x12/0x40 [mheap]``) fails the run,
one failure per distinct title; a report purely inside the kernel's own
code is printed as a NOTE line (with how often it was seen) and does not
count.
"""
import argparse
import re
import sys

RESULT = re.compile(r'^(\s*)(not ok|ok) (\d+)\s*(?:- )?(.*?)\s*(?:#\s*(SKIP|TODO)\b(.*))?$')
PLAN = re.compile(r'^(\s*)1\.\.(\d+)')

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
    """Yield (kind, name, rc, body_lines) for each framed KTAP block."""
    cur = None
    for line in lines:
        if line.startswith('MHEAP-KTAP-BEGIN '):
            parts = line.split()
            cur = (parts[1], parts[2] if len(parts) > 2 else '?', [])
        elif line.startswith('MHEAP-KTAP-END') and cur:
            m = re.search(r'rc=(\d+)', line)
            yield cur[0], cur[1], int(m.group(1)) if m else None, cur[2]
            cur = None
        elif cur is not None:
            cur[2].append(line)
    if cur is not None:
        yield cur[0], cur[1], None, cur[2] + ['<block cut short>']


def judge_block(kind, name, rc, body, out):
    """Append (status, test, why) tuples for one block to out."""
    results = []
    plans = {}
    for line in body:
        m = RESULT.match(line)
        if m:
            results.append((len(m.group(1)), m.group(2) == 'ok', m.group(4),
                            m.group(5), (m.group(6) or '').strip()))
            continue
        m = PLAN.match(line)
        if m:
            plans.setdefault(len(m.group(1)), int(m.group(2)))
    if not results:
        out.append(('FAIL', f'{kind}/{name}', 'no KTAP result at all'))
        return
    indents = sorted({r[0] for r in results})
    if kind == 'kunit':
        top = indents[0]
        case_indent = indents[1] if len(indents) > 1 else None
        for ind, ok, tname, directive, why in results:
            if ind == top and not ok:
                # A suite that failed without a failing case (init, crash).
                if case_indent is None or not any(
                        r[0] == case_indent and not r[1] for r in results):
                    out.append(('FAIL', f'kunit/{tname}', 'suite failed'))
        if case_indent is None:
            out.append(('FAIL', f'kunit/{name}', 'suite ran no test case'))
            return
    else:
        case_indent = indents[0]
    cases = [r for r in results if r[0] == case_indent]
    for ind, ok, tname, directive, why in cases:
        test = f'{kind}/{name}/{tname}'
        if directive == 'SKIP':
            out.append(('SKIP', test, why))
        elif ok:
            out.append(('PASS', test, ''))
        else:
            out.append(('FAIL', test, 'reported not ok'))
    planned = plans.get(case_indent)
    if planned is None:
        out.append(('FAIL', f'{kind}/{name}', 'no KTAP plan'))
    elif planned != len(cases):
        out.append(('FAIL', f'{kind}/{name}',
                    f'plan said {planned} results, saw {len(cases)}'))
    if kind == 'selftest':
        if rc is None:
            out.append(('FAIL', f'selftest/{name}', 'no exit status'))
        elif rc not in (0, 4) and all(c[1] for c in cases):
            out.append(('FAIL', f'selftest/{name}', f'exit status {rc}'))
        elif rc == 0 and not all(c[1] for c in cases):
            out.append(('FAIL', f'selftest/{name}', 'failed but exited 0'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--label', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('--console', required=True)
    ap.add_argument('--expect', action='append', default=[],
                    help='kind/name that must report, e.g. kunit/mheap_heap')
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
    for kind, name, rc, body in parse_blocks(res):
        seen.add(f'{kind}/{name}')
        judge_block(kind, name, rc, body, out)
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
