"""Seed the benchmark's clinic into the database of DATABASE_URL (PostgreSQL
for real figures): `python -m bench.seed`. Skips when already seeded."""

import argparse
import os
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="a tiny clinic, for a smoke test")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    from bench.dataset import FULL, Scale, seed

    scale = (
        Scale(therapists=2, doctors=1, patients_per_therapist=20, notes=40) if args.small else FULL
    )
    seed(scale, log=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
