"""The census of revision dependence in Linux network drivers (issue 13): see
scripts/census_revisions.py and data/census/README.md."""
