"""Landing zones (drop zones): the folders clients upload to, spray from and despray into.

* ``dropzones`` - listing, search, delete, upload and download, and the spray-target, DFU-queue
  and remote-target listings; every client path is confined by datadir.py's one check.
"""
