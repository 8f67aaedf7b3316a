"""Split built manifests into the kinds kubernetes-validate knows and the custom resources it has no
schema for (cert-manager, KEDA, Karpenter), and check each of those against its own schema in
k8s/schemas/ (<group>_<Kind>.json: the fields these manifests use, no others).

    python k8s/custom_resources.py BUILT.yaml CORE.yaml   # writes CORE.yaml; exit 1 on a bad resource
"""

from __future__ import annotations

import json
import pathlib
import sys

import jsonschema
import yaml

SCHEMAS = pathlib.Path(__file__).resolve().parent / "schemas"
# API groups that are not Kubernetes' own: their resources are checked here, not by kubernetes-validate.
CUSTOM_GROUPS = ("cert-manager.io", "keda.sh", "karpenter.sh", "karpenter.k8s.aws")


def is_custom(doc: dict) -> bool:
    return doc["apiVersion"].split("/")[0] in CUSTOM_GROUPS


def schema_for(doc: dict) -> dict | None:
    path = SCHEMAS / f"{doc['apiVersion'].split('/')[0]}_{doc['kind']}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def problems(doc: dict) -> list[str]:
    """What is wrong with one custom resource; empty when it matches its schema."""
    name = f"{doc['kind']}/{doc['metadata']['name']}"
    schema = schema_for(doc)
    if schema is None:
        return [f"{name}: no schema k8s/schemas/{doc['apiVersion'].split('/')[0]}_{doc['kind']}.json"]
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{name}: {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(doc)]


def main(built: str, core: str) -> int:
    docs = [d for d in yaml.safe_load_all(pathlib.Path(built).read_text()) if d]
    custom = [d for d in docs if is_custom(d)]
    found = [p for d in custom for p in problems(d)]
    for problem in found:
        print(f"{built}: {problem}", file=sys.stderr)
    pathlib.Path(core).write_text(yaml.safe_dump_all([d for d in docs if not is_custom(d)], sort_keys=False))
    print(f"{built}: {len(custom)} custom resources, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
