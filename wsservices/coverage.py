"""Which operations of each contract the emulator implements, as a Markdown table.

The README's coverage section is this output (`hpccemu coverage --readme README.md`);
a test keeps the two in step.
"""
from __future__ import annotations


def coverage_markdown() -> str:
    from wsservices.app import SERVICE_CLASSES

    lines = []
    for cls in SERVICE_CLASSES:
        ops = sorted(op.name for op in list(cls.contract.OPERATIONS) + list(cls.extra_operations))
        done = [op for op in ops if callable(getattr(cls, op, None))]
        lines.append(f"### {cls.contract.SERVICE} {cls.contract.VERSION}: {len(done)} of {len(ops)} operations\n")
        lines.append("| operation | implemented |")
        lines.append("| --- | --- |")
        lines += [f"| {op} | {'yes' if op in done else 'not yet'} |" for op in ops]
        lines.append("")
    return "\n".join(lines)


START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"


def replace_section(text: str, table: str) -> str:
    """`text` with everything between the coverage markers replaced by `table`."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}{END}{tail}"
