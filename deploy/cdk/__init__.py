"""Film Studio's AWS infrastructure as an AWS CDK app: one stack per environment (environments.py),
built from one construct per part (network, cluster, database, storage, cdn, registry, service roles,
secrets). `python -m deploy.cdk.app` synthesizes every environment into cdk.out; check.sh lints them."""
