"""One installable distribution for the whole portal extension.

The repository layout is fixed by DESIGN.md §3 (the extension, harvesters, schemas and seed
data in top-level folders). ``package_dir`` maps those folders onto one package tree so that
CKAN, ckanext-scheming and the harvest plugins find every file by module path
(``ckanext.binhduong.schemas:dataset.yaml``) in the source tree and in a built wheel alike.
"""
from setuptools import setup

PACKAGES = {
    "ckanext.binhduong": "ckanext-binhduong/ckanext/binhduong",
    "ckanext.binhduong.logic": "ckanext-binhduong/ckanext/binhduong/logic",
    "ckanext.binhduong.dcat": "ckanext-binhduong/ckanext/binhduong/dcat",
    "ckanext.binhduong.quality": "ckanext-binhduong/ckanext/binhduong/quality",
    "ckanext.binhduong.harvesters": "harvesters",
    "ckanext.binhduong.schemas": "schemas",
    "ckanext.binhduong.seed_datasets": "seed_datasets",
}

setup(
    name="ckanext-binhduong",
    version="0.1.0",
    description="Bình Dương open-data portal: CKAN extension, harvesters, schemas and seed catalogue",
    license="AGPL-3.0-or-later",
    python_requires=">=3.11",
    packages=list(PACKAGES),
    package_dir=PACKAGES,
    include_package_data=True,
    package_data={
        "ckanext.binhduong": [
            "config_declaration.yaml",
            "api_guide.yaml",
            "templates/**/*",
            "assets/**/*",
            "i18n/**/*",
            "migration/**/*",
        ],
        "ckanext.binhduong.schemas": ["*.yaml", "*.yml", "*.json", "*.csv", "vocabularies/*.yaml"],
        "ckanext.binhduong.seed_datasets": ["**/*.yaml", "**/*.csv"],
        "ckanext.binhduong.harvesters": ["*.md"],
        "ckanext.binhduong.quality": ["shacl/*.ttl"],
    },
    # harvesters/samples/ (invented sources and their generators, imported by the tests and
    # benchmarks as ckanext.binhduong.harvesters.samples) is not a listed package: it stays
    # in the source tree, out of a built wheel.
    exclude_package_data={"ckanext.binhduong.harvesters": ["samples/*", "samples/**/*"]},
    entry_points={
        "ckan.plugins": [
            "binhduong = ckanext.binhduong.plugin:BinhDuongPlugin",
            "bd_procedures = ckanext.binhduong.harvesters.procedures:ProceduresHarvester",
            "bd_chart_view = ckanext.binhduong.chart_view:BinhDuongChartView",
            "bd_map_view = ckanext.binhduong.map_view:BinhDuongMapView",
            "bd_civil_registry = ckanext.binhduong.harvesters.civil_registry:CivilRegistryHarvester",
            "bd_infrastructure = ckanext.binhduong.harvesters.infrastructure:InfrastructureHarvester",
        ],
        "ckan.rdf.profiles": [
            "binhduong_dcat = ckanext.binhduong.dcat.profile:BinhDuongDCATProfile",
            "binhduong_dcat_ap_2 = ckanext.binhduong.dcat.profile_ap2:BinhDuongDCATAP2Profile",
        ],
    },
    zip_safe=False,
)
