"""The emulated cluster: pure Python, no HTTP, SOAP or spyne code (the ESP layer calls it).

Laid out by the HPCC component each part emulates; the modules at this level are what every
component shares:

* ``cluster``     - the cluster object the services receive (settings, data dir, store, engines)
* ``config``, ``environment`` - settings (TOML, ``HPCCEMU_*``, flags) and the topology
* ``datadir``     - the data directory and client-path confinement
* ``names``       - Dali's logical-name rules
* ``errors``, ``codes`` - typed domain errors and the numeric codes they carry
* ``access``      - users, feature permissions and file scopes (security settings)
* ``remotes``     - the remote environments outbound calls may go to
* ``reset``       - emptying a running cluster (tests)
* ``recovery``    - start-up recovery: finishing what a crash interrupted

Components (each package's docstring maps its modules):

* ``jlib/``        - what HPCC's system library does for the others: wildcards, safe XML
* ``dali/``        - the metadata store, logical files, superfiles, locks, catalogue queries
* ``dfu/``         - the DFU server: workunits, queue and workers, jobs; ``dfu/transfer/`` cuts
  and joins files
* ``landingzone/`` - drop zones: listing, upload and download, spray targets
* ``fileview/``    - HPCC's file-view library: reading rows, ECL records, layouts
* ``packagemaps/`` - Roxie package maps: storage, model, validation, query-file mapping
* ``roxie/``       - published queries, their resolution and locks, keyed lookups
* ``nodes/``       - node failure drills: a node taken offline, brought back, swapped
* ``xref/``        - XREF: found, orphan and lost files, directories, the background builds

Dependencies point one way, in this order: the shared modules, jlib, dali, dfu, landingzone,
packagemaps, fileview, roxie, nodes, xref; each component imports only the shared modules and
components before it (roxie reads dali, dfu/transfer, fileview and packagemaps). ``cluster``,
``reset`` and ``recovery`` alone assemble the components. tests/test_layout.py keeps this, and
the absence of import circles, true.
"""
