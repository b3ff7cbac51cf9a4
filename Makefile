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

# Benchmarks run on their own databases, Solr core and Redis db (bench/bench_env.sh), so they
# never hold the tests' ones. The 10,000 generated datasets are kept for the next run.
bench:
	@bash scripts/up.sh >/dev/null && bash bench/bench_env.sh >/dev/null && \
	  var/venv/bin/python bench/bench_procedures.py --ini var/bench.ini && \
	  var/venv/bin/python bench/bench_civil_registry.py --ini var/bench.ini && \
	  var/venv/bin/python bench/bench_infrastructure.py --ini var/bench.ini && \
	  var/venv/bin/python bench/bench_dcat.py --ini var/bench.ini --datasets 10000 --reuse
