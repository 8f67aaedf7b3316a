"""The orchestrator: reads scripts, plans films and drives the mesh."""
