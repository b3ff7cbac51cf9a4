# Thin targets over scripts/. See README.md.
.PHONY: up test down status bench

up:
	@bash scripts/up.sh

test:
	@bash scripts/test.sh

down:
	@bash scripts/services.sh stop

status:
	@bash scripts/services.sh status

# Benchmarks run apart from the tests (they use the test databases: not during `make test`).
bench:
	@bash scripts/up.sh >/dev/null && bash scripts/init_db.sh test && var/venv/bin/python bench/bench_dcat.py
