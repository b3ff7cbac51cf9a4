# Thin targets over scripts/. See README.md.
.PHONY: up test down status bench cluster-up cluster-test cluster-down

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
	  var/venv/bin/python bench/bench_dcat.py --ini var/bench.ini --datasets 10000 --reuse && \
	  var/venv/bin/python bench/bench_search.py --ini var/bench.ini && \
	  var/venv/bin/python bench/bench_quality.py --ini var/bench.ini && \
	  var/venv/bin/python bench/bench_scale.py --ini var/bench.ini

# The portal beyond one machine, as a local cluster on its own ports and folders
# (var/cluster/): SolrCloud + ZooKeeper, a PostgreSQL standby, 2 web nodes behind nginx.
# Not part of `make test`. See cluster/README.md.
cluster-up:
	@bash cluster/cluster.sh up

cluster-test:
	@var/venv/bin/pytest --ckan-ini=var/cluster/ckan.ini -p no:cacheprovider -q -s cluster/test_cluster.py

cluster-down:
	@bash cluster/cluster.sh down
