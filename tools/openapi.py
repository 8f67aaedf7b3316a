"""Write the REST API's OpenAPI document where the studio's typed client is generated from.

    python -m tools.openapi          # write gateway/studio/src/api/openapi.json
    python -m tools.openapi --check  # exit 1 if the committed one differs from what the protos make now

The document is the gateway's own (gateway.openapi over the descriptor set), so the page and the
gateway read one contract; `npm run gen` in gateway/studio turns it into src/api/schema.d.ts.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from gateway import openapi, rules

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "gateway" / "studio" / "src" / "api" / "openapi.json"


def render(descriptor_set: pathlib.Path = rules.DEFAULT_DESCRIPTOR_SET) -> str:
    """The OpenAPI document as committed: sorted keys, 2-space indent, a trailing newline."""
    api = rules.build_api(rules.load_descriptor_set(descriptor_set))
    return json.dumps(openapi.document(api), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed document is stale")
    parser.add_argument("--descriptor-set", type=pathlib.Path, default=rules.DEFAULT_DESCRIPTOR_SET,
                        help="the descriptor set to read (default: the generated one)")
    args = parser.parse_args(argv)
    document = render(args.descriptor_set)
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != document:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python -m tools.openapi, then npm run gen "
                  "in gateway/studio", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(document, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
