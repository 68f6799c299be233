#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# promcheck: check a file strictly against the Prometheus text exposition
# format (version 0.0.4), as node_exporter's textfile collector reads it,
# and against the naming rules of Prometheus's documentation: metric and
# label names, HELP and TYPE lines before the samples of their family and
# at most once, the samples of a family together, label values escaped,
# no label twice, no series twice, float values, counters named _total
# and never negative, a newline at the end.
#
# Usage: promcheck.py FILE   (- for stdin)
# Prints each problem as FILE:LINE: problem; exits 1 if there was one.

import math
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r'^(%s)(?:\{((?:%s=%s)(?:,%s=%s)*)?,?\})? (\S+)(?: (-?[0-9]+))?$'
                    % (NAME, LABEL, VALUE, LABEL, VALUE))
PAIR = re.compile(r'(%s)=(%s)' % (LABEL, VALUE))
HELP = re.compile(r'^# HELP (%s) (.*)$' % NAME)
TYPE = re.compile(r'^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$'
                  % NAME)
FLOAT = re.compile(r'^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$'
                   r'|^[-+]?Inf$|^NaN$')
SUFFIXES = ('_bucket', '_sum', '_count')


def family(name, types):
    """The family a sample belongs to: itself, or a histogram's/summary's."""
    if name in types:
        return name
    for suffix in SUFFIXES:
        base = name[:-len(suffix)] if name.endswith(suffix) else None
        if base and types.get(base) in ('histogram', 'summary'):
            return base
    return name


def check(text, where):
    problems = []
    helps, types, done, series = {}, {}, set(), set()
    current = None

    def bad(lineno, what):
        problems.append('%s:%d: %s' % (where, lineno, what))

    if not text:
        bad(0, 'empty')
        return problems
    if not text.endswith('\n'):
        bad(text.count('\n') + 1, 'no newline at the end')
    for lineno, line in enumerate(text.split('\n')[:-1], 1):
        if line.startswith('#'):
            m = HELP.match(line) or TYPE.match(line)
            if not m:
                if line.startswith('# HELP') or line.startswith('# TYPE'):
                    bad(lineno, 'malformed: %r' % line)
                continue
            name = m.group(1)
            seen = helps if line.startswith('# HELP') else types
            if name in seen:
                bad(lineno, 'second %s of %s' % (line.split()[1], name))
            if name in done or (name != current and
                                any(s[0] == name for s in series)):
                bad(lineno, '%s of %s after its samples' %
                    (line.split()[1], name))
            if line.startswith('# HELP'):
                if not m.group(2).strip():
                    bad(lineno, 'empty HELP of %s' % name)
                if re.search(r'\\[^\\n]', m.group(2)):
                    bad(lineno, 'bad escape in HELP of %s' % name)
            seen[name] = m.group(2) if seen is helps else m.group(2)
            if current and current != name:
                done.add(current)
            current = name
            continue
        m = SAMPLE.match(line)
        if not m:
            bad(lineno, 'not a sample: %r' % line)
            continue
        name, labels, value = m.group(1), m.group(2) or '', m.group(3)
        fam = family(name, types)
        if fam not in types:
            bad(lineno, '%s has no TYPE before it' % name)
        if fam in done:
            bad(lineno, 'samples of %s are not together' % fam)
        if current and current != fam:
            done.add(current)
        current = fam
        names = [p.group(1) for p in PAIR.finditer(labels)]
        if len(names) != len(set(names)):
            bad(lineno, 'a label twice in %r' % line)
        if any(n.startswith('__') for n in names):
            bad(lineno, 'reserved label name in %r' % line)
        key = (name, tuple(sorted(p.group(0) for p in PAIR.finditer(labels))))
        if key in series:
            bad(lineno, 'series twice: %r' % line)
        series.add(key)
        if not FLOAT.match(value):
            bad(lineno, 'value %r is not a float' % value)
            continue
        if types.get(fam) == 'counter':
            if not name.endswith('_total'):
                bad(lineno, 'counter %s is not named _total' % name)
            if math.isnan(float(value)) or float(value) < 0:
                bad(lineno, 'counter %s is %s' % (name, value))
    for name in types:
        if name not in helps:
            bad(0, '%s has TYPE but no HELP' % name)
    return problems


def main():
    if len(sys.argv) != 2:
        print('usage: promcheck.py FILE', file=sys.stderr)
        return 2
    path = sys.argv[1]
    with (open(0) if path == '-' else open(path)) as f:
        problems = check(f.read(), path)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
