"""The REST edge: HTTP/JSON, SSE and a web page in front of FilmService, driven by the google.api.http
annotations of the descriptor set (see gateway.rules)."""
