# syntax=docker/dockerfile:1
#
# Solr for the portal: the `ckan` core with CKAN 2.12's own schema plus the Vietnamese search
# fields and the reviewed synonyms (config/solr/synonyms-vi.txt), built by
# config/solr/build_schema.py exactly as `make up` builds the local cores, with our
# solrconfig.xml (its request handlers carry the ranking). CKAN's stock Solr image lacks these
# fields: plain-text searches would fail with "undefined field".
#
# The build context is the repository root:
#   docker build -f docker/solr.Dockerfile -t binhduong/solr:<version> .

# The CKAN release whose schema.xml the core extends: the portal image's base.
FROM ckan/ckan-base:2.12.0 AS core-config
USER root
COPY config/solr/ /tmp/solr-source/
RUN set -eux; \
    conf=/tmp/ckan-configset/conf; mkdir -p "$conf"; \
    schema="$(python3 -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml"))')"; \
    python3 /tmp/solr-source/build_schema.py "$schema" /tmp/solr-source/synonyms-vi.txt "$conf"; \
    cp /tmp/solr-source/solrconfig.xml "$conf/solrconfig.xml"; \
    touch "$conf/synonyms.txt" "$conf/protwords.txt"

# The Solr release of config/solr/pom.xml (the one `make up` runs and the tests use).
FROM solr:9.10.1
COPY --from=core-config --chown=solr:solr /tmp/ckan-configset /opt/binhduong/ckan-configset
# Creates the `ckan` core from that configuration on the first start (an empty /var/solr).
CMD ["solr-precreate", "ckan", "/opt/binhduong/ckan-configset"]
