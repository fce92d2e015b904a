#!/usr/bin/env python3
"""Every public SQL function has a documented example, and every documented example runs.

- The public functions are read from the expected output of pg_test/sql/zz_catalog.sql.
- Each must appear as `cafe24.<name>(` inside a ```sql block of README.md or docs/*.md.
- Each statement of each such block must appear (whitespace-insensitively) in
  pg_test/sql/*.sql, which pg_regress executes and compares with golden output.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent


def norm(s: str) -> str:
    """Whitespace-folded text without -- comment lines."""
    s = "\n".join(line for line in s.splitlines() if not line.strip().startswith("--"))
    return re.sub(r"\s+", " ", s).strip()


catalog = (root / "pg_test/expected/zz_catalog.out").read_text()
functions = sorted(set(re.findall(r"^ (\w+)\(", catalog, re.M)))
docs = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
blocks = []
for doc in docs:
    for m in re.finditer(r"```sql\n(.*?)```", doc.read_text(), re.S):
        blocks.append((doc.relative_to(root), m.group(1)))
tests = norm(" ".join(p.read_text() for p in sorted((root / "pg_test/sql").glob("*.sql"))))

errors = []
for fn in functions:
    if not any(f"cafe24.{fn}(" in b for _, b in blocks):
        errors.append(f"function cafe24.{fn} has no ```sql example in README.md or docs/")
for doc, block in blocks:
    for stmt in filter(None, (norm(s) for s in block.split(";"))):
        if stmt not in tests:
            errors.append(f"{doc}: example not executed by pg_test/sql: {stmt[:100]}")
if not functions:
    errors.append("no public functions found in pg_test/expected/zz_catalog.out")
for e in errors:
    print(e, file=sys.stderr)
print(f"documented examples: {len(functions)} functions, {len(blocks)} blocks, {len(errors)} problems")
sys.exit(1 if errors else 0)
