"""The emulated cluster: pure Python, no HTTP, SOAP or spyne code (the ESP layer calls it).

Laid out by the HPCC component each part emulates; the modules at this level are what every
component shares:

* ``cluster``     - the cluster object the services receive (settings, data dir, store, engines)
* ``config``, ``environment`` - settings (TOML, ``HPCCEMU_*``, flags) and the topology
* ``datadir``     - the data directory and client-path confinement
* ``names``       - Dali's logical-name rules
* ``errors``, ``codes`` - typed domain errors and the numeric codes they carry
* ``safexml``     - parsing untrusted XML
* ``wildcards``   - jlib's WildMatch (``*``, ``?``) in time that does not explode
* ``reset``       - emptying a running cluster (tests)

Components (each package's docstring maps its modules):

* ``dali/``        - the metadata store, logical files, superfiles, locks, catalogue queries
* ``dfu/``         - the DFU server: workunits, queue and workers, jobs; ``dfu/transfer/`` cuts
  and joins files
* ``landingzone/`` - drop zones: listing, upload and download, spray targets
* ``fileview/``    - HPCC's file-view library: reading rows, ECL records, layouts
* ``packagemaps/`` - Roxie package maps: storage, model, validation, query-file mapping
* ``roxie/``       - published queries, their resolution and locks, keyed lookups

Dependencies point one way, in this order: the shared modules, dali, dfu, landingzone,
packagemaps, fileview, roxie; each component imports only the shared modules and components
before it (roxie reads dali, dfu/transfer, fileview and packagemaps). ``cluster`` and ``reset``
alone assemble the components. tests/test_layout.py keeps this, and the absence of import
circles, true.
"""
