"""The Thor nodes as machines: failure drills (taking a node offline, bringing it back, swapping
it for an empty one: failures.py) and backupnode (backupnode.py), which makes every part's
backup copy match its primary."""
