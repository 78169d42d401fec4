"""The officials', analysts' and admins' queries: listing search, work queue, counts, volume.

Reads only: the listing summary (listings/summary), the check volume (checks/volume.py) and the
listings, objections and repair applications themselves. Nothing here writes.
"""
