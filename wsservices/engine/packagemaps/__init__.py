"""Roxie package maps, as WsPackageProcess and Roxie see them.

* ``errors``    - WsPackageProcess's codes and texts
* ``xmlio``     - package-map XML: safe parsing with Dali's texts, jptree-style writing
* ``model``     - the package-map model: normalising, loading, matching queries
* ``values``    - the values the engine takes and returns
* ``querysets`` - a read-only view of the Roxie query sets
* ``maps``      - maps, parts, PackageSets and activation on the store (`PackageMaps`)
* ``checks``    - validation, query-file mapping and Roxie's resolution (part of `PackageMaps`)
* ``fileinfo``  - DFUInfo's package-map branch
"""
