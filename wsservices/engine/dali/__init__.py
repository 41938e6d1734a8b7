"""Dali: the metadata store and the distributed file system's catalogue.

* ``store``      - the SQLite store standing in for Dali's property tree (files, workunits, package
  maps, query sets, locks), with its schema migrations
* ``records``    - the catalogue's records and errors (parts, history, a file as read)
* ``files``      - the logical-file catalogue (`FileCatalog`): read, create, delete, rename,
  protect, attributes
* ``locks``      - Dali's file locks (READ, HOLD, WRITE) and their messages
* ``superfiles`` - superfile membership and transactions
* ``members``    - superfile member rows with positions and the tally of their attributes,
  changed by what changes
* ``catalog``    - one catalogue per cluster, with its superfiles and locks (`catalog(cluster)`)
* ``intents``    - switch intents: what a write changes on disk, recorded with its catalogue
  change and finished after a crash
* ``query``      - DFUQuery / DFUFileView over the catalogue
* ``patterns``   - client name filters as SQL whose cost does not grow with the filter
* ``actions``    - WsDfu's bulk and summary operations (DFUArrayAction, DFUSpace, DFUSearch, rename)
* ``filexml``    - Dali metadata as XML (Savexml, Add, AddRemote)
* ``backup``     - the store mirrored to a backup folder as it is written, and its restore
"""
