"""XREF (dali/dfuXRefLib): cross-references the parts on a Thor cluster's nodes with the files
Dali knows. scan.py finds found, orphan and lost files, directories and messages; builds.py
keeps one result per cluster (the XRef node) and runs builds in the background; actions.py
attaches and deletes what a build found."""
