"""Film Studio's shared bottom layer: the generated contract (filmstudio.v1), configuration,
the object-store interface, the gRPC server shell, errors and telemetry.

Services (orchestrator, composer, gateway, inference) import this package and never each other.
"""
