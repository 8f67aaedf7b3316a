"""Generated contract code (python -m tools.protos). Never edit the *_pb2*.py files by hand."""
