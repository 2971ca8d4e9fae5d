"""HTML on standard input, its PDF on standard output: WeasyPrint in a process
of its own (clinic/printing.py: `html_to_pdf`).

Run as a script with `python -P` (nothing of the project on sys.path), so it
imports WeasyPrint and nothing else. WeasyPrint with its fonts and CSS costs a
process about 40 MB that it never gives back; made here, that memory lives for
the PDF's half second instead of for the life of every web worker (issue 17:
a worker at most 120 MB after serving every endpoint once)."""

import logging
import sys


def main() -> int:
    from weasyprint import HTML

    # WeasyPrint reports each step at INFO; its warnings go to the caller's stderr.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    html = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.buffer.write(HTML(string=html).write_pdf())
    return 0


if __name__ == "__main__":
    sys.exit(main())
