"""Developer preview: print one document of one cooperative as numbered plain text.

python scripts/preview.py examples/bereke.yaml charter ru [--commentary]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coopdocs.compose import clauses  # noqa: E402
from coopdocs.compose.messages import format_text  # noqa: E402
from coopdocs.errors import CoopdocsError  # noqa: E402
from coopdocs.inputs.loader import load_file  # noqa: E402
from coopdocs.inputs.schema import validate_input  # noqa: E402


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 3:
        print(__doc__)
        return 2
    path, doc, lang = args
    coop, diags = validate_input(load_file(path))
    for d in diags:
        print(format_text(d), file=sys.stderr)
    if coop is None:
        return 1
    try:
        (document,) = clauses.render_all(coop, doc, [lang])
    except CoopdocsError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(clauses.as_text(document, commentary="--commentary" in argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
