"""Sample sources of the harvesters, invented data (harvesters/README.md): generators run as scripts
(`python harvesters/samples/make_samples.py`) or imported by tests and benchmarks as
``ckanext.binhduong.harvesters.samples.make_samples``. Not part of the installed distribution."""
