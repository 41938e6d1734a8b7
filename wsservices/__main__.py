"""`python -m wsservices serve ...` is the same as `hpccemu serve ...`."""
from wsservices.cli import main

main()
