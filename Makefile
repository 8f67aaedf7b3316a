# The two commands of the README, and the pieces CI checks. Each target sets up what it needs.
.PHONY: film test check protos up

film:  ## render the bundled example script to out/lighthouse.mp4 on the embedded default
	tools/bootstrap.sh
	.venv/bin/filmstudio render examples/lighthouse.fountain -o out/lighthouse.mp4

test:  ## contract checks, then the whole test suite
	tools/bootstrap.sh --test
	$(MAKE) --no-print-directory check
	.venv/bin/python -m pytest -q

check:  ## generated code fresh (contract code, the studio's OpenAPI copy), buf lint clean, no breaking change against the previous commit, the infrastructure synthesized and linted
	.venv/bin/python -m tools.protos --check
	.venv/bin/python -m tools.openapi --check
	.venv/bin/buf lint
	.venv/bin/python -m tools.protos --breaking-against HEAD~1
	tools/check_infra.sh

protos:  ## regenerate filmstudio/v1 from protos/, and the studio's OpenAPI document and client types
	.venv/bin/python -m tools.protos
	.venv/bin/python -m tools.openapi
	[ ! -d gateway/studio/node_modules ] || npm run --prefix gateway/studio --silent gen

up:  ## start the whole mesh here (Ctrl-C stops it)
	tools/bootstrap.sh
	.venv/bin/filmstudio up
