"""The one way a linter finding is accepted: a checkov skip on the resource's Metadata, with its reason."""

from __future__ import annotations

from aws_cdk import CfnResource
from constructs import IConstruct


def skip_checkov(resource: IConstruct, check_id: str, reason: str) -> None:
    """Record on `resource` (an L1, or an L2 whose default child is one) why `check_id` does not apply."""
    cfn = resource if isinstance(resource, CfnResource) else resource.node.default_child
    assert isinstance(cfn, CfnResource), f"{resource.node.path} has no CloudFormation resource"
    metadata = cfn.get_metadata("checkov") or {"skip": []}
    metadata["skip"].append({"id": check_id, "comment": reason})
    cfn.add_metadata("checkov", metadata)
