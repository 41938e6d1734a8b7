"""The DFU server: DFU workunits and the jobs that move data.

* ``wuid``       - the DFU workunit id clock
* ``workunits``  - workunits as Dali keeps them, and their search
* ``wuactions``  - what FileSpray's workunit methods do (abort, delete, protect, update, ...)
* ``requests``   - FileSpray's checks on a transfer request, and the workunit it queues
* ``fileformat`` - a spray source's record format as a workunit stores it
* ``server``     - the queue and its workers
* ``failures``   - what a workunit records for an error no job expected
* ``jobs``       - one job per DFU command (spray, despray, copy, rename, replicate)
* ``destination`` - the DFU server's refusals of a foreign, external or multi destination
* ``supercopy``  - copying a superfile with its structure
* ``foreign``    - what a copy from another environment needs of the foreign Dali, and its errors
* ``remotecopy`` - the Copy job from a foreign Dali (parts fetched, then copied as locally)
* ``lockwait``   - a job waiting, `blocked`, for a lock on its destination to go
* ``writer``     - how jobs write files (temporary names, writeback, fsync, rename)
* ``progress``   - the progress and summary texts
* ``transfer/``  - planning sprays, desprays and copies per format, and the part file format
"""
