"""Generate the Python contract code from protos/ — the one command for it.

    python -m tools.protos          # regenerate filmstudio/v1/*_pb2*.py and the descriptor set
    python -m tools.protos --check  # exit 1 if the committed code is stale (CI)
    python -m tools.protos --breaking-against REF   # buf breaking against a git revision's protos

The google/api and google/rpc imports are copied from the googleapis-common-protos wheel into
.build/proto_deps, where buf (see buf.yaml) finds them too: no network needed.
"""

from __future__ import annotations

import argparse
import filecmp
import pathlib
import shutil
import subprocess
import sys
import tempfile

from google.api import annotations_pb2
import grpc_tools
from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
DEPS = ROOT / ".build" / "proto_deps"
OUT_PACKAGE = pathlib.PurePath("filmstudio", "v1")
DESCRIPTOR_SET = "descriptor.binpb"


def sync_deps() -> pathlib.Path:
    """Copy the google/api and google/rpc protos we import out of the installed wheel."""
    google_dir = pathlib.Path(annotations_pb2.__file__).resolve().parent.parent
    for sub in ("api", "rpc"):
        target = DEPS / "google" / sub
        target.mkdir(parents=True, exist_ok=True)
        for proto in (google_dir / sub).glob("*.proto"):
            shutil.copyfile(proto, target / proto.name)
    return DEPS


def generate(out_root: pathlib.Path) -> None:
    """Run protoc over protos/filmstudio/v1 into out_root/filmstudio/v1."""
    sync_deps()
    sources = sorted(str(p.relative_to(PROTOS)) for p in (PROTOS / OUT_PACKAGE).glob("*.proto"))
    well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    (out_root / OUT_PACKAGE).mkdir(parents=True, exist_ok=True)
    args = [
        "protoc",
        f"-I{PROTOS}",
        f"-I{DEPS}",
        f"-I{well_known}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        f"--descriptor_set_out={out_root / OUT_PACKAGE / DESCRIPTOR_SET}",
        "--include_imports",
        "--include_source_info",
        *sources,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed (see above)")


def generated_files(root: pathlib.Path) -> list[pathlib.Path]:
    folder = root / OUT_PACKAGE
    return sorted(p.relative_to(root) for p in folder.iterdir()
                  if p.name.endswith(("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")) or p.name == DESCRIPTOR_SET)


def buf_binary() -> str:
    found = shutil.which("buf") or str(pathlib.Path(sys.executable).parent / "buf")
    if not pathlib.Path(found).exists():
        raise SystemExit("buf not found: install the buf-bin package")
    return found


def breaking_against(ref: str) -> int:
    """buf breaking (FILE rules) of the working tree's protos against those at a git revision."""
    sync_deps()
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", ref, "--", "protos", "buf.yaml"],
                            cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0 or not any(p.endswith(".proto") for p in listed.stdout.split()):
        print(f"buf breaking: {ref} has no protos to compare against; skipped")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        old = pathlib.Path(tmp)
        archive = subprocess.run(["git", "archive", ref, "protos", "buf.yaml"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        shutil.copytree(DEPS, old / DEPS.relative_to(ROOT))
        # Compare whole images under FILE rules; the google deps are the same wheel on both sides.
        images = {}
        for name, tree in (("old", old), ("new", ROOT)):
            images[name] = old / f"{name}.binpb"
            subprocess.run([buf_binary(), "build", str(tree), "-o", str(images[name])], check=True)
        rules = '{"version":"v2","breaking":{"use":["FILE"]}}'
        result = subprocess.run([buf_binary(), "breaking", str(images["new"]), "--against", str(images["old"]),
                                 "--config", rules], cwd=ROOT)
    if result.returncode == 0:
        print(f"buf breaking: no breaking change against {ref}")
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the committed code differs")
    parser.add_argument("--breaking-against", metavar="REF", help="run buf breaking against a git revision")
    args = parser.parse_args(argv)
    if args.breaking_against:
        return breaking_against(args.breaking_against)
    if not args.check:
        generate(ROOT)
        print(f"generated {len(generated_files(ROOT))} files in {OUT_PACKAGE}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = pathlib.Path(tmp)
        generate(fresh)
        expected, present = generated_files(fresh), generated_files(ROOT)
        stale = [str(p) for p in expected
                 if not (ROOT / p).exists() or not filecmp.cmp(fresh / p, ROOT / p, shallow=False)]
        stale += [str(p) for p in present if p not in expected]
    if stale:
        print("generated code is stale; run `python -m tools.protos`:\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    print("generated code is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
